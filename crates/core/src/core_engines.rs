//! The engine runtime operations that span services: the runtimes with the models pinned to
//! them and the instances running them, what runs a model without one, and the checks before a
//! pin or a removal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::core_handle::{Core, CoreError};
use crate::engine::{resolve_binary, EngineKind};
use crate::error::CodedError;
use crate::hub::cache::CachePaths;
use crate::hub::{DownloadFile, DownloadState, Hub};
use crate::monitor::GpuStatus;
use crate::runtimes::{
    EngineFallback, EngineReleases, EngineRuntime, EngineRuntimeEntry, EngineRuntimes,
    HardwareProfile, InstallEngineRuntime, InstallPlan, ModelRef, PinEngineRuntime, ReleasesSource,
    RuntimeChoice, RuntimeError, RuntimeState, Runtimes,
};

/// How often an install looks at its download.
const FOLLOW_EVERY: Duration = Duration::from_millis(300);

/// Waits for an install's download in the hub's queue, then has the runtimes unpack it; a failed
/// or cancelled download fails the install with the download's reason (a sha256 mismatch, …).
async fn follow_install(runtimes: Runtimes, hub: Hub, id: String, download_id: String) {
    let download = loop {
        tokio::time::sleep(FOLLOW_EVERY).await;
        let Ok(download) = hub.downloads().get(&download_id) else {
            let gone = RuntimeError::Io("its download was removed; install it again".into());
            return runtimes.fail(&id, gone.body()).await;
        };
        match download.state {
            DownloadState::Completed => break download,
            DownloadState::Failed | DownloadState::Cancelled => {
                let error = download.error.unwrap_or_else(|| {
                    RuntimeError::Io("its download was cancelled".into()).body()
                });
                return runtimes.fail(&id, error).await;
            }
            _ => {}
        }
    };
    let folder = hub.runtime_downloads_dir();
    let archives: Vec<(PathBuf, String)> = download
        .files
        .iter()
        .filter_map(|f| {
            let paths = CachePaths::plain(&folder, &f.path, &f.sha256).ok()?;
            Some((paths.blob, f.path.clone()))
        })
        .collect();
    runtimes.finish_install(&id, archives).await;
}

impl Core {
    async fn hardware(&self) -> HardwareProfile {
        match self.system_snapshot().await.gpu {
            GpuStatus::Available {
                driver_version,
                cuda_version,
                ..
            } => HardwareProfile::detect(driver_version, cuda_version),
            GpuStatus::NotDetected { .. } => HardwareProfile::detect(None, None),
        }
    }

    /// Follows again the installs whose downloads a previous run left going (at open).
    pub(crate) fn resume_engine_installs(&self) {
        for runtime in self.runtimes.list() {
            if let (RuntimeState::Downloading, Some(download_id)) =
                (runtime.state, runtime.download_id)
            {
                let (runtimes, hub) = (self.runtimes.clone(), self.hub.clone());
                tokio::spawn(follow_install(runtimes, hub, runtime.id, download_id));
            }
        }
    }

    /// Live instances whose engine program lies in `dir`.
    fn instances_running_from(&self, dir: &str) -> usize {
        self.supervisor
            .list()
            .iter()
            .filter(|i| !i.state.is_terminal() && Path::new(&i.binary).starts_with(dir))
            .count()
    }

    /// The Engines page: this computer, the installed runtimes and who uses them, the default,
    /// and what runs a llama.cpp model when no runtime is chosen.
    pub async fn engine_runtimes(&self) -> Result<EngineRuntimes, CoreError> {
        let pins = self.runtimes.pins().await?;
        let models = self.library.list().await?;
        let default_id = self.runtimes.default_id().await?;
        let runtimes = self
            .runtimes
            .list()
            .into_iter()
            .map(|runtime| EngineRuntimeEntry {
                is_default: default_id.as_deref() == Some(runtime.id.as_str()),
                pinned_models: models
                    .iter()
                    .filter(|m| pins.get(&m.id) == Some(&runtime.id))
                    .map(|m| ModelRef {
                        id: m.id.clone(),
                        name: m.name.clone(),
                    })
                    .collect(),
                running_instances: self.instances_running_from(&runtime.dir) as u32,
                runtime,
            })
            .collect();
        let (releases_url, releases_url_is_default) = self.runtimes.releases_url().await?;
        let fallback = resolve_binary(
            EngineKind::LlamaCpp,
            EngineKind::LlamaCpp.configured_binary(&self.config),
            &self.config.paths.engines_dir(),
        )
        .ok()
        .map(|found| EngineFallback {
            path: found.path.display().to_string(),
            source: found.source.to_string(),
        });
        Ok(EngineRuntimes {
            hardware: self.hardware().await,
            releases_url,
            releases_url_is_default,
            default_id,
            previous_default_id: self.runtimes.previous_default_id().await?,
            runtimes,
            fallback,
        })
    }

