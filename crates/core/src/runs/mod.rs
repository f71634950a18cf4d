//! Runs: every instance lifetime recorded as the experiment it is: the exact engine, command
//! line, model file and machine, its resource readings and rollups, its exit reason and its
//! requests through the gateway. Listed, opened, tagged, compared and exported.
//!
//! - `recorder.rs`: follows the bus; makes, reads and closes runs;
//! - `rollup.rs`: mean, p95, max of each reading, and GPU energy;
//! - `report.rs`: Markdown, CSV, JSON or HTML of one run or a comparison;
//! - `service.rs`, `store.rs`: the handle and the `runs` table.

mod error;
mod recorder;
mod report;
mod rollup;
mod service;
mod store;
mod types;

pub use error::RunsError;
pub use report::{config_diff, run_name};
pub use service::Runs;
pub use types::*;
