//! The administrator's configuration pages: the legal bases that disclosures may name.

use super::*;

pub(super) struct BasisRow {
    code: String,
    label: String,
    special: String,
    criminal: String,
}

#[derive(Template)]
#[template(path = "legal_bases.html")]
pub(super) struct LegalBasesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    added: bool,
    bases: Vec<BasisRow>,
    errors: Vec<ErrorLink>,
    code: String,
    label: String,
    special: bool,
    criminal: bool,
    code_error: Option<String>,
    label_error: Option<String>,
}

const BASIS_ERRORS: &[(&str, &str, &[&str])] =
    &[("code", "legal_bases.col_code", &["code"]), ("label", "legal_bases.col_label", &["label"])];

pub(super) async fn legal_bases_page(
    state: &AppState,
    user: &WebUser,
    added: bool,
    values: &[(String, String)],
    errors: &FieldErrors,
) -> Response {
    let active = "/opsaetning/hjemler";
    if !user.actor.viewer().may_configure() {
        return error_page(state, user, active, ApiError::Forbidden).await;
    }
    let bases = match state.store().legal_bases().await {
        Ok(bases) => bases,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let yes_no = |b: bool| t().get(if b { "legal_bases.yes" } else { "legal_bases.no" }).to_owned();
    let page = LegalBasesPage {
        t: t(),
        title: t().get("legal_bases.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        added,
        bases: bases
            .iter()
            .map(|b| BasisRow {
                code: b.code.clone(),
                label: b.label.clone(),
                special: yes_no(b.covers_special_category),
                criminal: yes_no(b.covers_criminal_offence),
            })
            .collect(),
        errors: error_links(errors, BASIS_ERRORS),
        code: pair(values, "code").unwrap_or("").to_owned(),
        label: pair(values, "label").unwrap_or("").to_owned(),
        special: pair(values, "covers_special_category").is_some(),
        criminal: pair(values, "covers_criminal_offence").is_some(),
        code_error: field_error(errors, &["code"]),
        label_error: field_error(errors, &["label"]),
        user: Some(user_bar(user, active)),
    };
    render(status_of(errors), &page)
}

pub(super) async fn legal_bases(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let added = QueryParams::parse(raw.as_deref()).ok().is_some_and(|q| q.get("status") == Some("tilfoejet"));
    legal_bases_page(&state, &user, added, &[], &FieldErrors::default()).await
}

pub(super) async fn add_legal_basis(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/opsaetning/hjemler";
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    let basis = LegalBasis {
        code: pair(&pairs, "code").unwrap_or("").trim().to_owned(),
        label: pair(&pairs, "label").unwrap_or("").to_owned(),
        covers_special_category: pair(&pairs, "covers_special_category").is_some(),
        covers_criminal_offence: pair(&pairs, "covers_criminal_offence").is_some(),
    };
    match state.store().add_legal_basis(&user.actor, basis, state.now()).await {
        Ok(()) => see_other("/opsaetning/hjemler?status=tilfoejet"),
        Err(StoreError::Invalid(errors)) => legal_bases_page(&state, &user, false, &pairs, &errors).await,
        Err(StoreError::Conflict(_)) => {
            let errors = FieldErrors::single("code", "already_exists");
            legal_bases_page(&state, &user, false, &pairs, &errors).await
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}
