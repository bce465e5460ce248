//! The case's course on the case page: lead agency, assessments and interventions listed,
//! tasks, the expected release, the timeline, closing and reopening; and the posts that
//! change them. The case page itself is assembled in `cases.rs`.

use super::*;
use infohus_domain::AssessmentContent;
use infohus_domain::casework::{AssessmentKind, CaseStatus, ClosureReason, InterventionStatus, TaskStatus};
use infohus_store::{InstrumentSummary, NewIntervention, NewTask, TimelineEntry, WorkScope};

/// Everything besides the case the case page needs to show its course.
pub(super) struct CaseContext<'a> {
    pub(super) agencies: &'a [Agency],
    pub(super) users: &'a [UserSummary],
    pub(super) types: &'a [InterventionType],
    pub(super) instruments: &'a [InstrumentSummary],
    pub(super) today: Date,
}

// ---- lists -----------------------------------------------------------------------------

pub(super) struct AssessmentRow {
    pub(super) id: String,
    pub(super) instrument: String,
    pub(super) kind: String,
    pub(super) status: String,
    pub(super) signed: bool,
    pub(super) assessed_on: String,
    pub(super) owner: String,
    pub(super) supersedes: Option<String>,
    pub(super) superseded_by: Option<String>,
}

pub(super) fn instrument_label(name: &str, version: u32) -> String {
    t().format("assessment.instrument_version", &[("name", name), ("version", &version.to_string())])
}

pub(super) fn assessment_rows(view: &CaseView) -> Vec<AssessmentRow> {
    view.assessments
        .iter()
        .map(|a| AssessmentRow {
            id: a.id.as_str().to_owned(),
            instrument: instrument_label(&a.instrument.name, a.instrument.version),
            kind: t().label("assessment_kind", a.kind.as_str()),
            status: t().label("assessment_status", a.status.as_str()),
            signed: a.status == infohus_domain::casework::AssessmentStatus::Signed,
            assessed_on: da_date(a.assessed_on),
            owner: a.owner_agency.name.clone(),
            supersedes: a.supersedes.as_ref().map(|s| s.as_str().to_owned()),
            superseded_by: a.superseded_by.as_ref().map(|s| s.as_str().to_owned()),
        })
        .collect()
}

pub(super) struct InterventionRow {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) owner: String,
    pub(super) responsible: String,
    pub(super) start: String,
    pub(super) review: String,
    pub(super) review_overdue: bool,
    pub(super) status: String,
}

/// Whether an intervention still runs (its review can be due).
pub(super) fn running(status: InterventionStatus) -> bool {
    matches!(status, InterventionStatus::Planned | InterventionStatus::Active)
}

pub(super) fn intervention_rows(view: &CaseView, ctx: &CaseContext<'_>) -> Vec<InterventionRow> {
    view.interventions
        .iter()
        .map(|i| InterventionRow {
            id: i.id.as_str().to_owned(),
            kind: intervention_kind_label(ctx.types, &i.kind),
            owner: i.owner_agency.name.clone(),
            responsible: user_name(ctx.users, &i.responsible),
            start: da_date(i.start_on),
            review: da_date(i.review_on),
            review_overdue: running(i.status) && i.review_on < ctx.today,
            status: t().label("intervention_status", i.status.as_str()),
        })
        .collect()
}

pub(super) struct TaskRow {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) due: String,
    pub(super) overdue: bool,
    pub(super) owner: String,
    pub(super) assignee: String,
    pub(super) status: String,
    pub(super) may_complete: bool,
    /// The done button's accessible name: which task it completes.
    pub(super) done_label: String,
}

