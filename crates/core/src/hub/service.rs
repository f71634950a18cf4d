//! The hub service: models on this computer (indexed in place), their GGUF headers and fit,
//! the user's extra folders. Downloads are in `downloads.rs`, the hub clients in `hf.rs`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::downloads::Downloads;
use super::engine_fit::{run_fit_params, EngineFit};
use super::error::HubError;
use super::fit::{estimate, FitEstimate, FitRequest, FitResources};
use super::gguf::{read_local, GgufError, GgufInfo};
use super::index::{scan, FoundFile, IndexRoots, ModelSource};
use crate::config::CoreConfig;
use crate::engine::{resolve_binary, EngineKind};
use crate::error::{CodedError, ErrorBody};
use crate::events::EventBus;
use crate::library::ModelLibrary;
use crate::secrets::SecretStore;
use crate::store::Store;

const FOLDERS_KEY: &str = "hub.folders";
/// The most folders a user may add.
const MAX_FOLDERS: usize = 64;

/// What the model list shows of a GGUF header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct GgufSummary {
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub quantization: Option<String>,
    #[ts(type = "number")]
    pub parameter_count: u64,
    pub context_length: Option<u32>,
    pub block_count: Option<u32>,
    pub has_chat_template: bool,
    pub split_count: Option<u32>,
}

impl From<&GgufInfo> for GgufSummary {
    fn from(info: &GgufInfo) -> GgufSummary {
        GgufSummary {
            architecture: info.architecture.clone(),
            name: info.name.clone(),
            quantization: info.quantization.clone(),
            parameter_count: info.parameter_count,
            context_length: info.context_length,
            block_count: info.block_count,
            has_chat_template: info.chat_template.is_some(),
            split_count: info.split.as_ref().map(|split| split.count),
        }
    }
}

/// A model file on this computer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct LocalModel {
    pub found: FoundFile,
    /// The application that owns the file (llmops will not delete it).
    pub owner: Option<String>,
    pub gguf: Option<GgufSummary>,
    /// Why the header could not be read (a cut-off download, not a GGUF file).
    pub problem: Option<ErrorBody>,
    /// Configured models that use this file.
    pub model_ids: Vec<String>,
}

/// A place the index looks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct IndexRoot {
    pub source: ModelSource,
    pub path: String,
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct LocalModels {
    pub models: Vec<LocalModel>,
    pub roots: Vec<IndexRoot>,
    /// How long the scan took.
    #[ts(type = "number")]
    pub scan_ms: u64,
}

/// What to fit: a file the index found, run as `fit` says.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct FitQuery {
    pub path: String,
    #[serde(default)]
    pub fit: Option<FitRequest>,
    /// Also ask llama.cpp (`llama-fit-params`); default true.
    #[serde(default)]
    #[ts(optional)]
    pub engine_check: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct FitReport {
    pub path: String,
    pub gguf: GgufSummary,
    pub resources: FitResources,
    /// llmops's estimate from the header.
    pub estimate: FitEstimate,
    /// llama.cpp's own, when it could run.
    pub engine: Option<EngineFit>,
    /// Why llama.cpp's check did not run or failed.
    pub engine_problem: Option<String>,
    /// What a running instance of this file really uses, when one runs.
    pub measured: Option<MeasuredUse>,
}

/// A running instance's real memory against the estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct MeasuredUse {
    pub model_id: String,
    #[ts(type = "number | null")]
    pub rss_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub gpu_memory_bytes: Option<u64>,
    /// estimate ÷ (RSS + VRAM) − 1: positive when the estimate is higher. llama.cpp reserves
    /// its KV cache and compute buffers up front, but pages count in RSS only once touched.
    pub estimate_error: f64,
}

/// A file of the index, by path.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct LocalFileRef {
    pub path: String,
}

/// The user's extra folders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ModelFolders {
    pub folders: Vec<String>,
}

/// A header read before, valid while the file's size and time are the same.
struct CachedHeader {
    length: u64,
    modified: i64,
    header: Result<Arc<GgufInfo>, GgufError>,
}

#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

