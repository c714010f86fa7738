//! Notifications: the outbox (written by the events' own transactions, see `enqueue`),
//! claimed by workers in one statement; confirmed addresses (double opt-in, migration 0009)
//! and the rate limit on confirmation mails; unsubscriptions; secrets shared by every
//! instance.

use sqlx::AnyConnection;

use super::{placeholders, Engine, ModerationStatus, Result, Store, StoredComment};

/// An address is asked to confirm at most once in this time…
pub const CONFIRMATION_INTERVAL_MS: i64 = 3_600_000;
/// …and at most this many times in a day, so that the "notify me" box cannot be used to
/// flood someone's mailbox.
pub const CONFIRMATIONS_PER_DAY: i64 = 3;
const DAY_MS: i64 = 86_400_000;

/// An address as the service compares it. Mail systems treat addresses without regard to
/// case: a change of case must not make a new address (a second confirmation mail, a way
/// round an unsubscribe or the rate limit).
pub fn address_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The channel on which PostgreSQL tells every instance on the database that the outbox has
/// new rows (`Store::listen_for_outbox`).
pub const OUTBOX_CHANNEL: &str = "comment_outbox";

/// In a transaction that wrote `rows` rows to the outbox: on PostgreSQL, a notification that
/// every listening instance receives when the transaction commits (and none if it rolls
/// back; several in one transaction are delivered as one). SQLite has no other process to
/// tell: `Store::outbox_written` wakes this one's workers.
pub(super) async fn announce(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    rows: u64,
) -> Result<()> {
    if rows > 0 && engine == Engine::Postgres {
        sqlx::query(&format!("SELECT pg_notify('{OUTBOX_CHANNEL}', '')"))
            .execute(&mut **transaction)
            .await?;
    }
    Ok(())
}

/// Where an address stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressState {
    pub confirmed: bool,
    pub unsubscribed: bool,
}

impl AddressState {
    /// It may be mailed about replies.
    pub fn may_hear_of_replies(self) -> bool {
        self.confirmed && !self.unsubscribed
    }
}

async fn address_state(
    connection: &mut AnyConnection,
    engine: Engine,
    email: &str,
) -> Result<AddressState> {
    let key = address_key(email);
    let confirmed: Option<i64> = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT 1 FROM confirmed_addresses WHERE email = ?",
    ))
    .bind(&key)
    .fetch_optional(&mut *connection)
    .await?;
    // Unsubscriptions recorded before migration 0009 kept the address as it was written.
    let unsubscribed: Option<i64> = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT 1 FROM unsubscribed WHERE email = ? OR email = ? LIMIT 1",
    ))
    .bind(email)
    .bind(&key)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(AddressState {
        confirmed: confirmed.is_some(),
        unsubscribed: unsubscribed.is_some(),
    })
}

/// What a comment's change may tell someone by email.
#[derive(Clone, Copy)]
pub(super) enum Event {
    /// It is new: held, the moderators hear of it; and its author, if they ticked "notify
    /// me", is asked to confirm their address.
    Stored,
    /// It is an approved reply (its parent's author hears of it, if they asked and did not
    /// unsubscribe, and it is not their own).
    ReplyApproved,
}

impl Event {
    /// Whether the event can write a message for this new comment at all: the conditions of
    /// its statements that the comment itself decides (held; "notify me"; an approved reply),
    /// so that a post runs only the statements that can do something.
    pub(super) fn may_concern(self, comment: &StoredComment) -> bool {
        match self {
            Event::Stored => comment.status == ModerationStatus::Pending || comment.notify,
            Event::ReplyApproved => {
                comment.status == ModerationStatus::Approved && comment.parent_id.is_some()
            }
        }
    }
}

