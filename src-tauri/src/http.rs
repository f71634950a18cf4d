//! The desktop app serves the same HTTP application as `llmops serve`, so that other tools reach
//! the `/v1` gateway (and `/api`, `/metrics`) at one stable address: `http://127.0.0.1:8765/v1`
//! (`LLMOPS_PORT` changes the port). On loopback by default; "Serve on local network" (a saved
//! preference) listens on every address instead, where other devices need an API key or a login.
//! When the port is taken (another llmops runs), the app works on without it and the dashboard
//! says why.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use llmops_core::Core;
use llmops_server::security::Security;
use tauri::async_runtime::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const DEFAULT_PORT: u16 = 8765;
/// The preference that remembers "Serve on local network".
pub const LAN_PREFERENCE: &str = "gateway.serve_on_lan";

/// The running server: how to stop it, and the LAN base URL when it serves the LAN.
#[derive(Default)]
pub struct HttpServing {
    /// One server at a time; replaced when the LAN setting changes.
    current: tokio::sync::Mutex<Option<(CancellationToken, JoinHandle<()>)>>,
    /// Read by the login link; written when a server starts.
    lan_base: Mutex<Option<String>>,
}

impl HttpServing {
    pub fn lan_base(&self) -> Option<String> {
        self.lan_base
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether the saved preference asks for the local network.
    pub fn lan_preferred(core: &Core) -> bool {
        core.preferences.get(LAN_PREFERENCE).as_deref() == Some("true")
    }

    /// Stops the current server (if any) and serves again, on the LAN or on loopback only.
    pub async fn restart(&self, app: &tauri::AppHandle, core: &Core, lan: bool) {
        let mut current = self.current.lock().await;
        if let Some((stop, task)) = current.take() {
            stop.cancel();
            let _ = task.await;
        }
        let port = std::env::var("LLMOPS_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_PORT);
        let ip = if lan { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
        let addr = SocketAddr::from((ip, port));
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(err) => {
                let why = format!(
                    "port {port} is taken ({err}); another llmops may serve it. Quit it, or \
                     start the app with LLMOPS_PORT set to a free port"
                );
                tracing::warn!("the /v1 gateway is not served: {why}");
                core.gateway.set_unavailable(Some(why));
                *self.lan_base.lock().unwrap_or_else(|p| p.into_inner()) = None;
                crate::tray::refresh(app, core).await;
                return;
            }
        };
        // Loopback clients need no login; on the LAN every other device needs a key or login.
        let security = Arc::new(Security::new(addr, vec![], vec![], true, false));
        core.gateway.set_addresses(llmops_server::gateway_addresses(
            addr,
            security.lan_base.as_deref(),
        ));
        core.gateway
            .set_lan(llmops_server::lan_reach(&security, true));
        *self.lan_base.lock().unwrap_or_else(|p| p.into_inner()) = security.lan_base.clone();
        crate::tray::refresh(app, core).await;
        tracing::info!(%addr, lan, "serving the /v1 gateway and the API");
        let stop = CancellationToken::new();
        let (core, until) = (core.clone(), stop.clone());
        let task = tauri::async_runtime::spawn(async move {
            let served = llmops_server::serve(
                listener,
                core.clone(),
                security,
                llmops_server::UiSource::Embedded,
                async move { until.cancelled().await },
            )
            .await;
            if let Err(err) = served {
                tracing::error!(%err, "the HTTP server stopped");
                core.gateway.set_unavailable(Some(err.to_string()));
            }
        });
        *current = Some((stop, task));
    }

    /// Stops serving (on quit).
    pub fn stop(&self) {
        if let Ok(mut current) = self.current.try_lock() {
            if let Some((stop, _)) = current.take() {
                stop.cancel();
            }
        }
    }
}
