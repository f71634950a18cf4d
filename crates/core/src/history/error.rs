use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("{asked} series were asked for; at most {limit} fit in one query. Ask for fewer, or leave `series` out for all of them")]
    TooManySeries { asked: usize, limit: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for HistoryError {
    fn code(&self) -> &'static str {
        match self {
            HistoryError::TooManySeries { .. } => "too_many_series",
            HistoryError::Store(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            HistoryError::TooManySeries { asked, limit } => {
                vec![("asked", asked.to_string()), ("limit", limit.to_string())]
            }
            HistoryError::Store(e) => e.params(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            HistoryError::TooManySeries { .. } => ErrorKind::InvalidInput,
            HistoryError::Store(e) => e.kind(),
        }
    }
}
