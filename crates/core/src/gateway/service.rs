//! [`Gateway`]: which instance answers a `/v1` request, starting, queueing and stopping models
//! as needed. The gateway decides; adapters only hand it the request and send back what it
//! returns.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Deserialize;

use super::admission::Lane;
use super::engine_metrics::{Families, MAX_ENGINE_METRICS};
use super::error::GatewayError;
use super::meter::Meter;
use super::proxy::{GatewayResponse, ObservedBody};
use super::recorder::{write_records, RecordDraft, Recorder};
use super::types::*;
use super::{names, store};
use crate::config::CoreConfig;
use crate::engine::{EngineKind, EngineSettings};
use crate::events::EventBus;
use crate::library::{Model, ModelLibrary};
use crate::monitor::{GpuStatus, SystemMonitor};
use crate::store::Store;
use crate::supervisor::{InstanceInfo, InstanceState, Supervisor};
use crate::time::now_ms;

/// Largest request body the gateway reads (long prompts and embedding batches fit).
pub const MAX_REQUEST_BODY: usize = 32 * 1024 * 1024;
/// How long a request waits for an on-demand start beyond the engine's own start timeout
/// (which fails the instance, and so the request, first).
const START_WAIT: Duration = Duration::from_secs(3600);
/// How often idle models are checked.
const IDLE_CHECK: Duration = Duration::from_millis(500);

/// A request as the adapter received it.
pub struct GatewayRequest {
    /// The path below `/v1`, e.g. `/chat/completions`.
    pub path: String,
    pub query: Option<String>,
    pub body: Bytes,
    /// The API key's name, or the client's address.
    pub client: String,
}

/// What the gateway reads of a request body; everything else passes through untouched.
#[derive(Deserialize)]
struct RequestView {
    #[serde(default)]
    model: Option<serde_json::Value>,
    #[serde(default)]
    stream: Option<bool>,
    #[serde(default)]
    keep_alive: Option<serde_json::Value>,
}

/// An instance the gateway started, and a `keep_alive` a request gave it.
struct Launched {
    model_id: String,
    keep_alive: Option<Option<Duration>>,
}

#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
}

struct Shared {
    config: CoreConfig,
    supervisor: Supervisor,
    library: ModelLibrary,
    store: Store,
    monitor: SystemMonitor,
    http: crate::lazy_client::LazyClient,
    recorder: Recorder,
    /// The model list with each model's stable name, read again when the library's generation
    /// moved (looked at on every request).
    models: Mutex<Option<Arc<Catalog>>>,
    /// Settings per model id, read once from the store.
    model_settings: Mutex<HashMap<String, GatewayModelSettings>>,
    settings: Mutex<GatewaySettings>,
    /// Admission per model id.
    lanes: Mutex<HashMap<String, Arc<Lane>>>,
    /// Per model id: held while deciding whether to start, while starting, and while the idle
    /// check stops it, so that concurrent first requests share one start and a stop never
    /// races an arriving request.
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Held while making room and starting, so two starts cannot both take the last place.
    room: tokio::sync::Mutex<()>,
    /// Instances the gateway started, by instance id.
    launched: Mutex<HashMap<String, Launched>>,
    /// Base URLs the adapter serves `/v1` on.
    addresses: Mutex<Vec<String>>,
    /// Why the adapter could not serve `/v1`.
    unavailable: Mutex<Option<String>>,
    lan: Mutex<LanReach>,
}

