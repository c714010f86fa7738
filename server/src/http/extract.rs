//! What a request carries, read once: its idempotency key, the author's token (hashed), the
//! client's address, and a comment's body (JSON or a plain form).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use article_widget::domain::wire::{CommentRequest, AUTHOR_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::http::client_address::client_address;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::tokens::sha256_hex;

/// The largest body accepted: a comment of 65,525 four-byte characters, with room to spare.
pub const BODY_LIMIT: usize = 320 * 1024;

/// The request's idempotency key, when it sent a usable one (required on a JSON POST; a form
/// post cannot send one, see [`form_key`]).
pub struct KeyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for KeyHeader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(KeyHeader(
            parts
                .headers
                .get(IDEMPOTENCY_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(str::to_owned),
        ))
    }
}

/// The cookie a browser without JavaScript gets when it posts a comment: its author token, so
/// the prerendered pages show it its comment while it awaits moderation.
pub const AUTHOR_COOKIE: &str = "aw-author-token";

/// The hash of the browser's author token, when it sent a plausible one (the widget's header,
/// else the cookie of a browser that posted without JavaScript). Only hashes are stored, so
/// a leaked database reveals no token.
pub struct AuthorToken(pub Option<String>);

/// The value of a cookie in a request's headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// The hash under which a token is stored.
pub fn token_hash(token: &str) -> Option<String> {
    let token = token.trim();
    (16..=200).contains(&token.len()).then(|| sha256_hex(token))
}

impl<S: Send + Sync> FromRequestParts<S> for AuthorToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header_token = parts
            .headers
            .get(AUTHOR_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok());
        let token = header_token.or_else(|| cookie(&parts.headers, AUTHOR_COOKIE));
        Ok(AuthorToken(token.and_then(token_hash)))
    }
}

/// The client's address: the peer's, or the one the proxies the operator trusts vouch for
/// (`--proxy-hops`, `--trusted-proxy`; see `client_address`).
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(peer)| {
                peer.ip()
            });
        // Read whole, whatever bytes the client put on its side: nginx joins the client's
        // header and the address it saw into one value, so dropping a value with one odd byte
        // would drop the proxy's entry with it (and make every such client the proxy).
        let values: Vec<String> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        let forwarded: Vec<&str> = values.iter().map(String::as_str).collect();
        Ok(ClientAddress(client_address(
            peer,
            &forwarded,
            &state.settings.proxy_trust,
        )))
    }
}

/// A comment POST's body: JSON (the widget, and any client of the API), or
/// `application/x-www-form-urlencoded` (the prerendered form, posted without JavaScript),
/// with the same field names; anything else is refused with 415. At most [`BODY_LIMIT`]
/// (413). `request` is `None` when the body is not readable, which the handler answers (and
/// records for the key) as a 422.
pub struct CommentBody {
    pub request: Option<CommentRequest>,
    /// Posted by a plain HTML form: the answer is a page, not JSON.
    pub from_form: bool,
}

/// The fields of a form post; every one may be missing (the rules report what is).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct FormFields {
    content: String,
    author: String,
    email: String,
    website: String,
    /// The honeypot's name in the form.
    homepage: String,
    rendered_at: String,
    parent: String,
    /// The "notify me" checkbox: present when ticked.
    notify: String,
}

impl<S: Send + Sync> FromRequest<S> for CommentBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let media_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let from_form = match media_type.as_str() {
            "application/json" => false,
            "application/x-www-form-urlencoded" => true,
            _ => return Err(ApiError::NotJson.into_response()),
        };
        let text = String::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let request = if from_form {
            serde_urlencoded::from_str::<FormFields>(&text)
                .ok()
                .map(|fields| CommentRequest {
                    input: article_widget::domain::comment_rules::CommentInput {
                        content: fields.content,
                        author: fields.author,
                        email: fields.email,
                        website: fields.website,
                    },
                    parent: Some(fields.parent).filter(|p| !p.trim().is_empty()),
                    honeypot: fields.homepage,
                    rendered_at: fields.rendered_at.trim().parse().ok(),
                    notify: !fields.notify.is_empty(),
                })
        } else {
            CommentRequest::parse(&text)
        };
        Ok(CommentBody { request, from_form })
    }
}
