use thiserror::Error;

use crate::error::{CodedError, ErrorKind};
use crate::supervisor::SupervisorError;

#[derive(Debug, Error)]
pub enum ChatError {
    #[error(transparent)]
    Instance(#[from] SupervisorError),
    #[error("the instance {0} is not running; start its model first")]
    NotRunning(String),
    #[error("a chat needs at least one message")]
    NoMessages,
    #[error(
        "could not reach the engine at {url}: {detail}. The model may have stopped; check its logs"
    )]
    Connect { url: String, detail: String },
    #[error("the engine answered {status}: {body}")]
    Upstream { status: u16, body: String },
    #[error("the engine's stream broke off: {0}. The answer so far is kept")]
    StreamBroken(String),
    #[error("the engine sent something that is not a chat chunk: {0}")]
    BadChunk(String),
}

impl CodedError for ChatError {
    fn code(&self) -> &'static str {
        match self {
            ChatError::Instance(e) => e.code(),
            ChatError::NotRunning(_) => "instance_not_running",
            ChatError::NoMessages => "chat_no_messages",
            ChatError::Connect { .. } => "engine_unreachable",
            ChatError::Upstream { .. } => "engine_error",
            ChatError::StreamBroken(_) => "stream_broken",
            ChatError::BadChunk(_) => "engine_bad_chunk",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ChatError::Instance(e) => e.kind(),
            ChatError::NotRunning(_) => ErrorKind::Conflict,
            ChatError::NoMessages => ErrorKind::InvalidInput,
            _ => ErrorKind::Unavailable,
        }
    }
}
