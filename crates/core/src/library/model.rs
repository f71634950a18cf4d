use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::engine::{EngineKind, EngineSettings, GpuPlacement, LaunchTarget};

pub use crate::paths::STARTER_MODEL_FILE;
pub const STARTER_MODEL_NAME: &str = "SmolLM2 135M Instruct (Q4_1)";

/// A model the user can start: a weights file and how to run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub engine: EngineKind,
    /// What to serve: the absolute path of a GGUF file for llama.cpp; a Hugging Face repository
    /// or a local folder for vLLM; the `{model}` value of a custom command.
    pub path: String,
    pub context_size: u32,
    /// Extra engine arguments, passed as an argv list, never through a shell.
    pub extra_args: Vec<String>,
    /// What to do when an instance fails.
    pub restart_policy: RestartPolicy,
    /// A fixed port; `None` picks a free one at each start.
    pub port: Option<u16>,
    /// Engine settings, tagged by `engine` (always the same engine as `engine`).
    pub settings: EngineSettings,
    /// Names of secret environment entries (e.g. `HF_TOKEN`): their values are in the secret
    /// store, never in an answer, an event, a log or the engine's command line.
    pub secret_env: Vec<String>,
    /// Which GPUs it runs on: all (the engine decides), chosen devices, or auto.
    #[serde(default)]
    pub gpus: GpuPlacement,
    /// Registered automatically from the cache on first run.
    pub starter: bool,
    #[ts(type = "number")]
    pub created_at: i64,
    /// The model needs a local file or folder and nothing is at its path (checked each time the
    /// model is read): it cannot start until the file is back or the path is changed.
    #[serde(default)]
    pub file_missing: bool,
}

/// A model after an edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ModelEdited {
    pub model: Model,
    /// The model has a live instance, which keeps what it was started with: the edit applies at
    /// its next start.
    pub applies_at_next_start: bool,
}

impl Model {
    /// Whether the path must name something on this machine: llama.cpp's GGUF file, a custom
    /// engine's file, or a vLLM model given as an absolute path (a vLLM repository id need not
    /// exist locally; a custom command's `{model}` means whatever that server makes of it).
    pub fn needs_local_path(&self) -> bool {
        self.engine.needs_local_file()
            || (self.engine == EngineKind::Vllm && self.path.starts_with('/'))
    }

    /// The same model with `file_missing` checked now.
    pub fn with_file_checked(mut self) -> Model {
        self.file_missing = self.needs_local_path() && !std::path::Path::new(&self.path).exists();
        self
    }

    /// What the engine needs of this model to launch it.
    pub fn launch_target(&self) -> LaunchTarget {
        LaunchTarget {
            name: self.name.clone(),
            engine: self.engine,
            path: self.path.clone(),
            context_size: self.context_size,
            extra_args: self.extra_args.clone(),
            settings: self.settings.clone(),
            secret_env: self.secret_env.clone(),
        }
    }
}

/// What the user gives to add a model.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct NewModel {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    pub path: String,
    #[serde(default)]
    #[ts(optional)]
    pub engine: Option<EngineKind>,
    #[serde(default)]
    #[ts(optional)]
    pub context_size: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub extra_args: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub restart_policy: Option<RestartPolicy>,
    #[serde(default)]
    #[ts(optional)]
    pub port: Option<u16>,
    #[serde(default)]
    #[ts(optional)]
    pub settings: Option<EngineSettings>,
    /// Secret environment entries for the engine, `NAME` → value (e.g. `HF_TOKEN`). Kept in the
    /// secret store; the model shows only the names.
    #[serde(default)]
    #[ts(optional)]
    pub secret_env: Option<std::collections::BTreeMap<String, String>>,
    /// Which GPUs it runs on; default all.
    #[serde(default)]
    #[ts(optional)]
    pub gpus: Option<GpuPlacement>,
}

impl NewModel {
    /// A model at `path` with every setting at its default (llama.cpp).
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> NewModel {
        NewModel {
            name: name.into(),
            path: path.into(),
            engine: None,
            context_size: None,
            extra_args: None,
            restart_policy: None,
            port: None,
            settings: None,
            secret_env: None,
            gpus: None,
        }
    }
}

/// Whether an instance that fails is started again (with exponential backoff).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RestartPolicy {
    #[default]
    Never,
    /// Up to `max_retries` consecutive restarts, 1 s, 2 s, 4 s … apart (at most 60 s).
    OnFailure { max_retries: u32 },
}