struct Shared {
    config: CoreConfig,
    store: Store,
    library: ModelLibrary,
    secrets: SecretStore,
    downloads: Downloads,
    bus: EventBus,
    /// The default engine runtime: llama.cpp's `llama-fit-params` comes from its build.
    runtimes: crate::runtimes::Runtimes,
    /// Headers by path. A plain mutex: held only to look up or insert, never across a read.
    headers: Mutex<HashMap<String, CachedHeader>>,
    /// The paths of the last scan: fit and delete accept only these, so a caller cannot make
    /// llmops read or delete an arbitrary file. Same locking as `headers`.
    indexed: Mutex<HashMap<String, FoundFile>>,
}

impl Hub {
    pub async fn open(
        config: CoreConfig,
        store: Store,
        library: ModelLibrary,
        secrets: SecretStore,
        bus: EventBus,
        runtimes: crate::runtimes::Runtimes,
    ) -> Result<Hub, HubError> {
        let hub = Hub {
            shared: Arc::new(Shared {
                downloads: Downloads::open(store.clone(), bus.clone(), 1).await?,
                bus,
                runtimes,
                config,
                store,
                library,
                secrets,
                headers: Mutex::new(HashMap::new()),
                indexed: Mutex::new(HashMap::new()),
            }),
        };
        let parallel = hub.settings().await?.max_parallel_downloads;
        hub.shared.downloads.set_parallel(parallel as usize);
        Ok(hub)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.shared.store
    }

    pub(crate) fn secrets(&self) -> &SecretStore {
        &self.shared.secrets
    }

    /// The runtimes' download folder: engine archives go there, not into a model cache.
    pub(crate) fn runtime_downloads_dir(&self) -> std::path::PathBuf {
        self.shared.config.paths.runtime_downloads_dir()
    }

    pub(crate) fn downloads(&self) -> &Downloads {
        &self.shared.downloads
    }

    pub(crate) fn tools_home(&self) -> Option<&Path> {
        self.shared.config.tools_home.as_deref()
    }

    pub async fn folders(&self) -> Result<ModelFolders, HubError> {
        let folders = match self.shared.store.setting(FOLDERS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(ModelFolders { folders })
    }

    /// Replaces the extra folders: each must be an absolute path of an existing folder.
    pub async fn set_folders(&self, folders: ModelFolders) -> Result<ModelFolders, HubError> {
        if folders.folders.len() > MAX_FOLDERS {
            return Err(HubError::InvalidInput(format!(
                "at most {MAX_FOLDERS} folders can be added"
            )));
        }
        let mut kept: Vec<String> = Vec::new();
        for folder in folders.folders {
            let path = Path::new(folder.trim());
            let bad = |reason: &str| HubError::BadFolder {
                path: folder.clone(),
                reason: reason.into(),
            };
            if !path.is_absolute() {
                return Err(bad("is not an absolute path; give the full path"));
            }
            if !path.is_dir() {
                return Err(bad("does not exist or is not a folder"));
            }
            let shown = path.display().to_string();
            if !kept.contains(&shown) {
                kept.push(shown);
            }
        }
        let json = serde_json::to_string(&kept).expect("strings serialise");
        self.shared.store.set_setting(FOLDERS_KEY, &json).await?;
        Ok(ModelFolders { folders: kept })
    }

    async fn roots(&self) -> Result<IndexRoots, HubError> {
        let folders = self.folders().await?.folders.into_iter().map(PathBuf::from);
        Ok(IndexRoots::from_env(
            self.shared.config.tools_home.as_deref(),
            &self.shared.config.paths.models_dir(),
            folders.collect(),
        ))
    }

    /// Scans every folder again and reads each new or changed file's header.
    pub async fn local_models(&self) -> Result<LocalModels, HubError> {
        let roots = self.roots().await?;
        let started = Instant::now();
        let hub = self.clone();
        let scan_roots = roots.clone();
        let (found, headers) = tokio::task::spawn_blocking(move || {
            let found = scan(&scan_roots);
            let headers: Vec<_> = found.iter().map(|file| hub.header_of(file)).collect();
            (found, headers)
        })
        .await
        .map_err(|error| HubError::Io(format!("the model scan stopped: {error}")))?;
        let scan_ms = started.elapsed().as_millis() as u64;
        let configured = self.shared.library.list().await.unwrap_or_default();
        let mut by_path: HashMap<&str, Vec<String>> = HashMap::new();
        for model in &configured {
            by_path
                .entry(model.path.as_str())
                .or_default()
                .push(model.id.clone());
        }
        {
            let mut indexed = self.shared.indexed.lock().expect("index lock");
            *indexed = found.iter().map(|f| (f.path.clone(), f.clone())).collect();
        }
        let models = found
            .into_iter()
            .zip(headers)
            .map(|(found, header)| LocalModel {
                owner: found.source.owner().map(String::from),
                gguf: header
                    .as_ref()
                    .ok()
                    .map(|info| GgufSummary::from(info.as_ref())),
                problem: header.err().map(|error| error.body()),
                model_ids: by_path
                    .get(found.path.as_str())
                    .cloned()
                    .unwrap_or_default(),
                found,
            })
            .collect();
        Ok(LocalModels {
            models,
            roots: describe_roots(&roots),
            scan_ms,
        })
    }

    /// Watches the folders: every `every`, a scan (file names, sizes and times only) is compared
    /// with the previous one, and a change publishes `local_models_changed`, so that the list
    /// follows files added or removed by llmops, other tools or the user.
    pub fn spawn_watch(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let hub = self.clone();
        tokio::spawn(async move {
            let mut previous: Option<u64> = None;
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let Ok(roots) = hub.roots().await else {
                    continue;
                };
                let Ok(fingerprint) =
                    tokio::task::spawn_blocking(move || fingerprint(&scan(&roots))).await
                else {
                    continue;
                };
                if previous.is_some_and(|before| before != fingerprint) {
                    hub.shared
                        .bus
                        .publish(crate::events::Event::LocalModelsChanged);
                }
                previous = Some(fingerprint);
            }
        })
    }

