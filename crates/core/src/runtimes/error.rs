//! Why an engine runtime operation failed.

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The engine releases at {url} could not be read: {detail}. Check the network, a proxy (HTTPS_PROXY) or the releases address (Engines → Source)")]
    ReleasesUnreachable { url: String, detail: String },
    #[error("The engine releases at {url} are not a release list: {detail}")]
    BadReleases { url: String, detail: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("No release {version} of llama.cpp has a {variant} build for this computer ({platform}); choose another version or build")]
    NoSuchBuild {
        version: String,
        variant: String,
        platform: String,
    },
    #[error("The release lists no sha256 for {asset}, so it could not be verified; llmops installs only verifiable builds. Choose another version, or a mirror that lists digests")]
    Unverifiable { asset: String },
    #[error("{id} is already installed")]
    AlreadyInstalled { id: String },
    #[error("No engine runtime {id} is installed")]
    NotFound { id: String },
    #[error("{id} is {reason}; {what_to_do}")]
    InUse {
        id: String,
        reason: String,
        what_to_do: String,
    },
    #[error("Nothing to roll back to: no other llama.cpp runtime was the default before")]
    NothingToRollBack,
    #[error(
        "The archive {archive} could not be unpacked: {detail}. It was deleted; install again"
    )]
    BadArchive { archive: String, detail: String },
    #[error("The installed build does not run on this computer: {detail}. Choose another build (e.g. CPU), or build from source")]
    DoesNotRun { detail: String },
    #[error("{0}")]
    Io(String),
}

impl CodedError for RuntimeError {
    fn code(&self) -> &'static str {
        match self {
            RuntimeError::Store(e) => e.code(),
            RuntimeError::ReleasesUnreachable { .. } => "engine_releases_unreachable",
            RuntimeError::BadReleases { .. } => "engine_releases_invalid",
            RuntimeError::InvalidInput(_) => "invalid_input",
            RuntimeError::NoSuchBuild { .. } => "engine_build_not_found",
            RuntimeError::Unverifiable { .. } => "engine_build_unverifiable",
            RuntimeError::AlreadyInstalled { .. } => "engine_runtime_installed",
            RuntimeError::NotFound { .. } => "engine_runtime_not_found",
            RuntimeError::InUse { .. } => "engine_runtime_in_use",
            RuntimeError::NothingToRollBack => "engine_runtime_no_rollback",
            RuntimeError::BadArchive { .. } => "engine_archive_invalid",
            RuntimeError::DoesNotRun { .. } => "engine_runtime_does_not_run",
            RuntimeError::Io(_) => "engine_runtime_io",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            RuntimeError::Store(e) => e.params(),
            RuntimeError::ReleasesUnreachable { url, detail }
            | RuntimeError::BadReleases { url, detail } => {
                vec![("url", url.clone()), ("detail", detail.clone())]
            }
            RuntimeError::InvalidInput(detail) | RuntimeError::Io(detail) => {
                vec![("detail", detail.clone())]
            }
            RuntimeError::NoSuchBuild {
                version,
                variant,
                platform,
            } => vec![
                ("version", version.clone()),
                ("variant", variant.clone()),
                ("platform", platform.clone()),
            ],
            RuntimeError::Unverifiable { asset } => vec![("asset", asset.clone())],
            RuntimeError::AlreadyInstalled { id } | RuntimeError::NotFound { id } => {
                vec![("id", id.clone())]
            }
            RuntimeError::InUse {
                id,
                reason,
                what_to_do,
            } => vec![
                ("id", id.clone()),
                ("reason", reason.clone()),
                ("what_to_do", what_to_do.clone()),
            ],
            RuntimeError::NothingToRollBack => Vec::new(),
            RuntimeError::BadArchive { archive, detail } => {
                vec![("archive", archive.clone()), ("detail", detail.clone())]
            }
            RuntimeError::DoesNotRun { detail } => vec![("detail", detail.clone())],
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            RuntimeError::Store(e) => e.kind(),
            RuntimeError::ReleasesUnreachable { .. } => ErrorKind::Unavailable,
            RuntimeError::BadReleases { .. } | RuntimeError::BadArchive { .. } => {
                ErrorKind::Unavailable
            }
            RuntimeError::InvalidInput(_)
            | RuntimeError::Unverifiable { .. }
            | RuntimeError::DoesNotRun { .. } => ErrorKind::InvalidInput,
            RuntimeError::NoSuchBuild { .. } | RuntimeError::NotFound { .. } => ErrorKind::NotFound,
            RuntimeError::AlreadyInstalled { .. }
            | RuntimeError::InUse { .. }
            | RuntimeError::NothingToRollBack => ErrorKind::Conflict,
            RuntimeError::Io(_) => ErrorKind::Internal,
        }
    }
}
