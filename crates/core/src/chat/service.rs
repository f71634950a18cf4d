use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::error::ChatError;
use super::openai::interpret;
use super::sse::SseParser;
use super::types::{ChatRequest, ChatStreamEvent, ChatUsage};
use crate::error::CodedError;
use crate::supervisor::{InstanceState, Supervisor};

/// Deltas buffered between the engine and a slow consumer before back-pressure applies.
const CHANNEL_CAPACITY: usize = 256;

#[derive(Clone)]
pub struct ChatService {
    supervisor: Supervisor,
    http: reqwest::Client,
}

impl ChatService {
    pub fn new(supervisor: Supervisor) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a plain HTTP client builds");
        ChatService { supervisor, http }
    }

    /// Starts a streamed completion. Errors before the first byte (unknown or stopped instance,
    /// engine refusing the request) are returned here; later ones arrive as a final
    /// [`ChatStreamEvent::Error`]. The stream ends after one `Done` or `Error` event.
    pub async fn stream(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<mpsc::Receiver<ChatStreamEvent>, ChatError> {
        if request.messages.is_empty() {
            return Err(ChatError::NoMessages);
        }
        let instance = self.supervisor.get(&request.instance_id)?;
        if instance.state != InstanceState::Running {
            return Err(ChatError::NotRunning(request.instance_id));
        }
        let url = format!("{}/chat/completions", instance.base_url);
        let body = serde_json::json!({
            "model": instance.model_name,
            "messages": request.messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": true,
            "stream_options": { "include_usage": true },
        });
        let response =
            self.http
                .post(&url)
                .json(&body)
                .send()
                .await
                .map_err(|e| ChatError::Connect {
                    url: url.clone(),
                    detail: e.to_string(),
                })?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(ChatError::Upstream {
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            });
        }
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        tokio::spawn(pump(response, sender, cancel));
        Ok(receiver)
    }
}

/// Moves the engine's SSE stream to the channel until done, cancelled, or the consumer leaves.
/// Returning drops the response, which closes the upstream connection.
async fn pump(
    response: reqwest::Response,
    sender: mpsc::Sender<ChatStreamEvent>,
    cancel: CancellationToken,
) {
    let mut body = response.bytes_stream();
    let mut parser = SseParser::new();
    let mut finish_reason: Option<String> = None;
    let mut usage: Option<ChatUsage> = None;
    let fail = |e: ChatError| ChatStreamEvent::Error { error: e.body() };
    loop {
        let chunk = tokio::select! {
            _ = cancel.cancelled() => {
                let _ = sender.send(ChatStreamEvent::Done { finish_reason: Some("cancelled".into()), usage }).await;
                return;
            }
            chunk = body.next() => chunk,
        };
        let bytes = match chunk {
            Some(Ok(bytes)) => bytes,
            Some(Err(err)) => {
                let _ = sender
                    .send(fail(ChatError::StreamBroken(err.to_string())))
                    .await;
                return;
            }
            None => {
                parser.finish();
                // llama.cpp always ends with [DONE]; tolerate engines that just close after finishing.
                let last = match finish_reason {
                    Some(reason) => ChatStreamEvent::Done {
                        finish_reason: Some(reason),
                        usage,
                    },
                    None => fail(ChatError::StreamBroken(
                        "the engine closed the connection before finishing".into(),
                    )),
                };
                let _ = sender.send(last).await;
                return;
            }
        };
        for event in parser.feed(&bytes) {
            let interpreted = match interpret(&event.data) {
                Ok(i) => i,
                Err(detail) => {
                    let _ = sender.send(fail(ChatError::BadChunk(detail))).await;
                    return;
                }
            };
            if let Some(message) = interpreted.error {
                let _ = sender
                    .send(fail(ChatError::Upstream {
                        status: 200,
                        body: message,
                    }))
                    .await;
                return;
            }
            for delta in interpreted.events {
                if sender.send(delta).await.is_err() {
                    return; // The consumer went away: stop generating.
                }
            }
            finish_reason = interpreted.finish_reason.or(finish_reason);
            usage = interpreted.usage.or(usage);
            if interpreted.done {
                let _ = sender
                    .send(ChatStreamEvent::Done {
                        finish_reason,
                        usage,
                    })
                    .await;
                return;
            }
        }
    }
}
