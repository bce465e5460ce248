//! Reading request bodies as hostile input: a 1 MiB cap (413), JSON with unknown fields
//! refused at any depth (422, with the field path), malformed syntax 400.

use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use infohus_domain::FieldErrors;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::marker::PhantomData;

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

/// Parses JSON into `T`: syntax errors are 400, wrong shapes and unknown fields 422. The
/// body must be a JSON object, as every request body in the document is.
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(|v| {
        let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/json" || essence.ends_with("+json")
    });
    if is_json == Some(false) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map(|Object(value)| value).map_err(|error| {
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

/// A value that must come as a JSON object. Serde's derived structs also take a JSON array
/// (the fields in order), which the document does not allow: `[null]` would be a body
/// with every field absent. Reading through `deserialize_map` refuses the array (422,
/// `invalid_type`) and keeps the field path of anything wrong inside.
pub struct Object<T>(pub T);

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData)).map(Object)
    }
}

/// `#[serde(default, deserialize_with = "object")]` for an optional nested object.
pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Ok(Option::<Object<T>>::deserialize(deserializer)?.map(|Object(value)| value))
}

/// `#[serde(default, deserialize_with = "objects")]` for an optional list of objects.
pub fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Option::<Vec<Object<T>>>::deserialize(deserializer)?.map(|list| list.into_iter().map(|Object(v)| v).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        #[serde(default, deserialize_with = "object")]
        inner: Option<Inner>,
        #[allow(dead_code)]
        #[serde(default, deserialize_with = "objects")]
        list: Option<Vec<Inner>>,
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

    /// Found by schemathesis: `[null]` as the body of `POST /api/v1/cases/{id}/flags` was a
    /// flag with every field absent (201): serde takes a struct from an array too.
    #[test]
    fn arrays_where_objects_belong_are_422_at_any_depth() {
        let at = |body: &[u8]| field_of(parse_json::<Outer>(&json_headers(), body).unwrap_err());
        assert_eq!(at(b"[null]"), ("body".to_owned(), "invalid_type"));
        assert_eq!(at(b"[]"), ("body".to_owned(), "invalid_type"));
        assert_eq!(at(br#"{"inner": ["x"]}"#), ("inner".to_owned(), "invalid_type"));
        assert_eq!(at(br#"{"list": [{"name": "x"}, ["y"]]}"#), ("list[1]".to_owned(), "invalid_type"));
        assert_eq!(at(br#"{"list": [{"name": 5}]}"#), ("list[0].name".to_owned(), "invalid_type"));
        assert!(parse_json::<Outer>(&json_headers(), br#"{"inner": null, "list": [{}, {"name": "x"}]}"#).is_ok());
        assert!(parse_json::<Outer>(&json_headers(), b"{}").is_ok());
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
