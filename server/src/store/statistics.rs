//! Figures for the moderation area's overview, read from the comments themselves.

use super::{Result, Store};

impl Store {
    /// Comments per day (days since the epoch, UTC) and status, since `since`.
    pub async fn daily_counts(&self, since: i64) -> Result<Vec<(i64, String, i64)>> {
        sqlx::query_as(&self.sql(
            "SELECT created_at / 86400000 AS day, status, COUNT(*) FROM comments
             WHERE created_at >= ? GROUP BY created_at / 86400000, status",
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
    }

    /// The articles with the most approved comments since `since`, most first.
    pub async fn most_discussed(&self, since: i64, limit: i64) -> Result<Vec<(String, i64)>> {
        sqlx::query_as(&self.sql(
            "SELECT article_id, COUNT(*) AS n FROM comments
             WHERE status = 'approved' AND created_at >= ?
             GROUP BY article_id ORDER BY n DESC, article_id LIMIT ?",
        ))
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}
