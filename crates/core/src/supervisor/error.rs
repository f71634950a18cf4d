use thiserror::Error;

use crate::engine::EngineError;
use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::library::LibraryError;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum SupervisorError {
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("The model file {path} does not exist; check the path in the model's settings, or download the model again")]
    ModelFileMissing { path: String },
    #[error("{running} instances are already running, the limit is {limit}; stop one first (or raise LLMOPS_MAX_INSTANCES)")]
    TooManyInstances { running: usize, limit: usize },
    #[error("Port {port} is already in use by another program; stop that program or change the model's port")]
    PortInUse { port: u16 },
    #[error("No free port on 127.0.0.1: {0}")]
    NoFreePort(std::io::Error),
    #[error(
        "Could not start {program}: {source}. Check that it is an executable llama-server build"
    )]
    SpawnFailed {
        program: String,
        source: std::io::Error,
    },
    #[error("No instance with id {0:?}; it may have been removed, refresh the list")]
    InstanceNotFound(String),
    #[error("{0} is not running; there is nothing to stop")]
    ModelNotRunning(String),
    #[error("{0:?} is not an instance id; instance ids are UUIDs such as 0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e")]
    InvalidInstanceId(String),
    #[error("Instance {id} did not stop within {secs} s")]
    StopTimeout { id: String, secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Runtime(#[from] crate::runtimes::RuntimeError),
    #[error(transparent)]
    Placement(#[from] crate::engine::PlacementError),
}

impl CodedError for SupervisorError {
    fn code(&self) -> &'static str {
        match self {
            SupervisorError::Library(e) => e.code(),
            SupervisorError::Engine(e) => e.code(),
            SupervisorError::ModelFileMissing { .. } => "model_file_missing",
            SupervisorError::TooManyInstances { .. } => "too_many_instances",
            SupervisorError::NoFreePort(_) => "no_free_port",
            SupervisorError::PortInUse { .. } => "port_in_use",
            SupervisorError::SpawnFailed { .. } => "engine_spawn_failed",
            SupervisorError::InstanceNotFound(_) => "instance_not_found",
            SupervisorError::InvalidInstanceId(_) => "invalid_instance_id",
            SupervisorError::ModelNotRunning(_) => "model_not_running",
            SupervisorError::StopTimeout { .. } => "instance_stop_timeout",
            SupervisorError::Store(e) => e.code(),
            SupervisorError::Runtime(e) => e.code(),
            SupervisorError::Placement(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            SupervisorError::Library(e) => e.params(),
            SupervisorError::Engine(e) => e.params(),
            SupervisorError::Store(e) => e.params(),
            SupervisorError::Runtime(e) => e.params(),
            SupervisorError::Placement(e) => e.params(),
            SupervisorError::ModelFileMissing { path } => vec![("path", path.clone())],
            SupervisorError::TooManyInstances { running, limit } => {
                vec![
                    ("running", running.to_string()),
                    ("limit", limit.to_string()),
                ]
            }
            SupervisorError::PortInUse { port } => vec![("port", port.to_string())],
            SupervisorError::NoFreePort(e) => vec![("detail", e.to_string())],
            SupervisorError::SpawnFailed { program, source } => {
                vec![("program", program.clone()), ("detail", source.to_string())]
            }
            SupervisorError::InstanceNotFound(id) | SupervisorError::InvalidInstanceId(id) => {
                vec![("id", id.clone())]
            }
            SupervisorError::ModelNotRunning(name) => vec![("name", name.clone())],
            SupervisorError::StopTimeout { id, secs } => {
                vec![("id", id.clone()), ("seconds", secs.to_string())]
            }
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            SupervisorError::Library(e) => e.kind(),
            SupervisorError::Engine(e) => e.kind(),
            SupervisorError::Runtime(e) => e.kind(),
            SupervisorError::ModelFileMissing { .. } => ErrorKind::InvalidInput,
            SupervisorError::TooManyInstances { .. } | SupervisorError::PortInUse { .. } => {
                ErrorKind::Conflict
            }
            SupervisorError::Placement(crate::engine::PlacementError::NoRoom { .. }) => {
                ErrorKind::Conflict
            }
            SupervisorError::Placement(_) => ErrorKind::InvalidInput,
            SupervisorError::InstanceNotFound(_) => ErrorKind::NotFound,
            SupervisorError::InvalidInstanceId(_) => ErrorKind::InvalidInput,
            SupervisorError::ModelNotRunning(_) => ErrorKind::Conflict,
            SupervisorError::NoFreePort(_) | SupervisorError::SpawnFailed { .. } => {
                ErrorKind::Unavailable
            }
            SupervisorError::StopTimeout { .. } | SupervisorError::Store(_) => ErrorKind::Internal,
        }
    }
}
