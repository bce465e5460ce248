//! The Danish web pages: login, inbox, the referral form, referral (with screening), person
//! and case pages (with the case's course: assessments, interventions, tasks, timeline,
//! closure), "my work", releases, the mentoring figure, coordination meetings (agenda,
//! minutes, print, PDF and calendar files), break glass, configuration and the auditor's
//! views. Server-rendered, no JavaScript, every form CSRF-protected.

mod account;
mod admin;
mod assessments;
mod audit;
mod between;
mod cases;
mod casework;
#[doc(hidden)]
pub mod fuzzing;
mod interventions;
mod meeting_files;
mod meetings;
mod minutes;
mod referrals;
mod screening;
mod search;
mod work;

use account::*;
use admin::*;
use assessments::*;
use audit::*;
use between::*;
use cases::*;
use casework::*;
use interventions::*;
use meeting_files::*;
use meetings::*;
use minutes::*;
use referrals::*;
use screening::*;
use search::*;
use work::*;

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
    AgencyCode, AssessmentId, CaseId, Cpr, FieldErrors, InterventionId, LegalBasisScope, NoteId, PersonId, ReferralId,
    ReferralInput, ReferralStatus, Role, Sensitivities, Sensitivity, TaskId,
};
use infohus_store::{
    AccessLogEntry, Action, Actor, Agency, CaseView, InboxSort, InterventionType, LegalBasis, LogQuery, RecordKind,
    ReferralView, SessionKind, StoreError, UserSummary,
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
        .route("/henvendelser/{id}/visitation/anmod", post(request_checks))
        .route("/henvendelser/{id}/visitation/tjek", post(record_check))
        .route("/henvendelser/{id}/visitation/afgoerelse", post(decide_screening))
        .route("/personer/{id}", get(person))
        .route("/personer/{id}/udvikling", get(progression))
        .route("/sager/{id}", get(case))
        .route("/sager/{id}/notater", post(add_note))
        .route("/sager/{id}/myndigheder", post(add_case_agency))
        .route("/sager/{id}/noedadgang", get(break_glass_form).post(break_glass))
        .route("/sager/{id}/tovholder", post(set_lead_agency))
        .route("/sager/{id}/vurderinger", post(start_assessment))
        .route("/sager/{id}/indsatser", post(add_intervention))
        .route("/sager/{id}/opgaver", post(add_task))
        .route("/sager/{id}/loesladelse", post(set_release))
        .route("/sager/{id}/luk", post(close_case))
        .route("/sager/{id}/genaabn", post(reopen_case))
        .route("/notater/{id}/videregiv", post(disclose_note))
        .route("/opgaver/{id}/udfoert", post(complete_task))
        .route("/vurderinger/{id}", get(assessment).post(save_assessment))
        .route("/vurderinger/{id}/underskriv", post(sign_assessment))
        .route("/vurderinger/{id}/ret", post(correct_assessment))
        .route("/vurderinger/{id}/videregiv", post(disclose_assessment))
        .route("/indsatser/{id}", get(intervention).post(update_intervention))
        .route("/indsatser/{id}/samtaler", post(log_session))
        .route("/indsatser/{id}/videregiv", post(disclose_intervention))
        .route("/mit-arbejde", get(my_work))
        .route("/loesladelser", get(releases))
        .route("/statistik/mentorforloeb", get(mentoring_figure))
        .route("/revision", get(audit))
        .route("/opsaetning/hjemler", get(legal_bases).post(add_legal_basis))
        .route("/opsaetning/instrumenter", get(instruments))
        .route("/opsaetning/indsatstyper", get(intervention_types).post(add_intervention_type))
        .route("/kendt-andetsteds", get(known_elsewhere_form).post(known_elsewhere))
        .route("/personer/soeg", get(person_search_form).post(person_search))
        .route("/kendt-andetsteds/anmodning", post(request_share))
        .route("/revision/csv", get(audit_csv))
        .route("/revision/noedadgang", get(break_glass_uses))
        .route("/revision/videregivelser", get(disclosures))
        .route("/revision/indsigt", get(subject_access))
        .merge(meeting_routes())
}

