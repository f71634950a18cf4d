//! Engine runtimes: prebuilt llama.cpp releases that llmops downloads, verifies and unpacks into
//! its data dir (`<data>/runtimes/<id>`), as LM Studio and Jan fetch their engines. Several
//! versions and builds (CPU, Vulkan, CUDA) live side by side; one is the default, a model may be
//! pinned to another, the previous default is kept for a rollback. Downloads go through the hub's
//! resumable, verified downloader; archives are unpacked with every path checked. The build from
//! source (`scripts/setup.sh`'s cache) and `PATH` stay as the fallback when none is installed.
//!
//! The service owns its tables (`engine_runtimes`, `engine_runtime_pins`) and three settings. It
//! sits below the supervisor and the hub (both ask it which `llama-server` to run) and knows
//! nothing of models, instances or downloads: the core (`core_engines.rs`) downloads a planned
//! install through the hub and combines it with the library and the supervisor ("who uses this
//! runtime", "may it go").

mod archive;
mod error;
mod hardware;
mod releases;
mod service;
mod store;

pub use error::RuntimeError;
pub use hardware::HardwareProfile;
pub use releases::{
    EngineRelease, EngineReleases, Recommendation, ReleaseBuild, ReleaseFile, RuntimeVariant,
};
pub use service::{
    ArchiveFile, EngineFallback, EngineRuntime, EngineRuntimeEntry, EngineRuntimes,
    InstallEngineRuntime, InstallPlan, ModelRef, NewInstall, PinEngineRuntime, ReleasesSource,
    RuntimeChoice, RuntimeState, Runtimes, DEFAULT_RELEASES_URL,
};
