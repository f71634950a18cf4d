//! NVIDIA GPUs through `nvml-wrapper`.
//!
//! - Every NVML call is contained: `nvml-wrapper-sys` panics ("Expected function, got error.")
//!   when a function is missing from the loaded library (older drivers). A call that panicked
//!   or whose symbol is missing is remembered and not made again, so its value stays "n/a".
//! - Values a GPU does not support (NOT_SUPPORTED) are `None`.
//! - Each reading has a cost class ([`NVML_READINGS`]): static ones are read once per
//!   initialisation, fast ones in every tick, and slow ones (PCIe throughput, which the driver
//!   measures over 20 ms per direction) on their own thread and cadence, so that 8 GPUs × 40 ms
//!   never delay the tick.
//! - Critical Xid errors arrive as NVML events: a thread waits on an event set and counts them
//!   per GPU (Linux; NVML has no events on Windows).
//! - A GPU that falls off the bus (`GPU_IS_LOST`) is shown as lost and asked again every
//!   `retry_every`; the other GPUs go on.
//! - When the driver goes away (resume from sleep, driver reload) the handle is dropped and
//!   initialisation is retried every `retry_every`, so the GPUs come back by themselves.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use nvml_wrapper::enum_wrappers::device::{
    Clock, PcieUtilCounter, PerformancePolicy, TemperatureSensor,
};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};

use super::throttle;
use super::{GpuBackend, NoGpu};
use crate::error::ErrorBody;
use crate::monitor::snapshot::{GpuProcess, GpuStats, GpuStatus};

/// What an NVML reading costs, which decides when it is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostClass {
    /// Does not change while the driver is loaded: read once per initialisation.
    Static,
    /// A driver-cached value (microseconds on real drivers): read in every tick.
    Fast,
    /// Measured over a window before the driver answers: read on the slow thread, at
    /// [`SamplingPlan::slow_every`].
    Slow,
    /// Set up once per initialisation for an event the driver delivers; the events are waited
    /// for on their own thread.
    Event,
}

/// Every NVML reading the backend takes, by the name its call is contained under, with its cost
/// class. A test keeps this table and the calls in `nvidia.rs` in lockstep.
pub const NVML_READINGS: &[(&str, CostClass)] = &[
    ("driver_version", CostClass::Static),
    ("cuda_version", CostClass::Static),
    ("device_count", CostClass::Fast),
    ("device_by_index", CostClass::Fast),
    ("name", CostClass::Static),
    ("uuid", CostClass::Static),
    ("pci_info", CostClass::Static),
    ("memory_info", CostClass::Fast),
    ("enforced_power_limit", CostClass::Static),
    ("max_clock_sm", CostClass::Static),
    ("max_clock_memory", CostClass::Static),
    ("mig_mode", CostClass::Static),
    ("utilization_rates", CostClass::Fast),
    ("temperature", CostClass::Fast),
    ("power_usage", CostClass::Fast),
    ("fan_speed", CostClass::Fast),
    ("clock_sm", CostClass::Fast),
    ("clock_memory", CostClass::Fast),
    ("throttle_reasons", CostClass::Fast),
    ("compute_processes", CostClass::Fast),
    ("total_energy", CostClass::Fast),
    ("power_violation", CostClass::Fast),
    ("thermal_violation", CostClass::Fast),
    ("pcie_replay_counter", CostClass::Fast),
    ("event_set", CostClass::Event),
    ("supported_event_types", CostClass::Event),
    ("register_xid_events", CostClass::Event),
    ("pcie_rx", CostClass::Slow),
    ("pcie_tx", CostClass::Slow),
];

/// When readings are taken.
#[derive(Debug, Clone, Copy)]
pub struct SamplingPlan {
    /// How long to wait before asking a lost driver or a lost GPU again.
    pub retry_every: Duration,
    /// The cadence of slow readings on their own thread; `None` reads them inline in every tick
    /// (what the benchmark compares against).
    pub slow_every: Option<Duration>,
}

impl Default for SamplingPlan {
    fn default() -> Self {
        SamplingPlan {
            retry_every: Duration::from_secs(10),
            slow_every: Some(Duration::from_secs(2)),
        }
    }
}

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
    mig_enabled: Option<bool>,
}

