use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum AccessError {
    #[error("Cannot read or write the server token at {path}: {source}. Check that the data dir is writable by you")]
    TokenFile {
        path: String,
        source: std::io::Error,
    },
    #[error("A key needs a name (1 to 64 characters), for example \"phone\" or \"grafana\"")]
    BadKeyName,
    #[error("No API key with id {0}; it may have been revoked already")]
    KeyNotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for AccessError {
    fn code(&self) -> &'static str {
        match self {
            AccessError::TokenFile { .. } => "server_token_unavailable",
            AccessError::BadKeyName => "invalid_key_name",
            AccessError::KeyNotFound(_) => "api_key_not_found",
            AccessError::Store(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            AccessError::TokenFile { path, source } => {
                vec![("path", path.clone()), ("detail", source.to_string())]
            }
            AccessError::KeyNotFound(id) => vec![("id", id.clone())],
            AccessError::Store(e) => e.params(),
            AccessError::BadKeyName => Vec::new(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AccessError::TokenFile { .. } => ErrorKind::Internal,
            AccessError::BadKeyName => ErrorKind::InvalidInput,
            AccessError::KeyNotFound(_) => ErrorKind::NotFound,
            AccessError::Store(e) => e.kind(),
        }
    }
}
