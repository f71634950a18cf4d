use axum::extract::{Path, State};
use axum::Json;
use llmops_core::supervisor::{InstanceInfo, LogLine};
use llmops_core::Core;
use serde::Deserialize;

use crate::api_error::{ApiQuery, ApiResult};

const DEFAULT_LOG_LIMIT: usize = 500;
const MAX_LOG_LIMIT: usize = 5000;

pub async fn list(State(core): State<Core>) -> ApiResult<Vec<InstanceInfo>> {
    Ok(Json(core.supervisor.list()))
}

pub async fn get(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<InstanceInfo> {
    Ok(Json(core.supervisor.get(&id)?))
}

pub async fn stop(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<InstanceInfo> {
    Ok(Json(core.supervisor.stop(&id).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct LogQuery {
    since: Option<u64>,
    limit: Option<usize>,
}

pub async fn logs(
    State(core): State<Core>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<Vec<LogLine>> {
    let limit = q.limit.unwrap_or(DEFAULT_LOG_LIMIT).min(MAX_LOG_LIMIT);
    Ok(Json(core.supervisor.logs(&id, q.since, limit)?))
}