    /// The header of a found file, from the cache when the file did not change.
    fn header_of(&self, file: &FoundFile) -> Result<Arc<GgufInfo>, GgufError> {
        let (length, modified) = file_stamp(Path::new(&file.path));
        {
            let headers = self.shared.headers.lock().expect("header cache lock");
            if let Some(cached) = headers.get(&file.path) {
                if cached.length == length && cached.modified == modified {
                    return cached.header.clone();
                }
            }
        }
        let header = read_local(Path::new(&file.path)).map(Arc::new);
        self.shared
            .headers
            .lock()
            .expect("header cache lock")
            .insert(
                file.path.clone(),
                CachedHeader {
                    length,
                    modified,
                    header: header.clone(),
                },
            );
        header
    }

    /// A file of the last scan (scanning again if it is not there yet).
    async fn indexed(&self, path: &str) -> Result<FoundFile, HubError> {
        let known = |hub: &Hub| {
            hub.shared
                .indexed
                .lock()
                .expect("index lock")
                .get(path)
                .cloned()
        };
        if let Some(found) = known(self) {
            return Ok(found);
        }
        self.local_models().await?;
        known(self).ok_or_else(|| HubError::NotIndexed { path: path.into() })
    }

    /// The fit of an indexed file: llmops's estimate, then llama.cpp's own check.
    pub async fn fit(
        &self,
        query: FitQuery,
        resources: FitResources,
    ) -> Result<FitReport, HubError> {
        let found = self.indexed(&query.path).await?;
        let hub = self.clone();
        let file = found.clone();
        let info = tokio::task::spawn_blocking(move || hub.header_of(&file))
            .await
            .map_err(|error| HubError::Io(error.to_string()))??;
        let request = query.fit.unwrap_or_default();
        // A split set's header describes one shard; its weights are all shards' bytes less
        // their headers (about one header each).
        let weights = found
            .size_bytes
            .saturating_sub(info.header_bytes * found.shards as u64);
        let estimate = estimate(&info, weights, &request, &resources, &[]);
        let (engine, engine_problem) = if query.engine_check.unwrap_or(true) {
            match self
                .engine_fit(Path::new(&found.path), &request, &estimate)
                .await
            {
                Ok(fit) => (Some(fit), None),
                Err(problem) => (None, Some(problem)),
            }
        } else {
            (None, None)
        };
        Ok(FitReport {
            path: found.path,
            gguf: GgufSummary::from(info.as_ref()),
            resources,
            estimate,
            engine,
            engine_problem,
            measured: None,
        })
    }

