//! Each article's public thread in two numbers: when it last changed and how many approved
//! comments it has. The public list's validators, the counts and the prerendered pages'
//! `Last-Modified` are read from them.
//!
//! Kept in two tables. `article_activity` holds one row per article, written by moderation
//! (each recounts in its own transaction) and by folds; `activity_publications` holds one row
//! per comment stored approved since the last fold, written in the comment's transaction.
//! Publishing never writes the article's row, so posts to one busy article do not queue on
//! it. Invariants:
//! - the approved count read (the row's count plus the article's publications) equals the
//!   approved comments committed, at every read: a publication is committed with its comment,
//!   a fold moves publications into the row in one transaction, a recount sets the row and
//!   removes the publications it counted in one snapshot;
//! - the time read (the later of the row's and its publications') never goes back, and every
//!   moderation makes it later (even within a millisecond); a publication is dated no earlier
//!   than the last change it saw (concurrent publications may share a time; their count
//!   differs);
//! - so the list's validator (time and count) changes with every change to the public thread.

use super::{placeholders, AnyQuery, Engine, Result, Store};

/// Publications are folded into their article's row after this many of that article, counted
/// per process. Reads add at most about this many rows (times the instances) to the
/// article's one.
pub(super) const FOLD_EVERY: u64 = 32;

/// An article's public thread in two numbers, exact at every read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activity {
    /// Ms since the epoch; never earlier with a change, later with every moderation.
    pub changed_at: i64,
    pub approved: i64,
}

/// The article's row and its publications, as one set of rows (`at`, `approved`): one snapshot.
const ACTIVITY_PARTS: &str = "SELECT article_id, changed_at AS at, approved FROM article_activity
     WHERE article_id IN ({ids})
     UNION ALL
     SELECT article_id, published_at, 1 FROM activity_publications WHERE article_id IN ({ids})";

impl Store {
    /// Ends a moderation's transaction: the article's thread changed, counted again.
    pub(super) async fn changed(
        &self,
        mut transaction: sqlx::Transaction<'_, sqlx::Any>,
        article_id: &str,
        now: i64,
    ) -> Result<bool> {
        recount(&mut transaction, self.engine, article_id, now).await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// When the article's public thread last changed (ms since the epoch), if ever.
    pub async fn changed_at(&self, article_id: &str) -> Result<Option<i64>> {
        Ok(self.activity(article_id).await?.map(|a| a.changed_at))
    }

    /// The article's public thread: when it last changed, and how many comments it has.
    pub async fn activity(&self, article_id: &str) -> Result<Option<Activity>> {
        let sql = self.sql(&format!(
            "SELECT MAX(at), CAST(SUM(approved) AS BIGINT) FROM ({}) AS parts",
            ACTIVITY_PARTS.replace("{ids}", "?")
        ));
        let (changed_at, approved): (Option<i64>, Option<i64>) = sqlx::query_as(&sql)
            .bind(article_id)
            .bind(article_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(changed_at.map(|changed_at| Activity {
            changed_at,
            approved: approved.unwrap_or(0),
        }))
    }

    /// How many approved comments each of these articles has (absent: none), in one query.
    pub async fn approved_counts(&self, article_ids: &[String]) -> Result<Vec<(String, i64)>> {
        if article_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; article_ids.len()].join(", ");
        let sql = self.sql(&format!(
            "SELECT article_id, CAST(SUM(approved) AS BIGINT) FROM ({}) AS parts
             GROUP BY article_id HAVING SUM(approved) > 0",
            ACTIVITY_PARTS.replace("{ids}", &marks)
        ));
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for id in article_ids.iter().chain(article_ids) {
            query = query.bind(id);
        }
        query.fetch_all(&self.pool).await
    }

    /// After a publication committed: every `FOLD_EVERY`th of an article in this process
    /// folds that article's publications into its row, so its reads stay short whatever the
    /// other articles get. A failed fold changes nothing (the publications stay, and are
    /// counted), so it is only logged.
    pub(super) async fn published(&self, article_id: &str) {
        let due = match self.publications.lock() {
            Ok(mut counts) => {
                let count = counts.entry(article_id.to_owned()).or_default();
                *count += 1;
                let due = *count >= FOLD_EVERY;
                if due {
                    counts.remove(article_id);
                }
                due
            }
            // A thread that panicked holding the counts: fold now rather than never.
            Err(_) => true,
        };
        if !due {
            return;
        }
        if let Err(error) = self.fold(article_id).await {
            tracing::warn!("folding the activity of {article_id:?}: {error}");
        }
    }

    /// How many of the article's publications wait to be folded (what a read adds to its row).
    pub async fn publications_waiting(&self, article_id: &str) -> Result<i64> {
        sqlx::query_scalar(
            &self.sql("SELECT COUNT(*) FROM activity_publications WHERE article_id = ?"),
        )
        .bind(article_id)
        .fetch_one(&self.pool)
        .await
    }

    /// Moves the article's publications into its row, in one transaction: the publications
    /// this transaction deletes are the ones it adds (a concurrent fold or recount deletes
    /// each other's rows only once; PostgreSQL's `DELETE` skips what another removed).
    pub async fn fold(&self, article_id: &str) -> Result<()> {
        let mut transaction = self.writer.begin().await?;
        lock_article(&mut transaction, self.engine, article_id).await?;
        let folded: Vec<i64> =
            sqlx::query_scalar(&self.sql(
                "DELETE FROM activity_publications WHERE article_id = ? RETURNING published_at",
            ))
            .bind(article_id)
            .fetch_all(&mut *transaction)
            .await?;
        let Some(latest) = folded.iter().copied().max() else {
            transaction.rollback().await?;
            return Ok(());
        };
        sqlx::query(&self.sql(
            "INSERT INTO article_activity (article_id, changed_at, approved) VALUES (?, ?, ?)
             ON CONFLICT (article_id) DO UPDATE SET changed_at = CASE
                 WHEN excluded.changed_at > article_activity.changed_at THEN excluded.changed_at
                 ELSE article_activity.changed_at END,
             approved = article_activity.approved + excluded.approved",
        ))
        .bind(article_id)
        .bind(latest)
        .bind(folded.len() as i64)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await
    }
}

/// On PostgreSQL, folds and recounts of one article take turns (a lock held to the end of the
/// transaction, taken before their snapshots): else a recount counting in a snapshot taken
/// before a concurrent fold's commit would overwrite the count the fold added, and two
/// moderations' recounts would each miss the other's change. SQLite's writers take turns
/// already (one writer; a transaction holds the write lock from its first change).
async fn lock_article(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    article_id: &str,
) -> Result<()> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked")
            .bind(article_id)
            .execute(&mut **transaction)
            .await?;
    }
    Ok(())
}