fn t() -> &'static Catalog {
    Catalog::danish()
}

// ---- time as Danes read it -------------------------------------------------------------

fn da_date(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

fn da_datetime(t: OffsetDateTime) -> String {
    da_local(infohus_domain::calendar::copenhagen_wall(t))
}

/// A Copenhagen wall-clock time (meetings are kept in it): `24.11.2026 kl. 09.00`.
fn da_local(t: time::PrimitiveDateTime) -> String {
    format!("{} kl. {:02}.{:02}", da_date(t.date()), t.hour(), t.minute())
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
            ("/mit-arbejde", "nav.my_work"),
            ("/moeder", "nav.meetings"),
            ("/personer/soeg", "nav.person_search"),
            ("/henvendelser/ny", "nav.new_referral"),
            ("/loesladelser", "nav.releases"),
            ("/statistik/mentorforloeb", "nav.mentoring_figure"),
            ("/kendt-andetsteds", "nav.known_elsewhere"),
            ("/opsaetning/instrumenter", "nav.instruments"),
        ],
        Role::Member => &[
            ("/indbakke", "nav.inbox"),
            ("/mit-arbejde", "nav.my_work"),
            ("/moeder", "nav.meetings"),
            ("/personer/soeg", "nav.person_search"),
            ("/henvendelser/ny", "nav.new_referral"),
            ("/loesladelser", "nav.releases"),
        ],
        Role::Mentor => &[("/mit-arbejde", "nav.my_work")],
        Role::Auditor => &[
            ("/revision", "nav.audit"),
            ("/revision/noedadgang", "nav.break_glass"),
            ("/revision/videregivelser", "nav.disclosures"),
            ("/revision/indsigt", "nav.subject_access"),
        ],
        Role::Admin => &[
            ("/", "nav.home"),
            ("/opsaetning/hjemler", "nav.legal_bases"),
            ("/opsaetning/instrumenter", "nav.instruments"),
            ("/opsaetning/indsatstyper", "nav.intervention_types"),
        ],
        Role::Analyst => &[("/", "nav.home"), ("/statistik/mentorforloeb", "nav.mentoring_figure")],
        Role::NationalAdmin => &[("/", "nav.home")],
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

// ---- form fields, shown again after a rejected post ------------------------------------

static NO_ERRORS: FieldErrors = FieldErrors(Vec::new());

/// What a rejected form sent and what was wrong with it; `Input::NONE` for a fresh form.
#[derive(Clone, Copy)]
pub(super) struct Input<'a> {
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

impl<'a> Input<'a> {
    const NONE: Input<'static> = Input { values: &[], errors: &NO_ERRORS };

    fn new(values: &'a [(String, String)], errors: &'a FieldErrors) -> Self {
        Self { values, errors }
    }

    /// Whether this is a form the user sent (shown again), not a fresh one.
    fn sent(&self) -> bool {
        !self.values.is_empty()
    }

    fn value(&self, name: &str) -> Option<&'a str> {
        pair(self.values, name)
    }

    fn error(&self, fields: &[&str]) -> Option<String> {
        field_error(self.errors, fields)
    }
}

/// One form control as the macros in `templates/fields.html` render it: label tied to the
/// control, hint and error tied by `aria-describedby`, `aria-invalid` on error.
pub(super) struct Field {
    id: String,
    name: String,
    label: String,
    value: String,
    hint: Option<String>,
    error: Option<String>,
    required: bool,
    options: Vec<Opt>,
}

