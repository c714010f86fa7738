//! The service's one error type: every way a request can fail before the comment rules have
//! their say, each with its status and a message a client (or the widget) can show. Handlers
//! return `Result<_, ApiError>` and use `?`; a database error becomes 503 and is logged.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("This site may not use these comments.")]
    ForeignOrigin,
    #[error("There are no comments for this article.")]
    NoComments,
    #[error("Comments are closed for this article.")]
    Closed,
    #[error("Send the comment as application/json.")]
    NotJson,
    #[error("An Idempotency-Key header is required.")]
    MissingKey,
    #[error("This comment is still being posted. Please retry in a moment.")]
    KeyInProgress,
    #[error("Ask for at most 100 articles at a time.")]
    TooManyArticles,
    /// A page of the thread asked for with parameters that are not (the message says which).
    #[error("{0}.")]
    BadPage(String),
    /// No secure random source for a comment id: refuse rather than make a guessable one.
    #[error("The comments are unavailable right now. Please try again.")]
    NoRandomness,
    #[error("The comments are unavailable right now. Please try again.")]
    Database(#[from] sqlx::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::ForeignOrigin => StatusCode::FORBIDDEN,
            ApiError::NoComments | ApiError::Closed => StatusCode::NOT_FOUND,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MissingKey | ApiError::TooManyArticles | ApiError::BadPage(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::KeyInProgress => StatusCode::CONFLICT,
            ApiError::NoRandomness | ApiError::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Database(error) => tracing::error!(%error, "database"),
            ApiError::NoRandomness => tracing::error!("the system's random source failed"),
            _ => {}
        }
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "error": self.to_string() }).to_string(),
        )
            .into_response()
    }
}