/// A poisoned lock only means a panic elsewhere; the maps stay usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Gateway {
    pub async fn new(
        config: CoreConfig,
        supervisor: Supervisor,
        library: ModelLibrary,
        store: Store,
        monitor: SystemMonitor,
        bus: EventBus,
    ) -> Result<Gateway, GatewayError> {
        let settings = store::settings(&store).await?;
        let (recorder, unwritten) = Recorder::new(bus.clone());
        let http = crate::lazy_client::LazyClient::new(|| {
            reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("a plain HTTP client builds")
        });
        let gateway = Gateway {
            shared: Arc::new(Shared {
                config,
                supervisor,
                library,
                store: store.clone(),
                monitor,
                http,
                recorder,
                models: Mutex::new(None),
                model_settings: Mutex::new(HashMap::new()),
                settings: Mutex::new(settings),
                lanes: Mutex::new(HashMap::new()),
                gates: Mutex::new(HashMap::new()),
                room: tokio::sync::Mutex::new(()),
                launched: Mutex::new(HashMap::new()),
                addresses: Mutex::new(Vec::new()),
                unavailable: Mutex::new(None),
                lan: Mutex::new(LanReach::default()),
            }),
        };
        let weak = Arc::downgrade(&gateway.shared);
        tokio::spawn(write_records(store, unwritten, move || {
            weak.upgrade()
                .map_or(DEFAULT_RETENTION_DAYS, |s| lock(&s.settings).retention_days)
        }));
        Ok(gateway)
    }

    /// Stops idle models the gateway started once their time is up. Call once.
    pub fn spawn_idle_stops(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.shared);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(IDLE_CHECK);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                ticker.tick().await;
                let Some(shared) = weak.upgrade() else { return };
                Gateway { shared }.stop_expired().await;
            }
        })
    }

    /// Waits until the finished requests' records are written (at most 3 s): before exit.
    pub async fn flush_records(&self) {
        self.shared.recorder.flush(Duration::from_secs(3)).await;
    }

    /// The adapter says where it serves `/v1` (shown on the dashboard).
    pub fn set_addresses(&self, addresses: Vec<String>) {
        *lock(&self.shared.addresses) = addresses;
        *lock(&self.shared.unavailable) = None;
    }

    /// Whether (and how) the adapter serves the local network.
    pub fn set_lan(&self, lan: LanReach) {
        *lock(&self.shared.lan) = lan;
    }

    /// The adapter could not serve `/v1`, and why (shown on the dashboard).
    pub fn set_unavailable(&self, why: Option<String>) {
        if why.is_some() {
            lock(&self.shared.addresses).clear();
        }
        *lock(&self.shared.unavailable) = why;
    }

    pub fn metrics_text(&self) -> String {
        let lanes: Vec<(String, u32, u32)> = {
            let catalog = lock(&self.shared.models).clone();
            lock(&self.shared.lanes)
                .iter()
                .map(|(id, lane)| {
                    let name = catalog.as_ref().map_or_else(|| id.clone(), |c| c.name(id));
                    (name, lane.waiting(), lane.in_flight())
                })
                .collect()
        };
        self.shared.recorder.metrics().render(&lanes)
    }

    /// The engines' own metrics (llama-server `--metrics`), relabelled with their models.
    pub async fn engine_metrics_text(&self) -> String {
        let mut families = Families::default();
        let catalog = self.catalog().await.ok();
        for instance in self.shared.supervisor.list() {
            if instance.state != InstanceState::Running || instance.engine != EngineKind::LlamaCpp {
                continue;
            }
            let url = format!("http://127.0.0.1:{}/metrics", instance.port);
            let mut request = self.shared.http.get(url).timeout(Duration::from_secs(1));
            if let Some(key) = self.shared.supervisor.engine_key(&instance.id) {
                request = request.bearer_auth(key);
            }
            let Ok(response) = request.send().await else {
                continue;
            };
            if !response.status().is_success() {
                continue;
            }
            let Ok(text) = crate::chat::read_capped(response, MAX_ENGINE_METRICS).await else {
                continue;
            };
            let name = catalog.as_ref().map_or_else(
                || names::stable_name(&instance.model_name, &instance.model_id),
                |c| c.name(&instance.model_id),
            );
            families.add(&text, &name, &instance.id);
        }
        families.render()
    }

    /// The models and their names, read again whenever the library changed since.
    async fn catalog(&self) -> Result<Arc<Catalog>, GatewayError> {
        let generation = self.shared.library.generation();
        if let Some(catalog) = lock(&self.shared.models).clone() {
            if catalog.generation == generation {
                return Ok(catalog);
            }
        }
        let models = self.shared.library.list().await?;
        let catalog = Arc::new(Catalog::new(models, generation));
        *lock(&self.shared.models) = Some(catalog.clone());
        Ok(catalog)
    }

    pub async fn model_settings(
        &self,
        model_id: &str,
    ) -> Result<GatewayModelSettings, GatewayError> {
        if let Some(settings) = lock(&self.shared.model_settings).get(model_id) {
            return Ok(settings.clone());
        }
        let settings = store::model_settings(&self.shared.store, model_id)
            .await?
            .unwrap_or_default();
        lock(&self.shared.model_settings).insert(model_id.to_string(), settings.clone());
        Ok(settings)
    }

    /// Changes how the gateway treats a model. Applies to the next request.
    pub async fn set_model_settings(
        &self,
        model_id: &str,
        settings: GatewayModelSettings,
    ) -> Result<GatewayModel, GatewayError> {
        let model = self.shared.library.get(model_id).await?;
        let settings = validate_model_settings(settings)?;
        let catalog = self.catalog().await?;
        for other in catalog.models.iter().filter(|m| m.id != model.id) {
            let other_settings = self.model_settings(&other.id).await?;
            let taken = candidates(other, &other_settings, &catalog.name(&other.id));
            if let Some(alias) = settings
                .aliases
                .iter()
                .find(|a| names::matches(&taken.iter().map(String::as_str).collect::<Vec<_>>(), a))
            {
                return Err(GatewayError::InvalidSettings(format!(
                    "the name {alias:?} already belongs to the model {:?}; choose another alias",
                    other.name
                )));
            }
        }
        store::set_model_settings(&self.shared.store, model_id, &settings).await?;
        lock(&self.shared.model_settings).insert(model_id.to_string(), settings.clone());
        Ok(self.describe(&model, settings, catalog.name(&model.id)))
    }

    /// Forgets a removed model's settings.
    pub async fn forget_model(&self, model_id: &str) -> Result<(), GatewayError> {
        store::forget_model(&self.shared.store, model_id).await?;
        lock(&self.shared.model_settings).remove(model_id);
        lock(&self.shared.lanes).remove(model_id);
        Ok(())
    }

    pub fn settings(&self) -> GatewaySettings {
        lock(&self.shared.settings).clone()
    }

    pub async fn set_settings(
        &self,
        settings: GatewaySettings,
    ) -> Result<GatewaySettings, GatewayError> {
        if settings.retention_days == 0 || settings.retention_days > MAX_RETENTION_DAYS {
            return Err(GatewayError::InvalidSettings(format!(
                "keep request records for 1 to {MAX_RETENTION_DAYS} days, not {}",
                settings.retention_days
            )));
        }
        store::set_settings(&self.shared.store, &settings).await?;
        *lock(&self.shared.settings) = settings.clone();
        Ok(settings)
    }

    /// Every configured model as the gateway serves it.
    pub async fn status(&self) -> Result<GatewayStatus, GatewayError> {
        let mut models = Vec::new();
        let catalog = self.catalog().await?;
        for model in &catalog.models {
            let settings = self.model_settings(&model.id).await?;
            models.push(self.describe(model, settings, catalog.name(&model.id)));
        }
        Ok(GatewayStatus {
            addresses: lock(&self.shared.addresses).clone(),
            unavailable: lock(&self.shared.unavailable).clone(),
            lan: lock(&self.shared.lan).clone(),
            models,
            settings: self.settings(),
        })
    }

    fn describe(
        &self,
        model: &Model,
        settings: GatewayModelSettings,
        stable: String,
    ) -> GatewayModel {
        let live = self.shared.supervisor.live_instance(&model.id);
        let lane = lock(&self.shared.lanes).get(&model.id).cloned();
        let launched = live
            .as_ref()
            .and_then(|i| lock(&self.shared.launched).get(&i.id).map(|l| l.keep_alive));
        let idle_stop_at = match (&live, launched, &lane) {
            (Some(i), Some(keep_alive), lane) if !settings.pinned => ttl(&settings, keep_alive)
                .map(|ttl| {
                    let last = lane.as_ref().map_or(i.updated_at, |l| l.last_used_ms());
                    last + ttl.as_millis() as i64
                }),
            _ => None,
        };
        let mut aliases = settings.aliases.clone();
        aliases.extend([model.name.clone(), model.id.clone()]);
        GatewayModel {
            name: stable,
            aliases,
            model_id: model.id.clone(),
            display_name: model.name.clone(),
            engine: model.engine,
            state: live
                .as_ref()
                .map_or("stopped", |i| i.state.name())
                .to_string(),
            instance_id: live.as_ref().map(|i| i.id.clone()),
            started_by_gateway: launched.is_some(),
            in_flight: lane.as_ref().map_or(0, |l| l.in_flight()),
            queued: lane.as_ref().map_or(0, |l| l.waiting()),
            concurrency: settings.concurrency.unwrap_or_else(|| engine_slots(model)),
            idle_stop_at,
            settings,
        }
    }

    /// `GET /v1/models`: OpenAI's list, one entry per model by its stable name, with llmops's
    /// own fields beside OpenAI's.
    pub async fn openai_models(&self) -> Result<serde_json::Value, GatewayError> {
        let status = self.status().await?;
        let data: Vec<serde_json::Value> = status
            .models
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.name,
                    "object": "model",
                    "created": 0,
                    "owned_by": "llmops",
                    "llmops": {
                        "display_name": m.display_name,
                        "aliases": m.aliases,
                        "state": m.state,
                        "engine": m.engine,
                    }
                })
            })
            .collect();
        Ok(serde_json::json!({"object": "list", "data": data}))
    }

    /// `GET /v1/models/{name}`: one model, by any of its names.
    pub async fn openai_model(&self, requested: &str) -> Result<serde_json::Value, GatewayError> {
        let (_, _, name) = self.resolve(requested).await?;
        let all = self.openai_models().await?;
        Ok(all["data"]
            .as_array()
            .and_then(|d| d.iter().find(|m| m["id"] == name.as_str()))
            .cloned()
            .unwrap_or_default())
    }

    /// The model a request names, with its settings and stable name: by stable name first,
    /// then by alias, display name or id (any case).
    async fn resolve(
        &self,
        requested: &str,
    ) -> Result<(Model, GatewayModelSettings, String), GatewayError> {
        let catalog = self.catalog().await?;
        let stable_match = catalog
            .models
            .iter()
            .find(|m| catalog.name(&m.id).eq_ignore_ascii_case(requested));
        let mut found = stable_match.cloned();
        if found.is_none() {
            for model in &catalog.models {
                let settings = self.model_settings(&model.id).await?;
                let names_of = candidates(model, &settings, &catalog.name(&model.id));
                if names::matches(
                    &names_of.iter().map(String::as_str).collect::<Vec<_>>(),
                    requested,
                ) {
                    found = Some(model.clone());
                    break;
                }
            }
        }
        match found {
            Some(model) => {
                let settings = self.model_settings(&model.id).await?;
                let name = catalog.name(&model.id);
                Ok((model, settings, name))
            }
            None => Err(GatewayError::UnknownModel {
                requested: requested.chars().take(200).collect(),
                known: catalog.models.iter().map(|m| catalog.name(&m.id)).collect(),
            }),
        }
    }

    fn lane(&self, model: &Model, settings: &GatewayModelSettings) -> Arc<Lane> {
        let concurrency = settings
            .concurrency
            .unwrap_or_else(|| engine_slots(model))
            .max(1);
        let mut lanes = lock(&self.shared.lanes);
        match lanes.get(&model.id) {
            Some(lane) if lane.concurrency == concurrency => lane.clone(),
            // A changed limit takes a new lane; requests in the old one finish there.
            _ => {
                let lane = Lane::new(concurrency);
                lanes.insert(model.id.clone(), lane.clone());
                lane
            }
        }
    }

    fn gate(&self, model_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.shared.gates)
            .entry(model_id.to_string())
            .or_default()
            .clone()
    }

    /// Routes one request: resolves its model, starts it if needed, waits for a slot, and
    /// returns the engine's answer as it streams. Every request is recorded, refused ones too.
    pub async fn forward(&self, request: GatewayRequest) -> Result<GatewayResponse, GatewayError> {
        let received = Instant::now();
        let mut draft =
            RecordDraft::new(self.shared.recorder.clone(), &request.path, &request.client);
        match self.forward_recorded(request, received, &mut draft).await {
            Ok(response) => Ok(response),
            Err(err) => {
                draft.take().reject(&err);
                Err(err)
            }
        }
    }

    async fn forward_recorded(
        &self,
        request: GatewayRequest,
        received: Instant,
        draft: &mut RecordDraft,
    ) -> Result<GatewayResponse, GatewayError> {
        check_path(&request.path)?;
        let view = read_request(&request.body)?;
        let requested = match view.model {
            Some(serde_json::Value::String(name)) if !name.trim().is_empty() => name,
            _ => return Err(GatewayError::MissingModel),
        };
        draft.record().model = requested.chars().take(200).collect();
        draft.record().streamed = view.stream.unwrap_or(false);
        let (model, settings, stable) = self.resolve(&requested).await?;
        draft.record().model_id = Some(model.id.clone());
        draft.record().model_name = Some(stable);
        if settings.log_bodies {
            draft.log_request_body(&request.body);
        }
        let lane = self.lane(&model, &settings);
        // Counted as waiting from here, so the idle check never stops the model under it.
        let arrival = lane.admit_later();
        let instance = self.ensure_running(&model).await?;
        draft.record().start_wait_ms = Some(ms_since(received));
        draft.record().instance_id = Some(instance.id.clone());
        if let Some(keep_alive) = view.keep_alive.as_ref().and_then(names::keep_alive) {
            if let Some(launched) = lock(&self.shared.launched).get_mut(&instance.id) {
                launched.keep_alive = Some(keep_alive);
            }
        }
        draft.announce();
        let queued_at = Instant::now();
        let lease =
            lane.admit(settings.queue_limit)
                .await
                .map_err(|full| GatewayError::QueueFull {
                    model: model.name.clone(),
                    queued: full.queued,
                    retry_after_secs: 2,
                })?;
        drop(arrival);
        draft.record().queue_ms = Some(ms_since(queued_at));
        // The user may have stopped it while this request waited.
        let instance = self
            .shared
            .supervisor
            .running_instance(&model.id)
            .ok_or_else(|| GatewayError::Stopped {
                model: model.name.clone(),
            })?;
        let body = upstream_body(&model, &instance, &requested, request.body);
        let mut url = format!("{}{}", instance.base_url, request.path);
        if let Some(query) = request.query.filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(&query);
        }
        let mut upstream = self
            .shared
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(key) = self.shared.supervisor.engine_key(&instance.id) {
            upstream = upstream.bearer_auth(key);
        }
        let response = send_once_more_on_a_closed_connection(upstream)
            .await
            .map_err(|err| GatewayError::EngineUnreachable {
                model: model.name.clone(),
                detail: error_chain(&err.without_url()),
            })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let sse = content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("text/event-stream"));
        draft.record().status = status;
        draft.record().streamed = sse;
        let meter = Meter::new(received, sse, settings.log_bodies);
        let body = ObservedBody::new(
            Box::pin(response.bytes_stream()),
            meter,
            draft.take(),
            status,
            sse,
            model.name.clone(),
            lease,
        );
        Ok(GatewayResponse {
            status,
            content_type,
            body,
        })
    }

    /// The model's Running instance, started (once, however many requests wait) if needed.
    async fn ensure_running(&self, model: &Model) -> Result<InstanceInfo, GatewayError> {
        let gate = self.gate(&model.id);
        let _one_start = gate.lock().await;
        let supervisor = &self.shared.supervisor;
        let starting = match supervisor.live_instance(&model.id) {
            Some(live) if live.state == InstanceState::Running => return Ok(live),
            Some(live) if !live.state.is_settled() => live,
            Some(stopping) => {
                // Stopping: let it finish, then start anew.
                let _ = supervisor.stop(&stopping.id).await;
                self.start(model).await?
            }
            None => self.start(model).await?,
        };
        let settled = supervisor
            .wait_settled(&starting.id, START_WAIT)
            .await
            .map_err(|_| GatewayError::Stopped {
                model: model.name.clone(),
            })?;
        match settled.state {
            InstanceState::Running => Ok(settled),
            InstanceState::Failed { reason, .. } => Err(GatewayError::StartFailed {
                model: model.name.clone(),
                reason,
            }),
            InstanceState::Pending | InstanceState::Starting => Err(GatewayError::StartTimeout {
                model: model.name.clone(),
                secs: START_WAIT.as_secs(),
            }),
            InstanceState::Stopping | InstanceState::Stopped => Err(GatewayError::Stopped {
                model: model.name.clone(),
            }),
        }
    }

    async fn start(&self, model: &Model) -> Result<InstanceInfo, GatewayError> {
        let _room = self.shared.room.lock().await;
        self.make_room(model).await?;
        let info = self
            .shared
            .supervisor
            .start(&model.id)
            .await
            .map_err(|err| match err {
                crate::supervisor::SupervisorError::TooManyInstances { running, limit } => {
                    GatewayError::NoRoom {
                        model: model.name.clone(),
                        reason: format!("{running} of {limit} instances run"),
                    }
                }
                other => GatewayError::StartFailed {
                    model: model.name.clone(),
                    reason: other.to_string(),
                },
            })?;
        tracing::info!(model = %model.name, instance = %info.id, "gateway starts a model on demand");
        lock(&self.shared.launched).insert(
            info.id.clone(),
            Launched {
                model_id: model.id.clone(),
                keep_alive: None,
            },
        );
        Ok(info)
    }

    /// Stops least recently used idle models the gateway started until `model` fits within
    /// the instance limit and the free GPU memory; never one answering, waiting, pinned, started
    /// by the user, or of `model`'s group.
    async fn make_room(&self, model: &Model) -> Result<(), GatewayError> {
        let mut freed_gpu: u64 = 0;
        loop {
            let supervisor = &self.shared.supervisor;
            let limit = self.shared.config.max_instances;
            let active = supervisor.active_count();
            let gpu_short = self.gpu_shortfall(model, freed_gpu);
            if active < limit && gpu_short.is_none() {
                return Ok(());
            }
            let why = match gpu_short {
                Some((needed, free)) if active < limit => format!(
                    "it needs about {:.1} GiB of GPU memory and {:.1} GiB are free",
                    gib(needed),
                    gib(free)
                ),
                _ => format!("{active} of {limit} instances run (the limit, LLMOPS_MAX_INSTANCES)"),
            };
            let Some((victim, gate)) = self.eviction_candidate(model).await? else {
                return Err(GatewayError::NoRoom {
                    model: model.name.clone(),
                    reason: format!(
                        "{why}, and every running model is busy, pinned, in its group or was started by hand. Stop one, or raise the limit"
                    ),
                });
            };
            // The victim's gate is held until it is gone, so no request starts using it.
            let _victim_gate = gate;
            tracing::info!(stopped = %victim.model_name, for_model = %model.name, reason = %why, "gateway stops an idle model to make room");
            freed_gpu += self.instance_gpu_bytes(&victim.id);
            lock(&self.shared.launched).remove(&victim.id);
            let _ = supervisor.stop(&victim.id).await;
        }
    }

    async fn eviction_candidate(
        &self,
        model: &Model,
    ) -> Result<Option<(InstanceInfo, tokio::sync::OwnedMutexGuard<()>)>, GatewayError> {
        let group = self.model_settings(&model.id).await?.group;
        let launched: Vec<(String, String)> = lock(&self.shared.launched)
            .iter()
            .map(|(id, l)| (id.clone(), l.model_id.clone()))
            .collect();
        let mut best: Option<(i64, InstanceInfo, tokio::sync::OwnedMutexGuard<()>)> = None;
        for (instance_id, model_id) in launched {
            let Ok(info) = self.shared.supervisor.get(&instance_id) else {
                continue;
            };
            if info.state.is_terminal() || model_id == model.id {
                continue;
            }
            let settings = self.model_settings(&model_id).await?;
            if settings.pinned || (group.is_some() && settings.group == group) {
                continue;
            }
            let lane = lock(&self.shared.lanes).get(&model_id).cloned();
            if lane.as_ref().is_some_and(|l| !l.is_idle()) {
                continue;
            }
            let Ok(gate) = self.gate(&model_id).try_lock_owned() else {
                continue;
            };
            let last = lane.map_or(info.updated_at, |l| l.last_used_ms());
            if best.as_ref().is_none_or(|(at, _, _)| last < *at) {
                best = Some((last, info, gate));
            }
        }
        Ok(best.map(|(_, info, gate)| (info, gate)))
    }

    /// (needed, free) bytes when the model would not fit in the GPUs' free memory. Only for
    /// models whose size is known and that use a GPU, on a machine where NVML answered.
    fn gpu_shortfall(&self, model: &Model, freed: u64) -> Option<(u64, u64)> {
        let snapshot = self.shared.monitor.latest()?;
        let GpuStatus::Available { gpus, .. } = &snapshot.gpu else {
            return None;
        };
        if gpus.is_empty() {
            return None;
        }
        let uses_gpu = match &model.settings {
            EngineSettings::LlamaCpp(s) => s.gpu_layers != Some(0),
            _ => false,
        };
        if !uses_gpu {
            return None;
        }
        let size = std::fs::metadata(&model.path).ok()?.len();
        // Weights plus a tenth for the KV cache and buffers: an estimate, on the safe side of none.
        let needed = size + size / 10;
        let free: u64 = gpus.iter().filter_map(|g| g.memory_free_bytes).sum::<u64>() + freed;
        (needed > free).then_some((needed, free))
    }

    fn instance_gpu_bytes(&self, instance_id: &str) -> u64 {
        self.shared
            .monitor
            .latest()
            .and_then(|s| {
                s.instances
                    .iter()
                    .find(|i| i.instance_id == instance_id)
                    .and_then(|i| i.gpu_memory_bytes)
            })
            .unwrap_or(0)
    }

    /// One pass of the idle check.
    async fn stop_expired(&self) {
        let launched: Vec<(String, String, Option<Option<Duration>>)> = lock(&self.shared.launched)
            .iter()
            .map(|(id, l)| (id.clone(), l.model_id.clone(), l.keep_alive))
            .collect();
        for (instance_id, model_id, keep_alive) in launched {
            let info = match self.shared.supervisor.get(&instance_id) {
                Ok(info) if !info.state.is_terminal() => info,
                _ => {
                    lock(&self.shared.launched).remove(&instance_id);
                    continue;
                }
            };
            if info.state != InstanceState::Running {
                continue;
            }
            let Ok(settings) = self.model_settings(&model_id).await else {
                continue;
            };
            let Some(ttl) = ttl(&settings, keep_alive).filter(|_| !settings.pinned) else {
                continue;
            };
            let lane = lock(&self.shared.lanes).get(&model_id).cloned();
            let last = lane.as_ref().map_or(info.updated_at, |l| l.last_used_ms());
            if lane.as_ref().is_some_and(|l| !l.is_idle())
                || now_ms() - last < ttl.as_millis() as i64
            {
                continue;
            }
            // Under the model's gate: a request arriving now waits, then starts it again.
            let Ok(gate) = self.gate(&model_id).try_lock_owned() else {
                continue;
            };
            if lane.as_ref().is_some_and(|l| !l.is_idle()) {
                continue;
            }
            lock(&self.shared.launched).remove(&instance_id);
            tracing::info!(model = %info.model_name, idle_secs = ttl.as_secs(), "gateway stops an idle model");
            let supervisor = self.shared.supervisor.clone();
            tokio::spawn(async move {
                let _gate = gate;
                if let Err(err) = supervisor.stop(&instance_id).await {
                    tracing::warn!(%err, "could not stop an idle model");
                }
            });
        }
    }

    /// Requests being answered now, then finished ones from the store, newest first.
    pub async fn requests(&self, query: RequestQuery) -> Result<Vec<RequestRecord>, GatewayError> {
        let limit = query.limit.unwrap_or(100).clamp(1, 1000);
        let mut list = Vec::new();
        if query.before.is_none()
            && query
                .outcome
                .is_none_or(|o| o == RequestOutcome::InProgress)
        {
            list.extend(self.shared.recorder.live().into_iter().filter(|r| {
                query.model.as_ref().is_none_or(|m| {
                    &r.model == m
                        || r.model_id.as_ref() == Some(m)
                        || r.model_name.as_ref() == Some(m)
                })
            }));
        }
        if query.outcome != Some(RequestOutcome::InProgress) {
            let stored = store::records(&self.shared.store, &query, limit).await?;
            list.extend(stored);
        }
        list.truncate(limit as usize);
        Ok(list)
    }

    /// The request figures of one instance (a run) between two times.
    pub async fn instance_stats(
        &self,
        model_id: &str,
        instance_id: &str,
        span: (i64, i64),
    ) -> Result<InstanceRequestStats, GatewayError> {
        const READ_AT_MOST: u32 = 100_000;
        let records = store::instance_records(
            &self.shared.store,
            model_id,
            instance_id,
            span,
            READ_AT_MOST,
        )
        .await?;
        let mut stats = instance_stats(&records);
        stats.truncated = records.len() as u32 == READ_AT_MOST;
        Ok(stats)
    }

    /// Per-model TTFT and decode speed over time, for the charts.
    pub async fn request_series(
        &self,
        query: RequestSeriesQuery,
    ) -> Result<RequestSeries, GatewayError> {
        let minutes = query.minutes.unwrap_or(60).clamp(1, 7 * 24 * 60);
        let bucket_ms = series_bucket_ms(minutes);
        let since = now_ms() - i64::from(minutes) * 60_000;
        let records = store::records_since(&self.shared.store, since, 200_000).await?;
        Ok(RequestSeries {
            bucket_ms,
            points: series_points(&records, bucket_ms),
        })
    }
}

