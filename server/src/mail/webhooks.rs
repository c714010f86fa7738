//! Webhooks (issue 21): each comment held, approved, marked spam or deleted is told to every
//! `--webhook` URL by a POST, signed with `--webhook-secret`. Through the outbox, as the mail
//! is: the rows are written in the event's own transaction (`store::outbox`, one per event and
//! receiver, carrying the body's snapshot), this worker claims the due ones in one statement
//! (so with several instances each is sent once), and a failure, a timeout or an answer other
//! than 2xx is tried again with back-off, up to `--webhook-attempts`, then given up and logged.
//! A receiver that is down never holds up or fails a comment: it only waits in the outbox.
//!
//! The signature: `X-Comments-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
//! A receiver recomputes it over the body as received, compares in constant time, and rejects
//! a timestamp older than a few minutes (a replayed request).

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::worker::{idle, retry_delay_ms, worker_name, BATCH, CLAIM_MS};
use crate::clock::now_ms;
use crate::config::{ServeArgs, WebhookFormat};
use crate::store::{OutboxItem, Store, WEBHOOK_RECEIVER_HEARTBEAT_MS};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Comments-Signature";
/// How long one request may take, from connecting to the end of the answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the worker needs.
#[derive(Clone)]
pub struct Webhooks {
    receivers: Vec<url::Url>,
    secret: String,
    format: WebhookFormat,
    public_url: String,
    client: reqwest::Client,
    poll: Duration,
    retry_ms: i64,
    attempts: i64,
}

impl Webhooks {
    /// The webhooks the flags describe; `None` without `--webhook`; an error (the service
    /// refuses to start) for an address that is not http(s) or a missing secret.
    pub fn from_args(args: &ServeArgs) -> Result<Option<Webhooks>, String> {
        let receivers = args
            .webhooks
            .iter()
            .map(|address| address.trim())
            .filter(|address| !address.is_empty())
            .map(|address| {
                let url = url::Url::parse(address)
                    .map_err(|e| format!("--webhook {address:?}: {e}"))?;
                match url.scheme() {
                    "http" | "https" => Ok(url),
                    other => Err(format!(
                        "--webhook {address:?}: a {other}: address; webhooks are sent by http or https"
                    )),
                }
            })
            .collect::<Result<Vec<_>, String>>()?;
        if receivers.is_empty() {
            return Ok(None);
        }
        let secret = match args.webhook_secret.as_deref().map(str::trim) {
            Some(secret) if !secret.is_empty() => secret.to_owned(),
            _ => {
                return Err(
                    "--webhook needs --webhook-secret (or COMMENTS_WEBHOOK_SECRET): \
                            the secret that signs each request, so that its receiver can \
                            tell it came from this service"
                        .to_owned(),
                )
            }
        };
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            // A receiver's redirect is not followed: the signed body goes where it was sent.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the webhooks' HTTP client: {e}"))?;
        Ok(Some(Webhooks {
            receivers,
            secret,
            format: args.webhook_format,
            public_url: args.public_url.trim_end_matches('/').to_owned(),
            client,
            poll: Duration::from_millis(args.outbox_poll_ms.max(50)),
            retry_ms: (args.webhook_retry_seconds.max(1) * 1000) as i64,
            attempts: i64::from(args.webhook_attempts.max(1)),
        }))
    }

    /// The receivers' names (`receiver_name`), in the list's order: what an outbox row ends
    /// with.
    pub fn receiver_names(&self) -> Vec<String> {
        self.receivers.iter().map(receiver_name).collect()
    }

    /// The receiver an outbox row is for: by its name, or (a row written before migration
    /// 0013) by its position in this instance's list.
    fn receiver_of(&self, row_id: &str) -> Option<&url::Url> {
        let ending = row_id.rsplit(':').next()?;
        self.receivers
            .iter()
            .find(|receiver| receiver_name(receiver) == ending)
            .or_else(|| self.receivers.get(ending.parse::<usize>().ok()?))
    }

    /// What this instance claims: its receivers' names, and the positions of its list that
    /// rows written before migration 0013 end with.
    fn claimable(&self) -> Vec<String> {
        let mut names = self.receiver_names();
        names.extend((0..self.receivers.len()).map(|position| position.to_string()));
        names
    }
}

