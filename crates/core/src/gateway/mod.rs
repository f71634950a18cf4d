//! The OpenAI-compatible gateway behind `/v1`: one endpoint for every configured model.
//!
//! - [`Gateway::forward`] routes a request by its `model` to the instance that serves it,
//!   starting the model on demand (one start however many requests wait), queueing beyond its
//!   concurrency (`admission.rs`), and passing the engine's answer through byte for byte while
//!   measuring it (`proxy.rs`, `meter.rs`).
//! - Idle models the gateway started stop after their TTL; to make room, the least recently used
//!   idle one stops first (`service.rs`).
//! - Every request is recorded (`recorder.rs`, `store.rs`) and counted for Prometheus
//!   (`metrics.rs`); engines' own metrics are relayed under the model's labels
//!   (`engine_metrics.rs`). See `docs/GATEWAY.md`.

mod admission;
mod engine_metrics;
mod error;
mod meter;
mod metrics;
mod names;
mod proxy;
mod recorder;
mod service;
mod store;
mod types;

pub use error::{openai_error_body, GatewayError};
pub use meter::{percentile, Measured, Meter};
pub use names::stable_name;
pub use proxy::{GatewayResponse, ObservedBody};
pub use service::{
    error_chain, send_once_more_on_a_closed_connection, Gateway, GatewayRequest, MAX_REQUEST_BODY,
};
pub use types::*;
