//! Notifications by email, from the outbox (see migration 0007): a worker claims due messages
//! atomically, composes them from the database at send time, hands them to the SMTP server
//! (lettre), and marks them sent; a failure is tried again with back-off (30 s, doubling, at
//! most an hour), so nothing is lost when the mail server is down or the service restarts,
//! and with several instances each message is sent once (a claim is one statement; a claim
//! whose instance died is taken over after a minute: only a crash between the mail server's
//! acceptance and the mark can send one twice).
//!
//! - `held`: a comment held for moderation, to the moderators' addresses: one message each,
//!   or, with a digest interval, one message for all held since the last.
//! - `confirm`: a new comment whose author ticked "Notify me of follow-up comments by
//!   email": a link that confirms the address (double opt-in, migration 0009), signed with
//!   HMAC-SHA256, carrying its issue time and valid for a week. Not when the address is
//!   confirmed already or unsubscribed; at most one an hour and three a day per address
//!   (`store::outbox`). It names no commenter and quotes nothing: whoever typed the address,
//!   its owner reads only the article's title and our links.
//! - `reply`: an approved reply to an approved comment, to that comment's author when they
//!   ticked the box and their address is confirmed, with a one-click unsubscribe link
//!   (`List-Unsubscribe`, `List-Unsubscribe-Post`, RFC 8058) signed with HMAC-SHA256.
//!
//! `GET /notifications/confirm?token=…` shows a button, `POST` confirms. `GET
//! /unsubscribe?token=…` shows a button; `POST /unsubscribe` (the button, or a mail client's
//! one-click request) records the address, which then gets nothing more. A GET never changes
//! anything: link checkers and previews open links. Both keys are one secret, made once from
//! the system's random source (no key without it) and shared through the database.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;

use crate::articles::ArticleGate;
use crate::clock::now_ms;
use crate::config::{ServeArgs, SmtpTls};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::markup::{escape, excerpt};
use crate::store::{ModerationStatus, OutboxItem, Store, StoredComment};
use crate::tokens::{hex, hex_decode, random_hex};

/// What the worker needs.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    moderators: Vec<Mailbox>,
    digest: Option<Duration>,
    public_url: String,
    poll: Duration,
    retry_ms: i64,
}

impl Mailer {
    /// The mailer the flags describe; `None` without an SMTP host (the outbox then waits).
    pub fn from_args(args: &ServeArgs) -> Result<Option<Mailer>, String> {
        let Some(host) = args.smtp_host.as_deref() else {
            return Ok(None);
        };
        let builder = match args.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("SMTP host {host}: {e}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("SMTP host {host}: {e}"))?,
        };
        let mut builder = builder
            .port(args.smtp_port)
            .timeout(Some(Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&args.smtp_user, &args.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from: Mailbox = args
            .mail_from
            .parse()
            .map_err(|e| format!("--mail-from {:?}: {e}", args.mail_from))?;
        let moderators = args
            .moderator_email
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse()
                    .map_err(|e| format!("--moderator-email {a:?}: {e}"))
            })
            .collect::<Result<Vec<Mailbox>, String>>()?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
            moderators,
            digest: (args.moderator_digest_minutes > 0.0)
                .then(|| Duration::from_secs_f64(args.moderator_digest_minutes * 60.0)),
            public_url: args.public_url.trim_end_matches('/').to_owned(),
            poll: Duration::from_millis(args.outbox_poll_ms.max(50)),
            retry_ms: (args.mail_retry_seconds.max(1) * 1000) as i64,
        }))
    }
}

/// How long a claim holds before another instance may take the message over.
const CLAIM_MS: i64 = 60_000;

/// How long after its `attempts`-th failure a message is tried again: `first`, doubling, at
/// most an hour.
pub fn retry_delay_ms(first: i64, attempts: i64) -> i64 {
    let doubling = first.saturating_mul(1i64 << attempts.clamp(0, 20));
    doubling.min(3_600_000)
}

