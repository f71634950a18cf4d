//! Who may reach `llmops serve`, and from where. See `docs/SECURITY.md` for the threat model.
//!
//! - [`hosts`]: the `Host` allow-list (DNS rebinding) and allowed `Origin`s (cross-site pages).
//! - [`guard`]: the middleware in front of every route, and the per-route scope check.
//! - [`listener`]: a bounded number of open connections.
//! - [`login_page`]: what a browser without a session sees.

pub mod guard;
pub mod hosts;
pub mod listener;
pub mod login_page;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::middleware::from_fn_with_state;
use axum::routing::MethodRouter;
use llmops_core::access::{Scope, SESSION_TTL_SECS};
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api_error::ApiError;

pub use hosts::HostPolicy;

use crate::app::AppState;

pub const SESSION_COOKIE: &str = "llmops_session";
/// Open connections at once (HTTP, SSE and WebSocket together).
pub const MAX_CONNECTIONS: usize = 256;
/// Open WebSockets at once (events and log followers).
pub const MAX_WEBSOCKETS: usize = 32;
/// Largest message a client may send on a WebSocket; ours only ever receive pings and closes.
pub const MAX_WS_MESSAGE: usize = 4096;

pub struct Security {
    pub policy: HostPolicy,
    /// Clients not on loopback must log in (false only with `--insecure-no-auth`).
    pub remote_auth: bool,
    /// Loopback clients must log in too (`--require-auth-on-loopback`, e.g. behind a reverse
    /// proxy on the same machine).
    pub loopback_auth: bool,
    pub websockets: Arc<Semaphore>,
    /// How other devices reach this server (`http://<LAN IP>:<port>`), when it listens on a
    /// non-loopback address.
    pub lan_base: Option<String>,
}

impl Security {
    pub fn new(
        bound: SocketAddr,
        allowed_hosts: Vec<String>,
        allowed_origins: Vec<String>,
        remote_auth: bool,
        loopback_auth: bool,
    ) -> Security {
        let bound_ip = (!bound.ip().is_unspecified()).then_some(bound.ip());
        Security {
            policy: HostPolicy {
                bound: bound_ip,
                bound_everywhere: bound.ip().is_unspecified(),
                allowed_hosts,
                machine_names: hosts::machine_names(),
                allowed_origins,
                dev_origin: cfg!(debug_assertions),
            },
            remote_auth,
            loopback_auth,
            websockets: Arc::new(Semaphore::new(MAX_WEBSOCKETS)),
            lan_base: lan_base(bound),
        }
    }
}

/// A route's method router with the scope it needs: `get(handler).needs(Scope::Read)`.
pub trait NeedsScope {
    fn needs(self, scope: Scope) -> Self;
}

impl NeedsScope for MethodRouter<AppState> {
    fn needs(self, scope: Scope) -> Self {
        self.route_layer(from_fn_with_state(scope, guard::require_scope))
    }
}

/// A slot for one more open WebSocket, or 503 when [`MAX_WEBSOCKETS`] are open.
pub fn websocket_slot(security: &Security) -> Result<OwnedSemaphorePermit, ApiError> {
    security.websockets.clone().try_acquire_owned().map_err(|_| {
        ApiError::from(AppError {
            kind: ErrorKind::Unavailable,
            body: ErrorBody {
                code: "too_many_websockets".into(),
                message: format!(
                    "{MAX_WEBSOCKETS} live connections are open already; close other dashboard tabs and retry"
                ),
                params: None,
            },
        })
    })
}

/// A WebSocket upgrade that refuses client messages and frames over [`MAX_WS_MESSAGE`] bytes
/// (the default would buffer 64 MiB per message).
pub fn bounded(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .max_message_size(MAX_WS_MESSAGE)
        .max_frame_size(MAX_WS_MESSAGE)
}

/// `Set-Cookie` for a browser session: not readable by scripts, never sent by other sites.
pub fn session_cookie_header(value: &str) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_TTL_SECS}"
    )
}

pub fn clear_session_cookie_header() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// `http://<address other devices use>:<port>` when the server listens beyond loopback.
fn lan_base(bound: SocketAddr) -> Option<String> {
    let ip = bound.ip();
    if ip.is_loopback() {
        return None;
    }
    let ip = if ip.is_unspecified() {
        primary_ip()?
    } else {
        ip
    };
    Some(match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{}", bound.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}", bound.port()),
    })
}

/// The address this machine uses for its default route. A UDP "connect" sends no packet; it
/// only asks the kernel which source address it would use.
pub fn primary_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The login link as a QR code, for the terminal (two rows of modules per line).
pub fn qr_for_terminal(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// The login link as an SVG QR code, for the dashboard.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}
