//! A run: one lifetime of one instance, from its start to its exit, with what it ran on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bench::{BenchEnvironment, Benchmark, ResourcePoint};
use crate::error::ErrorBody;
use crate::gateway::InstanceRequestStats;

/// One instance lifetime, as listed and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Run {
    /// The instance's id.
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub engine: String,
    /// The instance's state when last seen (`running`, `stopped`, `failed`, …).
    pub state: String,
    /// Why it ended, in words (absent while it runs, or after a plain stop).
    pub exit_reason: Option<String>,
    /// A failure's summary as a code with its values.
    pub exit_summary: Option<ErrorBody>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// Engine binary, version and command line, the model file (size, sha256 when known), and
    /// this machine's CPU, memory, GPUs and driver.
    pub environment: BenchEnvironment,
    /// The model's engine settings this run was started with (a sweep's configuration differs
    /// from the saved model's).
    #[ts(type = "Record<string, unknown> | null")]
    pub settings: Option<serde_json::Value>,
    /// The sweep that started it, when one did.
    pub sweep_id: Option<String>,
    /// Mean, 95th percentile and maximum of each resource reading.
    pub rollup: ResourceRollup,
    /// Its requests through the gateway (counted at its end; live while it runs).
    pub requests: Option<InstanceRequestStats>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

impl Run {
    pub fn is_live(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// Mean, 95th percentile and maximum of one reading over a run (`null` when never read).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
pub struct Rollup {
    pub mean: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// Every resource reading of a run, rolled up: what stays meaningful however long it ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ResourceRollup {
    /// Readings taken.
    pub samples: u32,
    /// Seconds between the kept readings (doubles past the bound, see `resources.rs`).
    pub stride_s: u32,
    pub cpu_percent: Rollup,
    pub instance_cpu_percent: Rollup,
    pub instance_rss_bytes: Rollup,
    pub instance_vram_bytes: Rollup,
    pub gpu_utilization_percent: Rollup,
    pub gpu_power_watts: Rollup,
    /// Energy of all GPUs over the run (power integrated over time), watt-hours.
    pub gpu_energy_wh: Option<f64>,
}

/// A run with its readings and the benchmarks measured on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RunDetail {
    pub run: Run,
    /// Once a second while it ran (fewer past two hours; see `rollup.stride_s`), `at_ms` from
    /// its start.
    pub resources: Vec<ResourcePoint>,
    /// Benchmarks against this instance, newest first, without per-request samples.
    pub benchmarks: Vec<Benchmark>,
}

/// Which runs to list, newest first.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct RunQuery {
    #[serde(default)]
    #[ts(optional)]
    pub model_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub tag: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub sweep_id: Option<String>,
    /// Only runs started before this time (ms), for paging back.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
    /// At most this many (default 200, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// Tags and notes on a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RunPatch {
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Which runs, in which format (two or more make a comparison).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RunExportRequest {
    pub ids: Vec<String>,
    pub format: crate::bench::BenchmarkExportFormat,
}
