use std::path::PathBuf;
use std::time::Duration;

use super::{llama_cpp, EngineKind};
use crate::library::Model;

/// Everything needed to start one engine process and know when it is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchSpec {
    pub program: PathBuf,
    /// Passed as an argv list; no shell ever sees it.
    pub args: Vec<String>,
    /// Path polled on `http://127.0.0.1:{port}` until it answers 200.
    pub health_path: &'static str,
    /// How long the engine may take to become healthy.
    pub start_timeout: Duration,
    /// A line the engine prints once it serves: seeing it triggers a health check at once,
    /// instead of at the next poll.
    pub ready_marker: Option<&'static str>,
}

impl LaunchSpec {
    pub fn for_model(model: &Model, program: PathBuf, port: u16) -> LaunchSpec {
        match model.engine {
            EngineKind::LlamaCpp => llama_cpp::launch_spec(model, program, port),
        }
    }
}
