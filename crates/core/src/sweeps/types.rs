//! What a sweep is asked to vary and optimise, and what each configuration measured.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bench::{LevelResult, LoadPattern, Slo, Workload};
use crate::error::ErrorBody;

/// A setting a sweep can vary, and the engine setting it maps to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    TS,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SweepParameter {
    /// The model's context size (`-c`, vLLM `--max-model-len`).
    ContextSize,
    /// llama.cpp `--n-gpu-layers`.
    GpuLayers,
    /// llama.cpp `--threads`.
    Threads,
    /// llama.cpp `--batch-size`.
    BatchSize,
    /// llama.cpp `--ubatch-size`.
    UbatchSize,
    /// llama.cpp `--parallel`.
    Parallel,
    /// llama.cpp `--flash-attn on|off`.
    FlashAttention,
    /// llama.cpp `--cache-type-k`.
    CacheTypeK,
    /// llama.cpp `--cache-type-v`.
    CacheTypeV,
    /// vLLM `--max-num-seqs`.
    MaxNumSeqs,
    /// vLLM `--gpu-memory-utilization`.
    GpuMemoryUtilization,
}

/// One setting and the values to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepAxis {
    pub parameter: SweepParameter,
    #[ts(type = "Array<number | boolean | string>")]
    pub values: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Every combination, in order (at most the budget).
    Grid,
    /// Combinations drawn at random without repeats, from the seed.
    Random,
}

/// A figure of a benchmark level that a sweep can optimise or bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SweepMetric {
    OutputThroughput,
    RequestThroughput,
    Goodput,
    TtftP50,
    TtftP99,
    TpotP50,
    TpotP99,
    E2elP50,
    E2elP99,
}

/// A bound on a figure: `at_most` for latencies, `at_least` for rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepConstraint {
    pub metric: SweepMetric,
    #[serde(default)]
    pub at_most: Option<f64>,
    #[serde(default)]
    pub at_least: Option<f64>,
}

/// What the best configuration is: the best `metric` (higher rates, lower latencies) among the
/// levels that meet every constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepObjective {
    pub metric: SweepMetric,
    #[serde(default)]
    pub constraints: Vec<SweepConstraint>,
}

/// The benchmark each configuration gets (against the model's instance, directly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepBenchmark {
    pub workload: Workload,
    pub load: LoadPattern,
    pub requests: u32,
    #[serde(default)]
    pub duration_s: Option<u32>,
    #[serde(default)]
    pub warmup_requests: u32,
    #[serde(default)]
    pub ignore_eos: bool,
    #[serde(default)]
    pub slo: Slo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepSpec {
    pub model_id: String,
    #[serde(default)]
    pub label: Option<String>,
    pub axes: Vec<SweepAxis>,
    pub sampling: Sampling,
    /// Same seed, same sample of configurations and the same prompts.
    #[serde(default)]
    pub seed: u64,
    /// The budget: at most this many configurations.
    pub max_configs: u32,
    /// The budget in time: no configuration starts after this many seconds.
    #[serde(default)]
    pub max_duration_s: Option<u32>,
    pub benchmark: SweepBenchmark,
    pub objective: SweepObjective,
    /// Skip configurations the fit estimate says cannot fit in memory (recorded as skipped).
    #[serde(default = "yes")]
    pub skip_unfit: bool,
    /// How long an instance may take to become ready (default 300 s).
    #[serde(default)]
    pub start_timeout_s: Option<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigOutcome {
    /// Not reached yet.
    Pending,
    Running,
    /// Started and measured.
    Completed,
    /// Did not start, or its benchmark failed; `reason` says why.
    Failed,
    /// The fit estimate said it cannot fit; not started.
    Skipped,
    /// The sweep was cancelled before or during it.
    Cancelled,
}

/// One configuration: its values, its run and benchmark, and the figures of its chosen level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepConfig {
    pub index: u32,
    /// Parameter → value, as tried.
    #[ts(type = "Record<string, number | boolean | string>")]
    pub values: serde_json::Map<String, serde_json::Value>,
    /// The engine settings started with (the model's, with the values applied).
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Value,
    pub context_size: u32,
    pub outcome: ConfigOutcome,
    pub reason: Option<String>,
    pub error: Option<ErrorBody>,
    /// The fit estimate's verdict, when one was made.
    pub fit: Option<String>,
    pub run_id: Option<String>,
    pub benchmark_id: Option<String>,
    /// The benchmark level its figures come from (the best one that meets the constraints).
    pub level: Option<LevelFigures>,
    /// The objective's value at that level.
    pub objective: Option<f64>,
    pub meets_constraints: bool,
    /// No other configuration has both more output throughput and less latency.
    pub pareto: bool,
}

