//! Benchmarks: a load generator that measures any running model, the gateway or an external
//! endpoint as vLLM's `bench serve` does, and `llama-bench` for the engine's raw speed on this
//! machine. See `docs/BENCHMARKS.md` for the metric definitions.
//!
//! - `workload.rs`: prompts (synthetic or a JSONL dataset) and lengths, from one seed;
//! - `environment.rs`: what a benchmark measured on (engine, argv, model file, machine);
//! - `runner.rs`: warm-up, then each level (fixed concurrency or Poisson arrivals);
//! - `request.rs`: one streamed request, timed by the gateway's meter (one definition for
//!   benchmarks and live request records);
//! - `metrics.rs`: a level's figures (percentiles, throughput, goodput, the engine's own
//!   speed beside ours);
//! - `llama_bench.rs`: the hardware benchmark;
//! - `resources.rs`: the machine once a second while a benchmark runs, bounded;
//! - `report.rs`: Markdown, CSV or JSON of one or more benchmarks;
//! - `service.rs`, `store.rs`: one benchmark at a time, its record saved and published.

mod environment;
mod error;
pub mod html;
mod llama_bench;
mod metrics;
mod report;
mod request;
mod resources;
mod runner;
mod service;
mod store;
mod types;
mod workload;

pub use environment::BenchEnvironment;
pub use error::BenchError;
pub use llama_bench::{HardwareResult, HardwareSpec, HardwareTest, LLAMA_BENCH_BINARY};
pub use metrics::{percentile, DISAGREEMENT_PERCENT, MAX_ITL_VALUES, MAX_SAMPLES};
pub(crate) use report::{cell, csv_field, environment_facts};
pub use report::{BenchmarkExport, BenchmarkExportFormat, BenchmarkExportRequest};
pub use resources::{point as resource_point, snapshot, ResourcePoint, Series};
pub use runner::{MAX_CONCURRENCY, MAX_DURATION_S, MAX_LEVELS, MAX_RATE, MAX_REQUESTS, MAX_WARMUP};
pub use service::Bench;
pub use types::*;
pub use workload::{Rng, MAX_DATASET_BYTES, MAX_INPUT_TOKENS, MAX_OUTPUT_TOKENS};
