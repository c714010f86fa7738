//! What goes wrong on the area's routes, as pages of the area: each failure has its status,
//! a title and a message a moderator understands, in the area's layout (never the comments
//! API's JSON, nor a framework's bare text).

use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::views::page;

#[derive(Debug, thiserror::Error)]
pub enum AreaError {
    /// A state-changing request without a live session.
    #[error("Your session has ended.")]
    SignedOut,
    /// A state-changing request without the session's CSRF token (or with another).
    #[error("This request did not come from a page of the moderation area. Nothing was changed.")]
    NotFromTheArea,
    #[error("This form is too large for the moderation area. Nothing was changed.")]
    TooLarge,
    #[error("This request could not be read: {0}")]
    Unreadable(String),
    /// A pin the rules refuse (`store::PinOutcome::refusal`): nothing was changed.
    #[error("{0} Nothing was changed.")]
    NotPinned(String),
    /// Approve pressed on a comment its author edited after the page was shown: nothing changed.
    #[error("Its author edited this comment after this page was shown. Nothing was changed: look at it again, then decide.")]
    EditedMeanwhile,
    /// An answer the framework made (a method the route does not take…): its status kept.
    #[error("{}", other_message(*.0))]
    Other(StatusCode),
    /// No secure random source for a token: refuse rather than make a guessable one.
    #[error("The moderation area is unavailable right now. Please try again in a moment.")]
    NoRandomness,
    #[error("The moderation area is unavailable right now. Please try again in a moment.")]
    Database(#[from] sqlx::Error),
}

fn other_message(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address of the moderation area does not take this kind of request.".to_owned()
        }
        StatusCode::NOT_FOUND => "There is no such page in the moderation area.".to_owned(),
        status if status.is_server_error() => {
            "The moderation area is unavailable right now. Please try again in a moment.".to_owned()
        }
        status => format!(
            "This request could not be answered ({}).",
            status.canonical_reason().unwrap_or("refused")
        ),
    }
}

impl AreaError {
    pub fn status(&self) -> StatusCode {
        match self {
            AreaError::SignedOut | AreaError::NotFromTheArea => StatusCode::FORBIDDEN,
            AreaError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AreaError::Unreadable(_) => StatusCode::BAD_REQUEST,
            AreaError::NotPinned(_) | AreaError::EditedMeanwhile => StatusCode::CONFLICT,
            AreaError::Other(status) => *status,
            AreaError::NoRandomness | AreaError::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AreaError::SignedOut => "Signed out",
            AreaError::NotFromTheArea => "Refused",
            AreaError::TooLarge => "Too large",
            AreaError::Unreadable(_) => "Not understood",
            AreaError::NotPinned(_) => "Not pinned",
            AreaError::EditedMeanwhile => "Edited meanwhile",
            AreaError::Other(status) => status.canonical_reason().unwrap_or("Refused"),
            AreaError::NoRandomness | AreaError::Database(_) => "Unavailable",
        }
    }

    fn message(&self) -> Markup {
        match self {
            AreaError::SignedOut => html! {
                p { (self.to_string()) " " a href="/moderate/sign-in" { "Sign in" } " again." }
            },
            _ => html! { p { (self.to_string()) } },
        }
    }
}

impl From<BytesRejection> for AreaError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AreaError::TooLarge
        } else {
            AreaError::Unreadable(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for AreaError {
    fn from(rejection: QueryRejection) -> Self {
        AreaError::Unreadable(rejection.body_text())
    }
}

impl IntoResponse for AreaError {
    fn into_response(self) -> Response {
        match &self {
            AreaError::Database(error) => tracing::error!(%error, "database"),
            AreaError::NoRandomness => tracing::error!("the system's random source failed"),
            _ => {}
        }
        page(self.status(), self.title(), None, self.message())
    }
}
