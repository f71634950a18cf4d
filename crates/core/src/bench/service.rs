//! The benchmark service: starts one benchmark at a time, keeps its progress, saves its record
//! and publishes every change.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::error::BenchError;
use super::llama_bench::{self, HardwareSpec};
use super::request::Sender;
use super::runner;
use super::store;
use super::types::{
    BenchTarget, Benchmark, BenchmarkKind, BenchmarkPatch, BenchmarkProgress, BenchmarkSpec,
    BenchmarkState, LevelResult,
};
use super::workload::{Prompts, Rng};
use crate::chat::ChatService;
use crate::config::CoreConfig;
use crate::engine::{resolve_binary, EngineKind};
use crate::error::CodedError;
use crate::events::{Event, EventBus};
use crate::gateway::Gateway;
use crate::library::ModelLibrary;
use crate::store::Store;
use crate::supervisor::Supervisor;
use crate::time::now_ms;

/// Longest label, tag and notes kept.
const MAX_LABEL: usize = 200;
const MAX_TAGS: usize = 20;
const MAX_NOTES: usize = 10_000;
/// How long a cancel waits for the benchmark to end before answering.
const CANCEL_WAIT: Duration = Duration::from_secs(10);
/// Connections stay open this long between a level's requests.
const IDLE_CONNECTION: Duration = Duration::from_secs(30);

/// A cheap-clone handle; every clone sees the same running benchmark.
#[derive(Clone)]
pub struct Bench {
    shared: Arc<Shared>,
}

struct Shared {
    config: CoreConfig,
    store: Store,
    bus: EventBus,
    chat: ChatService,
    gateway: Gateway,
    supervisor: Supervisor,
    library: ModelLibrary,
    http: reqwest::Client,
    /// The benchmark running now and how to cancel it. One at a time: two would share the
    /// machine and measure each other. The lock is held only to read or replace the record,
    /// never across an await.
    running: Mutex<Option<(Benchmark, CancellationToken)>>,
}

impl Bench {
    /// Opens the service; benchmarks a previous run of the app left running are marked failed.
    pub async fn open(
        config: CoreConfig,
        store: Store,
        bus: EventBus,
        chat: ChatService,
        gateway: Gateway,
        supervisor: Supervisor,
        library: ModelLibrary,
    ) -> Result<Bench, BenchError> {
        for id in store::running_ids(&store).await? {
            if let Some(mut benchmark) = store::load(&store, &id).await? {
                benchmark.state = BenchmarkState::Failed;
                benchmark.error = Some(BenchError::Interrupted.body());
                benchmark.ended_at = Some(now_ms());
                store::save(&store, &benchmark).await?;
            }
        }
        let http = reqwest::Client::builder()
            .pool_idle_timeout(IDLE_CONNECTION)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client with default TLS builds");
        Ok(Bench {
            shared: Arc::new(Shared {
                config,
                store,
                bus,
                chat,
                gateway,
                supervisor,
                library,
                http,
                running: Mutex::new(None),
            }),
        })
    }

    /// Starts a load benchmark against a running model, the gateway or an endpoint. Answers at
    /// once with the running record; progress and the result come as `benchmark_update` events.
    pub async fn start_benchmark(&self, spec: BenchmarkSpec) -> Result<Benchmark, BenchError> {
        runner::levels(&spec)?;
        Prompts::new(&spec.workload, &mut Rng::new(spec.seed))?;
        let (sender, label, model_id, instance_id) = self.sender(&spec.target).await?;
        let mut benchmark = self.new_record(
            spec.label
                .clone()
                .unwrap_or_else(|| default_label(&label, &spec)),
            BenchmarkKind::Load(spec.clone()),
        );
        benchmark.model = Some(sender.model().to_string());
        benchmark.model_id = model_id;
        benchmark.instance_id = instance_id;
        let cancel = self.claim(&benchmark)?;
        store::save(&self.shared.store, &benchmark).await?;
        let this = self.clone();
        tokio::spawn(async move {
            let report = |progress: &BenchmarkProgress| this.report(progress);
            let outcome = runner::run(&sender, &spec, &cancel, &report).await;
            this.finish(load_outcome(outcome, cancel.is_cancelled()))
                .await;
        });
        Ok(benchmark)
    }

