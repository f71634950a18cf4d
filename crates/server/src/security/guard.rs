//! The middleware in front of every route: Host allow-list → Origin check → who is calling →
//! (per route) the scope it needs. Security headers go on every response, refusals included.

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use llmops_core::access::{Caller, Scope};
use llmops_core::error::ErrorBody;

use super::hosts::is_loopback_peer;
use super::listener::PeerAddr;
use super::{login_page, Security, SESSION_COOKIE};
use crate::app::AppState;

/// Paths reachable without credentials (the Host check still applies).
const PUBLIC_PATHS: [&str; 3] = ["/login", "/login.js", "/api/auth/login"];

/// The same policy as the desktop window's CSP, without `ipc:`, plus WebSockets to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn guard(
    State(app): State<AppState>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let openai = is_openai_path(path);
    let private_data = path.starts_with("/api/") || path == "/metrics" || openai;
    let response = match admit(&app, peer, &mut request) {
        Ok(()) => next.run(request).await,
        Err(refusal) if openai => refusal.into_openai_response(),
        Err(refusal) => refusal.into_response(),
    };
    with_cache_policy(with_security_headers(response), private_data)
}

/// API answers hold private data: never stored (a shared phone, a proxy). Pages are revalidated
/// on each use, so a browser that logged out never shows the dashboard from its cache.
fn with_cache_policy(mut response: Response, private_data: bool) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if private_data { "no-store" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Per route: refuses a caller whose scope is below `needed`.
pub async fn require_scope(State(needed): State<Scope>, request: Request, next: Next) -> Response {
    match request.extensions().get::<Caller>() {
        Some(caller) if caller.scope.allows(needed) => next.run(request).await,
        Some(caller) => {
            let refusal = Refusal::Scope {
                needed,
                caller: caller.clone(),
            };
            // Inside a nested router the URI lost its prefix; the original one has it.
            let path = request
                .extensions()
                .get::<axum::extract::OriginalUri>()
                .map_or(request.uri().path(), |o| o.0.path());
            if is_openai_path(path) {
                refusal.into_openai_response()
            } else {
                refusal.into_response()
            }
        }
        None => Refusal::LoginRequired { html: false }.into_response(),
    }
}

/// The OpenAI-compatible gateway's paths, whose errors are OpenAI-shaped.
pub fn is_openai_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

fn admit(app: &AppState, peer: std::net::SocketAddr, request: &mut Request) -> Result<(), Refusal> {
    let security = &app.security;
    let headers = request.headers();
    let host = request_host(request).ok_or(Refusal::MissingHost)?;
    if !security.policy.allows_host(&host) {
        return Err(Refusal::ForeignHost(host));
    }
    if changes_state(request.method()) || is_websocket_upgrade(headers) {
        check_origin(security, headers, &host)?;
    }
    let caller = identify(app, peer, headers, is_openai_path(request.uri().path()))?;
    let public = PUBLIC_PATHS.contains(&request.uri().path());
    match caller {
        Some(caller) => {
            request.extensions_mut().insert(caller);
            Ok(())
        }
        None if public => Ok(()),
        None => Err(Refusal::LoginRequired {
            html: wants_html(request),
        }),
    }
}

/// Who is calling: an `Authorization: Bearer` credential (a wrong one is refused even on
/// loopback), else the session cookie, else a loopback client, else nobody.
///
/// One exception, for `/v1` only: OpenAI clients always send some key (`sk-…`, "dummy"), and
/// on loopback without a login requirement an unknown one counts as no key, as with other local
/// OpenAI servers. It gains nothing a keyless loopback request does not have.
fn identify(
    app: &AppState,
    peer: std::net::SocketAddr,
    headers: &HeaderMap,
    openai_path: bool,
) -> Result<Option<Caller>, Refusal> {
    let access = &app.core.access;
    let local = is_loopback_peer(peer) && !app.security.loopback_auth;
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        if openai_path && local {
            let known = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .and_then(|secret| access.authenticate_bearer(secret.trim()));
            return Ok(Some(known.unwrap_or_else(Caller::local)));
        }
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(Refusal::BadCredentials)?;
        return access
            .authenticate_bearer(secret)
            .map(Some)
            .ok_or(Refusal::BadCredentials);
    }
    if let Some(caller) = session_cookie(headers).and_then(|c| access.session_caller(c)) {
        return Ok(Some(caller));
    }
    if local || !app.security.remote_auth {
        return Ok(Some(Caller::local()));
    }
    Ok(None)
}

