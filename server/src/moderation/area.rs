//! The moderation area at `/moderate`: server-rendered HTML forms, no script (so it works on
//! any phone and exposes no second API), behind a sign-in.
//!
//! - Accounts are made on the command line (`comment-service moderators add NAME`, the
//!   password prompted, stored as an Argon2id hash). Signing in sets a session cookie
//!   (`HttpOnly`, `SameSite=Strict`, `Secure` behind HTTPS, path `/moderate`, 12 hours); the
//!   database keeps only a hash of its token, so signing out (or removing the moderator)
//!   ends it for good.
//! - Five failed sign-ins for one account, or twenty from one client address, within 15
//!   minutes lock further attempts for the rest of that window, right password or not. Each
//!   attempt is reserved in the database before its password is checked (one transaction),
//!   so concurrent attempts, on any number of instances, check no more passwords than that.
//! - Passwords are checked on tokio's blocking threads, a few at a time (`PASSWORD_WORK`),
//!   holding no database connection: a burst of sign-ins queues there and never stalls
//!   the readers' requests.
//! - Every state-changing request carries the session's CSRF token in its form; a request
//!   without it (or with another) is refused. The sign-in form carries a token bound to a
//!   cookie set with the form (double submit), so no other site can sign a browser in to
//!   an account of its choosing. Tokens are compared in constant time. `SameSite=Strict` is
//!   the second line.
//! - Every answer of the area is `Cache-Control: no-store`, framed by no one, and under a
//!   CSP that allows no script (`area_headers`); forms are at most `AREA_BODY_LIMIT` bytes.
//! - Every action is written to the audit log, shown in the area.
//! - Everything a commenter wrote is escaped: it is shown as text.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::clock::now_ms;
use crate::http::error::ApiError;
use crate::http::extract::{cookie, ClientAddress};
use crate::http::AppState;
use crate::markup::{escape as esc, excerpt};
use crate::store::{ModerationStatus, StoredComment};
use crate::tokens::{hex, random_hex};
use article_widget::domain::date::Timestamp;

const SESSION_COOKIE: &str = "aw-moderator";
const SESSION_MS: i64 = 12 * 60 * 60 * 1000;
const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;
const ACCOUNT_ATTEMPTS: i64 = 5;
const ADDRESS_ATTEMPTS: i64 = 20;
/// The longest moderator's name, in characters (the command line refuses longer ones, and a
/// sign-in with a longer one is refused before anything is looked up or stored).
pub const NAME_LIMIT: usize = 64;
/// The longest password, in characters: long enough for any passphrase, short enough that
/// hashing it costs nothing extra.
pub const PASSWORD_LIMIT: usize = 1024;
/// The largest form the area takes (a bulk action on a full page of 100 comments is ~5 KiB).
const AREA_BODY_LIMIT: usize = 64 * 1024;
/// The pre-session cookie the sign-in form's token is bound to (double submit). Over HTTPS
/// it is a `__Host-` cookie, which no other host (a sibling subdomain included) can set, so
/// nobody can plant a pair of their own in a moderator's browser.
const SIGN_IN_COOKIE: &str = "aw-moderator-sign-in";
const SIGN_IN_COOKIE_HTTPS: &str = "__Host-aw-moderator-sign-in";
const SIGN_IN_COOKIE_S: i64 = 60 * 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderate", get(queue))
        .route("/moderate/sign-in", get(sign_in_page).post(sign_in))
        .route("/moderate/sign-out", post(sign_out))
        .route("/moderate/act", post(act))
        .route("/moderate/blocks", get(blocks_page).post(change_blocks))
        .route("/moderate/audit", get(audit_page))
        .route("/moderate/overview", get(overview))
        .layer(DefaultBodyLimit::max(AREA_BODY_LIMIT))
        .layer(axum::middleware::map_response(area_headers))
}

/// On every answer of the area, its pages, redirects and refusals alike: never stored by a
/// cache, never framed (clickjacking), no script at all, forms only to the area itself.
async fn area_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

// ----- Passwords -----

/// An Argon2id hash of the password, with a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| error.to_string())
}

/// Password checks running at once: Argon2id takes ~19 MiB and tens of milliseconds of a core
/// each, so a burst of sign-ins waits here, on no database connection, instead of taking
/// every core from the requests readers make: half the cores (at least one, at most four).
static PASSWORD_WORK: std::sync::LazyLock<Arc<Semaphore>> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Arc::new(Semaphore::new((cores / 2).clamp(1, 4)))
});

