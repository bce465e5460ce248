//! The assessment page: a draft's form generated from its instrument (a radio group per
//! item, a rationale per dimension), saving and signing off, the signed read-only view,
//! corrections and disclosure; and a person's progression (chart and table). Ratings are
//! shown as given: nothing here sums, weighs or scores them.

use super::*;
use infohus_domain::AssessmentContent;
use infohus_domain::assessment::validate_for_sign_off;
use infohus_domain::instrument::Instrument;
use infohus_domain::progression::Progression;
use infohus_store::AssessmentView;

pub(super) struct AssessmentHead {
    id: String,
    case_id: String,
    person_id: String,
    instrument: String,
    description: Vec<String>,
    kind: String,
    status: String,
    signed: bool,
    assessed_on: String,
    owner: String,
    created_by: String,
    signed_text: Option<String>,
    supersedes: Option<String>,
    superseded_by: Option<String>,
}

/// One item of the instrument as a radio group.
pub(super) struct ItemForm {
    /// The group's id (`r-<item>`); the first radio is the error summary's anchor.
    id: String,
    /// `ratings.<item>`, as the domain names the field.
    name: String,
    text: String,
    side: String,
    guidance: Option<String>,
    options: Vec<Check>,
    error: Option<String>,
}

pub(super) struct DimensionForm {
    key: String,
    name: String,
    guidance: Vec<String>,
    items: Vec<ItemForm>,
    rationale: Field,
}

pub(super) struct ScaleRow {
    label: String,
    guidance: String,
}

pub(super) struct EditForm {
    scale: Vec<ScaleRow>,
    dimensions: Vec<DimensionForm>,
    general_error: Option<String>,
    overall_guidance: Vec<String>,
    overall: Field,
    recommendations: Vec<Check>,
    recommendation_hint: Option<String>,
    recommendation_error: Option<String>,
    assessors: Field,
    assessed_on: Field,
}

pub(super) struct ItemRead {
    text: String,
    side: String,
    level: String,
    rated: bool,
}

pub(super) struct DimensionRead {
    key: String,
    name: String,
    items: Vec<ItemRead>,
    rationale: Vec<String>,
}

pub(super) struct ReadView {
    dimensions: Vec<DimensionRead>,
    overall: Vec<String>,
    recommendation: String,
    assessors: Vec<String>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
pub(super) struct AssessmentPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<ErrorLink>,
    a: AssessmentHead,
    edit: Option<EditForm>,
    read: Option<ReadView>,
    may_correct: bool,
    disclose: Option<DiscloseForm>,
}

/// Which form on the assessment page was rejected.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum AssessmentForm {
    Content,
    Disclose,
}

pub(super) struct AssessmentRejected<'a> {
    form: AssessmentForm,
    values: &'a [(String, String)],
    errors: &'a FieldErrors,
}

fn side_label(side: infohus_domain::Side) -> String {
    t().label("side", side.as_str())
}

/// The stored content as the form's fields, so a fresh form and a rejected one render alike.
fn content_pairs(content: &AssessmentContent) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    pairs.extend(content.ratings.iter().map(|(item, level)| (format!("ratings.{item}"), level.clone())));
    pairs.extend(content.rationales.iter().map(|(dim, text)| (format!("rationales.{dim}"), text.clone())));
    pairs.push(("overall".into(), content.overall.clone()));
    pairs.push(("recommendation".into(), content.recommendation.clone().unwrap_or_default()));
    pairs.push(("assessors".into(), content.assessors.join("\n")));
    pairs.push(("assessed_on".into(), iso_date(content.assessed_on)));
    pairs
}

