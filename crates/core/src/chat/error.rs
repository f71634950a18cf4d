use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::library::LibraryError;
use crate::store::StoreError;
use crate::supervisor::SupervisorError;

#[derive(Debug, Error)]
pub enum ChatError {
    #[error(transparent)]
    Instance(#[from] SupervisorError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("The instance {0} is not running; start its model first")]
    NotRunning(String),
    #[error("{0} is not running; start it on the dashboard, then send again")]
    ModelNotRunning(String),
    #[error("A chat needs at least one message")]
    NoMessages,
    #[error("The message is empty; type something to send")]
    EmptyMessage,
    #[error("{field} must be {rule}")]
    InvalidParams { field: &'static str, rule: String },
    #[error("The endpoint URL {0}")]
    InvalidEndpoint(String),
    #[error("Give the endpoint a name")]
    EndpointNameMissing,
    #[error("Give the preset a name")]
    PresetNameMissing,
    #[error("No conversation with id {0}; it may have been deleted")]
    ConversationNotFound(String),
    #[error("No message with id {0} in this conversation")]
    MessageNotFound(String),
    #[error("No chat endpoint with id {0}; it may have been removed")]
    EndpointNotFound(String),
    #[error("No preset with id {0}")]
    PresetNotFound(String),
    #[error("An answer is still streaming in this conversation; stop it first")]
    Busy,
    #[error("There is no user message to answer yet")]
    NothingToRegenerate,
    #[error("Only your own messages can be edited")]
    NotAUserMessage,
    #[error("The message {0} can no longer be restored: a newer turn ended its undo, or it was not deleted")]
    NothingToRestore(String),
    #[error("This answer has no version {0}")]
    NoSuchVersion(u32),
    #[error("The file is larger than {0} MB; export fewer conversations at a time")]
    ImportTooLarge(usize),
    #[error("The file could not be imported: {0}")]
    ImportInvalid(String),
    #[error("The file has no conversation to import")]
    ImportEmpty,
    #[error("This file is not a conversation export llmops can read. Import a llmops JSON export, an Open WebUI export (Settings → Chats → Export chats) or an LM Studio conversation (*.conversation.json)")]
    ImportUnrecognised,
    #[error(
        "Could not reach the engine at {url}: {detail}. The model may have stopped; check its logs"
    )]
    Connect { url: String, detail: String },
    #[error("Could not reach the endpoint at {url}: {detail}. Check its base URL, and that its server runs and is reachable from this machine")]
    EndpointUnreachable { url: String, detail: String },
    #[error("The engine answered {status}: {body}")]
    Upstream { status: u16, body: String },
    #[error("The engine sent nothing for {0} s; it may be overloaded or stuck. The answer so far is kept")]
    Timeout(u64),
    #[error("The engine's stream broke off: {0}. The answer so far is kept")]
    StreamBroken(String),
    #[error("The engine sent something that is not a chat chunk: {0}")]
    BadChunk(String),
}

