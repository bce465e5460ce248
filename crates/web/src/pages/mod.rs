//! The Danish web pages: login, inbox, the referral form, referral, person and case pages,
//! break glass, and the auditor's views (access log with CSV export, break-glass uses,
//! disclosures, a data subject's access report). Server-rendered, no JavaScript, every form
//! CSRF-protected.

mod account;
mod admin;
mod audit;
mod between;
mod cases;
mod referrals;

use account::*;
use admin::*;
use audit::*;
use between::*;
use cases::*;
use referrals::*;

use crate::api::{QueryParams, inbox_filter};
use crate::auth::{
    ClientAddress, LOGIN_CSRF_COOKIE, LoginFailure, SESSION_COOKIE, WebUser, check_login, constant_time_eq, cookie,
};
use crate::body::read_limited;
use crate::error::ApiError;
use crate::i18n::Catalog;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use infohus_domain::calendar::copenhagen;
use infohus_domain::referral::{
    Channel, DEFAULT_CONCERN_CATEGORIES, Gender, ReferrerInput, SubjectInput, Urgency, age_on,
};
use infohus_domain::{
    AgencyCode, CaseId, Cpr, FieldErrors, LegalBasisScope, NoteId, PersonId, ReferralId, ReferralInput, ReferralStatus,
    Role, Sensitivities, Sensitivity,
};
use infohus_store::{
    AccessLogEntry, Action, Actor, Agency, CaseView, InboxSort, LegalBasis, LogQuery, ReferralView, SessionKind,
    StoreError,
};
use time::{Date, OffsetDateTime};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/log-ind", get(login_form).post(login_submit))
        .route("/log-ud", post(logout))
        .route("/indbakke", get(inbox))
        .route("/henvendelser/ny", get(new_referral))
        .route("/henvendelser", post(create_referral))
        .route("/henvendelser/{id}", get(referral))
        .route("/henvendelser/{id}/match", post(resolve_match))
        .route("/henvendelser/{id}/sag", post(open_case))
        .route("/personer/{id}", get(person))
        .route("/sager/{id}", get(case))
        .route("/sager/{id}/notater", post(add_note))
        .route("/sager/{id}/myndigheder", post(add_case_agency))
        .route("/sager/{id}/noedadgang", get(break_glass_form).post(break_glass))
        .route("/notater/{id}/videregiv", post(disclose_note))
        .route("/revision", get(audit))
        .route("/opsaetning/hjemler", get(legal_bases).post(add_legal_basis))
        .route("/kendt-andetsteds", get(known_elsewhere_form).post(known_elsewhere))
        .route("/kendt-andetsteds/anmodning", post(request_share))
        .route("/revision/csv", get(audit_csv))
        .route("/revision/noedadgang", get(break_glass_uses))
        .route("/revision/videregivelser", get(disclosures))
        .route("/revision/indsigt", get(subject_access))
}

fn t() -> &'static Catalog {
    Catalog::danish()
}

// ---- time as Danes read it -------------------------------------------------------------

