//! Screening (visitation) on the referral page: the deadline, each asked agency's register
//! check, the coordinator asking agencies to check, an asked agency recording its check,
//! and the coordinator's outcome (which opens the case for a prevention case).

use super::*;
use infohus_domain::casework::{CheckResult, OtherService, ScreeningOutcome};
use infohus_store::{Decision, ScreeningView};

pub(super) struct CheckRow {
    pub(super) agency: String,
    pub(super) result: String,
    pub(super) answered: bool,
    pub(super) acute: bool,
    pub(super) note: Vec<String>,
    pub(super) by: String,
}

pub(super) struct OutcomeDetail {
    pub(super) outcome: String,
    pub(super) decided: String,
    pub(super) reply: Vec<String>,
    pub(super) service: Option<String>,
    pub(super) service_note: Vec<String>,
    pub(super) handover: Option<String>,
    pub(super) reference: Option<String>,
}

pub(super) struct RequestForm {
    pub(super) agencies: Vec<Check>,
    pub(super) error: Option<String>,
}

pub(super) struct CheckForm {
    pub(super) results: Vec<Check>,
    pub(super) result_hint: Option<String>,
    pub(super) result_error: Option<String>,
    pub(super) note: Field,
}

pub(super) struct DecideForm {
    pub(super) outcomes: Vec<Check>,
    pub(super) outcome_hint: Option<String>,
    pub(super) outcome_error: Option<String>,
    pub(super) reply: Field,
    pub(super) lead: Field,
    pub(super) agencies: Vec<Check>,
    pub(super) agencies_error: Option<String>,
    pub(super) police: Field,
    pub(super) reference: Field,
    pub(super) service: Field,
    pub(super) service_note: Field,
}

pub(super) struct ScreeningSection {
    pub(super) due: Option<String>,
    pub(super) overdue: bool,
    pub(super) checks: Vec<CheckRow>,
    pub(super) outcome: Option<OutcomeDetail>,
    pub(super) request: Option<RequestForm>,
    pub(super) check: Option<CheckForm>,
    pub(super) decide: Option<DecideForm>,
}

/// Which screening form on the referral page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum VisitationForm {
    Request,
    Check,
    Decide,
}

pub(super) struct VisitationRejected<'a> {
    pub(super) form: VisitationForm,
    pub(super) values: &'a [(String, String)],
    pub(super) errors: &'a FieldErrors,
}

fn input_for<'a>(rejected: Option<&VisitationRejected<'a>>, form: VisitationForm) -> Input<'a> {
    match rejected {
        Some(r) if r.form == form => Input::new(r.values, r.errors),
        _ => Input::NONE,
    }
}

/// Radio buttons for codes of one group (`check_result.known`, …), ids `{prefix}-{code}`.
pub(super) fn code_radios(prefix: &str, group: &str, codes: &[&str], selected: Option<&str>) -> Vec<Check> {
    codes
        .iter()
        .map(|code| Check {
            id: format!("{prefix}-{code}"),
            value: (*code).to_owned(),
            label: t().label(group, code),
            checked: selected == Some(*code),
        })
        .collect()
}

fn agency_checks(prefix: &str, agencies: &[&Agency], checked: &[&str]) -> Vec<Check> {
    agencies
        .iter()
        .map(|a| Check {
            id: format!("{prefix}-{}", a.code),
            value: a.code.clone(),
            label: a.name.clone(),
            checked: checked.contains(&a.code.as_str()),
        })
        .collect()
}