/// Counts, tokens and latency percentiles of finished request records.
fn instance_stats(records: &[RequestRecord]) -> InstanceRequestStats {
    let mut stats = InstanceRequestStats::default();
    let (mut ttft, mut e2el, mut tpot) = (Vec::new(), Vec::new(), Vec::new());
    for record in records {
        stats.requests += 1;
        match record.outcome {
            RequestOutcome::Ok => stats.succeeded += 1,
            RequestOutcome::ClientClosed => stats.client_closed += 1,
            RequestOutcome::InProgress => {}
            _ => stats.failed += 1,
        }
        stats.prompt_tokens += u64::from(record.prompt_tokens.unwrap_or(0));
        stats.completion_tokens += u64::from(record.completion_tokens.unwrap_or(0));
        if record.outcome == RequestOutcome::Ok {
            ttft.extend(record.ttft_ms);
            e2el.extend(record.e2el_ms);
            tpot.extend(record.tpot_ms);
        }
    }
    for values in [&mut ttft, &mut e2el, &mut tpot] {
        values.sort_by(f64::total_cmp);
    }
    stats.ttft_p50_ms = super::meter::percentile(&ttft, 0.5);
    stats.ttft_p95_ms = super::meter::percentile(&ttft, 0.95);
    stats.e2el_p50_ms = super::meter::percentile(&e2el, 0.5);
    stats.e2el_p95_ms = super::meter::percentile(&e2el, 0.95);
    stats.tpot_p50_ms = super::meter::percentile(&tpot, 0.5);
    stats
}

