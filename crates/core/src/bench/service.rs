//! The benchmark service: starts one benchmark at a time, keeps its progress, saves its record
//! and publishes every change.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::environment::BenchEnvironment;
use super::error::BenchError;
use super::llama_bench::{self, HardwareSpec};
use super::request::Sender;
use super::resources::{self, Series};
use super::runner;
use super::store;
use super::types::{
    BenchTarget, Benchmark, BenchmarkKind, BenchmarkPatch, BenchmarkProgress, BenchmarkSpec,
    BenchmarkState, LevelResult,
};
use super::workload::{Prompts, Rng};
use crate::chat::ChatService;
use crate::engine::EngineKind;
use crate::error::CodedError;
use crate::events::{Event, EventBus};
use crate::gateway::Gateway;
use crate::library::ModelLibrary;
use crate::monitor::SystemMonitor;
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
    store: Store,
    bus: EventBus,
    chat: ChatService,
    gateway: Gateway,
    supervisor: Supervisor,
    library: ModelLibrary,
    monitor: SystemMonitor,
    http: crate::lazy_client::LazyClient,
    /// The benchmark running now and how to cancel it. One at a time: two would share the
    /// machine and measure each other. The lock is held only to read or replace the record,
    /// never across an await.
    running: Mutex<Option<(Benchmark, CancellationToken)>>,
    /// The running benchmark's resource readings. Held only to add a point or copy them.
    resources: Mutex<Series>,
}

impl Bench {
    /// Opens the service; benchmarks a previous run of the app left running are marked failed.
    pub async fn open(
        store: Store,
        bus: EventBus,
        chat: ChatService,
        gateway: Gateway,
        supervisor: Supervisor,
        library: ModelLibrary,
        monitor: SystemMonitor,
    ) -> Result<Bench, BenchError> {
        for id in store::running_ids(&store).await? {
            if let Some(mut benchmark) = store::load(&store, &id).await? {
                benchmark.state = BenchmarkState::Failed;
                benchmark.error = Some(BenchError::Interrupted.body());
                benchmark.ended_at = Some(now_ms());
                store::save(&store, &benchmark).await?;
            }
        }
        // Engines are mostly on loopback, where a system proxy would only get in the way.
        let http = crate::lazy_client::LazyClient::new(|| {
            reqwest::Client::builder()
                .no_proxy()
                .pool_idle_timeout(IDLE_CONNECTION)
                .connect_timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client with default TLS builds")
        });
        Ok(Bench {
            shared: Arc::new(Shared {
                store,
                bus,
                chat,
                gateway,
                supervisor,
                library,
                monitor,
                http,
                running: Mutex::new(None),
                resources: Mutex::new(Series::new()),
            }),
        })
    }

    /// Whether a load benchmark's settings can run (levels, limits, the workload), without
    /// starting it.
    pub fn check(&self, spec: &BenchmarkSpec) -> Result<(), BenchError> {
        runner::levels(spec)?;
        Prompts::new(&spec.workload, &mut Rng::new(spec.seed))?;
        Ok(())
    }

    /// Whether a benchmark is running now.
    pub fn is_running(&self) -> bool {
        self.running_record().is_some()
    }