impl Field {
    /// A control named `name` with the label `label_key`, holding what the user sent or
    /// else `default`, and the first error on `name`.
    fn new(id: &str, name: &str, label_key: &str, input: Input<'_>, default: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            label: t().get(label_key).to_owned(),
            value: if input.sent() { input.value(name).unwrap_or("").to_owned() } else { default.to_owned() },
            hint: None,
            error: input.error(&[name]),
            required: false,
            options: Vec::new(),
        }
    }

    fn hint(mut self, key: &str) -> Self {
        self.hint = Some(t().get(key).to_owned());
        self
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Also shows errors the store reports under other names (`agency` for an agency field).
    fn errors_of(mut self, input: Input<'_>, fields: &[&str]) -> Self {
        self.error = self.error.or_else(|| input.error(fields));
        self
    }

    /// Options of a select, the current value selected.
    fn options(mut self, options: Vec<Opt>) -> Self {
        let value = self.value.clone();
        self.options =
            options.into_iter().map(|o| Opt { selected: o.value == value && !value.is_empty(), ..o }).collect();
        if self.options.iter().all(|o| !o.selected)
            && let Some(first) = self.options.first_mut()
        {
            first.selected = first.value.is_empty();
        }
        self
    }

    fn describedby(&self) -> String {
        let hint = self.hint.as_ref().map(|_| format!("{}-hint", self.id));
        let error = self.error.as_ref().map(|_| format!("{}-error", self.id));
        [hint, error].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }

    /// The field's line in an error summary.
    fn error_link(&self) -> Option<ErrorLink> {
        self.error.as_ref().map(|message| ErrorLink {
            anchor: self.id.clone(),
            label: self.label.clone(),
            message: message.clone(),
        })
    }
}

/// The error summary of a form's fields, in the order they appear.
fn field_links(fields: &[&Field]) -> Vec<ErrorLink> {
    fields.iter().filter_map(|f| f.error_link()).collect()
}

/// Agencies as options of a select, with a blank first.
fn agency_options<'a>(agencies: impl IntoIterator<Item = &'a Agency>) -> Vec<Opt> {
    with_blank(
        agencies.into_iter().map(|a| Opt { value: a.code.clone(), label: a.name.clone(), selected: false }).collect(),
    )
}

/// Code-list options (`closure_reason.goals_met`, …), with a blank first.
fn code_options(group: &str, codes: impl IntoIterator<Item = &'static str>) -> Vec<Opt> {
    with_blank(options(group, codes.into_iter().map(str::to_owned), None))
}

/// The sensitivity checkboxes of a record form.
fn sensitivity_checks(prefix: &str, input: Input<'_>) -> Vec<Check> {
    let checked: Vec<&str> = pairs_all(input.values, "sensitivity").collect();
    Sensitivity::ALL
        .iter()
        .map(|s| Check {
            id: format!("{prefix}-sensitivity-{}", s.as_str()),
            value: s.as_str().to_owned(),
            label: t().label("sensitivity", s.as_str()),
            checked: checked.contains(&s.as_str()),
        })
        .collect()
}

/// A required date field (`YYYY-MM-DD`, as `<input type="date">` sends it).
fn required_date(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<Date> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.push(field, "required");
            None
        }
        Some(raw) => optional_date(errors, field, Some(raw)),
    }
}

/// An optional date field: blank is `None`, anything else must be a date.
fn optional_date(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<Date> {
    let raw = raw.map(str::trim).filter(|v| !v.is_empty())?;
    parse_date(raw).or_else(|| {
        errors.push(field, "invalid_date");
        None
    })
}

/// A date as a date input's value.
fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A stored text as paragraphs, one per non-blank line.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

/// The `status` query parameter: which notice a page shows after a redirect.
fn status_param(raw: Option<&str>) -> Option<String> {
    QueryParams::parse(raw).ok().and_then(|q| q.get("status").map(str::to_owned))
}

/// An id from the path; `None` when it cannot be one.
fn path_id<T: infohus_domain::ids::OpaqueId>(path: Result<Path<String>, PathRejection>) -> Option<T> {
    path.ok().and_then(|Path(raw)| T::parse_id(&raw))
}

/// A success notice from the catalogue, when `status` is one of `known` (status, key).
fn notice_for(status: Option<&str>, known: &[(&str, &str)]) -> Option<String> {
    let status = status?;
    known.iter().find(|(code, _)| *code == status).map(|(_, key)| t().get(key).to_owned())
}

// ---- disclosing a record ---------------------------------------------------------------

/// The owning agency's form for disclosing one record (note, assessment, intervention);
/// rendered by `templates/disclose_form.html`.
pub(super) struct DiscloseForm {
    action: String,
    /// Prefix of the form's element ids, unique on the page.
    prefix: String,
    heading: String,
    submit: String,
    /// The case to return to (notes are disclosed from the case page).
    case_id: Option<String>,
    /// The meeting to return to (a case overview is disclosed from a meeting's agenda).
    meeting_id: Option<String>,
    open: bool,
    targets: Vec<Opt>,
    bases: Vec<Opt>,
    purpose: String,
    to_error: Option<String>,
    basis_error: Option<String>,
    purpose_error: Option<String>,
}

/// What a disclosure form is about.
pub(super) struct Disclosable<'a> {
    pub(super) action: String,
    pub(super) prefix: String,
    pub(super) heading_key: &'static str,
    pub(super) submit_key: &'static str,
    pub(super) case_id: Option<String>,
    pub(super) owner_agency_id: &'a str,
    /// Agency codes it was already disclosed to (not offered again).
    pub(super) disclosed_to: &'a [String],
    pub(super) sensitivity: &'a Sensitivities,
}

