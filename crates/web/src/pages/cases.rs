//! The case page: participating agencies, the notes the viewer may read, writing and
//! disclosing notes, the case's course (sections in `casework.rs`), and break glass.

use super::*;
use infohus_domain::casework::CaseStatus;

pub(super) struct CaseDetail {
    id: String,
    referral_id: String,
    person_id: String,
    status: String,
    closed: bool,
    /// "Lukket 01.02.2026: Målene er nået".
    closed_text: Option<String>,
    opened: String,
    lead: String,
    agencies: Vec<String>,
    release_on: Option<String>,
    break_glass: bool,
}

pub(super) struct NoteRow {
    id: String,
    owner: String,
    author: String,
    created: String,
    tags: Vec<String>,
    paragraphs: Vec<String>,
    is_owner: bool,
    disclosed_to: Vec<String>,
    disclose: Option<DiscloseForm>,
}

pub(super) struct NoteForm {
    body: String,
    body_error: Option<String>,
    tags: Vec<Check>,
    tags_error: Option<String>,
}

pub(super) struct AddAgencyForm {
    options: Vec<Opt>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(super) struct CasePage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    c: CaseDetail,
    notes: Vec<NoteRow>,
    note_form: Option<NoteForm>,
    add_agency: Option<AddAgencyForm>,
    assessments: Vec<AssessmentRow>,
    interventions: Vec<InterventionRow>,
    tasks: Vec<TaskRow>,
    timeline: Vec<TimelineRow>,
    forms: CourseForms,
}

/// Which form on the case page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CaseForm<'a> {
    Note,
    Agency,
    Disclose(&'a str),
    Lead,
    StartAssessment,
    Intervention,
    Task,
    Release,
    Close,
    Reopen,
    Flag,
}

/// A rejected form, shown again with its values and errors.
pub(super) struct Rejected<'a> {
    pub(super) form: CaseForm<'a>,
    pub(super) values: &'a [(String, String)],
    pub(super) errors: &'a FieldErrors,
}

pub(super) const NOTE_ERRORS: &[(&str, &str, &[&str])] =
    &[("note-body", "case.note_body", &["body"]), ("sensitivity-health", "case.note_sensitivity", &["sensitivity"])];
pub(super) const AGENCY_ERRORS: &[(&str, &str, &[&str])] = &[("add-agency", "case.add_agency_label", &["agency"])];

pub(super) fn case_notice(status: Option<&str>) -> Option<String> {
    notice_for(
        status,
        &[
            ("oprettet", "case.created"),
            ("notat", "case.note_added"),
            ("videregivet", "case.disclosed"),
            ("myndighed", "case.agency_added"),
            ("noedadgang", "case.break_glass_granted"),
            ("tovholder", "case.lead_changed"),
            ("opgave", "case.task_added"),
            ("opgave-udfoert", "case.task_done"),
            ("loesladelse", "case.release_recorded"),
            ("lukket", "case.closed"),
            ("genaabnet", "case.reopened"),
            ("droeftes", "flag.flagged"),
        ],
    )
}

pub(super) fn agency_name(agencies: &[Agency], code: &str) -> String {
    agencies.iter().find(|a| a.code == code).map(|a| a.name.clone()).unwrap_or_else(|| code.to_owned())
}

pub(super) fn agency_option(a: &Agency, selected: Option<&str>) -> Opt {
    Opt { value: a.code.clone(), label: a.name.clone(), selected: selected == Some(a.code.as_str()) }
}

pub(super) fn note_row(
    note: &infohus_store::NoteView,
    case_id: &CaseId,
    viewer_agency: &str,
    may_write: bool,
    agencies: &[Agency],
    bases: &[LegalBasis],
    rejected: Option<&Rejected<'_>>,
) -> NoteRow {
    let is_owner = note.owner_agency.id == viewer_agency;
    let disclose = (is_owner && may_write)
        .then(|| {
            let shown = rejected
                .filter(|r| r.form == CaseForm::Disclose(note.id.as_str()))
                .map(|r| Input::new(r.values, r.errors));
            let record = Disclosable {
                action: format!("/notater/{}/videregiv", note.id),
                prefix: format!("d-{}", note.id),
                heading_key: "case.disclose_heading",
                submit_key: "case.disclose_submit",
                case_id: Some(case_id.as_str().to_owned()),
                owner_agency_id: &note.owner_agency.id,
                disclosed_to: &note.disclosed_to,
                sensitivity: &note.sensitivity,
            };
            disclose_form(record, agencies, bases, shown)
        })
        .flatten();
    NoteRow {
        id: note.id.as_str().to_owned(),
        owner: note.owner_agency.name.clone(),
        author: note.author.clone(),
        created: da_datetime(note.created_at),
        tags: note.sensitivity.tags().iter().map(|s| t().label("sensitivity", s.as_str())).collect(),
        paragraphs: paragraphs(note.body.expose()),
        is_owner,
        disclosed_to: note.disclosed_to.iter().map(|code| agency_name(agencies, code)).collect(),
        disclose,
    }
}