/// Runs the worker until the process ends.
pub async fn run(store: Store, articles: std::sync::Arc<ArticleGate>, mailer: Mailer) {
    // The worker's name only tells its claims apart (it is no secret): without the random
    // source, the process id and the time do.
    let worker = match random_hex(8) {
        Ok(name) => format!("worker-{name}"),
        Err(error) => {
            tracing::error!(%error, "the system's random source failed; the worker is named by its process");
            format!("worker-{}-{}", std::process::id(), now_ms())
        }
    };
    let key = loop {
        match signing_key(&store).await {
            Ok(key) => break key,
            Err(error) => {
                tracing::error!(%error, "the signing key could not be read; the mail waits");
                tokio::time::sleep(mailer.poll).await;
            }
        }
    };
    let mut last_digest = now_ms();
    loop {
        let now = now_ms();
        // Replies, and held comments one by one (unless they go in a digest).
        let mut kinds = vec!["reply", "confirm"];
        if mailer.digest.is_none() {
            kinds.push("held");
        }
        match store
            .claim_outbox(&worker, &kinds, now, now + CLAIM_MS, 20)
            .await
        {
            Ok(items) => {
                for item in items {
                    let outcome = match compose(&store, &articles, &mailer, key, &item).await {
                        Ok(Some(message)) => mailer
                            .transport
                            .send(message)
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        // Nothing to say any more (the comment is gone, no one to tell).
                        Ok(None) => Ok(()),
                        Err(error) => Err(error),
                    };
                    finish(
                        &store,
                        &mailer,
                        &worker,
                        std::slice::from_ref(&item),
                        outcome,
                    )
                    .await;
                }
            }
            Err(error) => tracing::error!(%error, "the outbox could not be read"),
        }
        // The digest: every held comment not yet told, in one message.
        if let Some(every) = mailer.digest {
            if now - last_digest >= every.as_millis() as i64 {
                last_digest = now;
                digest(&store, &articles, &mailer, &worker, now).await;
            }
        }
        tokio::time::sleep(mailer.poll).await;
    }
}

async fn finish(
    store: &Store,
    mailer: &Mailer,
    worker: &str,
    items: &[OutboxItem],
    outcome: Result<(), String>,
) {
    let now = now_ms();
    for item in items {
        let result = match &outcome {
            Ok(()) => store.outbox_sent(&item.id, worker, now).await,
            Err(error) => {
                tracing::warn!(id = %item.id, attempts = item.attempts + 1, %error, "a message could not be sent; it will be tried again");
                store
                    .outbox_failed(
                        &item.id,
                        worker,
                        now + retry_delay_ms(mailer.retry_ms, item.attempts),
                        error,
                    )
                    .await
            }
        };
        if let Err(error) = result {
            tracing::error!(%error, "the outbox could not be updated");
        }
    }
}

async fn digest(store: &Store, articles: &ArticleGate, mailer: &Mailer, worker: &str, now: i64) {
    let items = match store
        .claim_outbox(worker, &["held"], now, now + CLAIM_MS, 500)
        .await
    {
        Ok(items) if !items.is_empty() => items,
        Ok(_) => return,
        Err(error) => {
            tracing::error!(%error, "the outbox could not be read");
            return;
        }
    };
    let mut lines = Vec::new();
    for item in &items {
        if let Ok(Some(comment)) = store.comment(&item.comment_id).await {
            lines.push(held_summary(articles, &comment));
        }
    }
    let outcome = if lines.is_empty() || mailer.moderators.is_empty() {
        Ok(())
    } else {
        let subject = match lines.len() {
            1 => "1 comment awaits moderation".to_owned(),
            n => format!("{n} comments await moderation"),
        };
        let body = format!(
            "{}\n\nModerate them: {}/moderate\n",
            lines.join("\n\n"),
            mailer.public_url
        );
        match build(mailer, &mailer.moderators, &subject, body, None) {
            Ok(message) => mailer
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(error) => Err(error),
        }
    };
    finish(store, mailer, worker, &items, outcome).await;
}

