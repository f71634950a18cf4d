//! Sends one benchmark request and times it with the gateway's meter, so a benchmark and the
//! live request records use one definition of TTFT, ITL, TPOT and E2EL.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde_json::json;

use super::workload::Prompt;
use crate::chat::Upstream;
use crate::gateway::{
    error_chain, send_once_more_on_a_closed_connection, Gateway, GatewayRequest, Measured, Meter,
};

/// The longest one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);
/// At most this much of an error answer is kept for its message.
const MAX_ERROR_BODY: usize = 4096;

/// Where requests go: straight to an OpenAI-compatible server, or through the gateway in this
/// process.
#[derive(Clone)]
pub enum Sender {
    Http {
        client: reqwest::Client,
        upstream: Upstream,
    },
    Gateway {
        gateway: Gateway,
        model: String,
    },
}

/// One request as it ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// When it was sent and when it ended, in ms from the level's start.
    pub sent_ms: f64,
    pub ended_ms: f64,
    pub measured: Measured,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

impl Sender {
    pub fn model(&self) -> &str {
        match self {
            Sender::Http { upstream, .. } => &upstream.model,
            Sender::Gateway { model, .. } => model,
        }
    }

    /// The chat completion request for a prompt (streamed, with usage at the end).
    pub fn body(&self, prompt: &Prompt, ignore_eos: bool, seed: u64) -> Bytes {
        let mut body = json!({
            "model": self.model(),
            "messages": [{ "role": "user", "content": prompt.text }],
            "max_tokens": prompt.max_tokens,
            "stream": true,
            "stream_options": { "include_usage": true },
            "temperature": 0.0,
            "seed": seed,
        });
        if ignore_eos {
            body["ignore_eos"] = json!(true);
        }
        Bytes::from(serde_json::to_vec(&body).expect("a JSON value serialises"))
    }

    /// Sends `body` and reads the answer to its end, timing it from the moment it is sent.
    pub async fn send(&self, body: Bytes, origin: Instant) -> Outcome {
        let started = Instant::now();
        let since = |at: Instant| (at - origin).as_secs_f64() * 1000.0;
        let result = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(body, started)).await;
        let (measured, error) = match result {
            Ok(Ok(measured)) => {
                let error = judge(&measured);
                (measured, error)
            }
            Ok(Err((measured, error))) => (measured, Some(error)),
            Err(_) => (
                Measured::default(),
                Some(format!(
                    "no complete answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                )),
            ),
        };
        Outcome {
            sent_ms: since(started),
            ended_ms: since(Instant::now()),
            measured,
            error,
        }
    }

    async fn exchange(
        &self,
        body: Bytes,
        started: Instant,
    ) -> Result<Measured, (Measured, String)> {
        let (status, mut stream) = self
            .open(body)
            .await
            .map_err(|e| (Measured::default(), e))?;
        let mut meter = Meter::new(started, true, false);
        let mut error_body = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) if status >= 400 => keep_error(&mut error_body, &chunk),
                Ok(chunk) => meter.observe(&chunk, Instant::now()),
                Err(e) => return Err((meter.finish(), format!("the answer was cut: {e}"))),
            }
        }
        match status_error(status, &error_body) {
            Some(error) => Err((Measured::default(), error)),
            None => Ok(meter.finish()),
        }
    }

    /// Sends the request: the answer's status and its body as it arrives.
    async fn open(
        &self,
        body: Bytes,
    ) -> Result<(u16, BoxStream<'static, Result<Bytes, String>>), String> {
        match self {
            Sender::Http { client, upstream } => {
                let mut request = client
                    .post(format!("{}/chat/completions", upstream.base_url))
                    .header("content-type", "application/json")
                    .body(body);
                if let Some(key) = &upstream.api_key {
                    request = request.bearer_auth(key);
                }
                // As the gateway does: a kept-alive connection the engine closed as it was
                // reused is tried once more (the time counts from the first send).
                let response = send_once_more_on_a_closed_connection(request)
                    .await
                    .map_err(|e| format!("could not send: {}", error_chain(&e)))?;
                let status = response.status().as_u16();
                let stream = response
                    .bytes_stream()
                    .map(|c| c.map_err(|e| error_chain(&e)));
                Ok((status, stream.boxed()))
            }
            Sender::Gateway { gateway, .. } => {
                let request = GatewayRequest {
                    path: "/chat/completions".into(),
                    query: None,
                    body,
                    client: "benchmark".into(),
                };
                let response = gateway.forward(request).await.map_err(|e| e.to_string())?;
                let stream = response.body.map(|c| c.map_err(|e| e.to_string()));
                Ok((response.status, stream.boxed()))
            }
        }
    }
}

fn keep_error(kept: &mut Vec<u8>, chunk: &[u8]) {
    let room = MAX_ERROR_BODY.saturating_sub(kept.len());
    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

/// The error of an answer with a failing status, with the server's message when it gave one.
fn status_error(status: u16, body: &[u8]) -> Option<String> {
    if status < 400 {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            v["error"]["message"]
                .as_str()
                .or(v["error"].as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| text.chars().take(300).collect());
    Some(format!("HTTP {status}: {message}"))
}

/// A streamed answer that ended without a token, or with an error event, failed.
fn judge(measured: &Measured) -> Option<String> {
    if measured.stream_error {
        return Some("the stream carried an error".into());
    }
    if measured.ttft_ms.is_none() {
        return Some("the answer had no tokens".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_say_the_servers_message() {
        assert_eq!(
            status_error(400, br#"{"error":{"message":"context full","type":"x"}}"#),
            Some("HTTP 400: context full".into())
        );
        assert_eq!(
            status_error(503, b"Service Unavailable"),
            Some("HTTP 503: Service Unavailable".into())
        );
        assert_eq!(status_error(200, b""), None);
    }
}
