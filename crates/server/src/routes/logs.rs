//! `GET /api/models/{id}/logs` (WebSocket): the live output of a model, as JSON `LogBatch`
//! messages, from the core's follower (`Supervisor::follow_model_logs`): the latest instance's
//! recent lines first, then new lines as they come, moving to the new instance on a restart.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use llmops_core::supervisor::LogBatch;
use llmops_core::Core;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api_error::ApiError;
use crate::security::{self, Security};

pub async fn follow(
    State(core): State<Core>,
    State(security): State<Arc<Security>>,
    Path(model_id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let cancel = CancellationToken::new();
    let batches = core
        .supervisor
        .follow_model_logs(&model_id, cancel.clone())
        .await?;
    let slot = security::websocket_slot(&security)?;
    Ok(
        security::bounded(upgrade).on_upgrade(move |socket| async move {
            // Dropping the guard (the client went away) stops the follower.
            let _stop = cancel.drop_guard();
            send_batches(batches, socket).await;
            drop(slot);
        }),
    )
}

async fn send_batches(mut batches: mpsc::Receiver<LogBatch>, mut socket: WebSocket) {
    loop {
        tokio::select! {
            batch = batches.recv() => {
                let Some(batch) = batch else { return };
                let Ok(text) = serde_json::to_string(&batch) else { return };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
