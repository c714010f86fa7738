//! Readers' data rights (migration 0012): what is held under an address (its comments, their
//! reply notifications, the address's confirmation and unsubscription), the links that open it
//! (issued with their outbox row, used once), the readers' short sessions, and erasure.
//!
//! Invariants: a request takes its rate-limit turns, and writes its link and message, in one
//! transaction (a refused turn writes nothing); a link is used by one conditional update, so
//! two instances cannot both accept it; an erasure, its recounts and its audit row are one
//! transaction. Comments are matched by address whatever its case (`lower(email)`, indexed);
//! the subscription tables by `address_key`, as `outbox` writes them.

use super::activity::recount;
pub use super::outbox::address_key;
use super::outbox::announce;
use super::likes::Liker;
use super::{placeholders, Engine, Result, Store};

/// The name an anonymised comment shows.
pub const FORMER_READER: &str = "Former reader";

/// What a retry of an erased comment's idempotency key is answered (the key's stored answer is
/// rewritten to this, never deleted: a deleted key would let the retry, which carries the
/// whole comment, store it again). `410 Gone`, naming nothing of the comment.
pub const ERASED_ANSWER_STATUS: u16 = 410;
pub const ERASED_ANSWER_BODY: &str =
    r#"{"error":"This comment was erased at its author's request."}"#;

/// What an erasure does to the comments (`--erasure`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Erasure {
    /// The comments stay under `FORMER_READER`; the address, website, client address and
    /// author token are cleared.
    #[default]
    Anonymise,
    /// The comments go, as a moderator's deletion removes one (its replies stay).
    Remove,
}

impl Erasure {
    pub fn name(self) -> &'static str {
        match self {
            Erasure::Anonymise => "anonymise",
            Erasure::Remove => "remove",
        }
    }
}

/// One comment held under an address, as its owner may read it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HeldComment {
    pub id: String,
    pub article_id: String,
    pub parent_id: Option<String>,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    pub content: String,
    pub status: String,
    pub created_at: i64,
    pub client_address: String,
    /// Its author asked to hear of replies to it.
    pub notify: i64,
}

/// Everything held under an address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderData {
    /// Oldest first.
    pub comments: Vec<HeldComment>,
    /// When the address confirmed it may hear of replies.
    pub confirmed_at: Option<i64>,
    /// When it asked to hear of nothing more.
    pub unsubscribed_at: Option<i64>,
}

impl ReaderData {
    pub fn is_empty(&self) -> bool {
        self.comments.is_empty() && self.confirmed_at.is_none() && self.unsubscribed_at.is_none()
    }
}

/// A rate limit on one subject: at most `most` in `window_ms`, and none sooner than
/// `interval_ms` after the last.
#[derive(Clone, Debug)]
pub struct Turn {
    pub subject: String,
    pub interval_ms: i64,
    pub window_ms: i64,
    pub most: i64,
}

/// What a request for a link came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    /// A turn was refused: nothing written.
    TooSoon,
    /// Nothing is held under the address: no link.
    NothingHeld,
    /// A link was issued and its message written to the outbox.
    Issued,
}

/// A link as issued.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DataLinkRow {
    pub email: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// What an erasure changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub comments: usize,
    pub articles: usize,
}

/// Who an audit row names, and on what.
#[derive(Clone, Copy, Debug)]
pub struct AuditedBy<'a> {
    /// A moderator's name, or the reader's label.
    pub actor: &'a str,
    /// The address as the audit log may name it (a keyed digest, never the address).
    pub target: &'a str,
}

async fn take_turn(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    turn: &Turn,
    now: i64,
) -> Result<bool> {
    // One statement: the row is locked while it is changed and the condition read on it as
    // it is then (as the confirmation mails' limit is).
    let taken = sqlx::query(&placeholders(
        engine,
        "INSERT INTO data_link_turns (subject, last_at, window_started_at, in_window)
         VALUES (?, ?, ?, 1)
         ON CONFLICT (subject) DO UPDATE SET
             last_at = excluded.last_at,
             window_started_at = CASE WHEN data_link_turns.window_started_at <= ?
                 THEN excluded.window_started_at ELSE data_link_turns.window_started_at END,
             in_window = CASE WHEN data_link_turns.window_started_at <= ?
                 THEN 1 ELSE data_link_turns.in_window + 1 END
         WHERE data_link_turns.last_at <= ?
           AND (data_link_turns.window_started_at <= ? OR data_link_turns.in_window < ?)",
    ))
    .bind(&turn.subject)
    .bind(now)
    .bind(now)
    .bind(now - turn.window_ms)
    .bind(now - turn.window_ms)
    .bind(now - turn.interval_ms)
    .bind(now - turn.window_ms)
    .bind(turn.most)
    .execute(&mut **transaction)
    .await?;
    Ok(taken.rows_affected() > 0)
}

