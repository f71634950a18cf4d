use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::SupervisorError;
use super::instance::{Instance, InstanceInfo, Launched};
use super::log_ring::LogLine;
use super::restart::Restarts;
use super::state::InstanceState;
use super::store::ModelDetail;
use super::{log_file, ports, process, reap, run};
use crate::config::CoreConfig;
use crate::engine::{
    apply_placement, decide_placement, engines_info, new_engine_key, resolve_binary,
    resolve_for_model, EngineInfo, EngineKind, GpuAssignment, GpuPlacement, LaunchSpec,
    PlacementInputs, ResolvedBinary, VersionCache,
};
use crate::events::{Event, EventBus};
use crate::library::{Model, ModelLibrary};
use crate::store::Store;
use crate::time::now_ms;

/// A model whose file must be local and is not there cannot start (checked now, not from the
/// model's `file_missing`, which was checked when it was read).
fn check_model_file(model: &Model) -> Result<(), SupervisorError> {
    if model.needs_local_path() && !Path::new(&model.path).exists() {
        return Err(SupervisorError::ModelFileMissing {
            path: model.path.clone(),
        });
    }
    Ok(())
}

/// The model's fixed port if it is free, else a free one.
fn choose_port(fixed: Option<u16>) -> Result<u16, SupervisorError> {
    match fixed {
        // Checked before spawning: an engine that cannot bind fails late and less clearly.
        Some(port) if !ports::is_port_free(port) => Err(SupervisorError::PortInUse { port }),
        Some(port) => Ok(port),
        None => ports::free_port().map_err(SupervisorError::NoFreePort),
    }
}

/// What a start changes of the saved model (see [`Supervisor::start_variant`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchVariant {
    pub context_size: Option<u32>,
    pub settings: crate::engine::EngineSettings,
    /// The sweep that starts it, kept with the instance for its run record.
    pub sweep_id: Option<String>,
}

/// Where the GPU readings and a model's estimated need come from, for "auto" placement and for
/// checking chosen devices. The core gives one (the monitor sits above the supervisor).
pub trait PlacementSource: Send + Sync {
    fn inputs<'a>(
        &'a self,
        model: &'a Model,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = PlacementInputs> + Send + 'a>>;
}

/// Where each start of a model is placed, published as the `resource_schedule` event.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS, schemars::JsonSchema)]
pub struct GpuSchedule {
    pub instance_id: String,
    pub model_id: String,
    pub model_name: String,
    pub assignment: GpuAssignment,
}

/// Instance log files not written for this long are deleted at startup.
const LOG_FILES_KEPT_FOR: Duration = Duration::from_secs(14 * 24 * 3600);

/// Starts, tracks and stops model instances. Cheap to clone; all clones share the instances.
#[derive(Clone)]
pub struct Supervisor {
    pub(super) shared: Arc<Shared>,
}

/// What the per-instance tasks need from the service.
pub(super) struct Shared {
    pub config: CoreConfig,
    pub library: ModelLibrary,
    pub store: Store,
    pub bus: EventBus,
    pub http: crate::lazy_client::LazyClient,
    instances: Mutex<HashMap<String, Arc<Instance>>>,
    /// Serialises starts so that the instance limit and port choice cannot race.
    start_lock: tokio::sync::Mutex<()>,
    /// Automatic restarts per model (restart policy).
    pub restarts: Restarts,
    versions: VersionCache,
    /// Installed engine builds: a model's pinned one, or the default.
    runtimes: crate::runtimes::Runtimes,
    /// GPU readings for placement; set once by the core after the monitor exists. Read at each
    /// start, written once: a plain lock, never held across an await.
    placement: std::sync::RwLock<Option<Arc<dyn PlacementSource>>>,
}

impl Shared {
    async fn llama_server(
        &self,
        model_id: Option<&str>,
    ) -> Result<ResolvedBinary, SupervisorError> {
        let configured = EngineKind::LlamaCpp.configured_binary(&self.config);
        let runtime = self
            .runtimes
            .llama_server(model_id, configured.is_some())
            .await?;
        Ok(match runtime {
            Some(path) => ResolvedBinary {
                path,
                source: "runtime",
            },
            None => resolve_binary(
                EngineKind::LlamaCpp,
                configured,
                &self.config.paths.engines_dir(),
            )?,
        })
    }

