//! The Danish web pages: login, inbox, the referral form, referral and person pages, and
//! the auditor's access-log view. Server-rendered, no JavaScript, every form CSRF-protected.

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
use infohus_domain::{FieldErrors, PersonId, ReferralId, ReferralInput, ReferralStatus, Role};
use infohus_store::{Actor, InboxSort, ReferralView, SessionKind, StoreError};
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
        .route("/personer/{id}", get(person))
        .route("/revision", get(audit))
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
        Role::Auditor => &[("/revision", "nav.audit")],
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
    let (heading, text) = match error {
        ApiError::NotFound => ("page.not_found", "page.not_found_text"),
        ApiError::Forbidden => ("page.forbidden", "page.forbidden_text"),
        ApiError::TooLarge => ("page.too_large", "page.too_large_text"),
        ApiError::Malformed | ApiError::UnsupportedMediaType => ("page.bad_request", "page.bad_request_text"),
        ApiError::Conflict(_) => ("page.conflict", "page.conflict_text"),
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
}

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
    let view = match state.store().referral(&user.actor, &id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
    };
    let status = QueryParams::parse(raw.as_deref()).ok().and_then(|q| q.get("status").map(str::to_owned));
    let notice = match status.as_deref() {
        Some("samlet") => Some(t().get("referral.linked").to_owned()),
        Some("afvist") => Some(t().get("referral.dismissed").to_owned()),
        _ => None,
    };
    let page = ReferralPage {
        t: t(),
        title: t().get("referral.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        created: status.as_deref() == Some("registreret"),
        notice,
        suggestion: view.suggested_person_id.as_ref().map(|p| p.as_str().to_owned()),
        r: detail(&view),
        user: Some(user_bar(&user, "/indbakke")),
    };
    render(StatusCode::OK, &page)
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

// ---- the auditor's view ----------------------------------------------------------------

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    person: String,
    searched: bool,
    rows: Vec<AuditRow>,
    next_href: Option<String>,
}

async fn audit(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    if !user.actor.viewer().may_read_access_log() {
        return error_page(&state, &user, "/revision", ApiError::Forbidden).await;
    }
    let query = QueryParams::parse(raw.as_deref()).unwrap_or_else(|_| QueryParams::empty());
    let person_raw = query.get("person").unwrap_or("").trim().to_owned();
    let after = query.get("efter").and_then(|s| s.parse::<i64>().ok());
    let mut rows = Vec::new();
    let mut next_href = None;
    let searched = !person_raw.is_empty();
    if let Some(person) = PersonId::parse(&person_raw) {
        match state.store().access_log_for_person(&user.actor, &person, after, 100, state.now()).await {
            Ok(page) => {
                rows = page
                    .entries
                    .iter()
                    .map(|e| AuditRow {
                        seq: e.seq,
                        at: da_datetime(e.at),
                        actor: e.actor_username.clone(),
                        action: t().label("action", &e.action),
                        object: format!("{} {}", t().label("object", &e.object_type), e.object_id),
                        purpose: t().label("purpose", &e.purpose),
                    })
                    .collect();
                next_href = page.next_after.map(|seq| format!("/revision?person={}&efter={seq}", person.as_str()));
            }
            Err(e) => return error_page(&state, &user, "/revision", e.into()).await,
        }
    }
    let page = AuditPage {
        t: t(),
        title: t().get("audit.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        person: person_raw,
        searched,
        rows,
        next_href,
        user: Some(user_bar(&user, "/revision")),
    };
    render(StatusCode::OK, &page)
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
    fn dates_read_the_danish_way() {
        assert_eq!(da_datetime(datetime!(2026-11-22 10:05 UTC)), "22.11.2026 kl. 11.05");
    }
}
