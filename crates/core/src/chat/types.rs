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

/// How full a conversation's context is: what its last answer used (the engine's prompt and
/// completion tokens) of the context size its model runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ContextUsage {
    pub used_tokens: u32,
    pub context_size: u32,
    /// At least [`ContextUsage::NEAR_LIMIT_PERCENT`] % used: the next turns may not fit, and the
    /// oldest messages are then left out of what the engine is sent.
    pub near_limit: bool,
}

impl ContextUsage {
    pub const NEAR_LIMIT_PERCENT: u32 = 85;

    pub fn new(used_tokens: u32, context_size: u32) -> ContextUsage {
        ContextUsage {
            used_tokens,
            context_size,
            near_limit: u64::from(used_tokens) * 100
                >= u64::from(context_size) * u64::from(Self::NEAR_LIMIT_PERCENT),
        }
    }

    /// Tokens in the context after an answer, when the engine reported its prompt size.
    pub fn used_after(stats: &AnswerStats) -> Option<u32> {
        let prompt = stats.prompt_tokens?;
        Some(prompt.saturating_add(stats.completion_tokens.unwrap_or(0)))
    }

    /// The usage after the last answer that reports one (0 before any), when the context size
    /// is known (a model of the library; an external endpoint does not say).
    pub fn of(
        messages: &[super::StoredMessage],
        context_size: Option<u32>,
    ) -> Option<ContextUsage> {
        let context_size = context_size?;
        let used = messages
            .iter()
            .rev()
            .find_map(|m| m.stats.as_ref().and_then(Self::used_after))
            .unwrap_or(0);
        Some(ContextUsage::new(used, context_size))
    }
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
        /// For a saved turn with a model of the library, how full its context is now.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        context: Option<ContextUsage>,
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
            context: None,
        }
    }
}

#[cfg(test)]
mod context_tests {
    use super::*;

    #[test]
    fn the_context_is_near_its_limit_from_85_percent() {
        assert!(!ContextUsage::new(1740, 2048).near_limit);
        assert!(ContextUsage::new(1741, 2048).near_limit);
        assert!(ContextUsage::new(u32::MAX, 256).near_limit);
        let stats = AnswerStats {
            prompt_tokens: Some(800),
            completion_tokens: Some(12),
            ..Default::default()
        };
        assert_eq!(ContextUsage::used_after(&stats), Some(812));
        let unknown = AnswerStats {
            completion_tokens: Some(12),
            ..Default::default()
        };
        assert_eq!(ContextUsage::used_after(&unknown), None);
    }
}