    /// Starts a load benchmark against a running model, the gateway or an endpoint. Answers at
    /// once with the running record; progress and the result come as `benchmark_update` events.
    pub async fn start_benchmark(&self, spec: BenchmarkSpec) -> Result<Benchmark, BenchError> {
        self.check(&spec)?;
        let (sender, label, model_id, instance_id) = self.sender(&spec.target).await?;
        let mut benchmark = self.new_record(
            spec.label
                .clone()
                .unwrap_or_else(|| default_label(&label, &spec)),
            BenchmarkKind::Load(spec.clone()),
        );
        benchmark.model = Some(sender.model().to_string());
        benchmark.environment = self.environment(&spec.target, instance_id.as_deref()).await;
        benchmark.model_id = model_id;
        benchmark.instance_id = instance_id;
        let cancel = self.claim(&benchmark)?;
        self.save_claimed(&benchmark).await?;
        let this = self.clone();
        let instance_id = benchmark.instance_id.clone();
        tokio::spawn(async move {
            let report = |progress: &BenchmarkProgress| this.report(progress);
            let run = runner::run(&sender, &spec, &cancel, &report);
            let outcome = this.measured(instance_id, run).await;
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
        // llama-bench from the same build the model runs (its pinned or the default runtime).
        let server = self
            .shared
            .supervisor
            .llama_server(Some(&model.id))
            .await
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
        let mut environment = BenchEnvironment::new()
            .with_model_file(&model.path)
            .with_machine(&self.shared.monitor)
            .await;
        environment.engine = Some(model.engine.as_str().to_string());
        environment.engine_binary = Some(
            bin_dir
                .join(llama_bench::LLAMA_BENCH_BINARY)
                .display()
                .to_string(),
        );
        benchmark.environment = environment;
        let cancel = self.claim(&benchmark)?;
        self.save_claimed(&benchmark).await?;
        let this = self.clone();
        tokio::spawn(async move {
            let path = std::path::PathBuf::from(&model.path);
            let run = llama_bench::run_llama_bench(&bin_dir, &path, &spec, &cancel);
            let result = this.measured(None, run).await;
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
        let all = store::load_all(&self.shared.store).await?;
        Ok(self.listed(all))
    }

    /// The benchmarks measured against one instance (a run's), newest first, as `list` gives them.
    pub async fn list_for_instance(&self, instance_id: &str) -> Result<Vec<Benchmark>, BenchError> {
        let some = store::load_for_instance(&self.shared.store, instance_id).await?;
        Ok(self.listed(some))
    }

    /// Stored records as a list shows them: the running one as it is now, without details.
    fn listed(&self, mut records: Vec<Benchmark>) -> Vec<Benchmark> {
        let running = self.running_record();
        for benchmark in &mut records {
            if let Some(live) = running.as_ref().filter(|r| r.id == benchmark.id) {
                *benchmark = live.clone();
            }
            without_details(benchmark);
        }
        records
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

    /// Saves benchmarks as a file in `dir`, or the user's Downloads folder (else home) when
    /// `None`, and answers its path: the desktop app's export (a browser saves the text itself).
    pub async fn save_export(
        &self,
        request: super::BenchmarkExportRequest,
        dir: Option<&Path>,
    ) -> Result<String, BenchError> {
        self.export(request)
            .await?
            .save(dir)
            .map_err(BenchError::Tool)
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

    /// What a load benchmark measures on. An external endpoint's hardware is not ours: only
    /// a local target gets this machine's description.
    async fn environment(
        &self,
        target: &BenchTarget,
        instance_id: Option<&str>,
    ) -> BenchEnvironment {
        let environment = BenchEnvironment::new();
        if matches!(target, BenchTarget::Endpoint { .. }) {
            return environment;
        }
        let mut environment = environment.with_machine(&self.shared.monitor).await;
        let supervisor = &self.shared.supervisor;
        let instance =
            instance_id.and_then(|id| supervisor.list().into_iter().find(|i| i.id == id));
        if let Some(instance) = instance {
            let argv = supervisor.launch_argv(&instance.id);
            environment = environment.with_instance(&instance, argv);
            if let Ok(model) = self.shared.library.get(&instance.model_id).await {
                environment = environment.with_model_file(&model.path);
            }
        }
        environment
    }

    /// Where the requests go: (sender, what to call the target, its model, its instance).
    async fn sender(
        &self,
        target: &BenchTarget,
    ) -> Result<(Sender, String, Option<String>, Option<String>), BenchError> {
        if let BenchTarget::Instance { instance_id } = target {
            return self.instance_sender(instance_id);
        }
        let Some(chat_target) = target.chat_target() else {
            let BenchTarget::Gateway { model } = target else {
                unreachable!("only the gateway and an instance have no chat target")
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
            client: self.shared.http.client().clone(),
            upstream,
        };
        Ok((sender, label, model_id, instance_id))
    }

    /// Straight to one running instance's engine.
    fn instance_sender(
        &self,
        instance_id: &str,
    ) -> Result<(Sender, String, Option<String>, Option<String>), BenchError> {
        let supervisor = &self.shared.supervisor;
        let instance = supervisor
            .get(instance_id)
            .ok()
            .filter(|i| i.state == crate::supervisor::InstanceState::Running)
            .ok_or_else(|| {
                BenchError::invalid(format!(
                    "the instance {instance_id} is not running; start its model and try again"
                ))
            })?;
        let upstream = crate::chat::Upstream {
            api_key: supervisor.engine_key(&instance.id),
            base_url: instance.base_url.clone(),
            model: instance.served_model.clone(),
            external: false,
        };
        let sender = Sender::Http {
            client: self.shared.http.client().clone(),
            upstream,
        };
        Ok((
            sender,
            instance.model_name.clone(),
            Some(instance.model_id.clone()),
            Some(instance.id),
        ))
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
            environment: BenchEnvironment::default(),
            resources: Vec::new(),
            error: None,
            tags: Vec::new(),
            notes: String::new(),
        }
    }

    /// Runs `work` while the machine is read once a second into the running record.
    async fn measured<T>(
        &self,
        instance_id: Option<String>,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let done = CancellationToken::new();
        let this = self.clone();
        let sampler = tokio::spawn(resources::follow(
            self.shared.monitor.clone(),
            self.shared.supervisor.clone(),
            instance_id,
            done.clone(),
            move |tick, point| {
                // Held only to add the point.
                let mut series = this
                    .shared
                    .resources
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                series.push(tick, point);
            },
        ));
        let output = work.await;
        done.cancel();
        let _ = sampler.await;
        output
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
        // Held only to start the new benchmark's readings afresh.
        *self
            .shared
            .resources
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Series::new();
        self.publish(benchmark);
        Ok(token)
    }

    /// Saves a benchmark just claimed; if it cannot be saved, it does not start and the slot is
    /// free again.
    async fn save_claimed(&self, benchmark: &Benchmark) -> Result<(), BenchError> {
        let saved = store::save(&self.shared.store, benchmark).await;
        if let Err(error) = &saved {
            // Held only to free the slot.
            *self
                .shared
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = None;
            let mut failed = benchmark.clone();
            failed.state = BenchmarkState::Failed;
            failed.error = Some(error.body());
            self.publish(&failed);
        }
        saved
    }

    fn running_record(&self) -> Option<Benchmark> {
        // Held only to copy the record.
        let running = self
            .shared
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut benchmark = running.as_ref().map(|(b, _)| b.clone())?;
        drop(running);
        // Held only to copy the readings so far.
        let series = self
            .shared
            .resources
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        benchmark.resources = series.points.clone();
        Some(benchmark)
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

    /// Tells the UI, without per-request samples or resource readings (the event goes to
    /// every window; a detail view fetches them).
    fn publish(&self, benchmark: &Benchmark) {
        let mut light = benchmark.clone();
        without_details(&mut light);
        self.shared
            .bus
            .publish(Event::BenchmarkUpdate(Box::new(light)));
    }
}

/// Drops what only a benchmark's own view shows: per-request samples and resource readings.
fn without_details(benchmark: &mut Benchmark) {
    benchmark.resources = Vec::new();
    for level in &mut benchmark.results {
        level.samples = Vec::new();
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