/// Writes the event's messages to the outbox, if it has any, once per comment and event
/// (`held:ID`, `confirm:ID`, `reply:ID`). `Stored` is raised once, for every new comment: the
/// moderators hear of it when it is held, and its author, if they ticked "notify me", is asked
/// to confirm their address (see `enqueue_confirmation`: not when it is confirmed or
/// unsubscribed, and rate-limited). A reply is told only to a confirmed address.
pub(super) async fn enqueue(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment_id: &str,
    now: i64,
    event: Event,
) -> Result<()> {
    match event {
        Event::Stored => {
            let held = sqlx::query(&placeholders(
                engine,
                "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at)
                 SELECT 'held:' || id, 'held', id, ?, ? FROM comments WHERE id = ? AND status = 'pending'
                 ON CONFLICT (id) DO NOTHING",
            ))
            .bind(now)
            .bind(now)
            .bind(comment_id)
            .execute(&mut **transaction)
            .await?;
            announce(transaction, engine, held.rows_affected()).await?;
            let held: Option<String> = sqlx::query_scalar(&placeholders(
                engine,
                "SELECT status FROM comments WHERE id = ? AND status = 'pending'",
            ))
            .bind(comment_id)
            .fetch_optional(&mut **transaction)
            .await?;
            if held.is_some() {
                enqueue_webhook(transaction, engine, comment_id, now, WebhookEvent::Held).await?;
            }
            enqueue_confirmation(transaction, engine, comment_id, now).await
        }
        Event::ReplyApproved => enqueue_reply(transaction, engine, comment_id, now).await,
    }
}

/// In a new comment's transaction: when its author asked to hear of replies, and the
/// address is neither confirmed nor unsubscribed, and the rate limit allows, the message
/// that asks the address to confirm (`confirm:ID`).
pub(super) async fn enqueue_confirmation(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment_id: &str,
    now: i64,
) -> Result<()> {
    let asked: Option<(String, i64)> = sqlx::query_as(&placeholders(
        engine,
        "SELECT email, notify FROM comments WHERE id = ?",
    ))
    .bind(comment_id)
    .fetch_optional(&mut **transaction)
    .await?;
    let Some((email, 1)) = asked else {
        return Ok(());
    };
    let state = address_state(transaction, engine, &email).await?;
    if state.confirmed || state.unsubscribed {
        return Ok(());
    }
    // One statement takes the address's turn: the row is locked while it is changed, and
    // the condition is checked on the row as it is then, so concurrent posts cannot both
    // pass (as flood control does).
    let turn = sqlx::query(&placeholders(
        engine,
        "INSERT INTO confirmation_mails (email, last_at, day_started_at, in_day) VALUES (?, ?, ?, 1)
         ON CONFLICT (email) DO UPDATE SET
             last_at = excluded.last_at,
             day_started_at = CASE WHEN confirmation_mails.day_started_at <= ?
                 THEN excluded.day_started_at ELSE confirmation_mails.day_started_at END,
             in_day = CASE WHEN confirmation_mails.day_started_at <= ?
                 THEN 1 ELSE confirmation_mails.in_day + 1 END
         WHERE confirmation_mails.last_at <= ?
           AND (confirmation_mails.day_started_at <= ? OR confirmation_mails.in_day < ?)",
    ))
    .bind(address_key(&email))
    .bind(now)
    .bind(now)
    .bind(now - DAY_MS)
    .bind(now - DAY_MS)
    .bind(now - CONFIRMATION_INTERVAL_MS)
    .bind(now - DAY_MS)
    .bind(CONFIRMATIONS_PER_DAY)
    .execute(&mut **transaction)
    .await?;
    if turn.rows_affected() == 0 {
        tracing::info!("a confirmation mail was asked for too soon after the last; none sent");
        return Ok(());
    }
    let written = sqlx::query(&placeholders(
        engine,
        "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at)
         VALUES (?, 'confirm', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    ))
    .bind(format!("confirm:{comment_id}"))
    .bind(comment_id)
    .bind(now)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    announce(transaction, engine, written.rows_affected()).await
}

/// In the transaction that approves a reply (or stores it approved): the message to its
/// parent's author (`reply:ID`, once per reply), only when the parent is approved and asked
/// to hear of replies, its address confirmed and not unsubscribed, and the reply is not its
/// own author's.
pub(super) async fn enqueue_reply(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    reply_id: &str,
    now: i64,
) -> Result<()> {
    let emails: Option<(String, String)> = sqlx::query_as(&placeholders(
        engine,
        "SELECT p.email, r.email FROM comments r JOIN comments p ON p.id = r.parent_id
         WHERE r.id = ? AND r.status = 'approved' AND p.status = 'approved' AND p.notify = 1",
    ))
    .bind(reply_id)
    .fetch_optional(&mut **transaction)
    .await?;
    let Some((parent_email, reply_email)) = emails else {
        return Ok(());
    };
    if address_key(&parent_email) == address_key(&reply_email)
        || !address_state(transaction, engine, &parent_email)
            .await?
            .may_hear_of_replies()
    {
        return Ok(());
    }
    let written = sqlx::query(&placeholders(
        engine,
        "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at)
         VALUES (?, 'reply', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    ))
    .bind(format!("reply:{reply_id}"))
    .bind(reply_id)
    .bind(now)
    .bind(now)
    .execute(&mut **transaction)
    .await?;
    announce(transaction, engine, written.rows_affected()).await
}

/// What a webhook tells of (`webhook:EVENT:…`, migration 0011).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookEvent {
    Held,
    Approved,
    Spam,
    Deleted,
}

impl WebhookEvent {
    pub fn name(self) -> &'static str {
        match self {
            WebhookEvent::Held => "held",
            WebhookEvent::Approved => "approved",
            WebhookEvent::Spam => "spam",
            WebhookEvent::Deleted => "deleted",
        }
    }

    /// The event a moderator's change of status makes (none for a rejection).
    pub fn of_status(status: ModerationStatus) -> Option<WebhookEvent> {
        match status {
            ModerationStatus::Pending => Some(WebhookEvent::Held),
            ModerationStatus::Approved => Some(WebhookEvent::Approved),
            ModerationStatus::Spam => Some(WebhookEvent::Spam),
            ModerationStatus::Rejected => None,
        }
    }
}

