//! The comments area: the API (list and post), the plain form's posts, counts for many
//! articles, Atom feeds, and the hold rule a post passes through.

pub mod api;
pub mod counts;
pub mod feeds;
pub mod form_post;
pub mod holds;

use axum::Router;

use crate::http::AppState;

/// The area's routes: the API (behind its body limit and origin check) and the feeds.
pub fn routes(state: AppState) -> Router<AppState> {
    api::routes(state).merge(feeds::routes())
}
