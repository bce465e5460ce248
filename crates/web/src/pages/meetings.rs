//! The meetings pages: the coming meetings, planning a series, and one meeting with its
//! agenda: generated, edited and published by the coordinators, read by the participants as
//! need to know allows (a case in full, or a neutral reference). Minutes are in `minutes.rs`,
//! print, PDF and calendar files in `meeting_files.rs`.

use super::*;
use infohus_domain::agenda::{ItemReason, Reason};
use infohus_domain::{AgendaItemId, MeetingId};
use infohus_store::{AgendaItemView, MeetingSummary, MeetingView, NewSeries};
use time::{Duration, PrimitiveDateTime};

pub(super) fn meeting_routes() -> Router<AppState> {
    Router::new()
        .route("/moeder", get(meetings_page))
        .route("/moeder/ny", get(series_new).post(series_create))
        .route("/moeder/serier/{id}/kalender.ics", get(series_calendar))
        .route("/moeder/{id}", get(meeting_get))
        .route("/moeder/{id}/flyt", post(meeting_move))
        .route("/moeder/{id}/aflys", post(meeting_cancel))
        .route("/moeder/{id}/dagsorden/dan", post(agenda_build))
        .route("/moeder/{id}/dagsorden/punkt", post(agenda_add_item))
        .route("/moeder/{id}/dagsorden/offentliggoer", post(agenda_publish))
        .route("/moeder/{id}/dagsorden/udskrift", get(agenda_print))
        .route("/moeder/{id}/dagsorden.pdf", get(agenda_pdf))
        .route("/moeder/{id}/kalender.ics", get(meeting_calendar))
        .route("/moeder/{id}/referat", get(minutes_get).post(minutes_start))
        .route("/moeder/{id}/referat/udskrift", get(minutes_print))
        .route("/moeder/{id}/referat.pdf", get(minutes_pdf))
        .route("/dagsordenspunkter/{id}/op", post(item_up))
        .route("/dagsordenspunkter/{id}/ned", post(item_down))
        .route("/dagsordenspunkter/{id}/udsaet", post(item_postpone))
        .route("/dagsordenspunkter/{id}/fjern", post(item_remove))
        .route("/dagsordenspunkter/{id}/videregiv", post(item_disclose))
        .route("/referater/{id}", post(minutes_save))
        .route("/referater/{id}/handlingspunkter", post(minutes_action_item))
        .route("/referater/{id}/godkend", post(minutes_approve))
        .route("/referater/{id}/ret", post(minutes_correct))
        .route("/sager/{id}/droeftes", post(case_flag))
}

/// The menu entry every meetings page belongs under.
pub(super) const MEETINGS_NAV: &str = "/moeder";

// ---- texts shared by the page, the print layout and the PDF -----------------------------

/// A code's label from a catalogue group, or the code itself when the group lacks it (a
/// concern category an administrator added).
pub(super) fn code_label(group: &str, code: &str) -> String {
    if t().has(&format!("{group}.{code}")) { t().label(group, code) } else { code.to_owned() }
}

/// The meeting's series name, or the generic name of a meeting.
pub(super) fn meeting_name(m: &MeetingSummary) -> String {
    if m.name.trim().is_empty() { t().get("meeting.default_name").to_owned() } else { m.name.clone() }
}

/// "Koordineringsmøde 24.11.2026 kl. 09.00": the page's heading.
pub(super) fn meeting_heading(m: &MeetingSummary) -> String {
    t().format("meeting.heading", &[("name", &meeting_name(m)), ("when", &da_local(m.starts_at))])
}

/// "24.11.2026 kl. 09.00–10.30".
pub(super) fn meeting_when(m: &MeetingSummary) -> String {
    let end = m.starts_at + Duration::minutes(i64::from(m.duration_minutes));
    t().format(
        "meeting.when_value",
        &[
            ("date", &da_date(m.starts_at.date())),
            ("from", &format!("{:02}.{:02}", m.starts_at.hour(), m.starts_at.minute())),
            ("to", &format!("{:02}.{:02}", end.hour(), end.minute())),
        ],
    )
}

/// One reason an item is on the agenda, in Danish with its date.
pub(super) fn reason_text(reason: &ItemReason) -> String {
    let date = reason.date.map(da_date).unwrap_or_default();
    let agency = reason.reference.as_deref().filter(|_| reason.reason == Reason::Flagged).unwrap_or_default();
    t().format(&format!("agenda_reason.{}", reason.reason.as_str()), &[("date", &date), ("agency", agency)])
        .trim()
        .to_owned()
}

