//! What a benchmark measured on: the engine (binary, version, command line), the model file
//! (path, size, sha256 when the file says it) and this machine (CPU, memory, GPUs and driver).
//! Kept with the record, so a result can be repeated and two results compared.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::monitor::{GpuStatus, SampleContext, SystemMonitor, SystemSnapshot};
use crate::supervisor::InstanceInfo;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchEnvironment {
    /// The llmops version that measured.
    pub llmops_version: String,
    pub engine: Option<String>,
    pub engine_binary: Option<String>,
    pub engine_version: Option<String>,
    /// The engine's command line (program first); it holds no secret.
    pub argv: Vec<String>,
    pub context_size: Option<u32>,
    pub model_path: Option<String>,
    #[ts(type = "number | null")]
    pub model_bytes: Option<u64>,
    /// Known when the file is a Hugging Face cache blob (named by its sha256).
    pub model_sha256: Option<String>,
    /// Of this machine; left empty for an external endpoint (its hardware is not ours).
    pub hostname: Option<String>,
    pub cpu: Option<String>,
    pub logical_cores: Option<u32>,
    #[ts(type = "number | null")]
    pub memory_bytes: Option<u64>,
    /// `name (memory)` per GPU.
    pub gpus: Vec<String>,
    pub gpu_driver: Option<String>,
}

impl BenchEnvironment {
    pub fn new() -> BenchEnvironment {
        BenchEnvironment {
            llmops_version: env!("CARGO_PKG_VERSION").to_string(),
            ..BenchEnvironment::default()
        }
    }

    /// The running instance measured and its command line.
    pub fn with_instance(mut self, instance: &InstanceInfo, argv: Option<Vec<String>>) -> Self {
        self.engine = Some(instance.engine.as_str().to_string());
        self.engine_binary = Some(instance.binary.clone());
        self.engine_version = instance.binary_version.clone();
        self.context_size = Some(instance.context_size);
        self.argv = argv.unwrap_or_default();
        self
    }

    /// The model file: its size, and its sha256 when the cache names the blob by it.
    pub fn with_model_file(mut self, path: &str) -> Self {
        self.model_path = Some(path.to_string());
        self.model_bytes = std::fs::metadata(path).ok().map(|m| m.len());
        self.model_sha256 = std::fs::canonicalize(path)
            .ok()
            .and_then(|real| blob_sha256(&real));
        self
    }

    /// This machine, from the monitor's latest sample (or a fresh one).
    pub async fn with_machine(mut self, monitor: &SystemMonitor) -> Self {
        let snapshot = match monitor.latest() {
            Some(snapshot) => Some(snapshot),
            None => {
                let monitor = monitor.clone();
                tokio::task::spawn_blocking(move || {
                    monitor.sample(&SampleContext {
                        instances: Vec::new(),
                        model_paths: Vec::new(),
                    })
                })
                .await
                .ok()
            }
        };
        if let Some(snapshot) = snapshot {
            self.describe_machine(&snapshot);
        }
        self
    }

    fn describe_machine(&mut self, snapshot: &SystemSnapshot) {
        self.hostname = Some(snapshot.hostname.clone());
        self.cpu = Some(snapshot.cpu.brand.clone());
        self.logical_cores = Some(snapshot.cpu.logical_cores);
        self.memory_bytes = Some(snapshot.memory.total_bytes);
        if let GpuStatus::Available {
            driver_version,
            gpus,
            ..
        } = &snapshot.gpu
        {
            self.gpu_driver = driver_version.clone();
            self.gpus = gpus
                .iter()
                .map(|g| {
                    let name = g.name.clone().unwrap_or_else(|| format!("GPU {}", g.index));
                    match g.memory_total_bytes {
                        Some(bytes) => format!("{name} ({} MiB)", bytes / (1024 * 1024)),
                        None => name,
                    }
                })
                .collect();
        }
    }
}

/// `…/blobs/<64 hex>`: the Hugging Face cache names a large file's blob by its sha256.
fn blob_sha256(real: &Path) -> Option<String> {
    let name = real.file_name()?.to_str()?;
    let in_blobs = real.parent()?.file_name()? == "blobs";
    let hex = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
    (in_blobs && hex).then(|| name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_blob_is_known_by_its_sha256() {
        let sha = "a".repeat(64);
        assert_eq!(
            blob_sha256(Path::new(&format!("/c/models--x/blobs/{sha}"))),
            Some(sha.clone())
        );
        assert_eq!(blob_sha256(Path::new(&format!("/c/snapshots/{sha}"))), None);
        assert_eq!(blob_sha256(Path::new("/c/blobs/model.gguf")), None);
    }
}
