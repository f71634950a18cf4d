//! Why a hub operation failed: searching, downloading, indexing or fitting a model.

use thiserror::Error;

use super::gguf::GgufError;
use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum HubError {
    #[error(transparent)]
    Gguf(#[from] GgufError),
    #[error("{path} is not among the model files llmops found; scan again (Models → On this computer) or add its folder")]
    NotIndexed { path: String },
    #[error("{path} belongs to {owner}; llmops does not delete another application's models. Remove it in {owner}")]
    OwnedByOtherTool { path: String, owner: String },
    #[error("{path} is used by the model {model:?}; remove that model first")]
    InUse { path: String, model: String },
    #[error("The folder {path:?} {reason}")]
    BadFolder { path: String, reason: String },
    #[error("{0}")]
    Io(String),
    #[error("The model fit could not be checked with llama.cpp: {0}")]
    EngineFit(String),
    #[error("{repo} was not found, or it is private or gated and needs a login: check the name, or add a Hugging Face token (Settings → Hub)")]
    RepoNotFound { repo: String },
    #[error("{repo} is gated: accept its licence at {url} while logged in, then add a token that can read it (Settings → Hub)")]
    Gated { repo: String, url: String },
    #[error("The hub refused access to {repo}: {detail}. Make sure your token has the right permissions")]
    Forbidden { repo: String, detail: String },
    #[error("{what} was not found on the hub ({detail})")]
    EntryNotFound { what: String, detail: String },
    #[error("The hub at {endpoint} could not be reached: {detail}. Check the network, a proxy (HTTPS_PROXY) or the endpoint (Settings → Hub)")]
    Unreachable { endpoint: String, detail: String },
    #[error("The hub answered {status} for {what}: {detail}")]
    HubStatus {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("The hub's answer for {what} could not be read: {detail}")]
    BadAnswer { what: String, detail: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("No download with id {0:?}; refresh the list")]
    DownloadNotFound(String),
    #[error("Not enough disk space in {folder}: {needed} bytes needed (with a margin), {free} free. Free some space or choose another cache folder (HF_HUB_CACHE)")]
    DiskFull {
        folder: String,
        needed: u64,
        free: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for HubError {
    fn code(&self) -> &'static str {
        match self {
            HubError::Gguf(error) => error.code(),
            HubError::NotIndexed { .. } => "hub_not_indexed",
            HubError::OwnedByOtherTool { .. } => "hub_owned_by_other_tool",
            HubError::InUse { .. } => "hub_file_in_use",
            HubError::BadFolder { .. } => "hub_bad_folder",
            HubError::Io(_) => "hub_io",
            HubError::EngineFit(_) => "hub_engine_fit_failed",
            HubError::RepoNotFound { .. } => "hub_repo_not_found",
            HubError::Gated { .. } => "hub_gated",
            HubError::Forbidden { .. } => "hub_forbidden",
            HubError::EntryNotFound { .. } => "hub_entry_not_found",
            HubError::Unreachable { .. } => "hub_unreachable",
            HubError::HubStatus { .. } => "hub_status",
            HubError::BadAnswer { .. } => "hub_bad_answer",
            HubError::InvalidInput(_) => "hub_invalid_input",
            HubError::DownloadNotFound(_) => "hub_download_not_found",
            HubError::DiskFull { .. } => "hub_disk_full",
            HubError::Store(error) => error.code(),
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            HubError::Gguf(error) => error.kind(),
            HubError::NotIndexed { .. }
            | HubError::RepoNotFound { .. }
            | HubError::EntryNotFound { .. }
            | HubError::DownloadNotFound(_) => ErrorKind::NotFound,
            HubError::OwnedByOtherTool { .. } | HubError::InUse { .. } => ErrorKind::Conflict,
            HubError::BadFolder { .. } | HubError::InvalidInput(_) => ErrorKind::InvalidInput,
            HubError::Gated { .. } | HubError::Forbidden { .. } => ErrorKind::Conflict,
            HubError::Io(_)
            | HubError::EngineFit(_)
            | HubError::Unreachable { .. }
            | HubError::HubStatus { .. }
            | HubError::BadAnswer { .. }
            | HubError::DiskFull { .. } => ErrorKind::Unavailable,
            HubError::Store(error) => error.kind(),
        }
    }
    fn params(&self) -> ErrorParams {
        match self {
            HubError::Gguf(error) => error.params(),
            HubError::NotIndexed { path } => vec![("path", path.clone())],
            HubError::InUse { path, model } => {
                vec![("path", path.clone()), ("model", model.clone())]
            }
            HubError::OwnedByOtherTool { path, owner } => {
                vec![("path", path.clone()), ("owner", owner.clone())]
            }
            HubError::RepoNotFound { repo } => vec![("repo", repo.clone())],
            HubError::Gated { repo, url } => vec![("repo", repo.clone()), ("url", url.clone())],
            HubError::Forbidden { repo, detail } => {
                vec![("repo", repo.clone()), ("detail", detail.clone())]
            }
            HubError::BadFolder { path, reason } => {
                vec![("path", path.clone()), ("reason", reason.clone())]
            }
            HubError::EntryNotFound { what, detail } | HubError::BadAnswer { what, detail } => {
                vec![("what", what.clone()), ("detail", detail.clone())]
            }
            HubError::Unreachable { endpoint, detail } => {
                vec![("endpoint", endpoint.clone()), ("detail", detail.clone())]
            }
            HubError::HubStatus {
                what,
                status,
                detail,
            } => vec![
                ("what", what.clone()),
                ("status", status.to_string()),
                ("detail", detail.clone()),
            ],
            HubError::DiskFull {
                folder,
                needed,
                free,
            } => vec![
                ("folder", folder.clone()),
                ("needed", needed.to_string()),
                ("free", free.to_string()),
            ],
            HubError::Io(detail) | HubError::EngineFit(detail) | HubError::InvalidInput(detail) => {
                vec![("detail", detail.clone())]
            }
            HubError::DownloadNotFound(id) => vec![("id", id.clone())],
            HubError::Store(error) => error.params(),
        }
    }
}
