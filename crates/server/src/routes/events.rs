//! `GET /api/ws`: every core event as one JSON text message, with pings to keep proxies and
//! phones' radios from dropping an idle connection.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use llmops_core::Core;
use tokio::sync::broadcast::error::RecvError;

use crate::api_error::ApiError;
use crate::security::{self, Security};

const PING_EVERY: Duration = Duration::from_secs(20);

pub async fn websocket(
    State(core): State<Core>,
    State(security): State<Arc<Security>>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let slot = security::websocket_slot(&security)?;
    Ok(
        security::bounded(upgrade).on_upgrade(move |socket| async move {
            forward_events(core, socket).await;
            drop(slot);
        }),
    )
}

async fn forward_events(core: Core, mut socket: WebSocket) {
    let mut events = core.bus.subscribe();
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        let message = tokio::select! {
            event = events.recv() => match event {
                Ok(event) => match serde_json::to_string(&event) {
                    Ok(text) => Message::Text(text.into()),
                    Err(err) => { tracing::error!(%err, "event does not serialise"); continue; }
                },
                // A slow client missed some events; it keeps the latest state from the next ones.
                Err(RecvError::Lagged(missed)) => { tracing::warn!(missed, "websocket client lagged"); continue; }
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => Message::Ping(Vec::new().into()),
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => continue,
            },
        };
        if socket.send(message).await.is_err() {
            return;
        }
    }
}
