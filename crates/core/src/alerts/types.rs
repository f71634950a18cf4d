use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A threshold with hysteresis: raise when the value crosses `raise_at`, clear only once it is
/// back past `clear_at`, so a value hovering at the line does not flap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Threshold {
    pub enabled: bool,
    pub raise_at: f64,
    pub clear_at: f64,
}

/// The alert rules, editable by the user; defaults in [`AlertRules::default`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct AlertRules {
    /// °C, raised above.
    pub gpu_temperature_celsius: Threshold,
    /// Percent of a GPU's memory used, raised above.
    pub gpu_memory_percent: Threshold,
    /// Percent of host memory used, raised above.
    pub host_memory_percent: Threshold,
    /// Percent free on a model folder's file system, raised *below*.
    pub disk_free_percent: Threshold,
    /// Raise when an instance fails; cleared when it runs again or is removed.
    pub instance_failed: bool,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            gpu_temperature_celsius: Threshold {
                enabled: true,
                raise_at: 85.0,
                clear_at: 80.0,
            },
            gpu_memory_percent: Threshold {
                enabled: true,
                raise_at: 95.0,
                clear_at: 90.0,
            },
            host_memory_percent: Threshold {
                enabled: true,
                raise_at: 90.0,
                clear_at: 85.0,
            },
            disk_free_percent: Threshold {
                enabled: true,
                raise_at: 10.0,
                clear_at: 12.0,
            },
            instance_failed: true,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    GpuTemperature,
    GpuMemory,
    HostMemory,
    DiskSpace,
    InstanceFailed,
    /// A GPU fell off the bus (NVML's `GPU_IS_LOST`); cleared when it answers again.
    GpuLost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Warning,
    Critical,
}

/// One raised alert; the same alert is published again with `cleared_at` set when it clears.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct Alert {
    pub id: String,
    pub kind: AlertKind,
    /// What it is about: "GPU 0 (NVIDIA H100)", a folder, a model name.
    pub subject: String,
    pub severity: AlertSeverity,
    /// In English; a UI says it in its own language from `kind`, `subject`, `value`,
    /// `threshold` and, for a failed instance, `detail`.
    pub message: String,
    /// For a failed instance: why, as a code with its values (the failure's summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<crate::error::ErrorBody>,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    #[ts(type = "number")]
    pub raised_at: i64,
    #[ts(type = "number | null")]
    pub cleared_at: Option<i64>,
    /// Seen by the user: still active (its cause has not gone), but no longer counted as new.
    #[ts(type = "number | null")]
    pub acknowledged_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct AlertList {
    pub active: Vec<Alert>,
    /// Newest first, cleared ones included.
    pub recent: Vec<Alert>,
}
