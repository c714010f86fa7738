//! Reading pages and fragments: the article first, from the server (see `reading`).

pub mod reading;

use axum::routing::get;
use axum::Router;

use crate::http::AppState;

/// `/prerendered/{id}.html`, `/read/{id}`, and `/` when the site has a front page.
pub fn routes(front_page: bool) -> Router<AppState> {
    let routes = Router::new()
        .route("/prerendered/{file}", get(reading::fragment))
        .route("/read/{id}", get(reading::page));
    if front_page {
        routes.route("/", get(reading::front_page))
    } else {
        routes
    }
}
