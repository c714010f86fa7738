//! The comments area: the API (list and post), the plain form's posts, likes, counts for many
//! articles, Atom feeds, live updates (Server-Sent Events), and the hold rule a post passes
//! through.

pub mod api;
pub mod counts;
pub mod edits;
pub mod feeds;
pub mod form_post;
pub mod holds;
pub mod likes;
pub mod live;

use axum::Router;

use crate::http::AppState;

/// The area's routes: the API, likes and live updates (each behind the origin check, the
/// first two behind their body limits) and the feeds.
pub fn routes(state: AppState) -> Router<AppState> {
    api::routes(state.clone())
        .merge(likes::routes(state.clone()))
        .merge(edits::routes(state.clone()))
        .merge(live::routes(state))
        .merge(feeds::routes())
}
