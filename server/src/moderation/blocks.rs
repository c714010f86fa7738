//! Blocks: an email or a client address that may not comment (its comments are refused
//! with the message every refusal gets); listed, added and removed here, each change
//! written to the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::error::AreaError;
use super::session::{field, Authorised, SignedIn};
use super::views::{csrf_field, page, see_other, shown, when};
use crate::clock::now_ms;
use crate::http::AppState;

pub async fn blocks_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, AreaError> {
    let blocks = state.store.blocks().await?;
    let body = html! {
        p {
            "A blocked email or client address cannot comment: its comments are refused with \
             the message every refusal gets."
        }
        form.filters.card method="post" action="/moderate/blocks" {
            (csrf_field(&session.csrf))
            select name="kind" aria-label="Kind" {
                option value="email" { "Email" }
                option value="address" { "Client address" }
            }
            input name="value" required aria-label="Email or address";
            button name="do" value="add" { "Block" }
        }
        @if blocks.is_empty() {
            p { "No blocks." }
        } @else {
            table {
                tr { th { "Blocked" } th { "Since" } th { "By" } th { "Undo" } }
                @for (kind, value, at, by) in &blocks {
                    tr {
                        td { (kind) " " (shown(value)) }
                        td { (when(*at)) }
                        td { (shown(by)) }
                        td {
                            form.inline method="post" action="/moderate/blocks" {
                                (csrf_field(&session.csrf))
                                input type="hidden" name="kind" value=(kind);
                                // The value as stored (not as shown), so the form undoes
                                // exactly this block.
                                input type="hidden" name="value" value=(value);
                                button name="do" value="remove" { "Unblock" }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(
        StatusCode::OK,
        "Blocks",
        Some(session.signed_in_as()),
        body,
    ))
}

pub async fn change_blocks(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, AreaError> {
    let kind = field(&form, "kind").filter(|k| matches!(*k, "email" | "address"));
    let value = field(&form, "value")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let (Some(kind), Some(value)) = (kind, value) {
        let value = if kind == "email" {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        let remove = field(&form, "do") == Some("remove");
        let done = if remove {
            state.store.unblock(kind, &value).await?
        } else {
            state
                .store
                .block(kind, &value, &session.moderator, now_ms())
                .await?
        };
        if done {
            let action = if remove { "unblock" } else { "block" };
            state
                .store
                .audit(
                    &session.moderator,
                    &format!("{action} {kind}"),
                    &value,
                    "",
                    now_ms(),
                )
                .await?;
        }
    }
    Ok(see_other("/moderate/blocks"))
}
