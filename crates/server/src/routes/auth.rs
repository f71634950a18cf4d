//! `/api/auth/*`: log a browser in (a session cookie), out, and say who is calling; and
//! `GET /api/access/login-link`: the link and QR code that log a phone in (admin).

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use llmops_core::access::{Caller, LoginLink};
use llmops_core::Core;
use serde::Deserialize;

use crate::api_error::{ApiError, ApiResult};
use crate::security::guard::Refusal;
use crate::security::{self, Security};

#[derive(Deserialize, schemars::JsonSchema)]
pub struct LoginRequest {
    token: String,
}

/// `POST /api/auth/login {token}`: the server token or an API key → a session cookie.
pub async fn login(
    State(core): State<Core>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(ApiError::from_json)?;
    let Some((caller, cookie)) = core.access.login(request.token.trim()) else {
        tracing::warn!("a login with a wrong token was refused");
        return Ok(Refusal::BadLogin.into_response());
    };
    let mut response = Json(caller).into_response();
    let header = HeaderValue::from_str(&security::session_cookie_header(&cookie))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    response.headers_mut().insert(SET_COOKIE, header);
    Ok(response)
}

/// `POST /api/auth/logout`: ends this browser's session.
pub async fn logout() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&security::clear_session_cookie_header())
            .expect("a static cookie header"),
    );
    response
}

/// `GET /api/auth/whoami`: the caller's scope and how it was recognised.
pub async fn whoami(Extension(caller): Extension<Caller>) -> ApiResult<Caller> {
    Ok(Json(caller))
}

/// `GET /api/access/login-link` (admin): the link and QR code that log a phone in.
pub async fn login_link(
    State(core): State<Core>,
    State(security): State<Arc<Security>>,
) -> ApiResult<LoginLink> {
    let url = security
        .lan_base
        .as_deref()
        .map(|base| core.access.login_url(base));
    let note = url.is_none().then(|| {
        "this server listens on 127.0.0.1 only; restart it with `llmops serve --host 0.0.0.0` to reach it from a phone".to_string()
    });
    Ok(Json(LoginLink {
        qr_svg: url.as_deref().and_then(security::qr_svg),
        url,
        token_file: core.access.token_path().display().to_string(),
        remote_auth: security.remote_auth,
        note,
    }))
}
