use serde::Serialize;
use ts_rs::TS;

/// One sample of the machine. GPU fields that a device or driver does not support are `null`
/// (shown as "n/a"), never an error.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SystemSnapshot {
    #[ts(type = "number")]
    pub at: i64,
    pub hostname: String,
    pub cpu: CpuStats,
    pub memory: MemoryStats,
    pub gpu: GpuStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CpuStats {
    pub brand: String,
    pub logical_cores: u32,
    pub usage_percent: f32,
    pub per_core_percent: Vec<f32>,
    /// 1, 5 and 15 minute load averages.
    pub load_average: [f64; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
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

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GpuStatus {
    /// A driver answered; `gpus` may still be empty.
    Available {
        driver_version: Option<String>,
        gpus: Vec<GpuStats>,
    },
    /// No NVIDIA driver or no usable library: a normal state on many machines.
    NotDetected { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GpuStats {
    pub index: u32,
    pub name: Option<String>,
    pub uuid: Option<String>,
    #[ts(type = "number | null")]
    pub memory_total_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub memory_used_bytes: Option<u64>,
    pub utilization_percent: Option<u32>,
    pub temperature_celsius: Option<u32>,
    pub power_watts: Option<f64>,
}