/// The configured models, each with a stable name unique among them: two models whose names
/// read the same (`Qwen 7B`, `qwen-7b`) are `qwen-7b` and `qwen-7b-2`, in the order they were added.
pub(super) struct Catalog {
    models: Vec<Model>,
    names: HashMap<String, String>,
    /// The library's generation this was read at.
    generation: u64,
}

impl Catalog {
    fn new(models: Vec<Model>, generation: u64) -> Catalog {
        let mut ordered: Vec<&Model> = models.iter().collect();
        ordered.sort_by_key(|m| m.created_at);
        let mut taken = std::collections::HashSet::new();
        let mut names = HashMap::new();
        for model in ordered {
            let base = names::stable_name(&model.name, &model.id);
            let name = (1..)
                .map(|n| {
                    if n == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    }
                })
                .find(|candidate| taken.insert(candidate.clone()))
                .expect("some suffix is free");
            names.insert(model.id.clone(), name);
        }
        Catalog {
            models,
            names,
            generation,
        }
    }

    /// The model's stable name (its id when it is not in the catalog).
    fn name(&self, model_id: &str) -> String {
        self.names
            .get(model_id)
            .cloned()
            .unwrap_or_else(|| model_id.to_string())
    }
}

/// About 60 buckets over the span, on whole minutes.
fn series_bucket_ms(minutes: u32) -> i64 {
    i64::from(minutes.div_ceil(60).max(1)) * 60_000
}