pub(super) fn task_rows(view: &CaseView, user: &WebUser, may_write: bool, ctx: &CaseContext<'_>) -> Vec<TaskRow> {
    let viewer = user.actor.viewer();
    view.tasks
        .iter()
        .map(|task| {
            let open = task.status == TaskStatus::Open;
            // As the store decides: the owner agency, the assignee or a coordinator.
            let may_complete = open
                && may_write
                && (viewer.role == Role::Coordinator
                    || task.owner_agency.id == viewer.agency.as_str()
                    || task.assignee.as_deref() == Some(user.actor.username()));
            TaskRow {
                id: task.id.as_str().to_owned(),
                title: task.title.expose().clone(),
                due: da_date(task.due_on),
                overdue: open && task.due_on < ctx.today,
                owner: task.owner_agency.name.clone(),
                assignee: or_dash(task.assignee.as_deref().map(|a| user_name(ctx.users, a))),
                status: t().label("task_status", task.status.as_str()),
                may_complete,
                done_label: t().format("work.done_named", &[("title", task.title.expose())]),
            }
        })
        .collect()
}

pub(super) struct TimelineRow {
    pub(super) at: String,
    pub(super) text: String,
    pub(super) agency: String,
    pub(super) user: String,
    pub(super) note: Vec<String>,
    pub(super) link: Option<(String, String)>,
}

/// Every kind of timeline event the store records; each has a `timeline.<kind>` message.
pub(super) const TIMELINE_KINDS: &[&str] = &[
    "received",
    "check_requested",
    "check_recorded",
    "opened",
    "agency_added",
    "lead_changed",
    "note_added",
    "disclosure",
    "assessment_started",
    "assessment_signed",
    "assessment_correction",
    "intervention_added",
    "intervention_updated",
    "task_added",
    "task_done",
    "closed",
    "reopened",
    "release",
    "flagged",
];

/// One timeline event in Danish: the kind's sentence with its detail code translated.
pub(super) fn timeline_text(entry: &TimelineEntry, ctx: &CaseContext<'_>) -> String {
    let kind = entry.kind.as_str();
    let detail = entry.detail.as_str();
    let detail = match kind {
        "check_recorded" => t().label("check_result", detail),
        "opened" | "agency_added" | "lead_changed" | "task_added" | "disclosure" => agency_name(ctx.agencies, detail),
        "assessment_started" => t().label("assessment_kind", detail),
        "intervention_added" => intervention_kind_label(ctx.types, detail),
        "intervention_updated" => t().label("intervention_status", detail),
        "closed" => t().label("closure_reason", detail),
        "release" => infohus_store_day(detail),
        _ => detail.to_owned(),
    };
    let key = match kind {
        "assessment_signed" if entry.detail == "correction" => "timeline.assessment_signed_correction".to_owned(),
        _ if TIMELINE_KINDS.contains(&kind) => format!("timeline.{kind}"),
        _ => "timeline.other".to_owned(),
    };
    let record = entry.record_type.as_deref().map(|r| t().label("record", r)).unwrap_or_default();
    t().format(&key, &[("detail", &detail), ("record", &record)])
}

/// A stored day (`YYYY-MM-DD`) the Danish way; as it is when it is not a date.
fn infohus_store_day(raw: &str) -> String {
    parse_date(raw).map(da_date).unwrap_or_else(|| raw.to_owned())
}

pub(super) fn timeline_rows(view: &CaseView, ctx: &CaseContext<'_>) -> Vec<TimelineRow> {
    view.timeline
        .iter()
        .map(|entry| {
            let link = match (entry.record_type.as_deref(), entry.record_id.as_deref()) {
                (Some("assessment"), Some(id)) => {
                    Some((format!("/vurderinger/{id}"), t().get("timeline.open_assessment").to_owned()))
                }
                (Some("intervention"), Some(id)) => {
                    Some((format!("/indsatser/{id}"), t().get("timeline.open_intervention").to_owned()))
                }
                (Some("note"), Some(id)) if view.notes.iter().any(|n| n.id.as_str() == id) => {
                    Some((format!("#notat-{id}"), t().get("timeline.open_note").to_owned()))
                }
                (Some("referral"), Some(id)) => {
                    Some((format!("/henvendelser/{id}"), t().get("timeline.open_referral").to_owned()))
                }
                _ => None,
            };
            TimelineRow {
                at: da_datetime(entry.at),
                text: timeline_text(entry, ctx),
                agency: entry.agency.clone(),
                user: or_dash(entry.user.as_deref().map(|u| user_name(ctx.users, u))),
                note: entry.note.as_ref().map(|n| paragraphs(n.expose())).unwrap_or_default(),
                link,
            }
        })
        .collect()
}

