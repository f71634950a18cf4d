//! NVIDIA GPUs through `nvml-wrapper`.
//!
//! - Every NVML call is contained: `nvml-wrapper-sys` panics ("Expected function, got error.")
//!   when a function is missing from the loaded library (older drivers). A call that panicked
//!   once is remembered and not made again, so its value stays "n/a" without a panic per sample.
//! - Values a GPU does not support (NOT_SUPPORTED) are `None`.
//! - When the driver goes away (resume from sleep, driver reload) the handle is dropped and
//!   initialisation is retried every `retry_every`, so the GPUs come back by themselves.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nvml_wrapper::enum_wrappers::device::{Clock, PcieUtilCounter, TemperatureSensor};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};

use super::throttle;
use super::GpuBackend;
use crate::error::{ErrorBody, ErrorParams};
use crate::monitor::snapshot::{GpuProcess, GpuStats, GpuStatus};

/// What does not change while the driver is loaded, read once per initialisation.
#[derive(Clone, Default)]
struct StaticInfo {
    name: Option<String>,
    uuid: Option<String>,
    pci_bus_id: Option<String>,
    memory_total_bytes: Option<u64>,
    power_limit_watts: Option<f64>,
    max_sm_clock_mhz: Option<u32>,
    max_memory_clock_mhz: Option<u32>,
}

struct Loaded {
    nvml: Nvml,
    driver_version: Option<String>,
    cuda_version: Option<String>,
    devices: Vec<StaticInfo>,
}

enum State {
    Loaded(Box<Loaded>),
    Unavailable {
        reason: ErrorBody,
        retry_at: Instant,
    },
}

pub struct NvidiaBackend {
    lib_path: Option<PathBuf>,
    retry_every: Duration,
    state: State,
    /// Calls that panicked (missing symbol); never made again.
    broken: HashSet<&'static str>,
}

impl NvidiaBackend {
    pub fn new(lib_path: Option<PathBuf>) -> Self {
        Self::with_retry(lib_path, Duration::from_secs(10))
    }

    pub fn with_retry(lib_path: Option<PathBuf>, retry_every: Duration) -> Self {
        let mut backend = NvidiaBackend {
            lib_path,
            retry_every,
            state: State::Unavailable {
                reason: ErrorBody::new("", ""),
                retry_at: Instant::now(),
            },
            broken: HashSet::new(),
        };
        backend.try_init();
        backend
    }

    fn try_init(&mut self) {
        let lib_path = self.lib_path.clone();
        let init = contain(move || {
            let mut builder = Nvml::builder();
            if let Some(path) = &lib_path {
                builder.lib_path(path.as_os_str());
            }
            builder.init()
        });
        self.state = match init {
            Some(Ok(nvml)) => {
                let loaded = self.load(nvml);
                tracing::info!(gpus = loaded.devices.len(), driver = ?loaded.driver_version, "NVIDIA driver found");
                State::Loaded(Box::new(loaded))
            }
            Some(Err(err)) => self.unavailable(NoGpu::new(
                "gpu_nvml_unusable",
                vec![("detail", err.to_string())],
                format!("The NVIDIA driver's NVML library could not be used ({err})"),
            )),
            None => self.unavailable(NoGpu::new(
                "gpu_nvml_incomplete",
                Vec::new(),
                "The NVML library is incomplete (initialisation failed)".to_string(),
            )),
        };
    }

    fn unavailable(&self, reason: ErrorBody) -> State {
        tracing::debug!(reason = %reason.message, "no NVIDIA GPU detected");
        State::Unavailable {
            reason,
            retry_at: Instant::now() + self.retry_every,
        }
    }

    fn load(&mut self, nvml: Nvml) -> Loaded {
        let driver_version = self.call("driver_version", || nvml.sys_driver_version());
        let cuda_version = self
            .call("cuda_version", || nvml.sys_cuda_driver_version())
            .map(|v| {
                format!(
                    "{}.{}",
                    nvml_wrapper::cuda_driver_version_major(v),
                    nvml_wrapper::cuda_driver_version_minor(v)
                )
            });
        let count = self
            .call("device_count", || nvml.device_count())
            .unwrap_or(0);
        let devices = (0..count)
            .map(
                |index| match self.call("device_by_index", || nvml.device_by_index(index)) {
                    Some(device) => self.static_info(&device),
                    None => StaticInfo::default(),
                },
            )
            .collect();
        Loaded {
            nvml,
            driver_version,
            cuda_version,
            devices,
        }
    }