fn series_points(records: &[RequestRecord], bucket_ms: i64) -> Vec<RequestSeriesPoint> {
    let mut buckets: std::collections::BTreeMap<(i64, &str), Vec<&RequestRecord>> =
        Default::default();
    for record in records {
        let at = record.received_at - record.received_at.rem_euclid(bucket_ms);
        let model = record.model_name.as_deref().unwrap_or(&record.model);
        buckets.entry((at, model)).or_default().push(record);
    }
    buckets
        .into_iter()
        .map(|((at, model), records)| {
            let median = |values: Vec<f64>| {
                let mut values = values;
                values.sort_by(f64::total_cmp);
                super::meter::percentile(&values, 0.5)
            };
            let ttft = median(records.iter().filter_map(|r| r.ttft_ms).collect());
            let tpot = median(records.iter().filter_map(|r| r.tpot_ms).collect());
            RequestSeriesPoint {
                at,
                model: model.to_string(),
                requests: records.len() as u32,
                errors: records
                    .iter()
                    .filter(|r| {
                        !matches!(r.outcome, RequestOutcome::Ok | RequestOutcome::InProgress)
                    })
                    .count() as u32,
                ttft_p50_ms: ttft,
                tokens_per_second: tpot.filter(|t| *t > 0.0).map(|t| 1000.0 / t),
            }
        })
        .collect()
}

