//! The Danish web pages: login, inbox, the referral form, referral, person and case pages,
//! break glass, and the auditor's views (access log with CSV export, break-glass uses,
//! disclosures, a data subject's access report). Server-rendered, no JavaScript, every form
//! CSRF-protected.

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
use infohus_domain::referral::{
    Channel, DEFAULT_CONCERN_CATEGORIES, Gender, ReferrerInput, SubjectInput, Urgency, age_on,
};
use infohus_domain::{
    AgencyCode, CaseId, FieldErrors, LegalBasisScope, NoteId, PersonId, ReferralId, ReferralInput, ReferralStatus,
    Role, Sensitivities, Sensitivity,
};
use infohus_store::{
    AccessLogEntry, Action, Actor, Agency, CaseView, InboxSort, LegalBasis, LogQuery, ReferralView, SessionKind,
    StoreError,
};
use time::{Date, OffsetDateTime, UtcOffset, Weekday};

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
        .route("/revision/csv", get(audit_csv))
        .route("/revision/noedadgang", get(break_glass_uses))
        .route("/revision/videregivelser", get(disclosures))
        .route("/revision/indsigt", get(subject_access))
}

fn t() -> &'static Catalog {
    Catalog::danish()
}

// ---- time as Danes read it -------------------------------------------------------------

/// The last Sunday of a month, for the EU summer-time rule.
fn last_sunday(year: i32, month: time::Month) -> Option<Date> {
    let mut day = Date::from_calendar_date(year, month, 31).ok()?;
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day()?;
    }
    Some(day)
}

/// Copenhagen local time: CET, or CEST from the last Sunday of March to the last Sunday of
/// October (01:00 UTC both ends).
fn copenhagen(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer = match (last_sunday(year, time::Month::March), last_sunday(year, time::Month::October)) {
        (Some(start), Some(end)) => {
            let start = start.with_hms(1, 0, 0).map(|d| d.assume_utc());
            let end = end.with_hms(1, 0, 0).map(|d| d.assume_utc());
            matches!((start, end), (Ok(s), Ok(e)) if utc >= s && utc < e)
        }
        _ => false,
    };
    let offset = UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(UtcOffset::UTC);
    utc.to_offset(offset)
}

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
        Role::Coordinator | Role::Member => &[("/indbakke", "nav.inbox"), ("/henvendelser/ny", "nav.new_referral")],
        Role::Auditor => &[
            ("/revision", "nav.audit"),
            ("/revision/noedadgang", "nav.break_glass"),
            ("/revision/videregivelser", "nav.disclosures"),
            ("/revision/indsigt", "nav.subject_access"),
        ],
        Role::Admin | Role::Analyst | Role::Mentor => &[("/", "nav.home")],
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

// ---- home, login, logout ---------------------------------------------------------------

async fn home(State(state): State<AppState>, user: Result<WebUser, crate::auth::ToLogin>) -> Response {
    let Ok(user) = user else {
        return Redirect::to("/log-ind").into_response();
    };
    match user.actor.role() {
        Role::Coordinator | Role::Member => Redirect::to("/indbakke").into_response(),
        Role::Auditor => Redirect::to("/revision").into_response(),
        Role::Admin | Role::Analyst | Role::Mentor => {
            let name = infohus_name(&state, Some(&user.actor)).await;
            let key = format!("home.text_{}", user.actor.role().as_str());
            let text = t().get(&key).to_owned();
            render(
                StatusCode::OK,
                &MessagePage {
                    t: t(),
                    title: t().get("home.title").to_owned(),
                    infohus_name: name,
                    user: Some(user_bar(&user, "/")),
                    heading: t().get("home.title").to_owned(),
                    text,
                    link: None,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn login_page(
    state: &AppState,
    status: StatusCode,
    username: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let csrf = infohus_store_token();
    let mut response = render(
        status,
        &LoginPage {
            t: t(),
            title: t().get("login.title").to_owned(),
            infohus_name: infohus_name(state, None).await,
            user: None,
            csrf: csrf.clone(),
            username,
            error,
            notice,
        },
    );
    let mut cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/log-ind; HttpOnly; SameSite=Strict");
    if state.config().secure_cookies {
        cookie.push_str("; Secure");
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn infohus_store_token() -> String {
    use base64::Engine;
    use rand::RngExt;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn login_form(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let query = QueryParams::parse(raw.as_deref()).ok();
    let notice = match query.as_ref().and_then(|q| q.get("status")) {
        Some("logget-ud") => Some(t().get("login.logged_out").to_owned()),
        Some("udloebet") => Some(t().get("login.expired").to_owned()),
        _ => None,
    };
    login_page(&state, StatusCode::OK, String::new(), None, notice).await
}

async fn login_submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let pairs = match read_limited(&headers, body).await.and_then(|b| form_pairs(&b)) {
        Ok(pairs) => pairs,
        Err(error) => {
            let key = if matches!(error, ApiError::TooLarge) { "page.too_large_text" } else { "page.bad_request_text" };
            return login_page(&state, error.status(), String::new(), Some(t().get(key).to_owned()), None).await;
        }
    };
    let username: String = pair(&pairs, "username").unwrap_or("").trim().chars().take(64).collect();
    let csrf_ok = match (cookie(&headers, LOGIN_CSRF_COOKIE), pair(&pairs, "csrf")) {
        (Some(expected), Some(given)) => constant_time_eq(expected.as_bytes(), given.as_bytes()),
        _ => false,
    };
    if !csrf_ok {
        let message = t().get("login.csrf").to_owned();
        return login_page(&state, StatusCode::FORBIDDEN, username, Some(message), None).await;
    }
    let password = pair(&pairs, "password").unwrap_or("");
    match check_login(&state, &username, password, address).await {
        Ok(user) => match state.store().create_session(&user, SessionKind::Web, state.now()).await {
            Ok(session) => {
                let mut response = Redirect::to("/").into_response();
                *response.status_mut() = StatusCode::SEE_OTHER;
                response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &session.token, None));
                response
            }
            Err(error) => {
                tracing::error!(code = error.code(), "session creation failed");
                login_page(
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    username,
                    Some(t().get("page.error_text").to_owned()),
                    None,
                )
                .await
            }
        },
        Err(LoginFailure::BadCredentials) => {
            login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                username,
                Some(t().get("login.bad_credentials").to_owned()),
                None,
            )
            .await
        }
        Err(LoginFailure::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).to_string();
            let message = t().format("login.rate_limited", &[("minutes", &minutes)]);
            login_page(&state, StatusCode::TOO_MANY_REQUESTS, username, Some(message), None).await
        }
        Err(LoginFailure::Internal) => {
            login_page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                username,
                Some(t().get("page.error_text").to_owned()),
                None,
            )
            .await
        }
    }
}

async fn logout(State(state): State<AppState>, user: WebUser, headers: HeaderMap, body: Body) -> Response {
    let pairs = read_limited(&headers, body).await.and_then(|b| form_pairs(&b)).unwrap_or_default();
    if !user.csrf_ok(pair(&pairs, "csrf")) {
        return error_page(&state, &user, "", ApiError::Forbidden).await;
    }
    if let Err(error) = state.store().end_session(&user.token, state.now()).await {
        tracing::error!(code = error.code(), "logout failed");
        return error_page(&state, &user, "", ApiError::Internal).await;
    }
    let mut response = Redirect::to("/log-ind?status=logget-ud").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, "", Some(0)));
    response
}

