//! Every core event goes to the window as `llmops://event`, and model changes refresh the tray.

use llmops_core::alerts::Alert;
use llmops_core::events::Event;
use llmops_core::Core;
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

pub const EVENT_NAME: &str = "llmops://event";

pub fn spawn(app: AppHandle, core: Core) {
    let mut events = core.bus.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "window event forwarding lagged");
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            if matches!(event, Event::ModelStatusUpdate(_) | Event::ModelsChanged(_)) {
                crate::tray::refresh(&app, &core).await;
            }
            if let Event::SystemAlert(alert) = &event {
                notify(&app, alert);
            }
            if let Err(err) = app.emit(EVENT_NAME, &event) {
                tracing::warn!(%err, "could not forward an event to the window");
            }
        }
    });
}

/// A raised alert becomes a desktop notification; a cleared one does not interrupt anyone.
fn notify(app: &AppHandle, alert: &Alert) {
    if alert.cleared_at.is_some() {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title("LLM Local Ops Center")
        .body(&alert.message)
        .show();
    if let Err(err) = shown {
        tracing::warn!(%err, "could not show a desktop notification");
    }
}
