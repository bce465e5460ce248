//! Infohus over HTTP: server-rendered Danish pages, the JSON API, sessions and CSRF,
//! security headers, and the embedded design-system assets. It holds no SQL and decides no
//! access itself: every use of personal data is a call into the store.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

mod api;
pub mod assets;
mod auth;
mod body;
mod casework_api;
pub mod chart;
mod csv;
mod error;
pub mod i18n;
pub mod ics;
mod meetings_api;
pub mod notify;
mod openapi;
mod pages;
pub mod pdf;
mod search_api;
mod state;

/// Entry points for the fuzz targets in `fuzz/`: not for the application.
#[doc(hidden)]
pub use pages::fuzzing;

pub use auth::LoginLimits;
pub use state::{AppState, Config, SystemClock};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use error::ApiError;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;
use tokio::net::TcpListener;

/// The strict Content-Security-Policy of every response: no inline script or style, no
/// third-party origins, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(static_asset))
        .merge(api::routes())
        .merge(pages::routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(request_log))
        .with_state(state)
}

/// Serves until `shutdown` resolves. Prints the contract's `listening on` line when ready.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!("listening on http://{address}");
    println!("listening on http://{address}");
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.store().ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

async fn static_asset(
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(asset) = assets::lookup(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = asset.etag_header();
    let cache = HeaderValue::from_static("public, max-age=3600");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::CACHE_CONTROL, cache)]).into_response();
    }
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)), (header::CACHE_CONTROL, cache)],
        asset.bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

async fn fallback(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") { ApiError::NotFound.into_response() } else { pages::not_found_page() }
}

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

async fn security_headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// One line per request: method, route template (never the concrete URL, which could hold
/// a search term), status and duration. No bodies, no query strings, no personal data.
async fn request_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method: Method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros();
    if status >= 500 {
        tracing::error!(%method, route, status, micros, "request");
    } else {
        tracing::info!(%method, route, status, micros, "request");
    }
    response
}
