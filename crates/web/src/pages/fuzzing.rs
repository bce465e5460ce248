//! Entry points for the fuzz targets in `fuzz/` at the repository root; nothing in the
//! application calls them. Each runs one parser of outside input the way its handler does
//! (the same functions, in the same order), stops before the store, and answers with plain
//! data, so that a fuzz target can check invariants without an HTTP stack or a database.
//!
//! The module sits under `pages` because the pages' form helpers are private to it; the
//! crate root re-exports it as `infohus_web::fuzzing` (hidden from the documentation).

use super::{audit, form_pairs, meetings, optional_date, referrals};
use crate::api::{QueryParams, ReferralBody, inbox_filter, log_query};
use crate::auth;
use crate::body::parse_json;
use crate::casework_api::{ContentBody, OutcomeBody, date_field, decision};
use crate::error::ApiError;
use crate::meetings_api::local_time;
use axum::http::{HeaderMap, HeaderValue, header};
use infohus_domain::assessment::{AssessmentContent, validate_draft, validate_for_sign_off};
use infohus_domain::field::FieldError;
use infohus_domain::{FieldErrors, Instrument, NewReferral, ReferralInput};
use infohus_store::{Decision, InboxFilter, LogQuery};
use time::{Date, PrimitiveDateTime, Time};

/// How a handler refuses an input: the HTTP status, the error code of the contract's error
/// body, and the invalid fields (only for 422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub fields: Vec<FieldError>,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        let status = error.status().as_u16();
        let code = error.code();
        let fields = match error {
            ApiError::Invalid(fields) => fields.0,
            _ => Vec::new(),
        };
        Self { status, code, fields }
    }
}

impl From<FieldErrors> for Refusal {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Invalid(errors).into()
    }
}