/// The disclosure form, or `None` when there is no agency or legal basis to offer.
/// `input` is the rejected form when it was this one.
fn disclose_form(
    record: Disclosable<'_>,
    agencies: &[Agency],
    bases: &[LegalBasis],
    input: Option<Input<'_>>,
) -> Option<DiscloseForm> {
    let shown = input.unwrap_or(Input::NONE);
    let to = shown.value("to_agency");
    let basis = shown.value("legal_basis");
    let targets: Vec<Opt> = agencies
        .iter()
        .filter(|a| a.id != record.owner_agency_id && !record.disclosed_to.contains(&a.code))
        .map(|a| agency_option(a, to))
        .collect();
    // Only the bases that cover the record's sensitive data are offered; the store checks again.
    let bases: Vec<Opt> = bases
        .iter()
        .filter(|b| {
            LegalBasisScope {
                covers_special_category: b.covers_special_category,
                covers_criminal_offence: b.covers_criminal_offence,
            }
            .covers(record.sensitivity)
        })
        .map(|b| Opt { value: b.code.clone(), label: b.label.clone(), selected: basis == Some(b.code.as_str()) })
        .collect();
    (!targets.is_empty() && !bases.is_empty()).then(|| DiscloseForm {
        action: record.action,
        prefix: record.prefix,
        heading: t().get(record.heading_key).to_owned(),
        submit: t().get(record.submit_key).to_owned(),
        case_id: record.case_id,
        meeting_id: None,
        open: input.is_some(),
        targets: with_blank(targets),
        bases: with_blank(bases),
        purpose: shown.value("purpose").unwrap_or("").to_owned(),
        to_error: shown.error(&["to_agency", "agency"]),
        basis_error: shown.error(&["legal_basis"]),
        purpose_error: shown.error(&["purpose"]),
    })
}

/// The error summary of a rejected disclosure form with element ids starting `prefix`.
fn disclose_error_links(prefix: &str, errors: &FieldErrors) -> Vec<ErrorLink> {
    let anchors = [format!("{prefix}-to"), format!("{prefix}-basis"), format!("{prefix}-purpose")];
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

/// Checks a posted disclosure form and discloses the record through the store.
async fn disclose_record(
    state: &AppState,
    user: &WebUser,
    kind: RecordKind,
    record: &str,
    pairs: &[(String, String)],
) -> Result<(), StoreError> {
    let mut errors = FieldErrors::default();
    let to = chosen_agency(&mut errors, "to_agency", pair(pairs, "to_agency"));
    let basis = pair(pairs, "legal_basis").map(str::trim).filter(|b| !b.is_empty());
    if basis.is_none() {
        errors.push("legal_basis", "required");
    }
    let purpose = pair(pairs, "purpose").unwrap_or("");
    if purpose.trim().is_empty() {
        errors.push("purpose", "required");
    }
    match (to, basis) {
        (Some(to), Some(basis)) if errors.is_empty() => {
            state.store().disclose(&user.actor, kind, record, &to, basis, purpose, state.now()).await.map(|_| ())
        }
        _ => Err(StoreError::Invalid(errors)),
    }
}

/// The agency of the signed-in user, from the infohus's agencies.
fn own_agency<'a>(user: &WebUser, agencies: &'a [Agency]) -> Option<&'a Agency> {
    agencies.iter().find(|a| a.id == user.actor.viewer().agency.as_str())
}