struct Loaded {
    nvml: Arc<Nvml>,
    driver_version: Option<String>,
    cuda_version: Option<String>,
    devices: Vec<StaticInfo>,
    /// Per GPU: when a lost GPU is asked again; `None` for a GPU that answers.
    lost_until: Vec<Option<Instant>>,
    /// The slow readings' thread, stopped when the driver handle is dropped.
    slow: Option<SlowSampler>,
    /// The thread that counts Xid events; stopped with the handle.
    xid: Option<XidWatcher>,
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
    plan: SamplingPlan,
    state: State,
    /// Calls that panicked or are missing (older driver); never made again.
    broken: HashSet<&'static str>,
}

impl NvidiaBackend {
    pub fn new(lib_path: Option<PathBuf>) -> Self {
        Self::with_plan(lib_path, SamplingPlan::default())
    }

    /// Slow readings inline, so that every sample has them: for tests.
    pub fn with_retry(lib_path: Option<PathBuf>, retry_every: Duration) -> Self {
        Self::with_plan(
            lib_path,
            SamplingPlan {
                retry_every,
                slow_every: None,
            },
        )
    }

    pub fn with_plan(lib_path: Option<PathBuf>, plan: SamplingPlan) -> Self {
        let mut backend = NvidiaBackend {
            lib_path,
            plan,
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
                let loaded = self.load(Arc::new(nvml));
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
            retry_at: Instant::now() + self.plan.retry_every,
        }
    }

    fn load(&mut self, nvml: Arc<Nvml>) -> Loaded {
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
        let devices: Vec<StaticInfo> = (0..count)
            .map(
                |index| match self.call("device_by_index", || nvml.device_by_index(index)) {
                    Some(device) => self.static_info(&device),
                    None => StaticInfo::default(),
                },
            )
            .collect();
        let slow = self
            .plan
            .slow_every
            .map(|every| SlowSampler::start(nvml.clone(), every));
        let xid = XidWatcher::start(nvml.clone());
        Loaded {
            nvml,
            driver_version,
            cuda_version,
            lost_until: vec![None; devices.len()],
            devices,
            slow,
            xid,
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
            mig_enabled: self
                .call("mig_mode", || device.mig_mode())
                .map(|m| m.current == 1),
        }
    }