async fn reader_data(
    connection: &mut sqlx::AnyConnection,
    engine: Engine,
    email: &str,
) -> Result<ReaderData> {
    let comments = sqlx::query_as::<_, HeldComment>(&placeholders(
        engine,
        "SELECT id, article_id, parent_id, author, email, website, content, status, created_at,
                client_address, notify
         FROM comments WHERE lower(email) = lower(?) ORDER BY created_at, id",
    ))
    .bind(email.trim())
    .fetch_all(&mut *connection)
    .await?;
    let key = address_key(email);
    let confirmed_at: Option<i64> = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT confirmed_at FROM confirmed_addresses WHERE email = ?",
    ))
    .bind(&key)
    .fetch_optional(&mut *connection)
    .await?;
    // Unsubscriptions recorded before migration 0009 kept the address as it was written.
    let unsubscribed_at: Option<i64> = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT MIN(at) FROM unsubscribed WHERE email = ? OR email = ?",
    ))
    .bind(email.trim())
    .bind(&key)
    .fetch_one(&mut *connection)
    .await?;
    Ok(ReaderData {
        comments,
        confirmed_at,
        unsubscribed_at,
    })
}

impl Store {
    /// Everything held under `email` (in any case).
    pub async fn reader_data(&self, email: &str) -> Result<ReaderData> {
        let mut connection = self.pool.acquire().await?;
        reader_data(&mut connection, self.engine, email).await
    }

    /// A reader asks for a link to their data: in one transaction, every turn in `turns`
    /// (refused: nothing is written; their subjects name no address, see `reader_data`), links
    /// and turns older than `forget_before` forgotten, and, when
    /// something is held under `email`, the link (`nonce`) and its message (`data-link:NONCE`).
    pub async fn request_data_link(
        &self,
        email: &str,
        nonce: &str,
        turns: &[Turn],
        expires_at: i64,
        forget_before: i64,
        now: i64,
    ) -> Result<LinkRequest> {
        let mut transaction = self.writer.begin().await?;
        for turn in turns {
            if !take_turn(&mut transaction, self.engine, turn, now).await? {
                transaction.rollback().await?;
                return Ok(LinkRequest::TooSoon);
            }
        }
        sqlx::query(&self.sql("DELETE FROM data_links WHERE issued_at < ?"))
            .bind(forget_before)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(&self.sql("DELETE FROM data_link_turns WHERE last_at < ?"))
            .bind(forget_before)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(&self.sql("DELETE FROM reader_sessions WHERE expires_at < ?"))
            .bind(now)
            .execute(&mut *transaction)
            .await?;
        if reader_data(&mut transaction, self.engine, email)
            .await?
            .is_empty()
        {
            transaction.commit().await?;
            return Ok(LinkRequest::NothingHeld);
        }
        sqlx::query(&self.sql(
            "INSERT INTO data_links (nonce, email, issued_at, expires_at) VALUES (?, ?, ?, ?)",
        ))
        .bind(nonce)
        .bind(email.trim())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(&self.sql(
            "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at)
             VALUES (?, 'data-link', ?, ?, ?)",
        ))
        .bind(format!("data-link:{nonce}"))
        .bind(nonce)
        .bind(now)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        announce(&mut transaction, self.engine, 1).await?;
        transaction.commit().await?;
        // This instance's mail worker sends it at once rather than at its next poll (and on
        // PostgreSQL every instance's, through `announce`).
        self.outbox_written();
        Ok(LinkRequest::Issued)
    }

    /// The link issued with this nonce, if it is still known.
    pub async fn data_link(&self, nonce: &str) -> Result<Option<DataLinkRow>> {
        sqlx::query_as(
            &self.sql(
                "SELECT email, issued_at, expires_at, used_at FROM data_links WHERE nonce = ?",
            ),
        )
        .bind(nonce)
        .fetch_optional(&self.pool)
        .await
    }