/// An agenda item as the viewer may read it: the same text on the page, in print and in the
/// PDF, so no layout shows more than the store gave.
pub(super) struct ItemText {
    pub(super) id: String,
    pub(super) number: String,
    /// The person's name (in full), the neutral reference, or a free item's heading.
    pub(super) title: String,
    /// The case or referral, for those who see the item in full.
    pub(super) href: Option<String>,
    pub(super) detail: Option<String>,
    /// Why the viewer sees only a neutral reference.
    pub(super) hint: Option<String>,
    pub(super) reasons: Vec<String>,
    /// "Udsat: …" or "Fjernet: …".
    pub(super) status: Option<String>,
    pub(super) on_agenda: bool,
    pub(super) is_case: bool,
}

pub(super) fn item_text(item: &AgendaItemView) -> ItemText {
    let referral = item.kind == "referral";
    let kind = if referral { t().get("agenda.referral") } else { t().get("agenda.case") };
    let (title, href, detail, hint) = match (&item.full, &item.neutral) {
        (Some(full), _) => {
            let href = match (&full.case_id, &full.referral_id) {
                (Some(case), _) => Some(format!("/sager/{case}")),
                (None, Some(referral)) => Some(format!("/henvendelser/{referral}")),
                (None, None) => None,
            };
            let detail = if full.category.is_empty() {
                kind.to_owned()
            } else {
                t().format(
                    "agenda.full_detail",
                    &[("kind", kind), ("category", &code_label("category", &full.category))],
                )
            };
            (full.person_name.expose().clone(), href, Some(detail), None)
        }
        (None, Some(neutral)) => {
            let key = if referral { "agenda.neutral_referral" } else { "agenda.neutral_case" };
            let title = t().format(
                key,
                &[
                    ("number", &neutral.number),
                    ("initials", &neutral.initials),
                    ("age", &code_label("age_band", neutral.age_band)),
                    ("category", &code_label("category", &neutral.category)),
                ],
            );
            (title, None, None, Some(t().get("agenda.neutral_hint").to_owned()))
        }
        (None, None) => (or_dash(item.title.clone()), None, None, None),
    };
    let note = item.status_note.as_deref().unwrap_or("");
    let status = match item.status.as_str() {
        "postponed" => Some(t().format("agenda.status_postponed", &[("reason", note)])),
        "removed" => Some(t().format("agenda.status_removed", &[("reason", note)])),
        _ => None,
    };
    ItemText {
        id: item.id.as_str().to_owned(),
        number: item.position.to_string(),
        title,
        href,
        detail,
        hint,
        reasons: item.reasons.iter().map(reason_text).collect(),
        status,
        on_agenda: item.status == "on_agenda",
        is_case: item.kind == "case",
    }
}

/// The facts of a meeting at the top of its pages.
pub(super) struct MeetingHead {
    pub(super) id: String,
    pub(super) heading: String,
    pub(super) when: String,
    pub(super) moved_from: Option<String>,
    pub(super) cutoff: String,
    pub(super) location: String,
    pub(super) video_link: Option<String>,
    pub(super) participants: Vec<String>,
    pub(super) status: String,
    pub(super) cancelled: Option<String>,
    pub(super) agenda_status: String,
    pub(super) series_id: Option<String>,
    pub(super) planned: bool,
    pub(super) published: bool,
    pub(super) built: bool,
}

