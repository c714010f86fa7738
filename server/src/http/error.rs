//! The service's one error type: every way a request can fail before the comment rules have
//! their say, each with its status and a message a client (or the widget) can show. Handlers
//! return `Result<_, ApiError>` and use `?`; a database error becomes 503 and is logged.
//!
//! The API answers JSON (`{"error": "…"}`). A route a browser opens (a reading page, the
//! plain form's post, a mail's link) answers a small HTML page instead: `HtmlError`, made
//! directly or from an `ApiError` with `ApiError::page`, with the same status and words.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde_json::json;

use crate::markup::small_page;

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
    /// The publisher's sign-in token was refused (expired, forged, another site's…): 401.
    #[error("{0}")]
    SignIn(crate::sso::Refusal),
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
            ApiError::SignIn(_) => StatusCode::UNAUTHORIZED,
        }
    }

    /// The same error as a page, for a route a browser opens (logged as the JSON answer is).
    pub fn page(self) -> HtmlError {
        self.log();
        let heading = match self.status() {
            // Whatever failed inside, the reader reads the same words, on any page.
            StatusCode::SERVICE_UNAVAILABLE => return HtmlError::unavailable(),
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            _ => "Not accepted",
        };
        HtmlError::new(self.status(), heading, self.to_string())
    }

    /// What the operator must know: the database or the random source failed.
    fn log(&self) {
        match self {
            ApiError::Database(error) => tracing::error!(%error, "database"),
            ApiError::NoRandomness => tracing::error!("the system's random source failed"),
            _ => {}
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (
            self.status(),
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "error": self.to_string() }).to_string(),
        )
            .into_response();
        if let ApiError::SignIn(_) = self {
            // RFC 6750 §3: a refused bearer token is answered with its scheme and the reason.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

/// An error on a route a browser opens: a small HTML page with a heading and the message,
/// never cached (the next try may work).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlError {
    pub status: StatusCode,
    pub heading: String,
    pub message: String,
}

impl HtmlError {
    pub fn new(status: StatusCode, heading: impl Into<String>, message: impl Into<String>) -> Self {
        HtmlError {
            status,
            heading: heading.into(),
            message: message.into(),
        }
    }

    /// The page for a database (or other store) failure: 503, in the reader's words.
    pub fn unavailable() -> Self {
        HtmlError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "This page is unavailable right now. Please try again in a moment.",
        )
    }
}

impl From<ApiError> for HtmlError {
    fn from(error: ApiError) -> HtmlError {
        error.page()
    }
}

/// A database error on a page: 503, logged.
impl From<sqlx::Error> for HtmlError {
    fn from(error: sqlx::Error) -> HtmlError {
        ApiError::Database(error).page()
    }
}

impl HtmlError {
    /// The same status and words as an HTML fragment, for a route whose answer a publisher's
    /// page includes (server-side includes, `/prerendered/…`): one paragraph, never a whole
    /// document spliced into theirs.
    pub fn fragment(self) -> Response {
        let fragment = html! {
            p class="article-widget-error" role="alert" { (self.message) }
        };
        (
            self.status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            fragment.into_string(),
        )
            .into_response()
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let page = small_page(
            &self.heading,
            html! {
                h1 { (self.heading) }
                p { (self.message) }
            },
        );
        (
            self.status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            page.into_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_as_a_page_keeps_its_status_and_words() {
        let page = ApiError::Closed.page();
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert_eq!(page.message, "Comments are closed for this article.");
        let page = ApiError::NoRandomness.page();
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    }
}
