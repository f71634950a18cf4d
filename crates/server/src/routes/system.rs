use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::IntoResponse;
use axum::Json;
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use llmops_core::history::{History, HistoryRange};
use llmops_core::monitor::SystemSnapshot;
use llmops_core::Core;
use serde::Deserialize;
use serde_json::Value;

use crate::api_error::{ApiError, ApiQuery, ApiResult};

/// `GET /api/health`: the server answers, and which version it is.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
    pub version: &'static str,
}

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

pub async fn status(State(core): State<Core>) -> ApiResult<SystemSnapshot> {
    Ok(Json(core.system_snapshot().await))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct HistoryQuery {
    /// `15m`, `1h` (the default), `24h` or `7d`.
    #[schemars(with = "Option<HistoryRange>")]
    range: Option<String>,
    /// Comma-separated series keys; all series when absent.
    series: Option<String>,
}

pub async fn history(
    State(core): State<Core>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<History> {
    let range = q.range.as_deref().unwrap_or("1h");
    let range: HistoryRange =
        serde_json::from_value(Value::String(range.to_string())).map_err(|_| {
            ApiError::bad_request(format!("unknown range {range:?}; use 15m, 1h, 24h or 7d"))
        })?;
    let series: Option<Vec<String>> = q.series.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect()
    });
    let history = core
        .history
        .query(range, series.as_deref(), llmops_core::time::now_ms())
        .await?;
    Ok(Json(history))
}

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
            message: format!("no API route {}", uri.path()),
        },
    })
}
