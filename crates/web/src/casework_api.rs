//! The casework JSON API under `/api/v1`: screening, case life cycle, instruments and
//! assessments, progression, interventions, tasks, releases and "my work". Handlers
//! validate the shape, the store decides access and logs.

use crate::api::{QueryParams, agency_code, date_text, rfc3339};
use crate::auth::ApiUser;
use crate::body::{JsonBody, PathId};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use infohus_domain::assessment::AssessmentContent;
use infohus_domain::casework::{
    AssessmentKind, CheckResult, ClosureReason, InterventionStatus, OtherService, ScreeningOutcome,
};
use infohus_domain::{AssessmentId, CaseId, FieldErrors, InterventionId, PersonId, ReferralId, Sensitivities, TaskId};
use infohus_store::{
    AgencyRef, AssessmentSummary, Decision, InterventionType, InterventionUpdate, InterventionView, NewIntervention,
    NewTask, RecordKind, TaskView, TimelineEntry, WorkScope,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::Date;
use time::format_description::well_known::Iso8601;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/referrals/{id}/screening", get(get_screening))
        .route("/api/v1/referrals/{id}/screening/requests", post(request_checks))
        .route("/api/v1/referrals/{id}/screening/checks", post(record_check))
        .route("/api/v1/referrals/{id}/screening/outcome", post(decide_screening))
        .route("/api/v1/cases/{id}/close", post(close_case))
        .route("/api/v1/cases/{id}/reopen", post(reopen_case))
        .route("/api/v1/cases/{id}/lead-agency", axum::routing::put(set_lead_agency))
        .route("/api/v1/cases/{id}/timeline", get(timeline))
        .route("/api/v1/cases/{id}/release", axum::routing::put(set_release))
        .route("/api/v1/releases", get(releases))
        .route("/api/v1/instruments", get(instruments))
        .route("/api/v1/instruments/{key}", get(instrument))
        .route("/api/v1/cases/{id}/assessments", post(create_assessment))
        .route("/api/v1/assessments/{id}", get(get_assessment).put(update_assessment))
        .route("/api/v1/assessments/{id}/sign", post(sign_assessment))
        .route("/api/v1/assessments/{id}/corrections", post(correct_assessment))
        .route("/api/v1/assessments/{id}/disclosures", post(disclose_assessment))
        .route("/api/v1/persons/{id}/progression", get(progression))
        .route("/api/v1/statistics/mentoring", get(mentoring_figure))
        .route("/api/v1/intervention-types", get(intervention_types).post(add_intervention_type))
        .route("/api/v1/cases/{id}/interventions", post(add_intervention))
        .route("/api/v1/interventions/{id}", get(get_intervention).patch(update_intervention))
        .route("/api/v1/interventions/{id}/sessions", post(log_session))
        .route("/api/v1/interventions/{id}/disclosures", post(disclose_intervention))
        .route("/api/v1/cases/{id}/tasks", post(add_task))
        .route("/api/v1/tasks/{id}/done", post(complete_task))
        .route("/api/v1/my-work", get(my_work))
}

/// A `YYYY-MM-DD` date field.
pub fn date_field(field: &str, raw: Option<&str>) -> Result<Date, ApiError> {
    match raw {
        None | Some("") => Err(ApiError::invalid(field, "required")),
        Some(raw) => iso_date(raw).ok_or_else(|| ApiError::invalid(field, "invalid_date")),
    }
}

fn optional_date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        some => date_field(field, some).map(Some),
    }
}

/// A date written exactly `YYYY-MM-DD` (the document's `format: date`); ISO 8601's other
/// forms (`20261122`, week and ordinal dates) and surrounding white space are not dates here.
pub(crate) fn iso_date(raw: &str) -> Option<Date> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if shaped { Date::parse(raw, &Iso8601::DATE).ok() } else { None }
}

fn choice<T>(field: &str, raw: Option<&str>, parse: fn(&str) -> Option<T>) -> Result<T, ApiError> {
    match raw {
        None | Some("") => Err(ApiError::invalid(field, "required")),
        Some(raw) => parse(raw).ok_or_else(|| ApiError::invalid(field, "invalid_choice")),
    }
}

fn day(d: Date) -> String {
    date_text(Some(d)).unwrap_or_default()
}

