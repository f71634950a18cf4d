//! Chat streaming as Server-Sent Events, one JSON `ChatStreamEvent` per event (named after its
//! `event` field): `POST /api/chat/completions` streams from an instance without saving, and
//! `POST /api/conversations/{id}/turns` (see `conversations`) saves as it streams. A client that
//! disconnects drops the stream, which closes the connection to the engine and stops generation.

use std::convert::Infallible;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::{self, Stream};
use llmops_core::chat::{ChatRequest, ChatStreamEvent};
use llmops_core::Core;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api_error::ApiError;

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
