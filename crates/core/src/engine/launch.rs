use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine_settings::EngineSettings;
use super::kind::EngineKind;
use super::{custom, docker, llama_cpp, vllm};

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

/// The signal an engine gets from the kernel when llmops dies without stopping it (a crash,
/// `kill -9`), so that it never lives on as an orphan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentDeath {
    /// SIGTERM: for engines that must end their own children (vLLM's workers, `docker run`'s
    /// container).
    Terminate,
    /// SIGKILL: for a single-process engine. llama-server was seen to ignore SIGTERM in the
    /// middle of an answer and stay orphaned.
    Kill,
}

/// Everything needed to start one engine process and know when it is ready. Its `Debug` shows
/// environment names and whether a key is set, never their values.
#[derive(Clone, PartialEq, Eq)]
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
    pub on_parent_death: ParentDeath,
    /// Set in the engine's environment, after the inherited entries: its API key, and values
    /// (secrets included) that must never appear on the command line.
    pub env: Vec<(String, String)>,
    /// Which of the server's own environment entries the engine inherits (`NAME` or `PREFIX_*`);
    /// everything else (cloud credentials, other apps' keys) stays out.
    pub inherit_env: &'static [&'static [&'static str]],
    /// The per-instance key the engine requires (`Authorization: Bearer`); sent by health checks
    /// and chat. `None` for engines llmops cannot give a key to (custom commands).
    pub api_key: Option<String>,
}

impl std::fmt::Debug for LaunchSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchSpec")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("health_path", &self.health_path)
            .field("served_model", &self.served_model)
            .field(
                "env",
                &self.env.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .field("api_key", &crate::secrets::redacted(&self.api_key))
            .finish_non_exhaustive()
    }
}

/// What every engine inherits: the system basics and the GPU runtimes' settings.
const COMMON_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TZ",
    "TMPDIR",
    "XDG_RUNTIME_DIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "LD_LIBRARY_PATH",
    "CUDA_*",
    "NVIDIA_*",
    "HIP_*",
    "ROCR_*",
    "HSA_*",
    "OMP_*",
    "MKL_*",
    "OPENBLAS_*",
    "VK_*",
];
/// Python engines also need their package and hub settings (and a proxy to download weights).
const PYTHON_EXTRA_ENV: &[&str] = &[
    "VLLM_*",
    "HF_*",
    "HUGGING_FACE_*",
    "TRANSFORMERS_*",
    "TORCH_*",
    "PYTORCH_*",
    "NCCL_*",
    "TRITON_*",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "CONDA_*",
    "SSL_CERT_*",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];
/// The `docker` client: how to reach the daemon, and what `-e NAME` passes through.
const DOCKER_EXTRA_ENV: &[&str] = &[
    "DOCKER_*",
    "HF_*",
    "HUGGING_FACE_*",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
];
pub(super) const LLAMA_CPP_ENV: &[&[&str]] = &[COMMON_ENV, &["GGML_*"]];
pub(super) const PYTHON_ENV: &[&[&str]] = &[COMMON_ENV, PYTHON_EXTRA_ENV];
pub(super) const DOCKER_ENV: &[&[&str]] = &[COMMON_ENV, DOCKER_EXTRA_ENV];

/// Whether an environment entry name matches one of `patterns` (`NAME` or `PREFIX_*`).
pub fn env_name_allowed(name: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *p,
    })
}

/// What an engine needs to know of a model to launch it. The library's `Model` gives this view
/// (`Model::launch_target`), so that engines do not depend on the library.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchTarget {
    pub name: String,
    pub engine: EngineKind,
    /// A GGUF file, a Hugging Face repository id or folder, or a custom command's `{model}`.
    pub path: String,
    pub context_size: u32,
    pub extra_args: Vec<String>,
    pub settings: EngineSettings,
    /// Names of environment entries whose values come from the secret store.
    pub secret_env: Vec<String>,
}

/// A random key for one engine instance: a web page that finds the engine's port cannot use it.
pub fn new_engine_key() -> String {
    format!("llmops-engine-{}", crate::access::random_hex(24))
}

impl LaunchSpec {
    pub fn for_model(
        model: &LaunchTarget,
        program: PathBuf,
        port: u16,
        instance_id: &str,
        home: Option<&Path>,
        container_id_file: Option<PathBuf>,
        api_key: String,
    ) -> LaunchSpec {
        match &model.settings {
            EngineSettings::LlamaCpp(s) => llama_cpp::launch_spec(model, s, program, port, api_key),
            EngineSettings::Vllm(s) => vllm::launch_spec(model, s, program, port, api_key),
            EngineSettings::VllmDocker(s) => docker::launch_spec(
                model,
                s,
                program,
                port,
                instance_id,
                home.map(Path::to_path_buf),
                container_id_file,
                api_key,
            ),
            EngineSettings::Custom(s) => custom::launch_spec(model, s, program, port),
        }
    }
}