/// A user's display name for lists, from the infohus's users; the username if unknown.
fn user_name(users: &[UserSummary], username: &str) -> String {
    users.iter().find(|u| u.username == username).map(|u| u.display_name.clone()).unwrap_or_else(|| username.to_owned())
}

/// A (Danish) label for an intervention kind: the catalogue's for the built-in kinds, the
/// configured label for kinds an administrator added.
pub(crate) fn intervention_kind_label(types: &[InterventionType], code: &str) -> String {
    let key = format!("intervention_type.{code}");
    if t().has(&key) {
        return t().label("intervention_type", code);
    }
    types.iter().find(|k| k.code == code).map(|k| k.label.clone()).unwrap_or_else(|| code.to_owned())
}

/// Days from `today` to `date` as Danes say it ("i dag", "om 3 dage", "3 dage siden").
fn days_from(today: Date, date: Date) -> String {
    let days = (date - today).whole_days();
    match days {
        0 => t().get("when.today").to_owned(),
        1 => t().get("when.tomorrow").to_owned(),
        -1 => t().get("when.yesterday").to_owned(),
        d if d > 0 => t().format("when.in_days", &[("days", &d.to_string())]),
        d => t().format("when.days_ago", &[("days", &(-d).to_string())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn date_inputs_parse_strictly() {
        assert_eq!(parse_date("2026-03-01"), Date::from_calendar_date(2026, time::Month::March, 1).ok());
        // `2026-02-+1` was found by the `query_forms` fuzz target; a signed year is the same bug.
        for bad in
            ["2026-02-30", "2026-3-01", "01-03-2026", "2026-03-01-1", "", "abcd-ef-gh", "2026-02-+1", "+026-02-01"]
        {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_filters_cover_whole_copenhagen_days() {
        let query = QueryParams::parse(Some("from=2026-03-01&to=2026-03-01&action=read&purpose=case_view")).unwrap();
        let log = log_query(&query).unwrap();
        assert_eq!(log.from, Some(datetime!(2026-02-28 23:00 UTC)));
        assert_eq!(log.to, Some(datetime!(2026-03-01 23:00 UTC)));
        assert_eq!(log.action, Some(Action::Read));
        // In summer, and across the night summer time ends (25.10.2026, 25 hours long).
        let query = QueryParams::parse(Some("from=2026-10-25&to=2026-10-25")).unwrap();
        let summer = log_query(&query).unwrap();
        assert_eq!(summer.from, Some(datetime!(2026-10-24 22:00 UTC)));
        assert_eq!(summer.to, Some(datetime!(2026-10-25 23:00 UTC)));
        let bad = QueryParams::parse(Some("from=1.3.2026&action=look&purpose=x&person=a b")).unwrap();
        let fields: Vec<_> = log_query(&bad).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["person", "action", "purpose", "from"]);
    }

    /// Keys handed to helpers (`Field::new(.., "case.task_title", ..)`, `.hint(..)`, notices)
    /// are not `t.get` calls; every literal shaped like a key of a catalogue group must exist.
    #[test]
    fn every_key_shaped_literal_in_the_pages_is_in_the_catalogue() {
        let catalog = Catalog::danish();
        let catalogue = include_str!("../../messages/da.txt");
        let groups: Vec<&str> = catalogue
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").and_then(|(key, _)| key.trim().split_once('.')).map(|(g, _)| g))
            .collect();
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"));
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((group, rest)) = literal.split_once('.') else { continue };
                let shaped = !rest.is_empty()
                    && literal.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
                    && !literal.ends_with(".html");
                if shaped && groups.contains(&group) && !catalog.has(literal) {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys:\n{}", missing.join("\n"));
    }

    #[test]
    fn dates_read_the_danish_way() {
        assert_eq!(da_datetime(datetime!(2026-11-22 10:05 UTC)), "22.11.2026 kl. 11.05");
    }
}
