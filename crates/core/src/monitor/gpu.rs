//! GPUs behind one trait, so that AMD (ROCm SMI) and Apple (IOKit) backends can be added beside
//! the NVIDIA one without touching the sampler.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use nvml_wrapper::enum_wrappers::device::TemperatureSensor;
use nvml_wrapper::Nvml;

use super::snapshot::{GpuStats, GpuStatus};

pub trait GpuBackend: Send {
    fn sample(&mut self) -> GpuStatus;
}

/// NVIDIA GPUs through `nvml-wrapper`.
///
/// `nvml-wrapper-sys` resolves symbols lazily and panics when a called function is missing from
/// the loaded library (older drivers); each call is therefore contained with `catch_unwind` and
/// read as "not available".
pub struct NvidiaBackend {
    nvml: Result<Nvml, String>,
}

impl NvidiaBackend {
    pub fn new(lib_path: Option<&Path>) -> Self {
        let nvml = contain(|| {
            let mut builder = Nvml::builder();
            if let Some(path) = lib_path {
                builder.lib_path(path.as_os_str());
            }
            builder.init().map_err(|e| e.to_string())
        })
        .unwrap_or_else(|| Err("the NVML library is incomplete".to_string()));
        if let Err(reason) = &nvml {
            tracing::info!(%reason, "no NVIDIA GPU detected");
        }
        NvidiaBackend {
            nvml: nvml.map_err(|reason| not_detected_reason(&reason)),
        }
    }
}

impl GpuBackend for NvidiaBackend {
    fn sample(&mut self) -> GpuStatus {
        let nvml = match &self.nvml {
            Ok(nvml) => nvml,
            Err(reason) => {
                return GpuStatus::NotDetected {
                    reason: reason.clone(),
                }
            }
        };
        let driver_version = contain(|| nvml.sys_driver_version().ok()).flatten();
        let count = contain(|| nvml.device_count().ok()).flatten().unwrap_or(0);
        let gpus = (0..count).map(|index| sample_device(nvml, index)).collect();
        GpuStatus::Available {
            driver_version,
            gpus,
        }
    }
}

fn sample_device(nvml: &Nvml, index: u32) -> GpuStats {
    let mut stats = GpuStats {
        index,
        name: None,
        uuid: None,
        memory_total_bytes: None,
        memory_used_bytes: None,
        utilization_percent: None,
        temperature_celsius: None,
        power_watts: None,
    };
    let Some(Ok(device)) = contain(|| nvml.device_by_index(index)) else {
        return stats;
    };
    stats.name = contain(|| device.name().ok()).flatten();
    stats.uuid = contain(|| device.uuid().ok()).flatten();
    if let Some(Ok(memory)) = contain(|| device.memory_info()) {
        stats.memory_total_bytes = Some(memory.total);
        stats.memory_used_bytes = Some(memory.used);
    }
    stats.utilization_percent =
        contain(|| device.utilization_rates().ok().map(|u| u.gpu)).flatten();
    stats.temperature_celsius =
        contain(|| device.temperature(TemperatureSensor::Gpu).ok()).flatten();
    stats.power_watts =
        contain(|| device.power_usage().ok().map(|mw| mw as f64 / 1000.0)).flatten();
    stats
}

/// Runs one NVML call; a panic (missing symbol) becomes `None`.
fn contain<T>(call: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(call)).ok()
}

fn not_detected_reason(detail: &str) -> String {
    format!("The NVIDIA driver's NVML library could not be used ({detail}).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_a_clear_not_detected_state() {
        let mut backend = NvidiaBackend::new(Some(Path::new("/nonexistent/libnvidia-ml.so.1")));
        match backend.sample() {
            GpuStatus::NotDetected { reason } => {
                assert!(reason.contains("NVML library could not be used"))
            }
            other => panic!("expected NotDetected, got {other:?}"),
        }
    }
}
