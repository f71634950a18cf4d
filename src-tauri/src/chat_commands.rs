//! Tauri commands of the chat: streams over a `Channel` each, conversations, search, export,
//! endpoints and presets. Same operations as the HTTP API's `/api/chat` and `/api/conversations`.

use llmops_core::chat::{
    save_export, ChatEndpoint, ChatError, ChatPreset, ChatStreamEvent, Conversation,
    ConversationDetail, ConversationPatch, ExportFormat, NewChatEndpoint, NewChatPreset,
    NewConversation, SearchHit, TurnRequest,
};
use llmops_core::error::{AppError, ErrorBody, ErrorKind};
use llmops_core::Core;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::chat_streams::ChatStreams;

type CommandResult<T> = Result<T, AppError>;

/// Runs a conversation turn (send, regenerate, edit): its events arrive on `on_event`, saved as
/// they stream. Returns the stream id for `chat_cancel`.
#[tauri::command]
pub async fn chat_turn(
    core: State<'_, Core>,
    streams: State<'_, ChatStreams>,
    conversation_id: String,
    turn: TurnRequest,
    on_event: Channel<ChatStreamEvent>,
) -> CommandResult<String> {
    let chat = core.chat.clone();
    open_stream(&streams, on_event, |cancel| async move {
        chat.turn(&conversation_id, turn, cancel).await
    })
    .await
}

/// Registers a cancellable stream, starts it, and pumps its events to the window's channel.
async fn open_stream<F>(
    streams: &ChatStreams,
    on_event: Channel<ChatStreamEvent>,
    start: impl FnOnce(CancellationToken) -> F,
) -> CommandResult<String>
where
    F: std::future::Future<Output = Result<mpsc::Receiver<ChatStreamEvent>, ChatError>>,
{
    let (stream_id, cancel) = streams.open();
    match start(cancel).await {
        Ok(receiver) => {
            streams.pump(stream_id.clone(), receiver, on_event);
            Ok(stream_id)
        }
        Err(err) => {
            streams.close(&stream_id);
            Err(err.into())
        }
    }
}

#[tauri::command]
pub async fn chat_cancel(streams: State<'_, ChatStreams>, stream_id: String) -> CommandResult<()> {
    streams.cancel(&stream_id);
    Ok(())
}

#[tauri::command]
pub async fn list_conversations(core: State<'_, Core>) -> CommandResult<Vec<Conversation>> {
    Ok(core.chat.list_conversations().await?)
}

#[tauri::command]
pub async fn create_conversation(
    core: State<'_, Core>,
    conversation: NewConversation,
) -> CommandResult<Conversation> {
    Ok(core.chat.create_conversation(conversation).await?)
}

#[tauri::command]
pub async fn get_conversation(
    core: State<'_, Core>,
    id: String,
) -> CommandResult<ConversationDetail> {
    Ok(core.chat.conversation(&id).await?)
}

#[tauri::command]
pub async fn update_conversation(
    core: State<'_, Core>,
    id: String,
    patch: ConversationPatch,
) -> CommandResult<Conversation> {
    Ok(core.chat.update_conversation(&id, patch).await?)
}

#[tauri::command]
pub async fn delete_conversation(core: State<'_, Core>, id: String) -> CommandResult<()> {
    Ok(core.chat.delete_conversation(&id).await?)
}

#[tauri::command]
pub async fn delete_chat_message(
    core: State<'_, Core>,
    conversation_id: String,
    message_id: String,
) -> CommandResult<()> {
    Ok(core
        .chat
        .delete_message(&conversation_id, &message_id)
        .await?)
}

#[tauri::command]
pub async fn search_conversations(
    core: State<'_, Core>,
    query: String,
) -> CommandResult<Vec<SearchHit>> {
    Ok(core.chat.search(&query).await?)
}

/// Saves the export in the user's Downloads folder and returns its path.
#[tauri::command]
pub async fn save_conversation_export(
    app: AppHandle,
    core: State<'_, Core>,
    id: String,
    format: ExportFormat,
) -> CommandResult<String> {
    let file = core.chat.export(&id, format).await?;
    let failed = |detail: String| AppError {
        kind: ErrorKind::Unavailable,
        body: ErrorBody {
            code: "export_not_saved".into(),
            message: format!("the export could not be saved: {detail}"),
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

#[tauri::command]
pub async fn list_chat_endpoints(core: State<'_, Core>) -> CommandResult<Vec<ChatEndpoint>> {
    Ok(core.chat.list_endpoints().await?)
}

#[tauri::command]
pub async fn add_chat_endpoint(
    core: State<'_, Core>,
    endpoint: NewChatEndpoint,
) -> CommandResult<ChatEndpoint> {
    Ok(core.chat.add_endpoint(endpoint).await?)
}

#[tauri::command]
pub async fn remove_chat_endpoint(core: State<'_, Core>, id: String) -> CommandResult<()> {
    Ok(core.chat.remove_endpoint(&id).await?)
}

#[tauri::command]
pub async fn chat_endpoint_models(core: State<'_, Core>, id: String) -> CommandResult<Vec<String>> {
    Ok(core.chat.endpoint_models(&id).await?)
}

#[tauri::command]
pub async fn list_chat_presets(core: State<'_, Core>) -> CommandResult<Vec<ChatPreset>> {
    Ok(core.chat.list_presets().await?)
}

#[tauri::command]
pub async fn save_chat_preset(
    core: State<'_, Core>,
    preset: NewChatPreset,
) -> CommandResult<ChatPreset> {
    Ok(core.chat.save_preset(preset).await?)
}

#[tauri::command]
pub async fn delete_chat_preset(core: State<'_, Core>, id: String) -> CommandResult<()> {
    Ok(core.chat.delete_preset(&id).await?)
}