// ---- forms -----------------------------------------------------------------------------

/// The forms of the case's course that the viewer may use, each with its errors.
pub(super) struct CourseForms {
    pub(super) lead: Option<Field>,
    pub(super) assessment: Option<StartAssessmentForm>,
    pub(super) intervention: Option<InterventionForm>,
    pub(super) task: Option<TaskForm>,
    pub(super) release: Option<Field>,
    pub(super) close: Option<CloseForm>,
    pub(super) reopen: Option<Field>,
    /// Asking for the case to be discussed at the next coordination meeting.
    pub(super) flag: Option<Field>,
}

pub(super) struct StartAssessmentForm {
    pub(super) instrument: Field,
    pub(super) kind: Field,
    pub(super) assessed_on: Field,
}

pub(super) struct InterventionForm {
    pub(super) kind: Field,
    pub(super) responsible: Field,
    pub(super) goals: Field,
    pub(super) start_on: Field,
    pub(super) review_on: Field,
    pub(super) tags: Vec<Check>,
    pub(super) tags_error: Option<String>,
}

pub(super) struct TaskForm {
    pub(super) title: Field,
    pub(super) owner: Field,
    pub(super) assignee: Field,
    pub(super) due_on: Field,
}

pub(super) struct CloseForm {
    pub(super) reason: Field,
    pub(super) note: Field,
    /// Open tasks that would close with the case; the confirmation is asked only then.
    pub(super) open_tasks: usize,
    pub(super) confirm_label: String,
    pub(super) confirm_error: Option<String>,
}

impl CourseForms {
    /// The error summary of the rejected form, in the order of its fields.
    pub(super) fn error_links(&self, form: CaseForm<'_>) -> Vec<ErrorLink> {
        match form {
            CaseForm::Lead => self.lead.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
            CaseForm::StartAssessment => self
                .assessment
                .as_ref()
                .map(|f| field_links(&[&f.instrument, &f.kind, &f.assessed_on]))
                .unwrap_or_default(),
            CaseForm::Intervention => self
                .intervention
                .as_ref()
                .map(|f| {
                    let mut links = field_links(&[&f.kind, &f.responsible, &f.goals, &f.start_on, &f.review_on]);
                    if let (Some(message), Some(first)) = (&f.tags_error, f.tags.first()) {
                        links.push(ErrorLink {
                            anchor: first.id.clone(),
                            label: t().get("case.note_sensitivity").to_owned(),
                            message: message.clone(),
                        });
                    }
                    links
                })
                .unwrap_or_default(),
            CaseForm::Task => self
                .task
                .as_ref()
                .map(|f| field_links(&[&f.title, &f.owner, &f.assignee, &f.due_on]))
                .unwrap_or_default(),
            CaseForm::Release => self.release.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
            CaseForm::Close => self
                .close
                .as_ref()
                .map(|f| {
                    let mut links = field_links(&[&f.reason, &f.note]);
                    if let Some(message) = &f.confirm_error {
                        links.push(ErrorLink {
                            anchor: "close-confirm".to_owned(),
                            label: t().get("case.close_confirm_legend").to_owned(),
                            message: message.clone(),
                        });
                    }
                    links
                })
                .unwrap_or_default(),
            CaseForm::Reopen => self.reopen.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
            CaseForm::Flag => self.flag.as_ref().map(|f| field_links(&[f])).unwrap_or_default(),
            CaseForm::Note | CaseForm::Agency | CaseForm::Disclose(_) => Vec::new(),
        }
    }
}

