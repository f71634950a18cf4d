//! The error contract shared by every service.
//!
//! Each service has its own `thiserror` enum; all of them implement [`CodedError`] so that adapters
//! can turn any of them into an [`ErrorBody`] (a stable machine `code` plus a human message that says
//! what to do) and pick a transport status from its [`ErrorKind`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What every failed call returns over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ErrorBody {
    /// Stable identifier, e.g. `model_file_missing`; safe to match on.
    pub code: String,
    /// A sentence for the user, saying what went wrong and what to do.
    pub message: String,
}

/// Broad category of an error, used by adapters to choose e.g. an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    Conflict,
    Unavailable,
    Internal,
}

pub trait CodedError: std::error::Error {
    fn code(&self) -> &'static str;
    fn kind(&self) -> ErrorKind;

    fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

/// Any service error, erased to what adapters need.
#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: ErrorKind,
    pub body: ErrorBody,
}

impl<E: CodedError> From<E> for AppError {
    fn from(err: E) -> Self {
        AppError {
            kind: err.kind(),
            body: err.body(),
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.body.message, self.body.code)
    }
}
