//! Why a benchmark could not run, or stopped.

use thiserror::Error;

use crate::chat::ChatError;
use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::library::LibraryError;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("No benchmark with id {0:?}; refresh the list")]
    NotFound(String),
    #[error("The benchmark {label:?} is running; wait for it or cancel it (two at once would measure each other)")]
    Busy { label: String },
    #[error("The benchmark {label:?} is still running; cancel it first")]
    StillRunning { label: String },
    #[error("The warm-up request failed, so nothing was measured: {0}")]
    WarmupFailed(String),
    #[error("Every request failed, so nothing was measured: {0}")]
    AllFailed(String),
    #[error("{0}")]
    Tool(String),
    #[error("llama-bench measures llama.cpp models; {model} runs with {engine}")]
    NotLlamaCpp { model: String, engine: String },
    #[error("The benchmark was cancelled")]
    Cancelled,
    #[error("The app stopped while the benchmark ran; what it measured is lost. Run it again")]
    Interrupted,
    #[error(transparent)]
    Chat(#[from] ChatError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BenchError {
    pub fn invalid(message: String) -> BenchError {
        BenchError::InvalidInput(message)
    }
}

impl CodedError for BenchError {
    fn code(&self) -> &'static str {
        match self {
            BenchError::InvalidInput(_) => "benchmark_invalid_input",
            BenchError::NotFound(_) => "benchmark_not_found",
            BenchError::Busy { .. } => "benchmark_busy",
            BenchError::StillRunning { .. } => "benchmark_still_running",
            BenchError::WarmupFailed(_) => "benchmark_warmup_failed",
            BenchError::AllFailed(_) => "benchmark_all_failed",
            BenchError::Tool(_) => "benchmark_tool_failed",
            BenchError::NotLlamaCpp { .. } => "benchmark_not_llama_cpp",
            BenchError::Cancelled => "benchmark_cancelled",
            BenchError::Interrupted => "benchmark_interrupted",
            BenchError::Chat(error) => error.code(),
            BenchError::Library(error) => error.code(),
            BenchError::Store(error) => error.code(),
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            BenchError::InvalidInput(_) | BenchError::NotLlamaCpp { .. } => ErrorKind::InvalidInput,
            BenchError::NotFound(_) => ErrorKind::NotFound,
            BenchError::Busy { .. } | BenchError::StillRunning { .. } => ErrorKind::Conflict,
            BenchError::WarmupFailed(_)
            | BenchError::AllFailed(_)
            | BenchError::Tool(_)
            | BenchError::Cancelled
            | BenchError::Interrupted => ErrorKind::Unavailable,
            BenchError::Chat(error) => error.kind(),
            BenchError::Library(error) => error.kind(),
            BenchError::Store(error) => error.kind(),
        }
    }
    fn params(&self) -> ErrorParams {
        match self {
            BenchError::InvalidInput(detail)
            | BenchError::WarmupFailed(detail)
            | BenchError::AllFailed(detail)
            | BenchError::Tool(detail) => vec![("detail", detail.clone())],
            BenchError::NotFound(id) => vec![("id", id.clone())],
            BenchError::Busy { label } | BenchError::StillRunning { label } => {
                vec![("label", label.clone())]
            }
            BenchError::NotLlamaCpp { model, engine } => {
                vec![("model", model.clone()), ("engine", engine.clone())]
            }
            BenchError::Cancelled | BenchError::Interrupted => vec![],
            BenchError::Chat(error) => error.params(),
            BenchError::Library(error) => error.params(),
            BenchError::Store(error) => error.params(),
        }
    }
}