/// The content a posted form describes; a missing or invalid date is the one error here,
/// everything else is the domain's to check against the instrument.
fn content_from(pairs: &[(String, String)]) -> Result<AssessmentContent, FieldErrors> {
    let mut errors = FieldErrors::default();
    let assessed_on = required_date(&mut errors, "assessed_on", pair(pairs, "assessed_on"));
    let Some(assessed_on) = assessed_on else {
        return Err(errors);
    };
    let mut content = AssessmentContent::empty(assessed_on);
    for (name, value) in pairs {
        if let Some(item) = name.strip_prefix("ratings.") {
            content.ratings.insert(item.to_owned(), value.clone());
        } else if let Some(dimension) = name.strip_prefix("rationales.") {
            content.rationales.insert(dimension.to_owned(), value.clone());
        }
    }
    content.overall = pair(pairs, "overall").unwrap_or("").to_owned();
    content.recommendation = pair(pairs, "recommendation").map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    content.assessors = pair(pairs, "assessors").unwrap_or("").lines().map(str::to_owned).collect();
    Ok(content)
}

fn edit_form(instrument: &Instrument, input: Input<'_>) -> EditForm {
    let dimensions = instrument
        .dimensions
        .iter()
        .map(|dimension| {
            let items = dimension
                .items
                .iter()
                .map(|item| {
                    let name = format!("ratings.{}", item.key);
                    let given = input.value(&name).unwrap_or("");
                    let mut options: Vec<Check> = instrument
                        .scale
                        .iter()
                        .map(|level| Check {
                            id: format!("r-{}-{}", item.key, level.key),
                            value: level.key.clone(),
                            label: level.label.clone(),
                            checked: given == level.key,
                        })
                        .collect();
                    options.push(Check {
                        id: format!("r-{}-none", item.key),
                        value: String::new(),
                        label: t().get("assessment.not_rated").to_owned(),
                        checked: instrument.level(given).is_none(),
                    });
                    ItemForm {
                        id: format!("r-{}", item.key),
                        name: name.clone(),
                        text: item.text.clone(),
                        side: side_label(item.side),
                        guidance: Some(item.guidance.clone()).filter(|g| !g.is_empty()),
                        options,
                        error: input.error(&[name.as_str()]),
                    }
                })
                .collect();
            let rationale_name = format!("rationales.{}", dimension.key);
            let mut rationale =
                Field::new(&format!("rationale-{}", dimension.key), &rationale_name, "assessment.rationale", input, "");
            rationale.label = t().format("assessment.rationale_for", &[("dimension", &dimension.name)]);
            DimensionForm {
                key: dimension.key.clone(),
                name: dimension.name.clone(),
                guidance: paragraphs(&dimension.guidance),
                items,
                rationale,
            }
        })
        .collect();
    let recommendation = input.value("recommendation").unwrap_or("");
    EditForm {
        scale: instrument
            .scale
            .iter()
            .map(|level| ScaleRow { label: level.label.clone(), guidance: level.guidance.clone() })
            .collect(),
        dimensions,
        general_error: input.error(&["ratings", "rationales"]),
        overall_guidance: paragraphs(&instrument.overall_guidance),
        overall: Field::new("overall", "overall", "assessment.overall", input, ""),
        recommendations: instrument
            .recommendations
            .iter()
            .map(|choice| Check {
                id: format!("recommendation-{}", choice.key),
                value: choice.key.clone(),
                label: choice.label.clone(),
                checked: recommendation == choice.key,
            })
            .collect(),
        recommendation_hint: None,
        recommendation_error: input.error(&["recommendation"]),
        assessors: Field::new("assessors", "assessors", "assessment.assessors", input, "")
            .hint("assessment.assessors_hint"),
        assessed_on: Field::new("assessed_on", "assessed_on", "assessment.assessed_on", input, "")
            .hint("form.date_hint")
            .required(),
    }
}

