//! The outbox's worker (see migration 0007): it claims due messages atomically, has
//! `messages` compose each from the database at send time, hands them to the SMTP server
//! (lettre), and marks them sent; a failure is tried again with back-off (30 s, doubling, at
//! most an hour), so nothing is lost when the mail server is down or the service restarts,
//! and with several instances each message is sent once (a claim is one statement; a claim
//! whose instance died is taken over after a minute: only a crash between the mail server's
//! acceptance and the mark can send one twice). Held comments go one by one, or as a digest
//! every `--moderator-digest-minutes`.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::links::signing_key;
use super::messages::{self, compose, held_summary, Letterhead};
use crate::articles::ArticleGate;
use crate::clock::now_ms;
use crate::config::{ServeArgs, SmtpTls};
use crate::store::{OutboxItem, Store};
use crate::tokens::random_hex;

/// What the worker needs.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    letterhead: Letterhead,
    digest: Option<Duration>,
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
            letterhead: Letterhead {
                from,
                moderators,
                public_url: args.public_url.trim_end_matches('/').to_owned(),
            },
            digest: (args.moderator_digest_minutes > 0.0)
                .then(|| Duration::from_secs_f64(args.moderator_digest_minutes * 60.0)),
            poll: Duration::from_millis(args.outbox_poll_ms.max(50)),
            retry_ms: (args.mail_retry_seconds.max(1) * 1000) as i64,
        }))
    }
}

/// How long a claim holds before another instance may take the row over (the mail's and the
/// webhooks' workers): longer than a request.
pub(super) const CLAIM_MS: i64 = 60_000;

/// How long after its `attempts`-th failure a message is tried again: `first`, doubling, at
/// most an hour.
pub fn retry_delay_ms(first: i64, attempts: i64) -> i64 {
    let doubling = first.saturating_mul(1i64 << attempts.clamp(0, 20));
    doubling.min(3_600_000)
}

/// Runs the worker until `stop` is cancelled (the process is shutting down): it then returns
/// between messages, never in the middle of one, and gives back the messages it claimed and
/// did not send, for another instance.
pub async fn run(
    store: Store,
    articles: std::sync::Arc<ArticleGate>,
    mailer: Mailer,
    stop: tokio_util::sync::CancellationToken,
) {
    let worker = worker_name("worker");
    let key = loop {
        match signing_key(&store).await {
            Ok(key) => break key,
            Err(error) => {
                tracing::error!(%error, "the signing key could not be read; the mail waits");
                tokio::select! {
                    () = tokio::time::sleep(mailer.poll) => {}
                    () = stop.cancelled() => return,
                }
            }
        }
    };
    let mut last_digest = now_ms();
    let mut wakeups = store.outbox_wakeups();
    while !stop.is_cancelled() {
        let now = now_ms();
        // What rang before this claim is seen by it.
        wakeups.borrow_and_update();
        let mut full = false;
        // Replies, and held comments one by one (unless they go in a digest).
        let mut kinds = vec!["reply", "confirm", "data-link"];
        if mailer.digest.is_none() {
            kinds.push("held");
        }
        match store
            .claim_outbox(&worker, &kinds, now, now + CLAIM_MS, BATCH)
            .await
        {
            Ok(items) => {
                full = items.len() as i64 == BATCH;
                for item in items {
                    // Stopping: the rest of the batch goes back to the outbox for another
                    // instance now, rather than when the claim lapses.
                    if stop.is_cancelled() {
                        if let Err(error) = store.outbox_release(&item.id, &worker).await {
                            tracing::warn!(%error, id = %item.id, "a claimed message stays claimed until its claim lapses");
                        }
                        continue;
                    }
                    let composed = compose(&store, &articles, &mailer.letterhead, key, &item).await;
                    let outcome = send(&mailer, composed).await;
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
        if let Some(every) = mailer.digest.filter(|_| !stop.is_cancelled()) {
            if now - last_digest >= every.as_millis() as i64 {
                last_digest = now;
                digest(&store, &articles, &mailer, &worker, now).await;
            }
        }
        // A full batch: more may be due now. Otherwise until the next poll (the digest's
        // clock), or sooner when an event writes a message (in this process, or on
        // PostgreSQL in any).
        if full {
            continue;
        }
        idle(mailer.poll, &mut wakeups, &stop).await;
    }
}

/// How many rows one claim takes (the mail's and the webhooks' workers).
pub(super) const BATCH: i64 = 20;

/// A worker's name, which only tells its claims apart (it is no secret): without the random
/// source, the process id and the time do.
pub(super) fn worker_name(kind: &str) -> String {
    match random_hex(8) {
        Ok(name) => format!("{kind}-{name}"),
        Err(error) => {
            tracing::error!(%error, "the system's random source failed; the worker is named by its process");
            format!("{kind}-{}-{}", std::process::id(), now_ms())
        }
    }
}

/// A worker's wait between claims: until its next poll, or sooner when the outbox's bell
/// rings (`Store::outbox_wakeups`: an event wrote a row, in this process or, on PostgreSQL,
/// in any), or when the process stops.
pub(super) async fn idle(
    poll: Duration,
    wakeups: &mut tokio::sync::watch::Receiver<u64>,
    stop: &tokio_util::sync::CancellationToken,
) {
    let rung = async {
        // Never, once nothing can ring it.
        if wakeups.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = tokio::time::sleep(poll) => {}
        () = rung => {}
        () = stop.cancelled() => {}
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
    let mut summaries = Vec::new();
    for item in &items {
        if let Ok(Some(comment)) = store.comment(&item.comment_id).await {
            summaries.push(held_summary(articles, &comment).await);
        }
    }
    let outcome = send(mailer, messages::digest(&mailer.letterhead, &summaries)).await;
    finish(store, mailer, worker, &items, outcome).await;
}

/// Sends what was composed: nothing when there is nothing to say any more (the comment is
/// gone, no one to tell); the composing or sending error, in words.
async fn send(
    mailer: &Mailer,
    composed: Result<Option<lettre::Message>, String>,
) -> Result<(), String> {
    match composed? {
        Some(message) => mailer
            .transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay_ms(30_000, 0), 30_000);
        assert_eq!(retry_delay_ms(30_000, 1), 60_000);
        assert_eq!(retry_delay_ms(30_000, 10), 3_600_000);
        assert_eq!(retry_delay_ms(30_000, 1_000), 3_600_000);
    }
}
