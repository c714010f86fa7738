//! Each article's public thread in two numbers (`article_activity`): when it last changed
//! and how many approved comments it has. The public list's validators and the counts are
//! read from it, so every change to a public thread records it in its own transaction.

use super::{placeholders, Engine, Result, Store};

/// An article's public thread in two numbers (`article_activity`), kept with every change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Activity {
    /// Ms since the epoch; later with every change.
    pub changed_at: i64,
    pub approved: i64,
}

impl Store {
    /// Ends a moderation's transaction: the article's thread changed, counted again.
    pub(super) async fn changed(
        &self,
        mut transaction: sqlx::Transaction<'_, sqlx::Any>,
        article_id: &str,
        now: i64,
    ) -> Result<bool> {
        touch(
            &mut transaction,
            self.engine,
            article_id,
            now,
            Approved::Recount,
        )
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// When the article's public thread last changed (ms since the epoch), if ever.
    pub async fn changed_at(&self, article_id: &str) -> Result<Option<i64>> {
        Ok(self.activity(article_id).await?.map(|a| a.changed_at))
    }

    /// The article's public thread: when it last changed, and how many comments it has.
    pub async fn activity(&self, article_id: &str) -> Result<Option<Activity>> {
        sqlx::query_as(
            &self.sql("SELECT changed_at, approved FROM article_activity WHERE article_id = ?"),
        )
        .bind(article_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// How many approved comments each of these articles has (absent: none), in one query
    /// (the counts kept with each change: one row per article).
    pub async fn approved_counts(&self, article_ids: &[String]) -> Result<Vec<(String, i64)>> {
        if article_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; article_ids.len()].join(", ");
        let sql = self.sql(&format!(
            "SELECT article_id, approved FROM article_activity
             WHERE article_id IN ({placeholders}) AND approved > 0"
        ));
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for id in article_ids {
            query = query.bind(id);
        }
        query.fetch_all(&self.pool).await
    }
}

/// How an article's approved comments changed with the change `touch` records.
#[derive(Clone, Copy)]
pub(super) enum Approved {
    /// One more (a comment stored approved): counted up.
    OneMore,
    /// Anything else (moderation, an import): counted again.
    Recount,
}

/// Records that an article's public thread changed at `now`, never earlier than the last
/// change (the clocks of several instances differ), so every change is a later time; and its
/// number of approved comments. In the transaction of the change itself.
pub(super) async fn touch(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    article_id: &str,
    now: i64,
    approved: Approved,
) -> Result<()> {
    let (value, update) = match approved {
        Approved::OneMore => ("1", "article_activity.approved + 1"),
        Approved::Recount => (
            "(SELECT COUNT(*) FROM comments WHERE article_id = ? AND status = 'approved')",
            "excluded.approved",
        ),
    };
    let sql = format!(
        "INSERT INTO article_activity (article_id, changed_at, approved) VALUES (?, ?, {value})
         ON CONFLICT (article_id) DO UPDATE SET changed_at = CASE
             WHEN excluded.changed_at > article_activity.changed_at THEN excluded.changed_at
             ELSE article_activity.changed_at + 1 END,
         approved = {update}"
    );
    let sql = placeholders(engine, &sql);
    let mut query = sqlx::query(&sql).bind(article_id).bind(now);
    if let Approved::Recount = approved {
        query = query.bind(article_id);
    }
    query.execute(&mut **transaction).await?;
    Ok(())
}
