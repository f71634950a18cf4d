//! Threshold alerts with hysteresis over the sampler's snapshots (GPU temperature and memory,
//! host memory, disk space of model folders) and instance failures. Raised and cleared alerts go
//! on the event bus as `system_alert`; rules are editable and persisted.

mod hysteresis;
mod service;
mod types;

pub use hysteresis::{next_active, Direction};
pub use service::{AlertError, AlertService};
pub use types::{Alert, AlertKind, AlertList, AlertRules, AlertSeverity, Threshold};
