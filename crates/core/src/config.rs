//! Runtime settings of the core, read from the environment by adapters.

use std::path::PathBuf;
use std::time::Duration;

use crate::paths::AppPaths;
use crate::secrets::SecretPreference;

#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub paths: AppPaths,
    /// Explicit `llama-server` binary (`LLMOPS_LLAMA_SERVER`); otherwise the cache, then PATH.
    pub llama_server: Option<PathBuf>,
    /// Explicit `vllm` binary (`LLMOPS_VLLM`).
    pub vllm: Option<PathBuf>,
    /// Explicit `docker` binary (`LLMOPS_DOCKER`).
    pub docker: Option<PathBuf>,
    /// How many instances may run at once.
    pub max_instances: usize,
    /// How long a stopping engine gets between SIGTERM and SIGKILL.
    pub stop_grace: Duration,
    /// Overrides every engine's own start timeout (`LLMOPS_START_TIMEOUT_SECS`), e.g. for
    /// models on a slow network drive.
    pub start_timeout: Option<Duration>,
    /// How often a Running instance's health endpoint is checked.
    pub watchdog_interval: Duration,
    /// Interval of the system sampler.
    pub sample_interval: Duration,
    /// Days of one-minute history rollups kept (`LLMOPS_HISTORY_DAYS`).
    pub history_retention_days: u32,
    /// Where the NVML library is (`LLMOPS_NVML_LIB`); otherwise the system's `libnvidia-ml.so.1`.
    pub nvml_lib: Option<PathBuf>,
    /// The AMD SMI library (`LLMOPS_AMD_SMI_LIB`); default: `libamd_smi.so` on the loader's
    /// path, then `/opt/rocm/lib`.
    pub amd_smi_lib: Option<PathBuf>,
    /// Where secrets go (`LLMOPS_SECRET_STORE=auto|keyring|file`). [`CoreConfig::new`] uses the
    /// file, so that tests never touch the user's keyring; [`CoreConfig::from_env`] defaults to
    /// the keyring when one answers.
    pub secret_store: SecretPreference,
    /// More environment entries engines inherit from llmops, besides each engine's own list
    /// (`LLMOPS_ENGINE_ENV=NAME,PREFIX_*`).
    pub engine_env: Vec<String>,
    /// The home folder whose other tools' model folders are indexed (`~/.lmstudio`,
    /// `~/.ollama/models`, `~/.cache/huggingface/hub`, …): `LLMOPS_TOOLS_HOME`, else `HOME`.
    /// `None` ([`CoreConfig::new`], tests) indexes only what the hub's environment variables
    /// name (`HF_HUB_CACHE`, `OLLAMA_MODELS`, `MODELSCOPE_CACHE`, …).
    pub tools_home: Option<PathBuf>,
    /// How often the model folders are checked for changes (`LLMOPS_HUB_WATCH_SECS`).
    pub hub_watch_interval: Duration,
}

impl CoreConfig {
    pub fn new(paths: AppPaths) -> Self {
        CoreConfig {
            paths,
            llama_server: None,
            vllm: None,
            docker: None,
            max_instances: 5,
            stop_grace: Duration::from_secs(5),
            start_timeout: None,
            watchdog_interval: Duration::from_secs(5),
            sample_interval: Duration::from_secs(1),
            history_retention_days: 30,
            nvml_lib: None,
            amd_smi_lib: None,
            secret_store: SecretPreference::File,
            engine_env: Vec::new(),
            tools_home: None,
            hub_watch_interval: Duration::from_secs(30),
        }
    }

    /// Fails with a message for the user when no data folder can be found.
    pub fn from_env() -> Result<Self, String> {
        let mut config = CoreConfig::new(AppPaths::from_env()?);
        let store = std::env::var("LLMOPS_SECRET_STORE").unwrap_or_default();
        config.secret_store = SecretPreference::parse(&store).ok_or_else(|| {
            format!("LLMOPS_SECRET_STORE={store:?} is not one of auto, keyring or file")
        })?;
        let path_var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        config.llama_server = path_var("LLMOPS_LLAMA_SERVER");
        config.engine_env = std::env::var("LLMOPS_ENGINE_ENV")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        config.vllm = path_var("LLMOPS_VLLM");
        config.tools_home = path_var("LLMOPS_TOOLS_HOME").or_else(dirs::home_dir);
        config.docker = path_var("LLMOPS_DOCKER");
        config.nvml_lib = std::env::var_os("LLMOPS_NVML_LIB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        config.amd_smi_lib = std::env::var_os("LLMOPS_AMD_SMI_LIB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        if let Some(n) = std::env::var("LLMOPS_MAX_INSTANCES")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            config.max_instances = n;
        }
        if let Some(ms) = std::env::var("LLMOPS_SAMPLE_INTERVAL_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            config.sample_interval = Duration::from_millis(ms.max(100));
        }
        if let Some(secs) = std::env::var("LLMOPS_START_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            config.start_timeout = Some(Duration::from_secs(secs.max(1)));
        }
        if let Some(ms) = std::env::var("LLMOPS_STOP_GRACE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            config.stop_grace = Duration::from_millis(ms);
        }
        if let Some(secs) = std::env::var("LLMOPS_HUB_WATCH_SECS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            config.hub_watch_interval = Duration::from_secs(secs.max(1));
        }
        if let Some(days) = std::env::var("LLMOPS_HISTORY_DAYS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            config.history_retention_days = days;
        }
        Ok(config)
    }
}
