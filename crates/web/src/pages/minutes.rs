//! A meeting's minutes page: the coordinators start, write (attendance, per agenda item what
//! was discussed and decided), add action items to case items, approve and correct them;
//! participants read the approved minutes, an item's text only where the store gives it.

use super::*;
use infohus_domain::{AgendaItemId, FieldError, MeetingId, MinutesId, Personal};
use infohus_store::{MeetingView, MinutesItemInput, MinutesView, NewTask, TaskView};

/// One agenda item in minutes as the viewer may read them.
pub(super) struct MinutesItem {
    pub(super) item: ItemText,
    pub(super) summary: Vec<String>,
    pub(super) decisions: Vec<String>,
    /// The item is about a case the viewer does not take part in: its text is not shown.
    pub(super) hidden: bool,
}

/// Minutes read-only: approved ones for everybody, a draft for the coordinators' print.
pub(super) struct MinutesRead {
    pub(super) version: String,
    pub(super) status: String,
    pub(super) correction: Option<String>,
    pub(super) approved: Option<String>,
    pub(super) attendance: String,
    pub(super) items: Vec<MinutesItem>,
}

pub(super) struct ActionRow {
    pub(super) title: String,
    pub(super) owner: String,
    pub(super) assignee: String,
    pub(super) due: String,
    pub(super) status: String,
}

pub(super) fn minutes_read(view: &MeetingView, minutes: &MinutesView) -> MinutesRead {
    let items = view
        .items
        .iter()
        .map(|item| {
            let text = minutes.items.iter().find(|m| m.agenda_item == item.id);
            let lines = |field: Option<&Personal<String>>| field.map(|t| paragraphs(t.expose())).unwrap_or_default();
            MinutesItem {
                summary: lines(text.and_then(|m| m.summary.as_ref())),
                decisions: lines(text.and_then(|m| m.decisions.as_ref())),
                hidden: item.neutral.is_some(),
                item: item_text(item),
            }
        })
        .collect();
    MinutesRead {
        version: t().format("minutes.version_value", &[("version", &minutes.version.to_string())]),
        status: code_label("minutes_status", &minutes.status),
        correction: correction_text(minutes),
        approved: match (&minutes.approved_by, minutes.approved_at) {
            (Some(by), Some(at)) => {
                Some(t().format("minutes.approved_value", &[("name", by), ("at", &da_datetime(at))]))
            }
            _ => None,
        },
        attendance: if minutes.attendance.is_empty() {
            t().get("minutes.attendance_none").to_owned()
        } else {
            minutes.attendance.join(", ")
        },
        items,
    }
}

/// "Retter version 1: …" for a correction.
fn correction_text(minutes: &MinutesView) -> Option<String> {
    minutes.correction_reason.as_ref().map(|reason| {
        let previous = minutes.version.saturating_sub(1).to_string();
        t().format("minutes.correction_value", &[("version", &previous), ("reason", reason)])
    })
}

/// The action items decided at the meeting on cases the viewer takes part in.
pub(super) fn action_rows(tasks: &[TaskView], users: &[UserSummary]) -> Vec<ActionRow> {
    tasks
        .iter()
        .map(|task| ActionRow {
            title: task.title.expose().clone(),
            owner: task.owner_agency.name.clone(),
            assignee: or_dash(task.assignee.as_deref().map(|a| user_name(users, a))),
            due: da_date(task.due_on),
            status: t().label("task_status", task.status.as_str()),
        })
        .collect()
}

/// "Punkt 3: videregivet til Psykiatrien (Retsplejeloven § 115 a)".
pub(super) fn disclosure_lines(disclosures: &[infohus_store::MeetingDisclosure]) -> Vec<String> {
    disclosures
        .iter()
        .map(|d| {
            t().format(
                "minutes.disclosure_line",
                &[("item", &d.item_position.to_string()), ("agency", &d.to_agency), ("basis", &d.legal_basis)],
            )
        })
        .collect()
}

// ---- the page ------------------------------------------------------------------------------

pub(super) struct MinutesItemForm {
    item: ItemText,
    summary: Field,
    decisions: Field,
}

pub(super) struct ActionForm {
    item: ItemText,
    summary: String,
    open: bool,
    title: Field,
    owner: Field,
    assignee: Field,
    due: Field,
}

pub(super) struct MinutesDraft {
    id: String,
    version: String,
    correction: Option<String>,
    attendance: Vec<Check>,
    attendance_error: Option<String>,
    items: Vec<MinutesItemForm>,
    actions: Vec<ActionForm>,
}

