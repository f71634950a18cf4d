use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use llmops_core::alerts::{Alert, AlertList, AlertRules};
use llmops_core::Core;

use crate::api_error::{ApiError, ApiResult};

pub async fn list(State(core): State<Core>) -> ApiResult<AlertList> {
    Ok(Json(core.alerts.list()))
}

pub async fn rules(State(core): State<Core>) -> ApiResult<AlertRules> {
    Ok(Json(core.alerts.rules()))
}

pub async fn set_rules(
    State(core): State<Core>,
    body: Result<Json<AlertRules>, JsonRejection>,
) -> ApiResult<AlertRules> {
    let Json(rules) = body.map_err(ApiError::from_json)?;
    Ok(Json(core.alerts.set_rules(rules).await?))
}

/// `POST /api/alerts/{id}/acknowledge`: the alert stays until its cause goes, marked as seen.
pub async fn acknowledge(
    State(core): State<Core>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Alert> {
    Ok(Json(core.alerts.acknowledge(&id)?))
}
