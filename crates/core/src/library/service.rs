use std::path::Path;

use thiserror::Error;

use super::model::{Model, NewModel, RestartPolicy, STARTER_MODEL_NAME};
use crate::engine::{EngineKind, EngineSettings};
use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::events::{Event, EventBus};
use crate::paths::AppPaths;
use crate::secrets::SecretStore;
use crate::store::{Store, StoreError};
use crate::time::now_ms;

const DEFAULT_CONTEXT_SIZE: u32 = 4096;
/// Set when the user removes the starter model, so that it does not come back at the next start.
const STARTER_REMOVED: &str = "library.starter_removed";
const MAX_CONTEXT_SIZE: u32 = 1 << 20;

#[derive(Debug, Error)]
pub enum LibraryError {
    #[error("No model with id {0:?}; refresh the model list")]
    NotFound(String),
    #[error("A model needs a name")]
    EmptyName,
    #[error("The model path {0:?} is not absolute; give the full path of the weights file")]
    RelativePath(String),
    #[error("Say which model to serve: a Hugging Face repository (e.g. Qwen/Qwen2.5-7B-Instruct) or a local folder")]
    EmptyPath,
    #[error("The settings are for {settings} but the engine is {engine}; pick one")]
    EngineMismatch {
        engine: &'static str,
        settings: &'static str,
    },
    #[error("Context size {0} is out of range; use a value between 256 and {MAX_CONTEXT_SIZE}")]
    BadContextSize(u32),
    #[error("Port {0} is reserved for system services; choose a port from 1024 to 65535, or leave it empty")]
    PrivilegedPort(u16),
    #[error("Invalid extra argument {0:?}: {1}")]
    BadArgument(String, &'static str),
    #[error("Invalid engine settings: {0}")]
    BadSettings(String),
    #[error("Invalid GPU choice: {0}")]
    BadGpus(String),
    #[error("A restart policy allows 1 to 20 retries, not {0}")]
    BadRestartPolicy(u32),
    #[error("{0} is not a GGUF file (it does not start with the GGUF signature); llama.cpp needs a .gguf model file")]
    NotGguf(String),
    #[error("The model path {0:?} starts with '-', which the engine would read as an option; give the real path or repository")]
    PathLooksLikeFlag(String),
    #[error(
        "The secret environment entry {0:?} needs a name of letters, digits and _, and a value"
    )]
    BadSecretEnv(String),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("The model {name:?} already uses {path}")]
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
            LibraryError::BadGpus(_) => "model_gpus_invalid",
            LibraryError::BadArgument(..) => "model_args_invalid",
            LibraryError::PathLooksLikeFlag(_) => "model_path_invalid",
            LibraryError::NotGguf(_) => "model_file_not_gguf",
            LibraryError::BadSecretEnv(_) => "model_secret_env_invalid",
            LibraryError::Secret(e) => e.code(),
            LibraryError::Store(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            LibraryError::NotFound(id) => vec![("id", id.clone())],
            LibraryError::RelativePath(path)
            | LibraryError::NotGguf(path)
            | LibraryError::PathLooksLikeFlag(path) => vec![("path", path.clone())],
            LibraryError::EngineMismatch { engine, settings } => {
                vec![
                    ("engine", engine.to_string()),
                    ("settings", settings.to_string()),
                ]
            }
            LibraryError::BadContextSize(size) => vec![
                ("size", size.to_string()),
                ("max", MAX_CONTEXT_SIZE.to_string()),
            ],
            LibraryError::PrivilegedPort(port) => vec![("port", port.to_string())],
            LibraryError::BadArgument(argument, problem) => {
                vec![
                    ("argument", argument.clone()),
                    ("problem", problem.to_string()),
                ]
            }
            LibraryError::BadSettings(detail) => vec![("detail", detail.clone())],
            LibraryError::BadGpus(detail) => vec![("detail", detail.clone())],
            LibraryError::BadRestartPolicy(retries) => vec![("retries", retries.to_string())],
            LibraryError::BadSecretEnv(name) => vec![("name", name.clone())],
            LibraryError::DuplicatePath { name, path } => {
                vec![("name", name.clone()), ("path", path.clone())]
            }
            LibraryError::Secret(e) => e.params(),
            LibraryError::Store(e) => e.params(),
            LibraryError::EmptyName | LibraryError::EmptyPath => Vec::new(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            LibraryError::NotFound(_) => ErrorKind::NotFound,
            LibraryError::DuplicatePath { .. } => ErrorKind::Conflict,
            LibraryError::Store(_) => ErrorKind::Internal,
            LibraryError::Secret(e) => e.kind(),
            _ => ErrorKind::InvalidInput,
        }
    }
}

