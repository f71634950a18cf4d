//! Chat streaming as Server-Sent Events, one JSON `ChatStreamEvent` per event (named after its
//! `event` field): `POST /api/chat/completions` streams from an instance without saving, and
//! `POST /api/conversations/{id}/turns` (see `conversations`) saves as it streams. A client that
//! disconnects drops the stream, which closes the connection to the engine and stops generation.
//! Also the chat's search, external endpoints and presets.

use std::convert::Infallible;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::{self, Stream};
use llmops_core::chat::{
    ChatEndpoint, ChatPreset, ChatRequest, ChatStreamEvent, NewChatEndpoint, NewChatPreset,
    SearchHit,
};
use llmops_core::Core;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api_error::{ApiError, ApiQuery, ApiResult};

pub async fn completions(
    State(core): State<Core>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Json(request) = body.map_err(ApiError::from_json)?;
    let cancel = CancellationToken::new();
    let receiver = core.chat.stream(request, cancel.clone()).await?;
    Ok(sse(receiver, cancel))
}

/// The events as SSE; dropping the response (the client went away) cancels the stream.
pub fn sse(
    receiver: mpsc::Receiver<ChatStreamEvent>,
    cancel: CancellationToken,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let guard = cancel.drop_guard();
    let events = stream::unfold(
        (receiver, Some(guard)),
        |(mut receiver, guard)| async move {
            let event = receiver.recv().await?;
            let name = match &event {
                ChatStreamEvent::Started { .. } => "started",
                ChatStreamEvent::Delta { .. } => "delta",
                ChatStreamEvent::Reasoning { .. } => "reasoning",
                ChatStreamEvent::Done { .. } => "done",
                ChatStreamEvent::Error { .. } => "error",
            };
            let sse = Event::default()
                .event(name)
                .json_data(&event)
                .unwrap_or_else(|_| Event::default().data("{}"));
            Some((Ok(sse), (receiver, guard)))
        },
    );
    Sse::new(events).keep_alive(KeepAlive::default())
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(core): State<Core>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Vec<SearchHit>> {
    Ok(Json(core.chat.search(&query.q).await?))
}

pub async fn endpoints(State(core): State<Core>) -> ApiResult<Vec<ChatEndpoint>> {
    Ok(Json(core.chat.list_endpoints().await?))
}

pub async fn add_endpoint(
    State(core): State<Core>,
    body: Result<Json<NewChatEndpoint>, JsonRejection>,
) -> Result<(StatusCode, Json<ChatEndpoint>), ApiError> {
    let Json(new) = body.map_err(ApiError::from_json)?;
    Ok((
        StatusCode::CREATED,
        Json(core.chat.add_endpoint(new).await?),
    ))
}

pub async fn remove_endpoint(
    State(core): State<Core>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    core.chat.remove_endpoint(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn endpoint_models(
    State(core): State<Core>,
    Path(id): Path<String>,
) -> ApiResult<Vec<String>> {
    Ok(Json(core.chat.endpoint_models(&id).await?))
}

pub async fn presets(State(core): State<Core>) -> ApiResult<Vec<ChatPreset>> {
    Ok(Json(core.chat.list_presets().await?))
}

pub async fn save_preset(
    State(core): State<Core>,
    body: Result<Json<NewChatPreset>, JsonRejection>,
) -> ApiResult<ChatPreset> {
    let Json(new) = body.map_err(ApiError::from_json)?;
    Ok(Json(core.chat.save_preset(new).await?))
}

pub async fn delete_preset(
    State(core): State<Core>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    core.chat.delete_preset(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
