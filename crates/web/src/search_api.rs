//! Person search in the JSON API: `POST /api/v1/person-search` with a CPR number or the
//! words of a name in the body (never in the URL: the criteria are personal data). The store
//! decides what the caller may see and logs the search under every person returned.

use crate::api::referral_json;
use crate::auth::ApiUser;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::openapi::{error_responses, json_body, json_ok, with};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use infohus_domain::FieldErrors;
use infohus_domain::search::PersonQuery;
use serde::Deserialize;
use serde_json::{Value, json};

/// Results per search when the body names no limit.
pub const DEFAULT_LIMIT: u32 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/person-search", post(search))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchBody {
    cpr: Option<String>,
    name: Option<String>,
    limit: Option<u32>,
}

/// The query and the limit of a search body; every problem as a field error.
fn parse(body: &SearchBody) -> Result<(PersonQuery, u32), FieldErrors> {
    let mut errors = FieldErrors::default();
    let limit = match body.limit {
        None => DEFAULT_LIMIT,
        Some(limit @ 1..=100) => limit,
        Some(_) => {
            errors.push("limit", "out_of_range");
            DEFAULT_LIMIT
        }
    };
    // The document's maxLength: longer values are refused, not split or trimmed to fit.
    for (field, value, max) in [("cpr", &body.cpr, 11), ("name", &body.name, 400)] {
        if value.as_deref().is_some_and(|v| v.chars().count() > max) {
            errors.push(field, "too_long");
        }
    }
    match PersonQuery::parse(body.cpr.as_deref(), body.name.as_deref()) {
        Ok(query) if errors.is_empty() => Ok((query, limit)),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.0.extend(more.0);
            Err(errors)
        }
    }
}

async fn search(
    State(state): State<AppState>,
    ApiUser(actor, _): ApiUser,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    let (query, limit) = parse(&body).map_err(ApiError::Invalid)?;
    let found = state.store().search_persons(&actor, &query, limit, state.now()).await?;
    Ok(Json(json!({
        "items": found.items.iter().map(|r| referral_json(&state, r)).collect::<Vec<_>>(),
        "more": found.more,
    })))
}

/// The OpenAPI paths of this module.
pub fn paths() -> Value {
    json!({
        "/api/v1/person-search": {"post": {
            "operationId": "searchPersons",
            "summary": "Referrals about persons with this CPR number, or with every word of this name (whole words, any order), that the caller may see, newest first; logged under every person returned. Roles that see no referral content get 403; a name matching more than 1,000 persons gets 422 (name: too_many_matches).",
            "requestBody": json_body("PersonSearch"),
            "responses": with(json_ok("200", "The referrals found", json!({"type": "object", "required": ["items", "more"], "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}},
                "more": {"type": "boolean", "description": "More referrals matched than the limit"}}})),
                error_responses(&["400", "401", "403", "413", "415", "422"]))
        }}
    })
}

/// The OpenAPI schemas of this module.
pub fn schemas() -> Value {
    json!({
        "PersonSearch": {"type": "object", "additionalProperties": false,
            "description": "Exactly one of cpr and name.",
            "properties": {
                "cpr": {"type": "string", "description": "Ten digits, optionally a hyphen after the sixth; the first six a date", "maxLength": 11},
                "name": {"type": "string", "description": "Name words (split at spaces, hyphens and punctuation), at most 6, each at most 60 characters", "maxLength": 400},
                "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
            }}
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn body(cpr: Option<&str>, name: Option<&str>, limit: Option<u32>) -> SearchBody {
        SearchBody { cpr: cpr.map(str::to_owned), name: name.map(str::to_owned), limit }
    }

    #[test]
    fn limit_and_query_errors_are_reported_together() {
        let errors = parse(&body(None, None, Some(0))).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "query"]);
        assert_eq!(parse(&body(Some("0101051234"), None, None)).unwrap().1, DEFAULT_LIMIT);
        assert_eq!(parse(&body(None, Some("Jensen"), Some(100))).unwrap().1, 100);
    }
}