/// Whether the password matches the stored hash (`None`: no such moderator; a hash of a
/// random password is checked instead, so the answer takes as long). Each check runs on a
/// thread of its own at the lowest scheduling priority, behind `PASSWORD_WORK`: a core that
/// readers' requests need goes to them first, and a sign-in waits instead (a thread costs
/// microseconds; the check, milliseconds). Anything going wrong there refuses the sign-in.
async fn verify_password(password: &str, stored: Option<String>) -> bool {
    let Ok(permit) = PASSWORD_WORK.clone().acquire_owned().await else {
        return false;
    };
    let password = password.to_owned();
    let (answer, checked) = tokio::sync::oneshot::channel();
    // The permit goes with the work: a client that hangs up does not free it before the
    // check is done, so no number of abandoned sign-ins runs more checks at once.
    let started = std::thread::Builder::new()
        .name("password-check".to_owned())
        .spawn(move || {
            let _permit = permit;
            lowest_priority();
            let matches = match stored {
                Some(hash) => password_matches(&password, &hash),
                None => {
                    let _ = password_matches(&password, &DUMMY_HASH);
                    false
                }
            };
            let _ = answer.send(matches);
        });
    if let Err(error) = started {
        tracing::error!(%error, "a password check could not start");
        return false;
    }
    checked.await.unwrap_or_else(|_| {
        tracing::error!("a password check ended without an answer");
        false
    })
}

/// Gives the calling thread the lowest priority (nice 19). On Linux `setpriority` with
/// `PRIO_PROCESS` and 0 applies to the calling thread only; elsewhere this does nothing, and
/// the semaphore alone bounds the checks.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority takes plain integers and touches no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

/// Two secrets compared in a time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

// ----- Sessions -----

struct Session {
    moderator: String,
    csrf: String,
}

fn random_token() -> Result<String, ApiError> {
    random_hex(32).map_err(|_| ApiError::NoRandomness)
}