/// A receiver's name in the outbox and the database: the first 16 hex digits of SHA-256 of
/// its URL as parsed (so `HTTP://Example.org` and `http://example.org/` are one receiver). A
/// digest rather than the URL, whose query may hold the receiver's own secret (as Slack's
/// do): the database and its backups never hold it; 64 bits tell a few receivers apart.
pub fn receiver_name(receiver: &url::Url) -> String {
    let mut name = crate::tokens::sha256_hex(receiver.as_str());
    name.truncate(16);
    name
}

/// The signature header's value for this body at this time (unix seconds).
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("t={unix_seconds},v1={hex}")
}

/// The body sent for a row's snapshot (`store::outbox::enqueue_webhook`): the snapshot with
/// the links added, or Slack's `{"text": …}`.
pub fn body(format: WebhookFormat, public_url: &str, snapshot: &str) -> Result<String, String> {
    let mut payload: Value =
        serde_json::from_str(snapshot).map_err(|e| format!("a webhook's stored body: {e}"))?;
    let article_id = payload["comment"]["article_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let article_url = reading_page(public_url, &article_id);
    let moderate_url = format!("{public_url}/moderate");
    match format {
        WebhookFormat::Json => {
            payload["article_url"] = Value::String(article_url);
            payload["moderate_url"] = Value::String(moderate_url);
            Ok(payload.to_string())
        }
        WebhookFormat::Slack => {
            let comment = &payload["comment"];
            let author = comment["author"].as_str().unwrap_or("someone");
            let said = match payload["event"].as_str().unwrap_or_default() {
                "held" => "A comment awaits moderation",
                "approved" => "A comment was approved",
                "spam" => "A comment was marked as spam",
                "deleted" => "A comment was deleted",
                _ => "A comment changed",
            };
            let text = format!(
                "{said}: {author} on {article_url}\n> {}\nModerate: {moderate_url}",
                comment["excerpt"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', "\n> ")
            );
            Ok(serde_json::json!({ "text": text }).to_string())
        }
    }
}

/// The article's reading page (`/read/ID`), its id escaped as a path segment.
fn reading_page(public_url: &str, article_id: &str) -> String {
    match url::Url::parse(public_url) {
        Ok(mut url) if !url.cannot_be_a_base() => {
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.pop_if_empty().push("read").push(article_id);
            }
            url.to_string()
        }
        _ => format!("{public_url}/read/{article_id}"),
    }
}

/// Runs the worker until `stop` is cancelled: it then returns between requests, and gives
/// back the rows it claimed and did not send, for another instance.
pub async fn run(store: Store, webhooks: Webhooks, stop: tokio_util::sync::CancellationToken) {
    let worker = worker_name("webhooks");
    let claimable = webhooks.claimable();
    let names = webhooks.receiver_names();
    let mut wakeups = store.outbox_wakeups();
    // `serve` said which receivers this instance names as it started.
    let mut last_seen = now_ms();
    while !stop.is_cancelled() {
        let now = now_ms();
        if now - last_seen >= WEBHOOK_RECEIVER_HEARTBEAT_MS {
            last_seen = now;
            heartbeat(&store, &names, now).await;
        }
        // What rang before this claim is seen by it.
        wakeups.borrow_and_update();
        let mut full = false;
        match store
            .claim_webhooks(&worker, &claimable, now, now + CLAIM_MS, BATCH)
            .await
        {
            Ok(items) => {
                full = items.len() as i64 == BATCH;
                for item in items {
                    if stop.is_cancelled() {
                        if let Err(error) = store.outbox_release(&item.id, &worker).await {
                            tracing::warn!(%error, id = %item.id, "a claimed webhook stays claimed until its claim lapses");
                        }
                        continue;
                    }
                    let outcome = deliver(&store, &webhooks, &item).await;
                    finish(&store, &webhooks, &worker, &item, outcome).await;
                }
            }
            Err(error) => tracing::error!(%error, "the outbox could not be read"),
        }
        // A full batch: more may be due now. Otherwise until the next poll, or sooner when an
        // event writes a row (in this process, or on PostgreSQL in any).
        if full {
            continue;
        }
        idle(webhooks.poll, &mut wakeups, &stop).await;
    }
}

/// Says again which receivers this instance names (so events keep writing their rows), and
/// gives up the rows of receivers no instance names any more. A failure is logged and tried
/// at the next heartbeat.
async fn heartbeat(store: &Store, names: &[String], now: i64) {
    if let Err(error) = store.webhook_receivers_seen(names, now).await {
        tracing::warn!(%error, "the webhooks' receivers could not be recorded; tried again in ten minutes");
    }
    match store.give_up_orphan_webhooks(now).await {
        Ok(0) => {}
        Ok(given_up) => tracing::warn!(
            given_up,
            "webhooks for receivers no instance names any more were given up"
        ),
        Err(error) => tracing::warn!(%error, "orphaned webhooks could not be given up"),
    }
}

/// Why a delivery did not happen.
enum Failure {
    /// Worth another try (the receiver is down, slow, or answered other than 2xx).
    Retry(String),
    /// No try can succeed (no such receiver, no body): given up at once.
    Never(String),
}

async fn deliver(store: &Store, webhooks: &Webhooks, item: &OutboxItem) -> Result<(), Failure> {
    // Claimed by name, so known; `Never` guards a row written by hand.
    let Some(receiver) = webhooks.receiver_of(&item.id) else {
        return Err(Failure::Never(
            "no receiver of this name in this instance's --webhook list".to_owned(),
        ));
    };
    let snapshot = match store.outbox_payload(&item.id).await {
        Ok(Some(snapshot)) => snapshot,
        Ok(None) => return Err(Failure::Never("the row has no body".to_owned())),
        Err(error) => return Err(Failure::Retry(error.to_string())),
    };
    let body = body(webhooks.format, &webhooks.public_url, &snapshot).map_err(Failure::Never)?;
    let signed = signature(&webhooks.secret, now_ms() / 1000, &body);
    let answer = webhooks
        .client
        .post(receiver.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signed)
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::Retry(format!("{}: {e}", receiver.host_str().unwrap_or("?"))))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(Failure::Retry(format!(
            "{} answered {}",
            receiver.host_str().unwrap_or("?"),
            answer.status()
        )))
    }
}