    /// Runs `llama-bench` on a llama.cpp model's file.
    pub async fn start_hardware_benchmark(
        &self,
        spec: HardwareSpec,
    ) -> Result<Benchmark, BenchError> {
        llama_bench::check(&spec)?;
        let model = self.shared.library.get(&spec.model_id).await?;
        if model.engine != EngineKind::LlamaCpp {
            return Err(BenchError::NotLlamaCpp {
                model: model.name,
                engine: model.engine.as_str().to_string(),
            });
        }
        let config = &self.shared.config;
        let server = resolve_binary(
            EngineKind::LlamaCpp,
            EngineKind::LlamaCpp.configured_binary(config),
            &config.paths.engines_dir(),
        )
        .map_err(|e| BenchError::Tool(e.to_string()))?;
        let bin_dir = server.path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut benchmark = self.new_record(
            format!(
                "{} · llama-bench pp{} tg{}",
                model.name, spec.prompt_tokens, spec.generate_tokens
            ),
            BenchmarkKind::Hardware(spec.clone()),
        );
        benchmark.model_id = Some(model.id.clone());
        benchmark.model = Some(model.name.clone());
        let cancel = self.claim(&benchmark)?;
        store::save(&self.shared.store, &benchmark).await?;
        let this = self.clone();
        tokio::spawn(async move {
            let path = std::path::PathBuf::from(&model.path);
            let result = llama_bench::run_llama_bench(&bin_dir, &path, &spec, &cancel).await;
            let outcome = match result {
                Ok(hardware) => Finished {
                    state: BenchmarkState::Completed,
                    hardware: Some(hardware),
                    ..Finished::default()
                },
                Err(BenchError::Cancelled) => Finished {
                    state: BenchmarkState::Cancelled,
                    ..Finished::default()
                },
                Err(error) => Finished::failed(error),
            };
            this.finish(outcome).await;
        });
        Ok(benchmark)
    }

    /// Every benchmark, newest first, without per-request samples (open one for those).
    pub async fn list(&self) -> Result<Vec<Benchmark>, BenchError> {
        let mut all = store::load_all(&self.shared.store).await?;
        let running = self.running_record();
        for benchmark in &mut all {
            if let Some(live) = running.as_ref().filter(|r| r.id == benchmark.id) {
                *benchmark = live.clone();
            }
            for level in &mut benchmark.results {
                level.samples = Vec::new();
            }
        }
        Ok(all)
    }

    pub async fn get(&self, id: &str) -> Result<Benchmark, BenchError> {
        if let Some(live) = self.running_record().filter(|r| r.id == id) {
            return Ok(live);
        }
        store::load(&self.shared.store, id)
            .await?
            .ok_or_else(|| BenchError::NotFound(id.to_string()))
    }

