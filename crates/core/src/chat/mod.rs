//! Chat: streamed completions from a running instance or an external OpenAI-compatible
//! endpoint, and persisted, searchable conversations.
//!
//! - `upstream`: one streamed request; [`SseParser`] and `openai` turn the bytes into
//!   [`ChatStreamEvent`]s, and the answer's speed is measured on the way. Cancelling closes the
//!   connection, which stops generation in the engine.
//! - `turn`: a conversation turn (send, regenerate, edit and resend) saves the answer as it
//!   streams, so a crash keeps the text so far (marked incomplete at the next start).
//! - `conversations`, `search`, `export`: the saved conversations.
//! - `endpoints`, `params`: external endpoints and sampling parameters (with presets).

mod conversation_types;
mod conversations;
mod endpoints;
mod error;
mod export;
mod import;
mod openai;
mod params;
mod search;
mod service;
mod sse;
mod store;
mod turn;
mod types;
mod upstream;

pub use conversation_types::{
    ChatTarget, Conversation, ConversationDetail, ConversationPatch, ExportFormat, ExportQuery,
    ExportedConversation, MessageStatus, NewConversation, SearchHit, SearchQuery, StoredMessage,
    TurnRequest, VersionChoice,
};
pub use endpoints::{ChatEndpoint, EndpointRecord, NewChatEndpoint};
pub use error::ChatError;
pub use export::{save_export, save_export_file};
pub use import::{ImportFormat, ImportReport, ImportRequest, MAX_IMPORT_BYTES};
pub use params::{ChatDefaults, ChatParams, ChatPreset, NewChatPreset};
pub use service::ChatService;
pub use sse::{SseEvent, SseParser};
pub use store::AnswerText;
pub use types::{
    AnswerStats, ChatMessage, ChatRequest, ChatRole, ChatStreamEvent, ChatUsage, ContextUsage,
};
pub use upstream::{read_capped, Upstream};

/// Interprets one SSE `data` payload as a chat chunk, returning how many deltas it carries;
/// public for the fuzz target (`crates/core/fuzz`).
#[doc(hidden)]
pub fn interpret_chunk(data: &str) -> Result<usize, String> {
    openai::interpret(data).map(|chunk| chunk.events.len())
}