pub(super) fn screening_section(
    state: &AppState,
    user: &WebUser,
    view: &ScreeningView,
    agencies: &[Agency],
    users: &[UserSummary],
    rejected: Option<&VisitationRejected<'_>>,
) -> ScreeningSection {
    let viewer = user.actor.viewer();
    let open = view.status.awaits_screening();
    let coordinator = viewer.may_decide_screening();
    let due = open.then(|| state.screening_due(view.received_at)).flatten();
    let checks = view
        .checks
        .iter()
        .map(|c| CheckRow {
            agency: c.agency.name.clone(),
            result: c
                .result
                .map(|r| t().label("check_result", r.as_str()))
                .unwrap_or_else(|| t().get("screening.awaiting_check").to_owned()),
            answered: c.result.is_some(),
            acute: c.result == Some(CheckResult::Acute),
            note: c.note.as_ref().map(|n| paragraphs(n.expose())).unwrap_or_default(),
            by: match (&c.checked_by, c.checked_at) {
                (Some(by), Some(at)) => {
                    t().format("screening.checked_by", &[("name", &user_name(users, by)), ("at", &da_datetime(at))])
                }
                _ => t().format("screening.requested_at", &[("at", &da_datetime(c.requested_at))]),
            },
        })
        .collect();
    let outcome = view.outcome.as_ref().map(|o| OutcomeDetail {
        outcome: t().label("outcome", o.outcome.as_str()),
        decided: t().format(
            "screening.decided_by",
            &[("name", &user_name(users, &o.decided_by)), ("at", &da_datetime(o.decided_at))],
        ),
        reply: o.reply.as_ref().map(|r| paragraphs(r.expose())).unwrap_or_default(),
        service: o.service.map(|s| t().label("other_service", s.as_str())),
        service_note: o.service_note.as_ref().map(|n| paragraphs(n.expose())).unwrap_or_default(),
        handover: o.handover_agency.as_ref().map(|a| a.name.clone()),
        reference: o.handover_reference.as_ref().map(|r| r.expose().clone()),
    });

    let asked: Vec<&str> = view.checks.iter().map(|c| c.agency.id.as_str()).collect();
    let request = (open && coordinator)
        .then(|| {
            let input = input_for(rejected, VisitationForm::Request);
            let candidates: Vec<&Agency> = agencies.iter().filter(|a| !asked.contains(&a.id.as_str())).collect();
            let checked: Vec<&str> = pairs_all(input.values, "agencies").collect();
            (!candidates.is_empty()).then(|| RequestForm {
                agencies: agency_checks("ask", &candidates, &checked),
                error: input.error(&["agencies", "agency"]),
            })
        })
        .flatten();

    let own = view.checks.iter().find(|c| c.agency.id == viewer.agency.as_str());
    let check = own.filter(|_| open && matches!(viewer.role, Role::Coordinator | Role::Member)).map(|c| {
        let input = input_for(rejected, VisitationForm::Check);
        let current = if input.sent() { input.value("result") } else { c.result.map(CheckResult::as_str) };
        let results: Vec<&str> = CheckResult::ALL.iter().map(|r| r.as_str()).collect();
        let note = c.note.as_ref().map(|n| n.expose().as_str()).unwrap_or("");
        CheckForm {
            results: code_radios("check-result", "check_result", &results, current),
            result_hint: None,
            result_error: input.error(&["result"]),
            note: Field::new("check-note", "note", "screening.check_note", input, note)
                .hint("screening.check_note_hint"),
        }
    });

    let decide = (open && coordinator).then(|| {
        let input = input_for(rejected, VisitationForm::Decide);
        let outcomes: Vec<&str> = ScreeningOutcome::ALL.iter().map(|o| o.as_str()).collect();
        let all: Vec<&Agency> = agencies.iter().collect();
        let checked: Vec<&str> = pairs_all(input.values, "agencies").collect();
        let police = agencies.iter().filter(|a| a.kind == infohus_domain::AgencyKind::Police);
        let services: Vec<&str> = OtherService::ALL.iter().map(|s| s.as_str()).collect();
        DecideForm {
            outcomes: code_radios("outcome", "outcome", &outcomes, input.value("outcome")),
            outcome_hint: Some(t().get("screening.outcome_hint").to_owned()),
            outcome_error: input.error(&["outcome"]),
            reply: Field::new("reply", "reply", "screening.reply", input, t().get("screening.reply_default"))
                .hint("screening.reply_hint"),
            lead: Field::new("lead_agency", "lead_agency", "referral.case_lead_agency", input, "")
                .options(agency_options(agencies)),
            agencies: agency_checks("agency", &all, &checked),
            agencies_error: input.error(&["agencies"]),
            police: Field::new("police_agency", "police_agency", "screening.police_agency", input, "")
                .options(agency_options(police)),
            reference: Field::new("reference", "reference", "screening.reference", input, "")
                .hint("screening.reference_hint"),
            service: Field::new("service", "service", "screening.service", input, "")
                .options(code_options("other_service", services)),
            service_note: Field::new("service_note", "service_note", "screening.service_note", input, "")
                .hint("screening.service_note_hint"),
        }
    });

    ScreeningSection {
        due: due.map(da_date),
        overdue: due.is_some_and(|d| state.today() > d),
        checks,
        outcome,
        request,
        check,
        decide,
    }
}

