//! The API's one error type and its JSON shape (CONTRACT.md). Messages come from the
//! catalogue; internal causes are logged by code and never sent to the client.

use crate::i18n::Catalog;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use infohus_domain::FieldErrors;
use infohus_store::StoreError;
use serde_json::json;

/// Every field error code the API and forms can produce; the catalogue test checks each
/// has a message.
#[cfg_attr(not(test), allow(dead_code))]
pub const FIELD_CODES: &[&str] = &[
    "required",
    "invalid_choice",
    "invalid_cpr",
    "invalid_cpr_date",
    "invalid_date",
    "date_in_future",
    "invalid_phone",
    "invalid_email",
    "invalid_municipality",
    "too_long",
    "invalid_characters",
    "unknown_field",
    "invalid_type",
    "invalid_cursor",
    "invalid_limit",
    "unknown_agency",
    "invalid_code",
    "own_agency",
    "basis_does_not_cover",
    "too_short",
    "unknown_person",
    "invalid_datetime",
    "already_exists",
    "national_has_no_district",
    "unknown_infohus",
    "not_police",
    "not_participating",
    "unknown_user",
    "before_start",
    "out_of_range",
    "unknown_item",
    "not_on_scale",
    "unknown_dimension",
    "invalid_link",
    "not_on_agenda",
    "not_a_case",
    "already_participating",
    "same_infohus",
    "too_many",
];

#[derive(Debug)]
pub enum ApiError {
    Malformed,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict(&'static str),
    TooLarge,
    UnsupportedMediaType,
    Invalid(FieldErrors),
    RateLimited { retry_after_secs: u64 },
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed => "malformed",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(code) => code,
            ApiError::TooLarge => "too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Invalid(_) => "invalid",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Internal => "internal",
        }
    }

    pub fn invalid(field: &str, code: &'static str) -> Self {
        ApiError::Invalid(FieldErrors::single(field, code))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            // Erased data no longer exists, for every caller.
            StoreError::NotFound | StoreError::Erased => ApiError::NotFound,
            StoreError::Forbidden => ApiError::Forbidden,
            StoreError::Conflict(code) => ApiError::Conflict(code),
            StoreError::Invalid(fields) => ApiError::Invalid(fields),
            other => {
                tracing::error!(code = other.code(), error = %other, "storage failure");
                ApiError::Internal
            }
        }
    }
}

/// The contract's error body, in the catalogue's language.
pub fn error_body(catalog: &Catalog, error: &ApiError) -> serde_json::Value {
    let code = error.code();
    let message = match error {
        ApiError::Conflict(_) => catalog.label("error", code),
        _ => catalog.get(&format!("error.{code}")).to_owned(),
    };
    let fields: Vec<_> = match error {
        ApiError::Invalid(fields) => fields
            .0
            .iter()
            .map(|f| json!({"field": f.field, "code": f.code, "message": catalog.label("field_error", f.code)}))
            .collect(),
        _ => Vec::new(),
    };
    json!({"error": {"code": code, "message": message, "fields": fields}})
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = error_body(Catalog::danish(), &self);
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited { retry_after_secs } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}
