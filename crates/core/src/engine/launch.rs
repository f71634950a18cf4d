use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine_settings::EngineSettings;
use super::{custom, docker, llama_cpp, vllm};
use crate::library::Model;

/// How an engine is stopped, besides SIGTERM (then SIGKILL) to its process group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopStyle {
    ProcessGroup,
    /// `docker stop -t <grace> <container>` first: killing the `docker run` client alone would
    /// leave the container (and its GPU memory) behind.
    Docker {
        docker: PathBuf,
        container: String,
    },
}

/// Everything needed to start one engine process and know when it is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchSpec {
    pub program: PathBuf,
    /// Passed as an argv list; no shell ever sees it.
    pub args: Vec<String>,
    /// Path polled on `http://127.0.0.1:{port}` until it answers 200.
    pub health_path: String,
    /// How long the engine may take to become healthy.
    pub start_timeout: Duration,
    /// A line the engine prints once it serves: seeing it triggers a health check at once,
    /// instead of at the next poll.
    pub ready_marker: Option<&'static str>,
    /// The OpenAI `model` field the server answers to.
    pub served_model: String,
    pub stop: StopStyle,
}

impl LaunchSpec {
    pub fn for_model(
        model: &Model,
        program: PathBuf,
        port: u16,
        instance_id: &str,
        home: Option<&Path>,
    ) -> LaunchSpec {
        match &model.settings {
            EngineSettings::LlamaCpp(s) => llama_cpp::launch_spec(model, s, program, port),
            EngineSettings::Vllm(s) => vllm::launch_spec(model, s, program, port),
            EngineSettings::VllmDocker(s) => docker::launch_spec(
                model,
                s,
                program,
                port,
                instance_id,
                home.map(Path::to_path_buf),
            ),
            EngineSettings::Custom(s) => custom::launch_spec(model, s, program, port),
        }
    }
}
