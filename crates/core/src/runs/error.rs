//! Why a run could not be read or changed.

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum RunsError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("No run with id {0:?}; refresh the list")]
    NotFound(String),
    #[error("The run of {model} is still going; stop the model first")]
    StillRunning { model: String },
    #[error("The export could not be saved: {0}")]
    SaveFailed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for RunsError {
    fn code(&self) -> &'static str {
        match self {
            RunsError::InvalidInput(_) => "run_invalid_input",
            RunsError::NotFound(_) => "run_not_found",
            RunsError::StillRunning { .. } => "run_still_running",
            RunsError::SaveFailed(_) => "run_save_failed",
            RunsError::Store(error) => error.code(),
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            RunsError::InvalidInput(_) => ErrorKind::InvalidInput,
            RunsError::NotFound(_) => ErrorKind::NotFound,
            RunsError::StillRunning { .. } => ErrorKind::Conflict,
            RunsError::SaveFailed(_) => ErrorKind::Unavailable,
            RunsError::Store(error) => error.kind(),
        }
    }
    fn params(&self) -> ErrorParams {
        match self {
            RunsError::InvalidInput(detail) | RunsError::SaveFailed(detail) => {
                vec![("detail", detail.clone())]
            }
            RunsError::NotFound(id) => vec![("id", id.clone())],
            RunsError::StillRunning { model } => vec![("model", model.clone())],
            RunsError::Store(error) => error.params(),
        }
    }
}