impl CodedError for ChatError {
    fn code(&self) -> &'static str {
        match self {
            ChatError::Instance(e) => e.code(),
            ChatError::Library(e) => e.code(),
            ChatError::Store(e) => e.code(),
            ChatError::Secret(e) => e.code(),
            ChatError::NotRunning(_) => "instance_not_running",
            ChatError::ModelNotRunning(_) => "model_not_running",
            ChatError::NoMessages => "chat_no_messages",
            ChatError::EmptyMessage => "chat_empty_message",
            ChatError::InvalidParams { .. } => "chat_invalid_params",
            ChatError::InvalidEndpoint(_) => "chat_invalid_endpoint",
            ChatError::EndpointNameMissing => "chat_endpoint_name_missing",
            ChatError::PresetNameMissing => "chat_preset_name_missing",
            ChatError::ConversationNotFound(_) => "conversation_not_found",
            ChatError::MessageNotFound(_) => "message_not_found",
            ChatError::EndpointNotFound(_) => "endpoint_not_found",
            ChatError::PresetNotFound(_) => "preset_not_found",
            ChatError::Busy => "conversation_busy",
            ChatError::NothingToRegenerate => "nothing_to_regenerate",
            ChatError::NothingToRestore(_) => "message_not_restorable",
            ChatError::NoSuchVersion(_) => "answer_version_not_found",
            ChatError::ImportTooLarge(_) => "import_too_large",
            ChatError::ImportInvalid(_) => "import_invalid",
            ChatError::ImportEmpty => "import_empty",
            ChatError::ImportUnrecognised => "import_unrecognised",
            ChatError::NotAUserMessage => "not_a_user_message",
            ChatError::Connect { .. } => "engine_unreachable",
            ChatError::EndpointUnreachable { .. } => "endpoint_unreachable",
            ChatError::Upstream { .. } => "engine_error",
            ChatError::Timeout(_) => "engine_timeout",
            ChatError::StreamBroken(_) => "stream_broken",
            ChatError::BadChunk(_) => "engine_bad_chunk",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            ChatError::Instance(e) => e.params(),
            ChatError::Library(e) => e.params(),
            ChatError::Store(e) => e.params(),
            ChatError::Secret(e) => e.params(),
            ChatError::NotRunning(id) => vec![("id", id.clone())],
            ChatError::ModelNotRunning(name) => vec![("name", name.clone())],
            ChatError::InvalidParams { field, rule } => {
                vec![("field", field.to_string()), ("rule", rule.clone())]
            }
            ChatError::InvalidEndpoint(detail)
            | ChatError::ImportInvalid(detail)
            | ChatError::StreamBroken(detail)
            | ChatError::BadChunk(detail) => vec![("detail", detail.clone())],
            ChatError::ConversationNotFound(id)
            | ChatError::MessageNotFound(id)
            | ChatError::EndpointNotFound(id)
            | ChatError::PresetNotFound(id)
            | ChatError::NothingToRestore(id) => vec![("id", id.clone())],
            ChatError::NoSuchVersion(version) => vec![("version", version.to_string())],
            ChatError::ImportTooLarge(mb) => vec![("megabytes", mb.to_string())],
            ChatError::Connect { url, detail } | ChatError::EndpointUnreachable { url, detail } => {
                vec![("url", url.clone()), ("detail", detail.clone())]
            }
            ChatError::Upstream { status, body } => {
                vec![("status", status.to_string()), ("body", body.clone())]
            }
            ChatError::Timeout(secs) => vec![("seconds", secs.to_string())],
            ChatError::NoMessages
            | ChatError::EmptyMessage
            | ChatError::EndpointNameMissing
            | ChatError::PresetNameMissing
            | ChatError::Busy
            | ChatError::NothingToRegenerate
            | ChatError::NotAUserMessage
            | ChatError::ImportEmpty
            | ChatError::ImportUnrecognised => Vec::new(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ChatError::Instance(e) => e.kind(),
            ChatError::Library(e) => e.kind(),
            ChatError::Store(e) => e.kind(),
            ChatError::Secret(e) => e.kind(),
            ChatError::NotRunning(_) | ChatError::ModelNotRunning(_) | ChatError::Busy => {
                ErrorKind::Conflict
            }
            ChatError::NoMessages
            | ChatError::EmptyMessage
            | ChatError::InvalidParams { .. }
            | ChatError::InvalidEndpoint(_)
            | ChatError::EndpointNameMissing
            | ChatError::PresetNameMissing
            | ChatError::NothingToRegenerate
            | ChatError::NotAUserMessage
            | ChatError::ImportTooLarge(_)
            | ChatError::ImportInvalid(_)
            | ChatError::ImportEmpty
            | ChatError::ImportUnrecognised => ErrorKind::InvalidInput,
            ChatError::ConversationNotFound(_)
            | ChatError::MessageNotFound(_)
            | ChatError::NothingToRestore(_)
            | ChatError::NoSuchVersion(_)
            | ChatError::EndpointNotFound(_)
            | ChatError::PresetNotFound(_) => ErrorKind::NotFound,
            _ => ErrorKind::Unavailable,
        }
    }
}
