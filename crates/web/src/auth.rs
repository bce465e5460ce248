//! Logging in and who is asking: password checks off the async threads, failed-login rate
//! limits per account and per client address, bearer tokens for the API and session
//! cookies (with a CSRF token) for the pages.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use infohus_domain::UserId;
use infohus_store::{Actor, SessionKind, password};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use time::Duration;

pub const SESSION_COOKIE: &str = "infohus_session";
pub const LOGIN_CSRF_COOKIE: &str = "infohus_login_csrf";

/// How many failed logins are tolerated in a window before further attempts get 429. The
/// counts live in the database, so every server of an installation applies the same limits.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self { per_account: 5, per_address: 20, window: Duration::minutes(15) }
    }
}

pub enum LoginFailure {
    BadCredentials,
    RateLimited { retry_after_secs: u64 },
    Internal,
}

impl From<LoginFailure> for ApiError {
    fn from(failure: LoginFailure) -> Self {
        match failure {
            LoginFailure::BadCredentials => ApiError::Unauthenticated,
            LoginFailure::RateLimited { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
            LoginFailure::Internal => ApiError::Internal,
        }
    }
}

/// Checks a username and password, applying the failed-login limits.
pub async fn check_login(
    state: &AppState,
    username: &str,
    password_text: &str,
    address: IpAddr,
) -> Result<UserId, LoginFailure> {
    let now = state.now();
    let limits = state.config().login_limits;
    // Bound what is hashed and what is used as a map key.
    let account: String = username.chars().take(64).collect();
    let account_key = format!("account:{account}");
    let address_key = format!("address:{address}");
    let limit_keys = [(account_key.clone(), limits.per_account), (address_key.clone(), limits.per_address)];
    match state.store().login_blocked(&limit_keys, limits.window, now).await {
        Ok(Some(retry_after_secs)) => return Err(LoginFailure::RateLimited { retry_after_secs }),
        Ok(None) => {}
        Err(error) => {
            tracing::error!(code = error.code(), "login limit lookup failed");
            return Err(LoginFailure::Internal);
        }
    }
    let candidate = match state.store().login_candidate(&account).await {
        Ok(candidate) => candidate,
        Err(error) => {
            tracing::error!(code = error.code(), "login lookup failed");
            return Err(LoginFailure::Internal);
        }
    };
    let attempt = password_text.chars().take(1024).collect::<String>();
    let verified = tokio::task::spawn_blocking(move || match candidate {
        Some((id, hash)) => password::verify(&hash, &attempt).then_some(id),
        None => {
            password::verify_dummy(&attempt);
            None
        }
    })
    .await
    .map_err(|_| LoginFailure::Internal)?;
    match verified {
        Some(id) => {
            if let Err(error) = state.store().clear_login_failures(&account_key).await {
                tracing::error!(code = error.code(), "clearing failed logins failed");
            }
            Ok(id)
        }
        None => {
            if let Err(error) =
                state.store().record_login_failure(&[account_key, address_key], limits.window, now).await
            {
                tracing::error!(code = error.code(), "recording a failed login failed");
                return Err(LoginFailure::Internal);
            }
            tracing::info!("failed login");
            Err(LoginFailure::BadCredentials)
        }
    }
}

pub fn client_address(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// A client address extractor (never fails).
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts)))
    }
}

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The caller of an API endpoint, from a bearer token.
pub struct ApiUser(pub Actor, pub String);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let found =
            state.store().authenticate(token, SessionKind::Api, state.now(), state.config().idle_timeout).await?;
        match found {
            Some((actor, _)) => Ok(ApiUser(actor, token.to_owned())),
            None => Err(ApiError::Unauthenticated),
        }
    }
}

/// The signed-in person of a page, from the session cookie, with their CSRF token.
pub struct WebUser {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
}

impl WebUser {
    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where an unauthenticated page request goes instead.
pub struct ToLogin;

impl axum::response::IntoResponse for ToLogin {
    fn into_response(self) -> axum::response::Response {
        axum::response::Redirect::to("/log-ind").into_response()
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(ToLogin)?;
        let found = state
            .store()
            .authenticate(token, SessionKind::Web, state.now(), state.config().idle_timeout)
            .await
            .map_err(|error| {
                tracing::error!(code = error.code(), "session lookup failed");
                ToLogin
            })?;
        match found {
            Some((actor, csrf)) => Ok(WebUser { actor, csrf, token: token.to_owned() }),
            None => Err(ToLogin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_bearer_tokens_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; infohus_session=tok; b=2".parse().unwrap());
        headers.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("tok"));
        assert_eq!(bearer_token(&headers), Some("abc"));
    }
}