impl ScreeningSection {
    /// The error summary of the rejected form, in the order of its fields.
    pub(super) fn error_links(&self, form: VisitationForm) -> Vec<ErrorLink> {
        let link = |anchor: &str, label: &str, message: &Option<String>| {
            message.as_ref().map(|m| ErrorLink {
                anchor: anchor.to_owned(),
                label: t().get(label).to_owned(),
                message: m.clone(),
            })
        };
        match form {
            VisitationForm::Request => self
                .request
                .as_ref()
                .and_then(|f| {
                    let anchor = f.agencies.first().map(|c| c.id.clone()).unwrap_or_default();
                    link(&anchor, "screening.request_agencies", &f.error)
                })
                .into_iter()
                .collect(),
            VisitationForm::Check => self
                .check
                .as_ref()
                .map(|f| {
                    let mut links: Vec<ErrorLink> =
                        link("check-result-known", "screening.check_result", &f.result_error).into_iter().collect();
                    links.extend(field_links(&[&f.note]));
                    links
                })
                .unwrap_or_default(),
            VisitationForm::Decide => self
                .decide
                .as_ref()
                .map(|f| {
                    let mut links: Vec<ErrorLink> =
                        link("outcome-no_concern", "screening.outcome", &f.outcome_error).into_iter().collect();
                    links.extend(field_links(&[&f.reply, &f.lead]));
                    let anchor = f.agencies.first().map(|c| c.id.clone()).unwrap_or_default();
                    links.extend(link(&anchor, "referral.case_agencies", &f.agencies_error));
                    links.extend(field_links(&[&f.police, &f.reference, &f.service, &f.service_note]));
                    links
                })
                .unwrap_or_default(),
        }
    }
}

// ---- posts -----------------------------------------------------------------------------

/// Shows the referral page again with `form` rejected, or the error page for other errors.
async fn after_visitation_post(
    state: &AppState,
    user: &WebUser,
    id: &ReferralId,
    form: VisitationForm,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = VisitationRejected { form, values: pairs, errors: &errors };
            referral_page(state, user, id, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, "/indbakke", e.into()).await,
    }
}

/// Agency codes from a checkbox group; a value that cannot be a code is an error.
fn chosen_agencies(errors: &mut FieldErrors, field: &str, pairs: &[(String, String)]) -> Vec<AgencyCode> {
    let codes: Vec<AgencyCode> = pairs_all(pairs, field).filter_map(AgencyCode::parse).collect();
    if codes.len() != pairs_all(pairs, field).count() {
        errors.push(field, "invalid_choice");
    }
    codes
}

pub(super) async fn request_checks(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<ReferralId>,
) -> Response {
    let mut errors = FieldErrors::default();
    let agencies = chosen_agencies(&mut errors, "agencies", &pairs);
    let result = if errors.is_empty() {
        state.store().request_checks(&user.actor, &id, &agencies, state.now()).await
    } else {
        Err(StoreError::Invalid(errors))
    };
    let result = result.map(|()| format!("/henvendelser/{id}?status=anmodet"));
    after_visitation_post(&state, &user, &id, VisitationForm::Request, &pairs, result).await
}

pub(super) async fn record_check(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<ReferralId>,
) -> Response {
    let result = match pair(&pairs, "result").map(str::trim).filter(|r| !r.is_empty()) {
        None => Err(StoreError::Invalid(FieldErrors::single("result", "required"))),
        Some(raw) => match CheckResult::parse(raw) {
            None => Err(StoreError::Invalid(FieldErrors::single("result", "invalid_choice"))),
            Some(result) => {
                let note = pair(&pairs, "note").unwrap_or("");
                state.store().record_check(&user.actor, &id, result, note, state.now()).await
            }
        },
    };
    let result = result.map(|()| format!("/henvendelser/{id}?status=tjek"));
    after_visitation_post(&state, &user, &id, VisitationForm::Check, &pairs, result).await
}