pub(super) fn note_form(rejected: Option<&Rejected<'_>>) -> NoteForm {
    let shown = rejected.filter(|r| r.form == CaseForm::Note);
    let values = shown.map(|r| r.values).unwrap_or_default();
    let empty = FieldErrors::default();
    let errors = shown.map(|r| r.errors).unwrap_or(&empty);
    let checked: Vec<&str> = pairs_all(values, "sensitivity").collect();
    NoteForm {
        body: pair(values, "body").unwrap_or("").to_owned(),
        body_error: field_error(errors, &["body"]),
        tags: Sensitivity::ALL
            .iter()
            .map(|s| Check {
                id: format!("sensitivity-{}", s.as_str()),
                value: s.as_str().to_owned(),
                label: t().label("sensitivity", s.as_str()),
                checked: checked.contains(&s.as_str()),
            })
            .collect(),
        tags_error: field_error(errors, &["sensitivity"]),
    }
}

pub(super) fn add_agency_form(
    view: &CaseView,
    agencies: &[Agency],
    rejected: Option<&Rejected<'_>>,
) -> Option<AddAgencyForm> {
    let shown = rejected.filter(|r| r.form == CaseForm::Agency);
    let selected = shown.and_then(|r| pair(r.values, "agency"));
    let options: Vec<Opt> = agencies
        .iter()
        .filter(|a| !view.agencies.iter().any(|p| p.id == a.id))
        .map(|a| agency_option(a, selected))
        .collect();
    (!options.is_empty()).then(|| AddAgencyForm {
        options: with_blank(options),
        error: shown.and_then(|r| field_error(r.errors, &["agency"])),
    })
}