#[derive(Clone)]
pub struct ModelLibrary {
    store: Store,
    bus: EventBus,
    /// Values of the models' secret environment entries.
    secrets: SecretStore,
    /// Counts changes to the list, so that a service caching it knows when to read it again.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The secret store's name for one secret environment entry of a model.
fn secret_env_key(model_id: &str, name: &str) -> String {
    format!("model/{model_id}/env/{name}")
}

impl ModelLibrary {
    pub fn new(store: Store, bus: EventBus, secrets: SecretStore) -> Self {
        ModelLibrary {
            store,
            bus,
            secrets,
            generation: Default::default(),
        }
    }

    /// Changes with every add, edit or removal (before the change's event is published).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The values of a model's secret environment entries, for the engine's environment only.
    pub async fn secret_env_values(
        &self,
        model: &Model,
    ) -> Result<Vec<(String, String)>, LibraryError> {
        let mut values = Vec::with_capacity(model.secret_env.len());
        for name in &model.secret_env {
            match self.secrets.get(&secret_env_key(&model.id, name)).await? {
                Some(value) => values.push((name.clone(), value)),
                None => {
                    tracing::warn!(model = %model.id, %name, "a secret environment entry has no value in the secret store")
                }
            }
        }
        Ok(values)
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

    /// Another model that serves the same file or repository. Models without a path (a custom
    /// command that names everything itself) never clash.
    async fn model_with_same_path(&self, model: &Model) -> Result<Option<Model>, LibraryError> {
        if model.path.is_empty() {
            return Ok(None);
        }
        Ok(self.store.find_model_by_path(&model.path).await?)
    }

    /// The starter model, once it is registered.
    pub async fn starter(&self) -> Result<Option<Model>, LibraryError> {
        Ok(self.list().await?.into_iter().find(|m| m.starter))
    }

    /// Adds a model. The file need not exist yet (it may be on a drive not mounted now);
    /// starting it checks again and says so.
    pub async fn add(&self, new: NewModel) -> Result<Model, LibraryError> {
        let (model, secrets) = self.validate(new)?;
        if let Some(existing) = self.model_with_same_path(&model).await? {
            return Err(LibraryError::DuplicatePath {
                name: existing.name,
                path: model.path,
            });
        }
        // Secrets first: a model is never listed with a secret that was not kept.
        for (name, value) in &secrets {
            if let Err(err) = self
                .secrets
                .set(&secret_env_key(&model.id, name), value)
                .await
            {
                self.forget_secrets(&model).await;
                return Err(err.into());
            }
        }
        if let Err(err) = self.store.insert_model(&model).await {
            self.forget_secrets(&model).await;
            return Err(err.into());
        }
        tracing::info!(id = %model.id, path = %model.path, secrets = ?model.secret_env, "model added");
        self.publish_list().await;
        Ok(model)
    }

    /// Replaces a model's settings, validated as when it was added; its id, starter mark and
    /// creation time stay. `secret_env`: absent keeps the stored entries; given, it is the whole
    /// new set, where an empty value keeps that entry's stored value. A running instance keeps
    /// what it was started with: the edit applies at the model's next start.
    pub async fn update(&self, id: &str, mut edit: NewModel) -> Result<Model, LibraryError> {
        let existing = self.get(id).await?;
        let mut kept: Vec<String> = match edit.secret_env.as_mut() {
            None => existing.secret_env.clone(),
            Some(entries) => {
                let kept: Vec<String> = entries
                    .iter()
                    .filter(|(_, value)| value.is_empty())
                    .map(|(name, _)| name.clone())
                    .collect();
                for name in &kept {
                    if !existing.secret_env.contains(name) {
                        return Err(LibraryError::BadSecretEnv(name.clone()));
                    }
                    entries.remove(name);
                }
                kept
            }
        };
        let (mut model, secrets) = self.validate(edit)?;
        model.id = existing.id.clone();
        model.starter = existing.starter;
        model.created_at = existing.created_at;
        kept.retain(|name| !secrets.iter().any(|(set, _)| set == name));
        kept.extend(secrets.iter().map(|(name, _)| name.clone()));
        kept.sort();
        kept.dedup();
        model.secret_env = kept;
        if let Some(other) = self.model_with_same_path(&model).await? {
            if other.id != model.id {
                return Err(LibraryError::DuplicatePath {
                    name: other.name,
                    path: model.path,
                });
            }
        }
        for (name, value) in &secrets {
            self.secrets
                .set(&secret_env_key(&model.id, name), value)
                .await?;
        }
        if !self.store.update_model(&model).await? {
            return Err(LibraryError::NotFound(id.to_string()));
        }
        for name in existing
            .secret_env
            .iter()
            .filter(|name| !model.secret_env.contains(name))
        {
            if let Err(err) = self.secrets.delete(&secret_env_key(&model.id, name)).await {
                tracing::warn!(model = %model.id, %name, %err, "could not delete a secret environment entry");
            }
        }
        tracing::info!(id = %model.id, path = %model.path, secrets = ?model.secret_env, "model edited");
        self.publish_list().await;
        Ok(model)
    }

    pub async fn remove(&self, id: &str) -> Result<(), LibraryError> {
        let model = self.get(id).await?;
        if model.starter {
            // Removed on purpose: not registered again at the next start.
            self.store.set_setting(STARTER_REMOVED, "1").await?;
        }
        if !self.store.delete_model(id).await? {
            return Err(LibraryError::NotFound(id.to_string()));
        }
        self.forget_secrets(&model).await;
        tracing::info!(id, "model removed");
        self.publish_list().await;
        Ok(())
    }

    async fn forget_secrets(&self, model: &Model) {
        for name in &model.secret_env {
            if let Err(err) = self.secrets.delete(&secret_env_key(&model.id, name)).await {
                tracing::warn!(model = %model.id, %name, %err, "could not delete a secret environment entry");
            }
        }
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
        if self.store.setting(STARTER_REMOVED).await?.is_some() {
            return Ok(None);
        }
        let (mut model, _) = self.validate(NewModel {
            name: STARTER_MODEL_NAME.to_string(),
            path,
            engine: Some(EngineKind::LlamaCpp),
            context_size: Some(2048),
            extra_args: None,
            restart_policy: None,
            port: None,
            settings: None,
            secret_env: None,
            gpus: None,
        })?;
        model.starter = true;
        self.store.insert_model(&model).await?;
        Ok(Some(model))
    }

    /// The model to store, and the secret environment values to keep apart.
    fn validate(&self, new: NewModel) -> Result<(Model, Vec<(String, String)>), LibraryError> {
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
        if engine == EngineKind::LlamaCpp && !looks_like_gguf(Path::new(&path)) {
            return Err(LibraryError::NotGguf(path));
        }
        if path.starts_with('-') {
            return Err(LibraryError::PathLooksLikeFlag(path));
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
        let gpus = new.gpus.unwrap_or_default();
        gpus.validate().map_err(LibraryError::BadGpus)?;
        let (settings, secrets) = split_secrets(settings, new.secret_env.unwrap_or_default())?;
        let restart_policy = new.restart_policy.unwrap_or_default();
        if let RestartPolicy::OnFailure { max_retries } = restart_policy {
            if !(1..=20).contains(&max_retries) {
                return Err(LibraryError::BadRestartPolicy(max_retries));
            }
        }
        let model = Model {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            engine,
            path,
            context_size,
            extra_args,
            restart_policy,
            port: new.port,
            settings,
            secret_env: secrets.iter().map(|(name, _)| name.clone()).collect(),
            gpus,
            starter: false,
            created_at: now_ms(),
            file_missing: false,
        }
        .with_file_checked();
        Ok((model, secrets))
    }

    async fn publish_list(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(models) = self.store.list_models().await {
            self.bus.publish(Event::ModelsChanged(models));
        }
    }
}

/// Whether a file that exists starts with the GGUF signature. A file that does not exist yet
/// passes (it may be on a drive not mounted now; starting it checks again).
fn looks_like_gguf(path: &Path) -> bool {
    use std::io::Read;
    // A folder first: Windows cannot open one as a file at all.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return false,
        Err(_) => return true,
        Ok(_) => {}
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return true;
    };
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).is_ok() && &magic == b"GGUF"
}

/// Secret environment entries, validated: the given ones, plus any Docker `env` entry whose
/// name says it is a secret (`HF_TOKEN=…`), which leaves the settings for the secret store.
fn split_secrets(
    settings: EngineSettings,
    given: std::collections::BTreeMap<String, String>,
) -> Result<(EngineSettings, Vec<(String, String)>), LibraryError> {
    let mut secrets: Vec<(String, String)> = given.into_iter().collect();
    let settings = match settings {
        EngineSettings::VllmDocker(mut docker) => {
            let (secret, plain): (Vec<String>, Vec<String>) =
                docker.env.into_iter().partition(|entry| {
                    entry
                        .split_once('=')
                        .is_some_and(|(name, _)| crate::secrets::is_secret_env_name(name))
                });
            docker.env = plain;
            secrets.extend(secret.into_iter().filter_map(|entry| {
                entry
                    .split_once('=')
                    .map(|(name, value)| (name.to_string(), value.to_string()))
            }));
            EngineSettings::VllmDocker(docker)
        }
        other => other,
    };
    for (name, value) in &secrets {
        let valid_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name || value.is_empty() || value.contains('\0') {
            return Err(LibraryError::BadSecretEnv(name.clone()));
        }
    }
    secrets.sort();
    secrets.dedup_by(|a, b| a.0 == b.0);
    Ok((settings, secrets))
}

/// Flags llmops sets itself: letting a user override them would break supervision (the port
/// we poll, the address we bind, the key we check) or contradict the model's own path and name.
pub fn managed_flags(engine: EngineKind) -> &'static [&'static str] {
    match engine {
        EngineKind::LlamaCpp => &[
            "--port",
            "--host",
            "-m",
            "--model",
            "--alias",
            "-a",
            "--api-key",
            "--api-key-file",
        ],
        EngineKind::Vllm | EngineKind::VllmDocker => &[
            "--port",
            "--host",
            "--model",
            "--served-model-name",
            "--max-model-len",
            "--api-key",
        ],
        // A custom command is the user's own: they place {port} themselves.
        EngineKind::Custom => &[],
    }
}

