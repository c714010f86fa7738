//! Signing in and out, sessions and CSRF tokens, and the two extractors every other page
//! of the area stands on: `SignedIn` (a page asked from a live session) and `Authorised` (a
//! state-changing form from a live session, carrying its CSRF token).
//!
//! - Signing in sets a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` behind
//!   HTTPS, path `/moderate`, 12 hours); the database keeps only a hash of its token, so
//!   signing out (or removing the moderator) ends it for good.
//! - Five failed sign-ins for one account, or twenty from one client address, within 15
//!   minutes lock further attempts for the rest of that window, right password or not. Each
//!   attempt is reserved in the database before its password is checked (one transaction),
//!   so concurrent attempts, on any number of instances, check no more passwords than that.
//! - Every state-changing request carries the session's CSRF token in its form; a request
//!   without it (or with another) is refused. The sign-in form carries a token bound to a
//!   cookie set with the form (double submit), so no other site can sign a browser in to
//!   an account of its choosing. Tokens are compared in constant time. `SameSite=Strict` is
//!   the second line.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use subtle::ConstantTimeEq;

use super::error::AreaError;
use super::passwords::{verify_password, NAME_LIMIT, PASSWORD_LIMIT};
use super::views::{csrf_field, page, see_other, SignedInAs};
use crate::clock::now_ms;
use crate::http::extract::{cookie, ClientAddress};
use crate::http::AppState;
use crate::tokens::{random_hex, sha256_hex};

const SESSION_COOKIE: &str = "aw-moderator";
const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;
const ACCOUNT_ATTEMPTS: i64 = 5;
const ADDRESS_ATTEMPTS: i64 = 20;
/// The pre-session cookie the sign-in form's token is bound to (double submit). Over HTTPS
/// it is a `__Host-` cookie, which no other host (a sibling subdomain included) can set, so
/// nobody can plant a pair of their own in a moderator's browser.
const SIGN_IN_COOKIE: &str = "aw-moderator-sign-in";
const SIGN_IN_COOKIE_HTTPS: &str = "__Host-aw-moderator-sign-in";
const SIGN_IN_COOKIE_S: i64 = 60 * 60;

/// A live session: who, and the CSRF token its forms carry.
pub struct Session {
    pub moderator: String,
    pub csrf: String,
}

impl Session {
    /// What the layout shows of it.
    pub fn signed_in_as(&self) -> SignedInAs<'_> {
        SignedInAs {
            moderator: &self.moderator,
            csrf: &self.csrf,
        }
    }
}

fn random_token() -> Result<String, AreaError> {
    random_hex(32).map_err(|_| AreaError::NoRandomness)
}

fn hashed(token: &str) -> String {
    sha256_hex(token)
}

/// Two secrets compared in a time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, AreaError> {
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(state
        .store
        .session(&hashed(token), now_ms())
        .await?
        .map(|(moderator, csrf)| Session { moderator, csrf }))
}

