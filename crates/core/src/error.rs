//! The error contract shared by every service.
//!
//! Each service has its own `thiserror` enum; all of them implement [`CodedError`] so that adapters
//! can turn any of them into an [`ErrorBody`] (a stable machine `code` plus a human message that says
//! what to do) and pick a transport status from its [`ErrorKind`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What every failed call returns over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ErrorBody {
    /// Stable identifier, e.g. `model_file_missing`; safe to match on.
    pub code: String,
    /// A sentence for the user, saying what went wrong and what to do (in English; a UI shows
    /// its own translation of `code` with `params` where it has one).
    pub message: String,
    /// The values in the message (a path, a port, a name), by name, for a translated text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub params: Option<BTreeMap<String, String>>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            params: None,
        }
    }

    /// A body with its values (none given: no `params`).
    pub fn with_params(
        code: impl Into<String>,
        params: ErrorParams,
        message: impl Into<String>,
    ) -> ErrorBody {
        let mut body = ErrorBody::new(code, message);
        body.params = (!params.is_empty()).then(|| {
            params
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect()
        });
        body
    }
}

/// Names and values of an error's parameters, for [`CodedError::params`].
pub type ErrorParams = Vec<(&'static str, String)>;

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

    /// The values the message names, so that a UI can say it in its own language.
    fn params(&self) -> ErrorParams {
        Vec::new()
    }

    fn body(&self) -> ErrorBody {
        let params = self.params();
        ErrorBody {
            code: self.code().to_string(),
            message: self.to_string(),
            params: (!params.is_empty()).then(|| {
                params
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value))
                    .collect()
            }),
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
