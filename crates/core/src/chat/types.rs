use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::conversation_types::{Conversation, StoredMessage};
use crate::error::ErrorBody;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::System => "system",
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        }
    }

    pub fn parse(s: &str) -> Option<ChatRole> {
        Some(match s {
            "system" => ChatRole::System,
            "user" => ChatRole::User,
            "assistant" => ChatRole::Assistant,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

/// A chat completion to stream from a running instance.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct ChatRequest {
    pub instance_id: String,
    pub messages: Vec<ChatMessage>,
    #[serde(default)]
    #[ts(optional)]
    pub temperature: Option<f32>,
    #[serde(default)]
    #[ts(optional)]
    pub max_tokens: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ChatUsage {
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// Generation speed reported by the engine (llama.cpp `timings.predicted_per_second`).
    pub tokens_per_second: Option<f64>,
}

/// What one answer cost and how fast it came, measured by the core.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct AnswerStats {
    /// From sending the request to the first token (answer or reasoning).
    pub ttft_ms: Option<f64>,
    /// From sending the request to the end of the stream.
    pub duration_ms: f64,
    /// The engine's own figure (llama.cpp `timings`) when it gives one, else measured.
    pub tokens_per_second: Option<f64>,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// The token count is ours (one per streamed delta): the engine reported no usage.
    pub counted: bool,
}

/// What a chat stream delivers, in order: for a conversation `started` first, then deltas, then
/// exactly one `done` or `error`.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChatStreamEvent {
    /// The messages a conversation turn saved before asking the engine.
    Started {
        /// The user message sent or edited (absent when regenerating).
        user_message: Option<Box<StoredMessage>>,
        assistant_message: Box<StoredMessage>,
        /// The conversation as this turn leaves it (its title after the first message, target
        /// label, `updated_at`), so that nothing needs reading again.
        conversation: Box<Conversation>,
    },
    Delta {
        content: String,
    },
    /// Reasoning models' thinking, shown apart from the answer.
    Reasoning {
        content: String,
    },
    Done {
        finish_reason: Option<String>,
        usage: Option<ChatUsage>,
        stats: AnswerStats,
        /// For a saved turn, the conversation as the turn left it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        conversation: Option<Box<Conversation>>,
    },
    Error {
        error: ErrorBody,
    },
}

impl ChatStreamEvent {
    /// The end of a stream from the engine (a saved turn adds its conversation).
    pub fn done(
        finish_reason: Option<String>,
        usage: Option<ChatUsage>,
        stats: AnswerStats,
    ) -> ChatStreamEvent {
        ChatStreamEvent::Done {
            finish_reason,
            usage,
            stats,
            conversation: None,
        }
    }
}