    /// Uses the link (`nonce`, issued to `email`) and opens a session for that address until
    /// `expires_at`, in one transaction: false, and no session, when the link is unknown or
    /// was used already (by this or any instance: one conditional update decides).
    pub async fn use_data_link(
        &self,
        nonce: &str,
        email: &str,
        session_hash: &str,
        csrf: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool> {
        let mut transaction = self.writer.begin().await?;
        let used = sqlx::query(&self.sql(
            "UPDATE data_links SET used_at = ? WHERE nonce = ? AND email = ? AND used_at IS NULL",
        ))
        .bind(now)
        .bind(nonce)
        .bind(email)
        .execute(&mut *transaction)
        .await?;
        if used.rows_affected() == 0 {
            transaction.rollback().await?;
            return Ok(false);
        }
        sqlx::query(&self.sql(
            "INSERT INTO reader_sessions (token_hash, email, csrf, expires_at) VALUES (?, ?, ?, ?)",
        ))
        .bind(session_hash)
        .bind(email)
        .bind(csrf)
        .bind(expires_at)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// A reader's live session: (address, CSRF token).
    pub async fn reader_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(String, String)>> {
        sqlx::query_as(
            &self.sql(
                "SELECT email, csrf FROM reader_sessions WHERE token_hash = ? AND expires_at > ?",
            ),
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Erases what is held under `email`, as `erasure` says, in one transaction: its
    /// comments anonymised or removed (a removed one's replies become roots, as a deletion
    /// leaves them), every message still waiting for them or for the address cancelled, the
    /// address's confirmation, rate-limit and flood-control rows, links and sessions gone, the
    /// stored answers of its comments' idempotency keys rewritten (`ERASED_ANSWER_*`), their
    /// webhooks' bodies anonymised or dropped (`erase_webhook_bodies`), each article touched
    /// recounted (so its validators and counts move), the likes the reader gave removed (and
    /// the liked comments' counts and articles with them), and the audit row. The address alone
    /// stays on the do-not-mail list (`unsubscribed`, added if missing), so that nobody can
    /// have it mailed again by posting with it: the erasure promised no more mail.
    pub async fn erase_reader_data(
        &self,
        email: &str,
        erasure: Erasure,
        by: AuditedBy<'_>,
        now: i64,
    ) -> Result<Erased> {
        let address = email.trim();
        let key = address_key(email);
        let mut transaction = self.writer.begin().await?;
        // The comments erased are the ones this read finds, and every step below works on
        // exactly these ids: a comment committed by another instance meanwhile (PostgreSQL
        // reads committed rows statement by statement) is then either wholly erased or wholly
        // left as it was, never anonymised without its follow-ups.
        let found: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(&self.sql(
            "SELECT id, article_id, author_token, account FROM comments WHERE lower(email) = lower(?)",
        ))
        .bind(address)
        .fetch_all(&mut *transaction)
        .await?;
        let held: Vec<(String, String)> = found
            .iter()
            .map(|(id, article, _, _)| (id.clone(), article.clone()))
            .collect();
        let ids: Vec<&str> = held.iter().map(|(id, _)| id.as_str()).collect();
        // Who she liked as: the author tokens her comments keep, and the publisher's
        // accounts she commented under (a like by account is kept as `account:iss|sub`).
        let her_accounts: Vec<String> = found
            .iter()
            .filter_map(|(_, _, _, account)| account.as_deref().map(Liker::account_key))
            .collect();
        let mut her_tokens: Vec<&str> = found
            .iter()
            .filter_map(|(_, _, token, _)| token.as_deref())
            .chain(her_accounts.iter().map(String::as_str))
            .collect();
        her_tokens.sort_unstable();
        her_tokens.dedup();
        erase_stored_answers(&mut transaction, self.engine, &held).await?;
        // The likes this reader gave (known by the author token her comments keep, the digest
        // a like is stored under): gone, the deleted rows saying which comments they were on,
        // so each of those counts is made again from its rows; their articles are recounted
        // below, so lists and pages change with the counts.
        let mut liked: Vec<String> = Vec::new();
        for chunk in her_tokens.chunks(IDS_PER_STATEMENT) {
            let sql = self.sql(&format!(
                "DELETE FROM comment_likes WHERE reader IN ({}) RETURNING comment_id",
                marks(chunk.len())
            ));
            let mut query = sqlx::query_as::<_, (String,)>(&sql);
            for token in chunk {
                query = query.bind(*token);
            }
            liked.extend(
                query
                    .fetch_all(&mut *transaction)
                    .await?
                    .into_iter()
                    .map(|(id,)| id),
            );
        }
        liked.sort_unstable();
        liked.dedup();
        let mut liked_articles: Vec<(String, String)> = Vec::new();
        for chunk in liked.chunks(IDS_PER_STATEMENT) {
            let list = marks(chunk.len());
            let recount_likes = self.sql(&format!(
                "UPDATE comments SET likes =
                     (SELECT COUNT(*) FROM comment_likes WHERE comment_id = comments.id)
                 WHERE id IN ({list}) RETURNING id, article_id"
            ));
            let mut query = sqlx::query_as::<_, (String, String)>(&recount_likes);
            for id in chunk {
                query = query.bind(id);
            }
            liked_articles.extend(query.fetch_all(&mut *transaction).await?);
        }
        for id in &ids {
            erase_webhook_bodies(&mut transaction, self.engine, id, erasure, now).await?;
        }
        // Flood control's turn for the address (the comments API names it `email:ADDRESS`).
        sqlx::query(&self.sql("DELETE FROM flood WHERE subject = ?"))
            .bind(format!("email:{key}"))
            .execute(&mut *transaction)
            .await?;
        // Messages not sent yet: confirmations of these comments, replies to them (to this
        // address), links to this address. (Webhooks and the moderators' messages are composed
        // from the comment as it is when they leave, or carry no address.)
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list = marks(chunk.len());
            let sql = self.sql(&format!(
                "UPDATE outbox SET sent_at = ?, last_error = 'erased'
                 WHERE sent_at IS NULL AND (
                     (kind = 'confirm' AND comment_id IN ({list}))
                     OR (kind = 'reply' AND comment_id IN (
                         SELECT id FROM comments WHERE parent_id IN ({list}))))"
            ));
            let mut query = sqlx::query(&sql).bind(now);
            for _ in 0..2 {
                for id in chunk {
                    query = query.bind(*id);
                }
            }
            query.execute(&mut *transaction).await?;
        }
        sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, last_error = 'erased'
             WHERE sent_at IS NULL AND kind = 'data-link' AND comment_id IN (
                 SELECT nonce FROM data_links WHERE lower(email) = lower(?))",
        ))
        .bind(now)
        .bind(address)
        .execute(&mut *transaction)
        .await?;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list = marks(chunk.len());
            let sql = match erasure {
                Erasure::Anonymise => format!(
                    "UPDATE comments SET author = ?, email = '', website = NULL,
                         client_address = '', author_token = NULL, account = NULL, notify = 0
                     WHERE id IN ({list})"
                ),
                Erasure::Remove => format!("DELETE FROM comments WHERE id IN ({list})"),
            };
            let sql = self.sql(&sql);
            let mut query = sqlx::query(&sql);
            if erasure == Erasure::Anonymise {
                query = query.bind(FORMER_READER);
            }
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *transaction).await?;
        }
        if erasure == Erasure::Remove {
            // What was in a removed comment's thread becomes threads of its own, as a
            // moderator's deletion leaves it.
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                let sql = self.sql(&format!(
                    "UPDATE comments SET root_id = id WHERE root_id IN ({})",
                    marks(chunk.len())
                ));
                let mut query = sqlx::query(&sql);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *transaction).await?;
            }
        }
        // On the do-not-mail list as `address_key` writes it (a record from before migration
        // 0009 kept the address as it was written: it gives way to that one).
        sqlx::query(
            &self.sql("DELETE FROM unsubscribed WHERE email <> ? AND lower(email) = lower(?)"),
        )
        .bind(&key)
        .bind(address)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(&self.sql(
            "INSERT INTO unsubscribed (email, at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING",
        ))
        .bind(&key)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        for (table, column_matches) in [
            ("confirmed_addresses", "email = ?"),
            ("confirmation_mails", "email = ?"),
            ("data_links", "email = ? OR lower(email) = lower(?)"),
            ("reader_sessions", "email = ? OR lower(email) = lower(?)"),
        ] {
            let sql = self.sql(&format!("DELETE FROM {table} WHERE {column_matches}"));
            let mut query = sqlx::query(&sql).bind(&key);
            if column_matches.contains(" OR ") {
                query = query.bind(address);
            }
            query.execute(&mut *transaction).await?;
        }
        let mut articles: Vec<&str> = held
            .iter()
            .chain(&liked_articles)
            .map(|(_, article)| article.as_str())
            .collect();
        articles.sort_unstable();
        articles.dedup();
        for article in &articles {
            recount(&mut transaction, self.engine, article, now).await?;
        }
        let erased = Erased {
            comments: held.len(),
            articles: articles.len(),
        };
        sqlx::query(&self.sql(
            "INSERT INTO audit_log (at, moderator, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        ))
        .bind(now)
        .bind(by.actor)
        .bind("data erased")
        .bind(by.target)
        .bind(format!(
            "{}: {} comments on {} articles",
            erasure.name(),
            erased.comments,
            erased.articles
        ))
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(erased)
    }
}