    /// Makes one NVML call: `None` for any error or a contained panic; a call that panicked or
    /// whose symbol is missing is marked broken and skipped from then on.
    fn call<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<T, NvmlError>,
    ) -> Option<T> {
        contained_call(&mut self.broken, name, f)
    }

    fn sample_loaded(&mut self) -> Result<GpuStatus, ErrorBody> {
        let State::Loaded(mut loaded) = std::mem::replace(
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
        loaded.lost_until.resize(count as usize, None);
        let mut gpus = Vec::with_capacity(count as usize);
        for index in 0..count {
            let info = loaded
                .devices
                .get(index as usize)
                .cloned()
                .unwrap_or_default();
            match self.sample_device(&mut loaded, index, info)? {
                Some(stats) => gpus.push(stats),
                None => gpus.push(GpuStats {
                    index,
                    ..Default::default()
                }),
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

    /// One GPU's readings; a lost GPU is marked and skipped until its retry time. `Err` only
    /// when the driver as a whole is gone.
    fn sample_device(
        &mut self,
        loaded: &mut Loaded,
        index: u32,
        info: StaticInfo,
    ) -> Result<Option<GpuStats>, ErrorBody> {
        let slot = index as usize;
        let xid = loaded
            .xid
            .as_ref()
            .map(|x| x.reading(slot))
            .unwrap_or_default();
        if loaded.lost_until[slot].is_some_and(|until| Instant::now() < until) {
            return Ok(Some(lost_gpu(index, info, xid)));
        }
        let nvml = loaded.nvml.clone();
        let Some(device) = self.call("device_by_index", || nvml.device_by_index(index)) else {
            return Ok(None);
        };
        let slow = loaded.slow.as_ref().map(|s| s.reading(slot));
        match self.live_stats(&device, index, info.clone(), slow, xid) {
            Ok(stats) => {
                if loaded.lost_until[slot].take().is_some() {
                    tracing::info!(gpu = index, "GPU answers again");
                }
                Ok(Some(stats))
            }
            Err(NvmlError::GpuLost) => {
                if loaded.lost_until[slot].is_none() {
                    tracing::error!(gpu = index, "GPU fell off the bus (GPU_IS_LOST)");
                }
                loaded.lost_until[slot] = Some(Instant::now() + self.plan.retry_every);
                Ok(Some(lost_gpu(index, info, xid)))
            }
            Err(err) => Err(NoGpu::new(
                "gpu_device_lost",
                vec![("index", index.to_string()), ("detail", err.to_string())],
                format!("GPU {index} stopped answering ({err}); retrying"),
            )),
        }
    }

    fn live_stats(
        &mut self,
        device: &Device,
        index: u32,
        info: StaticInfo,
        slow: Option<SlowReading>,
        xid: XidReading,
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
        let pcie = match slow {
            Some(reading) => reading,
            None => read_pcie(&mut self.broken, device),
        };
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
            pcie_rx_bytes_per_second: pcie.rx_bytes_per_second,
            pcie_tx_bytes_per_second: pcie.tx_bytes_per_second,
            throttle_reasons: self
                .call("throttle_reasons", || device.current_throttle_reasons())
                .map(|r| throttle::names(r.bits())),
            processes: self
                .call("compute_processes", || device.running_compute_processes())
                .map(|list| list.into_iter().map(gpu_process).collect()),
            lost: false,
            mig_enabled: info.mig_enabled,
            energy_joules_total: self
                .call("total_energy", || device.total_energy_consumption())
                .map(|mj| mj as f64 / 1000.0),
            power_throttle_seconds_total: self
                .call("power_violation", || {
                    device.violation_status(PerformancePolicy::Power)
                })
                .map(|v| v.violation_time as f64 / 1e9),
            thermal_throttle_seconds_total: self
                .call("thermal_violation", || {
                    device.violation_status(PerformancePolicy::Thermal)
                })
                .map(|v| v.violation_time as f64 / 1e9),
            pcie_replays_total: self
                .call("pcie_replay_counter", || device.pcie_replay_counter())
                .map(u64::from),
            xid_errors_total: xid.watched.then_some(xid.count),
            last_xid: xid.last,
        })
    }
}

fn gpu_process(p: nvml_wrapper::struct_wrappers::device::ProcessInfo) -> GpuProcess {
    GpuProcess {
        pid: p.pid,
        name: None,
        used_memory_bytes: match p.used_gpu_memory {
            UsedGpuMemory::Used(bytes) => Some(bytes),
            UsedGpuMemory::Unavailable => None,
        },
        instance_id: None,
        model_name: None,
    }
}

/// A lost GPU: what was known of it, no readings.
/// What is known of a lost GPU: its static facts and its Xid errors (an Xid 79 is usually
/// what it said before it fell off the bus).
fn lost_gpu(index: u32, info: StaticInfo, xid: XidReading) -> GpuStats {
    GpuStats {
        index,
        name: info.name,
        uuid: info.uuid,
        pci_bus_id: info.pci_bus_id,
        memory_total_bytes: info.memory_total_bytes,
        power_limit_watts: info.power_limit_watts,
        max_sm_clock_mhz: info.max_sm_clock_mhz,
        max_memory_clock_mhz: info.max_memory_clock_mhz,
        mig_enabled: info.mig_enabled,
        lost: true,
        xid_errors_total: xid.watched.then_some(xid.count),
        last_xid: xid.last,
        ..Default::default()
    }
}

/// The slow readings of one GPU.
#[derive(Debug, Clone, Copy, Default)]
struct SlowReading {
    rx_bytes_per_second: Option<u64>,
    tx_bytes_per_second: Option<u64>,
}

fn read_pcie(broken: &mut HashSet<&'static str>, device: &Device) -> SlowReading {
    SlowReading {
        rx_bytes_per_second: contained_call(broken, "pcie_rx", || {
            device.pcie_throughput(PcieUtilCounter::Receive)
        })
        .map(kilobytes),
        tx_bytes_per_second: contained_call(broken, "pcie_tx", || {
            device.pcie_throughput(PcieUtilCounter::Send)
        })
        .map(kilobytes),
    }
}

/// The thread that takes slow readings apart from the tick. Dropping it stops the thread at its
/// next step; the thread holds its own `Arc<Nvml>`, so the driver handle outlives it safely.
struct SlowSampler {
    shared: Arc<SlowShared>,
}

struct SlowShared {
    /// The latest readings per GPU and the stop flag. Held only to copy a reading in or out,
    /// never across an NVML call, so a slow or hanging call never blocks the tick.
    state: Mutex<SlowState>,
    wake: Condvar,
}

#[derive(Default)]
struct SlowState {
    stop: bool,
    readings: Vec<SlowReading>,
}

impl SlowSampler {
    fn start(nvml: Arc<Nvml>, every: Duration) -> SlowSampler {
        let shared = Arc::new(SlowShared {
            state: Mutex::new(SlowState::default()),
            wake: Condvar::new(),
        });
        let for_thread = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("nvml-slow".into())
            .spawn(move || slow_loop(&nvml, &for_thread, every));
        if let Err(err) = spawned {
            tracing::warn!(%err, "could not start the slow GPU readings' thread; PCIe stays n/a");
        }
        SlowSampler { shared }
    }

    fn reading(&self, index: usize) -> SlowReading {
        let state = self.shared.lock();
        state.readings.get(index).copied().unwrap_or_default()
    }
}

impl Drop for SlowSampler {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
    }
}

