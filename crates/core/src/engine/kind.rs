use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The engines llmops knows how to launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// llama.cpp's `llama-server`.
    LlamaCpp,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::LlamaCpp => "llama_cpp",
        }
    }

    pub fn parse(s: &str) -> Option<EngineKind> {
        match s {
            "llama_cpp" => Some(EngineKind::LlamaCpp),
            _ => None,
        }
    }

    pub fn binary_name(self) -> &'static str {
        match self {
            EngineKind::LlamaCpp => "llama-server",
        }
    }

    /// The environment variable that pins this engine's binary.
    pub fn binary_env_var(self) -> &'static str {
        match self {
            EngineKind::LlamaCpp => "LLMOPS_LLAMA_SERVER",
        }
    }
}
