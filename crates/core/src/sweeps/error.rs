//! Why a sweep could not start, or a configuration could not be applied.

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::library::LibraryError;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum SweepError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("No sweep with id {0:?}; refresh the list")]
    NotFound(String),
    #[error(
        "The sweep {label:?} is running; wait for it or cancel it (two would measure each other)"
    )]
    Busy { label: String },
    #[error("The sweep {label:?} is still running; cancel it first")]
    StillRunning { label: String },
    #[error("No configuration of this sweep completed within its constraints, so there is nothing to apply; choose one by its number")]
    NothingToApply,
    #[error("Configuration {index} did not complete ({outcome}); apply one that did")]
    NotApplicable { index: u32, outcome: String },
    #[error("The model was changed or removed since the sweep: {0}")]
    ModelChanged(String),
    #[error("A benchmark is running; wait for it or cancel it before sweeping")]
    BenchmarkRunning,
    #[error("The app stopped while the sweep ran; the configurations it measured are kept")]
    Interrupted,
    #[error("The export could not be saved: {0}")]
    SaveFailed(String),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for SweepError {
    fn code(&self) -> &'static str {
        match self {
            SweepError::InvalidInput(_) => "sweep_invalid_input",
            SweepError::NotFound(_) => "sweep_not_found",
            SweepError::Busy { .. } => "sweep_busy",
            SweepError::StillRunning { .. } => "sweep_still_running",
            SweepError::NothingToApply => "sweep_nothing_to_apply",
            SweepError::NotApplicable { .. } => "sweep_config_not_applicable",
            SweepError::ModelChanged(_) => "sweep_model_changed",
            SweepError::BenchmarkRunning => "sweep_benchmark_running",
            SweepError::Interrupted => "sweep_interrupted",
            SweepError::SaveFailed(_) => "sweep_save_failed",
            SweepError::Library(error) => error.code(),
            SweepError::Store(error) => error.code(),
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            SweepError::InvalidInput(_) | SweepError::NotApplicable { .. } => {
                ErrorKind::InvalidInput
            }
            SweepError::NotFound(_) => ErrorKind::NotFound,
            SweepError::Busy { .. }
            | SweepError::StillRunning { .. }
            | SweepError::NothingToApply
            | SweepError::ModelChanged(_)
            | SweepError::BenchmarkRunning => ErrorKind::Conflict,
            SweepError::Interrupted | SweepError::SaveFailed(_) => ErrorKind::Unavailable,
            SweepError::Library(error) => error.kind(),
            SweepError::Store(error) => error.kind(),
        }
    }
    fn params(&self) -> ErrorParams {
        match self {
            SweepError::InvalidInput(detail)
            | SweepError::ModelChanged(detail)
            | SweepError::SaveFailed(detail) => vec![("detail", detail.clone())],
            SweepError::NotFound(id) => vec![("id", id.clone())],
            SweepError::Busy { label } | SweepError::StillRunning { label } => {
                vec![("label", label.clone())]
            }
            SweepError::NotApplicable { index, outcome } => {
                vec![("index", index.to_string()), ("outcome", outcome.clone())]
            }
            SweepError::NothingToApply | SweepError::BenchmarkRunning | SweepError::Interrupted => {
                vec![]
            }
            SweepError::Library(error) => error.params(),
            SweepError::Store(error) => error.params(),
        }
    }
}