fn agency_json(a: &AgencyRef) -> Value {
    json!({"code": a.code, "name": a.name})
}

// ---------------------------------------------------------------- screening

async fn get_screening(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
) -> Result<Json<Value>, ApiError> {
    let s = state.store().screening(&actor, &id, state.now()).await?;
    let due = s.status.awaits_screening().then(|| state.screening_due(s.received_at)).flatten();
    Ok(Json(json!({
        "referral_id": s.referral_id.as_str(),
        "status": s.status.as_str(),
        "screening_due": due.map(day),
        "overdue": due.is_some_and(|d| state.today() > d),
        "checks": s.checks.iter().map(|c| json!({
            "agency": agency_json(&c.agency),
            "requested_at": rfc3339(c.requested_at),
            "result": c.result.map(CheckResult::as_str),
            "note": c.note.as_ref().map(|n| n.expose().clone()),
            "checked_by": c.checked_by,
            "checked_at": c.checked_at.map(rfc3339),
        })).collect::<Vec<_>>(),
        "outcome": s.outcome.as_ref().map(|o| json!({
            "outcome": o.outcome.as_str(),
            "reply": o.reply.as_ref().map(|r| r.expose().clone()),
            "service": o.service.map(OtherService::as_str),
            "service_note": o.service_note.as_ref().map(|r| r.expose().clone()),
            "handover_agency": o.handover_agency.as_ref().map(agency_json),
            "handover_reference": o.handover_reference.as_ref().map(|r| r.expose().clone()),
            "decided_by": o.decided_by,
            "decided_at": rfc3339(o.decided_at),
            "case_id": o.case_id.as_ref().map(|c| c.as_str()),
        })),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequestBody {
    agencies: Option<Vec<String>>,
}

async fn request_checks(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
    JsonBody(body): JsonBody<CheckRequestBody>,
) -> Result<StatusCode, ApiError> {
    let agencies = crate::body::at_most("agencies", body.agencies, 50)?
        .iter()
        .map(|a| agency_code("agencies", Some(a)))
        .collect::<Result<Vec<_>, _>>()?;
    state.store().request_checks(&actor, &id, &agencies, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    result: Option<String>,
    note: Option<String>,
}

async fn record_check(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
    JsonBody(body): JsonBody<CheckBody>,
) -> Result<StatusCode, ApiError> {
    let result = choice("result", body.result.as_deref(), CheckResult::parse)?;
    state.store().record_check(&actor, &id, result, body.note.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    pub outcome: Option<String>,
    pub reply: Option<String>,
    pub lead_agency: Option<String>,
    pub agencies: Option<Vec<String>>,
    pub police_agency: Option<String>,
    pub reference: Option<String>,
    pub service: Option<String>,
    pub service_note: Option<String>,
}

/// The decision a body describes. The fields another outcome needs are not used, but every
/// field given is checked as the document describes it, whichever outcome it belongs to.
pub fn decision(body: OutcomeBody) -> Result<Decision, ApiError> {
    let outcome = choice("outcome", body.outcome.as_deref(), ScreeningOutcome::parse)?;
    let mut errors = FieldErrors::default();
    for (field, text, max) in
        [("reply", &body.reply, 2000), ("reference", &body.reference, 200), ("service_note", &body.service_note, 2000)]
    {
        if text.as_deref().is_some_and(|t| t.chars().count() > max) {
            errors.push(field, "too_long");
        }
    }
    if body.service.as_deref().is_some_and(|s| !s.is_empty() && OtherService::parse(s).is_none()) {
        errors.push("service", "invalid_choice");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let agencies = crate::body::at_most("agencies", body.agencies, 50)?;
    Ok(match outcome {
        ScreeningOutcome::NoConcern => Decision::NoConcern { reply: body.reply.unwrap_or_default() },
        ScreeningOutcome::PreventionCase => Decision::PreventionCase {
            lead: agency_code("lead_agency", body.lead_agency.as_deref())?,
            agencies: agencies
                .iter()
                .filter(|a| !a.is_empty())
                .map(|a| agency_code("agencies", Some(a)))
                .collect::<Result<Vec<_>, _>>()?,
        },
        ScreeningOutcome::SecurityMatter => Decision::SecurityMatter {
            police: agency_code("police_agency", body.police_agency.as_deref())?,
            reference: body.reference.unwrap_or_default(),
        },
        ScreeningOutcome::OtherService => Decision::OtherService {
            service: choice("service", body.service.as_deref(), OtherService::parse)?,
            note: body.service_note.unwrap_or_default(),
        },
    })
}

async fn decide_screening(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
    JsonBody(body): JsonBody<OutcomeBody>,
) -> Result<Json<Value>, ApiError> {
    let decision = decision(body)?;
    let outcome = decision.outcome();
    let case = state.store().decide_screening(&actor, &id, decision, state.now()).await?;
    Ok(Json(json!({"outcome": outcome.as_str(), "case_id": case.as_ref().map(|c| c.as_str())})))
}

// ---------------------------------------------------------------- case life cycle

pub fn timeline_json(entries: &[TimelineEntry]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            json!({
                "at": rfc3339(e.at),
                "kind": e.kind,
                "agency": e.agency,
                "user": e.user,
                "detail": e.detail,
                "note": e.note.as_ref().map(|n| n.expose().clone()),
                "record_type": e.record_type,
                "record_id": e.record_id,
            })
        })
        .collect()
}

pub fn assessment_summary_json(a: &AssessmentSummary) -> Value {
    json!({
        "id": a.id.as_str(),
        "instrument": {"key": a.instrument.key, "version": a.instrument.version, "name": a.instrument.name},
        "kind": a.kind.as_str(),
        "status": a.status.as_str(),
        "assessed_on": day(a.assessed_on),
        "owner_agency": agency_json(&a.owner_agency),
        "supersedes": a.supersedes.as_ref().map(|s| s.as_str()),
        "superseded_by": a.superseded_by.as_ref().map(|s| s.as_str()),
        "signed_at": a.signed_at.map(rfc3339),
    })
}

pub fn intervention_json(i: &InterventionView) -> Value {
    json!({
        "id": i.id.as_str(),
        "case_id": i.case_id.as_str(),
        "kind": i.kind,
        "owner_agency": agency_json(&i.owner_agency),
        "responsible": i.responsible,
        "start_on": day(i.start_on),
        "review_on": day(i.review_on),
        "status": i.status.as_str(),
        "ended_on": i.ended_on.map(day),
        "sensitivity": i.sensitivity.tags().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "goals": i.goals.as_ref().map(|g| g.expose().clone()),
        "outcome": i.outcome.as_ref().map(|g| g.expose().clone()),
        "may_work": i.may_work,
        "sessions": i.sessions.iter().map(|s| json!({
            "id": s.id,
            "held_on": day(s.held_on),
            "minutes": s.minutes,
            "note": s.note.expose(),
            "logged_by": s.logged_by,
        })).collect::<Vec<_>>(),
    })
}

pub fn task_json(t: &TaskView, today: Date) -> Value {
    json!({
        "id": t.id.as_str(),
        "case_id": t.case_id.as_str(),
        "title": t.title.expose(),
        "owner_agency": agency_json(&t.owner_agency),
        "assignee": t.assignee,
        "due_on": day(t.due_on),
        "overdue": t.status == infohus_domain::casework::TaskStatus::Open && t.due_on < today,
        "status": t.status.as_str(),
        "created_at": rfc3339(t.created_at),
        "done_at": t.done_at.map(rfc3339),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    reason: Option<String>,
    note: Option<String>,
    confirm_open_tasks: Option<bool>,
}

async fn close_case(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<CloseBody>,
) -> Result<StatusCode, ApiError> {
    let reason = choice("reason", body.reason.as_deref(), ClosureReason::parse)?;
    let confirm = body.confirm_open_tasks.unwrap_or(false);
    state.store().close_case(&actor, &id, reason, body.note.as_deref().unwrap_or(""), confirm, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    pub(crate) reason: Option<String>,
}

async fn reopen_case(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    state.store().reopen_case(&actor, &id, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeadBody {
    agency: Option<String>,
}

async fn set_lead_agency(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<LeadBody>,
) -> Result<StatusCode, ApiError> {
    let agency = agency_code("agency", body.agency.as_deref())?;
    state.store().set_lead_agency(&actor, &id, &agency, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn timeline(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
) -> Result<Json<Value>, ApiError> {
    let case = state.store().case(&actor, &id, state.now()).await?;
    Ok(Json(json!({"items": timeline_json(&case.timeline)})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseBody {
    expected_on: Option<String>,
}

async fn set_release(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<ReleaseBody>,
) -> Result<StatusCode, ApiError> {
    let expected_on = date_field("expected_on", body.expected_on.as_deref())?;
    state.store().set_release(&actor, &id, expected_on, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn releases(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    let today = state.today();
    let list = state.store().releases(&actor, today, state.now()).await?;
    Ok(Json(json!({"items": list.iter().map(|r| json!({
        "case_id": r.case_id.as_str(),
        "person_id": r.person_id.as_str(),
        "person_name": r.person_name.expose(),
        "expected_on": day(r.expected_on),
        "days_left": (r.expected_on - today).whole_days(),
        "lead_agency": r.lead_agency,
    })).collect::<Vec<_>>()})))
}

// ---------------------------------------------------------------- instruments and assessments

async fn instruments(State(state): State<AppState>, _: ApiUser) -> Result<Json<Value>, ApiError> {
    let list = state.store().instruments().await?;
    Ok(Json(json!({"items": list.iter().map(|i| json!({
        "id": i.id, "key": i.key, "version": i.version, "name": i.name,
    })).collect::<Vec<_>>()})))
}

async fn instrument(
    State(state): State<AppState>,
    _: ApiUser,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(query.as_deref())?;
    let version = match query.get("version") {
        None => None,
        Some(raw) => Some(raw.parse::<u32>().map_err(|_| ApiError::invalid("version", "invalid_type"))?),
    };
    if !infohus_domain::instrument::is_instrument_key(&key) {
        return Err(ApiError::NotFound);
    }
    let (id, instrument) = state.store().instrument(&key, version).await?;
    let mut value: Value = serde_json::from_str(&instrument.to_canonical_json()).map_err(|_| ApiError::Internal)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("id".into(), json!(id));
    }
    Ok(Json(value))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContentBody {
    ratings: Option<BTreeMap<String, String>>,
    rationales: Option<BTreeMap<String, String>>,
    overall: Option<String>,
    recommendation: Option<String>,
    assessors: Option<Vec<String>>,
    assessed_on: Option<String>,
}

impl ContentBody {
    pub(crate) fn into_content(self, today: Date) -> Result<AssessmentContent, ApiError> {
        let assessed_on = optional_date("assessed_on", self.assessed_on.as_deref())?.unwrap_or(today);
        let assessors = crate::body::at_most("assessors", self.assessors, infohus_domain::assessment::ASSESSORS_MAX)?;
        Ok(AssessmentContent {
            ratings: self.ratings.unwrap_or_default(),
            rationales: self.rationales.unwrap_or_default(),
            overall: self.overall.unwrap_or_default(),
            recommendation: self.recommendation.filter(|r| !r.is_empty()),
            assessors,
            assessed_on,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAssessmentBody {
    instrument: Option<String>,
    version: Option<u32>,
    kind: Option<String>,
    #[serde(flatten)]
    content: ContentBodyFlat,
}

/// The content fields at the top level of a new assessment (flattened bodies cannot deny
/// unknown fields, so the outer struct lists them all through this one).
#[derive(Deserialize, Default)]
struct ContentBodyFlat {
    ratings: Option<BTreeMap<String, String>>,
    rationales: Option<BTreeMap<String, String>>,
    overall: Option<String>,
    recommendation: Option<String>,
    assessors: Option<Vec<String>>,
    assessed_on: Option<String>,
}

impl From<ContentBodyFlat> for ContentBody {
    fn from(f: ContentBodyFlat) -> Self {
        ContentBody {
            ratings: f.ratings,
            rationales: f.rationales,
            overall: f.overall,
            recommendation: f.recommendation,
            assessors: f.assessors,
            assessed_on: f.assessed_on,
        }
    }
}

async fn create_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<NewAssessmentBody>,
) -> Result<Response, ApiError> {
    let key = body.instrument.filter(|k| !k.is_empty()).ok_or_else(|| ApiError::invalid("instrument", "required"))?;
    if !infohus_domain::instrument::is_instrument_key(&key) {
        return Err(ApiError::invalid("instrument", "invalid_choice"));
    }
    let kind = choice("kind", body.kind.as_deref(), AssessmentKind::parse)?;
    let today = state.today();
    let content = ContentBody::from(body.content).into_content(today)?;
    let (instrument_id, _) = state.store().instrument(&key, body.version).await.map_err(|e| match e {
        infohus_store::StoreError::NotFound => ApiError::invalid("instrument", "invalid_choice"),
        other => other.into(),
    })?;
    let assessment =
        state.store().create_assessment(&actor, &id, &instrument_id, kind, content, today, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": assessment.as_str()}))).into_response())
}

async fn get_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AssessmentId>,
) -> Result<Json<Value>, ApiError> {
    let a = state.store().assessment(&actor, &id, state.now()).await?;
    let mut value = assessment_summary_json(&a.summary);
    let content = a.content.expose();
    if let Some(object) = value.as_object_mut() {
        object.insert("case_id".into(), json!(a.case_id.as_str()));
        object.insert("person_id".into(), json!(a.person_id.as_str()));
        object.insert("created_by".into(), json!(a.created_by));
        object.insert("signed_by".into(), json!(a.signed_by));
        object.insert("may_edit".into(), json!(a.may_edit));
        object.insert("may_correct".into(), json!(a.may_correct));
        object.insert("disclosed_to".into(), json!(a.disclosed_to));
        object.insert(
            "content".into(),
            json!({
                "ratings": content.ratings,
                "rationales": content.rationales,
                "overall": content.overall,
                "recommendation": content.recommendation,
                "assessors": content.assessors,
                "assessed_on": day(content.assessed_on),
            }),
        );
    }
    Ok(Json(value))
}

async fn update_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AssessmentId>,
    JsonBody(body): JsonBody<ContentBody>,
) -> Result<StatusCode, ApiError> {
    let today = state.today();
    let content = body.into_content(today)?;
    state.store().update_assessment(&actor, &id, content, today, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sign_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AssessmentId>,
) -> Result<StatusCode, ApiError> {
    state.store().sign_assessment(&actor, &id, state.today(), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn correct_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AssessmentId>,
) -> Result<Response, ApiError> {
    let new = state.store().correct_assessment(&actor, &id, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": new.as_str()}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisclosureBody {
    pub(crate) to_agency: Option<String>,
    pub(crate) legal_basis: Option<String>,
    pub(crate) purpose: Option<String>,
}

pub(crate) async fn disclose(
    state: &AppState,
    actor: &infohus_store::Actor,
    kind: RecordKind,
    id: &str,
    body: DisclosureBody,
) -> Result<Response, ApiError> {
    let to = agency_code("to_agency", body.to_agency.as_deref())?;
    let basis =
        body.legal_basis.filter(|b| !b.is_empty()).ok_or_else(|| ApiError::invalid("legal_basis", "required"))?;
    let disclosure = state
        .store()
        .disclose(actor, kind, id, &to, &basis, body.purpose.as_deref().unwrap_or(""), state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": disclosure }))).into_response())
}

async fn disclose_assessment(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AssessmentId>,
    JsonBody(body): JsonBody<DisclosureBody>,
) -> Result<Response, ApiError> {
    disclose(&state, &actor, RecordKind::Assessment, id.as_str(), body).await
}

async fn progression(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<PersonId>,
) -> Result<Json<Value>, ApiError> {
    let p = state.store().progression(&actor, &id, state.now()).await?;
    let g = &p.progression;
    Ok(Json(json!({
        "person_id": p.person_id.as_str(),
        "columns": g.columns.iter().map(|c| json!({"assessment_id": c.id, "assessed_on": day(c.assessed_on)})).collect::<Vec<_>>(),
        "scale": g.scale,
        "items": g.items.iter().map(|i| json!({
            "dimension": i.dimension_key,
            "dimension_name": i.dimension_name,
            "item": i.item_key,
            "text": i.item_text,
            "side": i.side.as_str(),
            "points": i.points,
            "movement": i.movement.as_str(),
        })).collect::<Vec<_>>(),
    })))
}

async fn mentoring_figure(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    let f = state.store().mentoring_figure(&actor, state.now()).await?;
    let (numerator, denominator) = f.share();
    Ok(Json(json!({
        "persons_in_programme": f.persons_in_programme,
        "followed_up": f.followed_up,
        "moved_right_direction": f.moved_right_direction,
        "share": {"numerator": numerator, "denominator": denominator},
    })))
}

// ---------------------------------------------------------------- interventions

async fn intervention_types(State(state): State<AppState>, _: ApiUser) -> Result<Json<Value>, ApiError> {
    let list = state.store().intervention_types().await?;
    Ok(Json(json!({"items": list.iter().map(|t| json!({
        "code": t.code,
        "label": crate::pages::intervention_kind_label(&list, &t.code),
        "configured_label": t.label,
        "default_review_months": t.default_review_months,
    })).collect::<Vec<_>>()})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterventionTypeBody {
    code: Option<String>,
    label: Option<String>,
    default_review_months: Option<u8>,
}

async fn add_intervention_type(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<InterventionTypeBody>,
) -> Result<StatusCode, ApiError> {
    let kind = InterventionType {
        code: body.code.unwrap_or_default(),
        label: body.label.unwrap_or_default(),
        default_review_months: body.default_review_months.unwrap_or(3),
    };
    state.store().add_intervention_type(&actor, kind).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterventionBody {
    kind: Option<String>,
    responsible: Option<String>,
    goals: Option<String>,
    start_on: Option<String>,
    review_on: Option<String>,
    sensitivity: Option<Vec<String>>,
}

async fn add_intervention(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<InterventionBody>,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::default();
    let kind = body.kind.filter(|k| !k.is_empty());
    if kind.is_none() {
        errors.push("kind", "required");
    }
    let responsible = body.responsible.filter(|r| !r.trim().is_empty());
    if responsible.is_none() {
        errors.push("responsible", "required");
    }
    let start_on = date_field("start_on", body.start_on.as_deref());
    let review_on = optional_date("review_on", body.review_on.as_deref());
    let tags = body.sensitivity.unwrap_or_default();
    let sensitivity = Sensitivities::parse_list("sensitivity", tags.iter().map(String::as_str));
    for result in [start_on.as_ref().err(), review_on.as_ref().err()].into_iter().flatten() {
        if let ApiError::Invalid(fields) = result {
            errors.0.extend(fields.0.iter().cloned());
        }
    }
    if let Err(e) = &sensitivity {
        errors.0.push(e.clone());
    }
    let (Some(kind), Some(responsible), Ok(start_on), Ok(review_on), Ok(sensitivity), true) =
        (kind, responsible, start_on, review_on, sensitivity, errors.is_empty())
    else {
        return Err(ApiError::Invalid(errors));
    };
    let new =
        NewIntervention { kind, responsible, goals: body.goals.unwrap_or_default(), start_on, review_on, sensitivity };
    let intervention = state.store().add_intervention(&actor, &id, new, state.today(), state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": intervention.as_str()}))).into_response())
}

async fn get_intervention(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<InterventionId>,
) -> Result<Json<Value>, ApiError> {
    let view = state.store().intervention(&actor, &id, state.now()).await?;
    let mut value = intervention_json(&view);
    if let Some(object) = value.as_object_mut() {
        object.insert("person_id".into(), json!(view.person_id.as_str()));
        object.insert("person_name".into(), json!(view.person_name.as_ref().map(|n| n.expose().clone())));
        object.insert("disclosed_to".into(), json!(view.disclosed_to));
    }
    Ok(Json(value))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterventionUpdateBody {
    status: Option<String>,
    review_on: Option<String>,
    outcome: Option<String>,
}

async fn update_intervention(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<InterventionId>,
    JsonBody(body): JsonBody<InterventionUpdateBody>,
) -> Result<StatusCode, ApiError> {
    let status = match body.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(InterventionStatus::parse(raw).ok_or_else(|| ApiError::invalid("status", "invalid_choice"))?),
    };
    let update = InterventionUpdate {
        status,
        review_on: optional_date("review_on", body.review_on.as_deref())?,
        outcome: body.outcome,
    };
    state.store().update_intervention(&actor, &id, update, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    held_on: Option<String>,
    minutes: Option<i64>,
    note: Option<String>,
}

async fn log_session(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<InterventionId>,
    JsonBody(body): JsonBody<SessionBody>,
) -> Result<Response, ApiError> {
    let held_on = date_field("held_on", body.held_on.as_deref())?;
    let minutes = body.minutes.ok_or_else(|| ApiError::invalid("minutes", "required"))?;
    let session = state
        .store()
        .log_session(&actor, &id, held_on, minutes, body.note.as_deref().unwrap_or(""), state.today(), state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": session}))).into_response())
}

async fn disclose_intervention(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<InterventionId>,
    JsonBody(body): JsonBody<DisclosureBody>,
) -> Result<Response, ApiError> {
    disclose(&state, &actor, RecordKind::Intervention, id.as_str(), body).await
}

// ---------------------------------------------------------------- tasks and my work

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskBody {
    title: Option<String>,
    owner_agency: Option<String>,
    assignee: Option<String>,
    due_on: Option<String>,
}

async fn add_task(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<TaskBody>,
) -> Result<Response, ApiError> {
    let task = NewTask {
        title: body.title.unwrap_or_default(),
        owner_agency: agency_code("owner_agency", body.owner_agency.as_deref())?,
        assignee: body.assignee,
        due_on: date_field("due_on", body.due_on.as_deref())?,
    };
    let id = state.store().add_task(&actor, &id, task, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id.as_str()}))).into_response())
}

async fn complete_task(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<TaskId>,
) -> Result<StatusCode, ApiError> {
    state.store().complete_task(&actor, &id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn my_work(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(query.as_deref())?;
    let scope = match query.get("scope") {
        None | Some("mine") => WorkScope::Mine,
        Some("agency") => WorkScope::Agency,
        Some(_) => return Err(ApiError::invalid("scope", "invalid_choice")),
    };
    let work = state.store().my_work(&actor, scope, state.now()).await?;
    let today = state.today();
    let due = |received| state.screening_due(received);
    Ok(Json(json!({
        "tasks": work.tasks.iter().map(|t| task_json(t, today)).collect::<Vec<_>>(),
        "reviews": work.reviews.iter().map(|r| json!({
            "intervention_id": r.intervention_id.as_str(),
            "case_id": r.case_id.as_str(),
            "person_id": r.person_id.as_str(),
            "person_name": r.person_name.expose(),
            "kind": r.kind,
            "review_on": day(r.review_on),
            "overdue": r.review_on < today,
        })).collect::<Vec<_>>(),
        "checks": work.checks.iter().map(|c| {
            let d = due(c.received_at);
            json!({
                "referral_id": c.referral_id.as_str(),
                "requested_at": rfc3339(c.requested_at),
                "screening_due": d.map(day),
                "overdue": d.is_some_and(|d| today > d),
            })
        }).collect::<Vec<_>>(),
        "awaiting_screening": work.awaiting_screening.iter().map(|a| {
            let d = due(a.received_at);
            json!({
                "referral_id": a.referral_id.as_str(),
                "received_at": rfc3339(a.received_at),
                "screening_due": d.map(day),
                "overdue": d.is_some_and(|d| today > d),
            })
        }).collect::<Vec<_>>(),
    })))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn dates_are_written_exactly_yyyy_mm_dd() {
        assert!(iso_date("2026-11-22").is_some());
        for raw in ["20261122", "2026-W47-7", "2026-326", " 2026-11-22", "2026-11-22 ", "2026-02-30", "+02026-11-22"] {
            assert!(iso_date(raw).is_none(), "{raw}");
        }
        assert!(matches!(optional_date("d", Some("")), Ok(None)));
        assert!(matches!(optional_date("d", Some(" ")), Err(ApiError::Invalid(_))));
    }

    #[test]
    fn fields_of_another_outcome_are_checked_too() {
        let body = |service: &str, reply_len: usize, agencies: usize| OutcomeBody {
            outcome: Some("no_concern".into()),
            reply: Some("x".repeat(reply_len)),
            service: Some(service.into()),
            agencies: Some(vec!["KK".into(); agencies]),
            ..OutcomeBody::default()
        };
        assert!(decision(body("", 2000, 50)).is_ok());
        assert!(decision(body("ssp", 10, 0)).is_ok());
        for bad in [body("bogus", 10, 0), body("", 2001, 0), body("", 10, 51)] {
            assert!(matches!(decision(bad), Err(ApiError::Invalid(_))));
        }
    }
}
