//! The comments area: the API (list and post), the plain form's posts, likes, counts for many
//! articles, Atom feeds, and the hold rule a post passes through.

pub mod api;
pub mod counts;
pub mod feeds;
pub mod form_post;
pub mod holds;
pub mod likes;

use axum::Router;

use crate::http::AppState;

/// The area's routes: the API and likes (each behind its body limit and the origin check)
/// and the feeds.
pub fn routes(state: AppState) -> Router<AppState> {
    api::routes(state.clone())
        .merge(likes::routes(state))
        .merge(feeds::routes())
}
