//! A meeting's agenda and minutes to print (a plain layout marked "Fortroligt") and as PDF,
//! built from the same need-to-know texts as the pages; and the meeting and its series as
//! iCalendar files, which name no person. Every download needs a signed-in user and logs
//! only what reading the meeting or its minutes logs.

use super::*;
use crate::ics::{IcsMeeting, IcsOccurrence, IcsSeries};
use crate::pdf::{Block, PdfDocument};
use infohus_domain::{MeetingId, SeriesId};
use infohus_store::{MeetingSummary, MinutesView};
use std::num::NonZeroU32;

/// What the print layout and the PDF show of a meeting: one viewer's texts, never more.
pub(super) struct MeetingDoc {
    infohus_name: String,
    head: MeetingHead,
    /// `None`: the viewer may not see the agenda yet.
    items: Option<Vec<ItemText>>,
    minutes: Option<(MinutesRead, Vec<ActionRow>)>,
    /// Disclosures made in the meeting (minutes only), one sentence each.
    disclosures: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DocKind {
    Agenda,
    Minutes,
}

impl DocKind {
    fn title(self) -> &'static str {
        match self {
            DocKind::Agenda => t().get("print.agenda_title"),
            DocKind::Minutes => t().get("print.minutes_title"),
        }
    }
}

/// The meeting (and for minutes, its newest minutes the viewer may read) as one document.
async fn meeting_doc(
    state: &AppState,
    user: &WebUser,
    id: &MeetingId,
    kind: DocKind,
) -> Result<(MeetingDoc, MeetingSummary), ApiError> {
    let store = state.store();
    let view = store.meeting(&user.actor, id, state.today(), state.now()).await?;
    let mut disclosures = Vec::new();
    let minutes = match kind {
        DocKind::Agenda => None,
        DocKind::Minutes => {
            let minutes: MinutesView = store.minutes(&user.actor, id, state.now()).await?.ok_or(ApiError::NotFound)?;
            let users = store.active_users(user.actor.infohus()).await?;
            disclosures = super::minutes::disclosure_lines(&minutes.disclosures);
            Some((minutes_read(&view, &minutes), action_rows(&minutes.action_items, &users)))
        }
    };
    let doc = MeetingDoc {
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        head: meeting_head(&view),
        items: agenda_visible(user, &view).then(|| view.items.iter().map(item_text).collect()),
        minutes,
        disclosures,
    };
    Ok((doc, view.meeting))
}

fn meeting_id_of(path: Result<Path<String>, PathRejection>) -> Result<MeetingId, ApiError> {
    path_id::<MeetingId>(path).ok_or(ApiError::NotFound)
}

// ---- print -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "meeting_print.html")]
pub(super) struct PrintPage {
    t: &'static Catalog,
    title: String,
    heading: String,
    doc: MeetingDoc,
}

async fn print_page(
    state: AppState,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    kind: DocKind,
) -> Response {
    let doc = match meeting_id_of(path) {
        Ok(id) => meeting_doc(&state, &user, &id, kind).await,
        Err(e) => Err(e),
    };
    match doc {
        Ok((doc, _)) => {
            let page = PrintPage {
                t: t(),
                title: format!("{} – {}", kind.title(), doc.head.heading),
                heading: kind.title().to_owned(),
                doc,
            };
            render(StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e).await,
    }
}

pub(super) async fn agenda_print(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    print_page(state, user, path, DocKind::Agenda).await
}

pub(super) async fn minutes_print(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    print_page(state, user, path, DocKind::Minutes).await
}

// ---- PDF ---------------------------------------------------------------------------------

fn item_blocks(item: &ItemText, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading {
        level: 2,
        text: t().format("agenda.item_heading", &[("number", &item.number), ("title", &item.title)]),
    });
    for line in [&item.detail, &item.hint, &item.status].into_iter().flatten() {
        blocks.push(Block::Paragraph(line.clone()));
    }
    if !item.reasons.is_empty() {
        blocks.push(Block::Bullets(item.reasons.clone()));
    }
}

