//! The OpenAI-compatible gateway at `/v1`: `GET /v1/models`, and every `POST /v1/*` handed to
//! the core's [`Gateway`](llmops_core::gateway::Gateway), which picks (and if needed starts)
//! the instance; its answer streams back byte for byte. Errors are OpenAI-shaped.

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use llmops_core::access::{Caller, Scope};
use llmops_core::gateway::{openai_error_body, GatewayError, GatewayRequest, MAX_REQUEST_BODY};
use llmops_core::Core;

use crate::app::AppState;
use crate::security::listener::PeerAddr;
use crate::security::NeedsScope;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/models", get(list_models).needs(Scope::Read))
        .route("/models/{*name}", get(one_model).needs(Scope::Read))
        .route("/{*path}", post(forward).needs(Scope::Operate))
        .method_not_allowed_fallback(unknown)
        .fallback(unknown)
}

/// A gateway error as OpenAI's API words it, with `Retry-After` where waiting helps.
struct OpenAiError(GatewayError);

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0.openai_body())).into_response();
        if let Some(secs) = self.0.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

async fn list_models(State(core): State<Core>) -> Result<Json<serde_json::Value>, OpenAiError> {
    Ok(Json(
        core.gateway.openai_models().await.map_err(OpenAiError)?,
    ))
}

async fn one_model(
    State(core): State<Core>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, OpenAiError> {
    Ok(Json(
        core.gateway
            .openai_model(&name)
            .await
            .map_err(OpenAiError)?,
    ))
}

async fn forward(
    State(core): State<Core>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    Path(path): Path<String>,
    request: Request,
) -> Result<Response, OpenAiError> {
    let client = match request.extensions().get::<Caller>() {
        Some(Caller {
            key_name: Some(name),
            ..
        }) => name.clone(),
        _ => peer.ip().to_string(),
    };
    let query = request.uri().query().map(str::to_string);
    let body = axum::body::to_bytes(request.into_body(), MAX_REQUEST_BODY)
        .await
        .map_err(|_| {
            OpenAiError(GatewayError::BodyTooLarge {
                limit: MAX_REQUEST_BODY,
            })
        })?;
    let answer = core
        .gateway
        .forward(GatewayRequest {
            path: format!("/{path}"),
            query,
            body,
            client,
        })
        .await
        .map_err(OpenAiError)?;
    let mut response = Response::new(Body::from_stream(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers_mut();
    if let Some(value) = answer
        .content_type
        .and_then(|t| HeaderValue::from_str(&t).ok())
    {
        let streamed = value.as_bytes().starts_with(b"text/event-stream");
        headers.insert(header::CONTENT_TYPE, value);
        if streamed {
            // Proxies in front of llmops must not hold chunks back either.
            headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        }
    }
    Ok(response)
}

async fn unknown(request: Request) -> Response {
    let message = format!(
        "{} {} is not part of the OpenAI API this gateway serves: use GET /v1/models or POST /v1/<endpoint> with a JSON body that names a model",
        request.method(),
        request.uri().path()
    );
    (
        StatusCode::NOT_FOUND,
        Json(openai_error_body(
            &message,
            "invalid_request_error",
            "gateway_unknown_path",
        )),
    )
        .into_response()
}