// ---- inbox -----------------------------------------------------------------------------

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

struct InboxRow {
    id: String,
    received: String,
    age_days: i64,
    subject: String,
    category: String,
    urgency: String,
    urgent: bool,
    status: String,
    status_code: &'static str,
    under_18: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPageTemplate {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    may_submit: bool,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    urgencies: Vec<Opt>,
    sorts: Vec<Opt>,
    rows: Vec<InboxRow>,
    first_href: Option<String>,
    next_href: Option<String>,
}

fn inbox_row(r: &ReferralView, today: Date) -> InboxRow {
    InboxRow {
        id: r.id.as_str().to_owned(),
        received: da_date(copenhagen(r.received_at).date()),
        age_days: (today - r.received_at.date()).whole_days().max(0),
        subject: r.subject.name.expose().clone(),
        category: t().label("category", r.concern_category.as_str()),
        urgency: t().label("urgency", r.urgency.as_str()),
        urgent: r.urgency == Urgency::Urgent,
        status: t().label("status", r.status.as_str()),
        status_code: r.status.as_str(),
        under_18: r.under_18,
    }
}

async fn inbox(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let query = match QueryParams::parse(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return error_page(&state, &user, "/indbakke", e).await,
    };
    // A filter value that is not an option shows the unfiltered inbox rather than an error.
    let filter = inbox_filter(&query).unwrap_or_default();
    let cursor = query.get("cursor").filter(|c| !c.is_empty());
    let now = state.now();
    let page = match state.store().inbox(&user.actor, &filter, cursor, 50, now).await {
        Ok(page) => page,
        Err(StoreError::Invalid(_)) => match state.store().inbox(&user.actor, &filter, None, 50, now).await {
            Ok(page) => page,
            Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
        },
        Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
    };
    let categories = state
        .store()
        .concern_categories()
        .await
        .unwrap_or_else(|_| DEFAULT_CONCERN_CATEGORIES.iter().map(|c| (*c).to_owned()).collect());
    let filter_query = serde_urlencoded::to_string([
        ("status", filter.status.map(ReferralStatus::as_str).unwrap_or("")),
        ("concern_category", filter.concern_category.as_deref().unwrap_or("")),
        ("urgency", filter.urgency.map(Urgency::as_str).unwrap_or("")),
        ("sort", filter.sort.as_str()),
    ])
    .unwrap_or_default();
    let today = copenhagen(now).date();
    let template = InboxPageTemplate {
        t: t(),
        title: t().get("inbox.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        may_submit: user.actor.viewer().may_submit_referral(),
        statuses: options(
            "status",
            ReferralStatus::ALL.iter().map(|s| s.as_str().to_owned()),
            filter.status.map(ReferralStatus::as_str),
        ),
        categories: options("category", categories, filter.concern_category.as_deref()),
        urgencies: options(
            "urgency",
            Urgency::ALL.iter().map(|u| u.as_str().to_owned()),
            filter.urgency.map(Urgency::as_str),
        ),
        sorts: options("sort", InboxSort::ALL.iter().map(|s| s.as_str().to_owned()), Some(filter.sort.as_str())),
        rows: page.items.iter().map(|r| inbox_row(r, today)).collect(),
        first_href: cursor.map(|_| format!("/indbakke?{filter_query}")),
        next_href: page.next_cursor.map(|c| format!("/indbakke?{filter_query}&cursor={c}")),
        user: Some(user_bar(&user, "/indbakke")),
    };
    render(StatusCode::OK, &template)
}

// ---- the referral form -----------------------------------------------------------------

struct FormField {
    id: String,
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<Opt>,
    required: bool,
    hint: Option<String>,
    error: Option<String>,
    describedby: String,
    width: &'static str,
    autocomplete: &'static str,
}

struct FormSection {
    legend: String,
    fields: Vec<FormField>,
}

struct ErrorLink {
    anchor: String,
    label: String,
    message: String,
}

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralFormPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    sections: Vec<FormSection>,
    errors: Vec<ErrorLink>,
}

/// (name, input kind, required, width class, autocomplete) of one form field.
type FieldSpec = (&'static str, &'static str, bool, &'static str, &'static str);

/// Every field of the referral form, grouped by section.
const FORM: &[(&str, &[FieldSpec])] = &[
    (
        "form.section_concern",
        &[
            ("channel", "select", true, "", ""),
            ("concern_category", "select", true, "", ""),
            ("urgency", "select", false, "", ""),
            ("description", "textarea", true, "", ""),
        ],
    ),
    (
        "form.section_subject",
        &[
            ("subject.name", "text", true, "input-width-xl", "off"),
            ("subject.cpr", "text", false, "input-width-s", "off"),
            ("subject.birth_date", "date", false, "input-width-s", "off"),
            ("subject.gender", "select", false, "", ""),
            ("subject.municipality", "text", false, "input-width-xs", "off"),
        ],
    ),
    (
        "form.section_referrer",
        &[
            ("referrer.name", "text", false, "input-width-xl", "off"),
            ("referrer.organisation", "text", false, "input-width-xl", "organization"),
            ("referrer.phone", "tel", false, "input-width-m", "off"),
            ("referrer.email", "email", false, "input-width-l", "off"),
        ],
    ),
];

fn referral_form(
    user: &WebUser,
    name: String,
    categories: Vec<String>,
    values: &[(String, String)],
    errors: &FieldErrors,
) -> ReferralFormPage {
    let mut links = Vec::new();
    let sections = FORM
        .iter()
        .map(|(legend, fields)| FormSection {
            legend: t().get(legend).to_owned(),
            fields: fields
                .iter()
                .map(|(field_name, kind, required, width, autocomplete)| {
                    let id = format!("f-{}", field_name.replace('.', "-"));
                    let value = pair(values, field_name).unwrap_or("").to_owned();
                    let error = errors
                        .0
                        .iter()
                        .find(|e| e.field == *field_name || (e.field == "subject" && *field_name == "subject.name"))
                        .map(|e| t().label("field_error", e.code));
                    let label = t().label("field", field_name);
                    if let Some(message) = &error {
                        links.push(ErrorLink { anchor: id.clone(), label: label.clone(), message: message.clone() });
                    }
                    let hint_key = format!("hint.{field_name}");
                    let hint = t().has(&hint_key).then(|| t().get(&hint_key).to_owned());
                    let describedby =
                        [hint.as_ref().map(|_| format!("{id}-hint")), error.as_ref().map(|_| format!("{id}-error"))]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ");
                    let selected = Some(value.as_str()).filter(|v| !v.is_empty());
                    let options = match *field_name {
                        "channel" => {
                            with_blank(options("channel", Channel::ALL.iter().map(|c| c.as_str().to_owned()), selected))
                        }
                        "concern_category" => with_blank(options("category", categories.clone(), selected)),
                        "urgency" => options(
                            "urgency",
                            Urgency::ALL.iter().map(|u| u.as_str().to_owned()),
                            selected.or(Some("normal")),
                        ),
                        "subject.gender" => {
                            with_blank(options("gender", Gender::ALL.iter().map(|g| g.as_str().to_owned()), selected))
                        }
                        _ => Vec::new(),
                    };
                    FormField {
                        id,
                        name: field_name,
                        label,
                        kind,
                        value,
                        options,
                        required: *required,
                        hint,
                        error,
                        describedby,
                        width,
                        autocomplete,
                    }
                })
                .collect(),
        })
        .collect();
    ReferralFormPage {
        t: t(),
        title: t().get("form.title").to_owned(),
        infohus_name: name,
        user: Some(user_bar(user, "/henvendelser/ny")),
        csrf: user.csrf.clone(),
        sections,
        errors: links,
    }
}

fn with_blank(mut options: Vec<Opt>) -> Vec<Opt> {
    let none_selected = options.iter().all(|o| !o.selected);
    options.insert(0, Opt { value: String::new(), label: t().get("form.choose").to_owned(), selected: none_selected });
    options
}

async fn new_referral(State(state): State<AppState>, user: WebUser) -> Response {
    if !user.actor.viewer().may_submit_referral() {
        return error_page(&state, &user, "/henvendelser/ny", ApiError::Forbidden).await;
    }
    let categories = match state.store().concern_categories().await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &user, "/henvendelser/ny", e.into()).await,
    };
    let name = infohus_name(&state, Some(&user.actor)).await;
    render(StatusCode::OK, &referral_form(&user, name, categories, &[], &FieldErrors::default()))
}

