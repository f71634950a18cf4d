//! What a benchmark is asked to do, and what it found.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chat::ChatTarget;

/// Where the benchmark sends its requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BenchTarget {
    /// A running model, straight to its engine (no gateway in between).
    Model { model_id: String },
    /// A model by its `/v1` name, through the gateway in this process (routing, admission and
    /// recording included; the HTTP hop of `/v1` is not).
    Gateway { model: String },
    /// A saved external endpoint and one of its models.
    Endpoint { endpoint_id: String, model: String },
    /// One running instance, straight to its engine (a sweep measures the instance it started,
    /// whatever else of the model runs).
    Instance { instance_id: String },
}

impl BenchTarget {
    pub fn chat_target(&self) -> Option<ChatTarget> {
        match self {
            BenchTarget::Model { model_id } => Some(ChatTarget::Model {
                model_id: model_id.clone(),
            }),
            BenchTarget::Endpoint { endpoint_id, model } => Some(ChatTarget::Endpoint {
                endpoint_id: endpoint_id.clone(),
                model: model.clone(),
            }),
            BenchTarget::Gateway { .. } | BenchTarget::Instance { .. } => None,
        }
    }
}

/// A token count, fixed or drawn uniformly from `mean × (1 ± spread)` (vLLM's
/// `--random-range-ratio`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct TokenLength {
    pub mean: u32,
    /// 0 (every request the same) to 1.
    #[serde(default)]
    pub spread: f64,
}

/// What each request asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Workload {
    /// Generated prompts of about `input` tokens (words from a fixed list, seeded), each asking
    /// for `output` tokens.
    Synthetic {
        input: TokenLength,
        output: TokenLength,
    },
    /// Prompts from JSONL text: ShareGPT-style `{"conversations": [{"from": "human", "value":
    /// …}, {"from": "gpt", "value": …}]}` (the reply's length sets `max_tokens`), or
    /// `{"prompt": …, "output_tokens": N}`.
    Dataset {
        jsonl: String,
        /// `max_tokens` for lines that do not say (and the cap for those that do).
        max_output: u32,
    },
}

/// How requests arrive, one result per level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoadPattern {
    /// A fixed number of requests in flight.
    Concurrency { levels: Vec<u32> },
    /// Poisson arrivals at each rate (requests per second), at most `max_concurrency` in flight.
    Rate {
        rates: Vec<f64>,
        #[serde(default)]
        max_concurrency: Option<u32>,
    },
}

/// Service-level objectives for goodput (vLLM `--goodput`): a request is good when every SLO
/// given holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Slo {
    #[serde(default)]
    pub ttft_ms: Option<f64>,
    #[serde(default)]
    pub tpot_ms: Option<f64>,
    #[serde(default)]
    pub e2el_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchmarkSpec {
    pub target: BenchTarget,
    pub workload: Workload,
    pub load: LoadPattern,
    /// Requests per level (the level ends earlier when `duration_s` is reached).
    pub requests: u32,
    #[serde(default)]
    pub duration_s: Option<u32>,
    /// Requests sent one at a time before the first level, not counted.
    #[serde(default)]
    pub warmup_requests: u32,
    /// Same seed, same prompts, lengths and arrival times.
    #[serde(default)]
    pub seed: u64,
    /// Ask the engine to ignore end-of-sequence so every answer has its full length (llama.cpp
    /// and vLLM understand it; other endpoints may refuse it).
    #[serde(default)]
    pub ignore_eos: bool,
    #[serde(default)]
    pub slo: Slo,
    /// A label for the list; a default one is made from the target and load.
    #[serde(default)]
    pub label: Option<String>,
}

/// Mean, median and tail of one metric, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Distribution {
    pub count: u32,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Our decode speed against the engine's own (llama.cpp `timings.predicted_per_second`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineAgreement {
    /// Mean of 1000 / TPOT over the requests, tokens per second.
    pub client_decode_per_second: f64,
    /// Mean of the engine's figure over the same requests.
    pub engine_decode_per_second: f64,
    pub engine_prompt_per_second: Option<f64>,
    /// (client − engine) / engine, in percent.
    pub difference_percent: f64,
    /// More than [`super::DISAGREEMENT_PERCENT`] apart: queueing, the network or a slow client
    /// shows in our figure and not in the engine's.
    pub disagrees: bool,
}