/// The coordinator's decision from the outcome form, with every missing or invalid field.
fn decision_from(pairs: &[(String, String)]) -> Result<Decision, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = |name: &str| pair(pairs, name).unwrap_or("").to_owned();
    let outcome = match pair(pairs, "outcome").map(str::trim).filter(|o| !o.is_empty()) {
        None => {
            errors.push("outcome", "required");
            None
        }
        Some(raw) => ScreeningOutcome::parse(raw).or_else(|| {
            errors.push("outcome", "invalid_choice");
            None
        }),
    };
    let decision = match outcome {
        None => None,
        Some(ScreeningOutcome::NoConcern) => {
            let reply = text("reply");
            if reply.trim().is_empty() {
                errors.push("reply", "required");
            }
            Some(Decision::NoConcern { reply })
        }
        Some(ScreeningOutcome::PreventionCase) => {
            let lead = chosen_agency(&mut errors, "lead_agency", pair(pairs, "lead_agency"));
            let agencies = chosen_agencies(&mut errors, "agencies", pairs);
            lead.map(|lead| Decision::PreventionCase { lead, agencies })
        }
        Some(ScreeningOutcome::SecurityMatter) => {
            let police = chosen_agency(&mut errors, "police_agency", pair(pairs, "police_agency"));
            let reference = text("reference");
            if reference.trim().is_empty() {
                errors.push("reference", "required");
            }
            police.map(|police| Decision::SecurityMatter { police, reference })
        }
        Some(ScreeningOutcome::OtherService) => {
            let service = match pair(pairs, "service").map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    errors.push("service", "required");
                    None
                }
                Some(raw) => OtherService::parse(raw).or_else(|| {
                    errors.push("service", "invalid_choice");
                    None
                }),
            };
            service.map(|service| Decision::OtherService { service, note: text("service_note") })
        }
    };
    match decision {
        Some(decision) if errors.is_empty() => Ok(decision),
        _ => Err(errors),
    }
}

/// The store names some fields by what they are (`agency`, `note`); the form by where they are.
fn rename_decision_fields(outcome: Option<&str>, errors: FieldErrors) -> FieldErrors {
    let rename = |field: &str| -> String {
        match (outcome, field) {
            (Some("prevention_case"), "agency" | "lead") => "lead_agency".to_owned(),
            (Some("security_matter"), "agency") => "police_agency".to_owned(),
            (Some("other_service"), "note") => "service_note".to_owned(),
            _ => field.to_owned(),
        }
    };
    FieldErrors(errors.0.into_iter().map(|e| infohus_domain::FieldError::new(rename(&e.field), e.code)).collect())
}

async fn decide(state: &AppState, user: &WebUser, id: &ReferralId, pairs: &[(String, String)]) -> Response {
    let result = match decision_from(pairs) {
        Ok(decision) => state.store().decide_screening(&user.actor, id, decision, state.now()).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    let result = match result {
        Ok(Some(case)) => Ok(format!("/sager/{case}?status=oprettet")),
        Ok(None) => Ok(format!("/henvendelser/{id}?status=afgjort")),
        Err(StoreError::Invalid(errors)) => {
            Err(StoreError::Invalid(rename_decision_fields(pair(pairs, "outcome"), errors)))
        }
        Err(e) => Err(e),
    };
    after_visitation_post(state, user, id, VisitationForm::Decide, pairs, result).await
}

pub(super) async fn decide_screening(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<ReferralId>,
) -> Response {
    decide(&state, &user, &id, &pairs).await
}

/// The earlier "open case" form (`lead`, `agencies`): a prevention-case decision.
pub(super) async fn open_case(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<ReferralId>,
) -> Response {
    let mut translated: Vec<(String, String)> = vec![("outcome".to_owned(), "prevention_case".to_owned())];
    for (name, value) in pairs {
        let name = if name == "lead" { "lead_agency".to_owned() } else { name };
        translated.push((name, value));
    }
    decide(&state, &user, &id, &translated).await
}
