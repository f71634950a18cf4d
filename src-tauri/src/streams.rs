//! Open streams of the window (chat answers, live logs), by id, so that the UI can stop one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tauri::ipc::{Channel, IpcResponse};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Default, Clone)]
pub struct Streams {
    open: Arc<Mutex<HashMap<String, CancellationToken>>>,
}

impl Streams {
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

    /// Moves items to the window's channel until the stream ends or the window goes away
    /// (a failed send cancels the stream's source: the engine request, the log follower).
    pub fn pump<T: IpcResponse + Send + 'static>(
        &self,
        id: String,
        mut receiver: mpsc::Receiver<T>,
        channel: Channel<T>,
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