/// The figures of one benchmark level that sweeps compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct LevelFigures {
    pub load: String,
    pub completed: u32,
    pub failed: u32,
    pub output_throughput: f64,
    pub request_throughput: f64,
    pub goodput: Option<f64>,
    pub ttft_p50_ms: f64,
    pub ttft_p99_ms: f64,
    pub tpot_p50_ms: f64,
    pub tpot_p99_ms: f64,
    pub e2el_p50_ms: f64,
    pub e2el_p99_ms: f64,
}

impl LevelFigures {
    pub fn of(level: &LevelResult) -> LevelFigures {
        LevelFigures {
            load: level.load.clone(),
            completed: level.completed,
            failed: level.failed,
            output_throughput: level.output_throughput,
            request_throughput: level.request_throughput,
            goodput: level.goodput,
            ttft_p50_ms: level.ttft_ms.p50,
            ttft_p99_ms: level.ttft_ms.p99,
            tpot_p50_ms: level.tpot_ms.p50,
            tpot_p99_ms: level.tpot_ms.p99,
            e2el_p50_ms: level.e2el_ms.p50,
            e2el_p99_ms: level.e2el_ms.p99,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SweepState {
    Running,
    Completed,
    Cancelled,
    Failed,
}

impl SweepState {
    pub fn as_str(self) -> &'static str {
        match self {
            SweepState::Running => "running",
            SweepState::Completed => "completed",
            SweepState::Cancelled => "cancelled",
            SweepState::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Sweep {
    pub id: String,
    pub label: String,
    pub model_id: String,
    pub model_name: String,
    pub engine: String,
    pub state: SweepState,
    pub spec: SweepSpec,
    pub configs: Vec<SweepConfig>,
    /// The index of the best configuration, when one completed.
    pub best: Option<u32>,
    /// The configuration being measured.
    pub current: Option<u32>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    pub error: Option<ErrorBody>,
    /// When a configuration of it was applied to the model.
    #[ts(type = "number | null")]
    pub applied_at: Option<i64>,
}

/// Which configuration to apply (the best one when absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ApplySweep {
    #[serde(default)]
    pub config_index: Option<u32>,
}

/// A configuration promoted to a model's settings, with the run and benchmark that prove it:
/// the model's registry entry. Newest first in a model's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Promotion {
    pub id: String,
    pub model_id: String,
    pub model_name: String,
    pub sweep_id: String,
    pub sweep_label: String,
    pub config_index: u32,
    pub run_id: Option<String>,
    pub benchmark_id: Option<String>,
    #[ts(type = "Record<string, number | boolean | string>")]
    pub values: serde_json::Map<String, serde_json::Value>,
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Value,
    pub context_size: u32,
    /// What the model had before.
    #[ts(type = "Record<string, unknown>")]
    pub previous_settings: serde_json::Value,
    pub previous_context_size: u32,
    pub metric: SweepMetric,
    pub objective: Option<f64>,
    pub level: Option<LevelFigures>,
    #[ts(type = "number")]
    pub at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct PromotionQuery {
    #[serde(default)]
    #[ts(optional)]
    pub model_id: Option<String>,
}

/// A sweep's report, in which format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SweepExportRequest {
    pub id: String,
    pub format: crate::bench::BenchmarkExportFormat,
}
