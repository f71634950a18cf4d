//! Streaming chat completions from a running instance's OpenAI-compatible endpoint.
//!
//! [`ChatService::stream`] sends the request with `stream: true`, parses the Server-Sent Events
//! with [`SseParser`], and yields [`ChatStreamEvent`]s on a channel. Cancelling the token drops the
//! HTTP response, which closes the upstream connection and stops generation in the engine.

mod error;
mod openai;
mod service;
mod sse;
mod types;

pub use error::ChatError;
pub use service::ChatService;
pub use sse::{SseEvent, SseParser};
pub use types::{ChatMessage, ChatRequest, ChatRole, ChatStreamEvent, ChatUsage};