/// How much of a comment's text a webhook carries, in characters.
pub const WEBHOOK_EXCERPT_CHARS: usize = 280;

/// The start of a comment's text as the thread shows it, without tags
/// (`comment_plain_text`), cut at a character, with "…" when cut.
pub fn excerpt(content: &str) -> String {
    let content = article_widget::domain::comment_markup::comment_plain_text(content);
    match content.char_indices().nth(WEBHOOK_EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &content[..end]),
        None => content,
    }
}

/// How often an instance with webhooks says which receivers it names.
pub const WEBHOOK_RECEIVER_HEARTBEAT_MS: i64 = 600_000;
/// How long a receiver counts as named after an instance last said so: events write rows for
/// it that long (six heartbeats: a restart or a slow database never drops it).
pub const WEBHOOK_RECEIVER_LIFETIME_MS: i64 = 3_600_000;
/// How old a row for a receiver nobody names must be before it is given up.
pub const WEBHOOK_ORPHAN_MS: i64 = 86_400_000;

/// In the event's transaction (before a deletion): one outbox row per receiver, once per
/// comment, event and change (callers write one only for a real change of status), carrying what the receivers are told of the comment as it is now. Never
/// its author's email, address or token: only what a moderator's list shows.
pub(super) async fn enqueue_webhook(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment_id: &str,
    now: i64,
    event: WebhookEvent,
) -> Result<()> {
    let live_since = now - WEBHOOK_RECEIVER_LIFETIME_MS;
    let receivers: i64 = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT COUNT(*) FROM webhook_receiver_names WHERE seen_at >= ?",
    ))
    .bind(live_since)
    .fetch_one(&mut **transaction)
    .await?;
    if receivers == 0 {
        return Ok(());
    }
    let comment: Option<(String, Option<String>, String, String, i64, String)> =
        sqlx::query_as(&placeholders(
            engine,
            "SELECT article_id, parent_id, author, status, created_at, content
             FROM comments WHERE id = ?",
        ))
        .bind(comment_id)
        .fetch_optional(&mut **transaction)
        .await?;
    let Some((article_id, parent, author, status, created_at, content)) = comment else {
        return Ok(());
    };
    let payload = serde_json::json!({
        "event": event.name(),
        "comment": {
            "id": comment_id,
            "article_id": article_id,
            "parent": parent,
            "author": author,
            "status": status,
            "created_at": created_at,
            "excerpt": excerpt(&content),
        },
    })
    .to_string();
    let written = sqlx::query(&placeholders(
        engine,
        "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at, payload)
         SELECT ? || receiver, 'webhook', ?, ?, ?, ? FROM webhook_receiver_names
         WHERE seen_at >= ?
         ON CONFLICT (id) DO NOTHING",
    ))
    // One row per receiver and change: the change's time tells a second approval (after a
    // rejection) from a retry of the first.
    .bind(format!("webhook:{}:{comment_id}:{now}:", event.name()))
    .bind(comment_id)
    .bind(now)
    .bind(now)
    .bind(payload)
    .bind(live_since)
    .execute(&mut **transaction)
    .await?;
    announce(transaction, engine, written.rows_affected()).await
}

