//! Inference engines: how to find an engine's binary and turn a [`Model`](crate::library::Model)
//! into the exact argv that launches it. Nothing here starts a process; the supervisor does.

mod binary;
mod kind;
mod launch;
mod llama_cpp;
mod settings;
mod version;

pub use binary::{resolve_binary, ResolvedBinary};
pub use kind::EngineKind;
pub use launch::LaunchSpec;
pub use settings::{LlamaCppSettings, KV_CACHE_TYPES};
pub use version::VersionCache;

use thiserror::Error;

use crate::error::{CodedError, ErrorKind};

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("{engine} was not found (looked in: {searched}). Run `npm start` (scripts/setup.sh) to build it, or set {env_var} to its path")]
    BinaryNotFound {
        engine: &'static str,
        searched: String,
        env_var: &'static str,
    },
    #[error(
        "the configured {engine} binary {path} does not exist or is not executable; fix {env_var}"
    )]
    ConfiguredBinaryMissing {
        engine: &'static str,
        path: String,
        env_var: &'static str,
    },
}

impl CodedError for EngineError {
    fn code(&self) -> &'static str {
        match self {
            EngineError::BinaryNotFound { .. } => "engine_binary_not_found",
            EngineError::ConfiguredBinaryMissing { .. } => "engine_binary_missing",
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Unavailable
    }
}