/// Whether `flag` sets one of the managed flags. vLLM's argument parser reads `_` as `-` and
/// accepts any unambiguous prefix (`--hos`), so both are compared that way there.
fn overrides_managed_flag(engine: EngineKind, flag: &str) -> bool {
    let python = matches!(engine, EngineKind::Vllm | EngineKind::VllmDocker);
    let flag = if python && flag.starts_with("--") {
        format!("--{}", flag[2..].replace('_', "-"))
    } else {
        flag.to_string()
    };
    managed_flags(engine).iter().any(|managed| {
        *managed == flag
            || (python && flag.len() > 3 && flag.starts_with("--") && managed.starts_with(&flag))
    })
}

fn validate_extra_args(engine: EngineKind, args: &[String]) -> Result<(), LibraryError> {
    for arg in args {
        let flag = arg.split('=').next().unwrap_or_default();
        let problem = if arg.trim().is_empty() {
            Some("it is empty")
        } else if arg.contains(['\0', '\n', '\r']) {
            Some("it contains a line break or a NUL character")
        } else if overrides_managed_flag(engine, flag) {
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
        let secrets = SecretStore::open(dir.path(), crate::secrets::SecretPreference::File).await;
        (dir, ModelLibrary::new(store, EventBus::default(), secrets))
    }

    /// `/m/x.gguf` is absolute on Unix; on Windows it needs a drive (`C:/m/x.gguf`).
    fn new_model(path: &str) -> NewModel {
        match path.strip_prefix('/') {
            Some(rest) if cfg!(windows) => NewModel::new("m", format!("C:/{rest}")),
            _ => NewModel::new("m", path),
        }
    }

    #[tokio::test]
    async fn custom_commands_without_a_path_never_clash() {
        let (_dir, lib) = library().await;
        let custom = |name: &str| {
            let mut new = NewModel::new(name, "");
            new.engine = Some(EngineKind::Custom);
            new.settings = Some(EngineSettings::Custom(crate::engine::CustomSettings {
                command: vec!["my-server".into(), "--port".into(), "{port}".into()],
                health_path: "/health".into(),
                ..Default::default()
            }));
            new
        };
        lib.add(custom("first")).await.unwrap();
        lib.add(custom("second")).await.unwrap();
        assert_eq!(lib.list().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn secrets_are_kept_apart_and_forgotten_with_the_model() {
        let (dir, lib) = library().await;
        let mut new = new_model("Qwen/Qwen2.5-0.5B-Instruct");
        new.engine = Some(EngineKind::VllmDocker);
        new.settings = Some(EngineSettings::VllmDocker(
            crate::engine::VllmDockerSettings {
                env: vec![
                    "HF_TOKEN=hf_SECRET_1".into(),
                    "VLLM_LOGGING_LEVEL=DEBUG".into(),
                    "HF_HOME".into(),
                ],
                ..Default::default()
            },
        ));
        new.secret_env = Some([("OTHER_API_KEY".to_string(), "sk-2".to_string())].into());
        let model = lib.add(new).await.unwrap();
        assert_eq!(model.secret_env, ["HF_TOKEN", "OTHER_API_KEY"]);
        let shown = serde_json::to_string(&lib.list().await.unwrap()).unwrap();
        assert!(
            !shown.contains("hf_SECRET_1") && !shown.contains("sk-2"),
            "{shown}"
        );
        assert!(
            shown.contains("VLLM_LOGGING_LEVEL=DEBUG"),
            "plain entries stay visible"
        );
        let db = std::fs::read(dir.path().join("db.sqlite")).unwrap();
        assert!(!String::from_utf8_lossy(&db).contains("hf_SECRET_1"));
        assert_eq!(
            lib.secret_env_values(&model).await.unwrap(),
            [
                ("HF_TOKEN".to_string(), "hf_SECRET_1".to_string()),
                ("OTHER_API_KEY".to_string(), "sk-2".to_string())
            ]
        );
        lib.remove(&model.id).await.unwrap();
        assert!(lib.secret_env_values(&model).await.unwrap().is_empty());

        let mut bad = new_model("/m/x.gguf");
        bad.secret_env = Some([("BAD NAME".to_string(), "v".to_string())].into());
        assert_eq!(
            lib.add(bad).await.unwrap_err().code(),
            "model_secret_env_invalid"
        );
    }

    #[tokio::test]
    async fn a_file_that_is_not_gguf_is_refused_for_llama_cpp() {
        let (dir, lib) = library().await;
        let text = dir.path().join("hostname.gguf");
        std::fs::write(&text, b"my-pc\n").unwrap();
        let err = lib
            .add(new_model(&text.display().to_string()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "model_file_not_gguf");
        let folder = dir.path().display().to_string();
        assert_eq!(
            lib.add(new_model(&folder)).await.unwrap_err().code(),
            "model_file_not_gguf"
        );
        let real = dir.path().join("real.gguf");
        std::fs::write(&real, b"GGUF\x03\x00\x00\x00").unwrap();
        assert!(lib
            .add(new_model(&real.display().to_string()))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_model_whose_file_went_away_is_listed_as_file_missing() {
        let (dir, lib) = library().await;
        let file = dir.path().join("moved.gguf");
        std::fs::write(&file, b"GGUF\x03\x00\x00\x00").unwrap();
        let added = lib
            .add(new_model(&file.display().to_string()))
            .await
            .unwrap();
        assert!(!added.file_missing);
        std::fs::remove_file(&file).unwrap();
        assert!(lib.get(&added.id).await.unwrap().file_missing);
        assert!(lib.list().await.unwrap()[0].file_missing);
        // A vLLM repository id is not a local path: never "missing".
        let mut repo = new_model("Qwen/Qwen2.5-0.5B-Instruct");
        repo.engine = Some(EngineKind::Vllm);
        repo.name = "repo".into();
        assert!(!lib.add(repo).await.unwrap().file_missing);
        std::fs::write(&file, b"GGUF\x03\x00\x00\x00").unwrap();
        assert!(
            !lib.get(&added.id).await.unwrap().file_missing,
            "back in place"
        );
    }

    #[tokio::test]
    async fn managed_flags_cannot_be_set_in_any_spelling_and_paths_are_not_options() {
        let (_dir, lib) = library().await;
        let vllm = |arg: &str| {
            let mut new = new_model("Qwen/Qwen2.5-0.5B-Instruct");
            new.engine = Some(EngineKind::Vllm);
            new.extra_args = Some(vec![arg.to_string()]);
            new
        };
        for arg in [
            "--served_model_name=x",
            "--max_model_len",
            "--hos=0.0.0.0",
            "--host",
            "--api_key=k",
            "--po",
        ] {
            let err = lib.add(vllm(arg)).await.unwrap_err();
            assert_eq!(err.code(), "model_args_invalid", "{arg}");
        }
        // A prefix of an unmanaged flag only, or a value, is fine.
        assert!(lib.add(vllm("--dtype=half")).await.is_ok());
        let mut llama = new_model("/m/a.gguf");
        llama.extra_args = Some(vec!["--api-key".into(), "x".into()]);
        assert_eq!(
            lib.add(llama).await.unwrap_err().code(),
            "model_args_invalid"
        );
        let mut dash = new_model("--trust-remote-code");
        dash.engine = Some(EngineKind::Vllm);
        assert_eq!(
            lib.add(dash).await.unwrap_err().code(),
            "model_path_invalid"
        );
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
        std::fs::write(paths.starter_model(), b"GGUF").unwrap();
        let first = lib.ensure_starter(&paths).await.unwrap().unwrap();
        let second = lib.ensure_starter(&paths).await.unwrap().unwrap();
        assert_eq!(first.id, second.id);
        assert!(first.starter);
        assert_eq!(lib.list().await.unwrap().len(), 1);
        // Removed by the user: it does not come back (with a new id) at the next start.
        lib.remove(&first.id).await.unwrap();
        assert!(lib.ensure_starter(&paths).await.unwrap().is_none());
        assert!(lib.list().await.unwrap().is_empty());
    }
}