/// How many comments' ids one statement looks for among an article's stored answers.
const ANSWERS_PER_STATEMENT: usize = 100;

/// How many ids (or tokens) one statement of an erasure names.
const IDS_PER_STATEMENT: usize = 100;

/// `?, ?, ?`: the placeholders of an `IN` list of `n` values.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The stored answers that repeat these comments (`(id, article)`; a key's answer is
/// `{"comment": {"id": …, "author": …, "website": …, "content": …}}`), rewritten to
/// `ERASED_ANSWER_*`. The table has no column naming the comment, so each article's keys (its
/// `article_id`) are narrowed by the ids (hex: no pattern character), one pass per article, and
/// each body found is then read as JSON, so that only an answer whose comment *is* one of
/// these is touched, never one whose text quotes an id.
async fn erase_stored_answers(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    held: &[(String, String)],
) -> Result<()> {
    let mut by_article: Vec<(&str, Vec<&str>)> = Vec::new();
    for (id, article) in held {
        match by_article.iter_mut().find(|(a, _)| a == article) {
            Some((_, ids)) => ids.push(id),
            None => by_article.push((article, vec![id])),
        }
    }
    for (article, ids) in &by_article {
        for chunk in ids.chunks(ANSWERS_PER_STATEMENT) {
            let any_id = vec!["body LIKE ?"; chunk.len()].join(" OR ");
            let sql = placeholders(
                engine,
                &format!(
                    "SELECT idempotency_key, body FROM idempotency
                     WHERE article_id = ? AND ({any_id})"
                ),
            );
            let mut query = sqlx::query_as(&sql).bind(*article);
            for id in chunk {
                query = query.bind(format!("%{id}%"));
            }
            let candidates: Vec<(String, Option<String>)> =
                query.fetch_all(&mut **transaction).await?;
            for (key, body) in candidates {
                let answers_one_of_these = body
                    .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok())
                    .and_then(|answer| answer["comment"]["id"].as_str().map(str::to_owned))
                    .is_some_and(|answered| chunk.contains(&answered.as_str()));
                if !answers_one_of_these {
                    continue;
                }
                sqlx::query(&placeholders(
                    engine,
                    "UPDATE idempotency SET status_code = ?, body = ? WHERE idempotency_key = ?",
                ))
                .bind(i64::from(ERASED_ANSWER_STATUS))
                .bind(ERASED_ANSWER_BODY)
                .bind(&key)
                .execute(&mut **transaction)
                .await?;
            }
        }
    }
    Ok(())
}