impl EditForm {
    /// The error summary in the order of the form.
    fn error_links(&self) -> Vec<ErrorLink> {
        let mut links = Vec::new();
        if let (Some(message), Some(first)) = (&self.general_error, self.dimensions.first()) {
            links.push(ErrorLink {
                anchor: format!("dimension-{}", first.key),
                label: t().get("assessment.ratings").to_owned(),
                message: message.clone(),
            });
        }
        for dimension in &self.dimensions {
            for item in &dimension.items {
                if let (Some(message), Some(first)) = (&item.error, item.options.first()) {
                    links.push(ErrorLink {
                        anchor: first.id.clone(),
                        label: item.text.clone(),
                        message: message.clone(),
                    });
                }
            }
            links.extend(dimension.rationale.error_link());
        }
        links.extend(self.overall.error_link());
        if let (Some(message), Some(first)) = (&self.recommendation_error, self.recommendations.first()) {
            links.push(ErrorLink {
                anchor: first.id.clone(),
                label: t().get("assessment.recommendation").to_owned(),
                message: message.clone(),
            });
        }
        links.extend(self.assessors.error_link());
        links.extend(self.assessed_on.error_link());
        links
    }
}

fn read_view(instrument: &Instrument, content: &AssessmentContent) -> ReadView {
    ReadView {
        dimensions: instrument
            .dimensions
            .iter()
            .map(|dimension| DimensionRead {
                key: dimension.key.clone(),
                name: dimension.name.clone(),
                items: dimension
                    .items
                    .iter()
                    .map(|item| {
                        let level = content.ratings.get(&item.key).and_then(|l| instrument.level(l));
                        ItemRead {
                            text: item.text.clone(),
                            side: side_label(item.side),
                            level: level
                                .map(|l| l.label.clone())
                                .unwrap_or_else(|| t().get("assessment.not_rated").to_owned()),
                            rated: level.is_some(),
                        }
                    })
                    .collect(),
                rationale: content.rationales.get(&dimension.key).map(|r| paragraphs(r)).unwrap_or_default(),
            })
            .collect(),
        overall: paragraphs(&content.overall),
        recommendation: or_dash(
            content.recommendation.as_deref().and_then(|r| instrument.recommendation(r)).map(|c| c.label.clone()),
        ),
        assessors: content.assessors.clone(),
    }
}

fn assessment_head(view: &AssessmentView, users: &[UserSummary]) -> AssessmentHead {
    let s = &view.summary;
    AssessmentHead {
        id: s.id.as_str().to_owned(),
        case_id: view.case_id.as_str().to_owned(),
        person_id: view.person_id.as_str().to_owned(),
        instrument: instrument_label(&s.instrument.name, s.instrument.version),
        description: paragraphs(&view.instrument.description),
        kind: t().label("assessment_kind", s.kind.as_str()),
        status: t().label("assessment_status", s.status.as_str()),
        signed: s.status == infohus_domain::casework::AssessmentStatus::Signed,
        assessed_on: da_date(s.assessed_on),
        owner: s.owner_agency.name.clone(),
        created_by: user_name(users, &view.created_by),
        signed_text: match (&view.signed_by, s.signed_at) {
            (Some(by), Some(at)) => Some(t().format(
                "assessment.signed_by",
                &[("name", &user_name(users, by)), ("date", &da_date(copenhagen(at).date()))],
            )),
            _ => None,
        },
        supersedes: s.supersedes.as_ref().map(|id| id.as_str().to_owned()),
        superseded_by: s.superseded_by.as_ref().map(|id| id.as_str().to_owned()),
    }
}

