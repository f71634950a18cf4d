//! The headless side of LLM Local Ops Center as a library: the HTTP application (`app`) and its
//! security layer (`security`), used by the `llmops` binary, by the desktop app (which serves the
//! same application on loopback, for the `/v1` gateway) and by the benchmarks.

mod api_error;
pub mod app;
pub mod client;
pub mod openapi;
pub mod operations;
mod routes;
pub mod security;
pub mod service_unit;
pub mod terminal;
pub mod terminal_engines;
mod ui_files;

pub use ui_files::UiSource;

use std::sync::Arc;

/// Serves the whole application (guarded `/api`, `/v1`, `/metrics`, the UI) on `listener` until
/// `shutdown` completes. Records where `/v1` is reachable for the dashboard.
pub async fn serve(
    listener: tokio::net::TcpListener,
    core: llmops_core::Core,
    security: Arc<security::Security>,
    ui: UiSource,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    core.gateway
        .set_addresses(gateway_addresses(local, security.lan_base.as_deref()));
    core.gateway.set_lan(lan_reach(&security, false));
    let router = app::router(core, security, ui);
    let listener = security::listener::LimitedListener::new(listener, security::MAX_CONNECTIONS);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<security::listener::PeerAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The `/v1` base URLs: on this machine (loopback when listening everywhere), then the LAN one.
pub fn gateway_addresses(local: std::net::SocketAddr, lan_base: Option<&str>) -> Vec<String> {
    let here = if local.ip().is_unspecified() {
        format!("http://127.0.0.1:{}/v1", local.port())
    } else {
        format!("http://{local}/v1")
    };
    let mut addresses = vec![here];
    addresses.extend(lan_base.map(|base| format!("{base}/v1")));
    addresses
}

/// How the LAN reaches `/v1` on this server, with the address as a QR code.
pub fn lan_reach(
    security: &security::Security,
    switchable: bool,
) -> llmops_core::gateway::LanReach {
    llmops_core::gateway::LanReach {
        enabled: security.lan_base.is_some(),
        switchable,
        qr_svg: security
            .lan_base
            .as_deref()
            .and_then(|base| security::qr_svg(&format!("{base}/v1"))),
    }
}