/// The names a model answers to, its stable name first.
fn candidates(model: &Model, settings: &GatewayModelSettings, stable: &str) -> Vec<String> {
    let mut names = vec![stable.to_string()];
    names.extend(settings.aliases.iter().cloned());
    names.push(model.name.clone());
    names.push(model.id.clone());
    names
}

/// The engine's parallel slots: what a model answers at once by default.
fn engine_slots(model: &Model) -> u32 {
    match &model.settings {
        EngineSettings::LlamaCpp(s) => s.parallel.unwrap_or(4),
        EngineSettings::Vllm(_) | EngineSettings::VllmDocker(_) => 256,
        EngineSettings::Custom(_) => 8,
    }
}

/// The idle time after which a gateway-started instance stops: a request's `keep_alive` wins
/// over the model's setting; `None` = never.
fn ttl(settings: &GatewayModelSettings, keep_alive: Option<Option<Duration>>) -> Option<Duration> {
    match keep_alive {
        Some(keep) => keep,
        None => (settings.idle_ttl_secs > 0)
            .then(|| Duration::from_secs(u64::from(settings.idle_ttl_secs))),
    }
}

fn validate_model_settings(
    mut settings: GatewayModelSettings,
) -> Result<GatewayModelSettings, GatewayError> {
    let invalid = |m: String| Err(GatewayError::InvalidSettings(m));
    if settings.aliases.len() > MAX_ALIASES {
        return invalid(format!("a model may have at most {MAX_ALIASES} aliases"));
    }
    for alias in &mut settings.aliases {
        *alias = alias.trim().to_string();
        if alias.is_empty() || alias.len() > MAX_ALIAS_LEN || alias.chars().any(char::is_control) {
            return invalid(format!(
                "an alias must be 1 to {MAX_ALIAS_LEN} characters without control characters"
            ));
        }
    }
    if settings
        .concurrency
        .is_some_and(|c| c == 0 || c > MAX_CONCURRENCY)
    {
        return invalid(format!("concurrency must be 1 to {MAX_CONCURRENCY}"));
    }
    if settings.queue_limit > MAX_QUEUE_LIMIT {
        return invalid(format!("the queue limit must be at most {MAX_QUEUE_LIMIT}"));
    }
    settings.group = settings
        .group
        .map(|g| g.trim().chars().take(64).collect::<String>())
        .filter(|g| !g.is_empty());
    Ok(settings)
}