    fn static_info(&mut self, device: &Device) -> StaticInfo {
        StaticInfo {
            name: self.call("name", || device.name()),
            uuid: self.call("uuid", || device.uuid()),
            pci_bus_id: self
                .call("pci_info", || device.pci_info())
                .map(|p| p.bus_id),
            memory_total_bytes: self
                .call("memory_info", || device.memory_info())
                .map(|m| m.total),
            power_limit_watts: self
                .call("enforced_power_limit", || device.enforced_power_limit())
                .map(milliwatts),
            max_sm_clock_mhz: self.call("max_clock_sm", || device.max_clock_info(Clock::SM)),
            max_memory_clock_mhz: self
                .call("max_clock_memory", || device.max_clock_info(Clock::Memory)),
        }
    }

    /// Makes one NVML call: `None` for any error or a contained panic; a panicking call is
    /// marked broken and skipped from then on.
    fn call<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<T, NvmlError>,
    ) -> Option<T> {
        if self.broken.contains(name) {
            return None;
        }
        match contain(f) {
            Some(result) => result.ok(),
            None => {
                tracing::warn!(
                    call = name,
                    "NVML call is missing from this driver; shown as n/a"
                );
                self.broken.insert(name);
                None
            }
        }
    }

    fn sample_loaded(&mut self) -> Result<GpuStatus, ErrorBody> {
        let State::Loaded(loaded) = std::mem::replace(
            &mut self.state,
            State::Unavailable {
                reason: ErrorBody::new("", ""),
                retry_at: Instant::now(),
            },
        ) else {
            unreachable!("sample_loaded is only called in the Loaded state")
        };
        // Detects a driver that went away: the count fails with DriverNotLoaded/GpuLost.
        let count = match contain(|| loaded.nvml.device_count()) {
            Some(Ok(count)) => count,
            Some(Err(err)) => {
                return Err(NoGpu::new(
                    "gpu_driver_lost",
                    vec![("detail", err.to_string())],
                    format!("The NVIDIA driver stopped answering ({err}); retrying"),
                ))
            }
            None => {
                return Err(NoGpu::new(
                    "gpu_nvml_stopped",
                    Vec::new(),
                    "The NVML library stopped answering; retrying".to_string(),
                ))
            }
        };
        let mut gpus = Vec::with_capacity(count as usize);
        for index in 0..count {
            let info = loaded
                .devices
                .get(index as usize)
                .cloned()
                .unwrap_or_default();
            let Some(device) = self.call("device_by_index", || loaded.nvml.device_by_index(index))
            else {
                gpus.push(GpuStats {
                    index,
                    ..Default::default()
                });
                continue;
            };
            match self.live_stats(&device, index, info) {
                Ok(stats) => gpus.push(stats),
                Err(err) => {
                    return Err(NoGpu::new(
                        "gpu_device_lost",
                        vec![("index", index.to_string()), ("detail", err.to_string())],
                        format!("GPU {index} stopped answering ({err}); retrying"),
                    ))
                }
            }
        }
        let status = GpuStatus::Available {
            driver_version: loaded.driver_version.clone(),
            cuda_version: loaded.cuda_version.clone(),
            gpus,
        };
        self.state = State::Loaded(loaded);
        Ok(status)
    }

    fn live_stats(
        &mut self,
        device: &Device,
        index: u32,
        info: StaticInfo,
    ) -> Result<GpuStats, NvmlError> {
        // Memory is always supported; its failure means the GPU or driver is gone.
        let memory = match contain(|| device.memory_info()) {
            Some(Ok(memory)) => Some(memory),
            Some(Err(
                err @ (NvmlError::GpuLost | NvmlError::DriverNotLoaded | NvmlError::Uninitialized),
            )) => return Err(err),
            _ => None,
        };
        let utilization = self.call("utilization_rates", || device.utilization_rates());
        Ok(GpuStats {
            index,
            name: info.name,
            uuid: info.uuid,
            pci_bus_id: info.pci_bus_id,
            memory_total_bytes: memory.as_ref().map(|m| m.total).or(info.memory_total_bytes),
            memory_used_bytes: memory.as_ref().map(|m| m.used),
            memory_free_bytes: memory.as_ref().map(|m| m.free),
            utilization_percent: utilization.as_ref().map(|u| u.gpu),
            memory_utilization_percent: utilization.as_ref().map(|u| u.memory),
            temperature_celsius: self
                .call("temperature", || device.temperature(TemperatureSensor::Gpu)),
            power_watts: self
                .call("power_usage", || device.power_usage())
                .map(milliwatts),
            power_limit_watts: info.power_limit_watts,
            fan_speed_percent: self.call("fan_speed", || device.fan_speed(0)),
            sm_clock_mhz: self.call("clock_sm", || device.clock_info(Clock::SM)),
            memory_clock_mhz: self.call("clock_memory", || device.clock_info(Clock::Memory)),
            max_sm_clock_mhz: info.max_sm_clock_mhz,
            max_memory_clock_mhz: info.max_memory_clock_mhz,
            pcie_rx_bytes_per_second: self
                .call("pcie_rx", || {
                    device.pcie_throughput(PcieUtilCounter::Receive)
                })
                .map(kilobytes),
            pcie_tx_bytes_per_second: self
                .call("pcie_tx", || device.pcie_throughput(PcieUtilCounter::Send))
                .map(kilobytes),
            throttle_reasons: self
                .call("throttle_reasons", || device.current_throttle_reasons())
                .map(|r| throttle::names(r.bits())),
            processes: self
                .call("compute_processes", || device.running_compute_processes())
                .map(|list| {
                    list.into_iter()
                        .map(|p| GpuProcess {
                            pid: p.pid,
                            name: None,
                            used_memory_bytes: match p.used_gpu_memory {
                                UsedGpuMemory::Used(bytes) => Some(bytes),
                                UsedGpuMemory::Unavailable => None,
                            },
                            instance_id: None,
                            model_name: None,
                        })
                        .collect()
                }),
        })
    }
}

