use std::path::Path;

use thiserror::Error;

use super::model::{Model, ModelDetail, NewModel, RestartPolicy, STARTER_MODEL_NAME};
use crate::engine::{EngineKind, EngineSettings};
use crate::error::{CodedError, ErrorKind};
use crate::events::{Event, EventBus};
use crate::paths::AppPaths;
use crate::store::{Store, StoreError};
use crate::time::now_ms;

const DEFAULT_CONTEXT_SIZE: u32 = 4096;
const MAX_CONTEXT_SIZE: u32 = 1 << 20;

#[derive(Debug, Error)]
pub enum LibraryError {
    #[error("no model with id {0:?}; refresh the model list")]
    NotFound(String),
    #[error("a model needs a name")]
    EmptyName,
    #[error("the model path {0:?} is not absolute; give the full path of the weights file")]
    RelativePath(String),
    #[error("say which model to serve: a Hugging Face repository (e.g. Qwen/Qwen2.5-7B-Instruct) or a local folder")]
    EmptyPath,
    #[error("the settings are for {settings} but the engine is {engine}; pick one")]
    EngineMismatch {
        engine: &'static str,
        settings: &'static str,
    },
    #[error("context size {0} is out of range; use a value between 256 and {MAX_CONTEXT_SIZE}")]
    BadContextSize(u32),
    #[error("port {0} is reserved for system services; choose a port from 1024 to 65535, or leave it empty")]
    PrivilegedPort(u16),
    #[error("invalid extra argument {0:?}: {1}")]
    BadArgument(String, &'static str),
    #[error("invalid engine settings: {0}")]
    BadSettings(String),
    #[error("a restart policy allows 1 to 20 retries, not {0}")]
    BadRestartPolicy(u32),
    #[error("the model {name:?} already uses {path}")]
    DuplicatePath { name: String, path: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for LibraryError {
    fn code(&self) -> &'static str {
        match self {
            LibraryError::NotFound(_) => "model_not_found",
            LibraryError::EmptyName => "model_name_empty",
            LibraryError::RelativePath(_) => "model_path_not_absolute",
            LibraryError::EmptyPath => "model_path_empty",
            LibraryError::EngineMismatch { .. } => "model_engine_mismatch",
            LibraryError::BadContextSize(_) => "model_context_size_invalid",
            LibraryError::DuplicatePath { .. } => "model_path_duplicate",
            LibraryError::BadRestartPolicy(_) => "model_restart_policy_invalid",
            LibraryError::PrivilegedPort(_) => "model_port_invalid",
            LibraryError::BadSettings(_) => "model_settings_invalid",
            LibraryError::BadArgument(..) => "model_args_invalid",
            LibraryError::Store(e) => e.code(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            LibraryError::NotFound(_) => ErrorKind::NotFound,
            LibraryError::DuplicatePath { .. } => ErrorKind::Conflict,
            LibraryError::Store(_) => ErrorKind::Internal,
            _ => ErrorKind::InvalidInput,
        }
    }
}

#[derive(Clone)]
pub struct ModelLibrary {
    store: Store,
    bus: EventBus,
}

impl ModelLibrary {
    pub fn new(store: Store, bus: EventBus) -> Self {
        ModelLibrary { store, bus }
    }

    pub async fn list(&self) -> Result<Vec<Model>, LibraryError> {
        Ok(self.store.list_models().await?)
    }

    pub async fn get(&self, id: &str) -> Result<Model, LibraryError> {
        self.store
            .get_model(id)
            .await?
            .ok_or_else(|| LibraryError::NotFound(id.to_string()))
    }

    /// The starter model, once it is registered.
    pub async fn starter(&self) -> Result<Option<Model>, LibraryError> {
        Ok(self.list().await?.into_iter().find(|m| m.starter))
    }

    /// The model and its last 20 instances with their state transitions.
    pub async fn detail(&self, id: &str) -> Result<ModelDetail, LibraryError> {
        let model = self.get(id).await?;
        let history = self.store.instances_of_model(id, 20).await?;
        Ok(ModelDetail { model, history })
    }

    /// Adds a model. The file need not exist yet (it may be on a drive not mounted now);
    /// starting it checks again and says so.
    pub async fn add(&self, new: NewModel) -> Result<Model, LibraryError> {
        let model = self.validate(new)?;
        if let Some(existing) = self.store.find_model_by_path(&model.path).await? {
            return Err(LibraryError::DuplicatePath {
                name: existing.name,
                path: model.path,
            });
        }
        self.store.insert_model(&model).await?;
        tracing::info!(id = %model.id, path = %model.path, "model added");
        self.publish_list().await;
        Ok(model)
    }

    pub async fn remove(&self, id: &str) -> Result<(), LibraryError> {
        if !self.store.delete_model(id).await? {
            return Err(LibraryError::NotFound(id.to_string()));
        }
        tracing::info!(id, "model removed");
        self.publish_list().await;
        Ok(())
    }

    /// Registers the starter model once its file is in the cache (put there by `scripts/setup.sh`).
    pub async fn ensure_starter(&self, paths: &AppPaths) -> Result<Option<Model>, LibraryError> {
        let file = paths.starter_model();
        if !file.is_file() {
            return Ok(None);
        }
        let path = crate::paths::display(&file);
        if let Some(existing) = self.store.find_model_by_path(&path).await? {
            return Ok(Some(existing));
        }
        let mut model = self.validate(NewModel {
            name: STARTER_MODEL_NAME.to_string(),
            path,
            engine: Some(EngineKind::LlamaCpp),
            context_size: Some(2048),
            extra_args: None,
            restart_policy: None,
            port: None,
            settings: None,
        })?;
        model.starter = true;
        self.store.insert_model(&model).await?;
        Ok(Some(model))
    }

    fn validate(&self, new: NewModel) -> Result<Model, LibraryError> {
        let name = new.name.trim().to_string();
        if name.is_empty() {
            return Err(LibraryError::EmptyName);
        }
        let settings = match (new.engine, new.settings) {
            (Some(engine), Some(settings)) if settings.kind() != engine => {
                return Err(LibraryError::EngineMismatch {
                    engine: engine.as_str(),
                    settings: settings.kind().as_str(),
                })
            }
            (_, Some(settings)) => settings,
            (engine, None) => {
                let engine = engine.unwrap_or(EngineKind::LlamaCpp);
                EngineSettings::defaults_for(engine).ok_or_else(|| {
                    LibraryError::BadSettings(
                        "a custom engine needs a command: the program, then its arguments".into(),
                    )
                })?
            }
        };
        let engine = settings.kind();
        let path = new.path.trim().to_string();
        if path.is_empty() && engine != EngineKind::Custom {
            return Err(LibraryError::EmptyPath);
        }
        if engine.needs_local_file() && !Path::new(&path).is_absolute() {
            return Err(LibraryError::RelativePath(path));
        }
        let context_size = new.context_size.unwrap_or(DEFAULT_CONTEXT_SIZE);
        if !(256..=MAX_CONTEXT_SIZE).contains(&context_size) {
            return Err(LibraryError::BadContextSize(context_size));
        }
        if let Some(port) = new.port.filter(|p| *p < 1024) {
            return Err(LibraryError::PrivilegedPort(port));
        }
        let extra_args = new.extra_args.unwrap_or_default();
        validate_extra_args(engine, &extra_args)?;
        settings
            .validate(new.port.is_some())
            .map_err(LibraryError::BadSettings)?;
        let restart_policy = new.restart_policy.unwrap_or_default();
        if let RestartPolicy::OnFailure { max_retries } = restart_policy {
            if !(1..=20).contains(&max_retries) {
                return Err(LibraryError::BadRestartPolicy(max_retries));
            }
        }
        Ok(Model {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            engine,
            path,
            context_size,
            extra_args,
            restart_policy,
            port: new.port,
            settings,
            starter: false,
            created_at: now_ms(),
        })
    }

    async fn publish_list(&self) {
        if let Ok(models) = self.store.list_models().await {
            self.bus.publish(Event::ModelsChanged(models));
        }
    }
}

/// Flags llmops sets itself: letting a user override them would break supervision (the port
/// we poll, the address we bind) or contradict the model's own path and name.
fn managed_flags(engine: EngineKind) -> &'static [&'static str] {
    match engine {
        EngineKind::LlamaCpp => &["--port", "--host", "-m", "--model", "--alias"],
        EngineKind::Vllm | EngineKind::VllmDocker => &[
            "--port",
            "--host",
            "--model",
            "--served-model-name",
            "--max-model-len",
        ],
        // A custom command is the user's own: they place {port} themselves.
        EngineKind::Custom => &[],
    }
}

fn validate_extra_args(engine: EngineKind, args: &[String]) -> Result<(), LibraryError> {
    for arg in args {
        let flag = arg.split('=').next().unwrap_or_default();
        let problem = if arg.trim().is_empty() {
            Some("it is empty")
        } else if arg.contains(['\0', '\n', '\r']) {
            Some("it contains a line break or a NUL character")
        } else if managed_flags(engine).contains(&flag) {
            Some("llmops sets this flag itself; use the model's path and port settings")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(LibraryError::BadArgument(arg.clone(), problem));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn library() -> (tempfile::TempDir, ModelLibrary) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        (dir, ModelLibrary::new(store, EventBus::default()))
    }

    fn new_model(path: &str) -> NewModel {
        NewModel {
            name: "m".into(),
            path: path.into(),
            engine: None,
            context_size: None,
            extra_args: None,
            restart_policy: None,
            port: None,
            settings: None,
        }
    }

    #[tokio::test]
    async fn add_list_remove_round_trip() {
        let (_dir, lib) = library().await;
        let mut new = new_model("/models/a.gguf");
        new.extra_args = Some(vec!["--flash-attn".into(), "on".into()]);
        let added = lib.add(new).await.unwrap();
        assert_eq!(lib.list().await.unwrap(), vec![added.clone()]);
        assert_eq!(
            lib.get(&added.id).await.unwrap().extra_args,
            vec!["--flash-attn", "on"]
        );
        lib.remove(&added.id).await.unwrap();
        assert!(lib.list().await.unwrap().is_empty());
        assert_eq!(
            lib.remove(&added.id).await.unwrap_err().code(),
            "model_not_found"
        );
    }

    #[tokio::test]
    async fn rejects_bad_input_with_codes() {
        let (_dir, lib) = library().await;
        assert_eq!(
            lib.add(new_model("relative.gguf"))
                .await
                .unwrap_err()
                .code(),
            "model_path_not_absolute"
        );
        let mut unnamed = new_model("/a.gguf");
        unnamed.name = "  ".into();
        assert_eq!(
            lib.add(unnamed).await.unwrap_err().code(),
            "model_name_empty"
        );
        let mut tiny = new_model("/a.gguf");
        tiny.context_size = Some(1);
        assert_eq!(
            lib.add(tiny).await.unwrap_err().code(),
            "model_context_size_invalid"
        );
        lib.add(new_model("/a.gguf")).await.unwrap();
        assert_eq!(
            lib.add(new_model("/a.gguf")).await.unwrap_err().code(),
            "model_path_duplicate"
        );
    }

    #[tokio::test]
    async fn starter_is_registered_once_when_its_file_exists() {
        let (dir, lib) = library().await;
        let paths = AppPaths::new(dir.path().join("data"), dir.path().join("cache"));
        assert!(lib.ensure_starter(&paths).await.unwrap().is_none());
        std::fs::create_dir_all(paths.models_dir()).unwrap();
        std::fs::write(paths.starter_model(), b"gguf").unwrap();
        let first = lib.ensure_starter(&paths).await.unwrap().unwrap();
        let second = lib.ensure_starter(&paths).await.unwrap().unwrap();
        assert_eq!(first.id, second.id);
        assert!(first.starter);
        assert_eq!(lib.list().await.unwrap().len(), 1);
    }
}
