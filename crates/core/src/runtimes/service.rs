//! [`Runtimes`]: the installed engine builds, the default, pins, installs and removals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::archive;
use super::error::RuntimeError;
use super::hardware::HardwareProfile;
use super::releases::{self, EngineReleases, RuntimeVariant, MAX_RELEASES_BYTES};
use super::store::{self, DEFAULT_KEY, PREVIOUS_KEY, RELEASES_URL_KEY};
use crate::engine::EngineKind;
use crate::error::{CodedError, ErrorBody};
use crate::events::{Event, EventBus};
use crate::paths::AppPaths;
use crate::store::Store;
use crate::time::now_ms;

/// GitHub's release list of llama.cpp (newest first). A mirror answers the same shape.
pub const DEFAULT_RELEASES_URL: &str =
    "https://api.github.com/repos/ggml-org/llama.cpp/releases?per_page=30";
/// How long `llama-server --version` may take when an install checks that the build runs.
const VERSION_TIMEOUT: Duration = Duration::from_secs(20);
/// The engine program in a llama.cpp build.
const SERVER_PROGRAM: &str = "llama-server";
/// How deep below the unpacked folder `llama-server` is looked for (`llama-b1/build/bin/`).
const SEARCH_DEPTH: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuntimeState {
    /// Its archives are downloading (the hub's downloads list shows the progress).
    Downloading,
    /// Verified and being unpacked.
    Installing,
    Installed,
    /// See `error`; install it again, or remove it.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineRuntime {
    /// `llama.cpp-<version>-<variant>`.
    pub id: String,
    pub engine: EngineKind,
    /// The release tag (`b6000`).
    pub version: String,
    pub variant: RuntimeVariant,
    /// As the archive named it (`cuda-12.4`), empty for a plain CPU build.
    pub variant_label: String,
    pub state: RuntimeState,
    /// The folder it is unpacked into.
    pub dir: String,
    /// `llama-server` in it, once installed.
    pub server_path: Option<String>,
    /// The first line `llama-server --version` printed when it was installed.
    pub reported_version: Option<String>,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// The archive it came from.
    pub source_url: String,
    /// Its download in the hub's list (progress, pause, resume).
    pub download_id: Option<String>,
    pub error: Option<ErrorBody>,
    /// Becomes the default once installed (asked for, or the first runtime).
    #[serde(default)]
    pub make_default: bool,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// A model, by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ModelRef {
    pub id: String,
    pub name: String,
}

/// A runtime with what uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineRuntimeEntry {
    pub runtime: EngineRuntime,
    pub is_default: bool,
    /// Models pinned to it.
    pub pinned_models: Vec<ModelRef>,
    /// Instances running its `llama-server` now.
    pub running_instances: u32,
}

/// What is not a runtime but runs llama.cpp models when none is installed or chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineFallback {
    pub path: String,
    /// `configured` (`LLMOPS_LLAMA_SERVER`), `cache` (the build from source) or `PATH`.
    pub source: String,
}

/// The Engines page: this computer, the installed runtimes, the default and the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineRuntimes {
    pub hardware: HardwareProfile,
    pub releases_url: String,
    pub releases_url_is_default: bool,
    pub default_id: Option<String>,
    /// The default before the last change: what a rollback returns to.
    pub previous_default_id: Option<String>,
    pub runtimes: Vec<EngineRuntimeEntry>,
    /// What runs a llama.cpp model that no installed runtime serves (a build from source, a
    /// configured binary or one on `PATH`); `None` with no runtime either: nothing can run it,
    /// offer to install one.
    pub fallback: Option<EngineFallback>,
}

/// What to install: a release (the newest when absent) and a build (the recommended one).
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct InstallEngineRuntime {
    #[serde(default)]
    #[ts(optional)]
    pub version: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub variant: Option<RuntimeVariant>,
    /// Make it the default once installed (always so when there is no default yet).
    #[serde(default)]
    #[ts(optional)]
    pub make_default: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct RuntimeChoice {
    pub id: String,
}

/// Pins a model to a runtime, or (`runtime_id` null) lets it use the default.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct PinEngineRuntime {
    pub model_id: String,
    pub runtime_id: Option<String>,
}

/// Where releases are listed: GitHub's API (null), or a mirror answering the same shape.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct ReleasesSource {
    pub url: Option<String>,
}