pub(super) fn meeting_head(view: &MeetingView) -> MeetingHead {
    let m = &view.meeting;
    MeetingHead {
        id: m.id.as_str().to_owned(),
        heading: meeting_heading(m),
        when: meeting_when(m),
        moved_from: (m.planned_start != m.starts_at).then(|| da_local(m.planned_start)),
        cutoff: da_local(m.cutoff_at),
        location: or_dash(m.location.clone()),
        video_link: m.video_link.clone().filter(|v| !v.is_empty()),
        participants: view
            .series
            .as_ref()
            .map(|s| {
                s.participants
                    .iter()
                    .map(|(agency, user)| match user {
                        Some(user) => t().format("meeting.participant_user", &[("agency", agency), ("user", user)]),
                        None => agency.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        status: code_label("meeting_status", &m.status),
        cancelled: (m.status == "cancelled").then(|| or_dash(m.cancel_reason.clone())),
        agenda_status: code_label("agenda_status", &m.agenda_status),
        series_id: m.series_id.as_ref().map(|s| s.as_str().to_owned()),
        planned: m.status == "planned",
        published: m.agenda_status == "published",
        built: m.agenda_status != "none",
    }
}

/// Whether the viewer sees the agenda's items: coordinators always, participants once it
/// is published (the store gives them no items before).
pub(super) fn agenda_visible(user: &WebUser, view: &MeetingView) -> bool {
    user.actor.viewer().may_run_meetings() || view.meeting.agenda_status == "published"
}

/// The coordinators' pages and posts; anybody else gets the forbidden page.
async fn runners_only(state: &AppState, user: &WebUser) -> Option<Response> {
    if user.actor.viewer().may_run_meetings() {
        None
    } else {
        Some(error_page(state, user, MEETINGS_NAV, ApiError::Forbidden).await)
    }
}

/// The meeting a form about one of its items or minutes came from, to return to.
pub(super) fn meeting_field(pairs: &[(String, String)]) -> Option<MeetingId> {
    pair(pairs, "meeting").and_then(MeetingId::parse)
}

// ---- parsing the date and time fields ---------------------------------------------------

/// A clock time from `<input type="time">` (`HH:MM`, seconds ignored); `09.00` is read too.
pub(super) fn parse_clock(raw: &str) -> Option<time::Time> {
    let mut parts = raw.trim().split([':', '.']);
    let (hour, minute) = (parts.next()?, parts.next()?);
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if hour.is_empty() || hour.len() > 2 || minute.len() != 2 || !digits(hour) || !digits(minute) {
        return None;
    }
    time::Time::from_hms(hour.parse().ok()?, minute.parse().ok()?, 0).ok()
}

/// A required date and a required time field, together a Copenhagen wall-clock time.
pub(super) fn wall_clock(
    errors: &mut FieldErrors,
    pairs: &[(String, String)],
    date_field: &str,
    time_field: &str,
) -> Option<PrimitiveDateTime> {
    let date = required_date(errors, date_field, pair(pairs, date_field));
    let time = match pair(pairs, time_field).map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(time_field, "required");
            None
        }
        Some(raw) => parse_clock(raw).or_else(|| {
            errors.push(time_field, "invalid_time");
            None
        }),
    };
    Some(PrimitiveDateTime::new(date?, time?))
}

/// A required whole number.
fn whole_number(errors: &mut FieldErrors, pairs: &[(String, String)], field: &str) -> Option<u32> {
    match pair(pairs, field).map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(field, "required");
            None
        }
        Some(raw) => raw.parse().ok().or_else(|| {
            errors.push(field, "invalid_number");
            None
        }),
    }
}

// ---- the list ----------------------------------------------------------------------------

pub(super) struct MeetingRow {
    id: String,
    when: String,
    series: String,
    status: String,
    agenda: String,
    cancelled: Option<String>,
}

fn meeting_row(m: &MeetingSummary) -> MeetingRow {
    MeetingRow {
        id: m.id.as_str().to_owned(),
        when: da_local(m.starts_at),
        series: meeting_name(m),
        status: code_label("meeting_status", &m.status),
        agenda: code_label("agenda_status", &m.agenda_status),
        cancelled: (m.status == "cancelled")
            .then(|| t().format("meetings.cancelled_reason", &[("reason", m.cancel_reason.as_deref().unwrap_or(""))])),
    }
}

#[derive(Template)]
#[template(path = "meetings.html")]
pub(super) struct MeetingsPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    may_plan: bool,
    rows: Vec<MeetingRow>,
    /// The meetings of the last `PAST_DAYS` days, newest first: where their minutes are.
    past: Vec<MeetingRow>,
}

/// Meetings shown on the list, from today.
const LIST_LIMIT: u32 = 100;
/// How far back the list shows earlier meetings.
const PAST_DAYS: i64 = 90;

pub(super) async fn meetings_page(State(state): State<AppState>, user: WebUser) -> Response {
    if !user.actor.viewer().may_attend_meetings() {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::Forbidden).await;
    }
    let today = state.today();
    let store = state.store();
    let lists = async {
        Ok::<_, StoreError>((
            store.meetings(&user.actor, today, LIST_LIMIT).await?,
            store.meetings(&user.actor, today - Duration::days(PAST_DAYS), LIST_LIMIT).await?,
        ))
    };
    let (coming, recent) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    };
    let past: Vec<MeetingRow> = recent.iter().filter(|m| m.starts_at.date() < today).rev().map(meeting_row).collect();
    let page = MeetingsPage {
        t: t(),
        title: t().get("meetings.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        may_plan: user.actor.viewer().may_run_meetings(),
        rows: coming.iter().map(meeting_row).collect(),
        past,
        user: Some(user_bar(&user, MEETINGS_NAV)),
    };
    render(StatusCode::OK, &page)
}

// ---- planning a series -------------------------------------------------------------------

pub(super) struct SeriesForm {
    name: Field,
    first_date: Field,
    first_time: Field,
    interval: Field,
    duration: Field,
    cutoff: Field,
    location: Field,
    video: Field,
    agencies: Vec<Check>,
    agencies_error: Option<String>,
    users: Vec<Opt>,
    users_error: Option<String>,
    occurrences: Field,
}

#[derive(Template)]
#[template(path = "meeting_series_form.html")]
pub(super) struct SeriesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    errors: Vec<ErrorLink>,
    f: SeriesForm,
}

