//! The model hub: models already on this computer (indexed in place), GGUF headers, and
//! whether a model fits the machine.
//!
//! - `gguf.rs`: a bounded GGUF header reader (local file or any prefix of bytes).
//! - `index.rs`: where Hugging Face, LM Studio, Ollama, ModelScope and llmops keep model files.
//! - `fit.rs`: the static fit estimate; `engine_fit.rs`: llama.cpp's `llama-fit-params`.
//! - `hf.rs`: the Hugging Face API (or a mirror): search, listings pinned to a commit, errors.
//! - `ms.rs`: ModelScope: listings with sha256, downloads, best-effort search.
//! - `ollama.rs`: a running Ollama: its models, what is loaded, pulls, its `/v1` for chat.
//! - `cache.rs`: the standard Hugging Face cache layout, written in place.
//! - `downloads.rs`: the resumable, verified download queue.
//! - `service.rs` (local files) and `remote.rs` (hub, settings, downloads): the `Hub` handle
//!   the operations call.

pub(crate) mod cache;
pub mod downloads;
mod engine_fit;
mod error;
pub mod fit;
pub mod gguf;
pub mod hf;
pub mod index;
mod ms;
pub mod ollama;
mod remote;
mod service;

pub use downloads::{Download, DownloadFile, DownloadState, HubSource, NewDownload};
pub use engine_fit::{DeviceMemory, EngineFit};
pub use error::HubError;
pub use fit::{FitEstimate, FitRequest, FitResources, FitSuggestion, FitVerdict};
pub use gguf::{GgufError, GgufInfo, PerLayer, SplitInfo};
pub use hf::{HubModel, HubRepo, HubSearchPage, QuantFiles, RepoFile};
pub use index::{FoundFile, ModelSource};
pub use remote::{
    HubFitQuery, HubFitReport, HubRepoQuery, HubSearchQuery, HubSettings, HubSettingsView,
    HubToken, OllamaPull,
};
pub use service::{
    fit_flags, FitQuery, FitReport, GgufSummary, Hub, IndexRoot, LocalFileRef, LocalModel,
    LocalModels, MeasuredUse, ModelFolders,
};