fn hashed(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, ApiError> {
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

fn to(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// A form's fields (repeated names kept, in order).
fn fields(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The session of a state-changing request, when its form carries the session's CSRF token.
async fn authorised(
    state: &AppState,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<Result<Session, Response>, ApiError> {
    let Some(session) = session(state, headers).await? else {
        return Ok(Err(page(
            StatusCode::FORBIDDEN,
            "Signed out",
            None,
            "<p>Your session has ended. <a href=\"/moderate/sign-in\">Sign in</a> again.</p>",
        )));
    };
    if !field(form, "csrf").is_some_and(|given| same_secret(given, &session.csrf)) {
        return Ok(Err(page(
            StatusCode::FORBIDDEN,
            "Refused",
            None,
            "<p>This request did not come from a page of the moderation area. Nothing was changed.</p>",
        )));
    }
    Ok(Ok(session))
}

/// A page of the area, asked from a live session; otherwise the answer is the way to sign in.
struct SignedIn(Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session(state, &parts.headers).await {
            Ok(Some(session)) => Ok(SignedIn(session)),
            Ok(None) => Err(to("/moderate/sign-in")),
            Err(error) => Err(error.into_response()),
        }
    }
}

/// A state-changing request of the area: its form, sent from a live session whose CSRF
/// token it carries; otherwise the refusal page is the answer.
struct Authorised {
    session: Session,
    form: Vec<(String, String)>,
}

impl FromRequest<AppState> for Authorised {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = fields(&body);
        match authorised(state, &headers, &form).await {
            Ok(Ok(session)) => Ok(Authorised { session, form }),
            Ok(Err(refused)) => Err(refused),
            Err(error) => Err(error.into_response()),
        }
    }
}

// ----- Pages -----

fn when(ms: i64) -> String {
    let text = Timestamp::from_millis(ms).to_rfc3339();
    text.replace('T', " ").replace('Z', " UTC")
}

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}\
header{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #ddd}\
header strong{margin-right:auto}main{max-width:60rem;margin:0 auto;padding:1rem}\
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}\
.meta{color:#555;font-size:.875rem;overflow-wrap:anywhere}.text{white-space:pre-line;overflow-wrap:anywhere}\
.context{border-left:3px solid #ccc;padding-left:.75rem;color:#555;font-size:.875rem}\
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}button,input,select{font:inherit;padding:.4rem .7rem}\
button{border:1px solid #888;border-radius:6px;background:#fff}form.inline{display:inline}\
.filters{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
.error{color:#a00}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}header,.card{background:#1b1b1b;border-color:#333}\
.meta,.context{color:#aaa}button{background:#222;color:#eee}}";

fn page(status: StatusCode, title: &str, session: Option<&Session>, body: &str) -> Response {
    let nav = match session {
        Some(session) => format!(
            "<nav><a href=\"/moderate/overview\">Overview</a> <a href=\"/moderate\">Queue</a> <a href=\"/moderate?status=approved\">Published</a> \
             <a href=\"/moderate?status=all\">All</a> <a href=\"/moderate/blocks\">Blocks</a> \
             <a href=\"/moderate/audit\">Audit log</a></nav>\
             <form class=\"inline\" method=\"post\" action=\"/moderate/sign-out\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><span>{}</span> <button>Sign out</button></form>",
            esc(&session.csrf),
            esc(&session.moderator)
        ),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\"><title>{} · Comments</title><style>{STYLE}</style></head>\
         <body><header><strong>Comments · moderation</strong>{nav}</header><main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        esc(title)
    );
    // Its security headers are added to every answer of the area by `area_headers`.
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if session(&state, &headers).await?.is_some() {
        return Ok(to("/moderate"));
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
) -> Result<Response, ApiError> {
    let token = match sign_in_token(headers) {
        Some(token) => token.to_owned(),
        None => random_token()?,
    };
    let problem = problem.map_or(String::new(), |p| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", esc(p))
    });
    let mut response = page(
        status,
        "Sign in",
        None,
        &format!(
            "{problem}<form method=\"post\" action=\"/moderate/sign-in\" class=\"card\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p><label>Name<br><input name=\"name\" autocomplete=\"username\" maxlength=\"{NAME_LIMIT}\" required></label></p>\
             <p><label>Password<br><input name=\"password\" type=\"password\" autocomplete=\"current-password\" maxlength=\"{PASSWORD_LIMIT}\" required></label></p>\
             <button>Sign in</button></form>",
            esc(&token)
        ),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        sign_in_cookie(&token, SIGN_IN_COOKIE_S, headers),
    );
    Ok(response)
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = fields(&body);
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
    let from = format!("address:{address}");
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
    let mut response = to("/moderate");
    let set = response.headers_mut();
    set.append(
        header::SET_COOKIE,
        session_cookie(&token, SESSION_MS / 1000, &headers),
    );
    // The sign-in token has done its work.
    set.append(header::SET_COOKIE, sign_in_cookie("", 0, &headers));
    Ok(response)
}

/// A hash to verify against when the name is unknown (of a random password, made once).
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let password: String = random_token().unwrap_or_default();
    hash_password(&password).unwrap_or_default()
});

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Authorised { session, .. }: Authorised,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.end_session(&hashed(token), now_ms()).await?;
    }
    state
        .store
        .audit(&session.moderator, "sign-out", "", "", now_ms())
        .await?;
    let mut response = to("/moderate/sign-in");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie("", 0, &headers));
    Ok(response)
}

#[derive(serde::Deserialize, Default)]
struct Filters {
    status: Option<String>,
    article: Option<String>,
    q: Option<String>,
}

async fn queue(
    State(state): State<AppState>,
    Query(filters): Query<Filters>,
    SignedIn(session): SignedIn,
) -> Result<Response, ApiError> {
    let status_name = filters.status.as_deref().unwrap_or("pending");
    let status = ModerationStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == status_name);
    let article = filters
        .article
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let search = filters
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let comments = state
        .store
        .search_comments(status, article, search, 100)
        .await?;

    let mut body = String::new();
    let options: String = ["pending", "approved", "rejected", "spam", "all"]
        .iter()
        .map(|s| {
            let selected = if *s == status_name { " selected" } else { "" };
            format!(
                "<option value=\"{s}\"{selected}>{}</option>",
                status_label(s)
            )
        })
        .collect();
    body.push_str(&format!(
        "<form class=\"filters\" method=\"get\" action=\"/moderate\">\
         <select name=\"status\" aria-label=\"Status\">{options}</select>\
         <input name=\"article\" placeholder=\"Article id\" value=\"{}\" aria-label=\"Article id\">\
         <input name=\"q\" type=\"search\" placeholder=\"Author, email, address or text\" value=\"{}\" aria-label=\"Search\">\
         <button>Show</button></form>",
        esc(article.unwrap_or_default()),
        esc(search.unwrap_or_default())
    ));
    if comments.is_empty() {
        body.push_str("<p>Nothing here.</p>");
    } else {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/moderate/act\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <input type=\"hidden\" name=\"back\" value=\"{}\">\
             <div class=\"actions card\"><span>With the ticked ones:</span>\
             <button name=\"bulk\" value=\"approve\">Approve</button><button name=\"bulk\" value=\"reject\">Reject</button>\
             <button name=\"bulk\" value=\"spam\">Spam</button><button name=\"bulk\" value=\"delete\">Delete</button></div>",
            esc(&session.csrf),
            esc(&back_address(status_name, article, search))
        ));
        for comment in &comments {
            body.push_str(&card(&state, comment).await?);
        }
        body.push_str("</form>");
    }
    let title = match status {
        Some(ModerationStatus::Pending) => "Held for moderation".to_owned(),
        Some(other) => status_label(other.as_str()).to_owned(),
        None => "All comments".to_owned(),
    };
    Ok(page(
        StatusCode::OK,
        &format!("{title} ({})", comments.len()),
        Some(&session),
        &body,
    ))
}

fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Held",
        "approved" => "Published",
        "rejected" => "Rejected",
        "spam" => "Spam",
        _ => "All",
    }
}

fn back_address(status: &str, article: Option<&str>, search: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("status", status);
    if let Some(article) = article {
        query.append_pair("article", article);
    }
    if let Some(search) = search {
        query.append_pair("q", search);
    }
    format!("/moderate?{}", query.finish())
}

/// One comment: what it is on, what it answers, who wrote it from where, and its actions.
async fn card(state: &AppState, comment: &StoredComment) -> Result<String, ApiError> {
    let title = state
        .articles
        .headline(&comment.article_id)
        .unwrap_or_else(|| comment.article_id.clone());
    let context = match &comment.parent_id {
        Some(parent) => match state.store.comment(parent).await? {
            Some(parent) => format!(
                "<p class=\"context\">In reply to {}: {}</p>",
                esc(&parent.author),
                esc(&excerpt(&parent.content, 200))
            ),
            None => String::new(),
        },
        None => String::new(),
    };
    let website = comment
        .website
        .as_deref()
        .map_or(String::new(), |w| format!(" · {}", esc(w)));
    let id = esc(&comment.id);
    let actions: String = [
        (
            "approve",
            "Approve",
            comment.status != ModerationStatus::Approved,
        ),
        (
            "unpublish",
            "Unpublish",
            comment.status == ModerationStatus::Approved,
        ),
        (
            "reject",
            "Reject",
            comment.status != ModerationStatus::Rejected,
        ),
        ("spam", "Spam", comment.status != ModerationStatus::Spam),
        ("delete", "Delete", true),
    ]
    .iter()
    .filter(|(_, _, shown)| *shown)
    .map(|(action, label, _)| {
        format!("<button name=\"one\" value=\"{action}:{id}\">{label}</button>")
    })
    .collect();
    Ok(format!(
        "<article class=\"card\"><label><input type=\"checkbox\" name=\"ids\" value=\"{id}\"> \
         <strong>{}</strong></label> <span class=\"meta\">({}) on <a href=\"/moderate?status=all&amp;article={}\">{}</a></span>\
         <p class=\"meta\">{} · {}{} · {} · {}</p>{context}<p class=\"text\">{}</p>\
         <div class=\"actions\">{actions}\
         <button name=\"one\" value=\"block-email:{id}\">Block email</button>\
         <button name=\"one\" value=\"block-address:{id}\">Block address</button></div></article>",
        esc(if comment.author.is_empty() { "Anonymous" } else { &comment.author }),
        status_label(comment.status.as_str()),
        esc(&comment.article_id),
        esc(&title),
        esc(&comment.email),
        esc(&comment.client_address),
        website,
        esc(&when(comment.created_at)),
        id,
        esc(&comment.content)
    ))
}

