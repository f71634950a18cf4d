//! Metric history: the last hour at full rate in memory, one-minute rollups (min/avg/max) in
//! SQLite for the long ranges, written in batches and pruned after a retention period.

mod accumulate;
mod error;
mod service;
mod store;
mod types;

pub use error::HistoryError;
pub use service::{MetricHistory, MAX_QUERY_SERIES};
pub use store::Rollup;
pub use types::{History, HistoryPoint, HistoryQuery, HistoryRange, HistorySeries};