/// The webhooks' bodies for this comment, sent or waiting (`enqueue_webhook`'s snapshot: its
/// author's name and an excerpt of its text). Anonymised: the author becomes `FORMER_READER`
/// (the text stays, as it stays on the page) and waiting ones still leave. Removed: every body
/// dropped, and the waiting ones given up as `erased`, as the mails are.
async fn erase_webhook_bodies(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment_id: &str,
    erasure: Erasure,
    now: i64,
) -> Result<()> {
    let drop_bodies = placeholders(
        engine,
        "UPDATE outbox SET payload = NULL,
             last_error = CASE WHEN sent_at IS NULL THEN 'erased' ELSE last_error END,
             sent_at = COALESCE(sent_at, ?)
         WHERE kind = 'webhook' AND comment_id = ? AND id = ?",
    );
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(&placeholders(
        engine,
        "SELECT id, payload FROM outbox WHERE kind = 'webhook' AND comment_id = ?",
    ))
    .bind(comment_id)
    .fetch_all(&mut **transaction)
    .await?;
    for (id, payload) in rows {
        let anonymised = match erasure {
            Erasure::Anonymise => payload
                .and_then(|body| serde_json::from_str::<serde_json::Value>(&body).ok())
                .and_then(|mut body| {
                    let comment = body.get_mut("comment")?.as_object_mut()?;
                    comment.insert("author".into(), FORMER_READER.into());
                    Some(body.to_string())
                }),
            Erasure::Remove => None,
        };
        match anonymised {
            Some(body) => {
                sqlx::query(&placeholders(
                    engine,
                    "UPDATE outbox SET payload = ? WHERE id = ?",
                ))
                .bind(body)
                .bind(&id)
                .execute(&mut **transaction)
                .await?;
            }
            // Removed, or a body that cannot be read to anonymise: none is kept.
            None => {
                sqlx::query(&drop_bodies)
                    .bind(now)
                    .bind(comment_id)
                    .bind(&id)
                    .execute(&mut **transaction)
                    .await?;
            }
        }
    }
    Ok(())
}