#[derive(Template)]
#[template(path = "minutes.html")]
pub(super) struct MinutesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    m: MeetingHead,
    /// Coordinators may start the minutes: the agenda is published and there are none.
    may_start: bool,
    /// What to say when there are no minutes to show.
    empty: Option<String>,
    draft: Option<MinutesDraft>,
    read: Option<MinutesRead>,
    action_items: Vec<ActionRow>,
    /// Disclosures made in the meeting, one sentence each (item number, agency, basis).
    disclosures: Vec<String>,
    /// Approved minutes the coordinator may correct: (minutes id, the reason field).
    correct: Option<(String, Field)>,
    /// Print and PDF links, once there are minutes to show.
    files: bool,
}

/// Which form on the minutes page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MinutesForm<'a> {
    Draft,
    Action(&'a str),
    Correct,
}

pub(super) struct MinutesRejected<'a> {
    form: MinutesForm<'a>,
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

fn input_of<'a>(rejected: Option<&MinutesRejected<'a>>, form: MinutesForm<'_>) -> Input<'a> {
    match rejected {
        Some(r) if r.form == form => Input::new(r.values, r.errors),
        _ => Input::NONE,
    }
}

fn minutes_notice(status: Option<&str>) -> Option<String> {
    notice_for(
        status,
        &[
            ("paabegyndt", "minutes.started"),
            ("gemt", "minutes.saved"),
            ("handlingspunkt", "minutes.action_added"),
            ("godkendt", "minutes.approved"),
            ("rettelse", "minutes.correction_created"),
        ],
    )
}

/// The stored draft as the form's fields, so a fresh form and a rejected one render alike.
fn draft_pairs(minutes: &MinutesView, users: &[UserSummary]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = users
        .iter()
        .filter(|u| minutes.attendance.contains(&u.display_name))
        .map(|u| ("attendance".to_owned(), u.username.clone()))
        .collect();
    for item in &minutes.items {
        let text = |field: Option<&Personal<String>>| field.map(|t| t.expose().clone()).unwrap_or_default();
        pairs.push((format!("summary.{}", item.agenda_item), text(item.summary.as_ref())));
        pairs.push((format!("decisions.{}", item.agenda_item), text(item.decisions.as_ref())));
    }
    // A non-empty form, so `Input::sent` holds and the stored values are shown.
    pairs.push(("minutes".to_owned(), minutes.id.as_str().to_owned()));
    pairs
}

struct DraftContext<'a> {
    view: &'a MeetingView,
    minutes: &'a MinutesView,
    agencies: &'a [Agency],
    users: &'a [UserSummary],
}

