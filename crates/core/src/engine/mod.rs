//! Inference engines: how to find an engine's binary and turn a [`LaunchTarget`] (the library
//! gives one per model) into the exact argv that launches it. Nothing here starts a process; the
//! supervisor does.

mod binary;
mod custom;
mod docker;
mod engine_settings;
mod info;
mod kind;
mod launch;
mod llama_cpp;
mod llama_cpp_settings;
mod placement;
mod presets;
mod version;
mod vllm;

pub use binary::{resolve_binary, resolve_for_model, ResolvedBinary};
pub use custom::{CustomSettings, PLACEHOLDERS};
pub use docker::{container_name, VllmDockerSettings, DEFAULT_VLLM_IMAGE};
pub use engine_settings::EngineSettings;
pub use info::{engines_info, EngineInfo};
pub use kind::EngineKind;
pub use launch::{
    env_name_allowed, new_engine_key, LaunchSpec, LaunchTarget, ParentDeath, StopStyle,
};
pub use llama_cpp_settings::{
    LlamaCppSettings, KV_CACHE_TYPES, MAX_BATCH_SIZE, MAX_PARALLEL, MAX_THREADS,
};
pub use placement::{
    apply as apply_placement, decide as decide_placement, GpuAssignment, GpuPlacement, GpuSlot,
    PlacementError, PlacementInputs,
};
pub use presets::{deploy_presets, DeployPreset};
pub use version::VersionCache;
pub use vllm::{VllmSettings, VLLM_DTYPES};

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(
        "{engine} was not found (looked in: {searched}). {hint}, or set {env_var} to its path"
    )]
    BinaryNotFound {
        engine: &'static str,
        searched: String,
        env_var: &'static str,
        hint: &'static str,
    },
    #[error("The custom engine's program {program:?} was not found or is not executable; give its full path or put it on PATH")]
    CommandNotFound { program: String },
    #[error(
        "The configured {engine} binary {path} does not exist or is not executable; fix {env_var}"
    )]
    ConfiguredBinaryMissing {
        engine: &'static str,
        path: String,
        env_var: &'static str,
    },
    #[error("Docker is installed, but its daemon does not answer ({detail}). Start it (for example `sudo systemctl start docker`), or add your user to the docker group and log in again")]
    DockerDaemonDown { detail: String },
}

impl CodedError for EngineError {
    fn code(&self) -> &'static str {
        match self {
            EngineError::BinaryNotFound { .. } => "engine_binary_not_found",
            EngineError::ConfiguredBinaryMissing { .. } => "engine_binary_missing",
            EngineError::CommandNotFound { .. } => "engine_command_not_found",
            EngineError::DockerDaemonDown { .. } => "engine_daemon_unreachable",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            EngineError::BinaryNotFound {
                engine,
                searched,
                env_var,
                ..
            } => vec![
                ("engine", engine.to_string()),
                ("searched", searched.clone()),
                ("env_var", env_var.to_string()),
            ],
            EngineError::CommandNotFound { program } => vec![("program", program.clone())],
            EngineError::ConfiguredBinaryMissing {
                engine,
                path,
                env_var,
            } => vec![
                ("engine", engine.to_string()),
                ("path", path.clone()),
                ("env_var", env_var.to_string()),
            ],
            EngineError::DockerDaemonDown { detail } => vec![("detail", detail.clone())],
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Unavailable
    }
}
