use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use llmops_core::monitor::SystemSnapshot;
use llmops_core::Core;
use serde_json::{json, Value};

use crate::api_error::{ApiError, ApiResult};

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn status(State(core): State<Core>) -> ApiResult<SystemSnapshot> {
    Ok(Json(core.monitor.snapshot().await))
}

pub async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::from(AppError {
        kind: ErrorKind::NotFound,
        body: ErrorBody {
            code: "route_not_found".into(),
            message: format!("no API route {}", uri.path()),
        },
    })
}