/// Paths below `/v1` that are passed on: plain segments only.
fn check_path(path: &str) -> Result<(), GatewayError> {
    let plain = path.starts_with('/')
        && path.len() <= 256
        && !path.contains("..")
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c));
    if plain {
        Ok(())
    } else {
        Err(GatewayError::UnknownPath {
            path: path.chars().take(100).collect(),
        })
    }
}

fn read_request(body: &[u8]) -> Result<RequestView, GatewayError> {
    let starts_as_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_as_object {
        return Err(GatewayError::InvalidBody(
            "it does not start with '{'".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| GatewayError::InvalidBody(e.to_string()))
}

/// The body as the engine gets it: unchanged, except that engines which check the model name
/// (vLLM, custom servers) get the name they serve instead of an alias.
fn upstream_body(model: &Model, instance: &InstanceInfo, requested: &str, body: Bytes) -> Bytes {
    let checks_name = !matches!(model.engine, EngineKind::LlamaCpp);
    if !checks_name || requested == instance.served_model {
        return body;
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body) {
        Ok(mut object) => {
            object.insert(
                "model".into(),
                serde_json::Value::String(instance.served_model.clone()),
            );
            Bytes::from(serde_json::to_vec(&object).expect("JSON serialises"))
        }
        Err(_) => body,
    }
}

/// Sends the request; when a kept-alive connection turns out closed by the engine before any
/// answer (llama-server's HTTP library closes connections after a number of requests), sends it
/// once more on a new connection. Nothing was answered, so nothing is repeated twice.
pub async fn send_once_more_on_a_closed_connection(
    request: reqwest::RequestBuilder,
) -> reqwest::Result<reqwest::Response> {
    let again = request.try_clone();
    match request.send().await {
        Err(err) if !err.is_timeout() && !err.is_connect() => match again {
            Some(again) => {
                tracing::debug!(err = %error_chain(&err), "engine connection closed; sending again");
                again.send().await
            }
            None => Err(err),
        },
        other => other,
    }
}

/// An error with its causes ("error sending request: connection closed before …").
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn ms_since(at: Instant) -> f64 {
    at.elapsed().as_secs_f64() * 1000.0
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_pass() {
        for ok in [
            "/chat/completions",
            "/completions",
            "/embeddings",
            "/responses",
            "/messages",
        ] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/../health",
            "chat",
            "/a//b",
            "/slots?x",
            "/a b",
            "/%2e%2e/x",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_body_must_be_a_json_object() {
        assert!(read_request(b"[1]").is_err());
        assert!(read_request(b"{\"model\":").is_err());
        let view = read_request(b" {\"model\":\"m\",\"stream\":true,\"messages\":[]}").unwrap();
        assert_eq!(view.model, Some(serde_json::json!("m")));
        assert_eq!(view.stream, Some(true));
    }

    #[test]
    fn settings_are_checked() {
        let base = GatewayModelSettings::default;
        assert!(validate_model_settings(GatewayModelSettings {
            concurrency: Some(0),
            ..base()
        })
        .is_err());
        assert!(validate_model_settings(GatewayModelSettings {
            aliases: vec!["".into()],
            ..base()
        })
        .is_err());
        assert!(validate_model_settings(GatewayModelSettings {
            queue_limit: MAX_QUEUE_LIMIT + 1,
            ..base()
        })
        .is_err());
        let ok = validate_model_settings(GatewayModelSettings {
            aliases: vec![" gpt-4o-mini ".into()],
            group: Some("  ".into()),
            ..base()
        })
        .unwrap();
        assert_eq!(
            (ok.aliases, ok.group),
            (vec!["gpt-4o-mini".to_string()], None)
        );
    }

    fn record(
        at: i64,
        model: &str,
        ttft: Option<f64>,
        tpot: Option<f64>,
        outcome: RequestOutcome,
    ) -> RequestRecord {
        let mut draft = RecordDraft::new(
            Recorder::new(EventBus::default()).0,
            "/chat/completions",
            "test",
        );
        let mut record = draft.record().clone();
        draft.take().finish(outcome, Default::default(), None);
        record.received_at = at;
        record.model_name = Some(model.into());
        record.ttft_ms = ttft;
        record.tpot_ms = tpot;
        record.outcome = outcome;
        record
    }

    #[test]
    fn series_have_one_point_per_model_and_bucket_with_medians() {
        use RequestOutcome::*;
        let records = [
            record(60_000, "a", Some(10.0), Some(20.0), Ok),
            record(61_000, "a", Some(30.0), Some(10.0), Ok),
            record(62_000, "a", Some(20.0), Some(40.0), Ok),
            record(65_000, "b", None, None, Rejected),
            record(125_000, "a", Some(5.0), Some(50.0), Ok),
        ];
        let points = series_points(&records, 60_000);
        assert_eq!(points.len(), 3);
        assert_eq!(
            (points[0].at, points[0].model.as_str(), points[0].requests),
            (60_000, "a", 3)
        );
        assert_eq!(points[0].ttft_p50_ms, Some(20.0));
        assert_eq!(
            points[0].tokens_per_second,
            Some(50.0),
            "1000 / median TPOT 20 ms"
        );
        assert_eq!(
            (
                points[1].model.as_str(),
                points[1].errors,
                points[1].ttft_p50_ms
            ),
            ("b", 1, None)
        );
        assert_eq!(
            (points[2].at, points[2].tokens_per_second),
            (120_000, Some(20.0))
        );
        assert_eq!(series_bucket_ms(60), 60_000);
        assert_eq!(series_bucket_ms(24 * 60), 24 * 60_000);
    }

    #[test]
    fn stable_names_are_unique_in_the_order_models_were_added() {
        let model = |id: &str, name: &str, created_at: i64| Model {
            id: id.into(),
            name: name.into(),
            engine: EngineKind::LlamaCpp,
            path: format!("/m/{id}.gguf"),
            context_size: 2048,
            extra_args: Vec::new(),
            restart_policy: Default::default(),
            port: None,
            settings: Default::default(),
            secret_env: Vec::new(),
            gpus: Default::default(),
            starter: false,
            created_at,
            file_missing: false,
        };
        let catalog = Catalog::new(
            vec![
                model("b", "qwen-7b", 2),
                model("a", "Qwen 7B", 1),
                model("c", "QWEN 7B", 3),
                model("d", "Other", 4),
            ],
            0,
        );
        let names: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| catalog.name(id))
            .collect();
        assert_eq!(names, ["qwen-7b", "qwen-7b-2", "qwen-7b-3", "other"]);
    }

    #[test]
    fn keep_alive_wins_over_the_model_setting() {
        let settings = GatewayModelSettings {
            idle_ttl_secs: 60,
            ..Default::default()
        };
        assert_eq!(ttl(&settings, None), Some(Duration::from_secs(60)));
        assert_eq!(ttl(&settings, Some(None)), None);
        assert_eq!(
            ttl(&settings, Some(Some(Duration::ZERO))),
            Some(Duration::ZERO)
        );
        let never = GatewayModelSettings {
            idle_ttl_secs: 0,
            ..Default::default()
        };
        assert_eq!(ttl(&never, None), None);
    }
}