fn head_fields(head: &MeetingHead) -> Vec<(String, String)> {
    let mut fields = vec![(t().get("meeting.when").to_owned(), head.when.clone())];
    if let Some(from) = &head.moved_from {
        fields.push((t().get("meeting.moved_from").to_owned(), from.clone()));
    }
    fields.push((t().get("meeting.location").to_owned(), head.location.clone()));
    if let Some(link) = &head.video_link {
        fields.push((t().get("meeting.video").to_owned(), link.clone()));
    }
    if !head.participants.is_empty() {
        fields.push((t().get("meeting.participants").to_owned(), head.participants.join(", ")));
    }
    fields.push((t().get("meeting.status").to_owned(), head.status.clone()));
    if let Some(reason) = &head.cancelled {
        fields.push((t().get("meeting.cancel_reason").to_owned(), reason.clone()));
    }
    fields
}

/// The document's body: the same texts, in the same order, as the print layout.
fn pdf_blocks(doc: &MeetingDoc, kind: DocKind) -> Vec<Block> {
    let mut fields = head_fields(&doc.head);
    if let Some((read, _)) = &doc.minutes {
        fields.push((t().get("minutes.version").to_owned(), read.version.clone()));
        fields.push((t().get("minutes.status").to_owned(), read.status.clone()));
        if let Some(correction) = &read.correction {
            fields.push((t().get("minutes.correction_of").to_owned(), correction.clone()));
        }
        if let Some(approved) = &read.approved {
            fields.push((t().get("minutes.approved_by").to_owned(), approved.clone()));
        }
        fields.push((t().get("minutes.attendance").to_owned(), read.attendance.clone()));
    }
    let mut blocks =
        vec![Block::Heading { level: 2, text: doc.head.heading.clone() }, Block::Fields(fields), Block::Rule];
    match (kind, &doc.items, &doc.minutes) {
        (_, None, _) => blocks.push(Block::Paragraph(t().get("agenda.not_published").to_owned())),
        (DocKind::Agenda, Some(items), _) if items.is_empty() => {
            blocks.push(Block::Paragraph(t().get("agenda.empty").to_owned()));
        }
        (DocKind::Agenda, Some(items), _) => items.iter().for_each(|item| item_blocks(item, &mut blocks)),
        (DocKind::Minutes, Some(_), None) => {}
        (DocKind::Minutes, Some(_), Some((read, actions))) => {
            for entry in &read.items {
                item_blocks(&entry.item, &mut blocks);
                if entry.hidden {
                    blocks.push(Block::Paragraph(t().get("minutes.item_hidden").to_owned()));
                    continue;
                }
                for (label, lines) in
                    [(t().get("minutes.summary"), &entry.summary), (t().get("minutes.decisions"), &entry.decisions)]
                {
                    if !lines.is_empty() {
                        blocks.push(Block::Heading { level: 3, text: label.to_owned() });
                        blocks.push(Block::Paragraph(lines.join("\n")));
                    }
                }
            }
            blocks.push(Block::Heading { level: 2, text: t().get("minutes.action_items").to_owned() });
            if actions.is_empty() {
                blocks.push(Block::Paragraph(t().get("minutes.action_items_empty").to_owned()));
            } else {
                blocks.push(Block::Table {
                    headers: [
                        "case.col_task",
                        "case.col_owner",
                        "case.col_assignee",
                        "case.col_due",
                        "case.col_status",
                    ]
                    .iter()
                    .map(|key| t().get(key).to_owned())
                    .collect(),
                    rows: actions
                        .iter()
                        .map(|a| {
                            vec![a.title.clone(), a.owner.clone(), a.assignee.clone(), a.due.clone(), a.status.clone()]
                        })
                        .collect(),
                    widths: vec![36, 20, 18, 12, 14],
                });
            }
            blocks.push(Block::Heading { level: 2, text: t().get("minutes.disclosures").to_owned() });
            if doc.disclosures.is_empty() {
                blocks.push(Block::Paragraph(t().get("minutes.disclosures_empty").to_owned()));
            } else {
                blocks.push(Block::Bullets(doc.disclosures.clone()));
            }
        }
    }
    blocks
}

fn pdf_document(doc: &MeetingDoc, meeting: &MeetingSummary, kind: DocKind) -> PdfDocument {
    PdfDocument {
        title: kind.title().to_owned(),
        header: t().format("pdf.header", &[("when", &da_local(meeting.starts_at))]),
        classification: t().get("print.classification").to_owned(),
        footer: doc.infohus_name.clone(),
        page_label: t().get("pdf.page_label").to_owned(),
        blocks: pdf_blocks(doc, kind),
    }
}