/// The case page; `rejected` is a form to show again with its errors (then 422).
pub(super) async fn case_page(
    state: &AppState,
    user: &WebUser,
    id: &CaseId,
    status: Option<&str>,
    rejected: Option<Rejected<'_>>,
) -> Response {
    let active = "/indbakke";
    let view = match state.store().case(&user.actor, id, state.now()).await {
        Ok(view) => view,
        // The same answer for a case that does not exist: the offer reveals nothing.
        Err(StoreError::NotFound) if user.actor.viewer().may_break_glass() => {
            return render(
                StatusCode::NOT_FOUND,
                &MessagePage {
                    t: t(),
                    title: t().get("page.not_found").to_owned(),
                    infohus_name: infohus_name(state, Some(&user.actor)).await,
                    user: Some(user_bar(user, active)),
                    heading: t().get("page.not_found").to_owned(),
                    text: t().get("case.not_visible_text").to_owned(),
                    link: Some((
                        format!("/sager/{}/noedadgang", id.as_str()),
                        t().get("case.break_glass_offer").to_owned(),
                    )),
                },
            );
        }
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let store = state.store();
    let infohus = user.actor.infohus();
    let lists = async {
        Ok::<_, StoreError>((
            store.agencies(infohus).await?,
            store.legal_bases().await?,
            store.active_users(infohus).await?,
            store.intervention_types().await?,
            store.instruments().await?,
        ))
    };
    let (agencies, bases, users, types, instruments) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let ctx = CaseContext {
        agencies: &agencies,
        users: &users,
        types: &types,
        instruments: &instruments,
        today: state.today(),
    };
    let rejected = rejected.as_ref();
    // Writing on a case takes real participation, never break glass.
    let may_write = !view.break_glass;
    let viewer_agency = user.actor.viewer().agency.as_str();
    let notes: Vec<NoteRow> = view
        .notes
        .iter()
        .map(|n| note_row(n, &view.id, viewer_agency, may_write, &agencies, &bases, rejected))
        .collect();
    let forms = course_forms(&view, user, &ctx, rejected);
    let errors = match rejected {
        Some(Rejected { form: CaseForm::Note, errors, .. }) => error_links(errors, NOTE_ERRORS),
        Some(Rejected { form: CaseForm::Agency, errors, .. }) => error_links(errors, AGENCY_ERRORS),
        Some(Rejected { form: CaseForm::Disclose(note), errors, .. }) => {
            disclose_error_links(&format!("d-{note}"), errors)
        }
        Some(Rejected { form, .. }) => forms.error_links(*form),
        None => Vec::new(),
    };
    let closed = CaseStatus::parse(&view.status) == Some(CaseStatus::Closed);
    let closed_text = closed.then(|| {
        let when = view.closed_at.map(|at| da_date(copenhagen(at).date())).unwrap_or_default();
        let reason = view.closed_reason.map(|r| t().label("closure_reason", r.as_str())).unwrap_or_default();
        t().format("case.closed_text", &[("date", &when), ("reason", &reason)])
    });
    let page = CasePage {
        t: t(),
        title: t().get("case.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice: case_notice(status),
        errors,
        c: CaseDetail {
            id: view.id.as_str().to_owned(),
            referral_id: view.referral_id.as_str().to_owned(),
            person_id: view.person_id.as_str().to_owned(),
            status: t().label("case_status", &view.status),
            closed,
            closed_text,
            opened: da_datetime(view.opened_at),
            lead: view.lead_agency.name.clone(),
            agencies: view.agencies.iter().map(|a| a.name.clone()).collect(),
            release_on: view
                .release_on
                .map(|d| t().format("case.release_on", &[("date", &da_date(d)), ("when", &days_from(ctx.today, d))])),
            break_glass: view.break_glass,
        },
        notes,
        note_form: (may_write && !closed).then(|| note_form(rejected)),
        add_agency: if user.actor.viewer().may_manage_cases() && !closed {
            add_agency_form(&view, &agencies, rejected)
        } else {
            None
        },
        assessments: assessment_rows(&view),
        interventions: intervention_rows(&view, &ctx),
        tasks: task_rows(&view, user, may_write, &ctx),
        timeline: timeline_rows(&view, &ctx),
        forms,
        user: Some(user_bar(user, active)),
    };
    let status = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(status, &page)
}

pub(super) fn case_id(path: Result<Path<String>, PathRejection>) -> Option<CaseId> {
    path.ok().and_then(|Path(raw)| CaseId::parse(&raw))
}

pub(super) async fn case(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = case_id(path) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    let status = QueryParams::parse(raw.as_deref()).ok().and_then(|q| q.get("status").map(str::to_owned));
    case_page(&state, &user, &id, status.as_deref(), None).await
}

pub(super) async fn add_note(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let active = "/indbakke";
    let text = pair(&pairs, "body").unwrap_or("");
    let result = match Sensitivities::parse_list("sensitivity", pairs_all(&pairs, "sensitivity")) {
        Ok(tags) => state.store().add_note(&user.actor, &id, text, tags, state.now()).await.map(|_| ()),
        Err(error) => {
            let mut errors = FieldErrors::default();
            if text.trim().is_empty() {
                errors.push("body", "required");
            }
            errors.0.push(error);
            Err(StoreError::Invalid(errors))
        }
    };
    match result {
        Ok(()) => see_other(&format!("/sager/{id}?status=notat")),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected { form: CaseForm::Note, values: &pairs, errors: &errors };
            case_page(&state, &user, &id, None, Some(rejected)).await
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

pub(super) async fn add_case_agency(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let active = "/indbakke";
    let mut errors = FieldErrors::default();
    let result = match chosen_agency(&mut errors, "agency", pair(&pairs, "agency")) {
        Some(agency) => state.store().add_case_agency(&user.actor, &id, &agency, state.now()).await,
        None => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => see_other(&format!("/sager/{id}?status=myndighed")),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected { form: CaseForm::Agency, values: &pairs, errors: &errors };
            case_page(&state, &user, &id, None, Some(rejected)).await
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

pub(super) async fn disclose_note(
    State(state): State<AppState>,
    PagePost { user, id: note, pairs }: PagePost<NoteId>,
) -> Response {
    let active = "/indbakke";
    // The case the form was on, to return to; the store finds the note's case itself.
    let Some(case) = pair(&pairs, "case").and_then(CaseId::parse) else {
        return error_page(&state, &user, active, ApiError::Malformed).await;
    };
    match disclose_record(&state, &user, RecordKind::Note, note.as_str(), &pairs).await {
        Ok(()) => see_other(&format!("/sager/{case}?status=videregivet")),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected { form: CaseForm::Disclose(note.as_str()), values: &pairs, errors: &errors };
            case_page(&state, &user, &case, None, Some(rejected)).await
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

// ---- break glass -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "break_glass.html")]
pub(super) struct BreakGlassPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    case_id: String,
    reason: String,
    error: Option<String>,
    errors: Vec<ErrorLink>,
}

pub(super) const BREAK_GLASS_ERRORS: &[(&str, &str, &[&str])] = &[("reason", "break_glass.reason", &["reason"])];

pub(super) async fn break_glass_page(
    state: &AppState,
    user: &WebUser,
    id: &CaseId,
    reason: &str,
    errors: &FieldErrors,
) -> Response {
    let page = BreakGlassPage {
        t: t(),
        title: t().get("break_glass.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        case_id: id.as_str().to_owned(),
        reason: reason.to_owned(),
        error: field_error(errors, &["reason"]),
        errors: error_links(errors, BREAK_GLASS_ERRORS),
        user: Some(user_bar(user, "/indbakke")),
    };
    render(status_of(errors), &page)
}

pub(super) async fn break_glass_form(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = case_id(path).filter(|_| user.actor.viewer().may_break_glass());
    let Some(id) = id else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    break_glass_page(&state, &user, &id, "", &FieldErrors::default()).await
}

pub(super) async fn break_glass(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let active = "/indbakke";
    let reason = pair(&pairs, "reason").unwrap_or("");
    match state.store().break_glass(&user.actor, &id, reason, state.now()).await {
        Ok(grant) => see_other(&format!("/sager/{}?status=noedadgang", grant.case_id)),
        Err(StoreError::Invalid(errors)) => break_glass_page(&state, &user, &id, reason, &errors).await,
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}
