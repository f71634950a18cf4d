//! The desktop commands that the transport itself answers (the table's `=> adapter` entries): who
//! is calling, the login link, chat streams and live logs over a `Channel`, and exports saved to
//! Downloads.
//! Every other command is derived from the table in [`crate::commands`].

use llmops_core::access::{Caller, LoginLink};
use llmops_core::chat::{save_export, ChatStreamEvent, ExportQuery, TurnRequest};
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use llmops_core::operations::DesktopNotification;
use llmops_core::supervisor::LogBatch;
use llmops_core::Core;
use tauri::ipc::{Channel, IpcResponse};
use tauri::{AppHandle, Manager, State};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::streams::Streams;

type CommandResult<T> = Result<T, AppError>;

/// The desktop window is always the local user.
#[tauri::command]
pub async fn whoami() -> CommandResult<Caller> {
    Ok(Caller::local())
}

/// With "Serve on local network" on, the link (and its QR code) that logs a phone in; otherwise
/// the note says how to turn it on.
#[tauri::command]
pub async fn login_link(
    core: State<'_, Core>,
    serving: State<'_, crate::http::HttpServing>,
) -> CommandResult<LoginLink> {
    let url = serving.lan_base().map(|base| core.access.login_url(&base));
    let note = url.is_none().then(|| {
        "this app serves this machine only. Turn on \"Serve on local network\" (Requests page) \
         to reach it from a phone"
            .to_string()
    });
    Ok(LoginLink {
        qr_svg: url.as_deref().and_then(llmops_server::security::qr_svg),
        url,
        token_file: core.access.token_path().display().to_string(),
        remote_auth: true,
        note,
    })
}

/// "Serve on local network": saves the choice and serves again on the LAN (behind keys) or on
/// loopback only.
#[tauri::command]
pub async fn set_lan_serving(
    app: AppHandle,
    core: State<'_, Core>,
    http: State<'_, crate::http::HttpServing>,
    serving: llmops_core::gateway::LanServing,
) -> CommandResult<llmops_core::gateway::GatewayStatus> {
    let value = if serving.enabled { "true" } else { "false" };
    core.preferences
        .set(crate::http::LAN_PREFERENCE, value)
        .map_err(AppError::from)?;
    http.restart(&app, &core, serving.enabled).await;
    Ok(core.gateway.status().await.map_err(AppError::from)?)
}

/// Runs a conversation turn (send, regenerate, edit): its events arrive on `on_event`, saved as
/// they stream. Returns the stream id for `cancel_stream`.
#[tauri::command]
pub async fn chat_turn(
    core: State<'_, Core>,
    streams: State<'_, Streams>,
    id: String,
    turn: TurnRequest,
    on_event: Channel<ChatStreamEvent>,
) -> CommandResult<String> {
    let chat = core.chat.clone();
    open_stream(&streams, on_event, |cancel| async move {
        chat.turn(&id, turn, cancel).await
    })
    .await
}

/// Registers a cancellable stream, starts it, and pumps its items to the window's channel.
async fn open_stream<T, E, F>(
    streams: &Streams,
    on_item: Channel<T>,
    start: impl FnOnce(CancellationToken) -> F,
) -> CommandResult<String>
where
    T: IpcResponse + Send + 'static,
    E: Into<AppError>,
    F: std::future::Future<Output = Result<mpsc::Receiver<T>, E>>,
{
    let (stream_id, cancel) = streams.open();
    match start(cancel).await {
        Ok(receiver) => {
            streams.pump(stream_id.clone(), receiver, on_item);
            Ok(stream_id)
        }
        Err(err) => {
            streams.close(&stream_id);
            Err(err.into())
        }
    }
}

#[tauri::command]
pub async fn cancel_stream(streams: State<'_, Streams>, stream_id: String) -> CommandResult<()> {
    streams.cancel(&stream_id);
    Ok(())
}

/// Shows a desktop notification the window worded in the user's language (alerts).
#[tauri::command]
pub async fn show_notification(
    app: AppHandle,
    notification: DesktopNotification,
) -> CommandResult<()> {
    use tauri_plugin_notification::NotificationExt;
    let (title, body) = notification.bounded();
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(err) = shown {
        // No notification daemon is not the window's problem: the alert is on the page too.
        tracing::warn!(%err, "could not show a desktop notification");
    }
    Ok(())
}

/// Saves the export in the user's Downloads folder and returns its path.
#[tauri::command]
pub async fn export_conversation(
    app: AppHandle,
    core: State<'_, Core>,
    id: String,
    query: ExportQuery,
) -> CommandResult<String> {
    let file = core.chat.export(&id, query.format).await?;
    let failed = |detail: String| AppError {
        kind: ErrorKind::Unavailable,
        body: ErrorBody {
            code: "export_not_saved".into(),
            message: format!("The export could not be saved: {detail}"),
            params: None,
        },
    };
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| failed(format!("{e}; no Downloads or home folder")))?;
    let path =
        save_export(&dir, &file).map_err(|e| failed(format!("{e} (in {})", dir.display())))?;
    tracing::info!(path = %path.display(), "conversation exported");
    Ok(path.display().to_string())
}

/// Follows a model's output (`Supervisor::follow_model_logs`): batches arrive on `on_batch`.
/// Returns the stream id for `cancel_stream`.
#[tauri::command]
pub async fn follow_model_logs(
    core: State<'_, Core>,
    streams: State<'_, Streams>,
    id: String,
    on_batch: Channel<LogBatch>,
) -> CommandResult<String> {
    let supervisor = core.supervisor.clone();
    open_stream(&streams, on_batch, |cancel| async move {
        supervisor.follow_model_logs(&id, cancel).await
    })
    .await
}
