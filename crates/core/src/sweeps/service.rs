//! The sweep service: one sweep at a time restarts the model once per configuration, measures
//! it with the benchmark, records each as a run, ranks them, and applies the chosen one.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::configs::{self, Values};
use super::error::SweepError;
use super::score;
use super::store;
use super::types::*;
use crate::bench::{Bench, BenchTarget, BenchmarkSpec, BenchmarkState};
use crate::engine::{EngineKind, EngineSettings};
use crate::error::CodedError;
use crate::events::{Event, EventBus};
use crate::hub::{FitQuery, FitRequest, FitResources, FitVerdict, Hub};
use crate::library::{Model, ModelLibrary, NewModel};
use crate::monitor::{GpuStatus, SystemMonitor, SystemSnapshot};
use crate::runs::Runs;
use crate::store::Store;
use crate::supervisor::{InstanceState, LaunchVariant, Supervisor, SupervisorError};
use crate::time::now_ms;

const MAX_LABEL: usize = 200;
const DEFAULT_START_TIMEOUT_S: u32 = 300;
/// How long a cancel waits for the sweep to end before answering.
const CANCEL_WAIT: Duration = Duration::from_secs(10);
/// How often a configuration's benchmark is looked at while it runs.
const POLL: Duration = Duration::from_millis(250);

/// What the service works with.
pub struct SweepParts {
    pub store: Store,
    pub bus: EventBus,
    pub supervisor: Supervisor,
    pub library: ModelLibrary,
    pub monitor: SystemMonitor,
    pub hub: Hub,
    pub bench: Bench,
    pub runs: Runs,
}

/// A cheap-clone handle; every clone sees the same running sweep.
#[derive(Clone)]
pub struct Sweeps {
    shared: Arc<Shared>,
}

struct Shared {
    parts: SweepParts,
    /// The running sweep and how to cancel it. One at a time: sweeps restart models and measure
    /// the machine. Held only to read or replace the record, never across an await.
    running: Mutex<Option<(Sweep, CancellationToken)>>,
    /// Set at shutdown: a cancelled sweep then leaves the model stopped instead of starting it
    /// again as it was.
    shutting_down: std::sync::atomic::AtomicBool,
}

/// The monitor's free GPU memory and available RAM, for a fit estimate.
pub fn fit_resources(snapshot: &SystemSnapshot) -> FitResources {
    FitResources {
        gpu_free_bytes: match &snapshot.gpu {
            GpuStatus::Available { gpus, .. } => gpus
                .iter()
                .filter_map(|gpu| gpu.memory_free_bytes)
                .collect(),
            _ => Vec::new(),
        },
        ram_available_bytes: snapshot.memory.available_bytes,
    }
}