async fn act(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, ApiError> {
    // One comment's button ("approve:ID"), or the bulk buttons with the ticked ids.
    let targets: Vec<(String, String)> = match field(&form, "one").and_then(|v| v.split_once(':')) {
        Some((action, id)) => vec![(action.to_owned(), id.to_owned())],
        None => {
            let action = field(&form, "bulk").unwrap_or_default().to_owned();
            form.iter()
                .filter(|(k, _)| k == "ids")
                .map(|(_, id)| (action.clone(), id.clone()))
                .collect()
        }
    };
    let store = &state.store;
    for (action, id) in targets {
        let done = match action.as_str() {
            "approve" => {
                store
                    .set_status(&id, ModerationStatus::Approved, now_ms())
                    .await?
            }
            "unpublish" => {
                store
                    .set_status(&id, ModerationStatus::Pending, now_ms())
                    .await?
            }
            "reject" => {
                store
                    .set_status(&id, ModerationStatus::Rejected, now_ms())
                    .await?
            }
            "spam" => {
                store
                    .set_status(&id, ModerationStatus::Spam, now_ms())
                    .await?
            }
            "delete" => store.delete(&id, now_ms()).await?,
            "block-email" | "block-address" => match store.comment(&id).await? {
                Some(comment) => {
                    let (kind, value) = if action == "block-email" {
                        ("email", comment.email)
                    } else {
                        ("address", comment.client_address)
                    };
                    store
                        .block(kind, &value, &session.moderator, now_ms())
                        .await?;
                    store
                        .audit(
                            &session.moderator,
                            &format!("block {kind}"),
                            &value,
                            &format!("from comment {id}"),
                            now_ms(),
                        )
                        .await?;
                    continue;
                }
                None => false,
            },
            _ => false,
        };
        if done {
            store
                .audit(&session.moderator, &action, &id, "", now_ms())
                .await?;
        }
    }
    let back = field(&form, "back")
        .filter(|b| b.starts_with("/moderate") && !b.starts_with("//"))
        .unwrap_or("/moderate");
    Ok(to(back))
}

async fn blocks_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, ApiError> {
    let csrf = esc(&session.csrf);
    let mut body = format!(
        "<p>A blocked email or client address cannot comment: its comments are refused with the \
         message every refusal gets.</p>\
         <form class=\"filters card\" method=\"post\" action=\"/moderate/blocks\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <select name=\"kind\" aria-label=\"Kind\"><option value=\"email\">Email</option><option value=\"address\">Client address</option></select>\
         <input name=\"value\" required aria-label=\"Email or address\"><button name=\"do\" value=\"add\">Block</button></form>"
    );
    let blocks = state.store.blocks().await?;
    if blocks.is_empty() {
        body.push_str("<p>No blocks.</p>");
    } else {
        body.push_str("<table><tr><th>Blocked</th><th>Since</th><th>By</th><th>Undo</th></tr>");
        for (kind, value, at, by) in blocks {
            body.push_str(&format!(
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td><form class=\"inline\" method=\"post\" action=\"/moderate/blocks\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"kind\" value=\"{}\">\
                 <input type=\"hidden\" name=\"value\" value=\"{}\"><button name=\"do\" value=\"remove\">Unblock</button></form></td></tr>",
                esc(&kind),
                esc(&value),
                esc(&when(at)),
                esc(&by),
                esc(&kind),
                esc(&value)
            ));
        }
        body.push_str("</table>");
    }
    Ok(page(StatusCode::OK, "Blocks", Some(&session), &body))
}

async fn change_blocks(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, ApiError> {
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
        let done = match field(&form, "do") {
            Some("remove") => state.store.unblock(kind, &value).await?,
            _ => {
                state
                    .store
                    .block(kind, &value, &session.moderator, now_ms())
                    .await?
            }
        };
        if done {
            let action = if field(&form, "do") == Some("remove") {
                "unblock"
            } else {
                "block"
            };
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
    Ok(to("/moderate/blocks"))
}

async fn audit_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, ApiError> {
    let mut body = String::from(
        "<table><tr><th>When</th><th>Who</th><th>What</th><th>On</th><th>Detail</th></tr>",
    );
    for (at, who, action, target, detail) in state.store.audit_log(200).await? {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&when(at)),
            esc(&who),
            esc(&action),
            esc(&target),
            esc(&detail)
        ));
    }
    body.push_str("</table>");
    Ok(page(StatusCode::OK, "Audit log", Some(&session), &body))
}

const DAYS: i64 = 28;
const DAY_MS: i64 = 86_400_000;