/// The values and errors of `form` when it is the rejected one.
fn input_for<'a>(rejected: Option<&Rejected<'a>>, form: CaseForm<'_>) -> Input<'a> {
    match rejected {
        Some(r) if r.form == form => Input::new(r.values, r.errors),
        _ => Input::NONE,
    }
}

fn participating_options(view: &CaseView) -> Vec<Opt> {
    with_blank(
        view.agencies.iter().map(|a| Opt { value: a.code.clone(), label: a.name.clone(), selected: false }).collect(),
    )
}

/// Users to choose as responsible or assignee: "Name (agency)", by username.
fn user_options<'a>(users: impl IntoIterator<Item = &'a UserSummary>, agencies: &[Agency]) -> Vec<Opt> {
    with_blank(
        users
            .into_iter()
            .map(|u| Opt {
                value: u.username.clone(),
                label: t().format(
                    "case.user_option",
                    &[("name", &u.display_name), ("agency", &agency_name(agencies, &u.agency_code))],
                ),
                selected: false,
            })
            .collect(),
    )
}

pub(super) fn course_forms(
    view: &CaseView,
    user: &WebUser,
    ctx: &CaseContext<'_>,
    rejected: Option<&Rejected<'_>>,
) -> CourseForms {
    let viewer = user.actor.viewer();
    let open = CaseStatus::parse(&view.status) != Some(CaseStatus::Closed);
    let may_write = !view.break_glass && matches!(viewer.role, Role::Coordinator | Role::Member);
    let coordinator = viewer.may_manage_cases();
    let today = iso_date(ctx.today);

    let lead = (coordinator && open && view.agencies.len() > 1).then(|| {
        let input = input_for(rejected, CaseForm::Lead);
        Field::new("lead-agency", "agency", "case.lead_agency", input, &view.lead_agency.code)
            .hint("case.lead_hint")
            .required()
            .errors_of(input, &["lead_agency"])
            .options(participating_options(view))
    });

    let mut keys: Vec<&InstrumentSummary> = Vec::new();
    for i in ctx.instruments {
        // Newest version of each key first, as the store lists them.
        if !keys.iter().any(|k| k.key == i.key) {
            keys.push(i);
        }
    }
    let assessment = (may_write && open && !keys.is_empty()).then(|| {
        let input = input_for(rejected, CaseForm::StartAssessment);
        let instruments = keys
            .iter()
            .map(|i| Opt { value: i.key.clone(), label: instrument_label(&i.name, i.version), selected: false })
            .collect();
        let default_instrument = match keys.as_slice() {
            [only] => only.key.as_str(),
            _ => "",
        };
        StartAssessmentForm {
            instrument: Field::new(
                "assessment-instrument",
                "instrument",
                "case.assessment_instrument",
                input,
                default_instrument,
            )
            .hint("case.assessment_instrument_hint")
            .required()
            .options(with_blank(instruments)),
            kind: Field::new("assessment-kind", "kind", "case.assessment_kind", input, "")
                .required()
                .options(code_options("assessment_kind", AssessmentKind::ALL.iter().map(|k| k.as_str()))),
            assessed_on: Field::new("assessment-date", "assessed_on", "case.assessment_date", input, &today)
                .hint("form.date_hint")
                .required(),
        }
    });

    let intervention = (may_write && open).then(|| {
        let input = input_for(rejected, CaseForm::Intervention);
        let kinds = ctx
            .types
            .iter()
            .map(|k| Opt { value: k.code.clone(), label: intervention_kind_label(ctx.types, &k.code), selected: false })
            .collect();
        let responsible =
            ctx.users.iter().filter(|u| matches!(u.role, Role::Coordinator | Role::Member | Role::Mentor));
        InterventionForm {
            kind: Field::new("intervention-kind", "kind", "case.intervention_kind", input, "")
                .required()
                .options(with_blank(kinds)),
            responsible: Field::new(
                "intervention-responsible",
                "responsible",
                "case.intervention_responsible",
                input,
                "",
            )
            .hint("case.intervention_responsible_hint")
            .required()
            .options(user_options(responsible, ctx.agencies)),
            goals: Field::new("intervention-goals", "goals", "case.intervention_goals", input, "")
                .hint("case.intervention_goals_hint")
                .required(),
            start_on: Field::new("intervention-start", "start_on", "case.intervention_start", input, &today)
                .hint("form.date_hint")
                .required(),
            review_on: Field::new("intervention-review", "review_on", "case.intervention_review", input, "")
                .hint("case.intervention_review_hint"),
            tags: sensitivity_checks("intervention", input),
            tags_error: input.error(&["sensitivity"]),
        }
    });

    let task = (may_write && open).then(|| {
        let input = input_for(rejected, CaseForm::Task);
        let assignees = ctx.users.iter().filter(|u| {
            matches!(u.role, Role::Coordinator | Role::Member) && view.agencies.iter().any(|a| a.code == u.agency_code)
        });
        TaskForm {
            title: Field::new("task-title", "title", "case.task_title", input, "").required(),
            owner: Field::new("task-owner", "owner_agency", "case.task_owner", input, "")
                .required()
                .errors_of(input, &["agency"])
                .options(participating_options(view)),
            assignee: Field::new("task-assignee", "assignee", "case.task_assignee", input, "")
                .hint("case.task_assignee_hint")
                .options(user_options(assignees, ctx.agencies)),
            due_on: Field::new("task-due", "due_on", "case.task_due", input, "").hint("form.date_hint").required(),
        }
    });

    // Expected releases come from the Prison and Probation Service (the store decides).
    let prison = own_agency(user, ctx.agencies).is_some_and(|a| a.kind == infohus_domain::AgencyKind::PrisonProbation);
    let release = (may_write && open && prison).then(|| {
        let input = input_for(rejected, CaseForm::Release);
        let current = view.release_on.map(iso_date).unwrap_or_default();
        Field::new("release-date", "expected_on", "case.release_date", input, &current)
            .hint("form.date_hint")
            .required()
    });

    let close = (coordinator && open).then(|| {
        let input = input_for(rejected, CaseForm::Close);
        let open_tasks = view.tasks.iter().filter(|t| t.status == TaskStatus::Open).count();
        let count = open_tasks.to_string();
        // "1 åben opgave", "2 åbne opgaver".
        let (confirm_key, error_key) = if open_tasks == 1 {
            ("case.close_confirm_one", "case.close_open_tasks_error_one")
        } else {
            ("case.close_confirm", "case.close_open_tasks_error")
        };
        CloseForm {
            reason: Field::new("close-reason", "reason", "case.close_reason", input, "")
                .required()
                .options(code_options("closure_reason", ClosureReason::ALL.iter().map(|r| r.as_str()))),
            note: Field::new("close-note", "note", "case.close_note", input, "").hint("case.close_note_hint"),
            open_tasks,
            confirm_label: t().format(confirm_key, &[("count", &count)]),
            confirm_error: input.error(&["confirm_open_tasks"]).map(|_| t().format(error_key, &[("count", &count)])),
        }
    });

    let reopen = (coordinator && !open).then(|| {
        let input = input_for(rejected, CaseForm::Reopen);
        Field::new("reopen-reason", "reason", "case.reopen_reason", input, "")
            .hint("case.reopen_reason_hint")
            .required()
    });

    // The store lets members of participating agencies and coordinators ask (never break glass).
    let flag = (may_write && open).then(|| {
        Field::new("flag-note", "note", "flag.note", input_for(rejected, CaseForm::Flag), "").hint("flag.note_hint")
    });

    CourseForms { lead, assessment, intervention, task, release, close, reopen, flag }
}