fn input_from_form(pairs: &[(String, String)]) -> ReferralInput {
    let get = |name: &str| pair(pairs, name).map(str::to_owned);
    ReferralInput {
        channel: get("channel").filter(|v| !v.is_empty()),
        referrer: Some(ReferrerInput {
            name: get("referrer.name"),
            organisation: get("referrer.organisation"),
            phone: get("referrer.phone"),
            email: get("referrer.email"),
        }),
        subject: Some(SubjectInput {
            name: get("subject.name"),
            cpr: get("subject.cpr"),
            birth_date: get("subject.birth_date"),
            gender: get("subject.gender"),
            municipality: get("subject.municipality"),
        }),
        concern_category: get("concern_category"),
        description: get("description"),
        urgency: get("urgency"),
    }
}

async fn create_referral(State(state): State<AppState>, user: WebUser, headers: HeaderMap, body: Body) -> Response {
    let active = "/henvendelser/ny";
    let pairs = match read_limited(&headers, body).await.and_then(|b| form_pairs(&b)) {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    if !user.csrf_ok(pair(&pairs, "csrf")) {
        return error_page(&state, &user, active, ApiError::Forbidden).await;
    }
    if !user.actor.viewer().may_submit_referral() {
        return error_page(&state, &user, active, ApiError::Forbidden).await;
    }
    let now = state.now();
    let categories = match state.store().concern_categories().await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let result = match input_from_form(&pairs).validate(&categories, copenhagen(now).date()) {
        Ok(referral) => state.store().create_referral(&user.actor, referral, now).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(view) => {
            let mut response = Redirect::to(&format!("/henvendelser/{}?status=registreret", view.id)).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        Err(StoreError::Invalid(errors)) => {
            let name = infohus_name(&state, Some(&user.actor)).await;
            render(StatusCode::UNPROCESSABLE_ENTITY, &referral_form(&user, name, categories, &pairs, &errors))
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

// ---- referral and person pages ---------------------------------------------------------

struct ReferralDetail {
    id: String,
    person_id: String,
    status: String,
    status_code: &'static str,
    urgency: String,
    urgent: bool,
    under_18: bool,
    category: String,
    channel: String,
    received: String,
    submitted_by: String,
    submitted_by_agency: String,
    description_lines: Vec<String>,
    subject_name: String,
    birth_date: String,
    gender: String,
    municipality: String,
    referrer_name: String,
    referrer_organisation: String,
    referrer_phone: String,
    referrer_email: String,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    created: bool,
    notice: Option<String>,
    suggestion: Option<String>,
    r: ReferralDetail,
    /// The case opened for the referral, linked from the page.
    case_id: Option<String>,
    case_form: Option<OpenCaseForm>,
    errors: Vec<ErrorLink>,
}

/// The coordinator's form for opening a case on a referral.
struct OpenCaseForm {
    leads: Vec<Opt>,
    agencies: Vec<Check>,
    lead_error: Option<String>,
    agencies_error: Option<String>,
}

fn open_case_form(agencies: &[Agency], values: &[(String, String)], errors: &FieldErrors) -> OpenCaseForm {
    let lead = pair(values, "lead").filter(|v| !v.is_empty());
    let checked: Vec<&str> = pairs_all(values, "agencies").collect();
    OpenCaseForm {
        leads: with_blank(
            agencies
                .iter()
                .map(|a| Opt { value: a.code.clone(), label: a.name.clone(), selected: lead == Some(a.code.as_str()) })
                .collect(),
        ),
        agencies: agencies
            .iter()
            .map(|a| Check {
                id: format!("agency-{}", a.code),
                value: a.code.clone(),
                label: a.name.clone(),
                checked: checked.contains(&a.code.as_str()),
            })
            .collect(),
        // The store names an unknown agency without saying which list it was in.
        lead_error: field_error(errors, &["lead", "agency"]),
        agencies_error: field_error(errors, &["agencies"]),
    }
}

const OPEN_CASE_ERRORS: &[(&str, &str, &[&str])] = &[
    ("lead", "referral.case_lead_agency", &["lead", "agency"]),
    ("agencies", "referral.case_agencies", &["agencies"]),
];

fn or_dash(value: Option<String>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| "–".to_owned())
}

fn detail(r: &ReferralView) -> ReferralDetail {
    let exposed = |v: &Option<infohus_domain::Personal<String>>| or_dash(v.as_ref().map(|p| p.expose().clone()));
    ReferralDetail {
        id: r.id.as_str().to_owned(),
        person_id: r.person_id.as_str().to_owned(),
        status: t().label("status", r.status.as_str()),
        status_code: r.status.as_str(),
        urgency: t().label("urgency", r.urgency.as_str()),
        urgent: r.urgency == Urgency::Urgent,
        under_18: r.under_18,
        category: t().label("category", r.concern_category.as_str()),
        channel: t().label("channel", r.channel.as_str()),
        received: da_datetime(r.received_at),
        submitted_by: r.submitted_by.clone(),
        submitted_by_agency: r.submitted_by_agency.clone(),
        description_lines: r.description.expose().lines().map(str::to_owned).collect(),
        subject_name: r.subject.name.expose().clone(),
        birth_date: or_dash(r.subject.birth_date.map(da_date)),
        gender: or_dash(r.subject.gender.map(|g| t().label("gender", g.as_str()))),
        municipality: or_dash(r.subject.municipality.clone()),
        referrer_name: exposed(&r.referrer.name),
        referrer_organisation: exposed(&r.referrer.organisation),
        referrer_phone: exposed(&r.referrer.phone),
        referrer_email: exposed(&r.referrer.email),
    }
}

async fn referral(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path.ok().and_then(|Path(raw)| ReferralId::parse(&raw)) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    let status = QueryParams::parse(raw.as_deref()).ok().and_then(|q| q.get("status").map(str::to_owned));
    referral_page(&state, &user, &id, status.as_deref(), &[], &FieldErrors::default()).await
}

/// The referral page; `values` and `errors` are a rejected "open case" form to show again.
async fn referral_page(
    state: &AppState,
    user: &WebUser,
    id: &ReferralId,
    status: Option<&str>,
    values: &[(String, String)],
    errors: &FieldErrors,
) -> Response {
    let view = match state.store().referral(&user.actor, id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, "/indbakke", e.into()).await,
    };
    let notice = match status {
        Some("samlet") => Some(t().get("referral.linked").to_owned()),
        Some("afvist") => Some(t().get("referral.dismissed").to_owned()),
        _ => None,
    };
    let may_open_case = view.case_id.is_none()
        && user.actor.viewer().may_manage_cases()
        && matches!(view.status, ReferralStatus::Received | ReferralStatus::Screening);
    let case_form = if may_open_case {
        match state.store().agencies(user.actor.infohus()).await {
            Ok(agencies) => Some(open_case_form(&agencies, values, errors)),
            Err(e) => return error_page(state, user, "/indbakke", e.into()).await,
        }
    } else {
        None
    };
    let page = ReferralPage {
        t: t(),
        title: t().get("referral.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        created: status == Some("registreret"),
        notice,
        suggestion: view.suggested_person_id.as_ref().map(|p| p.as_str().to_owned()),
        r: detail(&view),
        case_id: view.case_id.as_ref().map(|c| c.as_str().to_owned()),
        case_form,
        errors: error_links(errors, OPEN_CASE_ERRORS),
        user: Some(user_bar(user, "/indbakke")),
    };
    render(status_of(errors), &page)
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

async fn open_case(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/indbakke";
    let Some(id) = path.ok().and_then(|Path(raw)| ReferralId::parse(&raw)) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    if !user.actor.viewer().may_manage_cases() {
        // As the store: whether the referral exists is not revealed to those who cannot see it.
        let error = if user.actor.viewer().may_submit_referral() { ApiError::Forbidden } else { ApiError::NotFound };
        return error_page(&state, &user, active, error).await;
    }
    let mut errors = FieldErrors::default();
    let lead = chosen_agency(&mut errors, "lead", pair(&pairs, "lead"));
    let participants: Vec<AgencyCode> = pairs_all(&pairs, "agencies").filter_map(AgencyCode::parse).collect();
    if participants.len() != pairs_all(&pairs, "agencies").count() {
        errors.push("agencies", "invalid_choice");
    }
    let result = match lead {
        Some(lead) if errors.is_empty() => {
            state.store().open_case(&user.actor, &id, &lead, &participants, state.now()).await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(case) => see_other(&format!("/sager/{case}?status=oprettet")),
        Err(StoreError::Invalid(errors)) => referral_page(&state, &user, &id, None, &pairs, &errors).await,
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

async fn resolve_match(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(id) = path.ok().and_then(|Path(raw)| ReferralId::parse(&raw)) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    let pairs = match read_limited(&headers, body).await.and_then(|b| form_pairs(&b)) {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, "/indbakke", e).await,
    };
    if !user.csrf_ok(pair(&pairs, "csrf")) {
        return error_page(&state, &user, "/indbakke", ApiError::Forbidden).await;
    }
    let now = state.now();
    let (result, status) = match pair(&pairs, "decision") {
        Some("link") => (state.store().link_suggested_person(&user.actor, &id, now).await, "samlet"),
        Some("dismiss") => (state.store().dismiss_suggested_person(&user.actor, &id, now).await, "afvist"),
        _ => return error_page(&state, &user, "/indbakke", ApiError::Malformed).await,
    };
    match result {
        Ok(_) => {
            let mut response = Redirect::to(&format!("/henvendelser/{id}?status={status}")).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response
        }
        Err(e) => error_page(&state, &user, "/indbakke", e.into()).await,
    }
}

struct PersonDetail {
    name: String,
    cpr: String,
    birth_date: String,
    under_18: bool,
    gender: String,
    municipality: String,
    created: String,
    referrals_heading: String,
}

struct PersonRow {
    id: String,
    received: String,
    category: String,
    channel: String,
    urgency: String,
    status: String,
    status_code: &'static str,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    p: PersonDetail,
    rows: Vec<PersonRow>,
}

async fn person(State(state): State<AppState>, user: WebUser, path: Result<Path<String>, PathRejection>) -> Response {
    let Some(id) = path.ok().and_then(|Path(raw)| PersonId::parse(&raw)) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    let now = state.now();
    let view = match state.store().person(&user.actor, &id, now).await {
        Ok(view) => view,
        Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
    };
    let today = copenhagen(now).date();
    let count = view.referrals.len().to_string();
    let page = PersonPage {
        t: t(),
        title: t().get("person.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        p: PersonDetail {
            name: view.name.expose().clone(),
            cpr: or_dash(view.cpr.as_ref().map(|c| c.expose().clone())),
            birth_date: or_dash(view.birth_date.map(da_date)),
            under_18: view.birth_date.is_some_and(|b| age_on(b, today) < 18),
            gender: or_dash(view.gender.map(|g| t().label("gender", g.as_str()))),
            municipality: or_dash(view.municipality.clone()),
            created: da_date(copenhagen(view.created_at).date()),
            referrals_heading: t().format("person.referrals", &[("count", &count)]),
        },
        rows: view
            .referrals
            .iter()
            .map(|r| PersonRow {
                id: r.id.as_str().to_owned(),
                received: da_date(copenhagen(r.received_at).date()),
                category: t().label("category", r.concern_category.as_str()),
                channel: t().label("channel", r.channel.as_str()),
                urgency: t().label("urgency", r.urgency.as_str()),
                status: t().label("status", r.status.as_str()),
                status_code: r.status.as_str(),
            })
            .collect(),
        user: Some(user_bar(&user, "/indbakke")),
    };
    render(StatusCode::OK, &page)
}

// ---- cases ---------------------------------------------------------------------------

struct CaseDetail {
    id: String,
    referral_id: String,
    person_id: String,
    status: String,
    opened: String,
    lead: String,
    agencies: Vec<String>,
    break_glass: bool,
}

/// The owning agency's form for disclosing one note.
struct DiscloseForm {
    open: bool,
    targets: Vec<Opt>,
    bases: Vec<Opt>,
    purpose: String,
    to_error: Option<String>,
    basis_error: Option<String>,
    purpose_error: Option<String>,
}

struct NoteRow {
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

struct NoteForm {
    body: String,
    body_error: Option<String>,
    tags: Vec<Check>,
    tags_error: Option<String>,
}

struct AddAgencyForm {
    options: Vec<Opt>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
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
}

/// Which form on the case page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CaseForm<'a> {
    Note,
    Agency,
    Disclose(&'a str),
}

/// A rejected form, shown again with its values and errors.
struct Rejected<'a> {
    form: CaseForm<'a>,
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

const NOTE_ERRORS: &[(&str, &str, &[&str])] =
    &[("note-body", "case.note_body", &["body"]), ("sensitivity-health", "case.note_sensitivity", &["sensitivity"])];
const AGENCY_ERRORS: &[(&str, &str, &[&str])] = &[("add-agency", "case.add_agency_label", &["agency"])];

fn case_notice(status: Option<&str>) -> Option<String> {
    let key = match status? {
        "oprettet" => "case.created",
        "notat" => "case.note_added",
        "videregivet" => "case.disclosed",
        "myndighed" => "case.agency_added",
        "noedadgang" => "case.break_glass_granted",
        _ => return None,
    };
    Some(t().get(key).to_owned())
}

fn agency_name(agencies: &[Agency], code: &str) -> String {
    agencies.iter().find(|a| a.code == code).map(|a| a.name.clone()).unwrap_or_else(|| code.to_owned())
}

fn agency_option(a: &Agency, selected: Option<&str>) -> Opt {
    Opt { value: a.code.clone(), label: a.name.clone(), selected: selected == Some(a.code.as_str()) }
}

fn note_row(
    note: &infohus_store::NoteView,
    viewer_agency: &str,
    may_write: bool,
    agencies: &[Agency],
    bases: &[LegalBasis],
    rejected: Option<&Rejected<'_>>,
) -> NoteRow {
    let is_owner = note.owner_agency.id == viewer_agency;
    let disclose = (is_owner && may_write)
        .then(|| {
            let shown = rejected.filter(|r| r.form == CaseForm::Disclose(note.id.as_str()));
            let values = shown.map(|r| r.values).unwrap_or_default();
            let empty = FieldErrors::default();
            let errors = shown.map(|r| r.errors).unwrap_or(&empty);
            let to = pair(values, "to_agency");
            let basis = pair(values, "legal_basis");
            let targets: Vec<Opt> = agencies
                .iter()
                .filter(|a| a.id != note.owner_agency.id && !note.disclosed_to.contains(&a.code))
                .map(|a| agency_option(a, to))
                .collect();
            // Only the bases that cover the note's sensitive data are offered; the store checks again.
            let bases: Vec<Opt> = bases
                .iter()
                .filter(|b| {
                    LegalBasisScope {
                        covers_special_category: b.covers_special_category,
                        covers_criminal_offence: b.covers_criminal_offence,
                    }
                    .covers(&note.sensitivity)
                })
                .map(|b| Opt {
                    value: b.code.clone(),
                    label: b.label.clone(),
                    selected: basis == Some(b.code.as_str()),
                })
                .collect();
            (!targets.is_empty() && !bases.is_empty()).then(|| DiscloseForm {
                open: shown.is_some(),
                targets: with_blank(targets),
                bases: with_blank(bases),
                purpose: pair(values, "purpose").unwrap_or("").to_owned(),
                to_error: field_error(errors, &["to_agency", "agency"]),
                basis_error: field_error(errors, &["legal_basis"]),
                purpose_error: field_error(errors, &["purpose"]),
            })
        })
        .flatten();
    NoteRow {
        id: note.id.as_str().to_owned(),
        owner: note.owner_agency.name.clone(),
        author: note.author.clone(),
        created: da_datetime(note.created_at),
        tags: note.sensitivity.tags().iter().map(|s| t().label("sensitivity", s.as_str())).collect(),
        paragraphs: note.body.expose().lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(),
        is_owner,
        disclosed_to: note.disclosed_to.iter().map(|code| agency_name(agencies, code)).collect(),
        disclose,
    }
}

fn note_form(rejected: Option<&Rejected<'_>>) -> NoteForm {
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

fn add_agency_form(view: &CaseView, agencies: &[Agency], rejected: Option<&Rejected<'_>>) -> Option<AddAgencyForm> {
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
async fn case_page(
    state: &AppState,
    user: &WebUser,
    id: &CaseId,
    status: Option<&str>,
    rejected: Option<Rejected<'_>>,
) -> Response {
    let active = "/indbakke";
    let view = match state.store().case(&user.actor, id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let agencies = match state.store().agencies(user.actor.infohus()).await {
        Ok(agencies) => agencies,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let bases = match state.store().legal_bases().await {
        Ok(bases) => bases,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let rejected = rejected.as_ref();
    // Writing on a case takes real participation, never break glass.
    let may_write = !view.break_glass;
    let viewer_agency = user.actor.viewer().agency.as_str();
    let notes: Vec<NoteRow> =
        view.notes.iter().map(|n| note_row(n, viewer_agency, may_write, &agencies, &bases, rejected)).collect();
    let errors = match rejected {
        Some(Rejected { form: CaseForm::Note, errors, .. }) => error_links(errors, NOTE_ERRORS),
        Some(Rejected { form: CaseForm::Agency, errors, .. }) => error_links(errors, AGENCY_ERRORS),
        Some(Rejected { form: CaseForm::Disclose(note), errors, .. }) => {
            let anchors = [format!("d-{note}-to"), format!("d-{note}-basis"), format!("d-{note}-purpose")];
            let [to, basis, purpose] = &anchors;
            error_links(
                errors,
                &[
                    (to, "case.disclose_to", &["to_agency", "agency"]),
                    (basis, "case.disclose_basis", &["legal_basis"]),
                    (purpose, "case.disclose_purpose", &["purpose"]),
                ],
            )
        }
        None => Vec::new(),
    };
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
            opened: da_datetime(view.opened_at),
            lead: view.lead_agency.name.clone(),
            agencies: view.agencies.iter().map(|a| a.name.clone()).collect(),
            break_glass: view.break_glass,
        },
        notes,
        note_form: may_write.then(|| note_form(rejected)),
        add_agency: if user.actor.viewer().may_manage_cases() {
            add_agency_form(&view, &agencies, rejected)
        } else {
            None
        },
        user: Some(user_bar(user, active)),
    };
    let status = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(status, &page)
}

fn case_id(path: Result<Path<String>, PathRejection>) -> Option<CaseId> {
    path.ok().and_then(|Path(raw)| CaseId::parse(&raw))
}

async fn case(
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

async fn add_note(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/indbakke";
    let Some(id) = case_id(path) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
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

async fn add_case_agency(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/indbakke";
    let Some(id) = case_id(path) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
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

async fn disclose_note(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/indbakke";
    let Some(note) = path.ok().and_then(|Path(raw)| NoteId::parse(&raw)) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    // The case the form was on, to return to; the store finds the note's case itself.
    let Some(case) = pair(&pairs, "case").and_then(CaseId::parse) else {
        return error_page(&state, &user, active, ApiError::Malformed).await;
    };
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
            state.store().disclose_note(&user.actor, &note, &to, basis, purpose, state.now()).await.map(|_| ())
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
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
struct BreakGlassPage {
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

const BREAK_GLASS_ERRORS: &[(&str, &str, &[&str])] = &[("reason", "break_glass.reason", &["reason"])];

async fn break_glass_page(
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

async fn break_glass_form(
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

async fn break_glass(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/indbakke";
    let Some(id) = case_id(path) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    let reason = pair(&pairs, "reason").unwrap_or("");
    match state.store().break_glass(&user.actor, &id, reason, state.now()).await {
        Ok(grant) => see_other(&format!("/sager/{}?status=noedadgang", grant.case_id)),
        Err(StoreError::Invalid(errors)) => break_glass_page(&state, &user, &id, reason, &errors).await,
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}

// ---- the auditor's views ---------------------------------------------------------------

/// Purposes a log search can be narrowed to (codes of the access log, labels in the catalogue).
const PURPOSES: &[&str] = &[
    "intake",
    "intake_match",
    "inbox",
    "referral_view",
    "person_view",
    "link_person",
    "dismiss_match",
    "open_case",
    "case_participation",
    "case_view",
    "case_note",
    "disclosure",
    "break_glass",
    "subject_access",
    "audit",
];

/// The filter fields of the access-log search, as typed.
const FILTER_FIELDS: [&str; 6] = ["person", "username", "action", "purpose", "from", "to"];

/// Rows of one CSV export, and of each page read for it.
/// Most rows in one CSV export.
const CSV_MAX_ROWS: u32 = 10_000;

/// A date from `<input type="date">` (YYYY-MM-DD).
fn parse_date(raw: &str) -> Option<Date> {
    let mut parts = raw.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// The access-log search from the filter fields: `from` is the start of its day and `to`
/// the end of its day (UTC), so both days are included.
fn log_query(query: &QueryParams) -> Result<LogQuery, FieldErrors> {
    let mut errors = FieldErrors::default();
    let value = |name: &str| query.get(name).map(str::trim).filter(|v| !v.is_empty());
    let person = value("person").and_then(|raw| {
        PersonId::parse(raw).or_else(|| {
            errors.push("person", "unknown_person");
            None
        })
    });
    let action = value("action").and_then(|raw| {
        Action::parse(raw).or_else(|| {
            errors.push("action", "invalid_choice");
            None
        })
    });
    let purpose = value("purpose").and_then(|raw| {
        let known = PURPOSES.contains(&raw);
        if !known {
            errors.push("purpose", "invalid_choice");
        }
        known.then(|| raw.to_owned())
    });
    let mut day = |name: &str, next: bool| {
        let raw = value(name)?;
        let date = parse_date(raw).and_then(|d| if next { d.next_day() } else { Some(d) });
        if date.is_none() {
            errors.push(name, "invalid_date");
        }
        date.map(|d| d.midnight().assume_utc())
    };
    let from = day("from", false);
    let to = day("to", true);
    let username = value("username").map(|u| u.chars().take(64).collect());
    if errors.is_empty() { Ok(LogQuery { person, username, action, purpose, from, to }) } else { Err(errors) }
}

/// The filters as a query string, for paging and the CSV link.
fn filter_query(query: &QueryParams) -> String {
    let pairs: Vec<(&str, &str)> = FILTER_FIELDS.iter().map(|f| (*f, query.get(f).unwrap_or("").trim())).collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
    person: String,
    purpose: String,
}

struct AuditFilters {
    person: String,
    username: String,
    actions: Vec<Opt>,
    purposes: Vec<Opt>,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    f: AuditFilters,
    field_errors: Vec<(String, Option<String>)>,
    errors: Vec<ErrorLink>,
    searched: bool,
    rows: Vec<AuditRow>,
    next_href: Option<String>,
    csv_href: Option<String>,
}

const AUDIT_ERRORS: &[(&str, &str, &[&str])] = &[
    ("person", "audit.person_id", &["person"]),
    ("action", "audit.action", &["action"]),
    ("purpose", "audit.purpose", &["purpose"]),
    ("from", "audit.from", &["from"]),
    ("to", "audit.to", &["to"]),
];

impl AuditPage {
    /// The error message for one filter field, if any.
    fn error(&self, field: &str) -> Option<&str> {
        self.field_errors.iter().find(|(f, _)| f == field).and_then(|(_, e)| e.as_deref())
    }
}

fn audit_row(e: &AccessLogEntry) -> AuditRow {
    AuditRow {
        seq: e.seq,
        at: da_datetime(e.at),
        actor: e.actor_username.clone(),
        action: t().label("action", &e.action),
        object: format!("{} {}", t().label("object", &e.object_type), e.object_id).trim_end().to_owned(),
        person: e.person_id.clone().unwrap_or_default(),
        purpose: t().label("purpose", &e.purpose),
    }
}

/// An auditor's page: the others get the usual refusal.
async fn auditor(state: &AppState, user: &WebUser, active: &str) -> Result<(), Response> {
    if user.actor.viewer().may_read_access_log() {
        Ok(())
    } else {
        Err(error_page(state, user, active, ApiError::Forbidden).await)
    }
}

async fn audit(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let active = "/revision";
    if let Err(refused) = auditor(&state, &user, active).await {
        return refused;
    }
    let query = QueryParams::parse(raw.as_deref()).unwrap_or_else(|_| QueryParams::empty());
    let after = query.get("efter").and_then(|s| s.parse::<i64>().ok());
    // The form sends every field, so an empty search lists everything; the bare menu link does not search.
    let searched = FILTER_FIELDS.iter().any(|f| query.get(f).is_some());
    let filters = filter_query(&query);
    let (mut rows, mut next_href, mut errors) = (Vec::new(), None, FieldErrors::default());
    if searched {
        match log_query(&query) {
            Ok(log) => match state.store().search_access_log(&user.actor, &log, after, 100, false, state.now()).await {
                Ok(page) => {
                    rows = page.entries.iter().map(audit_row).collect();
                    next_href = page.next_after.map(|seq| format!("/revision?{filters}&efter={seq}"));
                }
                Err(e) => return error_page(&state, &user, active, e.into()).await,
            },
            Err(invalid) => errors = invalid,
        }
    }
    let value = |name: &str| query.get(name).unwrap_or("").trim().to_owned();
    let action = value("action");
    let purpose = value("purpose");
    let selected = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let page = AuditPage {
        t: t(),
        title: t().get("audit.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        f: AuditFilters {
            person: value("person"),
            username: value("username"),
            actions: options("action", Action::ALL.iter().map(|a| a.as_str().to_owned()), selected(&action).as_deref()),
            purposes: options("purpose", PURPOSES.iter().map(|p| (*p).to_owned()), selected(&purpose).as_deref()),
            from: value("from"),
            to: value("to"),
        },
        field_errors: FILTER_FIELDS.iter().map(|f| ((*f).to_owned(), field_error(&errors, &[f]))).collect(),
        errors: error_links(&errors, AUDIT_ERRORS),
        searched: searched && errors.is_empty(),
        rows,
        next_href,
        csv_href: (searched && errors.is_empty()).then(|| format!("/revision/csv?{filters}")),
        user: Some(user_bar(&user, active)),
    };
    render(status_of(&errors), &page)
}

const CSV_COLUMNS: [&str; 11] = [
    "audit.csv_seq",
    "audit.csv_at",
    "audit.csv_username",
    "audit.csv_agency",
    "audit.csv_role",
    "audit.csv_action",
    "audit.csv_object_type",
    "audit.csv_object_id",
    "audit.csv_person",
    "audit.csv_purpose",
    "audit.csv_criteria",
];

fn csv_row(e: &AccessLogEntry, agencies: &[Agency]) -> String {
    let agency = agencies.iter().find(|a| a.id == e.actor_agency_id).map(|a| a.code.as_str());
    crate::csv::record(&[
        e.seq.to_string(),
        crate::api::rfc3339(e.at),
        e.actor_username.clone(),
        agency.unwrap_or(e.actor_agency_id.as_str()).to_owned(),
        t().label("role", &e.actor_role),
        t().label("action", &e.action),
        t().label("object", &e.object_type),
        e.object_id.clone(),
        e.person_id.clone().unwrap_or_default(),
        t().label("purpose", &e.purpose),
        e.criteria.clone(),
    ])
}

async fn audit_csv(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let active = "/revision";
    if let Err(refused) = auditor(&state, &user, active).await {
        return refused;
    }
    let query = QueryParams::parse(raw.as_deref()).unwrap_or_else(|_| QueryParams::empty());
    let Ok(log) = log_query(&query) else {
        return error_page(&state, &user, active, ApiError::Malformed).await;
    };
    let agencies = match state.store().agencies(user.actor.infohus()).await {
        Ok(agencies) => agencies,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let columns: Vec<&str> = CSV_COLUMNS.iter().map(|key| t().get(key)).collect();
    let mut csv = String::from(crate::csv::BOM);
    csv.push_str(&crate::csv::record(&columns));
    // One search, logged once as one export.
    let page = match state.store().search_access_log(&user.actor, &log, None, CSV_MAX_ROWS, true, state.now()).await {
        Ok(page) => page,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    for entry in &page.entries {
        csv.push_str(&csv_row(entry, &agencies));
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"adgangslog.csv\"")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        csv,
    )
        .into_response()
}

struct BreakGlassRow {
    granted: String,
    username: String,
    agency: String,
    case_id: String,
    person_href: String,
    reason: Vec<String>,
    expires: String,
}

#[derive(Template)]
#[template(path = "audit_break_glass.html")]
struct BreakGlassUsesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    rows: Vec<BreakGlassRow>,
}

/// The access log of one person: what an auditor follows a case or disclosure to.
fn person_log_href(person: &str) -> String {
    format!("/revision?{}", serde_urlencoded::to_string([("person", person)]).unwrap_or_default())
}

async fn break_glass_uses(State(state): State<AppState>, user: WebUser) -> Response {
    let active = "/revision/noedadgang";
    if let Err(refused) = auditor(&state, &user, active).await {
        return refused;
    }
    let uses = match state.store().break_glass_uses(&user.actor, state.now()).await {
        Ok(uses) => uses,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let agencies = state.store().agencies(user.actor.infohus()).await.unwrap_or_default();
    let page = BreakGlassUsesPage {
        t: t(),
        title: t().get("audit.break_glass_title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        rows: uses
            .iter()
            .map(|u| BreakGlassRow {
                granted: da_datetime(u.granted_at),
                username: u.username.clone(),
                agency: agency_name(&agencies, &u.agency_code),
                case_id: u.case_id.clone(),
                person_href: person_log_href(&u.person_id),
                reason: u.reason.expose().lines().map(str::to_owned).collect(),
                expires: da_datetime(u.expires_at),
            })
            .collect(),
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

struct DisclosureRow {
    at: String,
    from: String,
    to: String,
    basis: String,
    purpose: Vec<String>,
    by: String,
    case_id: String,
    note_id: String,
    person_href: String,
}

#[derive(Template)]
#[template(path = "audit_disclosures.html")]
struct DisclosuresPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    rows: Vec<DisclosureRow>,
}

async fn disclosures(State(state): State<AppState>, user: WebUser) -> Response {
    let active = "/revision/videregivelser";
    if let Err(refused) = auditor(&state, &user, active).await {
        return refused;
    }
    let entries = match state.store().disclosures(&user.actor, state.now()).await {
        Ok(entries) => entries,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let agencies = state.store().agencies(user.actor.infohus()).await.unwrap_or_default();
    let bases = state.store().legal_bases().await.unwrap_or_default();
    let page = DisclosuresPage {
        t: t(),
        title: t().get("audit.disclosures_title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        rows: entries
            .iter()
            .map(|d| DisclosureRow {
                at: da_datetime(d.disclosed_at),
                from: agency_name(&agencies, &d.from_agency),
                to: agency_name(&agencies, &d.to_agency),
                basis: bases
                    .iter()
                    .find(|b| b.code == d.legal_basis)
                    .map(|b| b.label.clone())
                    .unwrap_or_else(|| d.legal_basis.clone()),
                purpose: d.purpose.expose().lines().map(str::to_owned).collect(),
                by: d.disclosed_by.clone(),
                case_id: d.case_id.clone(),
                note_id: d.note_id.clone(),
                person_href: person_log_href(&d.person_id),
            })
            .collect(),
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

struct SubjectAccessRow {
    at: String,
    action: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "subject_access.html")]
struct SubjectAccessPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    person: String,
    error: Option<String>,
    errors: Vec<ErrorLink>,
    /// Lines of the report, once a person was asked for.
    rows: Option<Vec<SubjectAccessRow>>,
    count: String,
}

const SUBJECT_ACCESS_ERRORS: &[(&str, &str, &[&str])] = &[("person", "audit.person_id", &["person"])];

async fn subject_access(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let active = "/revision/indsigt";
    if let Err(refused) = auditor(&state, &user, active).await {
        return refused;
    }
    let query = QueryParams::parse(raw.as_deref()).unwrap_or_else(|_| QueryParams::empty());
    let person = query.get("person").map(|p| p.trim().to_owned());
    let mut errors = FieldErrors::default();
    let mut rows = None;
    if let Some(raw) = person.as_deref() {
        let result = match PersonId::parse(raw) {
            Some(id) => state.store().subject_access_report(&user.actor, &id, state.now()).await,
            None if raw.is_empty() => Err(StoreError::Invalid(FieldErrors::single("person", "required"))),
            None => Err(StoreError::Invalid(FieldErrors::single("person", "unknown_person"))),
        };
        match result {
            Ok(lines) => {
                rows = Some(
                    lines
                        .iter()
                        .map(|l| SubjectAccessRow {
                            at: da_datetime(l.at),
                            action: t().label("action", &l.action),
                            purpose: t().label("purpose", &l.purpose),
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Err(StoreError::Invalid(invalid)) => errors = invalid,
            Err(e) => return error_page(&state, &user, active, e.into()).await,
        }
    }
    let count = rows.as_ref().map(Vec::len).unwrap_or_default().to_string();
    let page = SubjectAccessPage {
        t: t(),
        title: t().get("subject_access.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        person: person.unwrap_or_default(),
        error: field_error(&errors, &["person"]),
        errors: error_links(&errors, SUBJECT_ACCESS_ERRORS),
        count: t().format("subject_access.count", &[("count", &count)]),
        rows,
        user: Some(user_bar(&user, active)),
    };
    render(status_of(&errors), &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn copenhagen_time_follows_summer_time() {
        assert_eq!(copenhagen(datetime!(2026-01-15 12:00 UTC)).hour(), 13);
        assert_eq!(copenhagen(datetime!(2026-07-15 12:00 UTC)).hour(), 14);
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(copenhagen(datetime!(2026-03-29 00:59 UTC)).hour(), 1);
        assert_eq!(copenhagen(datetime!(2026-03-29 01:00 UTC)).hour(), 3);
        assert_eq!(copenhagen(datetime!(2026-10-25 00:59 UTC)).hour(), 2);
        assert_eq!(copenhagen(datetime!(2026-10-25 01:00 UTC)).hour(), 2);
    }

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