    /// Applies a transition if the state machine allows it: persists it, then makes it visible
    /// (watchers, event bus), so that whoever sees a state can also find it in history.
    /// Only the task owning the instance calls this, so read-check-write cannot race.
    pub async fn transition(&self, instance: &Instance, next: InstanceState) {
        let mut info = instance.snapshot();
        if !info.state.can_become(&next) {
            tracing::warn!(id = %info.id, from = info.state.name(), to = next.name(), "ignored invalid transition");
            return;
        }
        info.state = next;
        info.updated_at = now_ms();
        tracing::info!(id = %info.id, model = %info.model_name, state = info.state.name(), reason = info.state.reason(), "instance state");
        if let Err(err) = self.store.record_instance_state(&info).await {
            tracing::error!(id = %info.id, %err, "could not persist an instance transition");
        }
        instance.info.send_replace(info.clone());
        self.bus.publish(Event::ModelStatusUpdate(info));
    }

    /// Spawns an instance of the model (user start or automatic restart).
    pub async fn launch(self: &Arc<Self>, model_id: &str) -> Result<InstanceInfo, SupervisorError> {
        let model = self.library.get(model_id).await?;
        self.launch_model(model, None).await
    }

    /// Spawns an instance of this model as given (a saved model, or one with other settings).
    async fn launch_model(
        self: &Arc<Self>,
        model: Model,
        sweep_id: Option<String>,
    ) -> Result<InstanceInfo, SupervisorError> {
        check_model_file(&model)?;
        let (binary, binary_version) = self.engine_binary(&model).await?;
        // Serialises starts so that the instance limit and port choice cannot race; held until
        // the new instance is in the list.
        let _guard = self.start_lock.lock().await;
        let (info, spec) = self.prepare(&model, &binary, binary_version).await?;
        let argv = std::iter::once(spec.program.display().to_string())
            .chain(spec.args.iter().cloned())
            .collect();
        let schedule = info.gpus.clone().map(|assignment| GpuSchedule {
            instance_id: info.id.clone(),
            model_id: model.id.clone(),
            model_name: model.name.clone(),
            assignment,
        });
        let instance = self
            .register(&model, info, spec.api_key.clone(), argv, sweep_id)
            .await;
        if let Some(schedule) = schedule {
            tracing::info!(model = %schedule.model_name, devices = ?schedule.assignment.devices, reason = %schedule.assignment.reason.message, "GPU placement");
            self.bus.publish(Event::ResourceSchedule(schedule));
        }
        self.spawn_engine(instance, spec, &model, binary.source)
            .await
    }

    /// The engine program for a model and its version (none for a custom command): the runtime
    /// the model is pinned to, else a configured binary, else the default runtime, else the
    /// build from source or `PATH`.
    async fn engine_binary(
        &self,
        model: &Model,
    ) -> Result<(ResolvedBinary, Option<String>), SupervisorError> {
        let binary = match model.engine {
            EngineKind::LlamaCpp => self.llama_server(Some(&model.id)).await?,
            _ => resolve_for_model(
                &model.launch_target(),
                model.engine.configured_binary(&self.config),
                &self.config.paths.engines_dir(),
            )?,
        };
        let version = match model.engine {
            EngineKind::Custom => None,
            _ => self.versions.version_of(&binary.path).await,
        };
        Ok((binary, version))
    }