impl Store {
    /// An instance's receivers, by name (`webhooks::receiver_name`: a digest of the URL,
    /// never the URL itself), seen now: events write rows for every receiver seen within
    /// `WEBHOOK_RECEIVER_LIFETIME_MS`. Each instance with webhooks says so as it starts and
    /// every `WEBHOOK_RECEIVER_HEARTBEAT_MS`; one without says nothing, and changes nothing.
    pub async fn webhook_receivers_seen(&self, names: &[String], now: i64) -> Result<()> {
        let mut transaction = self.writer.begin().await?;
        for name in names {
            sqlx::query(&self.sql(
                "INSERT INTO webhook_receiver_names (receiver, seen_at) VALUES (?, ?)
                 ON CONFLICT (receiver) DO UPDATE SET seen_at = excluded.seen_at",
            ))
            .bind(name)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await
    }

    /// Webhook rows nobody can send, given up: older than `WEBHOOK_ORPHAN_MS` and for a
    /// receiver no instance has named within `WEBHOOK_RECEIVER_LIFETIME_MS` (it left every
    /// instance's list). Without this they would wait for ever, and the outbox's oldest-due
    /// age with them. Returns how many.
    pub async fn give_up_orphan_webhooks(&self, now: i64) -> Result<u64> {
        let given_up = sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, claimed_until = NULL,
                 last_error = 'gave up: no instance names this receiver any more'
             WHERE kind = 'webhook' AND sent_at IS NULL AND created_at < ?
               AND (claimed_until IS NULL OR claimed_until < ?)
               AND NOT EXISTS (SELECT 1 FROM webhook_receiver_names r
                               WHERE r.seen_at >= ? AND outbox.id LIKE '%:' || r.receiver)",
        ))
        .bind(now)
        .bind(now - WEBHOOK_ORPHAN_MS)
        .bind(now)
        .bind(now - WEBHOOK_RECEIVER_LIFETIME_MS)
        .execute(&self.writer)
        .await?;
        Ok(given_up.rows_affected())
    }

    /// Claims, as `claim_outbox` does, the due webhook rows for these receivers only (their
    /// names, and the positions that named receivers before migration 0013): an instance
    /// never takes a row for a receiver it does not know, so instances whose `--webhook`
    /// lists differ each send what they can and leave the rest.
    pub async fn claim_webhooks(
        &self,
        worker: &str,
        receivers: &[String],
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>> {
        if receivers.is_empty() {
            return Ok(Vec::new());
        }
        // A name is hex and a position digits: neither holds LIKE's `%`, `_` or `\\`.
        let endings = vec!["id LIKE ?"; receivers.len()].join(" OR ");
        let patterns: Vec<String> = receivers.iter().map(|r| format!("%:{r}")).collect();
        self.claim_due(
            worker,
            &format!("kind = 'webhook' AND ({endings})"),
            &patterns,
            now,
            until,
            limit,
        )
        .await
    }

    /// The body a webhook row carries (written with it, see `enqueue_webhook`).
    pub async fn outbox_payload(&self, id: &str) -> Result<Option<String>> {
        let payload: Option<Option<String>> =
            sqlx::query_scalar(&self.sql("SELECT payload FROM outbox WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(payload.flatten())
    }

    /// A claimed message failed for the last time: it is not tried again (kept, with its
    /// error, as a sent row would be).
    pub async fn outbox_given_up(
        &self,
        id: &str,
        worker: &str,
        now: i64,
        error: &str,
    ) -> Result<()> {
        sqlx::query(&self.sql(
            "UPDATE outbox SET attempts = attempts + 1, sent_at = ?, last_error = ?,
                 claimed_until = NULL
             WHERE id = ? AND claimed_by = ?",
        ))
        .bind(now)
        .bind(format!("gave up: {error}"))
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Tells this process's outbox workers that rows may be waiting (after a commit that may
    /// have written some); on PostgreSQL `announce` tells the other processes.
    pub(super) fn outbox_written(&self) {
        self.outbox_wake
            .send_modify(|rung| *rung = rung.wrapping_add(1));
    }

    /// Changes when the outbox may have new rows: a worker waits on it beside its poll, so a
    /// message leaves at once rather than at the next poll.
    pub fn outbox_wakeups(&self) -> tokio::sync::watch::Receiver<u64> {
        self.outbox_wake.subscribe()
    }

    /// PostgreSQL: listens on `OUTBOX_CHANNEL` and `live::LIVE_CHANNEL` (with a connection
    /// of its own) until `stop`, hands live changes to the event streams' hub, and wakes this
    /// process's workers on each outbox notification, so that a row another
    /// instance (or the `moderate` command) wrote leaves at once. A lost connection is made
    /// again by sqlx; notifications sent meanwhile are lost, so the workers are woken after
    /// each reconnection to read the outbox themselves (and their poll stays the backstop).
    /// Nothing to do on SQLite.
    pub async fn listen_for_outbox(&self, stop: tokio_util::sync::CancellationToken) {
        if self.engine != Engine::Postgres {
            return;
        }
        let mut retry = std::time::Duration::from_millis(500);
        while !stop.is_cancelled() {
            let listening = self.hear_outbox();
            tokio::select! {
                result = listening => {
                    let Err(error) = result;
                    tracing::warn!(%error, "the outbox's notifications are not heard; the workers poll");
                }
                () = stop.cancelled() => return,
            }
            tokio::select! {
                () = tokio::time::sleep(retry) => {}
                () = stop.cancelled() => return,
            }
            retry = (retry * 2).min(std::time::Duration::from_secs(30));
        }
    }

    /// Wakes the workers at each of the outbox's notifications until the connection fails
    /// for good.
    async fn hear_outbox(&self) -> Result<std::convert::Infallible> {
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        // The live changes' channel too (`live`): one listening connection per instance.
        listener
            .listen_all([OUTBOX_CHANNEL, super::live::LIVE_CHANNEL])
            .await?;
        tracing::debug!("listening for the outbox's notifications");
        self.outbox_written();
        self.live_resync();
        loop {
            // A notification, or `None` when the connection was lost (sqlx connects again at
            // the next call, and what was sent meanwhile is gone): either way the workers
            // look at the outbox, and the live streams read their first page again.
            match listener.try_recv().await? {
                Some(heard) if heard.channel() == super::live::LIVE_CHANNEL => {
                    self.live_notified(heard.payload());
                }
                Some(_) => self.outbox_written(),
                None => {
                    self.outbox_written();
                    self.live_resync();
                }
            }
        }
    }
}

impl Store {
    /// Claims up to `limit` messages that are due (of these kinds) for `worker` until
    /// `until`: one statement, so two instances never claim one message (the condition is
    /// checked again on the row itself when another instance got there first). The outbox's
    /// writes go through `writer`: on SQLite they queue with the comments' on its one
    /// connection instead of waiting on the file's lock (whose busy handler sleeps up to
    /// 100 ms a turn: a webhook's p90 was 52 ms that way, 7 ms this way).
    pub async fn claim_outbox(
        &self,
        worker: &str,
        kinds: &[&str],
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let kinds: Vec<String> = kinds.iter().map(|kind| (*kind).to_owned()).collect();
        self.claim_due(
            worker,
            &format!("kind IN ({marks})"),
            &kinds,
            now,
            until,
            limit,
        )
        .await
    }

    /// The claim itself: up to `limit` due, unclaimed rows that also meet `condition` (SQL
    /// with a `?` for each of `values`), oldest first, for `worker` until `until`.
    async fn claim_due(
        &self,
        worker: &str,
        condition: &str,
        values: &[String],
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>> {
        let free = "sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)";
        let sql = self.sql(&format!(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ?
             WHERE id IN (SELECT id FROM outbox WHERE {free} AND next_attempt_at <= ?
                          AND {condition} ORDER BY created_at LIMIT ?)
               AND {free}
             RETURNING id, kind, comment_id, attempts"
        ));
        let mut query = sqlx::query_as::<_, OutboxItem>(&sql)
            .bind(worker)
            .bind(until)
            .bind(now)
            .bind(now);
        for value in values {
            query = query.bind(value.as_str());
        }
        query.bind(limit).bind(now).fetch_all(&self.writer).await
    }

    /// A claimed message was handed to the mail server.
    pub async fn outbox_sent(&self, id: &str, worker: &str, now: i64) -> Result<()> {
        sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
        ))
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A claimed message left unsent because the worker is stopping: free at once for
    /// another instance (not after the claim's minute), its attempts unchanged.
    pub async fn outbox_release(&self, id: &str, worker: &str) -> Result<()> {
        sqlx::query(&self.sql(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
             WHERE id = ? AND claimed_by = ? AND sent_at IS NULL",
        ))
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A claimed message could not be sent: tried again at `retry_at`.
    pub async fn outbox_failed(
        &self,
        id: &str,
        worker: &str,
        retry_at: i64,
        error: &str,
    ) -> Result<()> {
        sqlx::query(&self.sql(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                 claimed_by = NULL, claimed_until = NULL
             WHERE id = ? AND claimed_by = ?",
        ))
        .bind(retry_at)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The outbox in numbers: (waiting, sent).
    pub async fn outbox_counts(&self) -> Result<(i64, i64)> {
        sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END), 0) FROM outbox",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// The outbox's backlog for the metrics: how many messages are not sent yet, and when
    /// the oldest of those already due was written (`None` when none is due).
    pub async fn outbox_backlog(&self, now: i64) -> Result<(i64, Option<i64>)> {
        sqlx::query_as(&self.sql(
            "SELECT COUNT(*),
                    MIN(CASE WHEN next_attempt_at <= ? THEN created_at END)
             FROM outbox WHERE sent_at IS NULL",
        ))
        .bind(now)
        .fetch_one(&self.pool)
        .await
    }

    /// This address gets no more messages of ours (and its waiting ones are dropped: the
    /// worker also checks again before it sends).
    pub async fn unsubscribe(&self, email: &str, now: i64) -> Result<()> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO unsubscribed (email, at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING",
        ))
        .bind(address_key(email))
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        // As the link wrote it, and in lower case (the worker checks every other spelling
        // again before it sends).
        let key = address_key(email);
        sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, last_error = 'unsubscribed'
             WHERE sent_at IS NULL AND (
                 (kind = 'reply' AND comment_id IN (
                     SELECT r.id FROM comments r JOIN comments p ON p.id = r.parent_id
                     WHERE p.email IN (?, ?)))
                 OR (kind = 'confirm' AND comment_id IN (
                     SELECT id FROM comments WHERE email IN (?, ?))))",
        ))
        .bind(now)
        .bind(email)
        .bind(&key)
        .bind(email)
        .bind(&key)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Whether the address confirmed and whether it unsubscribed.
    pub async fn address_state(&self, email: &str) -> Result<AddressState> {
        let mut connection = self.pool.acquire().await?;
        address_state(&mut connection, self.engine, email).await
    }

    /// The address (proved by a signed link mailed to it) wants to hear of replies: true
    /// when this confirmed it, false when it was confirmed already. (An unsubscribe still
    /// wins: what is sent checks both.)
    pub async fn confirm_address(&self, email: &str, now: i64) -> Result<bool> {
        let added = sqlx::query(&self.sql(
            "INSERT INTO confirmed_addresses (email, confirmed_at) VALUES (?, ?)
             ON CONFLICT (email) DO NOTHING",
        ))
        .bind(address_key(email))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(added.rows_affected() > 0)
    }

    /// A secret shared by every instance, when one was made.
    pub async fn existing_secret(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar(&self.sql("SELECT value FROM service_secrets WHERE name = ?"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    /// A secret shared by every instance: made by the first that asks, kept in the database.
    pub async fn secret(&self, name: &str, fresh: &str) -> Result<String> {
        sqlx::query(&self.sql(
            "INSERT INTO service_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        ))
        .bind(name)
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        sqlx::query_scalar(&self.sql("SELECT value FROM service_secrets WHERE name = ?"))
            .bind(name)
            .fetch_one(&self.pool)
            .await
    }
}

/// A message to send, as the worker claims it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxItem {
    pub id: String,
    pub kind: String,
    pub comment_id: String,
    pub attempts: i64,
}

#[cfg(test)]
mod tests {
    use super::super::{ModerationStatus, StoredAnswer, StoredComment};
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn asking(id: &str, email: &str, at: i64) -> StoredComment {
        StoredComment {
            id: id.into(),
            article_id: "article".into(),
            parent_id: None,
            author: "Zoe".into(),
            email: email.into(),
            website: None,
            content: format!("comment {id}"),
            status: ModerationStatus::Pending,
            created_at: at,
            client_address: "127.0.0.1".into(),
            author_token: None,
            account: None,
            badges: None,
            notify: true,
        }
    }

    async fn confirmations(store: &Store) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT comment_id FROM outbox WHERE kind = 'confirm' ORDER BY created_at",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap()
    }

    /// Posts a comment as the API does: its key claimed at the comment's time, then stored.
    async fn post(store: &Store, comment: &StoredComment) {
        let key = format!("key-{}", comment.id);
        let claim = store.claim(&key, &comment.article_id, comment.created_at, 60_000);
        assert_eq!(claim.await.unwrap(), super::super::Claim::Claimed);
        let answer = |c: &StoredComment| StoredAnswer {
            status: 201,
            body: c.id.clone(),
        };
        store
            .insert_comment(comment, &key, comment.created_at, &[], 0, answer)
            .await
            .unwrap()
            .unwrap();
    }

    /// One an hour, three in a day's window, then again when the window has passed; by
    /// address, whatever its case. (Times are the comments' own, so a day is no wait.)
    #[tokio::test]
    async fn confirmation_mails_are_limited_by_the_hour_and_the_day() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("limit.db").display());
        let store = Store::open(&url).await.unwrap();
        let t0 = 1_800_000_000_000;
        let times = [
            ("a", "zoe@example.com", t0),
            ("b", "ZOE@example.com", t0 + HOUR / 2), // within the hour
            ("c", "zoe@example.com", t0 + HOUR),
            ("d", "Zoe@Example.com", t0 + 2 * HOUR),
            ("e", "zoe@example.com", t0 + 3 * HOUR), // a fourth in the day
            ("f", "zoe@example.com", t0 + 24 * HOUR),
            ("g", "other@example.com", t0 + 24 * HOUR + 1),
        ];
        for (id, email, at) in times {
            post(&store, &asking(id, email, at)).await;
        }
        assert_eq!(confirmations(&store).await, ["a", "c", "d", "f", "g"]);
    }

    /// A confirmed or unsubscribed address is not asked; an unsubscribe drops what waits.
    #[tokio::test]
    async fn confirmed_and_unsubscribed_addresses_are_not_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("asked.db").display());
        let store = Store::open(&url).await.unwrap();
        assert!(store
            .confirm_address("Ann@example.com", crate::clock::now_ms())
            .await
            .unwrap());
        assert!(
            !store
                .confirm_address("ann@EXAMPLE.com", crate::clock::now_ms())
                .await
                .unwrap(),
            "once"
        );
        post(
            &store,
            &asking("w", "bob@example.com", crate::clock::now_ms()),
        )
        .await;
        store
            .unsubscribe("BOB@example.com", crate::clock::now_ms())
            .await
            .unwrap();
        for (id, email) in [("x", "ann@example.com"), ("y", "Bob@Example.com")] {
            post(&store, &asking(id, email, crate::clock::now_ms())).await;
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'confirm' AND sent_at IS NULL",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(waiting, 0, "nothing waits, nothing new");
        let state = store.address_state("bob@example.com").await.unwrap();
        assert!(state.unsubscribed && !state.may_hear_of_replies());
        assert!(store
            .address_state("ANN@example.com")
            .await
            .unwrap()
            .may_hear_of_replies());
    }
}