fn da_date(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

fn da_datetime(t: OffsetDateTime) -> String {
    let local = copenhagen(t);
    format!("{} kl. {:02}.{:02}", da_date(local.date()), local.hour(), local.minute())
}

// ---- layout ----------------------------------------------------------------------------

struct MenuItem {
    href: &'static str,
    label: &'static str,
    active: bool,
}

struct UserBar {
    display_name: String,
    role_label: String,
    csrf: String,
    menu: Vec<MenuItem>,
}

fn user_bar(user: &WebUser, active: &str) -> UserBar {
    let role = user.actor.role();
    let items: &[(&'static str, &'static str)] = match role {
        Role::Coordinator => &[
            ("/indbakke", "nav.inbox"),
            ("/henvendelser/ny", "nav.new_referral"),
            ("/kendt-andetsteds", "nav.known_elsewhere"),
        ],
        Role::Member => &[("/indbakke", "nav.inbox"), ("/henvendelser/ny", "nav.new_referral")],
        Role::Auditor => &[
            ("/revision", "nav.audit"),
            ("/revision/noedadgang", "nav.break_glass"),
            ("/revision/videregivelser", "nav.disclosures"),
            ("/revision/indsigt", "nav.subject_access"),
        ],
        Role::Admin => &[("/", "nav.home"), ("/opsaetning/hjemler", "nav.legal_bases")],
        Role::Analyst | Role::Mentor | Role::NationalAdmin => &[("/", "nav.home")],
    };
    UserBar {
        display_name: user.actor.display_name().to_owned(),
        role_label: t().label("role", role.as_str()),
        csrf: user.csrf.clone(),
        menu: items.iter().map(|(href, key)| MenuItem { href, label: t().get(key), active: *href == active }).collect(),
    }
}

async fn infohus_name(state: &AppState, actor: Option<&Actor>) -> String {
    let id = match actor {
        Some(actor) => Ok(actor.infohus().clone()),
        None => state.store().default_infohus().await,
    };
    match id {
        Ok(id) => state.store().infohus_name(&id).await.unwrap_or_else(|_| t().get("app.name").to_owned()),
        Err(_) => t().get("app.name").to_owned(),
    }
}

fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    heading: String,
    text: String,
    link: Option<(String, String)>,
}

fn message_page(
    status: StatusCode,
    user: Option<UserBar>,
    infohus_name: String,
    heading: &str,
    text: &str,
) -> Response {
    render(
        status,
        &MessagePage {
            t: t(),
            title: t().get(heading).to_owned(),
            infohus_name,
            user,
            heading: t().get(heading).to_owned(),
            text: t().get(text).to_owned(),
            link: Some(("/".to_owned(), t().get("page.back_home").to_owned())),
        },
    )
}

pub fn not_found_page() -> Response {
    message_page(StatusCode::NOT_FOUND, None, t().get("app.name").to_owned(), "page.not_found", "page.not_found_text")
}

/// The page for an error from the store or the request, in the signed-in layout.
async fn error_page(state: &AppState, user: &WebUser, active: &str, error: ApiError) -> Response {
    // A conflict with its own sentence in the catalogue ("the referral already has a case") says it.
    let conflict_key = match &error {
        ApiError::Conflict(code) => Some(format!("error.{code}")).filter(|key| t().has(key)),
        _ => None,
    };
    let (heading, text) = match error {
        ApiError::NotFound => ("page.not_found", "page.not_found_text"),
        ApiError::Forbidden => ("page.forbidden", "page.forbidden_text"),
        ApiError::TooLarge => ("page.too_large", "page.too_large_text"),
        ApiError::Malformed | ApiError::UnsupportedMediaType | ApiError::Invalid(_) => {
            ("page.bad_request", "page.bad_request_text")
        }
        ApiError::Conflict(_) => ("page.conflict", conflict_key.as_deref().unwrap_or("page.conflict_text")),
        _ => ("page.error", "page.error_text"),
    };
    let name = infohus_name(state, Some(&user.actor)).await;
    message_page(error.status(), Some(user_bar(user, active)), name, heading, text)
}

fn session_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if state.config().secure_cookies {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("infohus_session=; Max-Age=0"))
}

fn form_pairs(bytes: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).map_err(|_| ApiError::Malformed)
}

fn pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Every value of a repeated form field (checkbox groups).
fn pairs_all<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A submitted form's fields, once its CSRF token is checked.
async fn read_form(user: &WebUser, headers: &HeaderMap, body: Body) -> Result<Vec<(String, String)>, ApiError> {
    let pairs = read_limited(headers, body).await.and_then(|b| form_pairs(&b))?;
    if !user.csrf_ok(pair(&pairs, "csrf")) {
        return Err(ApiError::Forbidden);
    }
    Ok(pairs)
}

