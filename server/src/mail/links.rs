//! The links a message carries, and the pages they open: HMAC-SHA256-signed tokens, under
//! `link_key`'s key (an unsubscribe token names an address; a confirmation token also carries its issue time and
//! lasts `CONFIRMATION_VALID_DAYS`), and `GET`/`POST` `/unsubscribe` and
//! `/notifications/confirm`.
//!
//! A GET shows a button and never changes anything (link checkers and previews open links);
//! the POST (the button, or a mail client's one-click request, RFC 8058) acts. Every answer is
//! a small HTML page (maud, every splice escaped), errors included: a bad or expired link in
//! plain words, a database that does not answer as 503. Both keys are one secret, made once
//! from the system's random source (no key without it) and shared through the database.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use maud::{html, Markup};
use sha2::Sha256;

use crate::clock::now_ms;
use crate::http::error::HtmlError;
use crate::http::AppState;
use crate::markup::small_page;
use crate::tokens::{hex, hex_decode};

type HmacSha256 = Hmac<Sha256>;

pub use crate::link_key::{signing_key, KeyError};

/// `<hex of the address>.<hex of its HMAC-SHA256>`.
pub fn unsubscribe_token(key: &[u8], email: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(email.as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    let address = hex(email.as_bytes());
    format!("{address}.{signature}")
}

/// The address a token was made for, when its signature is ours.
pub fn token_email(key: &[u8], token: &str) -> Option<String> {
    let (address, signature) = token.split_once('.')?;
    let email = String::from_utf8(hex_decode(address)?).ok()?;
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(email.as_bytes());
    mac.verify_slice(&hex_decode(signature)?).ok()?;
    Some(email)
}

/// How long a confirmation link works.
pub const CONFIRMATION_VALID_DAYS: i64 = 7;
/// A link issued this far in the future (another instance's clock) is still ours.
const CLOCK_LEEWAY_SECS: i64 = 300;

/// The MAC of a confirmation, under a key of its own derived from the service's: a
/// confirmation token can never pass for an unsubscribe token, nor the reverse.
fn confirmation_mac(key: &[u8], email: &str, issued_at: i64) -> HmacSha256 {
    let mut derive = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    derive.update(b"confirm reply notifications");
    let derived = derive.finalize().into_bytes();
    let mut mac = HmacSha256::new_from_slice(&derived).expect("HMAC takes any key length");
    mac.update(format!("{issued_at}.{email}").as_bytes());
    mac
}

/// `<hex of the address>.<issue time, seconds since the epoch>.<hex of the HMAC>`.
pub fn confirmation_token(key: &[u8], email: &str, issued_at: i64) -> String {
    let signature = hex(&confirmation_mac(key, email, issued_at)
        .finalize()
        .into_bytes());
    let address = hex(email.as_bytes());
    format!("{address}.{issued_at}.{signature}")
}

/// What a confirmation link is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmationLink {
    /// Ours, and in time: the address it confirms.
    Valid(String),
    /// Ours, but older than `CONFIRMATION_VALID_DAYS`.
    Expired,
    /// Not ours (forged, changed, cut).
    Invalid,
}

/// Checks a confirmation token at `now` (seconds since the epoch): the signature first, so
/// only our own links are ever called expired.
pub fn check_confirmation(key: &[u8], token: &str, now: i64) -> ConfirmationLink {
    let mut parts = token.split('.');
    let (Some(address), Some(issued), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return ConfirmationLink::Invalid;
    };
    let email = hex_decode(address).and_then(|bytes| String::from_utf8(bytes).ok());
    let issued_at = issued
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| issued.parse::<i64>().ok())
        .flatten();
    let (Some(email), Some(issued_at), Some(signature)) = (email, issued_at, hex_decode(signature))
    else {
        return ConfirmationLink::Invalid;
    };
    if confirmation_mac(key, &email, issued_at)
        .verify_slice(&signature)
        .is_err()
        || issued_at > now + CLOCK_LEEWAY_SECS
    {
        return ConfirmationLink::Invalid;
    }
    if now - issued_at > CONFIRMATION_VALID_DAYS * 86_400 {
        return ConfirmationLink::Expired;
    }
    ConfirmationLink::Valid(email)
}

#[derive(serde::Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// A page that answers a link, never cached (it depends on the token and the database).
fn answer(status: StatusCode, title: &str, content: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        small_page(title, content).into_string(),
    )
        .into_response()
}

fn invalid_link() -> HtmlError {
    HtmlError::new(
        StatusCode::BAD_REQUEST,
        "This link is not valid",
        "It may have been cut or changed on its way. Open the link in the email again, or copy \
         all of it.",
    )
}

fn expired_confirmation() -> HtmlError {
    HtmlError::new(
        StatusCode::GONE,
        "This link has expired",
        "Confirmation links work for a week. To be told of replies, tick “Notify me” again with \
         your next comment: a new link will be emailed to you.",
    )
}

fn used_confirmation() -> HtmlError {
    HtmlError::new(
        StatusCode::CONFLICT,
        "This link was already used",
        "This address is confirmed: you will be told of replies to the comments where you \
         ticked “Notify me”. Each email has a link to stop.",
    )
}

fn unsubscribed_confirmation() -> HtmlError {
    HtmlError::new(
        StatusCode::CONFLICT,
        "This address unsubscribed",
        "It gets no emails about replies from this site, and this link cannot change that.",
    )
}