fn check_origin(security: &Security, headers: &HeaderMap, host: &str) -> Result<(), Refusal> {
    // Browsers send Sec-Fetch-Site on every request; a cross-site page never gets through, even
    // from a browser that omits Origin.
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(Refusal::ForeignOrigin("a cross-site page".into()));
    }
    match headers.get(header::ORIGIN) {
        // Not a browser (curl, SDKs): the credential check decides.
        None => Ok(()),
        Some(origin) => {
            let origin = origin.to_str().unwrap_or("null");
            if security.policy.allows_origin(origin, host) {
                Ok(())
            } else {
                Err(Refusal::ForeignOrigin(origin.chars().take(200).collect()))
            }
        }
    }
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"))
}

/// `Host` (HTTP/1.1) or the URI's authority (HTTP/2).
fn request_host(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
}

pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}

fn wants_html(request: &Request) -> bool {
    request.method() == Method::GET
        && !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

pub fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "cross-origin-resource-policy", "same-origin");
    response
}

/// Why a request was turned away; each says what to do about it.
pub enum Refusal {
    MissingHost,
    ForeignHost(String),
    ForeignOrigin(String),
    BadCredentials,
    /// A wrong token or key typed on the login page.
    BadLogin,
    LoginRequired {
        html: bool,
    },
    Scope {
        needed: Scope,
        caller: Caller,
    },
}

impl Refusal {
    /// The values its message names, for a UI to say it in its own language.
    fn params(&self) -> Option<std::collections::BTreeMap<String, String>> {
        let pairs: Vec<(&str, String)> = match self {
            Refusal::ForeignHost(host) => vec![("host", host.clone())],
            Refusal::ForeignOrigin(origin) => vec![("origin", origin.clone())],
            Refusal::Scope { needed, caller } => vec![
                ("needed", needed.as_str().to_string()),
                ("scope", caller.scope.as_str().to_string()),
            ],
            _ => return None,
        };
        Some(
            pairs
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        )
    }
}

impl Refusal {
    /// Status, code and message.
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Refusal::MissingHost => (
                StatusCode::FORBIDDEN,
                "host_missing",
                "The request has no Host header; use an HTTP/1.1 client".to_string(),
            ),
            Refusal::ForeignHost(host) => (
                StatusCode::FORBIDDEN,
                "host_not_allowed",
                format!(
                    "this server does not answer to the host name {:?} (a DNS rebinding defence). \
                     Use its IP address or localhost, or allow the name with \
                     `llmops serve --allowed-host NAME` (or LLMOPS_ALLOWED_HOSTS)",
                    host.chars().take(100).collect::<String>()
                ),
            ),
            Refusal::ForeignOrigin(origin) => (
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                format!(
                    "requests that change something must come from this server's own pages, not from {origin}. \
                     To allow another origin (for example a reverse proxy), start with \
                     `llmops serve --allowed-origin https://name`"
                ),
            ),
            Refusal::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "The API key or token is not valid (it may have been revoked). Send \
                 `Authorization: Bearer <key>` with a key from the Access page, or the server token"
                    .to_string(),
            ),
            Refusal::BadLogin => (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "That token or key is not valid; it may have been revoked, or the token rotated. \
                 Ask for a new login link (Access page, or the link `llmops serve` prints)"
                    .to_string(),
            ),
            Refusal::LoginRequired { .. } => (
                StatusCode::UNAUTHORIZED,
                "login_required",
                "This server needs a login for clients on other machines. Open the login link that \
                 `llmops serve` printed (or scan its QR code), or send `Authorization: Bearer <key>`"
                    .to_string(),
            ),
            Refusal::Scope { needed, caller } => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!(
                    "this needs the {} scope, and {} has {}. Use a key with the {} scope, or do this on the machine itself",
                    needed.as_str(),
                    caller
                        .key_name
                        .as_deref()
                        .map_or("this login".to_string(), |n| format!("the key {n:?}")),
                    caller.scope.as_str(),
                    needed.as_str()
                ),
            ),
        }
    }

    /// The refusal as OpenAI's API words errors, for `/v1` clients (SDKs read `error.message`).
    pub fn into_openai_response(self) -> Response {
        let (status, code, message) = self.parts();
        let kind = if status == StatusCode::UNAUTHORIZED {
            "authentication_error"
        } else {
            "permission_error"
        };
        let body = llmops_core::gateway::openai_error_body(&message, kind, code);
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"llmops\""),
            );
        }
        response
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if matches!(self, Refusal::LoginRequired { html: true }) {
            return (status, Html(login_page::HTML)).into_response();
        }
        let mut response = (
            status,
            Json(ErrorBody {
                code: code.into(),
                message,
                params: self.params(),
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"llmops\""),
            );
        }
        response
    }
}

/// Shared by the security state: the login page and its script need no credential.
pub fn public_body(content_type: &'static str, body: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
