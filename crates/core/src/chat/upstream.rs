//! One streamed request to an OpenAI-compatible `/chat/completions`: the request body, the SSE
//! stream turned into [`ChatStreamEvent`]s, and the answer's timing measured on the way.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::error::ChatError;
use super::openai::interpret;
use super::params::ChatParams;
use super::sse::SseParser;
use super::types::{AnswerStats, ChatMessage, ChatStreamEvent, ChatUsage};
use crate::error::CodedError;

/// Deltas buffered between the engine and a slow consumer before back-pressure applies.
const CHANNEL_CAPACITY: usize = 256;
/// Prompt processing of a long context on a CPU can take minutes before the first byte.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(600);
/// Once streaming, an engine that goes quiet this long is considered stuck.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Where to send a chat request.
#[derive(Clone)]
pub struct Upstream {
    /// The OpenAI-compatible base, e.g. `http://127.0.0.1:41234/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    /// The `model` field of the request.
    pub model: String,
    /// An external endpoint (not an instance llmops runs): its errors say so, not "check its logs".
    pub external: bool,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("external", &self.external)
            .field("api_key", &crate::secrets::redacted(&self.api_key))
            .finish()
    }
}

impl Upstream {
    fn completions_url(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

pub(super) fn request_body(
    upstream: &Upstream,
    messages: &[ChatMessage],
    params: &ChatParams,
) -> serde_json::Value {
    let mut body = serde_json::json!({
        "model": upstream.model,
        "messages": messages,
        "stream": true,
        "stream_options": { "include_usage": true },
    });
    let fields = body.as_object_mut().expect("a JSON object");
    let mut set = |key: &str, value: serde_json::Value| {
        fields.insert(key.to_string(), value);
    };
    if let Some(t) = params.temperature {
        set("temperature", t.into());
    }
    if let Some(p) = params.top_p {
        set("top_p", p.into());
    }
    if let Some(n) = params.max_tokens {
        set("max_tokens", n.into());
    }
    if !params.stop.is_empty() {
        set("stop", params.stop.clone().into());
    }
    if let Some(seed) = params.seed {
        set("seed", seed.into());
    }
    body
}

/// Sends the request and streams the answer. Errors before the first byte (unreachable engine,
/// an HTTP error status) are returned; later ones arrive as the final [`ChatStreamEvent::Error`].
/// Cancelling ends the stream with `done` (`finish_reason: "cancelled"`) and drops the
/// connection, which stops generation in the engine.
pub(super) async fn open(
    http: &reqwest::Client,
    upstream: &Upstream,
    body: serde_json::Value,
    cancel: CancellationToken,
) -> Result<mpsc::Receiver<ChatStreamEvent>, ChatError> {
    let started = Instant::now();
    let url = upstream.completions_url();
    let mut request = http.post(&url).json(&body);
    if let Some(key) = &upstream.api_key {
        request = request.bearer_auth(key);
    }
    let response = tokio::select! {
        _ = cancel.cancelled() => None,
        response = request.send() => Some(response),
    };
    let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
    let Some(response) = response else {
        let stats = AnswerStats {
            duration_ms: ms(started.elapsed()),
            ..Default::default()
        };
        let _ = sender.try_send(ChatStreamEvent::done(Some("cancelled".into()), None, stats));
        return Ok(receiver);
    };
    let response = response.map_err(|e| {
        let (url, detail) = (url.clone(), e.to_string());
        if upstream.external {
            ChatError::EndpointUnreachable { url, detail }
        } else {
            ChatError::Connect { url, detail }
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        let body = read_capped(response, MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        return Err(ChatError::Upstream {
            status: status.as_u16(),
            body: upstream_message(&body),
        });
    }
    tokio::spawn(pump(response, sender, cancel, started));
    Ok(receiver)
}

/// Largest error body read from a peer.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// Longest answer kept: far past any context window; a peer that goes on is broken.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// At most `cap` bytes of a response body, as text; the rest is not read.
pub async fn read_capped(
    response: reqwest::Response,
    cap: usize,
) -> Result<String, reqwest::Error> {
    let mut body = response.bytes_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let room = cap - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= cap {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The `error.message` of an OpenAI-style error body (at most 500 characters). Other bodies are
/// not repeated: the URL may point at a service that is not an engine (an SSRF probe).
pub(super) fn upstream_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.pointer("/message"))
                .and_then(|m| m.as_str())
                .map(|m| m.chars().take(500).collect())
        })
        .unwrap_or_else(|| {
            format!(
                "a reply that is not an OpenAI-style error ({} bytes). Check the base URL",
                body.len()
            )
        })
}

/// Milliseconds to two decimals: finer is noise, and a short decimal reads back from JSON (the
/// store) exactly.
fn ms(d: Duration) -> f64 {
    round2(d.as_secs_f64() * 1000.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Timing of one answer as it streams.
struct Meter {
    started: Instant,
    first_token: Option<Instant>,
    last_token: Option<Instant>,
    deltas: u32,
}

impl Meter {
    fn token(&mut self) {
        let now = Instant::now();
        self.first_token.get_or_insert(now);
        self.last_token = Some(now);
        self.deltas += 1;
    }

    fn stats(&self, usage: Option<&ChatUsage>) -> AnswerStats {
        let reported = usage.and_then(|u| u.completion_tokens);
        let completion_tokens = reported.or((self.deltas > 0).then_some(self.deltas));
        let measured_speed = match (self.first_token, self.last_token, completion_tokens) {
            (Some(first), Some(last), Some(n)) if n > 1 && last > first => {
                Some(f64::from(n - 1) / (last - first).as_secs_f64())
            }
            _ => None,
        };
        AnswerStats {
            ttft_ms: self.first_token.map(|t| ms(t - self.started)),
            duration_ms: ms(self.started.elapsed()),
            tokens_per_second: usage
                .and_then(|u| u.tokens_per_second)
                .or(measured_speed)
                .map(round2),
            prompt_tokens: usage.and_then(|u| u.prompt_tokens),
            completion_tokens,
            counted: reported.is_none() && completion_tokens.is_some(),
        }
    }
}

/// Moves the engine's SSE stream to the channel until done, cancelled, timed out, or the
/// consumer leaves. Returning drops the response, which closes the upstream connection.
async fn pump(
    response: reqwest::Response,
    sender: mpsc::Sender<ChatStreamEvent>,
    cancel: CancellationToken,
    started: Instant,
) {
    let mut relay = Relay {
        sender: sender.clone(),
        meter: Meter {
            started,
            first_token: None,
            last_token: None,
            deltas: 0,
        },
        finish_reason: None,
        usage: None,
        answer_bytes: 0,
    };
    if let Some(last) = relay.run(response, &cancel).await {
        let _ = sender.send(last).await;
    }
}

fn fail(error: ChatError) -> ChatStreamEvent {
    ChatStreamEvent::Error {
        error: error.body(),
    }
}

/// One answer on its way from the engine to the consumer.
struct Relay {
    sender: mpsc::Sender<ChatStreamEvent>,
    meter: Meter,
    finish_reason: Option<String>,
    usage: Option<ChatUsage>,
    answer_bytes: usize,
}

impl Relay {
    /// Relays deltas until the stream ends. Returns the final event (`done` or `error`), or
    /// `None` when the consumer went away.
    async fn run(
        &mut self,
        response: reqwest::Response,
        cancel: &CancellationToken,
    ) -> Option<ChatStreamEvent> {
        let mut body = response.bytes_stream();
        let mut parser = SseParser::new();
        let mut received_any = false;
        loop {
            let wait = if received_any {
                IDLE_TIMEOUT
            } else {
                FIRST_BYTE_TIMEOUT
            };
            let chunk = tokio::select! {
                _ = cancel.cancelled() => return Some(self.done(Some("cancelled".into()))),
                chunk = tokio::time::timeout(wait, body.next()) => chunk,
            };
            let bytes = match chunk {
                Err(_) => return Some(fail(ChatError::Timeout(wait.as_secs()))),
                Ok(Some(Ok(bytes))) => bytes,
                Ok(Some(Err(err))) => return Some(fail(ChatError::StreamBroken(err.to_string()))),
                Ok(None) => {
                    parser.finish();
                    return Some(self.closed());
                }
            };
            received_any = true;
            let events = parser.feed(&bytes);
            if parser.overflowed() {
                return Some(fail(ChatError::StreamBroken(
                    "the engine sent a line over 1 MiB, which no chat chunk needs".into(),
                )));
            }
            for event in events {
                if let ControlFlow::Break(last) = self.relay(&event.data).await {
                    return last;
                }
            }
        }
    }

    /// One SSE event of the engine: its deltas go to the consumer; a finish, an error or a
    /// broken limit ends the stream.
    async fn relay(&mut self, data: &str) -> ControlFlow<Option<ChatStreamEvent>> {
        let interpreted = match interpret(data) {
            Ok(i) => i,
            Err(detail) => return ControlFlow::Break(Some(fail(ChatError::BadChunk(detail)))),
        };
        if let Some(message) = interpreted.error {
            let upstream = ChatError::Upstream {
                status: 200,
                body: message,
            };
            return ControlFlow::Break(Some(fail(upstream)));
        }
        for delta in interpreted.events {
            self.meter.token();
            if let ChatStreamEvent::Delta { content } | ChatStreamEvent::Reasoning { content } =
                &delta
            {
                self.answer_bytes += content.len();
            }
            if self.answer_bytes > MAX_ANSWER_BYTES {
                return ControlFlow::Break(Some(fail(ChatError::StreamBroken(format!(
                    "the answer passed {} MiB, the most llmops keeps",
                    MAX_ANSWER_BYTES >> 20
                )))));
            }
            if self.sender.send(delta).await.is_err() {
                return ControlFlow::Break(None); // The consumer went away: stop generating.
            }
        }
        self.finish_reason = interpreted.finish_reason.or(self.finish_reason.take());
        self.usage = interpreted.usage.or(self.usage.take());
        if interpreted.done {
            let reason = self.finish_reason.take();
            return ControlFlow::Break(Some(self.done(reason)));
        }
        ControlFlow::Continue(())
    }

    fn done(&mut self, finish_reason: Option<String>) -> ChatStreamEvent {
        let stats = self.meter.stats(self.usage.as_ref());
        ChatStreamEvent::done(finish_reason, self.usage.take(), stats)
    }

    /// The engine closed the connection: llama.cpp always ends with `[DONE]`; engines that just
    /// close after their finish reason are tolerated.
    fn closed(&mut self) -> ChatStreamEvent {
        match self.finish_reason.take() {
            Some(reason) => self.done(Some(reason)),
            None => fail(ChatError::StreamBroken(
                "the engine closed the connection before finishing".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_only_the_parameters_that_are_set() {
        let upstream = Upstream {
            base_url: "http://h/v1".into(),
            api_key: None,
            model: "m".into(),
            external: false,
        };
        let messages = [ChatMessage {
            role: super::super::types::ChatRole::User,
            content: "hi".into(),
        }];
        let body = request_body(&upstream, &messages, &ChatParams::default());
        let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["messages", "model", "stream", "stream_options"]);
        let params = ChatParams {
            temperature: Some(0.5),
            top_p: Some(0.9),
            max_tokens: Some(64),
            stop: vec!["END".into()],
            seed: Some(7),
            system_prompt: Some("ignored here: it is a message".into()),
        };
        let body = request_body(&upstream, &messages, &params);
        assert_eq!(body["max_tokens"], 64);
        assert_eq!(body["stop"], serde_json::json!(["END"]));
        assert_eq!(body["seed"], 7);
        assert!(body.get("system_prompt").is_none());
    }

    #[test]
    fn an_error_body_gives_its_message() {
        assert_eq!(
            upstream_message(r#"{"error":{"code":400,"message":"context too long"}}"#),
            "context too long"
        );
        // Bodies that are not OpenAI-shaped are not repeated (an SSRF probe would read them).
        let plain = upstream_message("<html>secret-config-value=42</html>");
        assert!(!plain.contains("secret"), "{plain}");
        assert!(plain.contains("not an OpenAI-style error"));
    }

    #[test]
    fn speed_is_counted_when_the_engine_reports_no_usage() {
        let started = Instant::now();
        let meter = Meter {
            started,
            first_token: Some(started + Duration::from_millis(100)),
            last_token: Some(started + Duration::from_millis(1100)),
            deltas: 11,
        };
        let stats = meter.stats(None);
        assert_eq!(stats.completion_tokens, Some(11));
        assert!(stats.counted);
        assert!((stats.tokens_per_second.unwrap() - 10.0).abs() < 1e-9);
        assert!((stats.ttft_ms.unwrap() - 100.0).abs() < 1e-6);
    }
}