    /// Within the instance limit, a port and the launch: what the new instance will be.
    async fn prepare(
        &self,
        model: &Model,
        binary: &ResolvedBinary,
        binary_version: Option<String>,
    ) -> Result<(InstanceInfo, LaunchSpec), SupervisorError> {
        let running = self.active_count();
        if running >= self.config.max_instances {
            return Err(SupervisorError::TooManyInstances {
                running,
                limit: self.config.max_instances,
            });
        }
        let port = choose_port(model.port)?;
        let id = uuid::Uuid::new_v4().to_string();
        let mut spec = LaunchSpec::for_model(
            &model.launch_target(),
            binary.path.clone(),
            port,
            &id,
            dirs::home_dir().as_deref(),
            Some(
                self.config
                    .paths
                    .container_id_file(&crate::engine::container_name(&id)),
            ),
            new_engine_key(),
        );
        // Values only in the environment: the command line (`ps`) and the log show names.
        spec.env
            .extend(self.library.secret_env_values(model).await?);
        if let Some(timeout) = self.config.start_timeout {
            spec.start_timeout = timeout;
        }
        let (assignment, inputs) = self.place(model).await?;
        apply_placement(&mut spec, model.engine, &assignment, |index| {
            inputs
                .gpus
                .iter()
                .find(|g| g.index == index)
                .map(|g| g.free_bytes)
        });
        let now = now_ms();
        let info = InstanceInfo {
            id,
            model_id: model.id.clone(),
            model_name: model.name.clone(),
            served_model: spec.served_model.clone(),
            engine: model.engine,
            port,
            pid: None,
            state: InstanceState::Pending,
            base_url: format!("http://127.0.0.1:{port}/v1"),
            binary: binary.path.display().to_string(),
            binary_source: binary.source.to_string(),
            binary_version,
            context_size: model.context_size,
            gpus: Some(assignment),
            started_at: now,
            updated_at: now,
        };
        Ok((info, spec))
    }

    /// Where this start runs: the model's choice against the GPUs' free memory, less what live
    /// instances have booked and do not visibly use yet (an engine takes seconds to allocate).
    /// Called under the start lock, so two starts never book the same room.
    async fn place(
        &self,
        model: &Model,
    ) -> Result<(GpuAssignment, PlacementInputs), SupervisorError> {
        let source = self
            .placement
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut inputs = match (&model.gpus, source) {
            (GpuPlacement::All, _) | (_, None) => PlacementInputs::default(),
            (_, Some(source)) => source.inputs(model).await,
        };
        let live: Vec<(String, GpuAssignment)> = self
            .lock_instances()
            .values()
            .map(|i| i.snapshot())
            .filter(|i| !i.state.is_terminal())
            .filter_map(|i| Some((i.id, i.gpus?)))
            .collect();
        for slot in &mut inputs.gpus {
            let pending: u64 = live
                .iter()
                .filter_map(|(id, a)| {
                    let devices = a.devices.as_ref()?;
                    if !devices.contains(&slot.index) {
                        return None;
                    }
                    let share = a.need_bytes? / devices.len().max(1) as u64;
                    let visible = inputs
                        .instance_use
                        .get(&(id.clone(), slot.index))
                        .copied()
                        .unwrap_or(0);
                    Some(share.saturating_sub(visible))
                })
                .sum();
            slot.free_bytes = slot.free_bytes.saturating_sub(pending);
        }
        let assignment = decide_placement(&model.gpus, &inputs)?;
        Ok((assignment, inputs))
    }

    /// Puts a pending instance in the live list (replacing the model's finished runs there),
    /// persists it and announces it.
    async fn register(
        &self,
        model: &Model,
        info: InstanceInfo,
        engine_key: Option<String>,
        argv: Vec<String>,
        sweep_id: Option<String>,
    ) -> Arc<Instance> {
        let log_dir = self.config.paths.instance_log_dir();
        let launched = Launched {
            model: model.clone(),
            sweep_id,
        };
        let instance = Instance::new(info.clone(), &log_dir, engine_key, argv, launched);
        {
            let mut instances = self.lock_instances();
            // One model's previous finished runs stay in history (the store), not in the live list.
            instances.retain(|_, i| {
                !(i.snapshot().model_id == model.id && i.snapshot().state.is_terminal())
            });
            instances.insert(info.id.clone(), instance.clone());
        }
        if let Err(err) = self.store.record_instance_state(&info).await {
            tracing::error!(id = %info.id, %err, "could not persist a new instance");
        }
        self.bus.publish(Event::ModelStatusUpdate(info));
        instance
    }