/// A download's headers: its type, and an attachment's file name (ASCII, no quotes).
fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

async fn pdf_download(
    state: AppState,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    kind: DocKind,
) -> Response {
    let doc = match meeting_id_of(path) {
        Ok(id) => meeting_doc(&state, &user, &id, kind).await,
        Err(e) => Err(e),
    };
    match doc {
        Ok((doc, meeting)) => {
            let bytes = crate::pdf::render_pdf(&pdf_document(&doc, &meeting, kind));
            let stem = match kind {
                DocKind::Agenda => "dagsorden",
                DocKind::Minutes => "referat",
            };
            download("application/pdf", &format!("{stem}-{}.pdf", iso_date(meeting.starts_at.date())), bytes)
        }
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e).await,
    }
}

pub(super) async fn agenda_pdf(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    pdf_download(state, user, path, DocKind::Agenda).await
}

pub(super) async fn minutes_pdf(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    pdf_download(state, user, path, DocKind::Minutes).await
}

// ---- calendars ---------------------------------------------------------------------------

/// "Koordineringsmøde – Infohus København": what calendars outside Infohus show; no person.
fn calendar_summary(infohus: &str) -> String {
    t().format("ics.summary", &[("infohus", infohus)])
}

fn calendar_description() -> Option<String> {
    Some(t().get("ics.description").to_owned())
}

