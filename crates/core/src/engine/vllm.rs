//! vLLM's OpenAI-compatible server, as `vllm serve` (a process) or in the `vllm/vllm-openai`
//! image (see `docker.rs`); both take the same engine arguments.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::launch::LaunchTarget;
use super::launch::{LaunchSpec, StopStyle};

/// Weights are downloaded and loaded, CUDA graphs captured: minutes, not seconds.
pub(super) const START_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Printed by uvicorn once the API serves.
pub(super) const READY_MARKER: &str = "Application startup complete";
pub const VLLM_DTYPES: &[&str] = &["auto", "half", "float16", "bfloat16", "float", "float32"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct VllmSettings {
    /// Fraction of GPU memory vLLM may use (`--gpu-memory-utilization`), 0–1.
    #[ts(optional)]
    pub gpu_memory_utilization: Option<f32>,
    /// `--dtype`: auto, half, float16, bfloat16, float, float32.
    #[ts(optional)]
    pub dtype: Option<String>,
    /// GPUs to shard the model over (`--tensor-parallel-size`).
    #[ts(optional)]
    pub tensor_parallel_size: Option<u32>,
    /// Most sequences batched at once (`--max-num-seqs`).
    #[ts(optional)]
    pub max_num_seqs: Option<u32>,
    /// `--trust-remote-code`: run the model repository's own Python code.
    pub trust_remote_code: bool,
    /// The name clients ask for (`--served-model-name`); the model's name when unset.
    #[ts(optional)]
    pub served_model_name: Option<String>,
}

impl VllmSettings {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(u) = self.gpu_memory_utilization {
            if !(u > 0.0 && u <= 1.0) {
                return Err(format!(
                    "GPU memory utilization must be above 0 and at most 1, not {u}"
                ));
            }
        }
        if let Some(d) = self.dtype.as_deref().filter(|d| !VLLM_DTYPES.contains(d)) {
            return Err(format!(
                "dtype {d:?} is not one of {}",
                VLLM_DTYPES.join(", ")
            ));
        }
        if let Some(n) = self.tensor_parallel_size.filter(|n| !(1..=64).contains(n)) {
            return Err(format!(
                "tensor parallel size must be between 1 and 64, not {n}"
            ));
        }
        if let Some(n) = self.max_num_seqs.filter(|n| !(1..=65_536).contains(n)) {
            return Err(format!(
                "max sequences must be between 1 and 65536, not {n}"
            ));
        }
        if let Some(name) = &self.served_model_name {
            if name.trim().is_empty() || name.contains(char::is_whitespace) {
                return Err(format!(
                    "the served model name {name:?} must be one word without spaces"
                ));
            }
        }
        Ok(())
    }

    /// The name in the OpenAI `model` field.
    pub fn served_name(&self, model: &LaunchTarget) -> String {
        self.served_model_name
            .clone()
            .unwrap_or_else(|| model.name.clone())
    }

    /// Engine arguments after the model, the same for the process and the image: the tuning
    /// settings, the user's extra arguments, then the flags llmops manages (argparse takes the
    /// last value, so ours win).
    pub(super) fn engine_args(&self, model: &LaunchTarget) -> Vec<String> {
        let mut args = self.tuning_args();
        args.extend(model.extra_args.iter().cloned());
        args.extend([
            "--max-model-len".to_string(),
            model.context_size.to_string(),
            "--served-model-name".to_string(),
            self.served_name(model),
        ]);
        args
    }

    fn tuning_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut push = |flag: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(flag.to_string());
                args.push(value);
            }
        };
        push(
            "--gpu-memory-utilization",
            self.gpu_memory_utilization.map(|v| v.to_string()),
        );
        push("--dtype", self.dtype.clone());
        push(
            "--tensor-parallel-size",
            self.tensor_parallel_size.map(|v| v.to_string()),
        );
        push("--max-num-seqs", self.max_num_seqs.map(|v| v.to_string()));
        if self.trust_remote_code {
            args.push("--trust-remote-code".into());
        }
        args
    }
}

pub(super) fn launch_spec(
    model: &LaunchTarget,
    settings: &VllmSettings,
    program: PathBuf,
    port: u16,
    api_key: String,
) -> LaunchSpec {
    let mut args = vec!["serve".to_string(), model.path.clone()];
    args.extend(settings.engine_args(model));
    args.extend([
        "--host".to_string(),
        "127.0.0.1".to_string(),
        "--port".to_string(),
        port.to_string(),
    ]);
    LaunchSpec {
        env: vec![("VLLM_API_KEY".to_string(), api_key.clone())],
        inherit_env: super::launch::PYTHON_ENV,
        api_key: Some(api_key),
        program,
        args,
        health_path: "/health".into(),
        start_timeout: START_TIMEOUT,
        ready_marker: Some(READY_MARKER),
        served_model: settings.served_name(model),
        stop: StopStyle::ProcessGroup,
        on_parent_death: crate::engine::ParentDeath::Terminate,
    }
}
