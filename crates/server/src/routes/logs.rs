//! `GET /api/models/{id}/logs` (WebSocket): the live output of a model, as JSON `LogBatch`
//! messages: the latest instance's recent lines first, then new lines as they come. When the
//! model starts again (by the user or its restart policy), the follower moves to the new instance.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use llmops_core::events::Event;
use llmops_core::supervisor::{InstanceState, LogBatch};
use llmops_core::Core;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::api_error::ApiError;
use crate::security::{self, Security};

const BACKLOG_LINES: usize = 200;
const BATCH_LINES: usize = 1000;

pub async fn follow(
    State(core): State<Core>,
    State(security): State<Arc<Security>>,
    Path(model_id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    core.library.get(&model_id).await?;
    let slot = security::websocket_slot(&security)?;
    Ok(
        security::bounded(upgrade).on_upgrade(move |socket| async move {
            stream_logs(core, model_id, socket).await;
            drop(slot);
        }),
    )
}

struct Followed {
    instance_id: String,
    changes: watch::Receiver<u64>,
    next_seq: Option<u64>,
}

async fn stream_logs(core: Core, model_id: String, mut socket: WebSocket) {
    let mut events = core.bus.subscribe();
    let latest = core.supervisor.latest_instance(&model_id);
    let mut followed = latest.and_then(|i| follow_instance(&core, i.id));
    loop {
        if let Some(f) = followed.as_mut() {
            if !send_new_lines(&core, f, &mut socket).await {
                return;
            }
        }
        tokio::select! {
            changed = wait_for_lines(&mut followed) => {
                if !changed {
                    followed = None; // the instance is gone from memory
                }
            }
            event = events.recv() => match event {
                Ok(Event::ModelStatusUpdate(info)) if info.model_id == model_id && info.state == InstanceState::Starting => {
                    if followed.as_ref().is_none_or(|f| f.instance_id != info.id) {
                        followed = follow_instance(&core, info.id);
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

fn follow_instance(core: &Core, instance_id: String) -> Option<Followed> {
    let changes = core.supervisor.follow_logs(&instance_id).ok()?;
    Some(Followed {
        instance_id,
        changes,
        next_seq: None,
    })
}

async fn wait_for_lines(followed: &mut Option<Followed>) -> bool {
    match followed {
        Some(f) => f.changes.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

/// Sends what is new since the last batch (the backlog on the first call). Returns false when
/// the client is gone.
async fn send_new_lines(core: &Core, followed: &mut Followed, socket: &mut WebSocket) -> bool {
    let limit = if followed.next_seq.is_none() {
        BACKLOG_LINES
    } else {
        BATCH_LINES
    };
    let Ok(lines) = core
        .supervisor
        .logs(&followed.instance_id, followed.next_seq, limit)
    else {
        return true;
    };
    followed.changes.borrow_and_update();
    let Some(last) = lines.last() else {
        followed.next_seq.get_or_insert(0);
        return true;
    };
    followed.next_seq = Some(last.seq + 1);
    let batch = LogBatch {
        instance_id: followed.instance_id.clone(),
        lines,
    };
    let text = serde_json::to_string(&batch).expect("log lines serialise");
    socket.send(Message::Text(text.into())).await.is_ok()
}
