//! Signing in and out, and the landing page each role starts from.

use super::*;

pub(super) async fn home(State(state): State<AppState>, user: Result<WebUser, crate::auth::ToLogin>) -> Response {
    let Ok(user) = user else {
        return Redirect::to("/log-ind").into_response();
    };
    match user.actor.role() {
        Role::Coordinator | Role::Member => Redirect::to("/indbakke").into_response(),
        Role::Auditor => Redirect::to("/revision").into_response(),
        Role::Mentor => Redirect::to("/mit-arbejde").into_response(),
        Role::Admin | Role::Analyst | Role::NationalAdmin => {
            let name = infohus_name(&state, Some(&user.actor)).await;
            let key = format!("home.text_{}", user.actor.role().as_str());
            let text = t().get(&key).to_owned();
            render(
                StatusCode::OK,
                &MessagePage {
                    t: t(),
                    title: t().get("home.title").to_owned(),
                    infohus_name: name,
                    user: Some(user_bar(&user, "/")),
                    heading: t().get("home.title").to_owned(),
                    text,
                    link: None,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

pub(super) async fn login_page(
    state: &AppState,
    status: StatusCode,
    username: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let csrf = infohus_store_token();
    let mut response = render(
        status,
        &LoginPage {
            t: t(),
            title: t().get("login.title").to_owned(),
            infohus_name: infohus_name(state, None).await,
            user: None,
            csrf: csrf.clone(),
            username,
            error,
            notice,
        },
    );
    let mut cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/log-ind; HttpOnly; SameSite=Strict");
    if state.config().secure_cookies {
        cookie.push_str("; Secure");
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(super) fn infohus_store_token() -> String {
    use base64::Engine;
    use rand::RngExt;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) async fn login_form(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let query = QueryParams::parse(raw.as_deref()).ok();
    let notice = match query.as_ref().and_then(|q| q.get("status")) {
        Some("logget-ud") => Some(t().get("login.logged_out").to_owned()),
        Some("udloebet") => Some(t().get("login.expired").to_owned()),
        _ => None,
    };
    login_page(&state, StatusCode::OK, String::new(), None, notice).await
}

pub(super) async fn login_submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let pairs = match read_limited(&headers, body).await.and_then(|b| form_pairs(&b)) {
        Ok(pairs) => pairs,
        Err(error) => {
            let key = if matches!(error, ApiError::TooLarge) { "page.too_large_text" } else { "page.bad_request_text" };
            return login_page(&state, error.status(), String::new(), Some(t().get(key).to_owned()), None).await;
        }
    };
    let username: String = pair(&pairs, "username").unwrap_or("").trim().chars().take(64).collect();
    let csrf_ok = match (cookie(&headers, LOGIN_CSRF_COOKIE), pair(&pairs, "csrf")) {
        (Some(expected), Some(given)) => constant_time_eq(expected.as_bytes(), given.as_bytes()),
        _ => false,
    };
    if !csrf_ok {
        let message = t().get("login.csrf").to_owned();
        return login_page(&state, StatusCode::FORBIDDEN, username, Some(message), None).await;
    }
    let password = pair(&pairs, "password").unwrap_or("");
    match check_login(&state, &username, password, address).await {
        Ok(user) => match state.store().create_session(&user, SessionKind::Web, state.now()).await {
            Ok(session) => {
                let mut response = Redirect::to("/").into_response();
                *response.status_mut() = StatusCode::SEE_OTHER;
                response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &session.token, None));
                response
            }
            Err(error) => {
                tracing::error!(code = error.code(), "session creation failed");
                login_page(
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    username,
                    Some(t().get("page.error_text").to_owned()),
                    None,
                )
                .await
            }
        },
        Err(LoginFailure::BadCredentials) => {
            login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                username,
                Some(t().get("login.bad_credentials").to_owned()),
                None,
            )
            .await
        }
        Err(LoginFailure::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).to_string();
            let message = t().format("login.rate_limited", &[("minutes", &minutes)]);
            login_page(&state, StatusCode::TOO_MANY_REQUESTS, username, Some(message), None).await
        }
        Err(LoginFailure::Internal) => {
            login_page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                username,
                Some(t().get("page.error_text").to_owned()),
                None,
            )
            .await
        }
    }
}

pub(super) async fn logout(State(state): State<AppState>, user: WebUser, headers: HeaderMap, body: Body) -> Response {
    let pairs = read_limited(&headers, body).await.and_then(|b| form_pairs(&b)).unwrap_or_default();
    if !user.csrf_ok(pair(&pairs, "csrf")) {
        return error_page(&state, &user, "", ApiError::Forbidden).await;
    }
    if let Err(error) = state.store().end_session(&user.token, state.now()).await {
        tracing::error!(code = error.code(), "logout failed");
        return error_page(&state, &user, "", ApiError::Internal).await;
    }
    let mut response = Redirect::to("/log-ind?status=logget-ud").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, "", Some(0)));
    response
}
