//! Why the gateway could not answer a request. Each error has a stable code, an HTTP status and
//! an OpenAI error `type`, so that `/v1` answers `{"error":{"message","type","code"}}`.

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::library::LibraryError;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("The request body is not a JSON object: {0}. Send JSON with a \"model\" field")]
    InvalidBody(String),
    #[error(
        "The request has no \"model\" field. Name one of the models that GET /v1/models lists"
    )]
    MissingModel,
    #[error("The request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("There is no model called {requested:?}. Known models: {}", known_list(.known))]
    UnknownModel {
        requested: String,
        known: Vec<String>,
    },
    #[error("The model {model:?} could not start: {reason}")]
    StartFailed { model: String, reason: String },
    #[error("The model {model:?} was not ready within {secs} s; it is still starting. Try again shortly, or raise LLMOPS_START_TIMEOUT_SECS")]
    StartTimeout { model: String, secs: u64 },
    #[error("There is no room to start {model:?}: {reason}")]
    NoRoom { model: String, reason: String },
    #[error("The model {model:?} has {queued} requests waiting already (the limit). Try again in a few seconds, or raise its queue limit on the Gateway page")]
    QueueFull {
        model: String,
        queued: u32,
        retry_after_secs: u32,
    },
    #[error("The model {model:?} stopped while this request waited for it. Send it again")]
    Stopped { model: String },
    #[error("The engine serving {model:?} could not be reached: {detail}")]
    EngineUnreachable { model: String, detail: String },
    #[error("The path {path:?} is not part of the OpenAI API this gateway serves")]
    UnknownPath { path: String },
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    InvalidSettings(String),
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "none yet (add one on the Deploy page)".into()
    } else {
        known.join(", ")
    }
}

impl GatewayError {
    /// The HTTP status a client gets.
    pub fn http_status(&self) -> u16 {
        match self {
            GatewayError::InvalidBody(_)
            | GatewayError::MissingModel
            | GatewayError::InvalidSettings(_) => 400,
            GatewayError::BodyTooLarge { .. } => 413,
            GatewayError::UnknownModel { .. } | GatewayError::UnknownPath { .. } => 404,
            GatewayError::QueueFull { .. } => 429,
            GatewayError::StartFailed { .. }
            | GatewayError::StartTimeout { .. }
            | GatewayError::NoRoom { .. }
            | GatewayError::Stopped { .. } => 503,
            GatewayError::EngineUnreachable { .. } => 502,
            GatewayError::Library(e) => match e.kind() {
                ErrorKind::NotFound => 404,
                ErrorKind::InvalidInput => 400,
                _ => 500,
            },
            GatewayError::Store(_) => 500,
        }
    }

    /// OpenAI's error `type` for this error.
    pub fn openai_type(&self) -> &'static str {
        match self.http_status() {
            400 | 404 | 413 => "invalid_request_error",
            429 => "rate_limit_error",
            500 => "server_error",
            _ => "service_unavailable",
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`), when that helps.
    pub fn retry_after_secs(&self) -> Option<u32> {
        match self {
            GatewayError::QueueFull {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            GatewayError::StartTimeout { .. } | GatewayError::Stopped { .. } => Some(5),
            _ => None,
        }
    }

    /// `{"error":{"message","type","code","param"}}`, as OpenAI's API answers errors.
    pub fn openai_body(&self) -> serde_json::Value {
        openai_error_body(&self.to_string(), self.openai_type(), self.code())
    }
}

/// An OpenAI-shaped error body.
pub fn openai_error_body(message: &str, kind: &str, code: &str) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "type": kind, "code": code, "param": null}})
}

impl CodedError for GatewayError {
    fn code(&self) -> &'static str {
        match self {
            GatewayError::InvalidBody(_) => "gateway_invalid_body",
            GatewayError::MissingModel => "gateway_model_missing",
            GatewayError::BodyTooLarge { .. } => "gateway_body_too_large",
            GatewayError::UnknownModel { .. } => "model_not_found",
            GatewayError::StartFailed { .. } => "gateway_start_failed",
            GatewayError::StartTimeout { .. } => "gateway_start_timeout",
            GatewayError::NoRoom { .. } => "gateway_no_room",
            GatewayError::QueueFull { .. } => "gateway_queue_full",
            GatewayError::Stopped { .. } => "gateway_model_stopped",
            GatewayError::EngineUnreachable { .. } => "gateway_engine_unreachable",
            GatewayError::UnknownPath { .. } => "gateway_unknown_path",
            GatewayError::Library(e) => e.code(),
            GatewayError::Store(e) => e.code(),
            GatewayError::InvalidSettings(_) => "gateway_invalid_settings",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            GatewayError::InvalidBody(detail) | GatewayError::InvalidSettings(detail) => {
                vec![("detail", detail.clone())]
            }
            GatewayError::MissingModel => vec![],
            GatewayError::BodyTooLarge { limit } => vec![("limit", limit.to_string())],
            GatewayError::UnknownModel { requested, known } => vec![
                ("requested", requested.clone()),
                ("known", known_list(known)),
            ],
            GatewayError::StartFailed { model, reason } => {
                vec![("model", model.clone()), ("reason", reason.clone())]
            }
            GatewayError::StartTimeout { model, secs } => {
                vec![("model", model.clone()), ("secs", secs.to_string())]
            }
            GatewayError::NoRoom { model, reason } => {
                vec![("model", model.clone()), ("reason", reason.clone())]
            }
            GatewayError::QueueFull { model, queued, .. } => {
                vec![("model", model.clone()), ("queued", queued.to_string())]
            }
            GatewayError::Stopped { model } => vec![("model", model.clone())],
            GatewayError::EngineUnreachable { model, detail } => {
                vec![("model", model.clone()), ("detail", detail.clone())]
            }
            GatewayError::UnknownPath { path } => vec![("path", path.clone())],
            GatewayError::Library(e) => e.params(),
            GatewayError::Store(e) => e.params(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self.http_status() {
            400 | 413 => ErrorKind::InvalidInput,
            404 => ErrorKind::NotFound,
            429 | 503 | 502 => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}
