//! Likes (migration 0014): one row per reader and comment, the reader known by the digest of
//! their author token; each comment's count kept in its row. Invariants:
//! - a comment's `likes` equals its rows at every commit: the row is added or removed by one
//!   statement, and the count moves only when that statement changed a row, in the same
//!   transaction (a second like by the same reader, concurrent or not, adds nothing);
//! - only approved comments are liked, never by the reader who wrote them (the conditions
//!   are part of the insert itself, so a comment held meanwhile is not liked);
//! - each request takes a turn of its client address first (a fixed window, one conditional
//!   upsert; a refusal changes nothing);
//! - a change moves the article's recorded activity forward in the same transaction, so the
//!   public list's validator changes with a count and no cached list or page is stale.

use std::collections::{HashMap, HashSet};

use super::live::{LiveChange, LiveKind};
use super::{placeholders, Engine, Result, Store};

/// How many likes (and unlikes) a client address may send in a window.
#[derive(Clone, Debug)]
pub struct LikeLimit {
    /// `like:ADDRESS`: flood control's subjects are apart (`like_turns`, their own table).
    pub subject: String,
    pub window_ms: i64,
    pub turns: i64,
}

/// What a like or an unlike did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LikeOutcome {
    /// The comment's count after it, and whether this reader likes it now.
    Counted { likes: i64, liked: bool },
    /// No approved comment with this id on this article.
    NoSuchComment,
    /// The reader wrote it.
    OwnComment,
    /// Over the address's limit: milliseconds until its window ends.
    TooMany(i64),
}

/// Who likes: the key their likes are kept under (`comment_likes.reader`), and what makes a
/// comment theirs. A browser is its author token's digest; a reader signed in by the
/// publisher is their account (`account:iss|sub`), so one account likes a comment once from
/// every browser, and a comment is theirs when written under the account or by this browser.
#[derive(Clone, Copy, Debug)]
pub struct Liker<'a> {
    pub key: &'a str,
    /// The browser's author token digest, when it sent one.
    pub token: Option<&'a str>,
    /// The publisher's account (`iss|sub`), when signed in.
    pub account: Option<&'a str>,
}

impl<'a> Liker<'a> {
    /// A browser known by its author token's digest.
    pub fn browser(token: &'a str) -> Liker<'a> {
        Liker {
            key: token,
            token: Some(token),
            account: None,
        }
    }

    /// The key an account's likes are kept under: never a token's digest (64 hex digits).
    pub fn account_key(account: &str) -> String {
        format!("account:{account}")
    }
}

/// Bound where a liker has no token or no account: no stored digest or account equals it
/// (digests are hex; accounts are `iss|sub`), so it makes no comment theirs.
const NOBODY: &str = "-";

impl Store {
    /// The reader likes (`liked`) or no longer likes the comment: the row added or removed
    /// and the count moved in one transaction, after the address's turn. Pressing twice
    /// with the same wish changes nothing the second time (a retry is safe).
    pub async fn set_like(
        &self,
        article_id: &str,
        comment_id: &str,
        reader: &str,
        liked: bool,
        now: i64,
        limit: &LikeLimit,
    ) -> Result<LikeOutcome> {
        self.set_like_as(
            article_id,
            comment_id,
            Liker::browser(reader),
            liked,
            now,
            limit,
        )
        .await
    }

    /// `set_like` for a browser or a signed-in account (`Liker`).
    pub async fn set_like_as(
        &self,
        article_id: &str,
        comment_id: &str,
        liker: Liker<'_>,
        liked: bool,
        now: i64,
        limit: &LikeLimit,
    ) -> Result<LikeOutcome> {
        let reader = liker.key;
        let (own_token, own_account) = (
            liker.token.unwrap_or(NOBODY),
            liker.account.unwrap_or(NOBODY),
        );
        let mut transaction = self.writer.begin().await?;
        // The turn first: a write, so that SQLite's transaction holds the write lock from
        // here on (as flood control does).
        if let Some(wait) = take_like_turn(&mut transaction, self.engine, limit, now).await? {
            transaction.rollback().await?;
            return Ok(LikeOutcome::TooMany(wait));
        }
        let comment: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(&self.sql(
            "SELECT status, author_token, account FROM comments WHERE id = ? AND article_id = ?",
        ))
        .bind(comment_id)
        .bind(article_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let outcome = match comment {
            Some((status, ..)) if status != "approved" => Some(LikeOutcome::NoSuchComment),
            None => Some(LikeOutcome::NoSuchComment),
            Some((_, author, account))
                if author.as_deref() == Some(own_token)
                    || account.as_deref() == Some(own_account) =>
            {
                Some(LikeOutcome::OwnComment)
            }
            Some(_) => None,
        };
        if let Some(outcome) = outcome {
            // The turn stays taken: probing ids costs turns too.
            transaction.commit().await?;
            return Ok(outcome);
        }
        let changed = if liked {
            // Approved and not the reader's, checked again in the statement that adds the
            // row (a moderation may have come between).
            sqlx::query(&self.sql(
                "INSERT INTO comment_likes (comment_id, reader, liked_at)
                 SELECT id, ?, ? FROM comments
                 WHERE id = ? AND status = 'approved' AND COALESCE(author_token, '') <> ?
                     AND COALESCE(account, '') <> ?
                 ON CONFLICT (comment_id, reader) DO NOTHING",
            ))
            .bind(reader)
            .bind(now)
            .bind(comment_id)
            .bind(own_token)
            .bind(own_account)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
        } else {
            sqlx::query(&self.sql("DELETE FROM comment_likes WHERE comment_id = ? AND reader = ?"))
                .bind(comment_id)
                .bind(reader)
                .execute(&mut *transaction)
                .await?
                .rows_affected()
        };
        let step = if liked { "+ 1" } else { "- 1" };
        let likes: i64 = if changed == 1 {
            let likes = sqlx::query_scalar(&self.sql(&format!(
                "UPDATE comments SET likes = likes {step} WHERE id = ? RETURNING likes"
            )))
            .bind(comment_id)
            .fetch_one(&mut *transaction)
            .await?;
            touch_activity(&mut transaction, self.engine, article_id, now).await?;
            likes
        } else {
            sqlx::query_scalar(&self.sql("SELECT likes FROM comments WHERE id = ?"))
                .bind(comment_id)
                .fetch_one(&mut *transaction)
                .await?
        };
        // Whether the reader likes it now: what they asked, unless the insert found the
        // comment no longer approved (then nothing changed and no row is theirs).
        let liked_now: Option<i64> = sqlx::query_scalar(
            &self.sql("SELECT 1 FROM comment_likes WHERE comment_id = ? AND reader = ?"),
        )
        .bind(comment_id)
        .bind(reader)
        .fetch_optional(&mut *transaction)
        .await?;
        transaction.commit().await?;
        if changed == 1 {
            self.live_changed(LiveChange::new(LiveKind::Likes, article_id, comment_id))
                .await;
        }
        Ok(LikeOutcome::Counted {
            likes,
            liked: liked_now.is_some(),
        })
    }

    /// Which of an article's comments this reader likes.
    pub async fn liked_by(&self, article_id: &str, reader: &str) -> Result<HashSet<String>> {
        let ids: Vec<String> = sqlx::query_scalar(&self.sql(
            "SELECT l.comment_id FROM comment_likes l JOIN comments c ON c.id = l.comment_id
             WHERE l.reader = ? AND c.article_id = ?",
        ))
        .bind(reader)
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().collect())
    }

