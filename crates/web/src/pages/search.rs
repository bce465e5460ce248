//! Person search (`/personer/soeg`): a CPR number or name words, sent in a form body (never
//! in the address), answered with the referrals about matching persons the user may see.

use super::*;
use infohus_domain::search::PersonQuery;

#[derive(Template)]
#[template(path = "person_search.html")]
pub(super) struct PersonSearchPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    errors: Vec<ErrorLink>,
    cpr: String,
    cpr_error: Option<String>,
    name: String,
    name_error: Option<String>,
    searched: bool,
    more: bool,
    rows: Vec<InboxRow>,
}

const ACTIVE: &str = "/personer/soeg";
const SEARCH_ERRORS: &[(&str, &str, &[&str])] =
    &[("cpr", "field.subject.cpr", &["cpr", "query"]), ("name", "search.name", &["name"])];

async fn search_page(
    state: &AppState,
    user: &WebUser,
    (cpr, name): (&str, &str),
    found: Option<(Vec<InboxRow>, bool)>,
    errors: &FieldErrors,
) -> Response {
    if !user.actor.viewer().may_submit_referral() {
        return error_page(state, user, ACTIVE, ApiError::Forbidden).await;
    }
    let searched = found.is_some();
    let (rows, more) = found.unwrap_or_default();
    let page = PersonSearchPage {
        t: t(),
        title: t().get("search.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        errors: error_links(errors, SEARCH_ERRORS),
        cpr: cpr.to_owned(),
        cpr_error: field_error(errors, &["cpr", "query"]),
        name: name.to_owned(),
        name_error: field_error(errors, &["name"]),
        searched,
        more,
        rows,
        user: Some(user_bar(user, ACTIVE)),
    };
    render(status_of(errors), &page)
}

pub(super) async fn person_search_form(State(state): State<AppState>, user: WebUser) -> Response {
    search_page(&state, &user, ("", ""), None, &FieldErrors::default()).await
}

pub(super) async fn person_search(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, ACTIVE, e).await,
    };
    let cpr = pair(&pairs, "cpr").unwrap_or("").trim().to_owned();
    let name = pair(&pairs, "name").unwrap_or("").trim().to_owned();
    let query = match PersonQuery::parse(Some(&cpr), Some(&name)) {
        Ok(query) => query,
        Err(errors) => return search_page(&state, &user, (&cpr, &name), None, &errors).await,
    };
    match state.store().search_persons(&user.actor, &query, crate::search_api::DEFAULT_LIMIT, state.now()).await {
        Ok(found) => {
            let today = state.today();
            let rows = found.items.iter().map(|r| inbox_row(&state, r, today)).collect();
            search_page(&state, &user, (&cpr, &name), Some((rows, found.more)), &FieldErrors::default()).await
        }
        Err(StoreError::Invalid(errors)) => search_page(&state, &user, (&cpr, &name), None, &errors).await,
        Err(e) => error_page(&state, &user, ACTIVE, e.into()).await,
    }
}
