//! The meetings JSON API under `/api/v1`: series, meetings, generated agendas and their
//! edits, flags, disclosures in a meeting, minutes and action items. The store decides
//! access and logs; an agenda item shows a neutral reference to those without need to know.

use crate::api::{QueryParams, agency_code, rfc3339};
use crate::auth::ApiUser;
use crate::body::{JsonBody, PathId};
use crate::casework_api::{DisclosureBody, ReasonBody, date_field, task_json};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use infohus_domain::{AgendaItemId, CaseId, FieldErrors, MeetingId, MinutesId, SeriesId};
use infohus_store::{
    AgendaItemView, DEFAULT_OCCURRENCES, MeetingSummary, MeetingView, MinutesItemInput, MinutesView, NewSeries, NewTask,
};
use serde::Deserialize;
use serde_json::{Value, json};
use time::PrimitiveDateTime;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/meeting-series", post(create_series))
        .route("/api/v1/meeting-series/{id}", get(get_series))
        .route("/api/v1/meetings", get(list_meetings))
        .route("/api/v1/meetings/{id}", get(get_meeting))
        .route("/api/v1/meetings/{id}/move", post(move_meeting))
        .route("/api/v1/meetings/{id}/cancel", post(cancel_meeting))
        .route("/api/v1/meetings/{id}/agenda/build", post(build_agenda))
        .route("/api/v1/meetings/{id}/agenda/items", post(add_free_item))
        .route("/api/v1/meetings/{id}/agenda/publish", post(publish_agenda))
        .route("/api/v1/agenda-items/{id}/move", post(move_item))
        .route("/api/v1/agenda-items/{id}/postpone", post(postpone_item))
        .route("/api/v1/agenda-items/{id}/remove", post(remove_item))
        .route("/api/v1/agenda-items/{id}/disclosures", post(disclose_item))
        .route("/api/v1/cases/{id}/flags", post(flag_case))
        .route("/api/v1/meetings/{id}/minutes", get(get_minutes).post(start_minutes))
        .route("/api/v1/minutes/{id}", axum::routing::put(save_minutes))
        .route("/api/v1/minutes/{id}/action-items", post(add_action_item))
        .route("/api/v1/minutes/{id}/approve", post(approve_minutes))
        .route("/api/v1/minutes/{id}/corrections", post(correct_minutes))
}

/// A local (Copenhagen) wall-clock time `YYYY-MM-DDTHH:MM`.
pub fn local_time(field: &str, raw: Option<&str>) -> Result<PrimitiveDateTime, ApiError> {
    let raw = raw.filter(|r| !r.is_empty()).ok_or_else(|| ApiError::invalid(field, "required"))?;
    let bad = || ApiError::invalid(field, "invalid_datetime");
    // Exactly `YYYY-MM-DDTHH:MM`, as the document's pattern says.
    let (date, clock) = raw.split_once('T').ok_or_else(bad)?;
    let date = crate::casework_api::iso_date(date).ok_or_else(bad)?;
    let (h, m) = clock.split_once(':').ok_or_else(bad)?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse::<u8>().ok()).flatten()
    };
    let (h, m) = (two_digits(h).ok_or_else(bad)?, two_digits(m).ok_or_else(bad)?);
    let time = time::Time::from_hms(h, m, 0).map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, time))
}

pub fn local_text(t: PrimitiveDateTime) -> String {
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

pub fn meeting_json(m: &MeetingSummary) -> Value {
    json!({
        "id": m.id.as_str(),
        "series_id": m.series_id.as_ref().map(|s| s.as_str()),
        "name": m.name,
        "planned_start": local_text(m.planned_start),
        "starts_at": local_text(m.starts_at),
        "duration_minutes": m.duration_minutes,
        "cutoff_at": local_text(m.cutoff_at),
        "location": m.location,
        "video_link": m.video_link,
        "status": m.status,
        "cancel_reason": m.cancel_reason,
        "sequence": m.sequence,
        "agenda_status": m.agenda_status,
    })
}

pub fn item_json(i: &AgendaItemView) -> Value {
    json!({
        "id": i.id.as_str(),
        "position": i.position,
        "kind": i.kind,
        "status": i.status,
        "status_note": i.status_note,
        "title": i.title,
        "discussed": i.discussed,
        "reasons": i.reasons.iter().map(|r| json!({
            "reason": r.reason.as_str(),
            "date": r.date.map(|d| crate::api::date_text(Some(d))),
            "reference": r.reference,
        })).collect::<Vec<_>>(),
        "full": i.full.as_ref().map(|f| json!({
            "case_id": f.case_id.as_ref().map(|c| c.as_str()),
            "referral_id": f.referral_id.as_ref().map(|r| r.as_str()),
            "person_id": f.person_id.as_str(),
            "person_name": f.person_name.expose(),
            "category": f.category,
        })),
        "neutral": i.neutral.as_ref().map(|n| json!({
            "number": n.number, "initials": n.initials, "age_band": n.age_band, "category": n.category,
        })),
    })
}

fn meeting_view_json(v: &MeetingView) -> Value {
    let mut value = meeting_json(&v.meeting);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "series".into(),
            json!(v.series.as_ref().map(|s| json!({
                "id": s.id.as_str(), "name": s.name, "interval_days": s.interval_days,
                "participants": s.participants.iter().map(|(a, u)| json!({"agency": a, "user": u})).collect::<Vec<_>>(),
            }))),
        );
        object.insert("agenda".into(), json!(v.items.iter().map(item_json).collect::<Vec<_>>()));
    }
    value
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParticipantBody {
    agency: Option<String>,
    user: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesBody {
    name: Option<String>,
    first_start: Option<String>,
    interval_days: Option<u32>,
    duration_minutes: Option<u32>,
    cutoff_minutes: Option<u32>,
    location: Option<String>,
    video_link: Option<String>,
    #[serde(default, deserialize_with = "crate::body::objects")]
    participants: Option<Vec<ParticipantBody>>,
    occurrences: Option<u32>,
}

async fn create_series(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<SeriesBody>,
) -> Result<Response, ApiError> {
    let first_start = local_time("first_start", body.first_start.as_deref())?;
    let participants = crate::body::at_most("participants", body.participants, 50)?
        .into_iter()
        .map(|p| Ok((agency_code("participants", p.agency.as_deref())?, p.user)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let new = NewSeries {
        name: body.name.unwrap_or_default(),
        first_start,
        interval_days: body.interval_days.unwrap_or(14),
        duration_minutes: body.duration_minutes.unwrap_or(90),
        cutoff_minutes: body.cutoff_minutes.unwrap_or(21 * 60),
        location: body.location,
        video_link: body.video_link,
        participants,
        occurrences: body.occurrences.unwrap_or(DEFAULT_OCCURRENCES),
    };
    let id = state.store().create_series(&actor, new, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id.as_str()}))).into_response())
}