    /// Spawns the engine and hands the instance to its owning task; a spawn that fails leaves
    /// the instance `Failed`.
    async fn spawn_engine(
        self: &Arc<Self>,
        instance: Arc<Instance>,
        spec: LaunchSpec,
        model: &Model,
        source: &'static str,
    ) -> Result<InstanceInfo, SupervisorError> {
        let (child, group) = match process::spawn(&spec, &self.config.engine_env) {
            Ok(spawned) => spawned,
            Err(source) => {
                let err = SupervisorError::SpawnFailed {
                    program: spec.program.display().to_string(),
                    source,
                };
                let failed = InstanceState::Failed {
                    reason: err.to_string(),
                    summary: Some(crate::error::CodedError::body(&err)),
                    hint: None,
                };
                self.transition(&instance, failed).await;
                return Err(err);
            }
        };
        let info = instance.snapshot();
        let pid = child.id();
        instance.info.send_modify(|i| i.pid = pid);
        if let Some(pid) = pid {
            let started = crate::platform::process_start_time(pid);
            if let Err(err) = self
                .store
                .record_instance_process(&info.id, pid, started)
                .await
            {
                tracing::error!(id = %info.id, %err, "could not persist the engine's process");
            }
        }
        tracing::info!(id = %info.id, model = %model.name, port = info.port, ?pid, binary = %info.binary, source, args = ?spec.args, "starting instance");
        self.transition(&instance, InstanceState::Starting).await;
        let info = instance.snapshot();
        tokio::spawn(run::own_instance(
            self.clone(),
            instance,
            (child, group),
            spec,
            model.restart_policy.clone(),
        ));
        Ok(info)
    }

    pub fn active_count(&self) -> usize {
        self.lock_instances()
            .values()
            .filter(|i| !i.snapshot().state.is_terminal())
            .count()
    }

    pub fn has_live_instance(&self, model_id: &str) -> bool {
        self.lock_instances().values().any(|i| {
            let info = i.snapshot();
            info.model_id == model_id && !info.state.is_terminal()
        })
    }