    async fn engine_fit(
        &self,
        model: &Path,
        request: &FitRequest,
        estimate: &FitEstimate,
    ) -> Result<EngineFit, String> {
        let config = &self.shared.config;
        let configured = EngineKind::LlamaCpp.configured_binary(config);
        let server = match self
            .shared
            .runtimes
            .llama_server(None, configured.is_some())
            .await
            .map_err(|error| error.to_string())?
        {
            Some(runtime) => runtime,
            None => {
                resolve_binary(
                    EngineKind::LlamaCpp,
                    configured,
                    &config.paths.engines_dir(),
                )
                .map_err(|error| error.to_string())?
                .path
            }
        };
        let bin_dir = server.parent().unwrap_or(Path::new("/"));
        run_fit_params(bin_dir, model, &fit_flags(request, estimate.context_size)).await
    }

    /// Deletes a file the index found, unless another application owns it or a configured
    /// model uses it. A Hugging Face file's snapshot link goes, and its blob when no other
    /// snapshot links to it.
    pub async fn delete_local(&self, path: &str) -> Result<(), HubError> {
        let found = self.indexed(path).await?;
        if let Some(owner) = found.source.owner() {
            return Err(HubError::OwnedByOtherTool {
                path: path.into(),
                owner: owner.into(),
            });
        }
        let configured = self.shared.library.list().await.unwrap_or_default();
        if let Some(model) = configured.iter().find(|m| m.path == found.path) {
            return Err(HubError::InUse {
                path: path.into(),
                model: model.name.clone(),
            });
        }
        let files = shard_paths(&found);
        tokio::task::spawn_blocking(move || delete_files(&files))
            .await
            .map_err(|error| HubError::Io(error.to_string()))??;
        self.shared.indexed.lock().expect("index lock").remove(path);
        Ok(())
    }
}

/// The flags the deploy will pass that change memory use, for `llama-fit-params`.
pub fn fit_flags(request: &FitRequest, context: u32) -> Vec<String> {
    let mut flags = vec!["-c".to_string(), context.to_string()];
    let mut push = |flag: &str, value: Option<String>| {
        if let Some(value) = value {
            flags.push(flag.into());
            flags.push(value);
        }
    };
    push("-ctk", request.cache_type_k.clone());
    push("-ctv", request.cache_type_v.clone());
    push("-ngl", request.gpu_layers.map(|n| n.to_string()));
    push("-np", request.parallel.map(|n| n.to_string()));
    // A quantised V cache needs flash attention.
    if request
        .cache_type_v
        .as_deref()
        .is_some_and(|t| !matches!(t, "f16" | "f32" | "bf16"))
    {
        push("-fa", Some("on".into()));
    }
    flags
}

/// A hash of what a scan found (paths, sizes, times).
fn fingerprint(found: &[FoundFile]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in found {
        (&file.path, file.size_bytes, file.modified_ms).hash(&mut hasher);
    }
    hasher.finish()
}

fn file_stamp(path: &Path) -> (u64, i64) {
    match std::fs::metadata(path) {
        Ok(metadata) => (
            metadata.len(),
            metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as i64)
                .unwrap_or(0),
        ),
        Err(_) => (0, 0),
    }
}

fn describe_roots(roots: &IndexRoots) -> Vec<IndexRoot> {
    let mut out = Vec::new();
    let mut add = |source: ModelSource, path: &Option<PathBuf>| {
        if let Some(path) = path {
            out.push(IndexRoot {
                source,
                path: path.display().to_string(),
                exists: path.is_dir(),
            });
        }
    };
    add(ModelSource::HuggingFace, &roots.hf_cache);
    add(ModelSource::LmStudio, &roots.lm_studio_models);
    add(ModelSource::Ollama, &roots.ollama_models);
    add(ModelSource::ModelScope, &roots.modelscope_cache);
    add(ModelSource::Llmops, &roots.llmops_models);
    for folder in &roots.folders {
        add(ModelSource::Folder, &Some(folder.clone()));
    }
    out
}

