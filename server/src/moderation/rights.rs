//! Readers' data, for a reader who asks a moderator rather than the link (GDPR articles 15 and
//! 17): look an address up, see what is held, download it as JSON, erase it after a confirm
//! step (as `--erasure` says). Every step is a POST with the session's CSRF token, so no
//! address is ever in a URL (nor in the request log); downloads and erasures are audited under
//! the moderator's name, naming the address only by its keyed digest.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::error::AreaError;
use super::session::{field, Authorised, SignedIn};
use super::views::{csrf_field, page, shown, when};
use crate::clock::now_ms;
use crate::http::AppState;
use crate::link_key::{signing_key, KeyError};
use crate::reader_data::{address_digest, attachment, comments_by_article, export};
use crate::store::{AuditedBy, Erasure, FORMER_READER};

const TITLE: &str = "Readers' data";

async fn key(state: &AppState) -> Result<&'static [u8], AreaError> {
    signing_key(&state.store)
        .await
        .map_err(|error| match error {
            KeyError::NoRandomness(_) => AreaError::NoRandomness,
            KeyError::Database(error) => AreaError::Database(error),
        })
}

fn lookup_form(csrf: &str, email: &str) -> Markup {
    html! {
        form.filters method="post" action="/moderate/readers" {
            (csrf_field(csrf))
            input type="email" name="email" value=(email) required aria-label="Email address"
                placeholder="Email address";
            button { "Look up" }
        }
    }
}

/// The address a form names (trimmed), or `None` when it names none.
fn named_address(form: &[(String, String)]) -> Option<String> {
    field(form, "email")
        .map(str::trim)
        .filter(|email| !email.is_empty() && email.contains('@'))
        .map(str::to_owned)
}

pub async fn readers_page(
    State(_state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, AreaError> {
    let body = html! {
        p {
            "What the service holds under a reader's email address: their comments, their reply \
             notifications and the address's confirmation. Readers can do the same themselves at "
            a href="/my-data" { "/my-data" } "."
        }
        (lookup_form(&session.csrf, ""))
    };
    Ok(page(
        StatusCode::OK,
        TITLE,
        Some(session.signed_in_as()),
        body,
    ))
}

pub async fn look_up(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, AreaError> {
    let Some(email) = named_address(&form) else {
        let body = html! {
            p.error role="alert" { "Enter an email address." }
            (lookup_form(&session.csrf, ""))
        };
        return Ok(page(
            StatusCode::BAD_REQUEST,
            TITLE,
            Some(session.signed_in_as()),
            body,
        ));
    };
    let data = state.store.reader_data(&email).await?;
    let articles = comments_by_article(&data);
    let notified = data.comments.iter().filter(|c| c.notify != 0).count();
    let body = html! {
        (lookup_form(&session.csrf, &email))
        div.card {
            @if data.is_empty() {
                p { "Nothing is held under " (shown(&email)) "." }
            } @else {
                p { (data.comments.len()) " comments under " (shown(&email)) ":" }
                ul {
                    @for (article, count) in &articles {
                        li { (count) " on " (shown(article)) }
                    }
                }
                p.meta {
                    "Replies asked for on " (notified) " comments. "
                    @match data.confirmed_at {
                        Some(at) => { "Address confirmed " (when(at)) ". " }
                        None => { "Address not confirmed. " }
                    }
                    @if let Some(at) = data.unsubscribed_at {
                        "Unsubscribed " (when(at)) "."
                    }
                }
                div.actions {
                    form.inline method="post" action="/moderate/readers/download" {
                        (csrf_field(&session.csrf))
                        input type="hidden" name="email" value=(email);
                        button { "Download as JSON" }
                    }
                    form.inline method="post" action="/moderate/readers/erase" {
                        (csrf_field(&session.csrf))
                        input type="hidden" name="email" value=(email);
                        button { "Erase…" }
                    }
                }
            }
        }
    };
    Ok(page(
        StatusCode::OK,
        TITLE,
        Some(session.signed_in_as()),
        body,
    ))
}

pub async fn download(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, AreaError> {
    let Some(email) = named_address(&form) else {
        return Err(AreaError::Unreadable("no email address".into()));
    };
    let now = now_ms();
    let data = state.store.reader_data(&email).await?;
    let target = address_digest(key(&state).await?, &email);
    state
        .store
        .audit(
            &session.moderator,
            "data downloaded",
            &target,
            &format!("{} comments", data.comments.len()),
            now,
        )
        .await?;
    Ok(attachment(export(&email, &data, now)))
}

pub async fn erase(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, AreaError> {
    let Some(email) = named_address(&form) else {
        return Err(AreaError::Unreadable("no email address".into()));
    };
    let erasure = state.settings.data_rights.erasure;
    if field(&form, "confirm") != Some("yes") {
        let body = html! {
            div.card {
                p {
                    "Erase everything held under " strong { (shown(&email)) } "? "
                    @match erasure {
                        Erasure::Anonymise => {
                            "Their comments stay, signed “" (FORMER_READER) "”, without name, \
                             address, website or network address."
                        }
                        Erasure::Remove => { "Their comments are removed (replies stay)." }
                    }
                    " Their subscriptions end. This cannot be undone."
                }
                form method="post" action="/moderate/readers/erase" {
                    (csrf_field(&session.csrf))
                    input type="hidden" name="email" value=(email);
                    input type="hidden" name="confirm" value="yes";
                    button { "Erase" }
                }
            }
        };
        return Ok(page(
            StatusCode::OK,
            TITLE,
            Some(session.signed_in_as()),
            body,
        ));
    }
    let target = address_digest(key(&state).await?, &email);
    let erased = state
        .store
        .erase_reader_data(
            &email,
            erasure,
            AuditedBy {
                actor: &session.moderator,
                target: &target,
            },
            now_ms(),
        )
        .await?;
    let body = html! {
        p role="status" {
            "Erased (" (erasure.name()) "): " (erased.comments) " comments on "
            (erased.articles) " articles; subscriptions ended. Audited as " (target) "."
        }
        (lookup_form(&session.csrf, ""))
    };
    Ok(page(
        StatusCode::OK,
        TITLE,
        Some(session.signed_in_as()),
        body,
    ))
}
