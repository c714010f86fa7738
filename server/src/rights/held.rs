//! Behind a reader's session: what is held under their address, its download (JSON, as an
//! attachment) and its erasure (after a confirmation; as `--erasure` says). Each is audited.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;

use super::link::{ended_session, ReaderSession};
use super::{form_fields, from_this_site, page, Failure, Refusal};
use crate::clock::now_ms;
use crate::http::AppState;
use crate::link_key::signing_key;
use crate::reader_data::{address_digest, attachment, comments_by_article, export, READER};
use crate::store::{AuditedBy, Erasure, FORMER_READER};

pub(super) async fn held_page(
    State(state): State<AppState>,
    session: ReaderSession,
) -> Result<Response, Failure> {
    let data = state.store.reader_data(&session.email).await?;
    let mut articles = Vec::new();
    for (article, count) in comments_by_article(&data) {
        articles.push((state.articles.title(article).await, count));
    }
    let notified = data.comments.iter().filter(|c| c.notify != 0).count();
    Ok(page(
        StatusCode::OK,
        "Your data",
        html! {
            h1 { "What is held under " (session.email) }
            @if data.comments.is_empty() {
                p { "No comments." }
            } @else {
                p { (data.comments.len()) " comments:" }
                ul {
                    @for (title, count) in &articles {
                        li { (count) " on “" (title) "”" }
                    }
                }
            }
            h2 { "Subscriptions" }
            ul {
                li { "Replies by email asked for on " (notified) " comments." }
                li {
                    @if data.confirmed_at.is_some() { "The address is confirmed for replies." }
                    @else { "The address is not confirmed for replies." }
                }
                @if data.unsubscribed_at.is_some() {
                    li { "The address unsubscribed from all our emails." }
                }
            }
            form method="post" action="/my-data/download" {
                input type="hidden" name="csrf" value=(session.csrf);
                button { "Download my data" }
            }
            form method="post" action="/my-data/erase" {
                input type="hidden" name="csrf" value=(session.csrf);
                button { "Erase my data" }
            }
        },
    ))
}

pub(super) async fn download(
    State(state): State<AppState>,
    session: ReaderSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    from_this_site(&headers, &state.settings.public_url)?;
    if !session.sent(&form_fields(&body)) {
        return Err(Refusal::foreign_form().into());
    }
    let now = now_ms();
    let data = state.store.reader_data(&session.email).await?;
    let key = signing_key(&state.store).await?;
    state
        .store
        .audit(
            READER,
            "data downloaded",
            &address_digest(key, &session.email),
            &format!("{} comments", data.comments.len()),
            now,
        )
        .await?;
    Ok(attachment(export(&session.email, &data, now)))
}

/// What an erasure will do, in the reader's words.
fn erasure_words(erasure: Erasure) -> String {
    match erasure {
        Erasure::Anonymise => format!(
            "Your comments stay, signed “{FORMER_READER}”, without your name, email address, \
             website or network address. Your subscriptions end, and your address alone stays \
             on our do-not-email list."
        ),
        Erasure::Remove => "Your comments are removed (replies to them stay). Your subscriptions \
                            end, and your address alone stays on our do-not-email list."
            .to_owned(),
    }
}

pub(super) async fn erase(
    State(state): State<AppState>,
    session: ReaderSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    from_this_site(&headers, &state.settings.public_url)?;
    let fields = form_fields(&body);
    if !session.sent(&fields) {
        return Err(Refusal::foreign_form().into());
    }
    let erasure = state.settings.data_rights.erasure;
    if super::field(&fields, "confirm") != Some("yes") {
        return Ok(page(
            StatusCode::OK,
            "Erase your data?",
            html! {
                h1 { "Erase your data?" }
                p { (erasure_words(erasure)) " This cannot be undone." }
                form method="post" action="/my-data/erase" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="confirm" value="yes";
                    button { "Erase my data" }
                }
                p { a href="/my-data/held" { "Keep it" } }
            },
        ));
    }
    let key = signing_key(&state.store).await?;
    let target = address_digest(key, &session.email);
    let erased = state
        .store
        .erase_reader_data(
            &session.email,
            erasure,
            AuditedBy {
                actor: READER,
                target: &target,
            },
            now_ms(),
        )
        .await?;
    let mut response = page(
        StatusCode::OK,
        "Erased",
        html! {
            h1 { "Erased" }
            p {
                @match erasure {
                    Erasure::Anonymise => { (erased.comments) " comments anonymised." }
                    Erasure::Remove => { (erased.comments) " comments removed." }
                }
                " Your subscriptions ended. The address alone stays on our do-not-email list, \
                 for that purpose only, so that nobody can have us email it again by posting \
                 with it; we will send it no more email unless you ask for your data again."
            }
        },
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, ended_session(&state));
    Ok(response)
}
