//! The mailed link, `/my-data/open?token=<nonce>.<MAC>`: its GET shows a button and changes
//! nothing (link checkers and previews open links); its POST uses the link (once, on any
//! instance) and opens a short session, a cookie whose token is kept only as a hash.
//! `ReaderSession` reads it.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use subtle::ConstantTimeEq;

use super::{field, form_fields, from_this_site, no_randomness, page, Failure, Refusal};
use crate::clock::now_ms;
use crate::http::extract::cookie;
use crate::http::AppState;
use crate::link_key::signing_key;
use crate::reader_data::{address_digest, check_data_link, read_data_link, DataLink, READER};
use crate::tokens::{random_hex, sha256_hex};

const SESSION_COOKIE: &str = "aw-reader-data";
/// How long a reader's data stays open after the link is used.
pub(super) const SESSION_MS: i64 = 30 * 60 * 1000;

#[derive(serde::Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// The address and nonce of a link that is ours, in time and not used yet (as far as the
/// database says now; the POST's update decides). The token names neither the address nor
/// the time: both are its row's.
async fn usable(state: &AppState, token: &str) -> Result<(String, String), Failure> {
    let Some(token) = read_data_link(token) else {
        return Err(Refusal::invalid_link().into());
    };
    // No row: forgotten after its time, or the data was erased (or a nonce never issued,
    // which learns nothing from being called expired).
    let Some(link) = state.store.data_link(&token.nonce).await? else {
        return Err(Refusal::expired_link().into());
    };
    let key = signing_key(&state.store).await?;
    match check_data_link(
        key,
        &token,
        &link,
        now_ms(),
        state.settings.data_rights.link_valid_secs * 1000,
    ) {
        DataLink::Valid if link.used_at.is_some() => Err(Refusal::used_link().into()),
        DataLink::Valid => Ok((link.email, token.nonce)),
        DataLink::Expired => Err(Refusal::expired_link().into()),
        DataLink::Invalid => Err(Refusal::invalid_link().into()),
    }
}

pub(super) async fn open_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Failure> {
    let token = query.token.unwrap_or_default();
    usable(&state, &token).await?;
    Ok(page(
        StatusCode::OK,
        "Your data",
        html! {
            h1 { "Open your data?" }
            p {
                "This shows the comments and subscriptions held under your address, for 30 \
                 minutes, in this browser. The link works once."
            }
            form method="post" action="/my-data/open" {
                input type="hidden" name="token" value=(token);
                button { "Open my data" }
            }
        },
    ))
}

/// The session cookie: HttpOnly, SameSite=Strict, Secure when the service is reached over
/// https (`--public-url`), only for this area's paths.
fn session_cookie(state: &AppState, token: &str, max_age_ms: i64) -> HeaderValue {
    let secure = if state.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/my-data; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        max_age_ms / 1000
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The cookie that ends the session in the browser.
pub(super) fn ended_session(state: &AppState) -> HeaderValue {
    session_cookie(state, "", 0)
}

pub(super) async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    from_this_site(&headers, &state.settings.public_url)?;
    let fields = form_fields(&body);
    let token = field(&fields, "token").unwrap_or_default();
    let (email, nonce) = usable(&state, token).await?;
    let session = random_hex(32).map_err(no_randomness)?;
    let csrf = random_hex(32).map_err(no_randomness)?;
    let now = now_ms();
    if !state
        .store
        .use_data_link(
            &nonce,
            &email,
            &sha256_hex(&session),
            &csrf,
            now + SESSION_MS,
            now,
        )
        .await?
    {
        // Another click, or another instance, got there first.
        return Err(Refusal::used_link().into());
    }
    let key = signing_key(&state.store).await?;
    state
        .store
        .audit(
            READER,
            "data link opened",
            &address_digest(key, &email),
            "",
            now,
        )
        .await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, HeaderValue::from_static("/my-data/held")),
            (
                header::SET_COOKIE,
                session_cookie(&state, &session, SESSION_MS),
            ),
        ],
    )
        .into_response())
}

/// A reader's live session: the address it opens, its forms' CSRF token, the token's hash.
pub(super) struct ReaderSession {
    pub email: String,
    pub csrf: String,
}

impl ReaderSession {
    /// The form's CSRF token is the session's (compared in constant time).
    pub fn sent(&self, fields: &[(String, String)]) -> bool {
        field(fields, "csrf")
            .is_some_and(|given| given.as_bytes().ct_eq(self.csrf.as_bytes()).into())
    }
}

impl FromRequestParts<AppState> for ReaderSession {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(Refusal::no_session().into());
        };
        match state
            .store
            .reader_session(&sha256_hex(token), now_ms())
            .await?
        {
            Some((email, csrf)) => Ok(ReaderSession { email, csrf }),
            None => Err(Refusal::no_session().into()),
        }
    }
}