impl SlowShared {
    /// A panic while holding it leaves whole readings (each is copied in one step): a poisoned
    /// lock is taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, SlowState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn slow_loop(nvml: &Nvml, shared: &SlowShared, every: Duration) {
    let mut broken = HashSet::new();
    loop {
        let count = contain(|| nvml.device_count())
            .and_then(Result::ok)
            .unwrap_or(0);
        for index in 0..count {
            if shared.lock().stop {
                return;
            }
            let reading = match contain(|| nvml.device_by_index(index)) {
                Some(Ok(device)) => read_pcie(&mut broken, &device),
                _ => SlowReading::default(),
            };
            let mut state = shared.lock();
            let slot = index as usize;
            if state.readings.len() <= slot {
                state.readings.resize(slot + 1, SlowReading::default());
            }
            state.readings[slot] = reading;
        }
        let state = shared.lock();
        let (state, _) = shared
            .wake
            .wait_timeout_while(state, every, |s| !s.stop)
            .unwrap_or_else(|p| p.into_inner());
        if state.stop {
            return;
        }
    }
}

/// One GPU's Xid count, as the watcher has it.
#[derive(Debug, Clone, Copy, Default)]
struct XidReading {
    /// The GPU's events are registered (a count of 0 means none seen).
    watched: bool,
    count: u64,
    last: Option<u64>,
}

/// The thread that waits for critical Xid events and counts them per GPU. Dropping it stops the
/// thread within one wait (half a second); the thread holds its own `Arc<Nvml>`.
struct XidWatcher {
    shared: Arc<XidShared>,
}

struct XidShared {
    /// The counts and the stop flag. Held only to copy a count in or out, never across the
    /// event wait, so the tick never waits for an event.
    state: Mutex<XidState>,
}

#[derive(Default)]
struct XidState {
    stop: bool,
    gpus: Vec<XidReading>,
}

/// How long one event wait lasts: also how soon a stopped watcher ends.
#[cfg(target_os = "linux")]
const XID_WAIT_MS: u32 = 500;

impl XidWatcher {
    /// `None` where NVML has no events (not Linux) or the thread could not start.
    fn start(nvml: Arc<Nvml>) -> Option<XidWatcher> {
        let shared = Arc::new(XidShared {
            state: Mutex::new(XidState::default()),
        });
        #[cfg(target_os = "linux")]
        {
            let for_thread = shared.clone();
            let spawned = std::thread::Builder::new()
                .name("nvml-xid".into())
                .spawn(move || xid_loop(&nvml, &for_thread));
            if let Err(err) = spawned {
                tracing::warn!(%err, "could not start the Xid events' thread; Xid errors stay n/a");
                return None;
            }
            Some(XidWatcher { shared })
        }
        #[cfg(not(target_os = "linux"))]
        {
            drop((nvml, shared));
            None
        }
    }

    fn reading(&self, index: usize) -> XidReading {
        self.shared
            .lock()
            .gpus
            .get(index)
            .copied()
            .unwrap_or_default()
    }
}

impl Drop for XidWatcher {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
    }
}

