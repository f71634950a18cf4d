//! `/metrics` and the answer to an unknown `/api` route.

use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::IntoResponse;
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use llmops_core::Core;

use crate::api_error::ApiError;

/// Prometheus text exposition; see `docs/MONITORING.md` for the metric names.
pub async fn metrics(State(core): State<Core>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        core.prometheus_metrics().await,
    )
}

pub async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::from(AppError {
        kind: ErrorKind::NotFound,
        body: ErrorBody {
            code: "route_not_found".into(),
            message: format!("No API route {}", uri.path()),
            params: Some([("path".to_string(), uri.path().to_string())].into()),
        },
    })
}
