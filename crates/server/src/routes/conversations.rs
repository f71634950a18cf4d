//! A conversation turn streamed as SSE, and a conversation exported as a file to download.

use std::convert::Infallible;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::Stream;
use llmops_core::chat::{ExportQuery, TurnRequest};
use llmops_core::Core;
use tokio_util::sync::CancellationToken;

use super::chat::sse;
use crate::api_error::ApiError;

pub async fn turn(
    State(core): State<Core>,
    Path(id): Path<String>,
    body: Result<Json<TurnRequest>, JsonRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Json(request) = body.map_err(ApiError::from_json)?;
    let cancel = CancellationToken::new();
    let receiver = core.chat.turn(&id, request, cancel.clone()).await?;
    Ok(sse(receiver, cancel))
}

/// The file itself, as an attachment, so that a plain link downloads it.
pub async fn export(
    State(core): State<Core>,
    Path(id): Path<String>,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "{}; use ?format=markdown or ?format=json",
            e.body_text()
        ))
    })?;
    let file = core.chat.export(&id, query.format).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&file.filename),
        percent_encode(&file.filename)
    );
    let content_type = format!("{}; charset=utf-8", file.mime);
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type).expect("a MIME type is a header value"),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).expect("an ASCII header value"),
        ),
    ];
    Ok((headers, file.body).into_response())
}

/// The file name with anything outside printable ASCII replaced, for old clients.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 5987 encoding of the UTF-8 file name.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