/// A new approved comment's publication, dated `now` or just after the last change its
/// snapshot sees, whichever is later (the clocks of several instances differ; the time read
/// never goes back). Binds: `bind_publication`.
pub(super) const PUBLISH: &str =
    "INSERT INTO activity_publications (article_id, published_at, comment_id)
     SELECT ?, CASE WHEN last.at >= ? THEN last.at + 1 ELSE ? END, ?
     FROM (SELECT MAX(at) AS at FROM (
         SELECT changed_at AS at FROM article_activity WHERE article_id = ?
         UNION ALL
         SELECT MAX(published_at) FROM activity_publications WHERE article_id = ?
     ) AS known) AS last";

pub(super) fn bind_publication<'q>(
    query: AnyQuery<'q>,
    article_id: &'q str,
    comment_id: &'q str,
    now: i64,
) -> AnyQuery<'q> {
    query
        .bind(article_id)
        .bind(now)
        .bind(now)
        .bind(comment_id)
        .bind(article_id)
        .bind(article_id)
}

/// In a new approved comment's transaction: its publication (`PUBLISH`).
pub(super) async fn publish(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    article_id: &str,
    comment_id: &str,
    now: i64,
) -> Result<()> {
    let sql = placeholders(engine, PUBLISH);
    bind_publication(sqlx::query(&sql), article_id, comment_id, now)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Records that an article's public thread changed at `now` (moderation, an import), later
/// than any change before it, and counts its approved comments again; its publications go,
/// counted. In the transaction of the change itself.
pub(super) async fn recount(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    article_id: &str,
    now: i64,
) -> Result<()> {
    let upsert = "INSERT INTO article_activity (article_id, changed_at, approved)
         ON CONFLICT (article_id) DO UPDATE SET changed_at = CASE
             WHEN excluded.changed_at > article_activity.changed_at THEN excluded.changed_at
             ELSE article_activity.changed_at + 1 END,
         approved = excluded.approved";
    let count = "(SELECT COUNT(*) FROM comments WHERE article_id = ? AND status = 'approved')";
    lock_article(transaction, engine, article_id).await?;
    match engine {
        // One statement, so the publications removed and the comments counted are of one
        // snapshot (in READ COMMITTED each statement has its own: a comment committed between
        // two statements would be counted and its publication kept, counted twice).
        Engine::Postgres => {
            let sql = upsert.replacen(
                "(article_id, changed_at, approved)",
                &format!(
                    "(article_id, changed_at, approved)
                     SELECT ?, CASE WHEN MAX(published_at) >= ? THEN MAX(published_at) + 1
                         ELSE ? END, {count} FROM gone"
                ),
                1,
            );
            let sql = format!(
                "WITH gone AS (DELETE FROM activity_publications WHERE article_id = ?
                     RETURNING published_at)
                 {sql}"
            );
            sqlx::query(&placeholders(engine, &sql))
                .bind(article_id)
                .bind(article_id)
                .bind(now)
                .bind(now)
                .bind(article_id)
                .execute(&mut **transaction)
                .await?;
        }
        // SQLite has no data-changing statement in `WITH`, and needs none: its writers take
        // turns, and this transaction holds the write lock since its first change.
        Engine::Sqlite => {
            let folded: Vec<i64> = sqlx::query_scalar(
                "DELETE FROM activity_publications WHERE article_id = ? RETURNING published_at",
            )
            .bind(article_id)
            .fetch_all(&mut **transaction)
            .await?;
            let changed_at = folded.iter().map(|at| at + 1).fold(now, i64::max);
            let sql = upsert.replacen(
                "(article_id, changed_at, approved)",
                &format!("(article_id, changed_at, approved) VALUES (?, ?, {count})"),
                1,
            );
            sqlx::query(&sql)
                .bind(article_id)
                .bind(changed_at)
                .bind(article_id)
                .execute(&mut **transaction)
                .await?;
        }
    }
    Ok(())
}