pub(super) async fn meeting_calendar(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let summary: Result<MeetingSummary, ApiError> = match meeting_id_of(path) {
        Ok(id) => state.store().meeting_summary(&user.actor, &id).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let m = match summary {
        Ok(m) => m,
        Err(e) => return error_page(&state, &user, MEETINGS_NAV, e).await,
    };
    let name = infohus_name(&state, Some(&user.actor)).await;
    let event = IcsMeeting {
        uid: format!("{}@infohus", m.id),
        sequence: m.sequence,
        summary: calendar_summary(&name),
        start: m.starts_at,
        duration_minutes: m.duration_minutes,
        location: m.location.clone(),
        url: m.video_link.clone().filter(|v| !v.is_empty()),
        description: calendar_description(),
        cancelled: m.status == "cancelled",
    };
    let body = crate::ics::meeting_ics(&event, state.now());
    download(crate::ics::CONTENT_TYPE, &format!("moede-{}.ics", iso_date(m.starts_at.date())), body.into_bytes())
}

/// Pages of the meetings list read for one series' occurrences.
const SERIES_PAGES: usize = 10;

/// Every meeting of a series: the list read from the series' start, page by page.
async fn series_meetings(
    state: &AppState,
    user: &WebUser,
    series: &SeriesId,
    from: time::Date,
) -> Result<Vec<MeetingSummary>, StoreError> {
    const PAGE: u32 = 200;
    let mut found: Vec<MeetingSummary> = Vec::new();
    let mut seen: Vec<MeetingId> = Vec::new();
    let mut from = from;
    for _ in 0..SERIES_PAGES {
        let page = state.store().meetings(&user.actor, from, PAGE).await?;
        let full = page.len() >= PAGE as usize;
        let last = page.last().map(|m| m.starts_at.date());
        for m in page {
            if !seen.contains(&m.id) {
                seen.push(m.id.clone());
                if m.series_id.as_ref() == Some(series) {
                    found.push(m);
                }
            }
        }
        match last {
            Some(day) if full && day > from => from = day,
            _ => break,
        }
    }
    Ok(found)
}

pub(super) async fn series_calendar(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Some(id) = path_id::<SeriesId>(path) else {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::NotFound).await;
    };
    let series = match state.store().series(&user.actor, &id).await {
        Ok(series) => series,
        Err(e) => return error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    };
    // A meeting moved to before the series began is still found.
    let from = series.first_start.date() - time::Duration::days(i64::from(series.interval_days));
    let meetings = match series_meetings(&state, &user, &id, from).await {
        Ok(meetings) => meetings,
        Err(e) => return error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    };
    let name = infohus_name(&state, Some(&user.actor)).await;
    let exceptions = meetings
        .iter()
        .filter(|m| m.status == "cancelled" || m.starts_at != m.planned_start)
        .map(|m| IcsOccurrence {
            planned_start: m.planned_start,
            sequence: m.sequence,
            start: m.starts_at,
            duration_minutes: m.duration_minutes,
            location: m.location.clone(),
            url: m.video_link.clone().filter(|v| !v.is_empty()),
            cancelled: m.status == "cancelled",
        })
        .collect();
    let calendar = IcsSeries {
        uid: format!("{}@infohus", series.id),
        sequence: meetings.iter().map(|m| m.sequence).sum(),
        summary: calendar_summary(&name),
        first_start: series.first_start,
        duration_minutes: series.duration_minutes,
        interval_days: NonZeroU32::new(series.interval_days).unwrap_or(NonZeroU32::MIN),
        until: meetings.iter().map(|m| m.planned_start).max(),
        location: series.location.clone(),
        url: series.video_link.clone().filter(|v| !v.is_empty()),
        description: calendar_description(),
        exceptions,
    };
    let body = crate::ics::series_ics(&calendar, state.now());
    download(crate::ics::CONTENT_TYPE, "moederaekke.ics", body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> MeetingHead {
        MeetingHead {
            id: "m1".into(),
            heading: "Koordineringsmøde 24.11.2026 kl. 09.00".into(),
            when: "24.11.2026 kl. 09.00–10.30".into(),
            moved_from: None,
            cutoff: "23.11.2026 kl. 12.00".into(),
            location: "Rådhuset".into(),
            video_link: None,
            participants: vec!["Myndighed POL".into()],
            status: "Planlagt".into(),
            cancelled: None,
            agenda_status: "Kladde".into(),
            series_id: None,
            planned: true,
            published: false,
            built: true,
        }
    }

    fn text(blocks: &[Block]) -> String {
        blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text, .. } | Block::Paragraph(text) => text.clone(),
                Block::Bullets(lines) => lines.join("|"),
                Block::Fields(fields) => fields.iter().map(|(l, v)| format!("{l}={v}")).collect::<Vec<_>>().join("|"),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn an_unpublished_agenda_says_so_and_shows_no_item() {
        let doc = MeetingDoc {
            infohus_name: "Infohus".into(),
            head: head(),
            items: None,
            minutes: None,
            disclosures: Vec::new(),
        };
        let body = text(&pdf_blocks(&doc, DocKind::Agenda));
        assert!(body.contains(t().get("agenda.not_published")), "{body}");
        assert!(!body.contains("Punkt"));
    }

    #[test]
    fn a_neutral_item_prints_its_reference_and_the_hint_only() {
        let item = ItemText {
            id: "i1".into(),
            number: "1".into(),
            title: "Sag ABCDEF12, J.T., 18–24 år, Højreekstremisme".into(),
            href: None,
            detail: None,
            hint: Some(t().get("agenda.neutral_hint").to_owned()),
            reasons: vec!["Opfølgning på indsats 01.12.2026".into()],
            status: None,
            on_agenda: true,
            is_case: true,
        };
        let doc = MeetingDoc {
            infohus_name: "Infohus".into(),
            head: head(),
            items: Some(vec![item]),
            minutes: None,
            disclosures: Vec::new(),
        };
        let meeting = MeetingSummary {
            id: MeetingId::parse("m1").unwrap(),
            series_id: None,
            name: String::new(),
            planned_start: time::macros::datetime!(2026-11-24 09:00),
            starts_at: time::macros::datetime!(2026-11-24 09:00),
            duration_minutes: 90,
            cutoff_at: time::macros::datetime!(2026-11-23 12:00),
            location: None,
            video_link: None,
            status: "planned".into(),
            cancel_reason: None,
            sequence: 0,
            agenda_status: "published".into(),
        };
        let pdf = pdf_document(&doc, &meeting, DocKind::Agenda);
        assert_eq!(pdf.header, "Koordineringsmøde 24.11.2026 kl. 09.00");
        assert_eq!(pdf.classification, "Fortroligt");
        assert_eq!(pdf.page_label, "Side {page} af {pages}");
        let body = text(&pdf.blocks);
        assert!(body.contains("Punkt 1: Sag ABCDEF12, J.T., 18–24 år, Højreekstremisme"), "{body}");
        assert!(body.contains("Opfølgning på indsats 01.12.2026"));
    }
}