/// One archive of a build: its file name, size and sha256 as the release lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// A new install: its record (not saved yet), the folder its archives download from, and them.
#[derive(Debug, Clone)]
pub struct NewInstall {
    pub runtime: EngineRuntime,
    pub folder: String,
    pub archives: Vec<ArchiveFile>,
}

#[derive(Debug, Clone)]
pub enum InstallPlan {
    New(NewInstall),
    /// The same build is downloading or unpacking already.
    UnderWay(EngineRuntime),
}

#[derive(Clone)]
pub struct Runtimes {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    bus: EventBus,
    /// `<data>/runtimes`: one folder per runtime, `.staging-<id>` while unpacking.
    root: PathBuf,
    http: crate::lazy_client::LazyClient,
    /// The records by id. Held only to read or replace a record, never across an await.
    records: Mutex<BTreeMap<String, EngineRuntime>>,
    /// Serialises the changes that read then write the default, the pins or the records
    /// (install, default, rollback, remove), so that two requests cannot interleave them.
    changes: tokio::sync::Mutex<()>,
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> RuntimeError {
    RuntimeError::Io(format!("{what} {}: {error}", path.display()))
}

impl Runtimes {
    /// Loads the records. An install that a previous run left unpacking failed (its staging
    /// folder is removed); an installed runtime whose folder is gone is marked failed.
    pub async fn open(
        store: Store,
        bus: EventBus,
        paths: &AppPaths,
    ) -> Result<Runtimes, RuntimeError> {
        let root = paths.runtimes_dir();
        std::fs::create_dir_all(&root).map_err(|e| io_error("creating", &root, e))?;
        let mut records = BTreeMap::new();
        for mut runtime in store::load_all(&store).await? {
            let interrupted = runtime.state == RuntimeState::Installing;
            let vanished =
                runtime.state == RuntimeState::Installed && !Path::new(&runtime.dir).is_dir();
            if interrupted || vanished {
                let detail = if interrupted {
                    "the app stopped while it was unpacking; install it again"
                } else {
                    "its folder is gone; install it again"
                };
                runtime.state = RuntimeState::Failed;
                runtime.error = Some(RuntimeError::Io(detail.into()).body());
                store::save(&store, &runtime).await?;
            }
            records.insert(runtime.id.clone(), runtime);
        }
        remove_staging_folders(&root);
        let http = crate::lazy_client::LazyClient::new(|| {
            reqwest::Client::builder()
                .user_agent(concat!("llmops/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(Duration::from_secs(15))
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a plain HTTP client builds")
        });
        Ok(Runtimes {
            shared: Arc::new(Shared {
                store,
                bus,
                root,
                http,
                records: Mutex::new(records),
                changes: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub fn list(&self) -> Vec<EngineRuntime> {
        let records = self.shared.records.lock().expect("runtimes lock");
        records.values().cloned().collect()
    }

    pub fn get(&self, id: &str) -> Result<EngineRuntime, RuntimeError> {
        let records = self.shared.records.lock().expect("runtimes lock");
        records
            .get(id)
            .cloned()
            .ok_or_else(|| RuntimeError::NotFound { id: id.into() })
    }

    pub async fn default_id(&self) -> Result<Option<String>, RuntimeError> {
        store::setting(&self.shared.store, DEFAULT_KEY).await
    }

    pub async fn previous_default_id(&self) -> Result<Option<String>, RuntimeError> {
        store::setting(&self.shared.store, PREVIOUS_KEY).await
    }

    /// Model id → runtime id.
    pub async fn pins(&self) -> Result<std::collections::HashMap<String, String>, RuntimeError> {
        store::pins(&self.shared.store).await
    }

    /// The release list's address and whether it is the default one.
    pub async fn releases_url(&self) -> Result<(String, bool), RuntimeError> {
        Ok(
            match store::setting(&self.shared.store, RELEASES_URL_KEY).await? {
                Some(url) => (url, false),
                None => (DEFAULT_RELEASES_URL.to_string(), true),
            },
        )
    }

    pub async fn set_releases_url(&self, source: ReleasesSource) -> Result<(), RuntimeError> {
        let url = source
            .url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(url) = &url {
            let parsed = reqwest::Url::parse(url).map_err(|_| {
                RuntimeError::InvalidInput(format!(
                    "{url:?} is not an address; give the release list's, e.g. {DEFAULT_RELEASES_URL}"
                ))
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || url.len() > 2048 {
                return Err(RuntimeError::InvalidInput(format!(
                    "{url:?} must be an http(s) address of at most 2048 characters"
                )));
            }
        }
        store::set_setting(&self.shared.store, RELEASES_URL_KEY, url.as_deref()).await
    }

    /// The releases with builds for this computer, and the suggested build.
    pub async fn releases(
        &self,
        hardware: &HardwareProfile,
    ) -> Result<EngineReleases, RuntimeError> {
        let (url, _) = self.releases_url().await?;
        let unreachable = |detail: String| RuntimeError::ReleasesUnreachable {
            url: url.clone(),
            detail,
        };
        let response = self
            .shared
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .send()
            .await
            .map_err(|e| unreachable(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unreachable(format!("it answered {status}")));
        }
        let body = crate::lazy_client::read_bounded(response, MAX_RELEASES_BYTES)
            .await
            .map_err(unreachable)?;
        releases::parse(&url, &body, hardware)
    }

    /// Serialises the changes that read then write the records, the default or the pins. An
    /// install holds it from its plan to its record (`plan_install`, `record_install`).
    pub async fn changes(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.shared.changes.lock().await
    }

    /// What installing `request` takes (with [`Runtimes::changes`] held): the build chosen from
    /// the release list, or the install already under way.
    pub async fn plan_install(
        &self,
        hardware: &HardwareProfile,
        request: &InstallEngineRuntime,
    ) -> Result<InstallPlan, RuntimeError> {
        let listed = self.releases(hardware).await?;
        let variant = request.variant.unwrap_or(listed.recommended.variant);
        let no_build = || RuntimeError::NoSuchBuild {
            version: request.version.clone().unwrap_or_else(|| "latest".into()),
            variant: variant.as_str().into(),
            platform: listed.platform.clone(),
        };
        let release = match &request.version {
            Some(version) => listed.releases.iter().find(|r| &r.version == version),
            None => listed
                .releases
                .iter()
                .find(|r| !r.prerelease && r.builds.iter().any(|b| b.variant == variant)),
        }
        .ok_or_else(no_build)?;
        let build = release
            .builds
            .iter()
            .find(|b| b.variant == variant)
            .ok_or_else(no_build)?;
        let id = format!("llama.cpp-{}-{}", release.version, variant.as_str());
        if let Ok(existing) = self.get(&id) {
            match existing.state {
                RuntimeState::Installed => return Err(RuntimeError::AlreadyInstalled { id }),
                RuntimeState::Downloading | RuntimeState::Installing => {
                    return Ok(InstallPlan::UnderWay(existing))
                }
                RuntimeState::Failed => {}
            }
        }
        let folder = download_folder(&build.url, &build.asset)?;
        let mut archives = vec![ArchiveFile {
            name: build.asset.clone(),
            size: build.size_bytes,
            sha256: build.sha256.clone(),
        }];
        if let Some(companion) = &build.companion {
            if download_folder(&companion.url, &companion.asset)
                .ok()
                .as_ref()
                == Some(&folder)
            {
                archives.push(ArchiveFile {
                    name: companion.asset.clone(),
                    size: companion.size_bytes,
                    sha256: companion.sha256.clone(),
                });
            }
        }
        let make_default =
            request.make_default.unwrap_or(false) || self.default_id().await?.is_none();
        Ok(InstallPlan::New(NewInstall {
            runtime: EngineRuntime {
                dir: self.shared.root.join(&id).display().to_string(),
                id,
                engine: EngineKind::LlamaCpp,
                version: release.version.clone(),
                variant,
                variant_label: build.variant_label.clone(),
                state: RuntimeState::Downloading,
                server_path: None,
                reported_version: None,
                size_bytes: 0,
                source_url: build.url.clone(),
                download_id: None,
                error: None,
                make_default,
                created_at: now_ms(),
            },
            folder,
            archives,
        }))
    }

    /// Records a planned install whose archives are downloading as `download_id`.
    pub async fn record_install(
        &self,
        mut runtime: EngineRuntime,
        download_id: String,
    ) -> Result<EngineRuntime, RuntimeError> {
        runtime.download_id = Some(download_id);
        self.put(runtime.clone()).await?;
        Ok(runtime)
    }

    /// The archives arrived, verified: unpacks them (`(path, file name)`, the build first), checks
    /// that `llama-server` runs, and records the runtime installed (and the default, when asked)
    /// or failed. The archives are deleted either way.
    pub async fn finish_install(&self, id: &str, archives: Vec<(PathBuf, String)>) {
        let Ok(mut runtime) = self.get(id) else {
            return;
        };
        runtime.state = RuntimeState::Installing;
        if let Err(error) = self.put(runtime.clone()).await {
            tracing::error!(%error, id, "could not record an install");
        }
        let root = self.shared.root.clone();
        let unpack_id = id.to_string();
        let unpacked =
            tokio::task::spawn_blocking(move || unpack_build(&root, &unpack_id, &archives))
                .await
                .unwrap_or_else(|e| Err(RuntimeError::Io(format!("the unpacking stopped: {e}"))));
        let installed = match unpacked {
            Ok((server, size)) => match check_runs(&server).await {
                Ok(reported) => Ok((server, size, reported)),
                Err(error) => {
                    let _ = std::fs::remove_dir_all(&runtime.dir);
                    Err(error)
                }
            },
            Err(error) => Err(error),
        };
        let (server, size, reported) = match installed {
            Ok(done) => done,
            Err(error) => return self.fail(id, error.body()).await,
        };
        runtime.state = RuntimeState::Installed;
        runtime.server_path = Some(server.display().to_string());
        runtime.size_bytes = size;
        runtime.reported_version = reported;
        runtime.error = None;
        let make_default = runtime.make_default;
        let _changes = self.shared.changes.lock().await;
        if let Err(error) = self.put(runtime).await {
            tracing::error!(%error, id, "could not record an install");
        }
        if make_default {
            if let Err(error) = self.change_default(id).await {
                tracing::error!(%error, id, "could not make the new runtime the default");
            }
        }
        tracing::info!(id, "engine runtime installed");
    }

    /// Records an install failed (its download failed or was cancelled, or it did not unpack).
    pub async fn fail(&self, id: &str, error: ErrorBody) {
        tracing::warn!(id, code = %error.code, message = %error.message, "engine runtime install failed");
        let Ok(mut runtime) = self.get(id) else {
            return;
        };
        runtime.state = RuntimeState::Failed;
        runtime.error = Some(error);
        if let Err(error) = self.put(runtime).await {
            tracing::error!(%error, id, "could not record a failed install");
        }
    }

    /// Saves a record, keeps it and tells the UI.
    async fn put(&self, runtime: EngineRuntime) -> Result<(), RuntimeError> {
        store::save(&self.shared.store, &runtime).await?;
        self.shared
            .records
            .lock()
            .expect("runtimes lock")
            .insert(runtime.id.clone(), runtime.clone());
        self.shared
            .bus
            .publish(Event::EngineRuntimeUpdate(Box::new(runtime)));
        Ok(())
    }

    fn installed(&self, id: &str) -> Result<EngineRuntime, RuntimeError> {
        let runtime = self.get(id)?;
        if runtime.state != RuntimeState::Installed {
            return Err(RuntimeError::NotFound { id: id.into() });
        }
        Ok(runtime)
    }

    /// Makes an installed runtime the default; the old default is kept for a rollback.
    pub async fn set_default(&self, id: &str) -> Result<(), RuntimeError> {
        let _changes = self.shared.changes.lock().await;
        self.installed(id)?;
        self.change_default(id).await
    }

    /// With `changes` held.
    async fn change_default(&self, id: &str) -> Result<(), RuntimeError> {
        let current = self.default_id().await?;
        if current.as_deref() == Some(id) {
            return Ok(());
        }
        let store = &self.shared.store;
        store::set_setting(store, PREVIOUS_KEY, current.as_deref()).await?;
        store::set_setting(store, DEFAULT_KEY, Some(id)).await
    }

    /// Returns the default to the one before it (which must still be installed); the two swap.
    pub async fn roll_back(&self) -> Result<String, RuntimeError> {
        let _changes = self.shared.changes.lock().await;
        let previous = self
            .previous_default_id()
            .await?
            .filter(|id| self.installed(id).is_ok())
            .ok_or(RuntimeError::NothingToRollBack)?;
        self.change_default(&previous).await?;
        Ok(previous)
    }

    /// Pins a model (which the caller checked exists and runs llama.cpp) to an installed
    /// runtime, or unpins it.
    pub async fn pin(&self, model_id: &str, runtime_id: Option<&str>) -> Result<(), RuntimeError> {
        let _changes = self.shared.changes.lock().await;
        if let Some(runtime_id) = runtime_id {
            self.installed(runtime_id)?;
        }
        store::pin(&self.shared.store, model_id, runtime_id).await
    }

    /// Removes a runtime's folder and record. It must not be installing, pinned by a model or
    /// run by an instance (`running`, counted by the caller); the default may go only when it
    /// is the last installed runtime (models then run the fallback).
    pub async fn remove(&self, id: &str, running: usize) -> Result<(), RuntimeError> {
        let _changes = self.shared.changes.lock().await;
        let runtime = self.get(id)?;
        let in_use = |reason: String, what_to_do: &str| RuntimeError::InUse {
            id: id.into(),
            reason,
            what_to_do: what_to_do.into(),
        };
        if matches!(
            runtime.state,
            RuntimeState::Downloading | RuntimeState::Installing
        ) {
            return Err(in_use(
                "still being installed".into(),
                "cancel its download in Models → Downloads first",
            ));
        }
        if running > 0 {
            return Err(in_use(
                format!("running {running} model instance(s)"),
                "stop them first",
            ));
        }
        let pinned = self.pins().await?.values().filter(|r| *r == id).count();
        if pinned > 0 {
            return Err(in_use(
                format!("pinned by {pinned} model(s)"),
                "pin them to another runtime or to the default first",
            ));
        }
        let is_default = self.default_id().await?.as_deref() == Some(id);
        let others = self
            .list()
            .iter()
            .any(|r| r.id != id && r.state == RuntimeState::Installed);
        if is_default && others {
            return Err(in_use(
                "the default".into(),
                "make another runtime the default first",
            ));
        }
        let dir = PathBuf::from(&runtime.dir);
        if dir.starts_with(&self.shared.root) && dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| io_error("removing", &dir, e))?;
        }
        store::delete(&self.shared.store, id).await?;
        self.shared
            .records
            .lock()
            .expect("runtimes lock")
            .remove(id);
        let store = &self.shared.store;
        if is_default {
            store::set_setting(store, DEFAULT_KEY, None).await?;
        }
        if self.previous_default_id().await?.as_deref() == Some(id) {
            store::set_setting(store, PREVIOUS_KEY, None).await?;
        }
        Ok(())
    }

    /// The runtime's `llama-server` for a llama.cpp model (`None`: a file fit or the like): the
    /// runtime it is pinned to, else the default runtime unless a binary is configured
    /// (`LLMOPS_LLAMA_SERVER`). `Ok(None)`: no runtime applies; the build from source or
    /// `PATH` does.
    pub async fn llama_server(
        &self,
        model_id: Option<&str>,
        configured: bool,
    ) -> Result<Option<PathBuf>, RuntimeError> {
        if let Some(model_id) = model_id {
            if let Some(pinned) = self.pinned_server(model_id).await? {
                return Ok(Some(pinned));
            }
        }
        if configured {
            return Ok(None);
        }
        self.default_server().await
    }

    /// The `llama-server` a model runs when it is pinned to a runtime: `Ok(None)` when it is
    /// not pinned, an error when its runtime is not installed any more.
    pub async fn pinned_server(&self, model_id: &str) -> Result<Option<PathBuf>, RuntimeError> {
        let Some(runtime_id) = self.pins().await?.remove(model_id) else {
            return Ok(None);
        };
        let runtime = self
            .installed(&runtime_id)
            .map_err(|_| RuntimeError::InUse {
                id: runtime_id.clone(),
                reason: "not installed, but a model is pinned to it".into(),
                what_to_do: "pin the model to another runtime (Engines), or install it again"
                    .into(),
            })?;
        Ok(runtime.server_path.map(PathBuf::from))
    }

    /// The default runtime's `llama-server`, if one is installed and chosen.
    pub async fn default_server(&self) -> Result<Option<PathBuf>, RuntimeError> {
        let Some(id) = self.default_id().await? else {
            return Ok(None);
        };
        Ok(self
            .installed(&id)
            .ok()
            .and_then(|r| r.server_path)
            .map(PathBuf::from))
    }
}

/// The folder an archive is downloaded from: its URL without the trailing `/<asset>`.
fn download_folder(url: &str, asset: &str) -> Result<String, RuntimeError> {
    url.strip_suffix(asset)
        .and_then(|folder| folder.strip_suffix('/'))
        .filter(|folder| folder.starts_with("https://") || folder.starts_with("http://"))
        .map(str::to_string)
        .ok_or_else(|| {
            RuntimeError::InvalidInput(format!(
                "the release lists {asset} at {url:?}, not at an http(s) address ending in its name"
            ))
        })
}

fn remove_staging_folders(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if entry.file_name().to_string_lossy().starts_with(".staging-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Unpacks the build's archives (the first holds `llama-server`; the others, CUDA's runtime
/// libraries, go beside it) into `<root>/.staging-<id>`, then moves it to `<root>/<id>`. The
/// archives are deleted either way. Returns `llama-server`'s final path and the folder's size.
fn unpack_build(
    root: &Path,
    id: &str,
    archives: &[(PathBuf, String)],
) -> Result<(PathBuf, u64), RuntimeError> {
    let staging = root.join(format!(".staging-{id}"));
    let result = unpack_into(&staging, archives);
    for (archive, _) in archives {
        let _ = std::fs::remove_file(archive);
    }
    let server_inside = match result {
        Ok(server) => server,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    let target = root.join(id);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| io_error("replacing", &target, e))?;
    }
    std::fs::rename(&staging, &target).map_err(|e| io_error("moving", &staging, e))?;
    let server = target.join(server_inside);
    Ok((server, archive::size_of(&target)))
}

/// Returns `llama-server`'s path relative to `staging`.
fn unpack_into(staging: &Path, archives: &[(PathBuf, String)]) -> Result<PathBuf, RuntimeError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir_all(staging).map_err(|e| io_error("creating", staging, e))?;
    let Some(((main, main_name), companions)) = archives.split_first() else {
        return Err(RuntimeError::Io("the build has no archive".into()));
    };
    let bad = |name: &str, detail: String| RuntimeError::BadArchive {
        archive: name.to_string(),
        detail,
    };
    archive::unpack(main, main_name, staging).map_err(|d| bad(main_name, d))?;
    let server = archive::find_program(staging, SERVER_PROGRAM, SEARCH_DEPTH)
        .ok_or_else(|| bad(main_name, format!("it holds no {SERVER_PROGRAM}")))?;
    let beside = server.parent().expect("inside staging").to_path_buf();
    for (companion, name) in companions {
        archive::unpack(companion, name, &beside).map_err(|d| bad(name, d))?;
    }
    Ok(server
        .strip_prefix(staging)
        .expect("found inside")
        .to_path_buf())
}

/// Runs `llama-server --version`: a build for another CPU or without its libraries fails here,
/// at install, rather than at a model's start. Returns the line that names the version.
async fn check_runs(server: &Path) -> Result<Option<String>, RuntimeError> {
    let run = tokio::process::Command::new(server)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(VERSION_TIMEOUT, run)
        .await
        .map_err(|_| RuntimeError::DoesNotRun {
            detail: format!(
                "`{SERVER_PROGRAM} --version` did not answer within {} s",
                VERSION_TIMEOUT.as_secs()
            ),
        })?
        .map_err(|e| RuntimeError::DoesNotRun {
            detail: e.to_string(),
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        let tail: String = text
            .lines()
            .last()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        return Err(RuntimeError::DoesNotRun {
            detail: format!(
                "`{SERVER_PROGRAM} --version` ended with {} {tail}",
                output.status
            ),
        });
    }
    Ok(text
        .lines()
        .find(|l| l.starts_with("version"))
        .map(|l| l.chars().take(200).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_folder_is_the_url_without_the_asset() {
        assert_eq!(
            download_folder("https://h/dl/b1/llama-b1.tar.gz", "llama-b1.tar.gz").unwrap(),
            "https://h/dl/b1"
        );
        assert!(download_folder("https://h/dl/b1/other.tar.gz", "llama-b1.tar.gz").is_err());
        assert!(download_folder("file:///x/llama-b1.tar.gz", "llama-b1.tar.gz").is_err());
    }
}