// ---- posts -----------------------------------------------------------------------------

/// Shows the case page again with `form` rejected, or the error page for other errors.
async fn after_case_post(
    state: &AppState,
    user: &WebUser,
    id: &CaseId,
    form: CaseForm<'_>,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected { form, values: pairs, errors: &errors };
            case_page(state, user, id, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, "/indbakke", e.into()).await,
    }
}

pub(super) async fn set_lead_agency(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let result = match chosen_agency(&mut errors, "agency", pair(&pairs, "agency")) {
        Some(agency) => state.store().set_lead_agency(&user.actor, &id, &agency, state.now()).await,
        None => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|()| format!("/sager/{id}?status=tovholder"));
    after_case_post(&state, &user, &id, CaseForm::Lead, &pairs, result).await
}

pub(super) async fn start_assessment(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let key = pair(&pairs, "instrument").map(str::trim).filter(|k| !k.is_empty());
    if key.is_none() {
        errors.push("instrument", "required");
    }
    let kind = match pair(&pairs, "kind").map(str::trim).filter(|k| !k.is_empty()) {
        None => {
            errors.push("kind", "required");
            None
        }
        Some(raw) => AssessmentKind::parse(raw).or_else(|| {
            errors.push("kind", "invalid_choice");
            None
        }),
    };
    let assessed_on = required_date(&mut errors, "assessed_on", pair(&pairs, "assessed_on"));
    let instrument = match key {
        Some(key) if infohus_domain::instrument::is_instrument_key(key) => {
            match state.store().instrument(key, None).await {
                Ok((instrument_id, _)) => Some(instrument_id),
                Err(StoreError::NotFound) => {
                    errors.push("instrument", "invalid_choice");
                    None
                }
                Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
            }
        }
        Some(_) => {
            errors.push("instrument", "invalid_choice");
            None
        }
        None => None,
    };
    let result = match (instrument, kind, assessed_on) {
        (Some(instrument), Some(kind), Some(on)) if errors.is_empty() => {
            let content = AssessmentContent::empty(on);
            state
                .store()
                .create_assessment(&user.actor, &id, &instrument, kind, content, state.today(), state.now())
                .await
                .map(|assessment| format!("/vurderinger/{assessment}?status=oprettet"))
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    after_case_post(&state, &user, &id, CaseForm::StartAssessment, &pairs, result).await
}

pub(super) async fn add_intervention(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let kind = pair(&pairs, "kind").map(str::trim).unwrap_or("");
    if kind.is_empty() {
        errors.push("kind", "required");
    }
    let responsible = pair(&pairs, "responsible").map(str::trim).unwrap_or("");
    if responsible.is_empty() {
        errors.push("responsible", "required");
    }
    let goals = pair(&pairs, "goals").unwrap_or("");
    if goals.trim().is_empty() {
        errors.push("goals", "required");
    }
    let start_on = required_date(&mut errors, "start_on", pair(&pairs, "start_on"));
    let review_on = optional_date(&mut errors, "review_on", pair(&pairs, "review_on"));
    let sensitivity = errors.check(Sensitivities::parse_list("sensitivity", pairs_all(&pairs, "sensitivity")));
    let result = match (start_on, sensitivity) {
        (Some(start_on), Some(sensitivity)) if errors.is_empty() => {
            let new = NewIntervention {
                kind: kind.to_owned(),
                responsible: responsible.to_owned(),
                goals: goals.to_owned(),
                start_on,
                review_on,
                sensitivity,
            };
            state
                .store()
                .add_intervention(&user.actor, &id, new, state.today(), state.now())
                .await
                .map(|intervention| format!("/indsatser/{intervention}?status=oprettet"))
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    after_case_post(&state, &user, &id, CaseForm::Intervention, &pairs, result).await
}

pub(super) async fn add_task(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
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
            state
                .store()
                .add_task(&user.actor, &id, task, state.now())
                .await
                .map(|_| format!("/sager/{id}?status=opgave"))
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    after_case_post(&state, &user, &id, CaseForm::Task, &pairs, result).await
}

pub(super) async fn set_release(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let result = match required_date(&mut errors, "expected_on", pair(&pairs, "expected_on")) {
        Some(on) => state.store().set_release(&user.actor, &id, on, state.now()).await,
        None => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|()| format!("/sager/{id}?status=loesladelse"));
    after_case_post(&state, &user, &id, CaseForm::Release, &pairs, result).await
}

pub(super) async fn close_case(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let reason = match pair(&pairs, "reason").map(str::trim).filter(|r| !r.is_empty()) {
        None => {
            errors.push("reason", "required");
            None
        }
        Some(raw) => ClosureReason::parse(raw).or_else(|| {
            errors.push("reason", "invalid_choice");
            None
        }),
    };
    let note = pair(&pairs, "note").unwrap_or("");
    let confirm = pair(&pairs, "confirm_open_tasks").is_some();
    let result = match reason {
        Some(reason) => state.store().close_case(&user.actor, &id, reason, note, confirm, state.now()).await,
        None => Err(StoreError::Invalid(errors)),
    };
    let result = match result {
        // Nothing changed: the form comes back asking to confirm that the open tasks close too.
        Err(StoreError::Conflict("open_tasks")) => {
            Err(StoreError::Invalid(FieldErrors::single("confirm_open_tasks", "open_tasks")))
        }
        other => other.map(|()| format!("/sager/{id}?status=lukket")),
    };
    after_case_post(&state, &user, &id, CaseForm::Close, &pairs, result).await
}

pub(super) async fn reopen_case(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let reason = pair(&pairs, "reason").unwrap_or("");
    let result = if reason.trim().is_empty() {
        Err(StoreError::Invalid(FieldErrors::single("reason", "required")))
    } else {
        state.store().reopen_case(&user.actor, &id, reason, state.now()).await
    };
    let result = result.map(|()| format!("/sager/{id}?status=genaabnet"));
    after_case_post(&state, &user, &id, CaseForm::Reopen, &pairs, result).await
}

/// Asks for the case to be discussed at the next coordination meeting.
pub(super) async fn case_flag(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<CaseId>,
) -> Response {
    let note = pair(&pairs, "note").unwrap_or("");
    let result = state.store().flag_case(&user.actor, &id, note, state.now()).await;
    let result = result.map(|_| format!("/sager/{id}?status=droeftes"));
    after_case_post(&state, &user, &id, CaseForm::Flag, &pairs, result).await
}

/// Where a done button returns to: the case it was on, or "my work" in the scope it showed.
pub(super) async fn complete_task(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<TaskId>,
) -> Response {
    let back = match (pair(&pairs, "back"), pair(&pairs, "case").and_then(CaseId::parse)) {
        (Some("work"), _) => Some(work_href(WorkScope::Mine, Some("udfoert"))),
        (Some("work-agency"), _) => Some(work_href(WorkScope::Agency, Some("udfoert"))),
        (_, Some(case)) => Some(format!("/sager/{case}?status=opgave-udfoert")),
        _ => None,
    };
    let Some(back) = back else {
        return error_page(&state, &user, "/indbakke", ApiError::Malformed).await;
    };
    match state.store().complete_task(&user.actor, &id, state.now()).await {
        Ok(()) => see_other(&back),
        Err(e) => error_page(&state, &user, "/indbakke", e.into()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_timeline_kind_and_built_in_intervention_kind_reads_in_danish() {
        let mut missing: Vec<String> = TIMELINE_KINDS
            .iter()
            .map(|kind| format!("timeline.{kind}"))
            .chain(["timeline.assessment_signed_correction".to_owned(), "timeline.other".to_owned()])
            .filter(|key| !t().has(key))
            .collect();
        // The kinds the first migration configures.
        for code in [
            "mentoring",
            "relatives_coaching",
            "social",
            "psychiatric",
            "child_welfare",
            "employment_education",
            "prison_probation",
        ] {
            if !t().has(&format!("intervention_type.{code}")) {
                missing.push(code.to_owned());
            }
        }
        for record in ["note", "assessment", "intervention", "referral"] {
            if !t().has(&format!("record.{record}")) {
                missing.push(record.to_owned());
            }
        }
        assert!(missing.is_empty(), "missing: {missing:?}");
    }
}