impl GpuBackend for NvidiaBackend {
    fn sample(&mut self) -> GpuStatus {
        if let State::Unavailable { retry_at, .. } = &self.state {
            if Instant::now() >= *retry_at {
                self.try_init();
            }
        }
        if let State::Unavailable { reason, .. } = &self.state {
            return not_detected(reason.clone());
        }
        match self.sample_loaded() {
            Ok(status) => status,
            Err(reason) => {
                tracing::warn!(reason = %reason.message, "lost the NVIDIA driver");
                // Dropping the handle (nvmlShutdown) happened with the old state; start over later.
                self.state = self.unavailable(reason.clone());
                not_detected(reason)
            }
        }
    }
}

/// Why there is no GPU reading: a code with its values, and the English text.
struct NoGpu;

impl NoGpu {
    fn new(code: &str, params: ErrorParams, text: String) -> ErrorBody {
        let mut body = ErrorBody::new(code, text);
        body.params = (!params.is_empty()).then(|| {
            params
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect()
        });
        body
    }
}

fn not_detected(reason: ErrorBody) -> GpuStatus {
    GpuStatus::NotDetected {
        reason: reason.message.clone(),
        summary: Some(reason),
    }
}

fn milliwatts(mw: u32) -> f64 {
    mw as f64 / 1000.0
}

fn kilobytes(kb: u32) -> u64 {
    kb as u64 * 1024
}

/// Runs one NVML call; a panic (missing symbol) becomes `None`.
fn contain<T>(call: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(call)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_a_clear_not_detected_state() {
        let mut backend = NvidiaBackend::new(Some("/nonexistent/libnvidia-ml.so.1".into()));
        match backend.sample() {
            GpuStatus::NotDetected { reason, .. } => assert!(
                reason.contains("NVML library could not be used"),
                "{reason}"
            ),
            other => panic!("expected NotDetected, got {other:?}"),
        }
    }

    #[test]
    fn a_call_that_panics_is_contained_and_not_made_again() {
        let mut backend = NvidiaBackend::new(Some("/nonexistent/libnvidia-ml.so.1".into()));
        let mut calls = 0;
        for _ in 0..3 {
            let value: Option<u32> = backend.call("missing_symbol", || {
                calls += 1;
                panic!("Expected function, got error.")
            });
            assert_eq!(value, None);
        }
        assert_eq!(calls, 1);
    }
}
