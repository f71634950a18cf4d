use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};

#[derive(Debug, Error)]
pub enum SecretError {
    #[error("The OS keyring refused to {action} a secret: {detail}. Unlock the keyring (or set LLMOPS_SECRET_STORE=file) and retry")]
    Keyring {
        action: &'static str,
        detail: String,
    },
    #[error("Cannot {action} the secrets file {path}: {detail}. Check that the data dir is writable by you")]
    File {
        action: &'static str,
        path: String,
        detail: String,
    },
}

impl CodedError for SecretError {
    fn code(&self) -> &'static str {
        match self {
            SecretError::Keyring { .. } => "secret_store_keyring_failed",
            SecretError::File { .. } => "secret_store_file_failed",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            SecretError::Keyring { action, detail } => {
                vec![("action", action.to_string()), ("detail", detail.clone())]
            }
            SecretError::File {
                action,
                path,
                detail,
            } => vec![
                ("action", action.to_string()),
                ("path", path.clone()),
                ("detail", detail.clone()),
            ],
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Unavailable
    }
}
