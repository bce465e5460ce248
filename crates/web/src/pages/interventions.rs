//! The intervention page: what, who, goals, review date, status, outcome and the session
//! log; logging a session, updating status, review date and outcome, and disclosing it.
//! A mentor reaches only the interventions they are responsible for, never the case.

use super::*;
use infohus_domain::casework::InterventionStatus;
use infohus_store::{InterventionUpdate, InterventionView};

pub(super) struct InterventionHead {
    id: String,
    kind: String,
    owner: String,
    responsible: String,
    person: Option<String>,
    case_id: Option<String>,
    start: String,
    review: String,
    review_overdue: bool,
    status: String,
    ended: Option<String>,
    tags: Vec<String>,
    /// `None` when the viewer may not read the content (another agency's, not disclosed).
    goals: Option<Vec<String>>,
    outcome: Option<Vec<String>>,
}

pub(super) struct SessionRow {
    held_on: String,
    minutes: i64,
    note: Vec<String>,
    by: String,
}

pub(super) struct SessionForm {
    held_on: Field,
    minutes: Field,
    note: Field,
}

pub(super) struct UpdateForm {
    status: Field,
    review_on: Field,
    outcome: Field,
}

#[derive(Template)]
#[template(path = "intervention.html")]
pub(super) struct InterventionPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    i: InterventionHead,
    sessions: Vec<SessionRow>,
    session_form: Option<SessionForm>,
    update_form: Option<UpdateForm>,
    disclose: Option<DiscloseForm>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum InterventionPageForm {
    Session,
    Update,
    Disclose,
}

pub(super) struct InterventionRejected<'a> {
    form: InterventionPageForm,
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

fn head(
    view: &InterventionView,
    user: &WebUser,
    types: &[InterventionType],
    users: &[UserSummary],
    today: Date,
) -> InterventionHead {
    let mentor = user.actor.role() == Role::Mentor;
    InterventionHead {
        id: view.id.as_str().to_owned(),
        kind: intervention_kind_label(types, &view.kind),
        owner: view.owner_agency.name.clone(),
        responsible: user_name(users, &view.responsible),
        person: view.person_name.as_ref().map(|n| n.expose().clone()),
        case_id: (!mentor).then(|| view.case_id.as_str().to_owned()),
        start: da_date(view.start_on),
        review: da_date(view.review_on),
        review_overdue: running(view.status) && view.review_on < today,
        status: t().label("intervention_status", view.status.as_str()),
        ended: view.ended_on.map(da_date),
        tags: view.sensitivity.tags().iter().map(|s| t().label("sensitivity", s.as_str())).collect(),
        goals: view.goals.as_ref().map(|g| paragraphs(g.expose())),
        outcome: view.outcome.as_ref().map(|o| paragraphs(o.expose())),
    }
}

