use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The engines llmops knows how to launch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// llama.cpp's `llama-server`.
    LlamaCpp,
    /// `vllm serve` as a process.
    Vllm,
    /// The `vllm/vllm-openai` image under `docker run`.
    VllmDocker,
    /// Any OpenAI-compatible server started from a command template.
    Custom,
}

impl EngineKind {
    pub const ALL: [EngineKind; 4] = [
        EngineKind::LlamaCpp,
        EngineKind::Vllm,
        EngineKind::VllmDocker,
        EngineKind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::LlamaCpp => "llama_cpp",
            EngineKind::Vllm => "vllm",
            EngineKind::VllmDocker => "vllm_docker",
            EngineKind::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The executable looked up for this engine; a custom engine names its own.
    pub fn binary_name(self) -> Option<&'static str> {
        match self {
            EngineKind::LlamaCpp => Some("llama-server"),
            EngineKind::Vllm => Some("vllm"),
            EngineKind::VllmDocker => Some("docker"),
            EngineKind::Custom => None,
        }
    }

    /// The environment variable that pins this engine's binary.
    pub fn binary_env_var(self) -> Option<&'static str> {
        match self {
            EngineKind::LlamaCpp => Some("LLMOPS_LLAMA_SERVER"),
            EngineKind::Vllm => Some("LLMOPS_VLLM"),
            EngineKind::VllmDocker => Some("LLMOPS_DOCKER"),
            EngineKind::Custom => None,
        }
    }

    /// Whether the model's path must be a weights file on this machine.
    pub fn needs_local_file(self) -> bool {
        matches!(self, EngineKind::LlamaCpp)
    }
}

impl EngineKind {
    /// The binary the configuration names for this engine (`LLMOPS_LLAMA_SERVER`, `LLMOPS_VLLM`,
    /// `LLMOPS_DOCKER`), if any; a custom command brings its own program.
    pub fn configured_binary(self, config: &crate::config::CoreConfig) -> Option<&std::path::Path> {
        match self {
            EngineKind::LlamaCpp => config.llama_server.as_deref(),
            EngineKind::Vllm => config.vllm.as_deref(),
            EngineKind::VllmDocker => config.docker.as_deref(),
            EngineKind::Custom => None,
        }
    }
}
