//! The coordinator's page for working across infohuse: is a person known elsewhere (asked by
//! CPR in a form body, never in a URL), a request to share, and requests received.

use super::*;

pub(super) struct Hit {
    code: String,
    name: String,
}

pub(super) struct RequestRow {
    at: String,
    from: String,
    by: String,
    person: String,
    basis: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "known_elsewhere.html")]
pub(super) struct KnownElsewherePage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    cpr: String,
    cpr_error: Option<String>,
    searched: bool,
    hits: Vec<Hit>,
    bases: Vec<Opt>,
    requests: Vec<RequestRow>,
}

const ACTIVE: &str = "/kendt-andetsteds";
const KNOWN_ERRORS: &[(&str, &str, &[&str])] = &[("cpr", "field.subject.cpr", &["cpr"])];

async fn known_page(
    state: &AppState,
    user: &WebUser,
    cpr: &str,
    hits: Option<Vec<Hit>>,
    errors: &FieldErrors,
    notice: Option<String>,
) -> Response {
    if !user.actor.viewer().may_manage_cases() {
        return error_page(state, user, ACTIVE, ApiError::Forbidden).await;
    }
    let (bases, requests) = match (
        state.store().legal_bases().await,
        state.store().share_requests_received(&user.actor, state.now()).await,
    ) {
        (Ok(b), Ok(r)) => (b, r),
        (Err(e), _) | (_, Err(e)) => return error_page(state, user, ACTIVE, e.into()).await,
    };
    let page = KnownElsewherePage {
        t: t(),
        title: t().get("known.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        errors: error_links(errors, KNOWN_ERRORS),
        notice,
        cpr: cpr.to_owned(),
        cpr_error: field_error(errors, &["cpr"]),
        searched: hits.is_some(),
        hits: hits.unwrap_or_default(),
        bases: bases.iter().map(|b| Opt { value: b.code.clone(), label: b.label.clone(), selected: false }).collect(),
        requests: requests
            .iter()
            .map(|r| RequestRow {
                at: da_datetime(r.requested_at),
                from: r.from_infohus.clone(),
                by: r.requested_by.clone(),
                person: r.person_id.clone(),
                basis: r.legal_basis.clone(),
                purpose: r.purpose.expose().clone(),
            })
            .collect(),
        user: Some(user_bar(user, ACTIVE)),
    };
    render(status_of(errors), &page)
}

pub(super) async fn known_elsewhere_form(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Response {
    let notice = QueryParams::parse(raw.as_deref())
        .ok()
        .filter(|q| q.get("status") == Some("sendt"))
        .map(|_| t().get("known.request_sent").to_owned());
    known_page(&state, &user, "", None, &FieldErrors::default(), notice).await
}

pub(super) async fn known_elsewhere(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, ACTIVE, e).await,
    };
    let raw = pair(&pairs, "cpr").unwrap_or("").trim().to_owned();
    let Ok(cpr) = Cpr::parse(&raw) else {
        return known_page(&state, &user, &raw, None, &FieldErrors::single("cpr", "invalid_cpr"), None).await;
    };
    match state.store().known_elsewhere(&user.actor, &cpr, state.now()).await {
        Ok(hits) => {
            let hits = hits.into_iter().map(|h| Hit { code: h.infohus_code, name: h.infohus_name }).collect();
            known_page(&state, &user, &raw, Some(hits), &FieldErrors::default(), None).await
        }
        Err(e) => error_page(&state, &user, ACTIVE, e.into()).await,
    }
}

pub(super) async fn request_share(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, ACTIVE, e).await,
    };
    let raw = pair(&pairs, "cpr").unwrap_or("").trim().to_owned();
    let (Ok(cpr), Some(to)) = (Cpr::parse(&raw), AgencyCode::parse(pair(&pairs, "to_infohus").unwrap_or(""))) else {
        return error_page(&state, &user, ACTIVE, ApiError::Malformed).await;
    };
    let basis = pair(&pairs, "legal_basis").unwrap_or("");
    let purpose = pair(&pairs, "purpose").unwrap_or("");
    match state.store().request_share(&user.actor, &cpr, &to, basis, purpose, state.now()).await {
        Ok(_) => see_other("/kendt-andetsteds?status=sendt"),
        Err(StoreError::Invalid(errors)) => known_page(&state, &user, &raw, None, &errors, None).await,
        Err(e) => error_page(&state, &user, ACTIVE, e.into()).await,
    }
}