/// At a glance: comments per day over the last four weeks (published, held, spam) and the
/// most discussed articles, as small SVG charts (with titles for each bar and a summary for
/// screen readers), not tables of numbers.
async fn overview(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, ApiError> {
    let today = now_ms().div_euclid(DAY_MS);
    let first = today - DAYS + 1;
    let counts = state.store.daily_counts(first * DAY_MS).await?;
    let series = ["approved", "pending", "spam"];
    let mut days = vec![[0i64; 3]; DAYS as usize];
    for (day, status, n) in counts {
        if let (Some(slot), Some(kind)) = (
            days.get_mut((day - first) as usize),
            series.iter().position(|s| *s == status),
        ) {
            slot[kind] += n;
        }
    }
    let totals: Vec<i64> = (0..3).map(|k| days.iter().map(|d| d[k]).sum()).collect();
    let tallest = days
        .iter()
        .map(|d| d.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let colours = ["#2e7d32", "#f9a825", "#c62828"];
    let (width, height, bar) = (560.0, 140.0, 560.0 / DAYS as f64);
    let mut bars = String::new();
    for (i, day) in days.iter().enumerate() {
        let mut y = height;
        let label = Timestamp::from_millis((first + i as i64) * DAY_MS).to_rfc3339();
        let label = &label[..10];
        for (k, n) in day.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let h = height * *n as f64 / tallest as f64;
            y -= h;
            bars.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{label}: {n} {}</title></rect>",
                i as f64 * bar + 1.0,
                bar - 2.0,
                colours[k],
                status_label(series[k]).to_lowercase()
            ));
        }
    }
    let summary = format!(
        "Last {DAYS} days: {} published, {} held, {} spam",
        totals[0], totals[1], totals[2]
    );
    let legend: String = (0..3)
        .map(|k| {
            format!(
                "<span><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{}\"/></svg> {} ({})</span> ",
                colours[k],
                status_label(series[k]),
                totals[k]
            )
        })
        .collect();
    let mut body = format!(
        "<section class=\"card\"><h2>Comments per day</h2>         <svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" style=\"max-height:10rem\">{bars}</svg>         <p class=\"meta\">{legend}</p></section>",
        esc(&summary)
    );
    let discussed = state.store.most_discussed(first * DAY_MS, 5).await?;
    body.push_str("<section class=\"card\"><h2>Most discussed</h2>");
    if discussed.is_empty() {
        body.push_str("<p>No published comments in these four weeks.</p>");
    } else {
        let most = discussed.first().map_or(1, |(_, n)| (*n).max(1));
        let rows = discussed.len() as f64;
        let mut chart = String::new();
        for (i, (article, n)) in discussed.iter().enumerate() {
            let title = state
                .articles
                .headline(article)
                .unwrap_or_else(|| article.clone());
            let y = i as f64 * 34.0;
            let w = 360.0 * *n as f64 / most as f64;
            chart.push_str(&format!(
                "<text x=\"0\" y=\"{:.0}\" font-size=\"12\" fill=\"currentColor\">{}</text>                 <rect x=\"0\" y=\"{:.0}\" width=\"{w:.1}\" height=\"12\" fill=\"#1565c0\"><title>{}: {n}</title></rect>                 <text x=\"{:.1}\" y=\"{:.0}\" font-size=\"12\" fill=\"currentColor\">{n}</text>",
                y + 12.0,
                esc(&excerpt(&title, 60)),
                y + 16.0,
                esc(&title),
                w + 6.0,
                y + 27.0
            ));
        }
        let names: Vec<String> = discussed.iter().map(|(a, n)| format!("{a}: {n}")).collect();
        body.push_str(&format!(
            "<svg viewBox=\"0 0 420 {:.0}\" width=\"100%\" role=\"img\" aria-label=\"{}\">{chart}</svg>",
            rows * 34.0,
            esc(&format!("Most published comments: {}", names.join(", ")))
        ));
    }
    body.push_str("</section>");
    Ok(page(StatusCode::OK, "Overview", Some(&session), &body))
}

/// For the command line: reads a password (without echo on a terminal; a line of standard
/// input otherwise, for scripts).
pub fn read_password(prompt: &str) -> std::io::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verified() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery staple", &hash));
        assert!(!password_matches("wrong", &hash));
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        assert!(!password_matches("anything", &DUMMY_HASH));
    }
}