fn series_form(input: Input<'_>, agencies: &[Agency], users: &[UserSummary]) -> SeriesForm {
    let checked: Vec<&str> = pairs_all(input.values, "agency").collect();
    let chosen: Vec<&str> = pairs_all(input.values, "participant_user").collect();
    let default_occurrences = infohus_store::DEFAULT_OCCURRENCES.to_string();
    SeriesForm {
        name: Field::new("series-name", "name", "series.name", input, t().get("meeting.default_name")).required(),
        first_date: Field::new("series-date", "first_date", "series.first_date", input, "")
            .hint("form.date_hint")
            .required(),
        first_time: Field::new("series-time", "first_time", "series.first_time", input, "09:00")
            .hint("series.time_hint")
            .required(),
        interval: Field::new("series-interval", "interval_days", "series.interval", input, "14")
            .hint("series.interval_hint")
            .required(),
        duration: Field::new("series-duration", "duration_minutes", "series.duration", input, "90").required(),
        cutoff: Field::new("series-cutoff", "cutoff_hours", "series.cutoff", input, "21")
            .hint("series.cutoff_hint")
            .required()
            .errors_of(input, &["cutoff_minutes"]),
        location: Field::new("series-location", "location", "series.location", input, ""),
        video: Field::new("series-video", "video_link", "series.video", input, "")
            .hint("series.video_hint")
            .errors_of(input, &["video"]),
        agencies: agencies
            .iter()
            .map(|a| Check {
                id: format!("series-agency-{}", a.code),
                value: a.code.clone(),
                label: a.name.clone(),
                checked: checked.contains(&a.code.as_str()),
            })
            .collect(),
        agencies_error: input.error(&["agency"]),
        users: users
            .iter()
            .filter(|u| matches!(u.role, Role::Coordinator | Role::Member))
            .map(|u| Opt {
                value: u.username.clone(),
                label: t().format(
                    "case.user_option",
                    &[("name", &u.display_name), ("agency", &agency_name(agencies, &u.agency_code))],
                ),
                selected: chosen.contains(&u.username.as_str()),
            })
            .collect(),
        users_error: input.error(&["participants", "participant_user"]),
        occurrences: Field::new("series-occurrences", "occurrences", "series.occurrences", input, &default_occurrences)
            .hint("series.occurrences_hint")
            .required(),
    }
}

impl SeriesForm {
    fn error_links(&self) -> Vec<ErrorLink> {
        let mut links = field_links(&[
            &self.name,
            &self.first_date,
            &self.first_time,
            &self.interval,
            &self.duration,
            &self.cutoff,
            &self.location,
            &self.video,
        ]);
        if let (Some(message), Some(first)) = (&self.agencies_error, self.agencies.first()) {
            links.push(ErrorLink {
                anchor: first.id.clone(),
                label: t().get("series.agencies").to_owned(),
                message: message.clone(),
            });
        }
        if let Some(message) = &self.users_error {
            links.push(ErrorLink {
                anchor: "series-users".to_owned(),
                label: t().get("series.users").to_owned(),
                message: message.clone(),
            });
        }
        links.extend(self.occurrences.error_link());
        links
    }
}

