//! Idempotency keys (a request's claim, then the answer its key repeats) and flood control
//! (one turn per subject and window). Each is one atomic statement, or part of the comment's
//! own transaction, so that it holds across instances.

use sqlx::AnyConnection;

use super::{placeholders, AnyQuery, Engine, Result, Store};

/// The answer stored for an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// What claiming an idempotency key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request owns the key now.
    Claimed,
    /// Another request owns it and has not answered yet.
    InProgress,
    /// The first request's answer, to repeat.
    Answered(StoredAnswer),
}

/// Flood control refused a comment: milliseconds until the next one is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooSoon(pub i64);

/// Why a new comment was not stored (its transaction rolled back: nothing of it is left).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotStored {
    /// Flood control refused it.
    TooSoon(TooSoon),
    /// Its key's claim is no longer this request's: it outlived the stale time and a retry
    /// with the same key took the claim over (after its instance was killed, say, the retry
    /// must not wait for the claim to lapse). Only the claim's holder may store, so one key
    /// never stores two comments; the caller answers what the holder answers.
    ClaimLost,
}

impl Store {
    /// Takes an idempotency key for this request, atomically, at `now`: that time is the
    /// claim's fencing token, which storing (`insert_comment`) and `release` must name. A
    /// claim older than `stale_ms` that never got an answer (its request died, or is too slow)
    /// may be taken over; its first holder can then no longer store. On SQLite the claim is
    /// committed with others in one transaction (`writer`: group commit).
    pub async fn claim(
        &self,
        key: &str,
        article_id: &str,
        now: i64,
        stale_ms: i64,
    ) -> Result<Claim> {
        if let Some(batches) = &self.batches {
            return batches
                .claim(key.to_owned(), article_id.to_owned(), now, stale_ms)
                .await;
        }
        let mut connection = self.writer.acquire().await?;
        claim_key(&mut connection, self.engine, key, article_id, now, stale_ms).await
    }

    /// The stored answer for a key, once there is one.
    pub async fn answer(&self, key: &str) -> Result<Option<StoredAnswer>> {
        let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
            &self.sql("SELECT status_code, body FROM idempotency WHERE idempotency_key = ?"),
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(stored_answer))
    }

    /// Forgets a claim that stored nothing, so that the same key can be tried again (after
    /// any refusal: only a stored comment's answer is repeated). Only this request's claim
    /// (taken at `claimed_at`): one taken over by a retry is the retry's.
    pub async fn release(&self, key: &str, claimed_at: i64) -> Result<()> {
        sqlx::query(&self.sql(
            "DELETE FROM idempotency
             WHERE idempotency_key = ? AND created_at = ? AND status_code IS NULL",
        ))
        .bind(key)
        .bind(claimed_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

/// Claims the key on this connection (each statement atomic by itself: on its own, or in a
/// transaction of the writer's batch).
pub(super) async fn claim_key(
    connection: &mut AnyConnection,
    engine: Engine,
    key: &str,
    article_id: &str,
    now: i64,
    stale_ms: i64,
) -> Result<Claim> {
    let inserted = sqlx::query(&placeholders(
        engine,
        "INSERT INTO idempotency (idempotency_key, article_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING",
    ))
    .bind(key)
    .bind(article_id)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Claimed);
    }
    let taken_over = sqlx::query(&placeholders(
        engine,
        "UPDATE idempotency SET created_at = ?
         WHERE idempotency_key = ? AND status_code IS NULL AND created_at < ?",
    ))
    .bind(now)
    .bind(key)
    .bind(now - stale_ms)
    .execute(&mut *connection)
    .await?;
    if taken_over.rows_affected() == 1 {
        return Ok(Claim::Claimed);
    }
    let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(&placeholders(
        engine,
        "SELECT status_code, body FROM idempotency WHERE idempotency_key = ?",
    ))
    .bind(key)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row
        .and_then(stored_answer)
        .map_or(Claim::InProgress, Claim::Answered))
}

/// A key's row as its answer, once it has one.
fn stored_answer((status, body): (Option<i64>, Option<String>)) -> Option<StoredAnswer> {
    Some(StoredAnswer {
        status: u16::try_from(status?).ok()?,
        body: body.unwrap_or_default(),
    })
}

/// Flood control, in a new comment's transaction: takes each subject's turn (an email, a
/// client address), or says how long to wait when one was taken within `window_ms`. The
/// caller rolls back on a refusal (turns taken before it are given back with it).
pub(super) async fn take_flood_turns(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    subjects: &[String],
    now: i64,
    window_ms: i64,
) -> Result<Option<TooSoon>> {
    if window_ms <= 0 {
        return Ok(None);
    }
    for subject in subjects {
        let allowed = sqlx::query(&placeholders(
            engine,
            "INSERT INTO flood (subject, last_at) VALUES (?, ?)
             ON CONFLICT (subject) DO UPDATE SET last_at = excluded.last_at
             WHERE flood.last_at <= ?",
        ))
        .bind(subject)
        .bind(now)
        .bind(now - window_ms)
        .execute(&mut **transaction)
        .await?;
        if allowed.rows_affected() == 0 {
            let last: i64 = sqlx::query_scalar(&placeholders(
                engine,
                "SELECT last_at FROM flood WHERE subject = ?",
            ))
            .bind(subject)
            .fetch_one(&mut **transaction)
            .await?;
            return Ok(Some(TooSoon((last + window_ms - now).max(1))));
        }
    }
    Ok(None)
}

/// The answer a claimed key will repeat, in the transaction that stores what it answers, and
/// only while the claim is still this request's (`claimed_at`, the time it was taken or taken
/// over, is the claim's fencing token): a request whose claim was taken over changes nothing.
/// Binds: `bind_answer`.
pub(super) const RECORD_ANSWER: &str = "UPDATE idempotency SET status_code = ?, body = ?
     WHERE idempotency_key = ? AND created_at = ? AND status_code IS NULL";

pub(super) fn bind_answer<'q>(
    query: AnyQuery<'q>,
    key: &'q str,
    claimed_at: i64,
    answer: &'q StoredAnswer,
) -> AnyQuery<'q> {
    query
        .bind(i64::from(answer.status))
        .bind(answer.body.as_str())
        .bind(key)
        .bind(claimed_at)
}

/// Records the answer; false when the claim is no longer this request's (see `NotStored`).
pub(super) async fn record_answer(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    key: &str,
    claimed_at: i64,
    answer: &StoredAnswer,
) -> Result<bool> {
    let sql = placeholders(engine, RECORD_ANSWER);
    let recorded = bind_answer(sqlx::query(&sql), key, claimed_at, answer)
        .execute(&mut **transaction)
        .await?;
    Ok(recorded.rows_affected() == 1)
}