async fn finish(
    store: &Store,
    webhooks: &Webhooks,
    worker: &str,
    item: &OutboxItem,
    outcome: Result<(), Failure>,
) {
    let now = now_ms();
    let attempts = item.attempts + 1;
    let result = match outcome {
        Ok(()) => store.outbox_sent(&item.id, worker, now).await,
        Err(Failure::Retry(error)) if attempts < webhooks.attempts => {
            tracing::warn!(id = %item.id, attempts, %error, "a webhook could not be delivered; it will be tried again");
            store
                .outbox_failed(
                    &item.id,
                    worker,
                    now + retry_delay_ms(webhooks.retry_ms, item.attempts),
                    &error,
                )
                .await
        }
        Err(Failure::Retry(error) | Failure::Never(error)) => {
            tracing::error!(id = %item.id, attempts, %error, "a webhook was given up");
            store.outbox_given_up(&item.id, worker, now, &error).await
        }
    };
    if let Err(error) = result {
        tracing::error!(%error, "the outbox could not be updated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 over "<t>.<body>", as `printf '1700000000.{}' | openssl dgst -sha256
    /// -hmac secret` computes it.
    #[test]
    fn signature_is_the_hmac_of_the_time_and_body() {
        let signed = signature("secret", 1_700_000_000, "{}");
        assert_eq!(
            signed,
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
        assert_ne!(signed, signature("other", 1_700_000_000, "{}"));
        assert_ne!(signed, signature("secret", 1_700_000_001, "{}"));
    }

    #[test]
    fn slack_bodies_are_a_text() {
        let snapshot = r#"{"event":"held","comment":{"id":"c","article_id":"a b","author":"Zoe","excerpt":"hi\nthere"}}"#;
        let sent: Value =
            serde_json::from_str(&body(WebhookFormat::Slack, "https://x.test", snapshot).unwrap())
                .unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"text": "A comment awaits moderation: Zoe on https://x.test/read/a%20b\n> hi\n> there\nModerate: https://x.test/moderate"})
        );
    }
}
