use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use std::path::Path;

use super::log_file::LogFile;
use super::log_ring::{LogRing, LogStream};
use super::state::InstanceState;
use crate::engine::EngineKind;

const LOG_LINES_KEPT: usize = 5000;

/// What the UI knows about one running (or finished) instance of a model.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct InstanceInfo {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    /// The OpenAI `model` field the engine answers to.
    pub served_model: String,
    pub engine: EngineKind,
    pub port: u16,
    pub pid: Option<u32>,
    pub state: InstanceState,
    /// OpenAI-compatible base, e.g. `http://127.0.0.1:41234/v1`.
    pub base_url: String,
    /// The engine binary that runs it.
    pub binary: String,
    /// Where the binary was found: `configured`, `cache` or `PATH`.
    pub binary_source: String,
    /// What the binary says of its version (`--version`), when it says.
    pub binary_version: Option<String>,
    /// The context size (tokens) it was started with.
    pub context_size: u32,
    /// Which GPUs it was given and why; `null` in records from before GPU placement.
    #[serde(default)]
    pub gpus: Option<crate::engine::GpuAssignment>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// The live side of an instance, shared between the service and the task that owns the process.
pub(super) struct Instance {
    pub info: watch::Sender<InstanceInfo>,
    pub logs: LogRing,
    /// The same lines on disk; `None` when the file could not be created.
    pub log_file: Option<LogFile>,
    pub stop: CancellationToken,
    /// The key the engine requires, for health checks and chat; never serialised.
    pub engine_key: Option<String>,
    /// The command line it was started with (program first). It holds no secret: keys and
    /// secret values go in the environment.
    pub argv: Vec<String>,
    /// How it was launched.
    pub launched: Launched,
}

/// The model as it was launched — its settings may differ from the saved model's (a sweep's
/// configuration, or an edit since) — and the sweep that launched it, if one did.
pub(super) struct Launched {
    pub model: crate::library::Model,
    pub sweep_id: Option<String>,
}

impl Instance {
    pub fn new(
        info: InstanceInfo,
        log_dir: &Path,
        engine_key: Option<String>,
        argv: Vec<String>,
        launched: Launched,
    ) -> Arc<Instance> {
        let log_file = LogFile::create(log_dir, &info.id)
            .inspect_err(|err| tracing::warn!(dir = %log_dir.display(), %err, "instance log file unavailable"))
            .ok();
        Arc::new(Instance {
            info: watch::channel(info).0,
            logs: LogRing::new(LOG_LINES_KEPT),
            log_file,
            stop: CancellationToken::new(),
            engine_key,
            argv,
            launched,
        })
    }

    /// Keeps an output line in memory and on disk.
    pub fn log(&self, stream: LogStream, raw: &[u8]) {
        let line = self.logs.push(stream, raw);
        if let Some(file) = &self.log_file {
            file.append(&line);
        }
    }

    pub fn flush_log(&self) {
        if let Some(file) = &self.log_file {
            file.flush();
        }
    }

    pub fn snapshot(&self) -> InstanceInfo {
        self.info.borrow().clone()
    }
}