async fn series_page(state: &AppState, user: &WebUser, values: &[(String, String)], errors: &FieldErrors) -> Response {
    let active = MEETINGS_NAV;
    let infohus = user.actor.infohus();
    let (agencies, users) = match (state.store().agencies(infohus).await, state.store().active_users(infohus).await) {
        (Ok(agencies), Ok(users)) => (agencies, users),
        (Err(e), _) | (_, Err(e)) => return error_page(state, user, active, e.into()).await,
    };
    let f = series_form(Input::new(values, errors), &agencies, &users);
    let page = SeriesPage {
        t: t(),
        title: t().get("series.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        errors: f.error_links(),
        f,
        user: Some(user_bar(user, active)),
    };
    render(status_of(errors), &page)
}

pub(super) async fn series_new(State(state): State<AppState>, user: WebUser) -> Response {
    if let Some(refused) = runners_only(&state, &user).await {
        return refused;
    }
    series_page(&state, &user, &[], &FieldErrors::default()).await
}

/// The standing participants a series form names: each chosen user with their agency, and
/// each ticked agency no chosen user already brings.
fn chosen_participants(
    errors: &mut FieldErrors,
    pairs: &[(String, String)],
    users: &[UserSummary],
) -> Vec<(AgencyCode, Option<String>)> {
    let mut participants: Vec<(AgencyCode, Option<String>)> = Vec::new();
    for username in pairs_all(pairs, "participant_user").map(str::trim).filter(|u| !u.is_empty()) {
        match users.iter().find(|u| u.username == username).and_then(|u| AgencyCode::parse(&u.agency_code)) {
            Some(agency) => participants.push((agency, Some(username.to_owned()))),
            None => errors.push("participant_user", "unknown_user"),
        }
    }
    for raw in pairs_all(pairs, "agency").map(str::trim).filter(|a| !a.is_empty()) {
        match AgencyCode::parse(raw) {
            Some(code) if participants.iter().any(|(c, _)| *c == code) => {}
            Some(code) => participants.push((code, None)),
            None => errors.push("agency", "invalid_choice"),
        }
    }
    participants
}

pub(super) async fn series_create(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = MEETINGS_NAV;
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    if let Some(refused) = runners_only(&state, &user).await {
        return refused;
    }
    let users = match state.store().active_users(user.actor.infohus()).await {
        Ok(users) => users,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let mut errors = FieldErrors::default();
    let first_start = wall_clock(&mut errors, &pairs, "first_date", "first_time");
    let interval = whole_number(&mut errors, &pairs, "interval_days");
    let duration = whole_number(&mut errors, &pairs, "duration_minutes");
    let cutoff = whole_number(&mut errors, &pairs, "cutoff_hours");
    let occurrences = whole_number(&mut errors, &pairs, "occurrences");
    let participants = chosen_participants(&mut errors, &pairs, &users);
    let text = |name: &str| pair(&pairs, name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let result = match (first_start, interval, duration, cutoff, occurrences) {
        (Some(first_start), Some(interval_days), Some(duration_minutes), Some(hours), Some(occurrences))
            if errors.is_empty() =>
        {
            let new = NewSeries {
                name: pair(&pairs, "name").unwrap_or("").to_owned(),
                first_start,
                interval_days,
                duration_minutes,
                cutoff_minutes: hours.saturating_mul(60),
                location: text("location"),
                video_link: text("video_link"),
                participants,
                occurrences,
            };
            state.store().create_series(&user.actor, new, state.now()).await.map(|id| (id, first_start))
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok((series, first_start)) => {
            // The first meeting of the new series is where its agenda is built.
            let first = state
                .store()
                .meetings(&user.actor, first_start.date(), 200)
                .await
                .ok()
                .and_then(|list| list.into_iter().find(|m| m.series_id.as_ref() == Some(&series)).map(|m| m.id));
            match first {
                Some(id) => see_other(&format!("/moeder/{id}?status=oprettet")),
                None => see_other(MEETINGS_NAV),
            }
        }
        Err(StoreError::Invalid(errors)) => series_page(&state, &user, &pairs, &errors).await,
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

// ---- one meeting ---------------------------------------------------------------------------

/// Which form on the meeting page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MeetingForm<'a> {
    Move,
    Cancel,
    FreeItem,
    ItemStatus(&'a str),
    Disclose(&'a str),
}

pub(super) struct MeetingRejected<'a> {
    form: MeetingForm<'a>,
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

fn input_of<'a>(rejected: Option<&MeetingRejected<'a>>, form: MeetingForm<'_>) -> Input<'a> {
    match rejected {
        Some(r) if r.form == form => Input::new(r.values, r.errors),
        _ => Input::NONE,
    }
}

pub(super) struct MoveForm {
    date: Field,
    time: Field,
}

/// A coordinator's controls for one item of a draft agenda.
pub(super) struct ItemControls {
    /// The accessible names of the up and down buttons, when the item can move that way.
    up: Option<String>,
    down: Option<String>,
    /// Postpone or remove, with the reason; only for items still on the agenda.
    status: Option<ItemStatusForm>,
}

pub(super) struct ItemStatusForm {
    summary: String,
    open: bool,
    reason: Field,
}

pub(super) struct AgendaRow {
    item: ItemText,
    controls: Option<ItemControls>,
    disclose: Option<DiscloseForm>,
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub(super) struct MeetingPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    m: MeetingHead,
    runner: bool,
    agenda_visible: bool,
    agenda: Vec<AgendaRow>,
    move_form: Option<MoveForm>,
    cancel_form: Option<Field>,
    /// The build button's label ("Dan dagsorden", "Dan dagsordenen igen").
    build: Option<String>,
    publish: bool,
    free_item: Option<Field>,
}

fn meeting_notice(status: Option<&str>) -> Option<String> {
    notice_for(
        status,
        &[
            ("oprettet", "series.created"),
            ("flyttet", "meeting.moved"),
            ("aflyst", "meeting.cancelled"),
            ("dannet", "agenda.built"),
            ("offentliggjort", "agenda.published"),
            ("punkt", "agenda.item_added"),
            ("punkt-flyttet", "agenda.item_moved"),
            ("udsat", "agenda.item_postponed"),
            ("fjernet", "agenda.item_removed"),
            ("videregivet", "agenda.disclosed"),
        ],
    )
}

/// A case overview tells of a concern about extremism: the store asks for a legal basis
/// covering political or religious convictions, so only those are offered.
fn overview_sensitivity() -> Sensitivities {
    Sensitivities::from_stored("political_opinion,religion")
}

fn agenda_rows(
    view: &MeetingView,
    head: &MeetingHead,
    runner: bool,
    agencies: &[Agency],
    bases: &[LegalBasis],
    rejected: Option<&MeetingRejected<'_>>,
) -> Vec<AgendaRow> {
    let editable = runner && head.planned && !head.published;
    let count = view.items.len();
    let sensitivity = overview_sensitivity();
    view.items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let text = item_text(item);
            let id = text.id.clone();
            let controls = editable.then(|| {
                let status = text.on_agenda.then(|| {
                    let input = input_of(rejected, MeetingForm::ItemStatus(&id));
                    ItemStatusForm {
                        summary: t().format("agenda.change_status", &[("number", &text.number)]),
                        open: input.sent(),
                        reason: Field::new(&format!("s-{id}-reason"), "reason", "agenda.status_reason", input, "")
                            .hint("agenda.status_reason_hint")
                            .required(),
                    }
                });
                ItemControls {
                    up: (index > 0).then(|| t().format("agenda.move_up_label", &[("number", &text.number)])),
                    down: (index + 1 < count)
                        .then(|| t().format("agenda.move_down_label", &[("number", &text.number)])),
                    status,
                }
            });
            let disclose = (runner && head.published && text.is_case && text.on_agenda)
                .then(|| {
                    let shown = rejected
                        .filter(|r| r.form == MeetingForm::Disclose(&id))
                        .map(|r| Input::new(r.values, r.errors));
                    let record = Disclosable {
                        action: format!("/dagsordenspunkter/{id}/videregiv"),
                        prefix: format!("v-{id}"),
                        heading_key: "agenda.disclose_heading",
                        submit_key: "agenda.disclose_submit",
                        case_id: None,
                        // The meeting discloses on the infohus's behalf: any agency may receive.
                        owner_agency_id: "",
                        disclosed_to: &[],
                        sensitivity: &sensitivity,
                    };
                    disclose_form(record, agencies, bases, shown).map(|mut form| {
                        form.meeting_id = Some(head.id.clone());
                        form
                    })
                })
                .flatten();
            AgendaRow { item: text, controls, disclose }
        })
        .collect()
}

pub(super) async fn meeting_page(
    state: &AppState,
    user: &WebUser,
    id: &MeetingId,
    status: Option<&str>,
    rejected: Option<MeetingRejected<'_>>,
) -> Response {
    let active = MEETINGS_NAV;
    let view = match state.store().meeting(&user.actor, id, state.today(), state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let runner = user.actor.viewer().may_run_meetings();
    let (agencies, bases) = if runner {
        match (state.store().agencies(user.actor.infohus()).await, state.store().legal_bases().await) {
            (Ok(agencies), Ok(bases)) => (agencies, bases),
            (Err(e), _) | (_, Err(e)) => return error_page(state, user, active, e.into()).await,
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let rejected = rejected.as_ref();
    let head = meeting_head(&view);
    let agenda = agenda_rows(&view, &head, runner, &agencies, &bases, rejected);
    let planned = runner && head.planned;
    let move_form = planned.then(|| {
        let input = input_of(rejected, MeetingForm::Move);
        let m = &view.meeting;
        let clock = format!("{:02}:{:02}", m.starts_at.hour(), m.starts_at.minute());
        MoveForm {
            date: Field::new("move-date", "date", "meeting.move_date", input, &iso_date(m.starts_at.date()))
                .hint("form.date_hint")
                .required(),
            time: Field::new("move-time", "time", "meeting.move_time", input, &clock)
                .hint("series.time_hint")
                .required(),
        }
    });
    let cancel_form = planned.then(|| {
        Field::new("cancel-reason", "reason", "meeting.cancel_reason", input_of(rejected, MeetingForm::Cancel), "")
            .hint("meeting.cancel_reason_hint")
            .required()
    });
    let editable = planned && !head.published;
    let free_item = editable.then(|| {
        Field::new("free-title", "title", "agenda.free_title", input_of(rejected, MeetingForm::FreeItem), "")
            .hint("agenda.free_hint")
            .required()
    });
    let errors = match rejected.map(|r| r.form) {
        Some(MeetingForm::Move) => move_form.as_ref().map(|f| field_links(&[&f.date, &f.time])).unwrap_or_default(),
        Some(MeetingForm::Cancel) => cancel_form.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
        Some(MeetingForm::FreeItem) => free_item.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
        Some(MeetingForm::ItemStatus(item)) => agenda
            .iter()
            .filter(|row| row.item.id == item)
            .filter_map(|row| row.controls.as_ref().and_then(|c| c.status.as_ref()))
            .flat_map(|f| field_links(&[&f.reason]))
            .collect(),
        Some(MeetingForm::Disclose(item)) => {
            rejected.map(|r| disclose_error_links(&format!("v-{item}"), r.errors)).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let page = MeetingPage {
        t: t(),
        title: head.heading.clone(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice: meeting_notice(status),
        errors,
        runner,
        agenda_visible: agenda_visible(user, &view),
        agenda,
        move_form,
        cancel_form,
        build: editable.then(|| t().get(if head.built { "agenda.rebuild" } else { "agenda.build" }).to_owned()),
        publish: runner && head.built && !head.published,
        free_item,
        m: head,
        user: Some(user_bar(user, active)),
    };
    let code = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(code, &page)
}

pub(super) async fn meeting_get(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path_id::<MeetingId>(path) else {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::NotFound).await;
    };
    meeting_page(&state, &user, &id, status_param(raw.as_deref()).as_deref(), None).await
}

/// Where a post on the meeting page goes: on, back with the rejected form, or the error page.
async fn after_meeting_post(
    state: &AppState,
    user: &WebUser,
    meeting: &MeetingId,
    form: MeetingForm<'_>,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = MeetingRejected { form, values: pairs, errors: &errors };
            meeting_page(state, user, meeting, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, MEETINGS_NAV, e.into()).await,
    }
}

pub(super) async fn meeting_move(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MeetingId>,
) -> Response {
    if let Some(refused) = runners_only(&state, &user).await {
        return refused;
    }
    let mut errors = FieldErrors::default();
    let result = match wall_clock(&mut errors, &pairs, "date", "time") {
        Some(at) if errors.is_empty() => state.store().move_meeting(&user.actor, &id, at, state.now()).await,
        _ => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|()| format!("/moeder/{id}?status=flyttet"));
    after_meeting_post(&state, &user, &id, MeetingForm::Move, &pairs, result).await
}

pub(super) async fn meeting_cancel(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MeetingId>,
) -> Response {
    let reason = pair(&pairs, "reason").unwrap_or("");
    let result = state.store().cancel_meeting(&user.actor, &id, reason, state.now()).await;
    let result = result.map(|()| format!("/moeder/{id}?status=aflyst"));
    after_meeting_post(&state, &user, &id, MeetingForm::Cancel, &pairs, result).await
}

pub(super) async fn agenda_build(
    State(state): State<AppState>,
    PagePost { user, id, .. }: PagePost<MeetingId>,
) -> Response {
    let days = state.config().screening_working_days;
    match state.store().build_agenda(&user.actor, &id, days, state.now()).await {
        Ok(_) => see_other(&format!("/moeder/{id}?status=dannet#dagsorden")),
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    }
}

pub(super) async fn agenda_publish(
    State(state): State<AppState>,
    PagePost { user, id, .. }: PagePost<MeetingId>,
) -> Response {
    match state.store().publish_agenda(&user.actor, &id, state.now()).await {
        Ok(()) => {
            state.notify_meeting(&user.actor, &id, "agenda").await;
            see_other(&format!("/moeder/{id}?status=offentliggjort"))
        }
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    }
}

pub(super) async fn agenda_add_item(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MeetingId>,
) -> Response {
    let title = pair(&pairs, "title").unwrap_or("");
    let result = state.store().add_free_item(&user.actor, &id, title, state.now()).await;
    let result = result.map(|item| format!("/moeder/{id}?status=punkt#punkt-{item}"));
    after_meeting_post(&state, &user, &id, MeetingForm::FreeItem, &pairs, result).await
}

/// The meeting an item post returns to, or the bad-request page.
async fn item_meeting(state: &AppState, user: &WebUser, pairs: &[(String, String)]) -> Result<MeetingId, Response> {
    match meeting_field(pairs) {
        Some(meeting) => Ok(meeting),
        None => Err(error_page(state, user, MEETINGS_NAV, ApiError::Malformed).await),
    }
}

async fn item_move(
    state: AppState,
    user: WebUser,
    id: AgendaItemId,
    pairs: Vec<(String, String)>,
    up: bool,
) -> Response {
    let meeting = match item_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    match state.store().move_item(&user.actor, &id, up, state.now()).await {
        Ok(()) => see_other(&format!("/moeder/{meeting}?status=punkt-flyttet#punkt-{id}")),
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    }
}

pub(super) async fn item_up(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AgendaItemId>,
) -> Response {
    item_move(state, user, id, pairs, true).await
}

pub(super) async fn item_down(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AgendaItemId>,
) -> Response {
    item_move(state, user, id, pairs, false).await
}

async fn item_status(
    state: AppState,
    user: WebUser,
    id: AgendaItemId,
    pairs: Vec<(String, String)>,
    postpone: bool,
) -> Response {
    let meeting = match item_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    let reason = pair(&pairs, "reason").unwrap_or("");
    let result = state.store().set_item_status(&user.actor, &id, postpone, reason, state.now()).await;
    let done = if postpone { "udsat" } else { "fjernet" };
    let result = result.map(|()| format!("/moeder/{meeting}?status={done}#punkt-{id}"));
    after_meeting_post(&state, &user, &meeting, MeetingForm::ItemStatus(id.as_str()), &pairs, result).await
}

pub(super) async fn item_postpone(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AgendaItemId>,
) -> Response {
    item_status(state, user, id, pairs, true).await
}

pub(super) async fn item_remove(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AgendaItemId>,
) -> Response {
    item_status(state, user, id, pairs, false).await
}

pub(super) async fn item_disclose(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AgendaItemId>,
) -> Response {
    let meeting = match item_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    if let Some(refused) = runners_only(&state, &user).await {
        return refused;
    }
    let mut errors = FieldErrors::default();
    let to = chosen_agency(&mut errors, "to_agency", pair(&pairs, "to_agency"));
    let basis = pair(&pairs, "legal_basis").map(str::trim).filter(|b| !b.is_empty());
    if basis.is_none() {
        errors.push("legal_basis", "required");
    }
    let purpose = pair(&pairs, "purpose").unwrap_or("");
    if purpose.trim().is_empty() {
        errors.push("purpose", "required");
    }
    let result = match (to, basis) {
        (Some(to), Some(basis)) if errors.is_empty() => {
            state.store().disclose_in_meeting(&user.actor, &id, &to, basis, purpose, state.now()).await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|_| format!("/moeder/{meeting}?status=videregivet#punkt-{id}"));
    after_meeting_post(&state, &user, &meeting, MeetingForm::Disclose(id.as_str()), &pairs, result).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn every_reason_status_and_age_band_reads_in_danish() {
        let mut keys: Vec<String> = Reason::ALL.iter().map(|r| format!("agenda_reason.{}", r.as_str())).collect();
        for band in ["under_15", "15_17", "18_24", "25_34", "35_plus", "unknown"] {
            keys.push(format!("age_band.{band}"));
        }
        for status in ["planned", "cancelled", "held"] {
            keys.push(format!("meeting_status.{status}"));
        }
        for status in ["none", "draft", "published"] {
            keys.push(format!("agenda_status.{status}"));
        }
        for status in ["draft", "approved"] {
            keys.push(format!("minutes_status.{status}"));
        }
        for code in ["invalid_time", "invalid_number"] {
            keys.push(format!("field_error.{code}"));
        }
        let missing: Vec<_> = keys.iter().filter(|k| !t().has(k)).collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
    }

    #[test]
    fn reasons_carry_their_date_the_danish_way() {
        let reason = |reason, date| ItemReason { reason, date, reference: None };
        assert_eq!(
            reason_text(&reason(Reason::ScreeningOverdue, Some(date!(2026 - 11 - 19)))),
            "Visitationsfristen overskredet 19.11.2026"
        );
        assert_eq!(
            reason_text(&reason(Reason::ReleaseSoon, Some(date!(2027 - 01 - 10)))),
            "Forventet løsladelse 10.01.2027"
        );
        assert_eq!(reason_text(&reason(Reason::Postponed, Some(date!(2026 - 11 - 24)))), "Udsat fra mødet 24.11.2026");
        assert_eq!(reason_text(&reason(Reason::ActionItemOpen, Some(date!(2026 - 12 - 20)))), "Åbent handlingspunkt");
    }

    #[test]
    fn clock_times_parse_strictly() {
        assert_eq!(parse_clock("09:00"), Some(time::macros::time!(9:00)));
        assert_eq!(parse_clock("9.30"), Some(time::macros::time!(9:30)));
        assert_eq!(parse_clock("13:45:00"), Some(time::macros::time!(13:45)));
        for bad in ["", "24:00", "9", "09:5", "ab:cd", "09:60", "+9:+5", "+9:05", "09:+5", "-1:00"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_meeting_reads_with_its_span() {
        let m = MeetingSummary {
            id: MeetingId::parse("m1").unwrap(),
            series_id: None,
            name: String::new(),
            planned_start: datetime!(2026-11-24 09:00),
            starts_at: datetime!(2026-11-24 09:00),
            duration_minutes: 90,
            cutoff_at: datetime!(2026-11-23 12:00),
            location: None,
            video_link: None,
            status: "planned".into(),
            cancel_reason: None,
            sequence: 0,
            agenda_status: "none".into(),
        };
        assert_eq!(meeting_heading(&m), "Koordineringsmøde 24.11.2026 kl. 09.00");
        assert_eq!(meeting_when(&m), "24.11.2026 kl. 09.00–10.30");
    }
}