/// `GET /unsubscribe?token=…`: a button, not an action on GET: link checkers and previews
/// must not unsubscribe anyone.
pub(super) async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, HtmlError> {
    let key = signing_key(&state.store).await?;
    let Some(token) = query.token.filter(|t| token_email(key, t).is_some()) else {
        return Err(invalid_link());
    };
    Ok(answer(
        StatusCode::OK,
        "Unsubscribe",
        html! {
            h1 { "Stop the emails about replies?" }
            form method="post" action={ "/unsubscribe?token=" (token) } {
                button { "Unsubscribe" }
            }
        },
    ))
}

/// The token from the query, or from a form's body.
fn token_of(query: TokenQuery, body: &[u8]) -> Option<String> {
    query.token.or_else(|| {
        url::form_urlencoded::parse(body)
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    })
}

/// The address a link confirms, or the page that says why it confirms nothing.
async fn confirmable(state: &AppState, token: Option<&str>) -> Result<String, HtmlError> {
    let key = signing_key(&state.store).await?;
    let email = match token.map(|t| check_confirmation(key, t, now_ms() / 1000)) {
        Some(ConfirmationLink::Valid(email)) => email,
        Some(ConfirmationLink::Expired) => return Err(expired_confirmation()),
        Some(ConfirmationLink::Invalid) | None => return Err(invalid_link()),
    };
    let address = state.store.address_state(&email).await?;
    if address.unsubscribed {
        return Err(unsubscribed_confirmation());
    }
    if address.confirmed {
        return Err(used_confirmation());
    }
    Ok(email)
}

/// `GET /notifications/confirm?token=…`: a button, not an action on GET: link checkers and
/// previews must not confirm anyone.
pub(super) async fn confirmation_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, HtmlError> {
    let token = query.token.unwrap_or_default();
    let email = confirmable(&state, Some(&token)).await?;
    Ok(answer(
        StatusCode::OK,
        "Confirm your address",
        html! {
            h1 { "Be told of replies by email?" }
            p {
                "Confirm that " strong { (email) } " may get an email when someone replies to \
                 a comment where you ticked “Notify me”. You confirm once; each email has a \
                 link to stop."
            }
            form method="post" action="/notifications/confirm" {
                input type="hidden" name="token" value=(token);
                button { "Confirm" }
            }
        },
    ))
}

/// `POST /notifications/confirm`: the button.
pub(super) async fn confirm(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let token = token_of(query, &body);
    let email = confirmable(&state, token.as_deref()).await?;
    if !state.store.confirm_address(&email, now_ms()).await? {
        // Another click got there first.
        return Err(used_confirmation());
    }
    Ok(answer(
        StatusCode::OK,
        "Confirmed",
        html! {
            h1 { "Confirmed" }
            p {
                "You will get an email when someone replies to a comment where you ticked \
                 “Notify me”. Each email has a link to stop."
            }
        },
    ))
}

/// `POST /unsubscribe`: the button, or a mail client's one-click request (RFC 8058: a POST
/// with the body `List-Unsubscribe=One-Click` to the link).
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let key = signing_key(&state.store).await?;
    let token = token_of(query, &body);
    let Some(email) = token.as_deref().and_then(|t| token_email(key, t)) else {
        return Err(invalid_link());
    };
    state.store.unsubscribe(&email, now_ms()).await?;
    Ok(answer(
        StatusCode::OK,
        "Unsubscribed",
        html! {
            h1 { "Unsubscribed" }
            p { "You will get no more emails about replies." }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_signed_and_checked() {
        let key = b"a key of the service";
        let token = unsubscribe_token(key, "ann@example.com");
        assert_eq!(token_email(key, &token).as_deref(), Some("ann@example.com"));
        assert_eq!(token_email(b"another key", &token), None);
        let forged = format!(
            "{}.{}",
            hex(b"bob@example.com"),
            token.split_once('.').unwrap().1
        );
        assert_eq!(token_email(key, &forged), None);
        assert_eq!(token_email(key, "nonsense"), None);
    }

    #[test]
    fn confirmation_links_expire_and_cannot_be_changed() {
        let key = b"a key of the service";
        let now = 1_800_000_000;
        let day = 86_400;
        let token = confirmation_token(key, "ann@example.com", now - day);
        assert_eq!(
            check_confirmation(key, &token, now),
            ConfirmationLink::Valid("ann@example.com".into())
        );
        let old = confirmation_token(key, "ann@example.com", now - 7 * day - 1);
        assert_eq!(
            check_confirmation(key, &old, now),
            ConfirmationLink::Expired
        );
        assert_eq!(
            check_confirmation(b"another key", &token, now),
            ConfirmationLink::Invalid
        );
        let younger = old.replacen(&format!(".{}.", now - 7 * day - 1), &format!(".{now}."), 1);
        assert_eq!(
            check_confirmation(key, &younger, now),
            ConfirmationLink::Invalid
        );
        let future = confirmation_token(key, "ann@example.com", now + 3_600);
        assert_eq!(
            check_confirmation(key, &future, now),
            ConfirmationLink::Invalid
        );
        // An unsubscribe token is no confirmation, nor the reverse.
        let unsubscribe = unsubscribe_token(key, "ann@example.com");
        assert_eq!(
            check_confirmation(key, &unsubscribe, now),
            ConfirmationLink::Invalid
        );
        assert_eq!(token_email(key, &token), None);
        for nonsense in ["", "..", "a.b.c", "61.+1.00", "61.1.00.00"] {
            assert_eq!(
                check_confirmation(key, nonsense, now),
                ConfirmationLink::Invalid
            );
        }
    }
}