pub(super) async fn intervention_page(
    state: &AppState,
    user: &WebUser,
    id: &InterventionId,
    status: Option<&str>,
    rejected: Option<InterventionRejected<'_>>,
) -> Response {
    let active = if user.actor.role() == Role::Mentor { "/mit-arbejde" } else { "/indbakke" };
    let view = match state.store().intervention(&user.actor, id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let infohus = user.actor.infohus();
    let lists = async {
        Ok::<_, StoreError>((
            state.store().agencies(infohus).await?,
            state.store().legal_bases().await?,
            state.store().active_users(infohus).await?,
            state.store().intervention_types().await?,
        ))
    };
    let (agencies, bases, users, types) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let today = state.today();
    let rejected = rejected.as_ref();
    let input_for = |form: InterventionPageForm| match rejected {
        Some(r) if r.form == form => Input::new(r.values, r.errors),
        _ => Input::NONE,
    };
    let works = view.may_work && running(view.status);
    let session_form = works.then(|| {
        let input = input_for(InterventionPageForm::Session);
        SessionForm {
            held_on: Field::new("session-date", "held_on", "intervention.session_date", input, &iso_date(today))
                .hint("form.date_hint")
                .required(),
            minutes: Field::new("session-minutes", "minutes", "intervention.session_minutes", input, "")
                .hint("intervention.session_minutes_hint")
                .required(),
            note: Field::new("session-note", "note", "intervention.session_note", input, "")
                .hint("intervention.session_note_hint")
                .required(),
        }
    });
    let update_form = works.then(|| {
        let input = input_for(InterventionPageForm::Update);
        let statuses = InterventionStatus::ALL
            .iter()
            .map(|s| Opt {
                value: s.as_str().to_owned(),
                label: t().label("intervention_status", s.as_str()),
                selected: false,
            })
            .collect();
        UpdateForm {
            status: Field::new("update-status", "status", "intervention.status", input, view.status.as_str())
                .options(statuses),
            review_on: Field::new(
                "update-review",
                "review_on",
                "intervention.review",
                input,
                &iso_date(view.review_on),
            )
            .hint("form.date_hint"),
            outcome: Field::new("update-outcome", "outcome", "intervention.outcome", input, "")
                .hint("intervention.outcome_hint"),
        }
    });
    let viewer = user.actor.viewer();
    let owner =
        view.owner_agency.id == viewer.agency.as_str() && matches!(viewer.role, Role::Coordinator | Role::Member);
    let disclose = (owner && view.goals.is_some())
        .then(|| {
            let shown =
                rejected.filter(|r| r.form == InterventionPageForm::Disclose).map(|r| Input::new(r.values, r.errors));
            let record = Disclosable {
                action: format!("/indsatser/{}/videregiv", view.id),
                prefix: "disclose".to_owned(),
                heading_key: "intervention.disclose_heading",
                submit_key: "intervention.disclose_submit",
                case_id: None,
                owner_agency_id: &view.owner_agency.id,
                disclosed_to: &view.disclosed_to,
                sensitivity: &view.sensitivity,
            };
            disclose_form(record, &agencies, &bases, shown)
        })
        .flatten();
    let errors = match rejected.map(|r| r.form) {
        Some(InterventionPageForm::Session) => {
            session_form.as_ref().map(|f| field_links(&[&f.held_on, &f.minutes, &f.note])).unwrap_or_default()
        }
        Some(InterventionPageForm::Update) => {
            update_form.as_ref().map(|f| field_links(&[&f.status, &f.review_on, &f.outcome])).unwrap_or_default()
        }
        Some(InterventionPageForm::Disclose) => {
            rejected.map(|r| disclose_error_links("disclose", r.errors)).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let notice = notice_for(
        status,
        &[
            ("oprettet", "intervention.created"),
            ("samtale", "intervention.session_logged"),
            ("opdateret", "intervention.updated"),
            ("videregivet", "intervention.disclosed"),
        ],
    );
    let page = InterventionPage {
        t: t(),
        title: t().get("intervention.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice,
        errors,
        i: head(&view, user, &types, &users, today),
        sessions: view
            .sessions
            .iter()
            .map(|s| SessionRow {
                held_on: da_date(s.held_on),
                minutes: s.minutes,
                note: paragraphs(s.note.expose()),
                by: user_name(&users, &s.logged_by),
            })
            .collect(),
        session_form,
        update_form,
        disclose,
        user: Some(user_bar(user, active)),
    };
    let code = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(code, &page)
}

pub(super) async fn intervention(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path_id::<InterventionId>(path) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    intervention_page(&state, &user, &id, status_param(raw.as_deref()).as_deref(), None).await
}

async fn after_intervention_post(
    state: &AppState,
    user: &WebUser,
    id: &InterventionId,
    form: InterventionPageForm,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = InterventionRejected { form, values: pairs, errors: &errors };
            intervention_page(state, user, id, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, "/indbakke", e.into()).await,
    }
}

pub(super) async fn log_session(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<InterventionId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let held_on = required_date(&mut errors, "held_on", pair(&pairs, "held_on"));
    let minutes = match pair(&pairs, "minutes").map(str::trim).filter(|m| !m.is_empty()) {
        None => {
            errors.push("minutes", "required");
            None
        }
        Some(raw) => raw.parse::<i64>().ok().or_else(|| {
            errors.push("minutes", "invalid_type");
            None
        }),
    };
    let note = pair(&pairs, "note").unwrap_or("");
    if note.trim().is_empty() {
        errors.push("note", "required");
    }
    let result = match (held_on, minutes) {
        (Some(held_on), Some(minutes)) if errors.is_empty() => state
            .store()
            .log_session(&user.actor, &id, held_on, minutes, note, state.today(), state.now())
            .await
            .map(|_| format!("/indsatser/{id}?status=samtale")),
        _ => Err(StoreError::Invalid(errors)),
    };
    after_intervention_post(&state, &user, &id, InterventionPageForm::Session, &pairs, result).await
}

pub(super) async fn update_intervention(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<InterventionId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let status = pair(&pairs, "status").map(str::trim).filter(|s| !s.is_empty()).and_then(|raw| {
        InterventionStatus::parse(raw).or_else(|| {
            errors.push("status", "invalid_choice");
            None
        })
    });
    let review_on = optional_date(&mut errors, "review_on", pair(&pairs, "review_on"));
    let outcome = pair(&pairs, "outcome").filter(|o| !o.trim().is_empty()).map(str::to_owned);
    if status == Some(InterventionStatus::Ended) && outcome.is_none() {
        errors.push("outcome", "required");
    }
    let result = if errors.is_empty() {
        let update = InterventionUpdate { status, review_on, outcome };
        state.store().update_intervention(&user.actor, &id, update, state.now()).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    let result = result.map(|()| format!("/indsatser/{id}?status=opdateret"));
    after_intervention_post(&state, &user, &id, InterventionPageForm::Update, &pairs, result).await
}

pub(super) async fn disclose_intervention(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<InterventionId>,
) -> Response {
    let result = disclose_record(&state, &user, RecordKind::Intervention, id.as_str(), &pairs).await;
    let result = result.map(|()| format!("/indsatser/{id}?status=videregivet"));
    after_intervention_post(&state, &user, &id, InterventionPageForm::Disclose, &pairs, result).await
}