    /// Each of these comments' likes (absent: none or no such comment), for the moderation
    /// queue and the tests.
    pub async fn like_counts(&self, comment_ids: &[String]) -> Result<HashMap<String, i64>> {
        let mut counts = HashMap::new();
        for chunk in comment_ids.chunks(100) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = self.sql(&format!(
                "SELECT id, likes FROM comments WHERE likes > 0 AND id IN ({marks})"
            ));
            let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            counts.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(counts)
    }

    /// How many rows say someone likes the comment (the tests compare it with the count).
    pub async fn like_rows(&self, comment_id: &str) -> Result<i64> {
        sqlx::query_scalar(&self.sql("SELECT COUNT(*) FROM comment_likes WHERE comment_id = ?"))
            .bind(comment_id)
            .fetch_one(&self.pool)
            .await
    }
}

/// One turn of the address's window, or how long until the window ends. One conditional
/// upsert: a new window starts when the last one is over; otherwise a turn is taken only
/// while some are left (concurrent requests take turns one by one, never past the limit).
pub(super) async fn take_like_turn(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    limit: &LikeLimit,
    now: i64,
) -> Result<Option<i64>> {
    if limit.window_ms <= 0 {
        return Ok(None);
    }
    let window_over = now - limit.window_ms;
    let taken = sqlx::query(&placeholders(
        engine,
        "INSERT INTO like_turns (subject, window_start, turns) VALUES (?, ?, 1)
         ON CONFLICT (subject) DO UPDATE SET
             turns = CASE WHEN like_turns.window_start <= ? THEN 1
                 ELSE like_turns.turns + 1 END,
             window_start = CASE WHEN like_turns.window_start <= ? THEN excluded.window_start
                 ELSE like_turns.window_start END
         WHERE like_turns.window_start <= ? OR like_turns.turns < ?",
    ))
    .bind(&limit.subject)
    .bind(now)
    .bind(window_over)
    .bind(window_over)
    .bind(window_over)
    .bind(limit.turns)
    .execute(&mut **transaction)
    .await?;
    if taken.rows_affected() > 0 {
        return Ok(None);
    }
    let started: i64 = sqlx::query_scalar(&placeholders(
        engine,
        "SELECT window_start FROM like_turns WHERE subject = ?",
    ))
    .bind(&limit.subject)
    .fetch_one(&mut **transaction)
    .await?;
    Ok(Some((started + limit.window_ms - now).max(1)))
}

/// The article's public thread changed at `now` (a count moved), later than every change
/// recorded before (its row's and its publications'), so its validator changes; its
/// approved count is left as it is (a new row counts none: without a row, every approved
/// comment is one of its publications). Under the row's lock on PostgreSQL, so concurrent
/// likes each move it.
async fn touch_activity(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    article_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(&placeholders(
        engine,
        "INSERT INTO article_activity (article_id, changed_at, approved)
         SELECT ?, CASE WHEN last.at >= ? THEN last.at + 1 ELSE ? END, 0
         FROM (SELECT MAX(at) AS at FROM (
             SELECT changed_at AS at FROM article_activity WHERE article_id = ?
             UNION ALL
             SELECT MAX(published_at) FROM activity_publications WHERE article_id = ?
         ) AS known) AS last WHERE true
         ON CONFLICT (article_id) DO UPDATE SET changed_at = CASE
             WHEN excluded.changed_at > article_activity.changed_at THEN excluded.changed_at
             ELSE article_activity.changed_at + 1 END",
    ))
    .bind(article_id)
    .bind(now)
    .bind(now)
    .bind(article_id)
    .bind(article_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