pub(super) async fn assessment_page(
    state: &AppState,
    user: &WebUser,
    id: &AssessmentId,
    status: Option<&str>,
    rejected: Option<AssessmentRejected<'_>>,
) -> Response {
    let active = "/indbakke";
    let view = match state.store().assessment(&user.actor, id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let infohus = user.actor.infohus();
    let lists = async {
        Ok::<_, StoreError>((
            state.store().agencies(infohus).await?,
            state.store().legal_bases().await?,
            state.store().active_users(infohus).await?,
        ))
    };
    let (agencies, bases, users) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return error_page(state, user, active, e.into()).await,
    };
    let rejected = rejected.as_ref();
    let content = view.content.expose();
    let stored = content_pairs(content);
    let edit = view.may_edit.then(|| {
        let input = match rejected {
            Some(r) if r.form == AssessmentForm::Content => Input::new(r.values, r.errors),
            _ => Input::new(&stored, &NO_ERRORS),
        };
        edit_form(&view.instrument, input)
    });
    let read = (!view.may_edit).then(|| read_view(&view.instrument, content));
    let viewer = user.actor.viewer();
    let owner = view.summary.owner_agency.id == viewer.agency.as_str()
        && matches!(viewer.role, Role::Coordinator | Role::Member);
    let head = assessment_head(&view, &users);
    // Assessments record convictions by their nature: the store treats them as special-category data.
    let sensitivity = Sensitivities::from_stored("political_opinion,religion");
    let disclose = (owner && head.signed)
        .then(|| {
            let shown = rejected.filter(|r| r.form == AssessmentForm::Disclose).map(|r| Input::new(r.values, r.errors));
            let record = Disclosable {
                action: format!("/vurderinger/{}/videregiv", head.id),
                prefix: "disclose".to_owned(),
                heading_key: "assessment.disclose_heading",
                submit_key: "assessment.disclose_submit",
                case_id: None,
                owner_agency_id: &view.summary.owner_agency.id,
                disclosed_to: &view.disclosed_to,
                sensitivity: &sensitivity,
            };
            disclose_form(record, &agencies, &bases, shown)
        })
        .flatten();
    let errors = match rejected {
        Some(r) if r.form == AssessmentForm::Content => edit.as_ref().map(EditForm::error_links).unwrap_or_default(),
        Some(r) => disclose_error_links("disclose", r.errors),
        None => Vec::new(),
    };
    let notice = notice_for(
        status,
        &[
            ("oprettet", "assessment.created"),
            ("gemt", "assessment.saved"),
            ("underskrevet", "assessment.signed"),
            ("rettelse", "assessment.correction_created"),
            ("videregivet", "assessment.disclosed"),
        ],
    );
    let page = AssessmentPage {
        t: t(),
        title: t().get("assessment.title").to_owned(),
        infohus_name: infohus_name(state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice,
        errors,
        a: head,
        edit,
        read,
        may_correct: view.may_correct,
        disclose,
        user: Some(user_bar(user, active)),
    };
    let code = if rejected.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(code, &page)
}

pub(super) async fn assessment(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(id) = path_id::<AssessmentId>(path) else {
        return error_page(&state, &user, "/indbakke", ApiError::NotFound).await;
    };
    assessment_page(&state, &user, &id, status_param(raw.as_deref()).as_deref(), None).await
}

async fn after_assessment_post(
    state: &AppState,
    user: &WebUser,
    id: &AssessmentId,
    form: AssessmentForm,
    pairs: &[(String, String)],
    result: Result<String, StoreError>,
) -> Response {
    match result {
        Ok(location) => see_other(&location),
        Err(StoreError::Invalid(errors)) => {
            let rejected = AssessmentRejected { form, values: pairs, errors: &errors };
            assessment_page(state, user, id, None, Some(rejected)).await
        }
        Err(e) => error_page(state, user, "/indbakke", e.into()).await,
    }
}

pub(super) async fn save_assessment(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AssessmentId>,
) -> Response {
    let result = match content_from(&pairs) {
        Ok(content) => state.store().update_assessment(&user.actor, &id, content, state.today(), state.now()).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    let result = result.map(|()| format!("/vurderinger/{id}?status=gemt"));
    after_assessment_post(&state, &user, &id, AssessmentForm::Content, &pairs, result).await
}

/// Signs the assessment as the form shows it: the content is checked for sign-off first, so
/// an incomplete one changes nothing; a complete one is saved and signed.
pub(super) async fn sign_assessment(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AssessmentId>,
) -> Response {
    let (today, now) = (state.today(), state.now());
    let content = match content_from(&pairs) {
        Ok(content) => content,
        Err(errors) => {
            let result = Err(StoreError::Invalid(errors));
            return after_assessment_post(&state, &user, &id, AssessmentForm::Content, &pairs, result).await;
        }
    };
    let view = match state.store().assessment(&user.actor, &id, now).await {
        Ok(view) => view,
        Err(e) => return error_page(&state, &user, "/indbakke", e.into()).await,
    };
    let result = match validate_for_sign_off(&view.instrument, content, today) {
        Err(errors) => Err(StoreError::Invalid(errors)),
        Ok(content) => match state.store().update_assessment(&user.actor, &id, content, today, now).await {
            Ok(()) => state.store().sign_assessment(&user.actor, &id, today, now).await,
            Err(e) => Err(e),
        },
    };
    let result = result.map(|()| format!("/vurderinger/{id}?status=underskrevet"));
    after_assessment_post(&state, &user, &id, AssessmentForm::Content, &pairs, result).await
}

pub(super) async fn correct_assessment(
    State(state): State<AppState>,
    PagePost { user, id, .. }: PagePost<AssessmentId>,
) -> Response {
    match state.store().correct_assessment(&user.actor, &id, state.now()).await {
        Ok(new) => see_other(&format!("/vurderinger/{new}?status=rettelse")),
        Err(e) => error_page(&state, &user, "/indbakke", e.into()).await,
    }
}

pub(super) async fn disclose_assessment(
    State(state): State<AppState>,
    PagePost { user, id, pairs }: PagePost<AssessmentId>,
) -> Response {
    let result = disclose_record(&state, &user, RecordKind::Assessment, id.as_str(), &pairs).await;
    let result = result.map(|()| format!("/vurderinger/{id}?status=videregivet"));
    after_assessment_post(&state, &user, &id, AssessmentForm::Disclose, &pairs, result).await
}

// ---- progression -----------------------------------------------------------------------

pub(super) struct ProgressionCell {
    label: String,
    rated: bool,
}

pub(super) struct ProgressionRow {
    text: String,
    side: String,
    cells: Vec<ProgressionCell>,
    movement: String,
}

pub(super) struct ProgressionGroup {
    name: String,
    rows: Vec<ProgressionRow>,
}

#[derive(Template)]
#[template(path = "progression.html")]
pub(super) struct ProgressionPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    person_id: String,
    heading: String,
    /// The SVG chart, escaped and deterministic by construction (`chart.rs`).
    chart: String,
    columns: Vec<String>,
    groups: Vec<ProgressionGroup>,
}

/// The progression's items grouped by dimension, consecutive items of one dimension together.
fn progression_groups(p: &Progression) -> Vec<ProgressionGroup> {
    let mut groups: Vec<(String, ProgressionGroup)> = Vec::new();
    for item in &p.items {
        let row = ProgressionRow {
            text: item.item_text.clone(),
            side: t().label("side", item.side.as_str()),
            cells: item
                .points
                .iter()
                .map(|point| match point.and_then(|i| p.scale.get(i)) {
                    Some(label) => ProgressionCell { label: label.clone(), rated: true },
                    None => ProgressionCell { label: t().get("progression.no_rating").to_owned(), rated: false },
                })
                .collect(),
            movement: t().label("movement", item.movement.as_str()),
        };
        match groups.last_mut() {
            Some((key, group)) if *key == item.dimension_key => group.rows.push(row),
            _ => groups.push((
                item.dimension_key.clone(),
                ProgressionGroup { name: item.dimension_name.clone(), rows: vec![row] },
            )),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

pub(super) async fn progression(
    State(state): State<AppState>,
    user: WebUser,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let active = "/indbakke";
    let Some(id) = path_id::<PersonId>(path) else {
        return error_page(&state, &user, active, ApiError::NotFound).await;
    };
    let view = match state.store().progression(&user.actor, &id, state.now()).await {
        Ok(view) => view,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let name = view.person_name.expose().clone();
    let heading = t().format("progression.heading", &[("name", &name)]);
    let page = ProgressionPage {
        t: t(),
        title: t().get("progression.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        person_id: id.as_str().to_owned(),
        chart: crate::chart::progression_svg(&view.progression, t().get("progression.chart_title")),
        columns: view.progression.columns.iter().map(|c| da_date(c.assessed_on)).collect(),
        groups: progression_groups(&view.progression),
        heading,
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}