/// Every shard of a found file (one path for an unsplit file).
fn shard_paths(found: &FoundFile) -> Vec<PathBuf> {
    let first = PathBuf::from(&found.path);
    let name = first.file_name().map(|n| n.to_string_lossy().into_owned());
    match name.as_deref().and_then(super::index::split_parts) {
        Some((prefix, _, count)) => (1..=count)
            .map(|index| first.with_file_name(format!("{prefix}-{index:05}-of-{count:05}.gguf")))
            .collect(),
        None => vec![first],
    }
}

/// Removes files; a snapshot symlink takes its blob along when nothing else links to it.
fn delete_files(files: &[PathBuf]) -> Result<(), HubError> {
    for file in files {
        let target = std::fs::read_link(file)
            .ok()
            .map(|target| file.parent().unwrap_or(Path::new("/")).join(target));
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(HubError::Io(format!(
                    "{} could not be deleted: {error}",
                    file.display()
                )))
            }
        }
        if let Some(blob) = target {
            if !blob_still_linked(&blob) {
                let _ = std::fs::remove_file(&blob);
            }
        }
    }
    Ok(())
}

/// Whether any snapshot of the blob's repository still links to it.
fn blob_still_linked(blob: &Path) -> bool {
    let Ok(blob) = std::fs::canonicalize(blob) else {
        return false;
    };
    let Some(repo) = blob.parent().and_then(Path::parent) else {
        return true;
    };
    let mut stack = vec![repo.join("snapshots")];
    let mut seen = HashSet::new();
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if seen.insert(path.clone()) {
                    stack.push(path);
                }
            } else if std::fs::canonicalize(&path).is_ok_and(|target| target == blob) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::paths::AppPaths;
    use crate::secrets::SecretPreference;

    async fn hub(dir: &Path) -> (Hub, EventBus) {
        let config = CoreConfig::new(AppPaths::new(dir.join("data"), dir.join("cache")));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let store = Store::open(&config.paths.database()).await.unwrap();
        let bus = EventBus::default();
        let secrets = SecretStore::open(&dir.join("data"), SecretPreference::File).await;
        let library = ModelLibrary::new(store.clone(), bus.clone(), secrets.clone());
        let runtimes = crate::runtimes::Runtimes::open(store.clone(), bus.clone(), &config.paths)
            .await
            .unwrap();
        let hub = Hub::open(config, store, library, secrets, bus.clone(), runtimes)
            .await
            .unwrap();
        (hub, bus)
    }

    #[tokio::test]
    async fn the_watch_tells_when_a_model_file_appears_or_goes() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("models");
        std::fs::create_dir_all(&folder).unwrap();
        let (hub, bus) = hub(dir.path()).await;
        hub.set_folders(ModelFolders {
            folders: vec![folder.display().to_string()],
        })
        .await
        .unwrap();
        let mut events = bus.subscribe();
        let watch = hub.spawn_watch(std::time::Duration::from_millis(50));
        let changed = |events: &mut tokio::sync::broadcast::Receiver<Event>| {
            let mut events = events.resubscribe();
            async move {
                loop {
                    if let Ok(Event::LocalModelsChanged) = events.recv().await {
                        return;
                    }
                }
            }
        };
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        let appeared = changed(&mut events);
        std::fs::write(folder.join("new.gguf"), b"GGUF").unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), appeared)
            .await
            .expect("a new file is noticed");
        let gone = changed(&mut events);
        std::fs::remove_file(folder.join("new.gguf")).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), gone)
            .await
            .expect("a removed file is noticed");
        watch.abort();
    }

    #[tokio::test]
    async fn folders_must_be_absolute_existing_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (hub, _) = hub(dir.path()).await;
        for bad in ["relative", "/does/not/exist"] {
            let error = hub
                .set_folders(ModelFolders {
                    folders: vec![bad.into()],
                })
                .await
                .unwrap_err();
            assert_eq!(error.code(), "hub_bad_folder", "{bad}");
        }
        let kept = hub
            .set_folders(ModelFolders {
                folders: vec![dir.path().display().to_string(); 2],
            })
            .await
            .unwrap();
        assert_eq!(kept.folders.len(), 1, "duplicates are kept once");
    }
}
