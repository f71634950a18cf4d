use serde::Serialize;
use ts_rs::TS;

/// One sample of the machine. Values that a device or driver does not support are `null`
/// (shown as "n/a"), never an error.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct SystemSnapshot {
    #[ts(type = "number")]
    pub at: i64,
    pub hostname: String,
    pub cpu: CpuStats,
    pub memory: MemoryStats,
    /// The file systems holding model files.
    pub disks: Vec<DiskUsage>,
    pub network: NetworkStats,
    pub gpu: GpuStatus,
    /// Resources of each live instance's process tree.
    pub instances: Vec<InstanceResources>,
    /// The same sample as flat series (`cpu.usage_percent`, `gpu.0.power_watts`,
    /// `model.<id>.rss_bytes`, …), the keys of the history API; unknown values are left out.
    #[ts(type = "Record<string, number>")]
    #[schemars(with = "std::collections::BTreeMap<String, f64>")]
    pub series: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct CpuStats {
    pub brand: String,
    pub logical_cores: u32,
    pub usage_percent: f32,
    pub per_core_percent: Vec<f32>,
    /// 1, 5 and 15 minute load averages; None on Windows, which has none.
    pub load_average: Option<[f64; 3]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct MemoryStats {
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub used_bytes: u64,
    #[ts(type = "number")]
    pub available_bytes: u64,
    #[ts(type = "number")]
    pub swap_total_bytes: u64,
    #[ts(type = "number")]
    pub swap_used_bytes: u64,
}

/// A folder with model files and the file system it lives on.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct DiskUsage {
    pub folder: String,
    pub mount_point: String,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub available_bytes: u64,
    /// Bytes of the configured model files in this folder.
    #[ts(type = "number")]
    pub models_bytes: u64,
}

/// Throughput summed over the non-loopback interfaces since the previous sample.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct NetworkStats {
    pub rx_bytes_per_second: f64,
    pub tx_bytes_per_second: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct InstanceResources {
    pub instance_id: String,
    pub model_id: String,
    pub model_name: String,
    /// The engine process and its descendants.
    pub pids: Vec<u32>,
    /// Of one core: 200 means two cores busy.
    pub cpu_percent: Option<f32>,
    #[ts(type = "number | null")]
    pub rss_bytes: Option<u64>,
    /// Summed over GPUs; `null` without an NVIDIA GPU.
    #[ts(type = "number | null")]
    pub gpu_memory_bytes: Option<u64>,
    /// The Docker container the engine runs in (its full id), for an engine in Docker: GPU
    /// processes in it count for this instance though they are not in its process tree.
    pub container_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GpuStatus {
    /// A driver answered; `gpus` may still be empty.
    Available {
        driver_version: Option<String>,
        cuda_version: Option<String>,
        gpus: Vec<GpuStats>,
    },
    /// No NVIDIA driver or no usable library: a normal state on many machines.
    NotDetected {
        /// In English.
        reason: String,
        /// The reason as a code with its values (e.g. `gpu_nvml_unusable`, `{detail}`), for a UI
        /// to say it in its own language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        summary: Option<crate::error::ErrorBody>,
    },
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, TS, schemars::JsonSchema)]
pub struct GpuStats {
    pub index: u32,
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub pci_bus_id: Option<String>,
    #[ts(type = "number | null")]
    pub memory_total_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub memory_used_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub memory_free_bytes: Option<u64>,
    pub utilization_percent: Option<u32>,
    pub memory_utilization_percent: Option<u32>,
    pub temperature_celsius: Option<u32>,
    pub power_watts: Option<f64>,
    pub power_limit_watts: Option<f64>,
    pub fan_speed_percent: Option<u32>,
    pub sm_clock_mhz: Option<u32>,
    pub memory_clock_mhz: Option<u32>,
    pub max_sm_clock_mhz: Option<u32>,
    pub max_memory_clock_mhz: Option<u32>,
    #[ts(type = "number | null")]
    pub pcie_rx_bytes_per_second: Option<u64>,
    #[ts(type = "number | null")]
    pub pcie_tx_bytes_per_second: Option<u64>,
    /// Why clocks are held down right now, e.g. `sw_power_cap`, `hw_thermal_slowdown`.
    pub throttle_reasons: Option<Vec<String>>,
    /// Compute processes on this GPU; `null` when the driver cannot list them (no permission,
    /// or not supported).
    pub processes: Option<Vec<GpuProcess>>,
    /// The GPU fell off the bus (NVML's `GPU_IS_LOST`): it is shown with what was known of it
    /// and no readings, it raises an alert, and it is asked again now and then.
    pub lost: bool,
    /// Multi-Instance GPU mode is on: whole-GPU utilization is not reported in this mode.
    pub mig_enabled: Option<bool>,
    /// Energy used since the driver loaded, in joules (a counter).
    pub energy_joules_total: Option<f64>,
    /// Time the clocks were held down by the power limit since the driver loaded (a counter).
    pub power_throttle_seconds_total: Option<f64>,
    /// Time the clocks were held down by heat since the driver loaded (a counter).
    pub thermal_throttle_seconds_total: Option<f64>,
    /// PCIe transfers the link had to replay since the driver loaded (a counter; a rising count
    /// means a bad riser, slot or cable).
    #[ts(type = "number | null")]
    pub pcie_replays_total: Option<u64>,
    /// Critical Xid errors (driver-reported GPU faults) seen since the app started watching; None
    /// where the driver gives no events (Windows, an unprivileged driver).
    #[ts(type = "number | null")]
    pub xid_errors_total: Option<u64>,
    /// The last Xid error's code (79: fell off the bus, 48: double-bit ECC error, 31: a memory
    /// fault in an application, …).
    #[ts(type = "number | null")]
    pub last_xid: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct GpuProcess {
    pub pid: u32,
    /// The process name (`/proc/<pid>/comm`), when visible.
    pub name: Option<String>,
    #[ts(type = "number | null")]
    pub used_memory_bytes: Option<u64>,
    /// The llmops instance whose process tree holds this pid; `null` for "other".
    pub instance_id: Option<String>,
    pub model_name: Option<String>,
}