    pub fn lock_instances(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Instance>>> {
        self.instances.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Supervisor {
    /// Also reaps engines left running by a previous run of the app that crashed.
    pub async fn new(
        config: CoreConfig,
        library: ModelLibrary,
        store: Store,
        bus: EventBus,
        runtimes: crate::runtimes::Runtimes,
    ) -> Supervisor {
        reap::reap_survivors(&store, &config).await;
        log_file::prune(&config.paths.instance_log_dir(), LOG_FILES_KEPT_FOR);
        // Container id files of an earlier run: its containers are gone or being reaped by name.
        let _ = std::fs::remove_dir_all(config.paths.run_dir());
        if let Err(err) = std::fs::create_dir_all(config.paths.run_dir()) {
            tracing::warn!(%err, "could not create the run folder; GPU memory in containers is not attributed");
        }
        let http = crate::lazy_client::LazyClient::new(|| {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a plain HTTP client builds")
        });
        Supervisor {
            shared: Arc::new(Shared {
                config,
                library,
                store,
                bus,
                http,
                instances: Mutex::new(HashMap::new()),
                start_lock: tokio::sync::Mutex::new(()),
                restarts: Restarts::default(),
                versions: VersionCache::default(),
                runtimes,
                placement: std::sync::RwLock::new(None),
            }),
        }
    }

    /// Where GPU readings for placement come from (the core sets the monitor's).
    pub fn set_placement_source(&self, source: Arc<dyn PlacementSource>) {
        *self
            .shared
            .placement
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(source);
    }

    /// Starts an instance of the model and returns it in the Starting state; readiness is
    /// reported by a `model_status_update` event (or [`Supervisor::wait_settled`]). A start by
    /// the user resets the model's automatic restart count.
    pub async fn start(&self, model_id: &str) -> Result<InstanceInfo, SupervisorError> {
        self.shared.restarts.reset(model_id);
        self.shared.launch(model_id).await
    }

    /// Starts an instance of a saved model with other settings for this start only (a sweep's
    /// configuration); the saved model is unchanged. Such an instance is never restarted
    /// automatically: a restart would start the saved settings instead.
    pub async fn start_variant(
        &self,
        model_id: &str,
        variant: LaunchVariant,
    ) -> Result<InstanceInfo, SupervisorError> {
        let mut model = self.shared.library.get(model_id).await?;
        if let Some(context_size) = variant.context_size {
            model.context_size = context_size;
        }
        model.settings = variant.settings;
        model.restart_policy = crate::library::RestartPolicy::Never;
        self.shared.restarts.reset(model_id);
        self.shared.launch_model(model, variant.sweep_id).await
    }

    /// Stops the instance and waits until its process group is gone. Stopping a finished
    /// instance returns it unchanged.
    pub async fn stop(&self, instance_id: &str) -> Result<InstanceInfo, SupervisorError> {
        let instance = self.instance(instance_id)?;
        instance.stop.cancel();
        let patience = self.shared.config.stop_grace + Duration::from_secs(10);
        let mut watcher = instance.info.subscribe();
        let outcome = tokio::time::timeout(patience, async {
            watcher
                .wait_for(|i| i.state.is_terminal())
                .await
                .map(|info| info.clone())
        })
        .await;
        match outcome {
            Ok(Ok(info)) => Ok(info),
            Ok(Err(_)) => Ok(instance.snapshot()),
            Err(_) => Err(SupervisorError::StopTimeout {
                id: instance_id.to_string(),
                secs: patience.as_secs(),
            }),
        }
    }

    /// Stops every instance this supervisor started (used on Quit and shutdown).
    pub async fn stop_all(&self) {
        self.shared.restarts.shut_down();
        let ids: Vec<String> = self
            .lock_instances()
            .values()
            .filter(|i| !i.snapshot().state.is_terminal())
            .map(|i| i.snapshot().id)
            .collect();
        let stops = ids.iter().map(|id| self.stop(id));
        for result in futures_util::future::join_all(stops).await {
            if let Err(err) = result {
                tracing::error!(%err, "stop on shutdown failed");
            }
        }
    }

    /// Waits until the instance has left Starting (Running, or Failed/Stopped).
    pub async fn wait_settled(
        &self,
        instance_id: &str,
        within: Duration,
    ) -> Result<InstanceInfo, SupervisorError> {
        let instance = self.instance(instance_id)?;
        let mut watcher = instance.info.subscribe();
        let _ = tokio::time::timeout(within, watcher.wait_for(|i| i.state.is_settled())).await;
        Ok(instance.snapshot())
    }

    /// Each engine's binary as this machine has it (found where, which version) or the problem.
    pub async fn engines(&self) -> Vec<EngineInfo> {
        let runtime = match self.shared.llama_server(None).await {
            Ok(found) if found.source == "runtime" => Some(found.path),
            _ => None,
        };
        engines_info(&self.shared.config, &self.shared.versions, runtime).await
    }

    /// The `llama-server` a llama.cpp model runs (`None`: no model, e.g. a tool run on a file):
    /// the runtime it is pinned to, a configured binary, the default runtime, the build from
    /// source, `PATH`, in that order. Its folder holds llama.cpp's tools (llama-bench, …).
    pub async fn llama_server(
        &self,
        model_id: Option<&str>,
    ) -> Result<ResolvedBinary, SupervisorError> {
        self.shared.llama_server(model_id).await
    }

    pub fn list(&self) -> Vec<InstanceInfo> {
        let mut all: Vec<InstanceInfo> = self
            .lock_instances()
            .values()
            .map(|i| i.snapshot())
            .collect();
        all.sort_by_key(|i| i.started_at);
        all
    }

    pub fn get(&self, instance_id: &str) -> Result<InstanceInfo, SupervisorError> {
        Ok(self.instance(instance_id)?.snapshot())
    }

    /// A model with its last 20 instances and their state transitions, newest first.
    pub async fn model_detail(&self, model: Model) -> Result<ModelDetail, SupervisorError> {
        let history = self.shared.store.instances_of_model(&model.id, 20).await?;
        Ok(ModelDetail { model, history })
    }

    /// The model's instance that has not finished (pending, starting, running or stopping), if
    /// any. The one answer to "which instance serves this model": adapters and the UI ask this
    /// instead of searching the list themselves.
    pub fn live_instance(&self, model_id: &str) -> Option<InstanceInfo> {
        self.list()
            .into_iter()
            .rev()
            .find(|i| i.model_id == model_id && !i.state.is_terminal())
    }

    /// How many instances have not finished (what a quit would stop).
    pub fn live_count(&self) -> usize {
        self.list()
            .iter()
            .filter(|i| !i.state.is_terminal())
            .count()
    }

    /// The model's live instance when it is Running (ready to answer).
    pub fn running_instance(&self, model_id: &str) -> Option<InstanceInfo> {
        self.live_instance(model_id)
            .filter(|i| i.state == InstanceState::Running)
    }

    /// The model's most recent instance, live or finished (its log is still readable).
    pub fn latest_instance(&self, model_id: &str) -> Option<InstanceInfo> {
        self.list()
            .into_iter()
            .rev()
            .find(|i| i.model_id == model_id)
    }

    /// Stops the model's live instance and waits until its processes are gone. An unknown model
    /// is `model_not_found`; a known one with nothing running, `model_not_running`.
    pub async fn stop_model(&self, model_id: &str) -> Result<InstanceInfo, SupervisorError> {
        let Some(live) = self.live_instance(model_id) else {
            let model = self.shared.library.get(model_id).await?;
            return Err(SupervisorError::ModelNotRunning(model.name));
        };
        self.stop(&live.id).await
    }

    /// The key a live instance's engine requires (`Authorization: Bearer`), for the core's own
    /// requests to it. Never part of [`InstanceInfo`]: it must not reach a UI or an event.
    pub fn engine_key(&self, instance_id: &str) -> Option<String> {
        self.instance(instance_id).ok()?.engine_key.clone()
    }

    /// The command line a live instance was started with (program first), for the record of
    /// what was measured. It holds no secret (those go in the environment).
    pub fn launch_argv(&self, instance_id: &str) -> Option<Vec<String>> {
        Some(self.instance(instance_id).ok()?.argv.clone())
    }

    /// The model as a live (or recently finished) instance was launched: with the settings it
    /// really ran with, which may differ from the saved model's.
    pub fn launched_model(&self, instance_id: &str) -> Option<Model> {
        Some(self.instance(instance_id).ok()?.launched.model.clone())
    }

    /// The sweep that started a live (or recently finished) instance, if one did.
    pub fn launching_sweep(&self, instance_id: &str) -> Option<String> {
        self.instance(instance_id).ok()?.launched.sweep_id.clone()
    }

    /// Output lines with `seq >= since`, at most `limit` of the newest.
    /// For an instance of an earlier run of the app, its log file is read instead.
    pub fn logs(
        &self,
        instance_id: &str,
        since: Option<u64>,
        limit: usize,
    ) -> Result<Vec<LogLine>, SupervisorError> {
        // The id becomes part of a file path below: only a UUID may get there.
        let instance_id = valid_instance_id(instance_id)?;
        match self.instance(instance_id) {
            Ok(instance) => Ok(instance.logs.read(since, limit)),
            Err(not_live) => {
                let dir = self.shared.config.paths.instance_log_dir();
                let lines = log_file::read_tail(&dir, instance_id, limit).ok_or(not_live)?;
                Ok(lines
                    .into_iter()
                    .filter(|l| since.is_none_or(|s| l.seq >= s))
                    .collect())
            }
        }
    }

    /// The kept lines now and a receiver that changes whenever lines are added (live tailing).
    pub fn follow_logs(
        &self,
        instance_id: &str,
    ) -> Result<tokio::sync::watch::Receiver<u64>, SupervisorError> {
        Ok(self.instance(instance_id)?.logs.subscribe())
    }

    pub fn active_count(&self) -> usize {
        self.shared.active_count()
    }

    fn instance(&self, id: &str) -> Result<Arc<Instance>, SupervisorError> {
        self.lock_instances()
            .get(id)
            .cloned()
            .ok_or_else(|| SupervisorError::InstanceNotFound(id.to_string()))
    }

    fn lock_instances(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Instance>>> {
        self.shared.lock_instances()
    }
}

/// An instance id as the supervisor makes them (a UUID), or a typed error: ids reach file paths.
pub fn valid_instance_id(id: &str) -> Result<&str, SupervisorError> {
    match uuid::Uuid::parse_str(id) {
        Ok(parsed) if parsed.hyphenated().to_string() == id => Ok(id),
        _ => Err(SupervisorError::InvalidInstanceId(
            id.chars().take(80).collect(),
        )),
    }
}
