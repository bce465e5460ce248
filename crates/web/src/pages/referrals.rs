//! The inbox, the referral form, the referral page (with person matching; its screening
//! section is in `screening.rs`) and the person page.

use super::*;

pub(super) struct InboxRow {
    pub(super) id: String,
    pub(super) received: String,
    pub(super) age_days: i64,
    pub(super) subject: String,
    pub(super) category: String,
    pub(super) urgency: String,
    pub(super) urgent: bool,
    pub(super) status: String,
    pub(super) status_code: &'static str,
    pub(super) under_18: bool,
    /// The screening deadline, while the referral awaits screening.
    pub(super) due: Option<String>,
    pub(super) overdue: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub(super) struct InboxPageTemplate {
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

pub(super) fn inbox_row(state: &AppState, r: &ReferralView, today: Date) -> InboxRow {
    let due = r.status.awaits_screening().then(|| state.screening_due(r.received_at)).flatten();
    let received = copenhagen(r.received_at).date();
    InboxRow {
        due: due.map(da_date),
        overdue: due.is_some_and(|d| today > d),
        id: r.id.as_str().to_owned(),
        received: da_date(received),
        age_days: (today - received).whole_days().max(0),
        subject: r.subject.name.expose().clone(),
        category: t().label("category", r.concern_category.as_str()),
        urgency: t().label("urgency", r.urgency.as_str()),
        urgent: r.urgency == Urgency::Urgent,
        status: t().label("status", r.status.as_str()),
        status_code: r.status.as_str(),
        under_18: r.under_18,
    }
}

pub(super) async fn inbox(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
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
        rows: page.items.iter().map(|r| inbox_row(&state, r, today)).collect(),
        first_href: cursor.map(|_| format!("/indbakke?{filter_query}")),
        next_href: page.next_cursor.map(|c| format!("/indbakke?{filter_query}&cursor={c}")),
        user: Some(user_bar(&user, "/indbakke")),
    };
    render(StatusCode::OK, &template)
}

// ---- the referral form -----------------------------------------------------------------

pub(super) struct FormField {
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

pub(super) struct FormSection {
    legend: String,
    fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "referral_form.html")]
pub(super) struct ReferralFormPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    sections: Vec<FormSection>,
    errors: Vec<ErrorLink>,
}

/// (name, input kind, required, width class, autocomplete) of one form field.
pub(super) type FieldSpec = (&'static str, &'static str, bool, &'static str, &'static str);

/// Every field of the referral form, grouped by section.
pub(super) const FORM: &[(&str, &[FieldSpec])] = &[
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

pub(super) fn referral_form(
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

pub(super) async fn new_referral(State(state): State<AppState>, user: WebUser) -> Response {
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

pub(super) fn input_from_form(pairs: &[(String, String)]) -> ReferralInput {
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

pub(super) async fn create_referral(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
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

pub(super) struct ReferralDetail {
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
pub(super) struct ReferralPage {
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
    screening: ScreeningSection,
    errors: Vec<ErrorLink>,
}

pub(super) fn detail(r: &ReferralView) -> ReferralDetail {
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

pub(super) async fn referral(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path_id::<ReferralId>(path) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    referral_page(&state, &user, &id, status_param(raw.as_deref()).as_deref(), None).await
}

/// The referral page; `rejected` is a screening form to show again with its errors (then 422).
pub(super) async fn referral_page(
    state: &AppState,
    user: &WebUser,
    id: &ReferralId,
    status: Option<&str>,
    rejected: Option<VisitationRejected<'_>>,
) -> Response {
    let active = "/indbakke";
    let view = match state.store().referral(&user.actor, id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let screening = match state.store().screening(&user.actor, id, state.now()).await {
        Ok(screening) => screening,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let infohus = user.actor.infohus();
    let (agencies, users) = match (state.store().agencies(infohus).await, state.store().users(infohus).await) {
        (Ok(agencies), Ok(users)) => (agencies, users),
        (Err(e), _) | (_, Err(e)) => return error_page(state, user, active, e.into()).await,
    };
    let notice = notice_for(
        status,
        &[
            ("samlet", "referral.linked"),
            ("afvist", "referral.dismissed"),
            ("anmodet", "screening.requested"),
            ("tjek", "screening.check_recorded"),
            ("afgjort", "screening.decided"),
        ],
    );
    let rejected = rejected.as_ref();
    let section = screening_section(state, user, &screening, &agencies, &users, rejected);
    let errors = rejected.map(|r| section.error_links(r.form)).unwrap_or_default();
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
        screening: section,
        errors,
        user: Some(user_bar(user, active)),
    };
    let code = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(code, &page)
}

pub(super) async fn resolve_match(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<ReferralId>,
) -> Response {
    let now = state.now();
    let (result, status) = match pair(&pairs, "decision") {
        Some("link") => (state.store().link_suggested_person(&user.actor, &id, now).await, "samlet"),
        Some("dismiss") => (state.store().dismiss_suggested_person(&user.actor, &id, now).await, "afvist"),
        _ => return error_page(&state, &user, "/indbakke", ApiError::Malformed).await,
    };
    match result {
        Ok(_) => see_other(&format!("/henvendelser/{id}?status={status}")),
        Err(e) => error_page(&state, &user, "/indbakke", e.into()).await,
    }
}

pub(super) struct PersonDetail {
    id: String,
    name: String,
    cpr: String,
    birth_date: String,
    under_18: bool,
    gender: String,
    municipality: String,
    created: String,
    referrals_heading: String,
}

pub(super) struct PersonRow {
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
pub(super) struct PersonPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    p: PersonDetail,
    rows: Vec<PersonRow>,
}

pub(super) async fn person(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
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
            id: id.as_str().to_owned(),
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
