//! The JSON API under `/api/v1` (CONTRACT.md plus what later issues add). Handlers parse
//! and validate, then call the store, which checks access and logs; no SQL here.

use crate::auth::{ApiUser, ClientAddress, check_login};
use crate::body::{JsonBody, PathId};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use infohus_domain::municipality::PoliceDistrict;
use infohus_domain::referral::{ReferrerInput, SubjectInput};
use infohus_domain::{
    AgencyCode, CaseId, Cpr, FieldErrors, NoteId, PersonId, ReferralId, ReferralInput, ReferralStatus, Sensitivities,
    Urgency,
};
use infohus_store::{
    Action, CaseView, InboxFilter, InboxSort, LegalBasis, LogQuery, NewInfohus, PersonView, ReferralView, SessionKind,
};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/concern-categories", get(concern_categories))
        .route("/api/v1/referrals", post(create_referral).get(list_referrals))
        .route("/api/v1/referrals/{id}", get(get_referral))
        .route("/api/v1/referrals/{id}/suggestion", post(resolve_suggestion))
        .route("/api/v1/persons/{id}", get(get_person))
        .route("/api/v1/referrals/{id}/case", post(open_case))
        .route("/api/v1/cases/{id}", get(get_case))
        .route("/api/v1/cases/{id}/agencies", post(add_case_agency))
        .route("/api/v1/cases/{id}/notes", post(add_note))
        .route("/api/v1/cases/{id}/break-glass", post(break_glass))
        .route("/api/v1/notes/{id}/disclosures", post(disclose_note))
        .route("/api/v1/legal-bases", get(legal_bases).post(add_legal_basis))
        .route("/api/v1/infohuse", get(list_infohuse).post(create_infohus))
        .route("/api/v1/known-elsewhere", post(known_elsewhere))
        .route("/api/v1/share-requests", get(share_requests).post(request_share))
        .route("/api/v1/persons/{id}/transfer", post(transfer_person))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/audit/break-glass", get(audit_break_glass))
        .route("/api/v1/audit/disclosures", get(audit_disclosures))
        .route("/api/v1/audit/subject-access", get(audit_subject_access))
        .merge(crate::casework_api::routes())
        .merge(crate::meetings_api::routes())
        .merge(crate::search_api::routes())
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 100;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