    /// Cancels a running benchmark and answers it as it ended (cancelled, with the levels it
    /// finished), once it has. A finished one is answered as it is.
    pub async fn cancel(&self, id: &str) -> Result<Benchmark, BenchError> {
        let token = {
            // Held only to read the token.
            let running = self
                .shared
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            running
                .as_ref()
                .filter(|(b, _)| b.id == id)
                .map(|(_, t)| t.clone())
        };
        if let Some(token) = token {
            token.cancel();
            // Requests in flight are dropped at once; saving the end takes a moment.
            let deadline = tokio::time::Instant::now() + CANCEL_WAIT;
            while self.running_record().is_some_and(|r| r.id == id)
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        self.get(id).await
    }

    pub async fn update(&self, id: &str, patch: BenchmarkPatch) -> Result<Benchmark, BenchError> {
        let mut benchmark = self.finished(id).await?;
        if let Some(label) = patch.label {
            let label = label.trim();
            if label.is_empty() || label.chars().count() > MAX_LABEL {
                return Err(BenchError::invalid(format!(
                    "a label needs 1 to {MAX_LABEL} characters"
                )));
            }
            benchmark.label = label.to_string();
        }
        if let Some(tags) = patch.tags {
            let mut tags: Vec<String> = tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            tags.dedup();
            if tags.len() > MAX_TAGS || tags.iter().any(|t| t.chars().count() > 40) {
                return Err(BenchError::invalid(format!(
                    "at most {MAX_TAGS} tags of at most 40 characters"
                )));
            }
            benchmark.tags = tags;
        }
        if let Some(notes) = patch.notes {
            if notes.chars().count() > MAX_NOTES {
                return Err(BenchError::invalid(format!(
                    "notes are at most {MAX_NOTES} characters"
                )));
            }
            benchmark.notes = notes;
        }
        store::save(&self.shared.store, &benchmark).await?;
        self.publish(&benchmark);
        Ok(benchmark)
    }

    /// Benchmarks as one Markdown report, CSV (a row per level) or JSON, in the order asked.
    pub async fn export(
        &self,
        request: super::BenchmarkExportRequest,
    ) -> Result<super::BenchmarkExport, BenchError> {
        if request.ids.is_empty() || request.ids.len() > 50 {
            return Err(BenchError::invalid("export 1 to 50 benchmarks".into()));
        }
        let mut benchmarks = Vec::with_capacity(request.ids.len());
        for id in &request.ids {
            benchmarks.push(self.get(id).await?);
        }
        Ok(super::report::export(&benchmarks, request.format))
    }

    pub async fn delete(&self, id: &str) -> Result<(), BenchError> {
        self.finished(id).await?;
        store::delete(&self.shared.store, id).await?;
        Ok(())
    }

    /// A benchmark that is not running (a running one cannot be changed or deleted).
    async fn finished(&self, id: &str) -> Result<Benchmark, BenchError> {
        let benchmark = self.get(id).await?;
        if benchmark.state == BenchmarkState::Running {
            return Err(BenchError::StillRunning {
                label: benchmark.label,
            });
        }
        Ok(benchmark)
    }

    /// Where the requests go: (sender, what to call the target, its model, its instance).
    async fn sender(
        &self,
        target: &BenchTarget,
    ) -> Result<(Sender, String, Option<String>, Option<String>), BenchError> {
        let Some(chat_target) = target.chat_target() else {
            let BenchTarget::Gateway { model } = target else {
                unreachable!("only the gateway has no chat target")
            };
            if model.trim().is_empty() {
                return Err(BenchError::invalid(
                    "name the gateway model to benchmark".into(),
                ));
            }
            let sender = Sender::Gateway {
                gateway: self.shared.gateway.clone(),
                model: model.clone(),
            };
            return Ok((sender, format!("/v1 · {model}"), None, None));
        };
        let (upstream, label) = self.shared.chat.upstream_for(&chat_target).await?;
        let (model_id, instance_id) = match target {
            BenchTarget::Model { model_id } => (
                Some(model_id.clone()),
                self.shared
                    .supervisor
                    .running_instance(model_id)
                    .map(|i| i.id),
            ),
            _ => (None, None),
        };
        let sender = Sender::Http {
            client: self.shared.http.clone(),
            upstream,
        };
        Ok((sender, label, model_id, instance_id))
    }

    fn new_record(&self, label: String, spec: BenchmarkKind) -> Benchmark {
        Benchmark {
            id: uuid::Uuid::new_v4().to_string(),
            label: label.chars().take(MAX_LABEL).collect(),
            state: BenchmarkState::Running,
            spec,
            instance_id: None,
            model_id: None,
            model: None,
            started_at: now_ms(),
            ended_at: None,
            progress: BenchmarkProgress::default(),
            results: Vec::new(),
            hardware: None,
            error: None,
            tags: Vec::new(),
            notes: String::new(),
        }
    }

    /// Makes `benchmark` the running one, unless another runs.
    fn claim(&self, benchmark: &Benchmark) -> Result<CancellationToken, BenchError> {
        // Held to check and set the one running benchmark together.
        let mut running = self
            .shared
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((other, _)) = running.as_ref() {
            return Err(BenchError::Busy {
                label: other.label.clone(),
            });
        }
        let token = CancellationToken::new();
        *running = Some((benchmark.clone(), token.clone()));
        drop(running);
        self.publish(benchmark);
        Ok(token)
    }

    fn running_record(&self) -> Option<Benchmark> {
        // Held only to copy the record.
        let running = self
            .shared
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        running.as_ref().map(|(b, _)| b.clone())
    }

    fn report(&self, progress: &BenchmarkProgress) {
        let benchmark = {
            // Held only to update the record's progress.
            let mut running = self
                .shared
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let Some((benchmark, _)) = running.as_mut() else {
                return;
            };
            benchmark.progress = progress.clone();
            benchmark.clone()
        };
        self.publish(&benchmark);
    }

    /// Saves the final record and frees the slot for the next benchmark.
    async fn finish(&self, finished: Finished) {
        let Some(mut benchmark) = self.running_record() else {
            return;
        };
        benchmark.state = finished.state;
        benchmark.results = finished.results;
        benchmark.hardware = finished.hardware;
        benchmark.error = finished.error;
        benchmark.ended_at = Some(now_ms());
        if let Err(error) = store::save(&self.shared.store, &benchmark).await {
            tracing::error!(%error, id = %benchmark.id, "could not save a benchmark's result");
        }
        {
            // Held only to free the slot.
            let mut running = self
                .shared
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            *running = None;
        }
        tracing::info!(id = %benchmark.id, state = benchmark.state.as_str(), "benchmark ended");
        self.publish(&benchmark);
    }

    /// Tells the UI, without per-request samples (the event goes to every window).
    fn publish(&self, benchmark: &Benchmark) {
        let mut light = benchmark.clone();
        for level in &mut light.results {
            level.samples = Vec::new();
        }
        self.shared
            .bus
            .publish(Event::BenchmarkUpdate(Box::new(light)));
    }
}

/// How a benchmark ended.
struct Finished {
    state: BenchmarkState,
    results: Vec<LevelResult>,
    hardware: Option<super::HardwareResult>,
    error: Option<crate::error::ErrorBody>,
}

impl Default for Finished {
    fn default() -> Self {
        Finished {
            state: BenchmarkState::Completed,
            results: Vec::new(),
            hardware: None,
            error: None,
        }
    }
}

impl Finished {
    fn failed(error: BenchError) -> Finished {
        Finished {
            state: BenchmarkState::Failed,
            error: Some(error.body()),
            ..Finished::default()
        }
    }
}

/// A load benchmark's end: cancelled keeps what it has; a level where every request failed
/// fails the benchmark with the first error (its figures would all be zero).
fn load_outcome(outcome: Result<Vec<LevelResult>, BenchError>, cancelled: bool) -> Finished {
    let results = match outcome {
        Ok(results) => results,
        Err(error) => return Finished::failed(error),
    };
    if cancelled {
        return Finished {
            state: BenchmarkState::Cancelled,
            results,
            ..Finished::default()
        };
    }
    let all_failed = results
        .iter()
        .find(|level| level.completed == 0 && level.failed > 0);
    if let Some(level) = all_failed {
        let first = level
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        return Finished {
            results,
            ..Finished::failed(BenchError::AllFailed(first))
        };
    }
    Finished {
        state: BenchmarkState::Completed,
        results,
        ..Finished::default()
    }
}

fn default_label(target: &str, spec: &BenchmarkSpec) -> String {
    let load = match &spec.load {
        super::types::LoadPattern::Concurrency { levels } => format!(
            "concurrency {}",
            levels
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        super::types::LoadPattern::Rate { rates, .. } => format!(
            "{} req/s",
            rates
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("{target} · {load}")
}
