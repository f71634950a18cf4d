//! Tauri commands: one per core call, same names as the HTTP API's operations.

use llmops_core::alerts::{Alert, AlertList, AlertRules};
use llmops_core::engine::{DeployPreset, EngineInfo};
use llmops_core::error::AppError;
use llmops_core::history::{History, HistoryRange};
use llmops_core::library::{Model, NewModel};
use llmops_core::monitor::SystemSnapshot;
use llmops_core::supervisor::ModelDetail;
use llmops_core::supervisor::{InstanceInfo, LogLine};
use llmops_core::Core;
use tauri::State;

type CommandResult<T> = Result<T, AppError>;

const DEFAULT_LOG_LIMIT: usize = 500;
const MAX_LOG_LIMIT: usize = 5000;

#[tauri::command]
pub async fn system_status(core: State<'_, Core>) -> CommandResult<SystemSnapshot> {
    Ok(core.system_snapshot().await)
}

#[tauri::command]
pub async fn system_history(
    core: State<'_, Core>,
    range: HistoryRange,
    series: Option<Vec<String>>,
) -> CommandResult<History> {
    Ok(core
        .history
        .query(range, series.as_deref(), llmops_core::time::now_ms())
        .await?)
}

#[tauri::command]
pub async fn list_alerts(core: State<'_, Core>) -> CommandResult<AlertList> {
    Ok(core.alerts.list())
}

#[tauri::command]
pub async fn get_alert_rules(core: State<'_, Core>) -> CommandResult<AlertRules> {
    Ok(core.alerts.rules())
}

#[tauri::command]
pub async fn set_alert_rules(
    core: State<'_, Core>,
    rules: AlertRules,
) -> CommandResult<AlertRules> {
    Ok(core.alerts.set_rules(rules).await?)
}

#[tauri::command]
pub async fn acknowledge_alert(core: State<'_, Core>, id: String) -> CommandResult<Alert> {
    Ok(core.alerts.acknowledge(&id)?)
}

#[tauri::command]
pub async fn list_models(core: State<'_, Core>) -> CommandResult<Vec<Model>> {
    Ok(core.library.list().await?)
}

#[tauri::command]
pub async fn model_detail(core: State<'_, Core>, id: String) -> CommandResult<ModelDetail> {
    Ok(core.model_detail(&id).await?)
}

#[tauri::command]
pub async fn add_model(core: State<'_, Core>, model: NewModel) -> CommandResult<Model> {
    Ok(core.library.add(model).await?)
}

#[tauri::command]
pub async fn remove_model(core: State<'_, Core>, id: String) -> CommandResult<()> {
    Ok(core.remove_model(&id).await?)
}

/// Adds a model and starts it (`Core::deploy` owns the rollback policy).
#[tauri::command]
pub async fn deploy_model(core: State<'_, Core>, model: NewModel) -> CommandResult<InstanceInfo> {
    Ok(core.deploy(model).await?)
}

#[tauri::command]
pub async fn stop_model(core: State<'_, Core>, model_id: String) -> CommandResult<InstanceInfo> {
    Ok(core.supervisor.stop_model(&model_id).await?)
}

#[tauri::command]
pub async fn list_instances(core: State<'_, Core>) -> CommandResult<Vec<InstanceInfo>> {
    Ok(core.supervisor.list())
}

#[tauri::command]
pub async fn start_model(core: State<'_, Core>, model_id: String) -> CommandResult<InstanceInfo> {
    Ok(core.supervisor.start(&model_id).await?)
}

#[tauri::command]
pub async fn stop_instance(
    core: State<'_, Core>,
    instance_id: String,
) -> CommandResult<InstanceInfo> {
    Ok(core.supervisor.stop(&instance_id).await?)
}

#[tauri::command]
pub async fn instance_logs(
    core: State<'_, Core>,
    instance_id: String,
    since: Option<u64>,
    limit: Option<usize>,
) -> CommandResult<Vec<LogLine>> {
    let limit = limit.unwrap_or(DEFAULT_LOG_LIMIT).min(MAX_LOG_LIMIT);
    Ok(core.supervisor.logs(&instance_id, since, limit)?)
}

#[tauri::command]
pub async fn engines_info(core: State<'_, Core>) -> CommandResult<Vec<EngineInfo>> {
    Ok(core.supervisor.engines().await)
}

#[tauri::command]
pub async fn deploy_presets() -> CommandResult<Vec<DeployPreset>> {
    Ok(llmops_core::engine::deploy_presets())
}