/// What one load level measured (definitions: vLLM `bench serve`, see `docs/BENCHMARKS.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct LevelResult {
    /// `concurrency 4` or `4 req/s`.
    pub load: String,
    pub concurrency: Option<u32>,
    pub rate: Option<f64>,
    pub completed: u32,
    pub failed: u32,
    pub duration_s: f64,
    pub request_throughput: f64,
    pub output_throughput: f64,
    pub total_token_throughput: f64,
    /// Good requests per second, when SLOs were given.
    pub goodput: Option<f64>,
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    /// The output token count came from our chunk count for some requests (no `usage`).
    pub tokens_counted: bool,
    /// Most requests in flight at once.
    pub max_in_flight: u32,
    /// Highest output tokens per second over any one-second window.
    pub peak_output_throughput: f64,
    pub ttft_ms: Distribution,
    pub tpot_ms: Distribution,
    pub itl_ms: Distribution,
    /// ITL is over the first [`super::MAX_ITL_VALUES`] gaps of the level, not all of them.
    #[serde(default)]
    pub itl_truncated: bool,
    pub e2el_ms: Distribution,
    pub engine: Option<EngineAgreement>,
    /// The first few distinct errors, with how often each happened.
    pub errors: Vec<ErrorCount>,
    /// Per-request figures (the first [`super::MAX_SAMPLES`]) for scatter plots and CSV.
    pub samples: Vec<RequestSample>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ErrorCount {
    pub message: String,
    pub count: u32,
}

/// One request as measured (milliseconds from its send).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RequestSample {
    /// When it was sent, from the level's start.
    pub sent_ms: f64,
    pub ttft_ms: Option<f64>,
    pub e2el_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub input_tokens: Option<u32>,
    pub output_tokens: Option<u32>,
    pub ok: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkState {
    Running,
    Completed,
    /// Stopped by the user; the levels done so far are kept.
    Cancelled,
    Failed,
}

impl BenchmarkState {
    pub fn as_str(self) -> &'static str {
        match self {
            BenchmarkState::Running => "running",
            BenchmarkState::Completed => "completed",
            BenchmarkState::Cancelled => "cancelled",
            BenchmarkState::Failed => "failed",
        }
    }
}

/// How far a running benchmark is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchmarkProgress {
    /// The level being measured, from 0; warm-up is before level 0.
    pub level: u32,
    pub levels: u32,
    pub warming_up: bool,
    pub done: u32,
    pub failed: u32,
    /// Requests of this level.
    pub total: u32,
    pub in_flight: u32,
    /// Output tokens per second over the last second.
    pub output_throughput: f64,
}

/// A load benchmark or a hardware benchmark, as listed and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Benchmark {
    pub id: String,
    pub label: String,
    pub state: BenchmarkState,
    pub spec: BenchmarkKind,
    /// The instance measured, when the target was a running model: the run this belongs to.
    pub instance_id: Option<String>,
    pub model_id: Option<String>,
    /// The served model's name, as the requests named it.
    pub model: Option<String>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    pub progress: BenchmarkProgress,
    pub results: Vec<LevelResult>,
    pub hardware: Option<super::HardwareResult>,
    /// What it measured on: engine, command line, model file, this machine.
    #[serde(default)]
    pub environment: super::BenchEnvironment,
    /// The machine once a second while it ran (see `resources.rs` for the bound).
    #[serde(default)]
    pub resources: Vec<super::ResourcePoint>,
    pub error: Option<crate::error::ErrorBody>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// What was asked: a load benchmark or a `llama-bench` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BenchmarkKind {
    Load(BenchmarkSpec),
    Hardware(super::HardwareSpec),
}

/// Tags and notes on a benchmark.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchmarkPatch {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub notes: Option<String>,
}
