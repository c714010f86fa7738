//! Notifications by email, from the outbox (see migration 0007), and the pages their links
//! open. By concern, each file importing only those below it:
//! - `worker`: the outbox's worker, SMTP (lettre), back-off (`Mailer`, `run`);
//! - `messages`: each message, composed from the database as it leaves;
//! - `links`: the signed tokens, and the `/unsubscribe` and `/notifications/confirm` pages.
//!
//! The kinds of message:
//! - `held`: a comment held for moderation, to the moderators' addresses: one message each,
//!   or, with a digest interval, one message for all held since the last.
//! - `confirm`: a new comment whose author ticked "Notify me of follow-up comments by
//!   email": a link that confirms the address (double opt-in, migration 0009), signed with
//!   HMAC-SHA256, carrying its issue time and valid for a week. Not when the address is
//!   confirmed already or unsubscribed; at most one an hour and three a day per address
//!   (`store::outbox`). It names no commenter and quotes nothing: whoever typed the address,
//!   its owner reads only the article's title and our links.
//! - `reply`: an approved reply to an approved comment, to that comment's author when they
//!   ticked the box and their address is confirmed, with a one-click unsubscribe link
//!   (`List-Unsubscribe`, `List-Unsubscribe-Post`, RFC 8058) signed with HMAC-SHA256.
//! - `data-link`: a reader asked for their data (`/my-data`, the `rights` area): the signed,
//!   single-use link that opens it, to that address only, written with the request.
//!
//! Every kind leaves at once: the store rings the workers after a commit that wrote to the
//! outbox (and on PostgreSQL every instance's, `Store::listen_for_outbox`); the poll is the
//! backstop.

mod links;
mod messages;
mod worker;
pub mod webhooks;

use axum::routing::get;
use axum::Router;

use crate::http::AppState;

pub use links::{
    check_confirmation, confirmation_token, signing_key, token_email, unsubscribe_token,
    ConfirmationLink, KeyError, CONFIRMATION_VALID_DAYS,
};
pub use messages::Letterhead;
pub use worker::{retry_delay_ms, run, Mailer};

/// The paths the crate knew before the split (`main.rs`, the mail suite): the same items.
pub mod notify {
    pub use super::{
        check_confirmation, confirmation_token, retry_delay_ms, run, signing_key, token_email,
        unsubscribe_token, ConfirmationLink, KeyError, Mailer, CONFIRMATION_VALID_DAYS,
    };
}

/// `GET` shows a button, `POST` acts (see `links`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/unsubscribe",
            get(links::unsubscribe_page).post(links::unsubscribe),
        )
        .route(
            "/notifications/confirm",
            get(links::confirmation_page).post(links::confirm),
        )
}