fn held_summary(articles: &ArticleGate, comment: &StoredComment) -> String {
    let title = articles
        .headline(&comment.article_id)
        .unwrap_or_else(|| comment.article_id.clone());
    format!(
        "On “{title}”, {} <{}> wrote:\n{}",
        comment.author,
        comment.email,
        excerpt(&comment.content, 600)
    )
}

/// The message for an outbox item, from what the database holds now.
async fn compose(
    store: &Store,
    articles: &ArticleGate,
    mailer: &Mailer,
    key: &[u8],
    item: &OutboxItem,
) -> Result<Option<Message>, String> {
    let comment = match store.comment(&item.comment_id).await {
        Ok(Some(comment)) => comment,
        Ok(None) => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    match item.kind.as_str() {
        "held" => {
            if mailer.moderators.is_empty() {
                return Ok(None);
            }
            let title = articles
                .headline(&comment.article_id)
                .unwrap_or_else(|| comment.article_id.clone());
            let body = format!(
                "{}\n\nModerate it: {}/moderate\n",
                held_summary(articles, &comment),
                mailer.public_url
            );
            build(
                mailer,
                &mailer.moderators,
                &format!("A comment awaits moderation on “{title}”"),
                body,
                None,
            )
            .map(Some)
        }
        "reply" => {
            let Some(parent_id) = &comment.parent_id else {
                return Ok(None);
            };
            let parent = match store.comment(parent_id).await {
                Ok(Some(parent)) => parent,
                Ok(None) => return Ok(None),
                Err(error) => return Err(error.to_string()),
            };
            // Checked again as the message leaves: the parent may have been hidden, the
            // address unsubscribed, since the reply was approved.
            if parent.status != ModerationStatus::Approved
                || !store
                    .address_state(&parent.email)
                    .await
                    .map_err(|e| e.to_string())?
                    .may_hear_of_replies()
            {
                return Ok(None);
            }
            let to: Mailbox = match parent.email.parse() {
                Ok(to) => to,
                Err(_) => return Ok(None),
            };
            let title = articles
                .headline(&comment.article_id)
                .unwrap_or_else(|| comment.article_id.clone());
            let unsubscribe = format!(
                "{}/unsubscribe?token={}",
                mailer.public_url,
                unsubscribe_token(key, &parent.email)
            );
            let body = format!(
                "{} replied to your comment on “{title}”:\n\n{}\n\nRead it: {}/read/{}#comment-{}\n\n\
                 You get this because you asked to hear of replies. Stop: {unsubscribe}\n",
                if comment.author.is_empty() { "Someone" } else { &comment.author },
                excerpt(&comment.content, 1_000),
                mailer.public_url,
                comment.article_id,
                comment.id
            );
            build(
                mailer,
                &[to],
                &format!("A reply to your comment on “{title}”"),
                body,
                Some(&unsubscribe),
            )
            .map(Some)
        }
        "confirm" => {
            let state = store
                .address_state(&comment.email)
                .await
                .map_err(|e| e.to_string())?;
            if state.confirmed || state.unsubscribed {
                return Ok(None);
            }
            let to: Mailbox = match comment.email.parse() {
                Ok(to) => to,
                Err(_) => return Ok(None),
            };
            let title = articles
                .headline(&comment.article_id)
                .unwrap_or_else(|| comment.article_id.clone());
            let confirm = format!(
                "{}/notifications/confirm?token={}",
                mailer.public_url,
                confirmation_token(key, &comment.email, now_ms() / 1000)
            );
            let unsubscribe = format!(
                "{}/unsubscribe?token={}",
                mailer.public_url,
                unsubscribe_token(key, &comment.email)
            );
            // Nothing the commenter wrote: whoever typed this address, its owner reads only
            // the article's title and our links.
            let body = format!(
                "Someone commented on “{title}” with this email address and asked to be told \
                 by email when someone replies.\n\n\
                 If it was you, confirm the address (the link works for {CONFIRMATION_VALID_DAYS} \
                 days; you confirm once, for all your comments):\n{confirm}\n\n\
                 If it was not you, ignore this message: without confirmation this address \
                 gets no emails about replies, and at most one such request an hour.\n\n\
                 Never ask this address again: {unsubscribe}\n"
            );
            build(
                mailer,
                &[to],
                "Confirm your email address for replies",
                body,
                Some(&unsubscribe),
            )
            .map(Some)
        }
        _ => Ok(None),
    }
}

fn build(
    mailer: &Mailer,
    to: &[Mailbox],
    subject: &str,
    body: String,
    unsubscribe: Option<&str>,
) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(mailer.from.clone())
        .subject(subject);
    for recipient in to {
        builder = builder.to(recipient.clone());
    }
    let mut message = builder
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())?;
    if let Some(link) = unsubscribe {
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{link}>"),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    }
    Ok(message)
}

