//! [`Core`]: every service, wired once, for an adapter to hold, and the background loop that
//! samples the machine, records history and evaluates alerts.

use std::time::{Duration, Instant};

use thiserror::Error;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::access::{AccessError, AccessService};
use crate::alerts::AlertService;
use crate::chat::ChatService;
use crate::config::CoreConfig;
use crate::error::{AppError, CodedError, ErrorKind, ErrorParams};
use crate::events::{Event, EventBus};
use crate::gateway::{Gateway, GatewayError};
use crate::history::MetricHistory;
use crate::library::{LibraryError, ModelLibrary};
use crate::library::{ModelEdited, NewModel};
use crate::monitor::{SampleContext, SystemMonitor, SystemSnapshot};
use crate::secrets::SecretStore;
use crate::store::{Store, StoreError};
use crate::supervisor::{InstanceInfo, Supervisor, SupervisorError};
use crate::time::now_ms;

const FLUSH_EVERY: Duration = Duration::from_secs(60);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Supervisor(#[from] SupervisorError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
    #[error(transparent)]
    Chat(#[from] crate::chat::ChatError),
    #[error(transparent)]
    Bench(#[from] crate::bench::BenchError),
    #[error(transparent)]
    Runs(#[from] crate::runs::RunsError),
    #[error(transparent)]
    Sweeps(#[from] crate::sweeps::SweepError),
    #[error(transparent)]
    Runtime(#[from] crate::runtimes::RuntimeError),
}

impl CodedError for CoreError {
    fn code(&self) -> &'static str {
        match self {
            CoreError::Store(e) => e.code(),
            CoreError::Library(e) => e.code(),
            CoreError::Access(e) => e.code(),
            CoreError::Supervisor(e) => e.code(),
            CoreError::Gateway(e) => e.code(),
            CoreError::Hub(e) => e.code(),
            CoreError::Chat(e) => e.code(),
            CoreError::Bench(e) => e.code(),
            CoreError::Runs(e) => e.code(),
            CoreError::Sweeps(e) => e.code(),
            CoreError::Runtime(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            CoreError::Store(e) => e.params(),
            CoreError::Library(e) => e.params(),
            CoreError::Access(e) => e.params(),
            CoreError::Supervisor(e) => e.params(),
            CoreError::Gateway(e) => e.params(),
            CoreError::Hub(e) => e.params(),
            CoreError::Chat(e) => e.params(),
            CoreError::Bench(e) => e.params(),
            CoreError::Runs(e) => e.params(),
            CoreError::Sweeps(e) => e.params(),
            CoreError::Runtime(e) => e.params(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Store(e) => e.kind(),
            CoreError::Library(e) => e.kind(),
            CoreError::Access(e) => e.kind(),
            CoreError::Supervisor(e) => e.kind(),
            CoreError::Gateway(e) => e.kind(),
            CoreError::Hub(e) => e.kind(),
            CoreError::Chat(e) => e.kind(),
            CoreError::Bench(e) => e.kind(),
            CoreError::Runs(e) => e.kind(),
            CoreError::Sweeps(e) => e.kind(),
            CoreError::Runtime(e) => e.kind(),
        }
    }
}

#[derive(Clone)]
pub struct Core {
    pub config: CoreConfig,
    pub bus: EventBus,
    pub store: Store,
    pub library: ModelLibrary,
    pub supervisor: Supervisor,
    pub monitor: SystemMonitor,
    pub history: MetricHistory,
    pub alerts: AlertService,
    pub chat: ChatService,
    pub gateway: Gateway,
    pub hub: crate::hub::Hub,
    pub bench: crate::bench::Bench,
    pub runs: crate::runs::Runs,
    pub sweeps: crate::sweeps::Sweeps,
    pub access: AccessService,
    pub secrets: SecretStore,
    pub preferences: crate::preferences::Preferences,
    pub runtimes: crate::runtimes::Runtimes,
}

impl Core {
    /// Opens the store, registers the starter model if it is cached, reaps engines a crashed
    /// previous run left behind. Call [`Core::spawn_background`] to start sampling.
    pub async fn open(config: CoreConfig) -> Result<Core, CoreError> {
        let monitor = SystemMonitor::new(&config);
        Self::open_with_monitor(config, monitor).await
    }

    /// Like [`Core::open`] with a given monitor (tests use a fake NVML library).
    pub async fn open_with_monitor(
        config: CoreConfig,
        monitor: SystemMonitor,
    ) -> Result<Core, CoreError> {
        let bus = EventBus::default();
        let store = Store::open(&config.paths.database()).await?;
        let access = AccessService::open(store.clone(), &config.paths.data_dir).await?;
        let secrets = SecretStore::open(&config.paths.data_dir, config.secret_store).await;
        let library = ModelLibrary::new(store.clone(), bus.clone(), secrets.clone());
        if let Some(starter) = library.ensure_starter(&config.paths).await? {
            tracing::info!(path = %starter.path, "starter model available");
        }
        let runtimes =
            crate::runtimes::Runtimes::open(store.clone(), bus.clone(), &config.paths).await?;
        let supervisor = Supervisor::new(
            config.clone(),
            library.clone(),
            store.clone(),
            bus.clone(),
            runtimes.clone(),
        )
        .await;
        let interval_ms = config.sample_interval.as_millis() as i64;
        let history = MetricHistory::new(store.clone(), interval_ms, config.history_retention_days);
        let alerts = AlertService::load(store.clone(), bus.clone()).await?;
        let preferences = crate::preferences::Preferences::open(&config.paths.data_dir);
        let chat = ChatService::new(
            supervisor.clone(),
            library.clone(),
            store.clone(),
            secrets.clone(),
        );
        let gateway = Gateway::new(
            config.clone(),
            supervisor.clone(),
            library.clone(),
            store.clone(),
            monitor.clone(),
            bus.clone(),
        )
        .await?;
        gateway.spawn_idle_stops();
        let hub = crate::hub::Hub::open(
            config.clone(),
            store.clone(),
            library.clone(),
            secrets.clone(),
            bus.clone(),
            runtimes.clone(),
        )
        .await?;
        hub.resume_interrupted_downloads().await;
        supervisor.set_placement_source(std::sync::Arc::new(
            crate::core_placement::MonitorPlacement {
                monitor: monitor.clone(),
                hub: hub.clone(),
            },
        ));
        let bench = crate::bench::Bench::open(
            store.clone(),
            bus.clone(),
            chat.clone(),
            gateway.clone(),
            supervisor.clone(),
            library.clone(),
            monitor.clone(),
        )
        .await?;
        let runs = crate::runs::Runs::open(
            store.clone(),
            bus.clone(),
            supervisor.clone(),
            monitor.clone(),
            gateway.clone(),
            bench.clone(),
        )
        .await?;
        let sweeps = crate::sweeps::Sweeps::open(crate::sweeps::SweepParts {
            store: store.clone(),
            bus: bus.clone(),
            supervisor: supervisor.clone(),
            library: library.clone(),
            monitor: monitor.clone(),
            hub: hub.clone(),
            bench: bench.clone(),
            runs: runs.clone(),
        })
        .await?;
        match chat.move_keys_to_secret_store().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(keys = n, "moved endpoint API keys into the secret store"),
            Err(err) => {
                tracing::error!(%err, "could not move endpoint API keys into the secret store")
            }
        }
        match chat.recover_interrupted().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                answers = n,
                "answers cut off by the previous run are kept, marked incomplete"
            ),
            Err(err) => tracing::error!(%err, "could not mark interrupted answers"),
        }
        let core = Core {
            config,
            bus,
            store,
            library,
            supervisor,
            monitor,
            history,
            alerts,
            chat,
            gateway,
            hub,
            bench,
            runs,
            sweeps,
            access,
            secrets,
            preferences,
            runtimes,
        };
        core.resume_engine_installs();
        Ok(core)
    }

    /// Adds a model and starts it, as one operation with one rollback policy: when the start is
    /// refused before an engine process exists (missing file or engine, no port, too many
    /// instances, a program that cannot be spawned), the model is removed again and the error
    /// says why, so nothing half-made is left. Once a process runs, the model stays whatever
    /// happens next: a failure then is an instance state with its log, for the user to read.
    pub async fn deploy(&self, new: NewModel) -> Result<InstanceInfo, CoreError> {
        let model = self.library.add(new).await?;
        match self.supervisor.start(&model.id).await {
            Ok(instance) => Ok(instance),
            Err(err) => {
                let spawned = self
                    .supervisor
                    .latest_instance(&model.id)
                    .is_some_and(|i| i.pid.is_some());
                if !spawned {
                    if let Err(cleanup) = self.library.remove(&model.id).await {
                        tracing::error!(%cleanup, id = %model.id, "could not roll back a deploy");
                    }
                }
                Err(err.into())
            }
        }
    }

    /// A model with the history of its instances, for its page.
    pub async fn model_detail(
        &self,
        id: &str,
    ) -> Result<crate::supervisor::ModelDetail, CoreError> {
        let model = self.library.get(id).await?;
        Ok(self.supervisor.model_detail(model).await?)
    }

    /// Edits a model. A live instance keeps running as it was started; the answer says so.
    pub async fn update_model(&self, id: &str, edit: NewModel) -> Result<ModelEdited, CoreError> {
        let model = self.library.update(id, edit).await?;
        let applies_at_next_start = self.supervisor.live_instance(id).is_some();
        Ok(ModelEdited {
            model,
            applies_at_next_start,
        })
    }

    /// Removes a model. Its live instance is stopped first, so no engine outlives its model.
    pub async fn remove_model(&self, id: &str) -> Result<(), CoreError> {
        match self.supervisor.stop_model(id).await {
            Ok(_) | Err(SupervisorError::ModelNotRunning(_)) => {}
            Err(err) => return Err(err.into()),
        }
        self.library.remove(id).await?;
        self.alerts.on_model_removed(id);
        if let Err(err) = self.chat.forget_model_defaults(id).await {
            tracing::warn!(%err, model = id, "could not drop a removed model's chat defaults");
        }
        if let Err(err) = self.gateway.forget_model(id).await {
            tracing::warn!(%err, model = id, "could not drop a removed model's gateway settings");
        }
        Ok(())
    }

    /// Samples every `sample_interval` (publishing `gpu_metrics_update`), records history,
    /// evaluates alerts, writes rollups every minute and prunes them every hour.
    pub fn spawn_background(&self) -> JoinHandle<()> {
        self.spawn_instance_alerts();
        self.hub.spawn_watch(self.config.hub_watch_interval);
        let core = self.clone();
        tokio::spawn(async move {
            // Reading back a week of rollups takes a moment with a full history: not at open.
            if let Err(err) = core.history.load_recent(now_ms()).await {
                tracing::error!(%err, "could not read metric history");
            }
            let mut ticker = tokio::time::interval(core.config.sample_interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut flushed = Instant::now();
            let mut pruned: Option<Instant> = None;
            loop {
                ticker.tick().await;
                core.sample_now().await;
                if flushed.elapsed() >= FLUSH_EVERY {
                    flushed = Instant::now();
                    if let Err(err) = core.history.flush(false).await {
                        tracing::error!(%err, "could not write metric history");
                    }
                }
                if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                    pruned = Some(Instant::now());
                    match core.history.prune(now_ms()).await {
                        Ok(0) => {}
                        Ok(rows) => tracing::info!(rows, "pruned old metric history"),
                        Err(err) => tracing::error!(%err, "could not prune metric history"),
                    }
                }
            }
        })
    }

    fn spawn_instance_alerts(&self) {
        let mut events = self.bus.subscribe();
        let alerts = self.alerts.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(Event::ModelStatusUpdate(info)) => alerts.on_instance(&info),
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Takes one sample of everything, records it and publishes it.
    pub async fn sample_now(&self) -> SystemSnapshot {
        let model_paths = self
            .library
            .list()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.path)
            .collect();
        let context = SampleContext {
            instances: self.supervisor.list(),
            model_paths,
        };
        let monitor = self.monitor.clone();
        let snapshot = tokio::task::spawn_blocking(move || monitor.sample(&context))
            .await
            .expect("sampling does not panic");
        self.history.record_snapshot(&snapshot);
        self.alerts.evaluate(&snapshot);
        self.bus.publish(Event::GpuMetricsUpdate(snapshot.clone()));
        snapshot
    }

    /// The latest sample, or a fresh one before the sampler's first tick.
    pub async fn system_snapshot(&self) -> SystemSnapshot {
        match self.monitor.latest() {
            Some(snapshot) => snapshot,
            None => self.sample_now().await,
        }
    }

    /// Whether a model file fits this machine: the hub's estimate and llama.cpp's check against
    /// the monitor's free GPU memory and RAM.
    pub async fn fit_model_file(
        &self,
        query: crate::hub::FitQuery,
    ) -> Result<crate::hub::FitReport, crate::hub::HubError> {
        let resources = self.fit_resources().await;
        let mut report = self.hub.fit(query, resources).await?;
        report.measured = self.measured_use(&report.path, &report.estimate).await;
        Ok(report)
    }

    /// What a running instance of a model using `path` really uses, against the estimate.
    async fn measured_use(
        &self,
        path: &str,
        estimate: &crate::hub::FitEstimate,
    ) -> Option<crate::hub::MeasuredUse> {
        let models = self.library.list().await.ok()?;
        let snapshot = self.system_snapshot().await;
        let instance = snapshot.instances.iter().find(|instance| {
            models
                .iter()
                .any(|model| model.id == instance.model_id && model.path == path)
        })?;
        let used = instance.rss_bytes.unwrap_or(0) + instance.gpu_memory_bytes.unwrap_or(0);
        (used > 0).then(|| crate::hub::MeasuredUse {
            model_id: instance.model_id.clone(),
            rss_bytes: instance.rss_bytes,
            gpu_memory_bytes: instance.gpu_memory_bytes,
            estimate_error: estimate.total_bytes as f64 / used as f64 - 1.0,
        })
    }

    /// The monitor's free GPU memory and RAM, for a fit.
    async fn fit_resources(&self) -> crate::hub::FitResources {
        crate::sweeps::fit_resources(&self.system_snapshot().await)
    }

    /// Ollama's OpenAI-compatible `/v1` as a chat endpoint (the one already added, if any).
    pub async fn connect_ollama_chat(&self) -> Result<crate::chat::ChatEndpoint, CoreError> {
        let status = self.hub.ollama_status().await?;
        if !status.reachable {
            return Err(crate::hub::HubError::Unreachable {
                endpoint: status.base_url,
                detail: status.problem.unwrap_or_default(),
            }
            .into());
        }
        let base_url = format!("{}/v1", status.base_url);
        let existing = self.chat.list_endpoints().await?;
        if let Some(endpoint) = existing.into_iter().find(|e| e.base_url == base_url) {
            return Ok(endpoint);
        }
        Ok(self
            .chat
            .add_endpoint(crate::chat::NewChatEndpoint {
                name: "Ollama".into(),
                base_url,
                api_key: None,
            })
            .await?)
    }

    /// Whether a hub file fits this machine, read over HTTP Range before downloading.
    pub async fn fit_hub_file(
        &self,
        query: crate::hub::HubFitQuery,
    ) -> Result<crate::hub::HubFitReport, crate::hub::HubError> {
        let resources = self.fit_resources().await;
        self.hub.fit_remote(query, resources).await
    }

    /// Prometheus exposition of the latest sample.
    pub async fn prometheus_metrics(&self) -> String {
        let snapshot = self.system_snapshot().await;
        let mut text =
            crate::prometheus::render(&snapshot, &self.supervisor.list(), &self.alerts.active());
        text.push_str(&self.gateway.metrics_text());
        text.push_str(&self.gateway.engine_metrics_text().await);
        text
    }

    /// Starts the models the desktop settings name to start with the app, one after another;
    /// each model's outcome (a removed model is `model_not_found`).
    pub async fn start_models_for_launch(
        &self,
    ) -> Vec<(String, Result<crate::supervisor::InstanceInfo, AppError>)> {
        let mut outcomes = Vec::new();
        for model_id in self.preferences.desktop_settings().start_models {
            let started = self
                .supervisor
                .start(&model_id)
                .await
                .map_err(AppError::from);
            outcomes.push((model_id, started));
        }
        outcomes
    }

    /// Stops everything this process started and writes pending history. Adapters call it on quit.
    pub async fn shutdown(&self) {
        self.sweeps.cancel_running().await;
        self.supervisor.stop_all().await;
        self.runs.close_ended().await;
        // Requests cut off by the stops above are recorded too.
        self.gateway.flush_records().await;
        if let Err(err) = self.history.flush(true).await {
            tracing::error!(%err, "could not write metric history on shutdown");
        }
    }
}
