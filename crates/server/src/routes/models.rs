use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use llmops_core::engine::{deploy_presets, DeployPreset, EngineInfo};
use llmops_core::library::{Model, NewModel};
use llmops_core::supervisor::InstanceInfo;
use llmops_core::supervisor::ModelDetail;
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

/// Removes a model; its live instance is stopped first.
pub async fn remove(
    State(core): State<Core>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    core.remove_model(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn start(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<InstanceInfo> {
    Ok(Json(core.supervisor.start(&id).await?))
}

pub async fn detail(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<ModelDetail> {
    Ok(Json(core.model_detail(&id).await?))
}

/// `POST /api/models/deploy`: add a model and start it in one call (`Core::deploy` owns the
/// rollback policy).
pub async fn deploy(
    State(core): State<Core>,
    body: Result<Json<NewModel>, JsonRejection>,
) -> ApiResult<InstanceInfo> {
    let Json(new) = body.map_err(ApiError::from_json)?;
    Ok(Json(core.deploy(new).await?))
}

/// Stops the model's live instance.
pub async fn stop(State(core): State<Core>, Path(id): Path<String>) -> ApiResult<InstanceInfo> {
    Ok(Json(core.supervisor.stop_model(&id).await?))
}

/// Each engine's binary on this machine (where it was found, its version) or what is missing.
pub async fn engines(State(core): State<Core>) -> ApiResult<Vec<EngineInfo>> {
    Ok(Json(core.supervisor.engines().await))
}

/// Presets that pre-fill the Deploy form per model family and engine.
pub async fn presets() -> ApiResult<Vec<DeployPreset>> {
    Ok(Json(deploy_presets()))
}