fn minutes_draft(ctx: &DraftContext<'_>, rejected: Option<&MinutesRejected<'_>>) -> MinutesDraft {
    let stored = draft_pairs(ctx.minutes, ctx.users);
    let input = match rejected {
        Some(r) if r.form == MinutesForm::Draft => Input::new(r.values, r.errors),
        _ => Input::new(&stored, &NO_ERRORS),
    };
    // Those who may have been there: the series' agencies, the secretariat, and anyone
    // already recorded as present.
    let participating: Vec<&str> =
        ctx.view.series.iter().flat_map(|s| s.participants.iter().map(|(agency, _)| agency.as_str())).collect();
    let present: Vec<&str> = pairs_all(input.values, "attendance").collect();
    let attendance = ctx
        .users
        .iter()
        .filter(|u| matches!(u.role, Role::Coordinator | Role::Member))
        .filter(|u| {
            participating.is_empty()
                || u.role == Role::Coordinator
                || participating.contains(&agency_name(ctx.agencies, &u.agency_code).as_str())
                || present.contains(&u.username.as_str())
        })
        .map(|u| Check {
            id: format!("attendance-{}", u.username),
            value: u.username.clone(),
            label: t().format(
                "case.user_option",
                &[("name", &u.display_name), ("agency", &agency_name(ctx.agencies, &u.agency_code))],
            ),
            checked: present.contains(&u.username.as_str()),
        })
        .collect();
    let items = ctx
        .view
        .items
        .iter()
        .filter(|i| i.status == "on_agenda")
        .map(|i| {
            let text = item_text(i);
            let id = i.id.as_str();
            let mut summary =
                Field::new(&format!("m-{id}-summary"), &format!("summary.{id}"), "minutes.summary", input, "");
            summary.label = t().format("minutes.summary_label", &[("number", &text.number)]);
            let mut decisions =
                Field::new(&format!("m-{id}-decisions"), &format!("decisions.{id}"), "minutes.decisions", input, "");
            decisions.label = t().format("minutes.decisions_label", &[("number", &text.number)]);
            MinutesItemForm { item: text, summary, decisions }
        })
        .collect();
    let owners = with_blank(ctx.agencies.iter().map(|a| agency_option(a, None)).collect());
    let assignees: Vec<Opt> = with_blank(
        ctx.users
            .iter()
            .filter(|u| matches!(u.role, Role::Coordinator | Role::Member))
            .map(|u| Opt {
                value: u.username.clone(),
                label: t().format(
                    "case.user_option",
                    &[("name", &u.display_name), ("agency", &agency_name(ctx.agencies, &u.agency_code))],
                ),
                selected: false,
            })
            .collect(),
    );
    let actions = ctx
        .view
        .items
        .iter()
        .filter(|i| i.status == "on_agenda" && i.kind == "case")
        .map(|i| {
            let text = item_text(i);
            let id = i.id.as_str();
            let input = input_of(rejected, MinutesForm::Action(id));
            ActionForm {
                summary: t().format("minutes.action_new", &[("number", &text.number)]),
                open: input.sent(),
                title: Field::new(&format!("a-{id}-title"), "title", "minutes.action_title", input, "").required(),
                owner: Field::new(&format!("a-{id}-owner"), "owner_agency", "minutes.action_owner", input, "")
                    .hint("minutes.action_owner_hint")
                    .required()
                    .errors_of(input, &["agency"])
                    .options(
                        owners
                            .iter()
                            .map(|o| Opt { value: o.value.clone(), label: o.label.clone(), selected: false })
                            .collect(),
                    ),
                assignee: Field::new(&format!("a-{id}-assignee"), "assignee", "minutes.action_assignee", input, "")
                    .hint("case.task_assignee_hint")
                    .options(
                        assignees
                            .iter()
                            .map(|o| Opt { value: o.value.clone(), label: o.label.clone(), selected: false })
                            .collect(),
                    ),
                due: Field::new(&format!("a-{id}-due"), "due_on", "minutes.action_due", input, "")
                    .hint("form.date_hint")
                    .required(),
                item: text,
            }
        })
        .collect();
    MinutesDraft {
        id: ctx.minutes.id.as_str().to_owned(),
        version: t().format("minutes.version_value", &[("version", &ctx.minutes.version.to_string())]),
        correction: correction_text(ctx.minutes),
        attendance,
        attendance_error: input.error(&["attendance"]),
        items,
        actions,
    }
}

impl MinutesDraft {
    fn error_links(&self, form: MinutesForm<'_>) -> Vec<ErrorLink> {
        match form {
            MinutesForm::Draft => {
                let mut links = Vec::new();
                if let (Some(message), Some(first)) = (&self.attendance_error, self.attendance.first()) {
                    links.push(ErrorLink {
                        anchor: first.id.clone(),
                        label: t().get("minutes.attendance").to_owned(),
                        message: message.clone(),
                    });
                }
                for item in &self.items {
                    links.extend(field_links(&[&item.summary, &item.decisions]));
                }
                links
            }
            MinutesForm::Action(id) => self
                .actions
                .iter()
                .filter(|a| a.item.id == id)
                .flat_map(|a| field_links(&[&a.title, &a.owner, &a.assignee, &a.due]))
                .collect(),
            MinutesForm::Correct => Vec::new(),
        }
    }
}

