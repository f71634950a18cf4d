//! Access, secrets and preferences in the desktop app: the window is the local user (admin), who
//! manages the API keys that `llmops serve` on the same data dir accepts, sees where secrets are
//! kept, and keeps the UI's preferences by key.

use llmops_core::access::{ApiKeyInfo, Caller, CreatedApiKey, LoginLink, NewApiKey};
use llmops_core::error::AppError;
use llmops_core::secrets::SecretStoreInfo;
use llmops_core::Core;
use tauri::State;

type CommandResult<T> = Result<T, AppError>;

/// The desktop window is always the local user.
#[tauri::command]
pub async fn whoami() -> CommandResult<Caller> {
    Ok(Caller::local())
}

#[tauri::command]
pub async fn list_api_keys(core: State<'_, Core>) -> CommandResult<Vec<ApiKeyInfo>> {
    Ok(core.access.list_keys())
}

#[tauri::command]
pub async fn create_api_key(core: State<'_, Core>, new: NewApiKey) -> CommandResult<CreatedApiKey> {
    Ok(core.access.create_key(new).await?)
}

#[tauri::command]
pub async fn revoke_api_key(core: State<'_, Core>, id: String) -> CommandResult<()> {
    Ok(core.access.revoke_key(&id).await?)
}

/// The desktop app serves no network address, so there is no link to show; the note says how
/// to serve one.
#[tauri::command]
pub async fn login_link(core: State<'_, Core>) -> CommandResult<LoginLink> {
    Ok(LoginLink {
        url: None,
        qr_svg: None,
        token_file: core.access.token_path().display().to_string(),
        remote_auth: true,
        note: Some(
            "the desktop app serves no network address. To use llmops from a phone, run \
             `llmops serve --host 0.0.0.0` on this machine and scan the QR code it prints"
                .into(),
        ),
    })
}

#[tauri::command]
pub async fn rotate_server_token(core: State<'_, Core>) -> CommandResult<()> {
    Ok(core.access.rotate_server_token()?)
}

#[tauri::command]
pub async fn secret_store_info(core: State<'_, Core>) -> CommandResult<SecretStoreInfo> {
    Ok(core.secrets.info())
}

/// A UI preference (language, …) by key; the window never names a file.
#[tauri::command]
pub async fn load_preference(core: State<'_, Core>, key: String) -> CommandResult<Option<String>> {
    Ok(core.preferences.get(&key))
}

#[tauri::command]
pub async fn save_preference(
    core: State<'_, Core>,
    key: String,
    value: String,
) -> CommandResult<()> {
    Ok(core.preferences.set(&key, &value)?)
}
