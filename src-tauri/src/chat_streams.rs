//! Open chat streams of the window, by id, so that the UI can cancel one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use llmops_core::chat::ChatStreamEvent;
use tauri::ipc::Channel;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Default, Clone)]
pub struct ChatStreams {
    open: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl ChatStreams {
    pub fn open(&self) -> (String, CancellationToken) {
        let id = uuid::Uuid::new_v4().to_string();
        let token = CancellationToken::new();
        self.lock().insert(id.clone(), token.clone());
        (id, token)
    }

    pub fn cancel(&self, id: &str) {
        if let Some(token) = self.lock().remove(id) {
            token.cancel();
        }
    }

    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Moves events to the window's channel until the stream ends or the window goes away
    /// (a failed send cancels the upstream request).
    pub fn pump(
        &self,
        id: String,
        mut receiver: mpsc::Receiver<ChatStreamEvent>,
        channel: Channel<ChatStreamEvent>,
    ) {
        let streams = self.clone();
        tauri::async_runtime::spawn(async move {
            while let Some(event) = receiver.recv().await {
                if channel.send(event).is_err() {
                    streams.cancel(&id);
                    return;
                }
            }
            streams.close(&id);
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}
