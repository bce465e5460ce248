//! The auditor's views: the access log with filters and CSV export, break-glass uses,
//! disclosures, and the data subject access report.

use super::*;

/// Purposes a log search can be narrowed to (codes of the access log, labels in the catalogue).
pub(super) const PURPOSES: &[&str] = &[
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
pub(super) const FILTER_FIELDS: [&str; 6] = ["person", "username", "action", "purpose", "from", "to"];

/// Rows of one CSV export, and of each page read for it.
/// Most rows in one CSV export.
pub(super) const CSV_MAX_ROWS: u32 = 10_000;

/// A date from `<input type="date">` (YYYY-MM-DD).
pub(super) fn parse_date(raw: &str) -> Option<Date> {
    let mut parts = raw.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    // Digits only: `parse` would also take a sign (`2026-02-+1`).
    if ![year, month, day].iter().all(|part| part.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// The access-log search from the filter fields: `from` is the start of its day and `to`
/// the end of its day, in Copenhagen time as the page shows the entries, so both days are
/// included whole.
pub(super) fn log_query(query: &QueryParams) -> Result<LogQuery, FieldErrors> {
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
        let start = date.and_then(infohus_domain::calendar::copenhagen_day_start);
        if start.is_none() {
            errors.push(name, "invalid_date");
        }
        start
    };
    let from = day("from", false);
    let to = day("to", true);
    let username = value("username").map(|u| u.chars().take(64).collect());
    if errors.is_empty() { Ok(LogQuery { person, username, action, purpose, from, to }) } else { Err(errors) }
}

/// The filters as a query string, for paging and the CSV link.
pub(super) fn filter_query(query: &QueryParams) -> String {
    let pairs: Vec<(&str, &str)> = FILTER_FIELDS.iter().map(|f| (*f, query.get(f).unwrap_or("").trim())).collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub(super) struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
    person: String,
    purpose: String,
}

pub(super) struct AuditFilters {
    person: String,
    username: String,
    actions: Vec<Opt>,
    purposes: Vec<Opt>,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
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

pub(super) const AUDIT_ERRORS: &[(&str, &str, &[&str])] = &[
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

pub(super) fn audit_row(e: &AccessLogEntry) -> AuditRow {
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
pub(super) async fn auditor(state: &AppState, user: &WebUser, active: &str) -> Result<(), Response> {
    if user.actor.viewer().may_read_access_log() {
        Ok(())
    } else {
        Err(error_page(state, user, active, ApiError::Forbidden).await)
    }
}

pub(super) async fn audit(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
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

pub(super) const CSV_COLUMNS: [&str; 11] = [
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

pub(super) fn csv_row(e: &AccessLogEntry, agencies: &[Agency]) -> String {
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

pub(super) async fn audit_csv(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
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

pub(super) struct BreakGlassRow {
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
pub(super) struct BreakGlassUsesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    rows: Vec<BreakGlassRow>,
}

/// The access log of one person: what an auditor follows a case or disclosure to.
pub(super) fn person_log_href(person: &str) -> String {
    format!("/revision?{}", serde_urlencoded::to_string([("person", person)]).unwrap_or_default())
}

pub(super) async fn break_glass_uses(State(state): State<AppState>, user: WebUser) -> Response {
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

pub(super) struct DisclosureRow {
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
pub(super) struct DisclosuresPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    rows: Vec<DisclosureRow>,
}

pub(super) async fn disclosures(State(state): State<AppState>, user: WebUser) -> Response {
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

pub(super) struct SubjectAccessRow {
    at: String,
    action: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "subject_access.html")]
pub(super) struct SubjectAccessPage {
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

pub(super) const SUBJECT_ACCESS_ERRORS: &[(&str, &str, &[&str])] = &[("person", "audit.person_id", &["person"])];

pub(super) async fn subject_access(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
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
