//! Following a model's output: the latest instance's recent lines first, then new lines as they
//! come, in batches. When the model starts again (by the user or its restart policy), the follower
//! moves to the new instance. Both adapters stream these batches (a WebSocket, a Tauri channel).

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::log_ring::LogBatch;
use super::{InstanceState, Supervisor, SupervisorError};
use crate::events::Event;

/// Lines sent when following starts.
const BACKLOG_LINES: usize = 200;
/// The most lines in one batch afterwards.
const BATCH_LINES: usize = 1000;
/// Batches a slow consumer may fall behind before the follower waits for it.
const QUEUE: usize = 16;

struct Followed {
    instance_id: String,
    changes: watch::Receiver<u64>,
    /// The next line to send; `None` until the backlog went out.
    next_seq: Option<u64>,
}

impl Supervisor {
    /// Follows a model's output until `cancel` fires or the receiver is dropped. An unknown model
    /// is `model_not_found`; a model that never ran sends its first batch when it starts.
    pub async fn follow_model_logs(
        &self,
        model_id: &str,
        cancel: CancellationToken,
    ) -> Result<mpsc::Receiver<LogBatch>, SupervisorError> {
        self.shared.library.get(model_id).await?;
        let (sender, receiver) = mpsc::channel(QUEUE);
        let supervisor = self.clone();
        let model_id = model_id.to_string();
        tokio::spawn(async move {
            tokio::select! {
                _ = supervisor.pump_logs(&model_id, &sender) => {}
                _ = cancel.cancelled() => {}
            }
        });
        Ok(receiver)
    }

    async fn pump_logs(&self, model_id: &str, sender: &mpsc::Sender<LogBatch>) {
        let mut events = self.shared.bus.subscribe();
        let mut followed = self
            .latest_instance(model_id)
            .and_then(|i| self.follow_instance(i.id));
        loop {
            if let Some(f) = followed.as_mut() {
                if let Some(batch) = self.next_batch(f) {
                    if sender.send(batch).await.is_err() {
                        return; // the consumer went away
                    }
                }
            }
            tokio::select! {
                changed = wait_for_lines(&mut followed) => {
                    if !changed {
                        followed = None; // the instance is gone from memory
                    }
                }
                event = events.recv() => match event {
                    Ok(Event::ModelStatusUpdate(info))
                        if info.model_id == model_id && info.state == InstanceState::Starting =>
                    {
                        if followed.as_ref().is_none_or(|f| f.instance_id != info.id) {
                            followed = self.follow_instance(info.id);
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = sender.closed() => return,
            }
        }
    }

    fn follow_instance(&self, instance_id: String) -> Option<Followed> {
        let changes = self.follow_logs(&instance_id).ok()?;
        Some(Followed {
            instance_id,
            changes,
            next_seq: None,
        })
    }

    /// What is new since the last batch (the backlog the first time), if anything.
    fn next_batch(&self, followed: &mut Followed) -> Option<LogBatch> {
        let limit = if followed.next_seq.is_none() {
            BACKLOG_LINES
        } else {
            BATCH_LINES
        };
        let lines = self
            .logs(&followed.instance_id, followed.next_seq, limit)
            .ok()?;
        followed.changes.borrow_and_update();
        let Some(last) = lines.last() else {
            followed.next_seq.get_or_insert(0);
            return None;
        };
        followed.next_seq = Some(last.seq + 1);
        Some(LogBatch {
            instance_id: followed.instance_id.clone(),
            lines,
        })
    }
}

async fn wait_for_lines(followed: &mut Option<Followed>) -> bool {
    match followed {
        Some(f) => f.changes.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}
