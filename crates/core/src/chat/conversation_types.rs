//! Persisted conversations and their messages, as the UI and the store see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::params::ChatParams;
use super::types::{AnswerStats, ChatRole};
use crate::error::ErrorBody;

/// Whom a conversation talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChatTarget {
    /// A model of the library, through its running instance.
    Model { model_id: String },
    /// An external OpenAI-compatible endpoint and the model name to ask it for.
    Endpoint { endpoint_id: String, model: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    pub target: ChatTarget,
    /// The target's name when last used; kept when the model or endpoint is removed.
    pub target_label: String,
    pub params: ChatParams,
    pub pinned: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// Where a message is in its life. Only assistant answers are ever other than `complete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Complete,
    /// Being received now (saved periodically as it streams).
    Streaming,
    /// The user stopped it; the text so far is kept.
    Stopped,
    /// The engine failed mid-answer (see `error`); the text so far is kept.
    Failed,
    /// The app ended while it streamed (crash, kill): the text saved so far.
    Incomplete,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Complete => "complete",
            MessageStatus::Streaming => "streaming",
            MessageStatus::Stopped => "stopped",
            MessageStatus::Failed => "failed",
            MessageStatus::Incomplete => "incomplete",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        Some(match s {
            "complete" => MessageStatus::Complete,
            "streaming" => MessageStatus::Streaming,
            "stopped" => MessageStatus::Stopped,
            "failed" => MessageStatus::Failed,
            "incomplete" => MessageStatus::Incomplete,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct StoredMessage {
    pub id: String,
    pub conversation_id: String,
    pub role: ChatRole,
    pub content: String,
    /// Reasoning models' thinking (`reasoning_content`), shown collapsible.
    pub reasoning: String,
    pub status: MessageStatus,
    pub error: Option<ErrorBody>,
    pub stats: Option<AnswerStats>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    /// For an answer: the user message it answers. Regenerating makes another version of the
    /// same answer.
    pub answers: Option<String>,
    /// Which version of its answer this is, from 1 (1 for a message with one version).
    pub version: u32,
    /// How many versions its answer has (1 for a message with one version).
    pub versions: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    /// The messages shown, in order (not the other versions of an answer, nor deleted ones).
    pub messages: Vec<StoredMessage>,
    /// How full the context is, when the target's context size is known.
    pub context: Option<super::ContextUsage>,
    /// What the conversation's unset parameters fall back to (its model's defaults, then the
    /// global ones).
    pub defaults: super::ChatParams,
}

/// `PUT /api/conversations/{id}/messages/{message_id}/version`: show another version of an answer.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct VersionChoice {
    /// From 1 to the answer's `versions`.
    pub version: u32,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct NewConversation {
    pub target: ChatTarget,
    #[serde(default)]
    #[ts(optional)]
    pub title: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub params: Option<ChatParams>,
}

/// A change to a conversation; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct ConversationPatch {
    #[ts(optional)]
    pub title: Option<String>,
    #[ts(optional)]
    pub pinned: Option<bool>,
    #[ts(optional)]
    pub params: Option<ChatParams>,
    #[ts(optional)]
    pub target: Option<ChatTarget>,
}

/// What the user asks of a conversation. Regenerating keeps the earlier answer as another
/// version. Editing replaces: the edited message keeps its place and everything after it is
/// dropped before the new answer (the UI says how much first).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TurnRequest {
    /// Append a user message and answer it.
    Send { content: String },
    /// Answer the last user message again; the earlier answer stays as another version.
    Regenerate,
    /// Replace a user message's text, drop what followed it, and answer it.
    Edit { message_id: String, content: String },
}

/// A message that matched a search, with its conversation.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct SearchHit {
    pub conversation_id: String,
    pub conversation_title: String,
    /// `None` when only the title matched.
    pub message_id: Option<String>,
    pub role: Option<ChatRole>,
    /// Text around the match; matched terms are wrapped in U+0002 … U+0003 so that the UI can
    /// highlight them without interpreting any HTML.
    pub snippet: String,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// `GET /api/conversations/{id}/export?format=markdown`.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct ExportQuery {
    pub format: ExportFormat,
}

/// `GET /api/chat/search?q=…`.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct SearchQuery {
    /// Words to find; an empty query finds nothing.
    #[serde(default)]
    pub q: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Markdown,
    Json,
}

/// A conversation rendered as a file to download.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ExportedConversation {
    pub filename: String,
    pub mime: String,
    pub body: String,
}