/// Query parameters as pairs; the first value of a repeated name wins.
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
            .map(Self)
            .map_err(|_| ApiError::Malformed)
    }

    pub fn empty() -> Self {
        Self(Vec::new())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `limit`: an integer 1..=100, default 50; anything else is a 422.
    pub fn limit(&self) -> Result<u32, ApiError> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| ApiError::invalid("limit", "invalid_limit")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::default();
    if body.username.as_deref().unwrap_or("").is_empty() {
        errors.push("username", "required");
    }
    if body.password.as_deref().unwrap_or("").is_empty() {
        errors.push("password", "required");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let user =
        check_login(&state, body.username.as_deref().unwrap_or(""), body.password.as_deref().unwrap_or(""), address)
            .await?;
    let session = state.store().create_session(&user, SessionKind::Api, state.now()).await?;
    Ok(Json(json!({
        "token": session.token,
        "token_type": "Bearer",
        "expires_in": state.config().idle_timeout.whole_seconds(),
    }))
    .into_response())
}

async fn logout(State(state): State<AppState>, ApiUser(_, token): ApiUser) -> Result<StatusCode, ApiError> {
    state.store().end_session(&token, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(ApiUser(actor, _): ApiUser) -> Json<Value> {
    Json(json!({
        "username": actor.username(),
        "display_name": actor.display_name(),
        "role": actor.role().as_str(),
        "agency_id": actor.viewer().agency.as_str(),
        "infohus_id": actor.infohus().as_str(),
    }))
}

async fn concern_categories(State(state): State<AppState>, _: ApiUser) -> Result<Json<Value>, ApiError> {
    let catalog = crate::i18n::Catalog::danish();
    let items: Vec<Value> = state
        .store()
        .concern_categories()
        .await?
        .into_iter()
        .map(|code| json!({"code": code, "label": catalog.label("category", &code)}))
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReferralBody {
    channel: Option<String>,
    #[serde(default, deserialize_with = "crate::body::object")]
    referrer: Option<ReferrerBody>,
    #[serde(default, deserialize_with = "crate::body::object")]
    subject: Option<SubjectBody>,
    concern_category: Option<String>,
    description: Option<String>,
    urgency: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferrerBody {
    name: Option<String>,
    organisation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectBody {
    name: Option<String>,
    cpr: Option<String>,
    birth_date: Option<String>,
    gender: Option<String>,
    municipality: Option<String>,
}

impl From<ReferralBody> for ReferralInput {
    fn from(b: ReferralBody) -> Self {
        ReferralInput {
            channel: b.channel,
            referrer: b.referrer.map(|r| ReferrerInput {
                name: r.name,
                organisation: r.organisation,
                phone: r.phone,
                email: r.email,
            }),
            subject: b.subject.map(|s| SubjectInput {
                name: s.name,
                cpr: s.cpr,
                birth_date: s.birth_date,
                gender: s.gender,
                municipality: s.municipality,
            }),
            concern_category: b.concern_category,
            description: b.description,
            urgency: b.urgency,
        }
    }
}

pub fn referral_json(state: &AppState, r: &ReferralView) -> Value {
    let opt = |v: &Option<infohus_domain::Personal<String>>| v.as_ref().map(|p| p.expose().clone());
    json!({
        "id": r.id.as_str(),
        "person_id": r.person_id.as_str(),
        "status": r.status.as_str(),
        "channel": r.channel.as_str(),
        "concern_category": r.concern_category.as_str(),
        "urgency": r.urgency.as_str(),
        "under_18": r.under_18,
        "description": r.description.expose(),
        "subject": {
            "name": r.subject.name.expose(),
            "birth_date": date_text(r.subject.birth_date),
            "gender": r.subject.gender.map(|g| g.as_str()),
            "municipality": r.subject.municipality,
        },
        "referrer": {
            "name": opt(&r.referrer.name),
            "organisation": opt(&r.referrer.organisation),
            "phone": opt(&r.referrer.phone),
            "email": opt(&r.referrer.email),
        },
        "submitted_by": r.submitted_by,
        "submitted_by_agency": r.submitted_by_agency,
        "received_at": rfc3339(r.received_at),
        "updated_at": rfc3339(r.updated_at),
        "suggested_person_id": r.suggested_person_id.as_ref().map(|p| p.as_str()),
        "case_id": r.case_id.as_ref().map(|c| c.as_str()),
        // Counted in Danish working days from the day received (Copenhagen time).
        "screening_due": r.status.awaits_screening().then(|| date_text(state.screening_due(r.received_at))).flatten(),
    })
}

fn person_json(state: &AppState, p: &PersonView) -> Value {
    json!({
        "id": p.id.as_str(),
        "name": p.name.expose(),
        "cpr": p.cpr.as_ref().map(|c| c.expose().clone()),
        "birth_date": date_text(p.birth_date),
        "gender": p.gender.map(|g| g.as_str()),
        "municipality": p.municipality,
        "created_at": rfc3339(p.created_at),
        "referrals": p.referrals.iter().map(|r| referral_json(state, r)).collect::<Vec<_>>(),
    })
}

async fn create_referral(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<ReferralBody>,
) -> Result<Response, ApiError> {
    if !actor.viewer().may_submit_referral() {
        return Err(ApiError::Forbidden);
    }
    let now = state.now();
    let categories = state.store().concern_categories().await?;
    let today = infohus_domain::calendar::copenhagen(now).date();
    let referral = ReferralInput::from(body).validate(&categories, today).map_err(ApiError::Invalid)?;
    let view = state.store().create_referral(&actor, referral, now).await?;
    Ok((StatusCode::CREATED, Json(referral_json(&state, &view))).into_response())
}

/// The inbox filter from query parameters; unknown values are 422.
pub fn inbox_filter(query: &QueryParams) -> Result<InboxFilter, ApiError> {
    let mut errors = FieldErrors::default();
    let nonempty = |name: &str| query.get(name).filter(|v| !v.is_empty());
    let status = nonempty("status").and_then(|raw| {
        let parsed = ReferralStatus::parse(raw);
        if parsed.is_none() {
            errors.push("status", "invalid_choice");
        }
        parsed
    });
    let urgency = nonempty("urgency").and_then(|raw| {
        let parsed = Urgency::parse(raw);
        if parsed.is_none() {
            errors.push("urgency", "invalid_choice");
        }
        parsed
    });
    let sort = match nonempty("sort") {
        None => InboxSort::default(),
        Some(raw) => InboxSort::parse(raw).unwrap_or_else(|| {
            errors.push("sort", "invalid_choice");
            InboxSort::default()
        }),
    };
    let concern_category = nonempty("concern_category").map(str::to_owned);
    if let Some(category) = &concern_category
        && !infohus_domain::ids::is_id_shaped(category)
    {
        errors.push("concern_category", "invalid_choice");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    Ok(InboxFilter { status, concern_category, urgency, sort })
}

async fn list_referrals(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(raw.as_deref())?;
    let limit = query.limit()?;
    let filter = inbox_filter(&query)?;
    let cursor = query.get("cursor").filter(|c| !c.is_empty());
    let page = state.store().inbox(&actor, &filter, cursor, limit, state.now()).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(|r| referral_json(&state, r)).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

async fn get_referral(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
) -> Result<Json<Value>, ApiError> {
    let view = state.store().referral(&actor, &id, state.now()).await?;
    Ok(Json(referral_json(&state, &view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestionBody {
    decision: Option<String>,
}

async fn resolve_suggestion(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
    JsonBody(body): JsonBody<SuggestionBody>,
) -> Result<Json<Value>, ApiError> {
    let now = state.now();
    let person = match body.decision.as_deref() {
        Some("link") => state.store().link_suggested_person(&actor, &id, now).await?,
        Some("dismiss") => state.store().dismiss_suggested_person(&actor, &id, now).await?,
        Some(_) => return Err(ApiError::invalid("decision", "invalid_choice")),
        None => return Err(ApiError::invalid("decision", "required")),
    };
    Ok(Json(json!({ "referral_id": id.as_str(), "person_id": person.as_str() })))
}

async fn get_person(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<PersonId>,
) -> Result<Json<Value>, ApiError> {
    let view = state.store().person(&actor, &id, state.now()).await?;
    Ok(Json(person_json(&state, &view)))
}

/// The access-log query from query parameters: person, user, action, purpose, from, to.
pub(crate) fn log_query(query: &QueryParams) -> Result<Option<LogQuery>, ApiError> {
    let mut errors = FieldErrors::default();
    let nonempty = |name: &str| query.get(name).filter(|v| !v.is_empty());
    let mut unknown_person = false;
    let person = nonempty("person").and_then(|raw| {
        let parsed = PersonId::parse(raw);
        unknown_person = parsed.is_none();
        parsed
    });
    let action = nonempty("action").and_then(|raw| {
        let parsed = Action::parse(raw);
        if parsed.is_none() {
            errors.push("action", "invalid_choice");
        }
        parsed
    });
    let mut time = |name: &'static str| {
        nonempty(name).and_then(|raw| {
            let parsed = OffsetDateTime::parse(raw, &Rfc3339).ok();
            if parsed.is_none() {
                errors.push(name, "invalid_datetime");
            }
            parsed
        })
    };
    let (from, to) = (time("from"), time("to"));
    // Longer values name no user or purpose; refused rather than cut to another value.
    let mut at_most_64 = |name: &'static str| {
        let value = nonempty(name).map(str::to_owned);
        if value.as_ref().is_some_and(|v| v.chars().count() > 64) {
            errors.push(name, "too_long");
        }
        value
    };
    let (username, purpose) = (at_most_64("user"), at_most_64("purpose"));
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // A person id of the wrong shape names nobody: nothing can match.
    Ok((!unknown_person).then_some(LogQuery { person, username, action, purpose, from, to }))
}

fn entry_json(e: &infohus_store::AccessLogEntry) -> Value {
    json!({
        "seq": e.seq,
        "at": rfc3339(e.at),
        "actor": e.actor_username,
        "actor_agency_id": e.actor_agency_id,
        "actor_role": e.actor_role,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "person_id": e.person_id,
        "purpose": e.purpose,
        "criteria": e.criteria,
    })
}

async fn audit(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if !actor.viewer().may_read_access_log() {
        return Err(ApiError::Forbidden);
    }
    let query = QueryParams::parse(raw.as_deref())?;
    let limit = query.limit()?;
    let after = match query.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.strip_prefix('s')
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::invalid("cursor", "invalid_cursor"))?,
        ),
    };
    let csv = match query.get("format") {
        None | Some("") | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::invalid("format", "invalid_choice")),
    };
    let Some(log_query) = log_query(&query)? else {
        return Ok(Json(json!({ "items": [], "next_cursor": null })).into_response());
    };
    let page = state.store().search_access_log(&actor, &log_query, after, limit, csv, state.now()).await?;
    if csv {
        let mut body = String::from(crate::csv::BOM);
        body.push_str(&crate::csv::record(&[
            "seq",
            "at",
            "actor",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "person_id",
            "purpose",
            "criteria",
        ]));
        for e in &page.entries {
            let fields = [
                e.seq.to_string(),
                rfc3339(e.at),
                e.actor_username.clone(),
                e.actor_role.clone(),
                e.action.clone(),
                e.object_type.clone(),
                e.object_id.clone(),
                e.person_id.clone().unwrap_or_default(),
                e.purpose.clone(),
                e.criteria.clone(),
            ];
            body.push_str(&crate::csv::record(&fields));
        }
        return Ok((
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"access-log.csv\""),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(json!({
        "items": page.entries.iter().map(entry_json).collect::<Vec<_>>(),
        "next_cursor": page.next_after.map(|seq| format!("s{seq}")),
    }))
    .into_response())
}

async fn audit_break_glass(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    let uses = state.store().break_glass_uses(&actor, state.now()).await?;
    let items: Vec<Value> = uses
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "granted_at": rfc3339(u.granted_at), "expires_at": rfc3339(u.expires_at),
                "user": u.username, "agency": u.agency_code, "case_id": u.case_id, "person_id": u.person_id,
                "reason": u.reason.expose(),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn audit_disclosures(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    let entries = state.store().disclosures(&actor, state.now()).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "disclosed_at": rfc3339(d.disclosed_at), "note_id": d.note_id, "case_id": d.case_id,
                "person_id": d.person_id, "from_agency": d.from_agency, "to_agency": d.to_agency,
                "legal_basis": d.legal_basis, "purpose": d.purpose.expose(), "disclosed_by": d.disclosed_by,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn audit_subject_access(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    if !actor.viewer().may_read_access_log() {
        return Err(ApiError::Forbidden);
    }
    let query = QueryParams::parse(raw.as_deref())?;
    let Some(raw_person) = query.get("person").filter(|p| !p.is_empty()) else {
        return Err(ApiError::invalid("person", "required"));
    };
    let person = PersonId::parse(raw_person).ok_or_else(|| ApiError::invalid("person", "unknown_person"))?;
    let lines = state.store().subject_access_report(&actor, &person, state.now()).await?;
    let items: Vec<Value> =
        lines.iter().map(|l| json!({ "at": rfc3339(l.at), "action": l.action, "purpose": l.purpose })).collect();
    Ok(Json(json!({ "person_id": person.as_str(), "items": items })))
}

// ---- cases, notes, disclosures, break glass, legal bases ----------------------------

pub(crate) fn agency_code(field: &str, raw: Option<&str>) -> Result<AgencyCode, ApiError> {
    match raw {
        None | Some("") => Err(ApiError::invalid(field, "required")),
        Some(raw) => AgencyCode::parse(raw).ok_or_else(|| ApiError::invalid(field, "unknown_agency")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenCaseBody {
    lead_agency: Option<String>,
    agencies: Option<Vec<String>>,
}

async fn open_case(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<ReferralId>,
    JsonBody(body): JsonBody<OpenCaseBody>,
) -> Result<Response, ApiError> {
    let lead = agency_code("lead_agency", body.lead_agency.as_deref())?;
    let agencies = crate::body::at_most("agencies", body.agencies, 50)?
        .iter()
        .map(|a| agency_code("agencies", Some(a)))
        .collect::<Result<Vec<_>, _>>()?;
    let case = state.store().open_case(&actor, &id, &lead, &agencies, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": case.as_str() }))).into_response())
}

fn case_json(state: &AppState, c: &CaseView) -> Value {
    use crate::casework_api::{assessment_summary_json, intervention_json, task_json, timeline_json};
    let today = state.today();
    let agency = |a: &infohus_store::AgencyRef| json!({"code": a.code, "name": a.name});
    json!({
        "id": c.id.as_str(),
        "person_id": c.person_id.as_str(),
        "referral_id": c.referral_id.as_str(),
        "status": c.status,
        "lead_agency": agency(&c.lead_agency),
        "agencies": c.agencies.iter().map(agency).collect::<Vec<_>>(),
        "opened_at": rfc3339(c.opened_at),
        "closed_at": c.closed_at.map(rfc3339),
        "closed_reason": c.closed_reason.map(|r| r.as_str()),
        "release_on": date_text(c.release_on),
        "break_glass": c.break_glass,
        "assessments": c.assessments.iter().map(assessment_summary_json).collect::<Vec<_>>(),
        "interventions": c.interventions.iter().map(intervention_json).collect::<Vec<_>>(),
        "tasks": c.tasks.iter().map(|t| task_json(t, today)).collect::<Vec<_>>(),
        "timeline": timeline_json(&c.timeline),
        "notes": c.notes.iter().map(|n| json!({
            "id": n.id.as_str(),
            "owner_agency": agency(&n.owner_agency),
            "author": n.author,
            "sensitivity": n.sensitivity.tags().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            "body": n.body.expose(),
            "created_at": rfc3339(n.created_at),
            "disclosed_to": n.disclosed_to,
        })).collect::<Vec<_>>(),
    })
}

async fn get_case(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(case_json(&state, &state.store().case(&actor, &id, state.now()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseAgencyBody {
    agency: Option<String>,
}

async fn add_case_agency(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<CaseAgencyBody>,
) -> Result<StatusCode, ApiError> {
    let agency = agency_code("agency", body.agency.as_deref())?;
    state.store().add_case_agency(&actor, &id, &agency, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    body: Option<String>,
    sensitivity: Option<Vec<String>>,
}

async fn add_note(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Response, ApiError> {
    let tags = body.sensitivity.unwrap_or_default();
    let sensitivity = Sensitivities::parse_list("sensitivity", tags.iter().map(String::as_str))
        .map_err(|e| ApiError::Invalid(FieldErrors(vec![e])))?;
    let note =
        state.store().add_note(&actor, &id, body.body.as_deref().unwrap_or(""), sensitivity, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": note.as_str() }))).into_response())
}

async fn disclose_note(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<NoteId>,
    JsonBody(body): JsonBody<crate::casework_api::DisclosureBody>,
) -> Result<Response, ApiError> {
    crate::casework_api::disclose(&state, &actor, infohus_store::RecordKind::Note, id.as_str(), body).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakGlassBody {
    reason: Option<String>,
}

async fn break_glass(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<BreakGlassBody>,
) -> Result<Response, ApiError> {
    let grant = state.store().break_glass(&actor, &id, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": grant.id, "case_id": grant.case_id.as_str(), "expires_at": rfc3339(grant.expires_at) })),
    )
        .into_response())
}

async fn legal_bases(State(state): State<AppState>, _: ApiUser) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = state
        .store()
        .legal_bases()
        .await?
        .iter()
        .map(|b| {
            json!({"code": b.code, "label": b.label, "covers_special_category": b.covers_special_category,
                        "covers_criminal_offence": b.covers_criminal_offence})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalBasisBody {
    code: Option<String>,
    label: Option<String>,
    covers_special_category: Option<bool>,
    covers_criminal_offence: Option<bool>,
}

async fn add_legal_basis(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<LegalBasisBody>,
) -> Result<StatusCode, ApiError> {
    if !actor.viewer().may_configure() {
        return Err(ApiError::Forbidden);
    }
    let basis = LegalBasis {
        code: body.code.unwrap_or_default(),
        label: body.label.unwrap_or_default(),
        covers_special_category: body.covers_special_category.unwrap_or(false),
        covers_criminal_offence: body.covers_criminal_offence.unwrap_or(false),
    };
    state.store().add_legal_basis(&actor, basis, state.now()).await?;
    Ok(StatusCode::CREATED)
}

// ---- infohuse (national administrators) --------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InfohusBody {
    code: Option<String>,
    name: Option<String>,
    police_district: Option<String>,
    national: Option<bool>,
}

async fn list_infohuse(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    if !actor.viewer().may_create_infohus() {
        return Err(ApiError::Forbidden);
    }
    let items: Vec<Value> = state
        .store()
        .infohuse()
        .await?
        .iter()
        .map(|h| {
            json!({"id": h.id.as_str(), "code": h.code, "name": h.name, "national": h.national,
                   "police_district": h.police_district.map(|d| d.code())})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_infohus(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<InfohusBody>,
) -> Result<Response, ApiError> {
    if !actor.viewer().may_create_infohus() {
        return Err(ApiError::Forbidden);
    }
    let code = match body.code.as_deref() {
        None | Some("") => return Err(ApiError::invalid("code", "required")),
        Some(raw) => AgencyCode::parse(raw).ok_or_else(|| ApiError::invalid("code", "invalid_code"))?,
    };
    let police_district = match body.police_district.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            Some(PoliceDistrict::parse(raw).ok_or_else(|| ApiError::invalid("police_district", "invalid_choice"))?)
        }
    };
    let new = NewInfohus {
        code,
        name: body.name.unwrap_or_default(),
        police_district,
        national: body.national.unwrap_or(false),
    };
    let id = state.store().create_infohus(&actor, new, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id.as_str() }))).into_response())
}

// ---- between infohuse ------------------------------------------------------------

fn cpr_field(raw: Option<&str>) -> Result<Cpr, ApiError> {
    match raw {
        None | Some("") => Err(ApiError::invalid("cpr", "required")),
        Some(raw) => Cpr::parse(raw).map_err(|_| ApiError::invalid("cpr", "invalid_cpr")),
    }
}

fn infohus_code(field: &str, raw: Option<&str>) -> Result<AgencyCode, ApiError> {
    match raw {
        None | Some("") => Err(ApiError::invalid(field, "required")),
        Some(raw) => AgencyCode::parse(raw).ok_or_else(|| ApiError::invalid(field, "unknown_infohus")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownElsewhereBody {
    cpr: Option<String>,
}

/// POST, so the CPR number travels in the body, never in a URL.
async fn known_elsewhere(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<KnownElsewhereBody>,
) -> Result<Json<Value>, ApiError> {
    let cpr = cpr_field(body.cpr.as_deref())?;
    let hits = state.store().known_elsewhere(&actor, &cpr, state.now()).await?;
    Ok(Json(json!({
        "known": !hits.is_empty(),
        "infohuse": hits.iter().map(|h| json!({"code": h.infohus_code, "name": h.infohus_name})).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareRequestBody {
    cpr: Option<String>,
    to_infohus: Option<String>,
    legal_basis: Option<String>,
    purpose: Option<String>,
}

async fn request_share(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<ShareRequestBody>,
) -> Result<Response, ApiError> {
    let cpr = cpr_field(body.cpr.as_deref())?;
    let to = infohus_code("to_infohus", body.to_infohus.as_deref())?;
    let basis =
        body.legal_basis.filter(|b| !b.is_empty()).ok_or_else(|| ApiError::invalid("legal_basis", "required"))?;
    let id = state
        .store()
        .request_share(&actor, &cpr, &to, &basis, body.purpose.as_deref().unwrap_or(""), state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn share_requests(State(state): State<AppState>, ApiUser(actor, _): ApiUser) -> Result<Json<Value>, ApiError> {
    let requests = state.store().share_requests_received(&actor, state.now()).await?;
    let items: Vec<Value> = requests
        .iter()
        .map(|r| {
            json!({"id": r.id, "from_infohus": r.from_infohus, "person_id": r.person_id, "legal_basis": r.legal_basis,
                   "purpose": r.purpose.expose(), "requested_by": r.requested_by, "requested_at": rfc3339(r.requested_at)})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    to_infohus: Option<String>,
    legal_basis: Option<String>,
    purpose: Option<String>,
}

async fn transfer_person(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<PersonId>,
    JsonBody(body): JsonBody<TransferBody>,
) -> Result<StatusCode, ApiError> {
    let to = infohus_code("to_infohus", body.to_infohus.as_deref())?;
    let basis =
        body.legal_basis.filter(|b| !b.is_empty()).ok_or_else(|| ApiError::invalid("legal_basis", "required"))?;
    state.store().transfer_person(&actor, &id, &to, &basis, body.purpose.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
