//! Pinned comments (issue 20, migration 0017): a moderator pins a few of an article's
//! comments, whose threads the public list shows first on its first page (`page_sql`).
//! Invariants:
//! - only an approved comment that begins a thread is pinned (the update itself checks it, so
//!   a comment held meanwhile is not);
//! - an article has at most `MAX_PINNED` pinned comments, whatever their status now (so one
//!   approved again never makes a fourth): the count and the pin are one transaction taken in
//!   turns per article (on PostgreSQL the article's lock, which `recount` takes first; on
//!   SQLite the one writer), so two moderators pinning at once cannot both take the last place;
//! - a pin or an unpin moves the article's recorded activity forward in its transaction, so no
//!   cached list or reading page is stale.

use super::activity::recount;
use super::{Result, Store};

/// The most comments an article has pinned.
pub const MAX_PINNED: i64 = 3;

/// What a pin or an unpin did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinOutcome {
    /// Pinned now (or already).
    Pinned,
    /// Not pinned now (or already not).
    Unpinned,
    NoSuchComment,
    /// Held, rejected or spam: only what readers see is pinned.
    NotApproved,
    /// A reply: a thread is pinned by its first comment.
    NotAThread,
    /// The article has `MAX_PINNED` pinned comments already.
    Full,
}

impl PinOutcome {
    /// What a moderator is told when a pin is refused.
    pub fn refusal(self) -> Option<String> {
        match self {
            PinOutcome::Pinned | PinOutcome::Unpinned => None,
            PinOutcome::NoSuchComment => Some("There is no such comment.".to_owned()),
            PinOutcome::NotApproved => {
                Some("Only an approved comment can be pinned: approve it first.".to_owned())
            }
            PinOutcome::NotAThread => {
                Some("Only a comment that begins a thread can be pinned, not a reply.".to_owned())
            }
            PinOutcome::Full => Some(format!(
                "This article already has {MAX_PINNED} pinned comments: unpin one first."
            )),
        }
    }
}

impl Store {
    /// Pins a comment (`now` is its pin's time, which orders the pinned threads).
    pub async fn pin(&self, id: &str, now: i64) -> Result<PinOutcome> {
        let mut transaction = self.writer.begin().await?;
        let row: Option<(String, String, String, Option<i64>)> = sqlx::query_as(
            &self.sql("SELECT article_id, status, root_id, pinned_at FROM comments WHERE id = ?"),
        )
        .bind(id)
        .fetch_optional(&mut *transaction)
        .await?;
        let refused = match &row {
            None => Some(PinOutcome::NoSuchComment),
            Some((_, status, _, _)) if status != "approved" => Some(PinOutcome::NotApproved),
            Some((_, _, root, _)) if root != id => Some(PinOutcome::NotAThread),
            Some((_, _, _, Some(_))) => Some(PinOutcome::Pinned),
            Some(_) => None,
        };
        let (Some((article_id, ..)), None) = (row, refused) else {
            transaction.rollback().await?;
            return Ok(refused.unwrap_or(PinOutcome::NoSuchComment));
        };
        // The article's turn first (and its activity moved): the count below then sees every
        // pin committed before.
        recount(&mut transaction, self.engine, &article_id, now).await?;
        let pinned: i64 =
            sqlx::query_scalar(&self.sql(
                "SELECT COUNT(*) FROM comments WHERE article_id = ? AND pinned_at IS NOT NULL",
            ))
            .bind(&article_id)
            .fetch_one(&mut *transaction)
            .await?;
        if pinned >= MAX_PINNED {
            transaction.rollback().await?;
            return Ok(PinOutcome::Full);
        }
        let done = sqlx::query(&self.sql(
            "UPDATE comments SET pinned_at = ?
             WHERE id = ? AND status = 'approved' AND root_id = id AND pinned_at IS NULL",
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if done.rows_affected() != 1 {
            transaction.rollback().await?;
            return Ok(PinOutcome::NotApproved);
        }
        transaction.commit().await?;
        Ok(PinOutcome::Pinned)
    }

    /// Unpins a comment.
    pub async fn unpin(&self, id: &str, now: i64) -> Result<PinOutcome> {
        let mut transaction = self.writer.begin().await?;
        let article_id: Option<String> = sqlx::query_scalar(&self.sql(
            "UPDATE comments SET pinned_at = NULL WHERE id = ? AND pinned_at IS NOT NULL
             RETURNING article_id",
        ))
        .bind(id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(article_id) = article_id else {
            transaction.rollback().await?;
            return Ok(match self.comment(id).await? {
                Some(_) => PinOutcome::Unpinned,
                None => PinOutcome::NoSuchComment,
            });
        };
        recount(&mut transaction, self.engine, &article_id, now).await?;
        transaction.commit().await?;
        Ok(PinOutcome::Unpinned)
    }

    /// Which of these comments are pinned (for the moderation queue).
    pub async fn pinned_among(&self, ids: &[String]) -> Result<std::collections::HashSet<String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = self.sql(&format!(
            "SELECT id FROM comments WHERE pinned_at IS NOT NULL AND id IN ({marks})"
        ));
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&self.pool).await?.into_iter().collect())
    }
}
