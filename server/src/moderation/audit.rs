//! The audit log: who did what, on what, when (the last 200 entries, newest first).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::error::AreaError;
use super::session::SignedIn;
use super::views::{page, shown, when};
use crate::http::AppState;

/// The most entries the page shows.
const AUDIT_PAGE: i64 = 200;

pub async fn audit_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, AreaError> {
    let entries = state.store.audit_log(AUDIT_PAGE).await?;
    let body = html! {
        table {
            tr { th { "When" } th { "Who" } th { "What" } th { "On" } th { "Detail" } }
            @for (at, who, action, target, detail) in &entries {
                tr {
                    td { (when(*at)) }
                    td { (shown(who)) }
                    td { (shown(action)) }
                    td { (shown(target)) }
                    td { (shown(detail)) }
                }
            }
        }
    };
    Ok(page(
        StatusCode::OK,
        "Audit log",
        Some(session.signed_in_as()),
        body,
    ))
}
