//! Sweeps: find a model's best settings by measuring them. A sweep restarts the model once per
//! configuration (a grid or a seeded sample of the settings to vary), benchmarks each, records
//! each as a run, marks the Pareto front of throughput against latency and the best
//! configuration under the user's constraints; **apply** writes it into the model's settings
//! and records the promotion (the model's registry of proven settings).
//!
//! - `configs.rs`: the configurations, and how their values map to engine settings;
//! - `score.rs`: the level that counts, the best configuration, the Pareto front;
//! - `service.rs`: one sweep at a time, apply, promotions;
//! - `report.rs`: Markdown, CSV, JSON or a self-contained HTML page;
//! - `store.rs`: the `sweeps` and `promotions` tables.

mod configs;
mod error;
mod report;
mod score;
mod service;
mod store;
mod types;

pub use configs::{MAX_CONFIGS, MAX_VALUES};
pub use error::SweepError;
pub use report::scatter;
pub use service::{fit_resources, SweepParts, Sweeps};
pub use types::*;
