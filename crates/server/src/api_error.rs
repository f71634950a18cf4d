//! Service errors as HTTP responses: a status from the error's kind, and `{code, message}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use llmops_core::error::{AppError, ErrorBody, ErrorKind};

pub struct ApiError(AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl ApiError {
    pub fn bad_request(message: String) -> Self {
        ApiError(AppError {
            kind: ErrorKind::InvalidInput,
            body: ErrorBody {
                code: "bad_request".into(),
                message,
                params: None,
            },
        })
    }

    pub fn conflict(code: &str, message: String) -> Self {
        ApiError(AppError {
            kind: ErrorKind::Conflict,
            body: ErrorBody {
                code: code.into(),
                message,
                params: None,
            },
        })
    }

    pub fn from_json(rejection: JsonRejection) -> Self {
        Self::bad_request(format!(
            "The request body is not valid: {}",
            rejection.body_text()
        ))
    }
}

fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = status(self.0.kind);
        if code.is_server_error() {
            tracing::error!(code = %self.0.body.code, message = %self.0.body.message, "request failed");
        }
        (code, Json(self.0.body)).into_response()
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// `Query<T>` whose rejection is an [`ApiError`] (`{code, message}` JSON, like every other error),
/// not axum's plain-text answer.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                ApiError::bad_request(format!(
                    "The query string is not valid: {}",
                    rejection.body_text()
                ))
            })
    }
}