// ----- Signed links: unsubscribe, confirm -----

type HmacSha256 = Hmac<Sha256>;

/// Why there is no signing key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No secure random source to make one: no key rather than a guessable one.
    #[error("the system's random source failed: {0}")]
    NoRandomness(getrandom::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<KeyError> for ApiError {
    fn from(error: KeyError) -> ApiError {
        match error {
            KeyError::NoRandomness(_) => ApiError::NoRandomness,
            KeyError::Database(error) => ApiError::Database(error),
        }
    }
}

/// The key that signs unsubscribe and confirmation links, shared by every instance (kept in
/// the database, under the name `unsubscribe`). Read once per process (made by the first
/// instance that asks, from the system's random source: when that fails there is no key, and
/// no link); an error is not kept, so the next call tries again rather than signing with a
/// key no other instance knows.
pub async fn signing_key(store: &Store) -> Result<&'static [u8], KeyError> {
    static KEY: tokio::sync::OnceCell<Vec<u8>> = tokio::sync::OnceCell::const_new();
    KEY.get_or_try_init(|| async {
        if let Some(key) = store.existing_secret("unsubscribe").await? {
            return Ok(key.into_bytes());
        }
        let fresh = random_hex(32).map_err(|error| {
            tracing::error!(%error, "the system's random source failed: no key to sign links");
            KeyError::NoRandomness(error)
        })?;
        Ok(store.secret("unsubscribe", &fresh).await?.into_bytes())
    })
    .await
    .map(Vec::as_slice)
}

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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/unsubscribe", get(unsubscribe_page).post(unsubscribe))
        .route(
            "/notifications/confirm",
            get(confirmation_page).post(confirm),
        )
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn small_page(status: StatusCode, text: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Comments</title></head>\
         <body style=\"font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem\">{text}</body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let key = signing_key(&state.store).await?;
    let Some(token) = query.token.filter(|t| token_email(key, t).is_some()) else {
        return Ok(small_page(
            StatusCode::BAD_REQUEST,
            "<p>This link is not valid.</p>",
        ));
    };
    // A button, not an action on GET: link checkers and previews must not unsubscribe anyone.
    Ok(small_page(
        StatusCode::OK,
        &format!(
            "<h1>Stop the emails about replies?</h1><form method=\"post\" action=\"/unsubscribe?token={token}\">\
             <button>Unsubscribe</button></form>"
        ),
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

const INVALID_CONFIRMATION: &str = "<h1>This link is not valid</h1><p>It may have been cut or \
     changed on its way. Open the link in the email again, or copy all of it.</p>";
const EXPIRED_CONFIRMATION: &str = "<h1>This link has expired</h1><p>Confirmation links work \
     for a week. To be told of replies, tick “Notify me” again with your next comment: a new \
     link will be emailed to you.</p>";
const USED_CONFIRMATION: &str = "<h1>This link was already used</h1><p>This address is \
     confirmed: you will be told of replies to the comments where you ticked “Notify me”. \
     Each email has a link to stop.</p>";
const UNSUBSCRIBED_CONFIRMATION: &str = "<h1>This address unsubscribed</h1><p>It gets no emails \
     about replies from this site, and this link cannot change that.</p>";

/// The refusal page for a link that is not (or no longer) one to confirm with, or the
/// address it confirms.
async fn confirmable(
    state: &AppState,
    token: Option<&str>,
) -> Result<Result<String, Response>, ApiError> {
    let key = signing_key(&state.store).await?;
    let email = match token.map(|t| check_confirmation(key, t, now_ms() / 1000)) {
        Some(ConfirmationLink::Valid(email)) => email,
        Some(ConfirmationLink::Expired) => {
            return Ok(Err(small_page(StatusCode::GONE, EXPIRED_CONFIRMATION)))
        }
        Some(ConfirmationLink::Invalid) | None => {
            return Ok(Err(small_page(
                StatusCode::BAD_REQUEST,
                INVALID_CONFIRMATION,
            )))
        }
    };
    let address = state.store.address_state(&email).await?;
    if address.unsubscribed {
        return Ok(Err(small_page(
            StatusCode::CONFLICT,
            UNSUBSCRIBED_CONFIRMATION,
        )));
    }
    if address.confirmed {
        return Ok(Err(small_page(StatusCode::CONFLICT, USED_CONFIRMATION)));
    }
    Ok(Ok(email))
}

/// A button, not an action on GET: link checkers and previews must not confirm anyone.
async fn confirmation_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let token = query.token;
    let email = match confirmable(&state, token.as_deref()).await? {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };
    Ok(small_page(
        StatusCode::OK,
        &format!(
            "<h1>Be told of replies by email?</h1><p>Confirm that <strong>{}</strong> may get an \
             email when someone replies to a comment where you ticked “Notify me”. You confirm \
             once; each email has a link to stop.</p>\
             <form method=\"post\" action=\"/notifications/confirm\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button>Confirm</button></form>",
            escape(&email),
            escape(token.as_deref().unwrap_or_default()),
        ),
    ))
}

/// The button.
async fn confirm(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = token_of(query, &body);
    let email = match confirmable(&state, token.as_deref()).await? {
        Ok(email) => email,
        Err(refusal) => return Ok(refusal),
    };
    if !state.store.confirm_address(&email, now_ms()).await? {
        // Another click got there first.
        return Ok(small_page(StatusCode::CONFLICT, USED_CONFIRMATION));
    }
    Ok(small_page(
        StatusCode::OK,
        "<h1>Confirmed</h1><p>You will get an email when someone replies to a comment where \
         you ticked “Notify me”. Each email has a link to stop.</p>",
    ))
}

/// The button, or a mail client's one-click request (RFC 8058: a POST with the body
/// `List-Unsubscribe=One-Click` to the link).
async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = signing_key(&state.store).await?;
    let token = token_of(query, &body);
    let Some(email) = token.as_deref().and_then(|t| token_email(key, t)) else {
        return Ok(small_page(
            StatusCode::BAD_REQUEST,
            "<p>This link is not valid.</p>",
        ));
    };
    state.store.unsubscribe(&email, now_ms()).await?;
    Ok(small_page(
        StatusCode::OK,
        "<h1>Unsubscribed</h1><p>You will get no more emails about replies.</p>",
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

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(30_000, 0), 30_000);
        assert_eq!(retry_delay_ms(30_000, 1), 60_000);
        assert_eq!(retry_delay_ms(30_000, 10), 3_600_000);
        assert_eq!(retry_delay_ms(30_000, 1_000), 3_600_000);
    }
}