/// The request came over HTTPS (directly, or through a proxy that says so).
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn session_cookie(token: &str, max_age_s: i64, headers: &HeaderMap) -> HeaderValue {
    let secure = if over_https(headers) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/moderate; Max-Age={max_age_s}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A form of the area: its fields, repeated names kept, in order. Its rejection (a body over
/// the area's limit, or one that could not be read) is a page of the area.
pub struct AreaForm(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for AreaForm {
    type Rejection = AreaError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AreaError> {
        let body = Bytes::from_request(request, state).await?;
        Ok(AreaForm(
            url::form_urlencoded::parse(&body).into_owned().collect(),
        ))
    }
}

/// The first value of a form's field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A page of the area, asked from a live session; otherwise the answer is the way to sign in.
pub struct SignedIn(pub Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session(state, &parts.headers).await {
            Ok(Some(session)) => Ok(SignedIn(session)),
            Ok(None) => Err(see_other("/moderate/sign-in")),
            Err(error) => Err(error.into_response()),
        }
    }
}

/// A state-changing request of the area: its form, sent from a live session whose CSRF
/// token it carries; otherwise the refusal page is the answer.
pub struct Authorised {
    pub session: Session,
    pub form: Vec<(String, String)>,
}

impl FromRequest<AppState> for Authorised {
    type Rejection = AreaError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AreaError> {
        let headers = request.headers().clone();
        let AreaForm(form) = AreaForm::from_request(request, state).await?;
        let session = session(state, &headers)
            .await?
            .ok_or(AreaError::SignedOut)?;
        if !field(&form, "csrf").is_some_and(|given| same_secret(given, &session.csrf)) {
            return Err(AreaError::NotFromTheArea);
        }
        Ok(Authorised { session, form })
    }
}

pub async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AreaError> {
    if session(&state, &headers).await?.is_some() {
        return Ok(see_other("/moderate"));
    }
    sign_in_form(StatusCode::OK, None, &headers)
}

/// The sign-in token a browser holds (the pre-session cookie), when it has a usable one.
fn sign_in_token(headers: &HeaderMap) -> Option<&str> {
    let name = if over_https(headers) {
        SIGN_IN_COOKIE_HTTPS
    } else {
        SIGN_IN_COOKIE
    };
    cookie(headers, name)
        .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn sign_in_cookie(token: &str, max_age_s: i64, headers: &HeaderMap) -> HeaderValue {
    // `__Host-` requires `Secure`, `Path=/` and no `Domain`.
    let (name, path, secure) = if over_https(headers) {
        (SIGN_IN_COOKIE_HTTPS, "/", "; Secure")
    } else {
        (SIGN_IN_COOKIE, "/moderate/sign-in", "")
    };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path={path}; Max-Age={max_age_s}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The sign-in form, with a problem to show above it, and the token that binds it to this
/// browser's pre-session cookie (the one it has, or a new one set with the form).
fn sign_in_form(
    status: StatusCode,
    problem: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, AreaError> {
    let token = match sign_in_token(headers) {
        Some(token) => token.to_owned(),
        None => random_token()?,
    };
    let body = html! {
        @if let Some(problem) = problem {
            p.error role="alert" { (problem) }
        }
        form method="post" action="/moderate/sign-in" class="card" {
            (csrf_field(&token))
            p {
                label {
                    "Name" br;
                    input name="name" autocomplete="username" maxlength=(NAME_LIMIT) required;
                }
            }
            p {
                label {
                    "Password" br;
                    input name="password" type="password" autocomplete="current-password"
                        maxlength=(PASSWORD_LIMIT) required;
                }
            }
            button { "Sign in" }
        }
    };
    let mut response = page(status, "Sign in", None, body);
    response.headers_mut().append(
        header::SET_COOKIE,
        sign_in_cookie(&token, SIGN_IN_COOKIE_S, headers),
    );
    Ok(response)
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    AreaForm(form): AreaForm,
) -> Result<Response, AreaError> {
    let name = field(&form, "name").unwrap_or_default().trim().to_owned();
    let password = field(&form, "password").unwrap_or_default();
    // Refused before anything is looked up, counted or stored.
    if name.chars().count() > NAME_LIMIT || password.chars().count() > PASSWORD_LIMIT {
        return sign_in_form(
            StatusCode::BAD_REQUEST,
            Some("The name or the password is too long."),
            &headers,
        );
    }
    // Login CSRF: the form's token must be the one this browser's own cookie holds, so a
    // form posted from another site (which can neither read nor set that cookie) signs no
    // one in.
    let paired = match (sign_in_token(&headers), field(&form, "csrf")) {
        (Some(held), Some(sent)) => same_secret(sent, held),
        _ => false,
    };
    if !paired {
        return sign_in_form(
            StatusCode::FORBIDDEN,
            Some(
                "This sign-in did not come from this site's sign-in form (or the form had \
                 expired), so it was not tried. Please sign in again here.",
            ),
            &headers,
        );
    }
    let now = now_ms();
    let account = format!("account:{name}");
    // An IPv6 client counted by its /64, as every per-client limit is (`client_group`).
    let from = format!(
        "address:{}",
        crate::http::client_address::client_group(address)
    );
    let store = &state.store;
    // The attempt is counted before the password is checked; a success gives it back.
    let Some(reservation) = store
        .reserve_signin_attempt(
            (&account, ACCOUNT_ATTEMPTS),
            (&from, ADDRESS_ATTEMPTS),
            now,
            LOCK_WINDOW_MS,
        )
        .await?
    else {
        return sign_in_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many failed attempts. Try again in 15 minutes."),
            &headers,
        );
    };
    let stored = store.moderator_password(&name).await?;
    if !verify_password(password, stored).await {
        tracing::warn!(%address, "a failed sign-in to the moderation area");
        return sign_in_form(
            StatusCode::UNAUTHORIZED,
            Some("The name or the password is wrong."),
            &headers,
        );
    }
    store.signin_succeeded(&reservation).await?;
    let token = random_token()?;
    let csrf = random_token()?;
    store
        .create_session(&hashed(&token), &name, &csrf, now + SESSION_MS)
        .await?;
    store
        .audit(&name, "sign-in", &address.to_string(), "", now_ms())
        .await?;
    let mut response = see_other("/moderate");
    let set = response.headers_mut();
    set.append(
        header::SET_COOKIE,
        session_cookie(&token, SESSION_MS / 1000, &headers),
    );
    // The sign-in token has done its work.
    set.append(header::SET_COOKIE, sign_in_cookie("", 0, &headers));
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authorised { session, .. }: Authorised,
) -> Result<Response, AreaError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.end_session(&hashed(token), now_ms()).await?;
    }
    state
        .store
        .audit(&session.moderator, "sign-out", "", "", now_ms())
        .await?;
    let mut response = see_other("/moderate/sign-in");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie("", 0, &headers));
    Ok(response)
}
