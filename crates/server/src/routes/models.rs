use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use llmops_core::library::{Model, NewModel};
use llmops_core::supervisor::InstanceInfo;
use llmops_core::Core;

use crate::api_error::{ApiError, ApiResult};

pub async fn list(State(core): State<Core>) -> ApiResult<Vec<Model>> {
    Ok(Json(core.library.list().await?))
}

pub async fn add(
    State(core): State<Core>,
    body: Result<Json<NewModel>, JsonRejection>,
) -> ApiResult<Model> {
    let Json(new) = body.map_err(ApiError::from_json)?;
    Ok(Json(core.library.add(new).await?))
}

pub async fn remove(
    State(core): State<Core>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    core.library.remove(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn start(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<InstanceInfo> {
    Ok(Json(core.supervisor.start(&id).await?))
}
