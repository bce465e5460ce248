//! The configuration pages: the legal bases that disclosures may name, the loaded
//! assessment instruments (read-only; loaded with the command line), and the kinds of
//! intervention.

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

// ---- instruments ------------------------------------------------------------------------

pub(super) struct DimensionInfo {
    name: String,
    items: Vec<String>,
}

pub(super) struct InstrumentInfo {
    heading: String,
    key: String,
    version: u32,
    description: Vec<String>,
    scale: String,
    recommendations: String,
    dimensions: Vec<DimensionInfo>,
}

#[derive(Template)]
#[template(path = "instruments.html")]
pub(super) struct InstrumentsPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    instruments: Vec<InstrumentInfo>,
}

pub(super) async fn instruments(State(state): State<AppState>, user: WebUser) -> Response {
    let active = "/opsaetning/instrumenter";
    let viewer = user.actor.viewer();
    if !(viewer.may_configure() || viewer.may_manage_cases()) {
        return error_page(&state, &user, active, ApiError::Forbidden).await;
    }
    let list = match state.store().instruments().await {
        Ok(list) => list,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let mut instruments = Vec::new();
    for summary in &list {
        let instrument = match state.store().instrument(&summary.key, Some(summary.version)).await {
            Ok((_, instrument)) => instrument,
            Err(e) => return error_page(&state, &user, active, e.into()).await,
        };
        instruments.push(InstrumentInfo {
            heading: instrument_label(&instrument.name, instrument.version),
            key: instrument.key.clone(),
            version: instrument.version,
            description: paragraphs(&instrument.description),
            scale: instrument.scale.iter().map(|l| l.label.as_str()).collect::<Vec<_>>().join(" · "),
            recommendations: instrument
                .recommendations
                .iter()
                .map(|c| c.label.as_str())
                .collect::<Vec<_>>()
                .join(" · "),
            dimensions: instrument
                .dimensions
                .iter()
                .map(|d| DimensionInfo {
                    name: d.name.clone(),
                    items: d
                        .items
                        .iter()
                        .map(|i| {
                            t().format(
                                "instruments.item",
                                &[("text", &i.text), ("side", &t().label("side", i.side.as_str()))],
                            )
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    let page = InstrumentsPage {
        t: t(),
        title: t().get("instruments.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        instruments,
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

// ---- kinds of intervention -------------------------------------------------------------

pub(super) struct TypeRow {
    code: String,
    label: String,
    months: u8,
}

#[derive(Template)]
#[template(path = "intervention_types.html")]
pub(super) struct InterventionTypesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    added: bool,
    rows: Vec<TypeRow>,
    errors: Vec<ErrorLink>,
    code: Field,
    label: Field,
    months: Field,
}

pub(super) async fn intervention_types_page(
    state: &AppState,
    user: &WebUser,
    added: bool,
    input: Input<'_>,
) -> Response {
    let active = "/opsaetning/indsatstyper";
    if !user.actor.viewer().may_configure() {
        return error_page(state, user, active, ApiError::Forbidden).await;
    }
    let types = match state.store().intervention_types().await {
        Ok(types) => types,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let code = Field::new("code", "code", "intervention_types.col_code", input, "")
        .hint("intervention_types.code_hint")
        .required();
    let label = Field::new("label", "label", "intervention_types.col_label", input, "").required();
    let months = Field::new("months", "default_review_months", "intervention_types.col_months", input, "3")
        .hint("intervention_types.months_hint")
        .required();
    let page = InterventionTypesPage {
        t: t(),
        title: t().get("intervention_types.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        added,
        rows: types
            .iter()
            .map(|k| TypeRow {
                code: k.code.clone(),
                label: intervention_kind_label(&types, &k.code),
                months: k.default_review_months,
            })
            .collect(),
        errors: field_links(&[&code, &label, &months]),
        code,
        label,
        months,
        user: Some(user_bar(user, active)),
    };
    render(status_of(input.errors), &page)
}

pub(super) async fn intervention_types(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(raw): RawQuery,
) -> Response {
    let added = status_param(raw.as_deref()).as_deref() == Some("tilfoejet");
    intervention_types_page(&state, &user, added, Input::NONE).await
}

pub(super) async fn add_intervention_type(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let active = "/opsaetning/indsatstyper";
    let pairs = match read_form(&user, &headers, body).await {
        Ok(pairs) => pairs,
        Err(e) => return error_page(&state, &user, active, e).await,
    };
    // Out of range is the store's to say, for whatever number was typed.
    let months = pair(&pairs, "default_review_months").and_then(|m| m.trim().parse::<u8>().ok()).unwrap_or(0);
    let kind = InterventionType {
        code: pair(&pairs, "code").unwrap_or("").trim().to_owned(),
        label: pair(&pairs, "label").unwrap_or("").to_owned(),
        default_review_months: months,
    };
    match state.store().add_intervention_type(&user.actor, kind).await {
        Ok(()) => see_other("/opsaetning/indsatstyper?status=tilfoejet"),
        Err(StoreError::Invalid(errors)) => {
            intervention_types_page(&state, &user, false, Input::new(&pairs, &errors)).await
        }
        Err(StoreError::Conflict(_)) => {
            let errors = FieldErrors::single("code", "already_exists");
            intervention_types_page(&state, &user, false, Input::new(&pairs, &errors)).await
        }
        Err(e) => error_page(&state, &user, active, e.into()).await,
    }
}
