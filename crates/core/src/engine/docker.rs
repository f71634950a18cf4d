//! vLLM in Docker: `docker run` of the `vllm/vllm-openai` image in the foreground (so its output
//! is the container's log), published on loopback only, stopped with `docker stop`.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::launch::LaunchTarget;
use super::launch::{LaunchSpec, StopStyle};
use super::vllm::{VllmSettings, READY_MARKER, START_TIMEOUT};

pub const DEFAULT_VLLM_IMAGE: &str = "vllm/vllm-openai:latest";
/// The port vLLM listens on inside the image.
const CONTAINER_PORT: u16 = 8000;
/// A first start may pull a ~10 GB image before vLLM even loads.
const DOCKER_START_TIMEOUT: Duration = Duration::from_secs(START_TIMEOUT.as_secs() + 30 * 60);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct VllmDockerSettings {
    /// The image; `vllm/vllm-openai:latest` when unset.
    #[ts(optional)]
    pub image: Option<String>,
    /// `--gpus`: `all`, a count, or `device=0,1`.
    #[ts(optional)]
    pub gpus: Option<String>,
    /// The host's Hugging Face cache, mounted so weights are downloaded once
    /// (`~/.cache/huggingface` when unset).
    #[ts(optional)]
    pub hf_cache: Option<String>,
    /// Environment entries for the container: `KEY=value`, or `KEY` to pass llmops' own value
    /// through. Secret ones (`HF_TOKEN=…`) are moved to the secret store when the model is saved.
    pub env: Vec<String>,
    #[serde(flatten)]
    pub vllm: VllmSettings,
}

impl VllmDockerSettings {
    pub fn validate(&self) -> Result<(), String> {
        self.vllm.validate()?;
        if let Some(image) = &self.image {
            if image.trim().is_empty()
                || image.contains(char::is_whitespace)
                || image.starts_with('-')
            {
                return Err(format!(
                    "the image {image:?} must be one word, e.g. {DEFAULT_VLLM_IMAGE}"
                ));
            }
        }
        if let Some(gpus) = &self.gpus {
            if gpus.trim().is_empty() || gpus.contains(char::is_whitespace) {
                return Err(format!(
                    "--gpus {gpus:?} must be all, a count, or device=0,1"
                ));
            }
        }
        if let Some(dir) = &self.hf_cache {
            if !dir.starts_with('/') {
                return Err(format!(
                    "the Hugging Face cache {dir:?} must be an absolute path"
                ));
            }
        }
        for entry in &self.env {
            let key = entry.split_once('=').map_or(entry.as_str(), |(key, _)| key);
            let valid = !key.is_empty()
                && !key.starts_with(|c: char| c.is_ascii_digit())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!(
                    "the environment entry {:?} must look like KEY=value, or KEY to pass llmops' own value through",
                    key
                ));
            }
        }
        Ok(())
    }
}

/// The container's name: derived from the instance, so that a later run can find and remove it.
pub fn container_name(instance_id: &str) -> String {
    format!("llmops-{instance_id}")
}

pub(super) fn launch_spec(
    model: &LaunchTarget,
    settings: &VllmDockerSettings,
    program: PathBuf,
    port: u16,
    instance_id: &str,
    home: Option<PathBuf>,
    container_id_file: Option<PathBuf>,
    api_key: String,
) -> LaunchSpec {
    let container = container_name(instance_id);
    let hf_cache = settings
        .hf_cache
        .clone()
        .or_else(|| home.map(|h| h.join(".cache/huggingface").display().to_string()));
    let mut args = vec![
        "run".to_string(),
        "--rm".to_string(),
        "--name".to_string(),
        container.clone(),
        "--gpus".to_string(),
        settings.gpus.clone().unwrap_or_else(|| "all".into()),
        // vLLM shares tensors between processes through shared memory.
        "--ipc=host".to_string(),
        "-p".to_string(),
        format!("127.0.0.1:{port}:{CONTAINER_PORT}"),
    ];
    // The container's id, which its processes' cgroups carry: how the monitor knows that a GPU
    // process in it is this instance's.
    if let Some(file) = container_id_file {
        args.push("--cidfile".into());
        args.push(file.display().to_string());
    }
    if let Some(dir) = hf_cache {
        args.push("-v".into());
        args.push(format!("{dir}:/root/.cache/huggingface"));
    }
    // Only names go on the command line (`-e NAME`): `docker run` takes each value from its
    // own environment, so `ps` never shows one.
    let mut env = vec![("VLLM_API_KEY".to_string(), api_key.clone())];
    for entry in &settings.env {
        // A bare `NAME` is passed through from llmops' own environment by docker itself.
        if let Some((name, value)) = entry.split_once('=') {
            env.push((name.to_string(), value.to_string()));
        }
    }
    let names = settings
        .env
        .iter()
        .map(|e| e.split_once('=').map_or(e.as_str(), |(name, _)| name))
        .chain(model.secret_env.iter().map(String::as_str))
        .chain(["VLLM_API_KEY"]);
    for name in names {
        args.push("-e".into());
        args.push(name.to_string());
    }
    args.push(
        settings
            .image
            .clone()
            .unwrap_or_else(|| DEFAULT_VLLM_IMAGE.into()),
    );
    args.push("--model".into());
    args.push(model.path.clone());
    args.extend(settings.vllm.engine_args(model));
    LaunchSpec {
        env,
        inherit_env: super::launch::DOCKER_ENV,
        api_key: Some(api_key),
        program: program.clone(),
        args,
        health_path: "/health".into(),
        start_timeout: DOCKER_START_TIMEOUT,
        ready_marker: Some(READY_MARKER),
        served_model: settings.vllm.served_name(model),
        stop: StopStyle::Docker {
            docker: program,
            container,
        },
        on_parent_death: crate::engine::ParentDeath::Terminate,
    }
}
