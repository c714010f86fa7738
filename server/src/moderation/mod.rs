//! Moderation: the area in the browser at `/moderate`, and the moderator's commands (`cli`).
//!
//! The area is server-rendered HTML forms, no script (so it works on any phone and exposes
//! no second API), behind a sign-in; its HTML is maud templates, so every splice is escaped
//! and everything a commenter wrote is shown as text. Accounts are made on the command line
//! (`comment-service moderators add NAME`, the password prompted, stored as an Argon2id
//! hash). Its parts, each depending only on the ones listed before it:
//! - `passwords`: hashing and checking, off the request workers, a few at a time;
//! - `views`: the layout and the pieces pages share; `error`: failures as pages of the area;
//! - `session`: sign-in and out, sessions, CSRF tokens, the `SignedIn`/`Authorised` extractors;
//! - `queue` (the queue, its cards and actions), `blocks`, `audit`, `overview`, `rights`
//!   (readers' data: look up, download, erase): the pages.
//!
//! Every answer of the area is `Cache-Control: no-store`, framed by no one, and under a CSP
//! that allows no script (`area_headers`); every error is a page of the area; forms are at
//! most `AREA_BODY_LIMIT` bytes. Every action is written to the audit log, shown in the area.

mod audit;
mod blocks;
pub mod cli;
mod error;
mod overview;
pub mod passwords;
mod queue;
mod rights;
mod session;
mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::http::AppState;
use error::AreaError;

/// The largest form the area takes (a bulk action on a full page of 100 comments is ~5 KiB).
const AREA_BODY_LIMIT: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderate", get(queue::queue))
        .route(
            "/moderate/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/moderate/sign-out", post(session::sign_out))
        .route("/moderate/act", post(queue::act))
        .route(
            "/moderate/blocks",
            get(blocks::blocks_page).post(blocks::change_blocks),
        )
        .route("/moderate/audit", get(audit::audit_page))
        .route("/moderate/overview", get(overview::overview))
        .route(
            "/moderate/readers",
            get(rights::readers_page).post(rights::look_up),
        )
        .route("/moderate/readers/download", post(rights::download))
        .route("/moderate/readers/erase", post(rights::erase))
        .layer(DefaultBodyLimit::max(AREA_BODY_LIMIT))
        .layer(axum::middleware::map_response(area_headers))
}

/// On every answer of the area, its pages, redirects and refusals alike: never stored by a
/// cache, never framed (clickjacking), no script at all, forms only to the area itself. An
/// error the framework answered itself (a method a route does not take…) becomes a page of
/// the area too, with its status (and its `Allow` header) kept.
async fn area_headers(response: Response) -> Response {
    let mut response = as_area_page(response);
    crate::http::delivery::private_page_headers(response.headers_mut(), "same-origin");
    response
}

/// An error answer that is not HTML (the handlers' own errors already are) as the area's
/// error page for its status.
fn as_area_page(response: Response) -> Response {
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let mut page = AreaError::Other(status).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        page.headers_mut().insert(header::ALLOW, allow.clone());
    }
    page
}