impl Sweeps {
    /// Opens the service; a sweep a previous process of the app left running is marked failed
    /// (what it measured is kept).
    pub async fn open(parts: SweepParts) -> Result<Sweeps, SweepError> {
        for mut sweep in store::running(&parts.store).await? {
            sweep.state = SweepState::Failed;
            sweep.error = Some(SweepError::Interrupted.body());
            sweep.ended_at = Some(now_ms());
            sweep.current = None;
            for config in &mut sweep.configs {
                if matches!(
                    config.outcome,
                    ConfigOutcome::Pending | ConfigOutcome::Running
                ) {
                    config.outcome = ConfigOutcome::Cancelled;
                }
            }
            store::save(&parts.store, &sweep).await?;
        }
        Ok(Sweeps {
            shared: Arc::new(Shared {
                parts,
                running: Mutex::new(None),
                shutting_down: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    fn parts(&self) -> &SweepParts {
        &self.shared.parts
    }

    fn lock_running(&self) -> MutexGuard<'_, Option<(Sweep, CancellationToken)>> {
        self.shared
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Every sweep, newest first.
    pub async fn list(&self) -> Result<Vec<Sweep>, SweepError> {
        let mut all = store::list(&self.parts().store).await?;
        if let Some(running) = self.running_record() {
            for sweep in &mut all {
                if sweep.id == running.id {
                    *sweep = running.clone();
                }
            }
        }
        Ok(all)
    }

    pub async fn get(&self, id: &str) -> Result<Sweep, SweepError> {
        if let Some(running) = self.running_record().filter(|s| s.id == id) {
            return Ok(running);
        }
        store::load(&self.parts().store, id)
            .await?
            .ok_or_else(|| SweepError::NotFound(id.to_string()))
    }

    fn running_record(&self) -> Option<Sweep> {
        self.lock_running().as_ref().map(|(s, _)| s.clone())
    }

    /// Checks the sweep and starts it; answers at once with its record. Each configuration's
    /// progress comes as `sweep_update` events (and its benchmark's as `benchmark_update`).
    pub async fn start(&self, spec: SweepSpec) -> Result<Sweep, SweepError> {
        let model = self.parts().library.get(&spec.model_id).await?;
        let planned = configs::plan(&spec).map_err(SweepError::InvalidInput)?;
        for axis in &spec.axes {
            for value in &axis.values {
                let alone: Values = std::iter::once((
                    serde_json::to_value(axis.parameter)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    value.clone(),
                ))
                .collect();
                configs::apply(&model, &alone).map_err(SweepError::InvalidInput)?;
            }
        }
        let probe = benchmark_spec(
            &spec,
            BenchTarget::Model {
                model_id: model.id.clone(),
            },
            "check".into(),
        );
        self.parts()
            .bench
            .check(&probe)
            .map_err(|e| SweepError::InvalidInput(e.to_string()))?;
        if self.parts().bench.is_running() {
            return Err(SweepError::BenchmarkRunning);
        }
        let label = spec
            .label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| format!("{} · {} configurations", model.name, planned.len()));
        let sweep = Sweep {
            id: uuid::Uuid::new_v4().to_string(),
            label: label.chars().take(MAX_LABEL).collect(),
            model_id: model.id.clone(),
            model_name: model.name.clone(),
            engine: model.engine.as_str().to_string(),
            state: SweepState::Running,
            configs: planned
                .into_iter()
                .enumerate()
                .map(|(index, values)| pending(index as u32, values, &model))
                .collect(),
            spec,
            best: None,
            current: None,
            started_at: now_ms(),
            ended_at: None,
            error: None,
            applied_at: None,
        };
        let cancel = {
            // Held to check and set the one running sweep together.
            let mut running = self.lock_running();
            if let Some((other, _)) = running.as_ref() {
                return Err(SweepError::Busy {
                    label: other.label.clone(),
                });
            }
            let token = CancellationToken::new();
            *running = Some((sweep.clone(), token.clone()));
            token
        };
        if let Err(err) = store::save(&self.parts().store, &sweep).await {
            *self.lock_running() = None;
            return Err(err.into());
        }
        self.publish(&sweep);
        tokio::spawn(self.clone().drive(sweep.clone(), cancel));
        Ok(sweep)
    }

    /// Cancels the running sweep: its benchmark is cancelled and its instance stopped. Answers
    /// the ended record (or the running one if it takes longer than a moment).
    pub async fn cancel(&self, id: &str) -> Result<Sweep, SweepError> {
        let token = match self.lock_running().as_ref() {
            Some((sweep, token)) if sweep.id == id => Some(token.clone()),
            _ => None,
        };
        let Some(token) = token else {
            return self.get(id).await;
        };
        token.cancel();
        let deadline = Instant::now() + CANCEL_WAIT;
        while Instant::now() < deadline && self.running_record().is_some_and(|s| s.id == id) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.get(id).await
    }

    /// At shutdown: cancels the running sweep and waits for it to end.
    pub async fn cancel_running(&self) {
        self.shared
            .shutting_down
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(sweep) = self.running_record() {
            let _ = self.cancel(&sweep.id).await;
        }
    }

    pub async fn delete(&self, id: &str) -> Result<(), SweepError> {
        let sweep = self.get(id).await?;
        if sweep.state == SweepState::Running {
            return Err(SweepError::StillRunning { label: sweep.label });
        }
        store::delete(&self.parts().store, id).await?;
        Ok(())
    }

    /// Writes a configuration (the best when none is named) into the model's settings, and
    /// records the promotion with the run and benchmark that prove it.
    pub async fn apply(&self, id: &str, request: ApplySweep) -> Result<Promotion, SweepError> {
        let mut sweep = self.get(id).await?;
        if sweep.state == SweepState::Running {
            return Err(SweepError::StillRunning { label: sweep.label });
        }
        let index = request
            .config_index
            .or(sweep.best)
            .ok_or(SweepError::NothingToApply)?;
        let config = sweep.configs.get(index as usize).cloned().ok_or_else(|| {
            SweepError::InvalidInput(format!("this sweep has no configuration {index}"))
        })?;
        if config.outcome != ConfigOutcome::Completed {
            return Err(SweepError::NotApplicable {
                index,
                outcome: format!("{:?}", config.outcome).to_lowercase(),
            });
        }
        let model = self
            .parts()
            .library
            .get(&sweep.model_id)
            .await
            .map_err(|e| SweepError::ModelChanged(e.to_string()))?;
        let (settings, context_size) =
            configs::apply(&model, &config.values).map_err(SweepError::ModelChanged)?;
        let previous_settings = serde_json::to_value(&model.settings).expect("settings serialise");
        let edit = edit_of(&model, settings.clone(), context_size);
        self.parts().library.update(&model.id, edit).await?;
        let promotion = Promotion {
            id: uuid::Uuid::new_v4().to_string(),
            model_id: model.id.clone(),
            model_name: model.name.clone(),
            sweep_id: sweep.id.clone(),
            sweep_label: sweep.label.clone(),
            config_index: index,
            run_id: config.run_id.clone(),
            benchmark_id: config.benchmark_id.clone(),
            values: config.values.clone(),
            settings: serde_json::to_value(&settings).expect("settings serialise"),
            context_size,
            previous_settings,
            previous_context_size: model.context_size,
            metric: sweep.spec.objective.metric,
            objective: config.objective,
            level: config.level.clone(),
            at: now_ms(),
        };
        store::add_promotion(&self.parts().store, &promotion).await?;
        sweep.applied_at = Some(promotion.at);
        store::save(&self.parts().store, &sweep).await?;
        self.publish(&sweep);
        tracing::info!(model = %model.name, sweep = %sweep.label, index, "sweep configuration applied");
        Ok(promotion)
    }

    pub async fn promotions(&self, query: PromotionQuery) -> Result<Vec<Promotion>, SweepError> {
        Ok(store::promotions(&self.parts().store, query.model_id.as_deref()).await?)
    }

    /// The sweep as a report: Markdown, CSV, JSON or one self-contained HTML page.
    pub async fn export(
        &self,
        request: SweepExportRequest,
    ) -> Result<crate::bench::BenchmarkExport, SweepError> {
        let sweep = self.get(&request.id).await?;
        let format = request.format;
        let environment = match sweep.configs.iter().find_map(|c| c.run_id.clone()) {
            Some(run_id) => self
                .parts()
                .runs
                .get(&run_id)
                .await
                .ok()
                .map(|d| d.run.environment),
            None => None,
        };
        Ok(super::report::export(&sweep, environment.as_ref(), format))
    }

    /// [`Sweeps::export`] saved as a file in `dir`, or in Downloads (else home) when `None`;
    /// answers its path (the desktop app's export).
    pub async fn save_export(
        &self,
        request: SweepExportRequest,
        dir: Option<&std::path::Path>,
    ) -> Result<String, SweepError> {
        self.export(request)
            .await?
            .save(dir)
            .map_err(SweepError::SaveFailed)
    }

    fn publish(&self, sweep: &Sweep) {
        self.parts()
            .bus
            .publish(Event::SweepUpdate(Box::new(sweep.clone())));
    }

    /// Keeps the running record current, saves and publishes it.
    async fn update(&self, sweep: &Sweep) {
        if let Some((running, _)) = self.lock_running().as_mut() {
            *running = sweep.clone();
        }
        if let Err(err) = store::save(&self.parts().store, sweep).await {
            tracing::error!(%err, sweep = %sweep.id, "could not save a sweep");
        }
        self.publish(sweep);
    }

    /// Runs every configuration in turn, then ranks them and puts the model back as it was.
    async fn drive(self, mut sweep: Sweep, cancel: CancellationToken) {
        let supervisor = &self.parts().supervisor;
        let was_running = supervisor.live_instance(&sweep.model_id).is_some();
        stop_model(supervisor, &sweep.model_id).await;
        let deadline = sweep
            .spec
            .max_duration_s
            .map(|s| Instant::now() + Duration::from_secs(u64::from(s)));
        for index in 0..sweep.configs.len() {
            let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
            if cancel.is_cancelled() || out_of_time {
                for config in &mut sweep.configs[index..] {
                    config.outcome = ConfigOutcome::Cancelled;
                    if out_of_time {
                        config.reason = Some("the sweep's time budget ran out first".into());
                    }
                }
                break;
            }
            sweep.current = Some(index as u32);
            sweep.configs[index].outcome = ConfigOutcome::Running;
            self.update(&sweep).await;
            let mut config = sweep.configs[index].clone();
            self.measure(&sweep, &mut config, &cancel).await;
            sweep.configs[index] = config;
            self.update(&sweep).await;
        }
        sweep.best = score::rank(&sweep.spec.objective, &mut sweep.configs);
        sweep.current = None;
        sweep.state = if cancel.is_cancelled() {
            SweepState::Cancelled
        } else {
            SweepState::Completed
        };
        sweep.ended_at = Some(now_ms());
        let shutting_down = self
            .shared
            .shutting_down
            .load(std::sync::atomic::Ordering::SeqCst);
        if was_running && !shutting_down {
            if let Err(err) = supervisor.start(&sweep.model_id).await {
                tracing::warn!(%err, "could not start the model again after its sweep");
            }
        }
        if let Err(err) = store::save(&self.parts().store, &sweep).await {
            tracing::error!(%err, sweep = %sweep.id, "could not save a finished sweep");
        }
        *self.lock_running() = None;
        self.publish(&sweep);
    }

    /// One configuration: fit check, start, benchmark, stop. Whatever happens is written into
    /// `config` (a failure is a result, not an error of the sweep).
    async fn measure(&self, sweep: &Sweep, config: &mut SweepConfig, cancel: &CancellationToken) {
        let parts = self.parts();
        let started = now_ms();
        let fail =
            |config: &mut SweepConfig, reason: String, error: Option<crate::error::ErrorBody>| {
                config.outcome = ConfigOutcome::Failed;
                config.reason = Some(reason);
                config.error = error;
            };
        let model = match parts.library.get(&sweep.model_id).await {
            Ok(model) => model,
            Err(err) => return fail(config, err.to_string(), Some(err.body())),
        };
        let (settings, context_size) = match configs::apply(&model, &config.values) {
            Ok(applied) => applied,
            Err(reason) => return fail(config, reason, None),
        };
        config.settings = serde_json::to_value(&settings).expect("settings serialise");
        config.context_size = context_size;
        if sweep.spec.skip_unfit {
            if let Some((verdict, fits)) = self.fit(&model, &settings, context_size).await {
                config.fit = Some(verdict.clone());
                if !fits {
                    config.outcome = ConfigOutcome::Skipped;
                    config.reason = Some(format!("the fit estimate says it cannot fit: {verdict}"));
                    return;
                }
            }
        }
        let variant = LaunchVariant {
            context_size: Some(context_size),
            settings,
            sweep_id: Some(sweep.id.clone()),
        };
        let instance = match parts.supervisor.start_variant(&model.id, variant).await {
            Ok(instance) => instance,
            Err(err) => {
                config.run_id = parts
                    .supervisor
                    .latest_instance(&model.id)
                    .filter(|i| i.started_at >= started)
                    .map(|i| i.id);
                return fail(config, err.to_string(), Some(err.body()));
            }
        };
        config.run_id = Some(instance.id.clone());
        let timeout = Duration::from_secs(u64::from(
            sweep
                .spec
                .start_timeout_s
                .unwrap_or(DEFAULT_START_TIMEOUT_S),
        ));
        let settled = tokio::select! {
            settled = parts.supervisor.wait_settled(&instance.id, timeout) => Some(settled),
            _ = cancel.cancelled() => None,
        };
        let state = match settled {
            Some(Ok(info)) => Some(info.state),
            Some(Err(err)) => return fail(config, err.to_string(), Some(err.body())),
            None => None,
        };
        match state {
            Some(InstanceState::Running) => {
                self.benchmark(sweep, config, &instance.id, cancel).await;
            }
            Some(InstanceState::Failed {
                reason, summary, ..
            }) => fail(config, reason, summary),
            Some(_) => fail(
                config,
                format!("it did not become ready within {} s", timeout.as_secs()),
                None,
            ),
            None => {
                config.outcome = ConfigOutcome::Cancelled;
            }
        }
        if let Err(err) = parts.supervisor.stop(&instance.id).await {
            tracing::warn!(%err, "could not stop a sweep's instance");
        }
    }

    /// Benchmarks the running configuration and keeps the level that counts.
    async fn benchmark(
        &self,
        sweep: &Sweep,
        config: &mut SweepConfig,
        instance_id: &str,
        cancel: &CancellationToken,
    ) {
        let bench = &self.parts().bench;
        let label = format!("{} · configuration {}", sweep.label, config.index + 1);
        let started = match bench
            .start_benchmark(benchmark_spec(
                &sweep.spec,
                BenchTarget::Instance {
                    instance_id: instance_id.to_string(),
                },
                label,
            ))
            .await
        {
            Ok(benchmark) => benchmark,
            Err(err) => {
                config.outcome = ConfigOutcome::Failed;
                config.reason = Some(err.to_string());
                config.error = Some(err.body());
                return;
            }
        };
        config.benchmark_id = Some(started.id.clone());
        let mut cancelled = false;
        let ended = loop {
            tokio::select! {
                _ = cancel.cancelled(), if !cancelled => {
                    cancelled = true;
                    let _ = bench.cancel(&started.id).await;
                }
                _ = tokio::time::sleep(POLL) => {}
            }
            match bench.get(&started.id).await {
                Ok(b) if b.state == BenchmarkState::Running => continue,
                Ok(b) => break b,
                Err(err) => {
                    config.outcome = ConfigOutcome::Failed;
                    config.reason = Some(err.to_string());
                    return;
                }
            }
        };
        match score::choose_level(&sweep.spec.objective, &ended.results) {
            Some((level, objective, met))
                if ended.state != BenchmarkState::Failed || !ended.results.is_empty() =>
            {
                config.level = Some(level);
                config.objective = objective;
                config.meets_constraints = met;
                config.outcome = if cancelled {
                    ConfigOutcome::Cancelled
                } else {
                    ConfigOutcome::Completed
                };
            }
            _ => {
                config.outcome = if cancelled {
                    ConfigOutcome::Cancelled
                } else {
                    ConfigOutcome::Failed
                };
                config.error = ended.error.clone();
                config.reason = Some(
                    ended
                        .error
                        .map(|e| e.message)
                        .unwrap_or_else(|| "the benchmark measured nothing".into()),
                );
            }
        }
    }

    /// The fit estimate's verdict in words, and whether it fits (`None` when no estimate can be
    /// made: not a GGUF the hub indexes, or not llama.cpp).
    async fn fit(
        &self,
        model: &Model,
        settings: &EngineSettings,
        context: u32,
    ) -> Option<(String, bool)> {
        let EngineSettings::LlamaCpp(s) = settings else {
            return None;
        };
        if model.engine != EngineKind::LlamaCpp {
            return None;
        }
        let parts = self.parts();
        let snapshot = crate::bench::snapshot(&parts.monitor, &parts.supervisor).await?;
        let query = FitQuery {
            path: model.path.clone(),
            fit: Some(FitRequest {
                context_size: Some(context),
                cache_type_k: s.cache_type_k.clone(),
                cache_type_v: s.cache_type_v.clone(),
                gpu_layers: s.gpu_layers,
                parallel: s.parallel,
            }),
            engine_check: Some(false),
        };
        let report = parts
            .hub
            .fit(query, fit_resources(&snapshot))
            .await
            .inspect_err(|err| tracing::debug!(%err, "no fit estimate for a sweep configuration"))
            .ok()?;
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        let estimate = &report.estimate;
        let verdict = match estimate.verdict {
            FitVerdict::FullGpu => {
                format!("fits on the GPU ({:.2} GiB)", gib(estimate.total_bytes))
            }
            FitVerdict::PartialGpu { layers, of } => {
                format!("{layers} of {of} layers fit on the GPU")
            }
            FitVerdict::Cpu => format!("fits in RAM ({:.2} GiB)", gib(estimate.total_bytes)),
            FitVerdict::DoesNotFit => format!(
                "needs {:.2} GiB, {:.2} GiB of RAM is available",
                gib(estimate.total_bytes),
                gib(report.resources.ram_available_bytes)
            ),
        };
        Some((verdict, estimate.verdict != FitVerdict::DoesNotFit))
    }
}

/// A configuration before it runs: its values applied to the model as it is now.
fn pending(index: u32, values: Values, model: &Model) -> SweepConfig {
    let applied = configs::apply(model, &values);
    let (settings, context_size) = match &applied {
        Ok((settings, context)) => (
            serde_json::to_value(settings).expect("settings serialise"),
            *context,
        ),
        Err(_) => (
            serde_json::to_value(&model.settings).expect("settings serialise"),
            model.context_size,
        ),
    };
    SweepConfig {
        index,
        values,
        settings,
        context_size,
        outcome: ConfigOutcome::Pending,
        reason: None,
        error: None,
        fit: None,
        run_id: None,
        benchmark_id: None,
        level: None,
        objective: None,
        meets_constraints: false,
        pareto: false,
    }
}

/// The benchmark each configuration gets, against the model's instance.
fn benchmark_spec(spec: &SweepSpec, target: BenchTarget, label: String) -> BenchmarkSpec {
    let b = &spec.benchmark;
    BenchmarkSpec {
        target,
        workload: b.workload.clone(),
        load: b.load.clone(),
        requests: b.requests,
        duration_s: b.duration_s,
        warmup_requests: b.warmup_requests,
        seed: spec.seed,
        ignore_eos: b.ignore_eos,
        slo: b.slo.clone(),
        label: Some(label),
    }
}

/// The model as saved, with other engine settings and context size.
fn edit_of(model: &Model, settings: EngineSettings, context_size: u32) -> NewModel {
    NewModel {
        engine: Some(model.engine),
        context_size: Some(context_size),
        extra_args: Some(model.extra_args.clone()),
        restart_policy: Some(model.restart_policy),
        port: model.port,
        settings: Some(settings),
        secret_env: None,
        gpus: Some(model.gpus.clone()),
        ..NewModel::new(model.name.clone(), model.path.clone())
    }
}

async fn stop_model(supervisor: &Supervisor, model_id: &str) {
    match supervisor.stop_model(model_id).await {
        Ok(_) | Err(SupervisorError::ModelNotRunning(_)) => {}
        Err(err) => tracing::warn!(%err, "could not stop the model before its sweep"),
    }
}
