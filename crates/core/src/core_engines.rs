//! The engine runtime operations that span services: the runtimes with the models pinned to
//! them and the instances running them, what runs a model without one, and the checks before a
//! pin or a removal.

use std::path::Path;

use crate::core_handle::{Core, CoreError};
use crate::engine::{resolve_binary, EngineKind};
use crate::runtimes::{
    EngineFallback, EngineReleases, EngineRuntime, EngineRuntimeEntry, EngineRuntimes,
    HardwareProfile, InstallEngineRuntime, ModelRef, PinEngineRuntime, ReleasesSource,
    RuntimeChoice, RuntimeError,
};

impl Core {
    async fn hardware(&self) -> HardwareProfile {
        HardwareProfile::detect(&self.system_snapshot().await.gpu)
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

    /// Starts installing a build (see `Runtimes::install`).
    pub async fn install_engine_runtime(
        &self,
        request: InstallEngineRuntime,
    ) -> Result<EngineRuntime, CoreError> {
        let hardware = self.hardware().await;
        Ok(self.runtimes.install(&self.hub, &hardware, request).await?)
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
