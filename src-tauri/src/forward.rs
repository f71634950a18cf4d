//! Every core event goes to the window as `llmops://event`, and model changes refresh the tray.
//! A raised alert's desktop notification is worded and shown by the window (`show_notification`),
//! in the user's language.

use llmops_core::events::Event;
use llmops_core::Core;
use tauri::{AppHandle, Emitter};
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
            if let Err(err) = app.emit(EVENT_NAME, &event) {
                tracing::warn!(%err, "could not forward an event to the window");
            }
        }
    });
}
