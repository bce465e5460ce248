//! Reading request bodies as hostile input: a 1 MiB cap (413), JSON with unknown fields
//! refused at any depth (422, with the field path), malformed syntax 400.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use infohus_domain::FieldErrors;
use serde::de::DeserializeOwned;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole body, or 413 when it is larger than the cap (declared or actual).
pub async fn read_limited(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(ApiError::TooLarge);
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|error| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&error);
        while let Some(cause) = source {
            if cause.is::<http_body_util::LengthLimitError>() {
                return ApiError::TooLarge;
            }
            source = cause.source();
        }
        ApiError::Malformed
    })
}

/// A JSON request body: capped at 1 MiB, unknown fields refused. Comes last among a
/// handler's extractors, so authentication is checked before the body is read.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let bytes = read_limited(&parts.headers, body).await?;
        parse_json(&parts.headers, &bytes).map(JsonBody)
    }
}

/// A JSON list of at most `max` items (the document's `maxItems`): more is a 422, never
/// silently cut short; absent is empty.
pub fn at_most<T>(field: &str, items: Option<Vec<T>>, max: usize) -> Result<Vec<T>, ApiError> {
    let items = items.unwrap_or_default();
    if items.len() > max {
        return Err(ApiError::invalid(field, "too_many"));
    }
    Ok(items)
}

/// An `{id}` path segment of a given id type: anything that cannot be one names nothing, so
/// it is a 404 like any id the caller may not see.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: infohus_domain::ids::OpaqueId> axum::extract::FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        T::parse_id(&raw.0).map(PathId).ok_or(ApiError::NotFound)
    }
}

/// Parses JSON into `T`: syntax errors are 400, wrong shapes and unknown fields 422.
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|v| {
        let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    });
    if is_json == Some(false) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let code = if message.starts_with("unknown field") { "unknown_field" } else { "invalid_type" };
                let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
                ApiError::Invalid(FieldErrors::single(field, code))
            }
            _ => ApiError::Malformed,
        }
    })?;
    deserializer.end().map_err(|_| ApiError::Malformed)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        name: Option<String>,
    }

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        h
    }

    fn field_of(error: ApiError) -> (String, &'static str) {
        match error {
            ApiError::Invalid(f) => (f.0[0].field.clone(), f.0[0].code),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn unknown_nested_fields_are_422_with_their_path() {
        let err = parse_json::<Outer>(&json_headers(), br#"{"inner": {"name": "x", "extra": 1}}"#).unwrap_err();
        let (field, code) = field_of(err);
        assert_eq!(code, "unknown_field");
        assert!(field.starts_with("inner"), "{field}");
    }

    #[test]
    fn wrong_types_are_422_and_broken_json_is_400() {
        let (field, code) = field_of(parse_json::<Outer>(&json_headers(), br#"{"inner": {"name": 5}}"#).unwrap_err());
        assert_eq!((field.as_str(), code), ("inner.name", "invalid_type"));
        assert!(matches!(parse_json::<Outer>(&json_headers(), b"{").unwrap_err(), ApiError::Malformed));
        assert!(matches!(parse_json::<Outer>(&json_headers(), b"{} x").unwrap_err(), ApiError::Malformed));
        assert!(matches!(parse_json::<Outer>(&json_headers(), b"").unwrap_err(), ApiError::Malformed));
    }

    #[test]
    fn lists_longer_than_allowed_are_refused_not_cut() {
        assert_eq!(at_most("l", Some(vec![1, 2]), 2).unwrap(), vec![1, 2]);
        assert!(at_most::<u8>("l", None, 2).unwrap().is_empty());
        assert!(matches!(at_most("l", Some(vec![1, 2, 3]), 2), Err(ApiError::Invalid(_))));
    }

    #[test]
    fn a_non_json_content_type_is_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(matches!(parse_json::<Outer>(&h, b"{}").unwrap_err(), ApiError::UnsupportedMediaType));
    }
}
