//! Running models as supervised child processes.
//!
//! Each instance is owned by one task ([`run`]) that holds its `Child`, reads its output into a
//! bounded [`LogRing`], polls its health endpoint until it is ready, and performs every
//! [`InstanceState`] transition (each one persisted and published on the event bus).
//! Stopping signals the whole process group: SIGTERM, then SIGKILL after a grace period.

mod error;
mod health;
mod hints;
mod instance;
mod log_file;
mod log_follow;
mod log_ring;
mod ports;
mod process;
mod reap;
mod restart;
mod run;
mod service;
mod state;
mod store;

pub use error::SupervisorError;
pub use hints::hint_for;
pub use instance::InstanceInfo;
pub use log_ring::{LogBatch, LogLine, LogQuery, LogRing, LogStream};
pub use ports::{free_port, is_port_free};
pub use process::process_exists;
pub use service::{GpuSchedule, LaunchVariant, PlacementSource, Supervisor};
pub use state::InstanceState;
pub use store::{InstanceRecord, ModelDetail, TransitionRecord, UnfinishedInstance};