/// A form posted about one thing (`/sager/{id}/notater`, `/henvendelser/{id}/sag`): the
/// signed-in user, the id (the not-found page when it cannot be one) and the CSRF-checked
/// fields. Every such page belongs under the inbox in the menu.
pub(super) struct PagePost<T> {
    pub(super) user: WebUser,
    pub(super) id: T,
    pub(super) pairs: Vec<(String, String)>,
}

impl<T: infohus_domain::ids::OpaqueId + Send> axum::extract::FromRequest<AppState> for PagePost<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = request.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let id =
            Path::<String>::from_request_parts(&mut parts, state).await.ok().and_then(|Path(raw)| T::parse_id(&raw));
        let Some(id) = id else {
            return Err(error_page(state, &user, "/indbakke", ApiError::NotFound).await);
        };
        match read_form(&user, &parts.headers, body).await {
            Ok(pairs) => Ok(Self { user, id, pairs }),
            Err(error) => Err(error_page(state, &user, "/indbakke", error).await),
        }
    }
}

/// 303 See Other: where a successful form post goes.
fn see_other(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// The message for the first error on any of `fields`.
fn field_error(errors: &FieldErrors, fields: &[&str]) -> Option<String> {
    errors.0.iter().find(|e| fields.contains(&e.field.as_str())).map(|e| t().label("field_error", e.code))
}

/// The error summary's links: (anchor, label key, fields shown at that anchor).
fn error_links(errors: &FieldErrors, specs: &[(&str, &str, &[&str])]) -> Vec<ErrorLink> {
    specs
        .iter()
        .filter_map(|(anchor, label, fields)| {
            field_error(errors, fields).map(|message| ErrorLink {
                anchor: (*anchor).to_owned(),
                label: t().get(label).to_owned(),
                message,
            })
        })
        .collect()
}

fn status_of(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }
}

/// One checkbox of a group.
struct Check {
    id: String,
    value: String,
    label: String,
    checked: bool,
}

// ---- shared form helpers ----------------------------------------------------------------

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

fn options(group: &str, codes: impl IntoIterator<Item = String>, selected: Option<&str>) -> Vec<Opt> {
    codes
        .into_iter()
        .map(|code| Opt { label: t().label(group, &code), selected: selected == Some(code.as_str()), value: code })
        .collect()
}

struct ErrorLink {
    anchor: String,
    label: String,
    message: String,
}

fn with_blank(mut options: Vec<Opt>) -> Vec<Opt> {
    let none_selected = options.iter().all(|o| !o.selected);
    options.insert(0, Opt { value: String::new(), label: t().get("form.choose").to_owned(), selected: none_selected });
    options
}

fn or_dash(value: Option<String>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| "–".to_owned())
}

/// An agency code chosen in a select: required, and shaped like a code.
fn chosen_agency(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<AgencyCode> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(field, "required");
            None
        }
        Some(raw) => AgencyCode::parse(raw).or_else(|| {
            errors.push(field, "invalid_choice");
            None
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn date_inputs_parse_strictly() {
        assert_eq!(parse_date("2026-03-01"), Date::from_calendar_date(2026, time::Month::March, 1).ok());
        for bad in ["2026-02-30", "2026-3-01", "01-03-2026", "2026-03-01-1", "", "abcd-ef-gh"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_filters_cover_whole_utc_days() {
        let query = QueryParams::parse(Some("from=2026-03-01&to=2026-03-01&action=read&purpose=case_view")).unwrap();
        let log = log_query(&query).unwrap();
        assert_eq!(log.from, Some(datetime!(2026-03-01 00:00 UTC)));
        assert_eq!(log.to, Some(datetime!(2026-03-02 00:00 UTC)));
        assert_eq!(log.action, Some(Action::Read));
        let bad = QueryParams::parse(Some("from=1.3.2026&action=look&purpose=x&person=a b")).unwrap();
        let fields: Vec<_> = log_query(&bad).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["person", "action", "purpose", "from"]);
    }

    #[test]
    fn dates_read_the_danish_way() {
        assert_eq!(da_datetime(datetime!(2026-11-22 10:05 UTC)), "22.11.2026 kl. 11.05");
    }
}