impl XidShared {
    /// A panic while holding it leaves whole counts: a poisoned lock is taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, XidState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(target_os = "linux")]
fn xid_loop(nvml: &Nvml, shared: &XidShared) {
    use nvml_wrapper::enums::event::XidError;
    let mut broken = HashSet::new();
    let Some(set) = xid_event_set(nvml, &mut broken, shared) else {
        return;
    };
    loop {
        if shared.lock().stop {
            return;
        }
        match contain(|| set.wait(XID_WAIT_MS)) {
            Some(Ok(event)) => {
                let Some(Ok(index)) = contain(|| event.device.index()) else {
                    continue;
                };
                let code = match event.event_data {
                    Some(XidError::Value(code)) => Some(code),
                    _ => None,
                };
                tracing::error!(gpu = index, xid = ?code, "the GPU reported a critical Xid error");
                let mut state = shared.lock();
                if let Some(gpu) = state.gpus.get_mut(index as usize) {
                    gpu.count += 1;
                    gpu.last = code.or(gpu.last);
                }
            }
            Some(Err(NvmlError::Timeout)) => {}
            // A lost GPU or a driver going away: the tick notices; wait before asking again.
            Some(Err(_)) => std::thread::sleep(Duration::from_millis(XID_WAIT_MS as u64)),
            None => return,
        }
    }
}

/// An event set with critical Xid errors registered for every GPU that supports them; marks
/// those GPUs as watched. `None` when no GPU can be watched.
#[cfg(target_os = "linux")]
fn xid_event_set<'nvml>(
    nvml: &'nvml Nvml,
    broken: &mut HashSet<&'static str>,
    shared: &XidShared,
) -> Option<nvml_wrapper::event::EventSet<'nvml>> {
    use nvml_wrapper::bitmasks::event::EventTypes;
    let count = contain(|| nvml.device_count()).and_then(Result::ok)?;
    let mut set = contained_call(broken, "event_set", || nvml.create_event_set())?;
    let mut watched = vec![XidReading::default(); count as usize];
    for index in 0..count {
        let Some(Ok(device)) = contain(|| nvml.device_by_index(index)) else {
            continue;
        };
        let supported = contained_call(broken, "supported_event_types", || {
            device.supported_event_types()
        })
        .is_some_and(|types| types.contains(EventTypes::CRITICAL_XID_ERROR));
        if !supported {
            continue;
        }
        // A failed registration releases the set (NVML's rule): stop there, with none watched.
        set = contained_call(broken, "register_xid_events", move || {
            device
                .register_events(EventTypes::CRITICAL_XID_ERROR, set)
                .map_err(|e| e.error)
        })?;
        watched[index as usize].watched = true;
    }
    if !watched.iter().any(|gpu| gpu.watched) {
        return None;
    }
    shared.lock().gpus = watched;
    Some(set)
}

/// Makes one NVML call: `None` for any error or a contained panic; a call that panicked or whose
/// symbol is missing is added to `broken` and not made again.
fn contained_call<T>(
    broken: &mut HashSet<&'static str>,
    name: &'static str,
    f: impl FnOnce() -> Result<T, NvmlError>,
) -> Option<T> {
    if broken.contains(name) {
        return None;
    }
    match contain(f) {
        Some(Err(NvmlError::FailedToLoadSymbol(_))) | None => {
            tracing::warn!(
                call = name,
                "NVML call is missing from this driver; shown as n/a"
            );
            broken.insert(name);
            None
        }
        Some(result) => result.ok(),
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

    #[test]
    fn every_reading_has_a_cost_class_and_every_class_entry_is_read() {
        let source = include_str!("nvidia.rs");
        let test_start = source.find("mod tests").unwrap();
        let mut read = HashSet::new();
        for marker in ["call(\"", "contained_call(broken, \""] {
            for (at, _) in source[..test_start].match_indices(marker) {
                let rest = &source[at + marker.len()..];
                read.insert(&rest[..rest.find('"').unwrap()]);
            }
        }
        let declared: HashSet<&str> = NVML_READINGS.iter().map(|(name, _)| *name).collect();
        let not_in_calls: Vec<_> = declared.difference(&read).collect();
        assert!(
            not_in_calls.is_empty(),
            "declared, never read: {not_in_calls:?}"
        );
        let undeclared: Vec<_> = read.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "read without a cost class: {undeclared:?}"
        );
    }
}