async fn get_series(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<SeriesId>,
) -> Result<Json<Value>, ApiError> {
    let s = state.store().series(&actor, &id).await?;
    Ok(Json(json!({
        "id": s.id.as_str(), "name": s.name, "first_start": local_text(s.first_start), "interval_days": s.interval_days,
        "duration_minutes": s.duration_minutes, "cutoff_minutes": s.cutoff_minutes, "location": s.location,
        "video_link": s.video_link,
        "participants": s.participants.iter().map(|(a, u)| json!({"agency": a, "user": u})).collect::<Vec<_>>(),
    })))
}

async fn list_meetings(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = QueryParams::parse(query.as_deref())?;
    let from = match query.get("from") {
        None => state.today(),
        Some(raw) => date_field("from", Some(raw))?,
    };
    let limit = query.limit()?;
    let list = state.store().meetings(&actor, from, limit).await?;
    Ok(Json(json!({"items": list.iter().map(meeting_json).collect::<Vec<_>>()})))
}

async fn get_meeting(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<Value>, ApiError> {
    let view = state.store().meeting(&actor, &id, state.today(), state.now()).await?;
    Ok(Json(meeting_view_json(&view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    starts_at: Option<String>,
}

async fn move_meeting(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
    JsonBody(body): JsonBody<MoveBody>,
) -> Result<StatusCode, ApiError> {
    let starts_at = local_time("starts_at", body.starts_at.as_deref())?;
    state.store().move_meeting(&actor, &id, starts_at, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cancel_meeting(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    state.store().cancel_meeting(&actor, &id, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn build_agenda(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<Value>, ApiError> {
    let days = state.config().screening_working_days;
    let items = state.store().build_agenda(&actor, &id, days, state.now()).await?;
    Ok(Json(json!({"generated_items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FreeItemBody {
    title: Option<String>,
}

async fn add_free_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
    JsonBody(body): JsonBody<FreeItemBody>,
) -> Result<Response, ApiError> {
    let item = state.store().add_free_item(&actor, &id, body.title.as_deref().unwrap_or(""), state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": item.as_str()}))).into_response())
}

async fn publish_agenda(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
) -> Result<StatusCode, ApiError> {
    state.store().publish_agenda(&actor, &id, state.now()).await?;
    state.notify_meeting(&actor, &id, "agenda").await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectionBody {
    direction: Option<String>,
}

async fn move_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AgendaItemId>,
    JsonBody(body): JsonBody<DirectionBody>,
) -> Result<StatusCode, ApiError> {
    let up = match body.direction.as_deref() {
        Some("up") => true,
        Some("down") => false,
        None | Some("") => return Err(ApiError::invalid("direction", "required")),
        Some(_) => return Err(ApiError::invalid("direction", "invalid_choice")),
    };
    state.store().move_item(&actor, &id, up, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn postpone_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AgendaItemId>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    state.store().set_item_status(&actor, &id, true, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AgendaItemId>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<StatusCode, ApiError> {
    state.store().set_item_status(&actor, &id, false, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn disclose_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<AgendaItemId>,
    JsonBody(body): JsonBody<DisclosureBody>,
) -> Result<Response, ApiError> {
    let to = agency_code("to_agency", body.to_agency.as_deref())?;
    let basis =
        body.legal_basis.filter(|b| !b.is_empty()).ok_or_else(|| ApiError::invalid("legal_basis", "required"))?;
    let disclosure = state
        .store()
        .disclose_in_meeting(&actor, &id, &to, &basis, body.purpose.as_deref().unwrap_or(""), state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": disclosure}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagBody {
    note: Option<String>,
}

async fn flag_case(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<CaseId>,
    JsonBody(body): JsonBody<FlagBody>,
) -> Result<Response, ApiError> {
    let flag = state.store().flag_case(&actor, &id, body.note.as_deref().unwrap_or(""), state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": flag}))).into_response())
}

pub fn minutes_json(m: &MinutesView, today: time::Date) -> Value {
    json!({
        "id": m.id.as_str(),
        "meeting_id": m.meeting_id.as_str(),
        "version": m.version,
        "status": m.status,
        "attendance": m.attendance,
        "supersedes": m.supersedes.as_ref().map(|s| s.as_str()),
        "correction_reason": m.correction_reason,
        "approved_by": m.approved_by,
        "approved_at": m.approved_at.map(rfc3339),
        "items": m.items.iter().map(|i| json!({
            "agenda_item": i.agenda_item.as_str(),
            "summary": i.summary.as_ref().map(|s| s.expose().clone()),
            "decisions": i.decisions.as_ref().map(|s| s.expose().clone()),
        })).collect::<Vec<_>>(),
        "action_items": m.action_items.iter().map(|t| task_json(t, today)).collect::<Vec<_>>(),
        "disclosures": m.disclosures.iter().map(|d| json!({
            "item": d.item_position, "to_agency": d.to_agency, "legal_basis": d.legal_basis, "at": rfc3339(d.at),
        })).collect::<Vec<_>>(),
    })
}

async fn get_minutes(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<Value>, ApiError> {
    let minutes = state.store().minutes(&actor, &id, state.now()).await?;
    Ok(Json(json!({"minutes": minutes.as_ref().map(|m| minutes_json(m, state.today()))})))
}

async fn start_minutes(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Response, ApiError> {
    let minutes = state.store().start_minutes(&actor, &id, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": minutes.as_str()}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinutesItemBody {
    agenda_item: Option<String>,
    summary: Option<String>,
    decisions: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinutesBody {
    attendance: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::body::objects")]
    items: Option<Vec<MinutesItemBody>>,
}

async fn save_minutes(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MinutesId>,
    JsonBody(body): JsonBody<MinutesBody>,
) -> Result<StatusCode, ApiError> {
    let mut errors = FieldErrors::default();
    let mut items = Vec::new();
    for (n, item) in crate::body::at_most("items", body.items, 500)?.into_iter().enumerate() {
        match item.agenda_item.as_deref().and_then(AgendaItemId::parse) {
            Some(agenda_item) => items.push(MinutesItemInput {
                agenda_item,
                summary: item.summary.unwrap_or_default(),
                decisions: item.decisions.unwrap_or_default(),
            }),
            None => errors.push(format!("items[{n}].agenda_item"), "required"),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let attendance = crate::body::at_most("attendance", body.attendance, 200)?;
    state.store().save_minutes(&actor, &id, &attendance, items, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionItemBody {
    agenda_item: Option<String>,
    title: Option<String>,
    owner_agency: Option<String>,
    assignee: Option<String>,
    due_on: Option<String>,
}

async fn add_action_item(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MinutesId>,
    JsonBody(body): JsonBody<ActionItemBody>,
) -> Result<Response, ApiError> {
    let item = body
        .agenda_item
        .as_deref()
        .and_then(AgendaItemId::parse)
        .ok_or_else(|| ApiError::invalid("agenda_item", "required"))?;
    let task = NewTask {
        title: body.title.unwrap_or_default(),
        owner_agency: agency_code("owner_agency", body.owner_agency.as_deref())?,
        assignee: body.assignee,
        due_on: date_field("due_on", body.due_on.as_deref())?,
    };
    let task = state.store().add_action_item(&actor, &id, &item, task, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": task.as_str()}))).into_response())
}

async fn approve_minutes(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MinutesId>,
) -> Result<StatusCode, ApiError> {
    state.store().approve_minutes(&actor, &id, state.now()).await?;
    if let Ok(meeting) = state.store().meeting_of_minutes(&actor, &id).await {
        state.notify_meeting(&actor, &meeting, "minutes").await;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn correct_minutes(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    PathId(id): PathId<MinutesId>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    let new = state.store().correct_minutes(&actor, &id, body.reason.as_deref().unwrap_or(""), state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": new.as_str()}))).into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn local_times_are_written_exactly_as_documented() {
        assert_eq!(local_text(local_time("t", Some("2026-11-24T09:00")).unwrap()), "2026-11-24T09:00");
        for raw in [
            "2026-11-24T9:00",
            "2026-11-24T09:00:00",
            "2026-11-24T+9:00",
            " 2026-11-24T09:00",
            "20261124T09:00",
            "2026-11-24T24:00",
        ] {
            assert!(local_time("t", Some(raw)).is_err(), "{raw}");
        }
    }
}