    /// The releases with builds for this computer, and the suggested build.
    pub async fn engine_releases(&self) -> Result<EngineReleases, CoreError> {
        let hardware = self.hardware().await;
        Ok(self.runtimes.releases(&hardware).await?)
    }

    /// Starts installing a build: its archives are queued in the hub's downloads (verified
    /// against the release's sha256), then unpacked and checked in the background
    /// (`engine_runtime_update` events).
    pub async fn install_engine_runtime(
        &self,
        request: InstallEngineRuntime,
    ) -> Result<EngineRuntime, CoreError> {
        let hardware = self.hardware().await;
        let _changes = self.runtimes.changes().await;
        let new = match self.runtimes.plan_install(&hardware, &request).await? {
            InstallPlan::UnderWay(runtime) => return Ok(runtime),
            InstallPlan::New(new) => new,
        };
        let files = new
            .archives
            .iter()
            .map(|a| DownloadFile {
                path: a.name.clone(),
                size: a.size,
                sha256: a.sha256.clone(),
                done_bytes: 0,
                complete: false,
            })
            .collect();
        let context = self.hub.engine_release_context(&new.folder)?;
        let download = self
            .hub
            .downloads()
            .start_engine_release("llama.cpp", &new.runtime.version, files, context)
            .await?;
        let runtime = self
            .runtimes
            .record_install(new.runtime, download.id.clone())
            .await?;
        let (runtimes, hub) = (self.runtimes.clone(), self.hub.clone());
        tokio::spawn(follow_install(
            runtimes,
            hub,
            runtime.id.clone(),
            download.id,
        ));
        Ok(runtime)
    }

    pub async fn set_default_engine_runtime(
        &self,
        choice: RuntimeChoice,
    ) -> Result<EngineRuntimes, CoreError> {
        self.runtimes.set_default(&choice.id).await?;
        self.engine_runtimes().await
    }

    pub async fn roll_back_engine_runtime(&self) -> Result<EngineRuntimes, CoreError> {
        self.runtimes.roll_back().await?;
        self.engine_runtimes().await
    }

    /// Removes a runtime nothing uses (no pinned model, no running instance).
    pub async fn remove_engine_runtime(&self, id: &str) -> Result<EngineRuntimes, CoreError> {
        let runtime = self.runtimes.get(id)?;
        let running = self.instances_running_from(&runtime.dir);
        self.runtimes.remove(id, running).await?;
        self.engine_runtimes().await
    }

    /// Pins a llama.cpp model to an installed runtime, or back to the default; it applies at
    /// the model's next start.
    pub async fn pin_engine_runtime(
        &self,
        pin: PinEngineRuntime,
    ) -> Result<EngineRuntimes, CoreError> {
        let model = self.library.get(&pin.model_id).await?;
        if model.engine != EngineKind::LlamaCpp {
            return Err(RuntimeError::InvalidInput(format!(
                "{} runs on {}, not llama.cpp: only llama.cpp models are pinned to a runtime",
                model.name,
                model.engine.as_str()
            ))
            .into());
        }
        self.runtimes
            .pin(&model.id, pin.runtime_id.as_deref())
            .await?;
        self.engine_runtimes().await
    }

    pub async fn set_engine_releases_source(
        &self,
        source: ReleasesSource,
    ) -> Result<EngineRuntimes, CoreError> {
        self.runtimes.set_releases_url(source).await?;
        self.engine_runtimes().await
    }
}
