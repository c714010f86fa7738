//! Notifications: the outbox (written by the events' own transactions, see `enqueue`),
//! claimed by workers in one statement; unsubscriptions; secrets shared by every instance.

use super::{now_ms, Result, Store};

impl Store {
    /// Claims up to `limit` messages that are due (of these kinds) for `worker` until
    /// `until`: one statement, so two instances never claim one message (the condition is
    /// checked again on the row itself when another instance got there first).
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
        let free = "sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)";
        let sql = self.sql(&format!(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ?
             WHERE id IN (SELECT id FROM outbox WHERE {free} AND next_attempt_at <= ?
                          AND kind IN ({marks}) ORDER BY created_at LIMIT ?)
               AND {free}
             RETURNING id, kind, comment_id, attempts"
        ));
        let mut query = sqlx::query_as::<_, OutboxItem>(&sql)
            .bind(worker)
            .bind(until)
            .bind(now)
            .bind(now);
        for kind in kinds {
            query = query.bind(*kind);
        }
        query.bind(limit).bind(now).fetch_all(&self.pool).await
    }

    /// A claimed message was handed to the mail server.
    pub async fn outbox_sent(&self, id: &str, worker: &str, now: i64) -> Result<()> {
        sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
        ))
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
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
        .execute(&self.pool)
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

    /// This address gets no more messages of ours (and its waiting ones are dropped).
    pub async fn unsubscribe(&self, email: &str) -> Result<()> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO unsubscribed (email, at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING",
        ))
        .bind(email)
        .bind(now_ms())
        .execute(&mut *transaction)
        .await?;
        sqlx::query(&self.sql(
            "UPDATE outbox SET sent_at = ?, last_error = 'unsubscribed'
             WHERE sent_at IS NULL AND kind = 'reply' AND comment_id IN (
                 SELECT r.id FROM comments r JOIN comments p ON p.id = r.parent_id WHERE p.email = ?)",
        ))
        .bind(now_ms())
        .bind(email)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn is_unsubscribed(&self, email: &str) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar(&self.sql("SELECT 1 FROM unsubscribed WHERE email = ?"))
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
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