pub(super) async fn minutes_page(
    state: &AppState,
    user: &WebUser,
    meeting: &MeetingId,
    status: Option<&str>,
    rejected: Option<MinutesRejected<'_>>,
) -> Response {
    let active = MEETINGS_NAV;
    let store = state.store();
    let view = match store.meeting(&user.actor, meeting, state.today(), state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let minutes = match store.minutes(&user.actor, meeting, state.now()).await {
        Ok(minutes) => minutes,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let infohus = user.actor.infohus();
    let (agencies, users) = match (store.agencies(infohus).await, store.active_users(infohus).await) {
        (Ok(agencies), Ok(users)) => (agencies, users),
        (Err(e), _) | (_, Err(e)) => return error_page(state, user, active, e.into()).await,
    };
    let runner = user.actor.viewer().may_run_meetings();
    let rejected = rejected.as_ref();
    let head = meeting_head(&view);
    let draft = minutes.as_ref().filter(|m| runner && m.status == "draft").map(|m| {
        let ctx = DraftContext { view: &view, minutes: m, agencies: &agencies, users: &users };
        minutes_draft(&ctx, rejected)
    });
    let read = minutes.as_ref().filter(|m| m.status == "approved").map(|m| minutes_read(&view, m));
    let correct = minutes.as_ref().filter(|m| runner && m.status == "approved").map(|m| {
        let input = input_of(rejected, MinutesForm::Correct);
        let reason = Field::new("correct-reason", "reason", "minutes.correct_reason", input, "")
            .hint("minutes.correct_reason_hint")
            .required();
        (m.id.as_str().to_owned(), reason)
    });
    let errors = match rejected.map(|r| r.form) {
        Some(MinutesForm::Correct) => correct.as_ref().map(|(_, f)| field_links(&[f])).unwrap_or_default(),
        Some(form) => draft.as_ref().map(|d| d.error_links(form)).unwrap_or_default(),
        None => Vec::new(),
    };
    let may_start = runner && minutes.is_none() && head.published;
    let empty = match &minutes {
        Some(_) => None,
        None if may_start => None,
        None if runner => Some(t().get("minutes.not_ready").to_owned()),
        None => Some(t().get("minutes.none_yet").to_owned()),
    };
    let page = MinutesPage {
        t: t(),
        title: t().get("minutes.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice: minutes_notice(status),
        errors,
        may_start,
        empty,
        draft,
        read,
        action_items: minutes.as_ref().map(|m| action_rows(&m.action_items, &users)).unwrap_or_default(),
        disclosures: minutes.as_ref().map(|m| disclosure_lines(&m.disclosures)).unwrap_or_default(),
        correct,
        files: minutes.is_some(),
        m: head,
        user: Some(user_bar(user, active)),
    };
    let code = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(code, &page)
}

pub(super) async fn minutes_get(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path_id::<MeetingId>(path) else {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::NotFound).await;
    };
    minutes_page(&state, &user, &id, status_param(raw.as_deref()).as_deref(), None).await
}

pub(super) async fn minutes_start(
    State(state): State<AppState>,
    PagePost { user, id, .. }: PagePost<MeetingId>,
) -> Response {
    match state.store().start_minutes(&user.actor, &id, state.now()).await {
        Ok(_) => see_other(&format!("/moeder/{id}/referat?status=paabegyndt")),
        Err(e) => error_page(&state, &user, MEETINGS_NAV, e.into()).await,
    }
}

async fn after_minutes_post(
    state: &AppState,
    user: &WebUser,
    meeting: &MeetingId,
    form: MinutesForm<'_>,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = MinutesRejected { form, values: pairs, errors: &errors };
            minutes_page(state, user, meeting, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, MEETINGS_NAV, e.into()).await,
    }
}

/// Most agenda items and attendees one form may carry.
const MAX_POSTED: usize = 500;

/// The items of a posted minutes form, in the order of the form.
fn posted_items(pairs: &[(String, String)]) -> Vec<MinutesItemInput> {
    pairs
        .iter()
        .filter_map(|(name, summary)| {
            let item = AgendaItemId::parse(name.strip_prefix("summary.")?)?;
            let decisions = pair(pairs, &format!("decisions.{item}")).unwrap_or("").to_owned();
            Some(MinutesItemInput { agenda_item: item, summary: summary.clone(), decisions })
        })
        .take(MAX_POSTED)
        .collect()
}

/// The store names an item's field by its place in the list (`items[2].summary`); the form
/// by the item (`summary.<id>`).
fn item_errors(errors: FieldErrors, items: &[MinutesItemInput]) -> FieldErrors {
    let rename = |field: &str| -> Option<String> {
        let (index, column) = field.strip_prefix("items[")?.split_once("].")?;
        let item = items.get(index.parse::<usize>().ok()?)?;
        Some(format!("{column}.{}", item.agenda_item))
    };
    FieldErrors(
        errors.0.into_iter().map(|e| FieldError { field: rename(&e.field).unwrap_or(e.field), code: e.code }).collect(),
    )
}

/// Saves the minutes as the form shows them.
async fn save_posted(
    state: &AppState,
    user: &WebUser,
    id: &MinutesId,
    pairs: &[(String, String)],
) -> Result<(), StoreError> {
    let items = posted_items(pairs);
    let attendance: Vec<String> = pairs_all(pairs, "attendance").take(MAX_POSTED).map(str::to_owned).collect();
    match state.store().save_minutes(&user.actor, id, &attendance, items.clone(), state.now()).await {
        Err(StoreError::Invalid(errors)) => Err(StoreError::Invalid(item_errors(errors, &items))),
        other => other,
    }
}

/// The meeting a minutes post returns to, or the bad-request page.
async fn minutes_meeting(state: &AppState, user: &WebUser, pairs: &[(String, String)]) -> Result<MeetingId, Response> {
    match meeting_field(pairs) {
        Some(meeting) => Ok(meeting),
        None => Err(error_page(state, user, MEETINGS_NAV, ApiError::Malformed).await),
    }
}

pub(super) async fn minutes_save(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MinutesId>,
) -> Response {
    let meeting = match minutes_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    let result =
        save_posted(&state, &user, &id, &pairs).await.map(|()| format!("/moeder/{meeting}/referat?status=gemt"));
    after_minutes_post(&state, &user, &meeting, MinutesForm::Draft, &pairs, result).await
}

/// Approves the minutes as the form shows them: saved first, so nothing typed is lost.
pub(super) async fn minutes_approve(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MinutesId>,
) -> Response {
    let meeting = match minutes_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    let result = match save_posted(&state, &user, &id, &pairs).await {
        Ok(()) => state.store().approve_minutes(&user.actor, &id, state.now()).await,
        Err(e) => Err(e),
    };
    // As the API does: the participants hear (without content) that the minutes are ready.
    if result.is_ok()
        && let Ok(approved) = state.store().meeting_of_minutes(&user.actor, &id).await
    {
        state.notify_meeting(&user.actor, &approved, "minutes").await;
    }
    let result = result.map(|()| format!("/moeder/{meeting}/referat?status=godkendt"));
    after_minutes_post(&state, &user, &meeting, MinutesForm::Draft, &pairs, result).await
}

pub(super) async fn minutes_correct(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MinutesId>,
) -> Response {
    let meeting = match minutes_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    let reason = pair(&pairs, "reason").unwrap_or("");
    let result = state.store().correct_minutes(&user.actor, &id, reason, state.now()).await;
    let result = result.map(|_| format!("/moeder/{meeting}/referat?status=rettelse"));
    after_minutes_post(&state, &user, &meeting, MinutesForm::Correct, &pairs, result).await
}

pub(super) async fn minutes_action_item(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<MinutesId>,
) -> Response {
    let meeting = match minutes_meeting(&state, &user, &pairs).await {
        Ok(meeting) => meeting,
        Err(response) => return response,
    };
    let Some(item) = pair(&pairs, "agenda_item").and_then(AgendaItemId::parse) else {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::Malformed).await;
    };
    if !user.actor.viewer().may_run_meetings() {
        return error_page(&state, &user, MEETINGS_NAV, ApiError::Forbidden).await;
    }
    let mut errors = FieldErrors::default();
    let title = pair(&pairs, "title").unwrap_or("");
    if title.trim().is_empty() {
        errors.push("title", "required");
    }
    let owner = chosen_agency(&mut errors, "owner_agency", pair(&pairs, "owner_agency"));
    let assignee = pair(&pairs, "assignee").map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
    let due_on = required_date(&mut errors, "due_on", pair(&pairs, "due_on"));
    let result = match (owner, due_on) {
        (Some(owner_agency), Some(due_on)) if errors.is_empty() => {
            let task = NewTask { title: title.to_owned(), owner_agency, assignee, due_on };
            state.store().add_action_item(&user.actor, &id, &item, task, state.now()).await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|_| format!("/moeder/{meeting}/referat?status=handlingspunkt#handlingspunkter"));
    after_minutes_post(&state, &user, &meeting, MinutesForm::Action(item.as_str()), &pairs, result).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_errors_are_named_by_the_item() {
        let items = vec![
            MinutesItemInput {
                agenda_item: AgendaItemId::parse("a1").unwrap(),
                summary: String::new(),
                decisions: String::new(),
            },
            MinutesItemInput {
                agenda_item: AgendaItemId::parse("b2").unwrap(),
                summary: String::new(),
                decisions: String::new(),
            },
        ];
        let mut errors = FieldErrors::default();
        errors.push("items[1].decisions", "too_long");
        errors.push("attendance", "unknown_user");
        let fields: Vec<String> = item_errors(errors, &items).0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["decisions.b2", "attendance"]);
    }

    #[test]
    fn posted_items_pair_each_summary_with_its_decisions() {
        let pairs: Vec<(String, String)> = [
            ("csrf", "x"),
            ("attendance", "politi"),
            ("summary.a1", "Drøftet"),
            ("decisions.a1", "Besluttet"),
            ("summary.b2", ""),
            ("summary.not an id", "x"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let items = posted_items(&pairs);
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].summary.as_str(), items[0].decisions.as_str()), ("Drøftet", "Besluttet"));
        assert_eq!(items[1].agenda_item.as_str(), "b2");
    }
}
