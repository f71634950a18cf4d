use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorBody;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

/// A chat completion to stream from a running instance.
#[derive(Debug, Clone, Deserialize, TS)]
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

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChatUsage {
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// Generation speed reported by the engine (llama.cpp `timings.predicted_per_second`).
    pub tokens_per_second: Option<f64>,
}

/// What a chat stream delivers, in order: deltas, then exactly one `done` or `error`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChatStreamEvent {
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
    },
    Error {
        error: ErrorBody,
    },
}
