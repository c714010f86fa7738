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
//! - `reply`: an approved reply, to the parent's author when they ticked "Notify me of
//!   follow-up comments by email", with a one-click unsubscribe link (`List-Unsubscribe`,
//!   `List-Unsubscribe-Post`, RFC 8058) signed with HMAC-SHA256.
//!
//! `GET /unsubscribe?token=…` shows a button; `POST /unsubscribe` (the button, or a mail
//! client's one-click request) records the address, which then gets nothing more.

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

use crate::api::{now_ms, AppState};
use crate::articles::ArticleGate;
use crate::config::{ServeArgs, SmtpTls};
use crate::error::ApiError;
use crate::markup::excerpt;
use crate::store::{OutboxItem, Store, StoredComment};

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
    let worker = format!("worker-{}", random_hex(8));
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
        let mut kinds = vec!["reply"];
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
        let subject = format!("{} comments await moderation", lines.len());
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
            if store
                .is_unsubscribed(&parent.email)
                .await
                .map_err(|e| e.to_string())?
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

// ----- Unsubscribe links -----

type HmacSha256 = Hmac<Sha256>;

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    let _ = getrandom::fill(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The key that signs unsubscribe links, shared by every instance (kept in the database).
/// Read once per process (made by the first instance that asks); an error is not kept, so
/// the next call tries again rather than signing with a key no other instance knows.
pub async fn signing_key(store: &Store) -> Result<&'static [u8], sqlx::Error> {
    static KEY: tokio::sync::OnceCell<Vec<u8>> = tokio::sync::OnceCell::const_new();
    KEY.get_or_try_init(|| async {
        store
            .secret("unsubscribe", &random_hex(32))
            .await
            .map(String::into_bytes)
    })
    .await
    .map(Vec::as_slice)
}

/// `<hex of the address>.<hex of its HMAC-SHA256>`.
pub fn unsubscribe_token(key: &[u8], email: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(email.as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let address: String = email.bytes().map(|b| format!("{b:02x}")).collect();
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

pub fn routes() -> Router<AppState> {
    Router::new().route("/unsubscribe", get(unsubscribe_page).post(unsubscribe))
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

/// The button, or a mail client's one-click request (RFC 8058: a POST with the body
/// `List-Unsubscribe=One-Click` to the link).
async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = signing_key(&state.store).await?;
    let token = query.token.or_else(|| {
        url::form_urlencoded::parse(&body)
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let Some(email) = token.as_deref().and_then(|t| token_email(key, t)) else {
        return Ok(small_page(
            StatusCode::BAD_REQUEST,
            "<p>This link is not valid.</p>",
        ));
    };
    state.store.unsubscribe(&email).await?;
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
            "bob@example.com"
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            token.split_once('.').unwrap().1
        );
        assert_eq!(token_email(key, &forged), None);
        assert_eq!(token_email(key, "nonsense"), None);
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(30_000, 0), 30_000);
        assert_eq!(retry_delay_ms(30_000, 1), 60_000);
        assert_eq!(retry_delay_ms(30_000, 10), 3_600_000);
        assert_eq!(retry_delay_ms(30_000, 1_000), 3_600_000);
    }
}
