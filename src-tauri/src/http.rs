//! The desktop app serves the same HTTP application as `llmops serve`, on loopback only, so that
//! other tools on this machine reach the `/v1` gateway (and `/api`, `/metrics`) at one stable
//! address: `http://127.0.0.1:8765/v1` (`LLMOPS_PORT` changes the port). When the port is taken
//! (another llmops runs), the app works on without it and the dashboard says why.

use std::net::SocketAddr;
use std::sync::Arc;

use llmops_core::Core;
use llmops_server::security::Security;

pub const DEFAULT_PORT: u16 = 8765;

pub fn spawn(app: tauri::AppHandle, core: Core, shutdown: tokio_util::sync::CancellationToken) {
    let port = std::env::var("LLMOPS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_PORT);
    tauri::async_runtime::spawn(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(err) => {
                let why = format!(
                    "port {port} on this machine is taken ({err}); another llmops may serve it. \
                     Quit it, or start the app with LLMOPS_PORT set to a free port"
                );
                tracing::warn!("the /v1 gateway is not served: {why}");
                core.gateway.set_unavailable(Some(why));
                crate::tray::refresh(&app, &core).await;
                return;
            }
        };
        core.gateway
            .set_addresses(llmops_server::gateway_addresses(addr, None));
        crate::tray::refresh(&app, &core).await;
        // Loopback only: clients of this machine need no login; remote ones cannot connect.
        let security = Arc::new(Security::new(addr, vec![], vec![], true, false));
        tracing::info!(%addr, "serving the /v1 gateway and the API on loopback");
        let served = llmops_server::serve(
            listener,
            core.clone(),
            security,
            llmops_server::default_ui_dir(),
            async move { shutdown.cancelled().await },
        )
        .await;
        if let Err(err) = served {
            tracing::error!(%err, "the loopback HTTP server stopped");
            core.gateway.set_unavailable(Some(err.to_string()));
        }
    });
}