/// Request headers with the given `Content-Type` (none when absent or not a header value).
fn headers(content_type: Option<&[u8]>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = content_type.and_then(|raw| HeaderValue::from_bytes(raw).ok()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers
}

// ---- JSON bodies --------------------------------------------------------------------------

/// `POST /api/v1/referrals`: the body read as the handler reads it, then validated against
/// the concern categories on `today`.
pub fn referral_json(
    content_type: Option<&[u8]>,
    body: &[u8],
    categories: &[String],
    today: Date,
) -> Result<NewReferral, Refusal> {
    let body: ReferralBody = parse_json(&headers(content_type), body)?;
    Ok(ReferralInput::from(body).validate(categories, today)?)
}

/// `POST /api/v1/referrals/{id}/screening/outcome`: the body and the decision it describes.
pub fn screening_decision_json(content_type: Option<&[u8]>, body: &[u8]) -> Result<Decision, Refusal> {
    let body: OutcomeBody = parse_json(&headers(content_type), body)?;
    Ok(decision(body)?)
}

/// An assessment's content as `PUT /api/v1/assessments/{id}` sends it: read, checked as a
/// draft against `instrument` (what the store does before saving), and then the draft
/// checked for sign-off (the second result).
pub fn assessment_json(
    content_type: Option<&[u8]>,
    body: &[u8],
    instrument: &Instrument,
    today: Date,
) -> Result<(AssessmentContent, Result<AssessmentContent, Refusal>), Refusal> {
    let body: ContentBody = parse_json(&headers(content_type), body)?;
    let draft = validate_draft(instrument, body.into_content(today)?, today)?;
    let signed = validate_for_sign_off(instrument, draft.clone(), today).map_err(Refusal::from);
    Ok((draft, signed))
}

// ---- query strings ------------------------------------------------------------------------

/// What the API's list endpoints read from one query string.
#[derive(Debug)]
pub struct ApiQuery {
    /// `limit` as every list reads it.
    pub limit: Result<u32, Refusal>,
    /// The inbox filter of `GET /api/v1/referrals`.
    pub inbox: Result<InboxFilter, Refusal>,
    /// The access-log search of `GET /api/v1/audit` (`None`: a person id that names nobody).
    pub audit: Result<Option<LogQuery>, Refusal>,
}

/// The query string as `QueryParams` reads it, then each list's own reading of it.
pub fn api_query(raw: Option<&str>) -> Result<ApiQuery, Refusal> {
    let query = QueryParams::parse(raw)?;
    Ok(ApiQuery {
        limit: query.limit().map_err(Refusal::from),
        inbox: inbox_filter(&query).map_err(Refusal::from),
        audit: log_query(&query).map_err(Refusal::from),
    })
}

/// The value of `name` in a query string (the first one wins), as handlers read it.
pub fn query_value(raw: Option<&str>, name: &str) -> Result<Option<String>, Refusal> {
    Ok(QueryParams::parse(raw)?.get(name).map(str::to_owned))
}

/// What the auditor's search page reads from its query string: the search (when valid) and
/// the filters written back as a query string for the paging and CSV links.
#[derive(Debug)]
pub struct AuditPageQuery {
    pub search: Result<LogQuery, FieldErrors>,
    pub filters: String,
}

/// The auditor's search page: a malformed query string counts as an empty one, as there.
pub fn audit_page_query(raw: Option<&str>) -> AuditPageQuery {
    let query = QueryParams::parse(raw).unwrap_or_else(|_| QueryParams::empty());
    AuditPageQuery { search: audit::log_query(&query), filters: audit::filter_query(&query) }
}

// ---- form bodies --------------------------------------------------------------------------

/// An `application/x-www-form-urlencoded` body as every page reads it.
pub fn form(body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    Ok(form_pairs(body)?)
}

/// The referral form (`POST /henvendelser/ny`): the body read into a referral input and
/// validated as the page does.
pub fn referral_form(body: &[u8], categories: &[String], today: Date) -> Result<NewReferral, Refusal> {
    let pairs = form_pairs(body)?;
    Ok(referrals::input_from_form(&pairs).validate(categories, today)?)
}

/// A meeting form's date and time fields (`date`, `time`) read as one Copenhagen wall-clock
/// time.
pub fn meeting_form_time(body: &[u8]) -> Result<PrimitiveDateTime, Refusal> {
    let pairs = form_pairs(body)?;
    let mut errors = FieldErrors::default();
    match meetings::wall_clock(&mut errors, &pairs, "date", "time") {
        Some(when) if errors.is_empty() => Ok(when),
        _ => Err(errors.into()),
    }
}

// ---- single fields ------------------------------------------------------------------------

/// A page's `<input type="date">` value (`YYYY-MM-DD`).
pub fn page_date(raw: &str) -> Option<Date> {
    audit::parse_date(raw)
}

/// A page's optional date field: blank is `None`, anything else must be a date.
pub fn page_optional_date(raw: Option<&str>) -> Result<Option<Date>, Refusal> {
    let mut errors = FieldErrors::default();
    let date = optional_date(&mut errors, "date", raw);
    if errors.is_empty() { Ok(date) } else { Err(errors.into()) }
}

/// A page's `<input type="time">` value (`HH:MM`, or `HH.MM`).
pub fn page_clock(raw: &str) -> Option<Time> {
    meetings::parse_clock(raw)
}

/// An API date field (`YYYY-MM-DD`).
pub fn api_date(raw: Option<&str>) -> Result<Date, Refusal> {
    Ok(date_field("date", raw)?)
}

/// An API local wall-clock time field (`YYYY-MM-DDTHH:MM`).
pub fn api_local_time(raw: Option<&str>) -> Result<PrimitiveDateTime, Refusal> {
    Ok(local_time("starts_at", raw)?)
}

// ---- headers ------------------------------------------------------------------------------

/// The bearer token of an `Authorization` header value.
pub fn bearer_token(authorization: &[u8]) -> Option<String> {
    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, HeaderValue::from_bytes(authorization).ok()?);
    auth::bearer_token(&headers).map(str::to_owned)
}

/// The value of cookie `name` in `Cookie` header values.
pub fn cookie(values: &[&[u8]], name: &str) -> Option<String> {
    let mut headers = HeaderMap::new();
    for value in values.iter().filter_map(|raw| HeaderValue::from_bytes(raw).ok()) {
        headers.append(header::COOKIE, value);
    }
    auth::cookie(&headers, name).map(str::to_owned)
}
