//! A comment changed by its own author (issue 20, migration 0016): its text edited, or the
//! comment deleted, within the window after posting. Invariants:
//! - only the comment's author changes it: the browser whose author token's digest it
//!   stores, or the signed-in account it was written under; only while the window is open;
//!   never a rejected, spam or already deleted comment (as unknown as a made-up id);
//! - each change is one transaction: the address's turn (a refusal changes nothing), the
//!   comment, the previous text in `audit_log` (moderators read it), the webhook of a comment
//!   that leaves the public thread, and the article's activity recounted, so the public
//!   validators and counts change with it and no cached list or page is stale;
//! - an approved comment whose new text the caller says must be held (the link rule) is
//!   pending again; a held one stays held;
//! - a deleted comment with replies stays as a tombstone (approved, no author, email, website,
//!   address, token, account or text, `deleted_at` set) so its replies keep their place; one
//!   without replies is removed, and so is a tombstone its last reply leaves alone.
//! Every change is committed in one place, `Store::commit_author_change`, which then tells the
//! live updates.

use sqlx::Row;

use super::likes::{take_like_turn, LikeLimit};
use super::live::{LiveChange, LiveKind};
use super::outbox::{enqueue_webhook, WebhookEvent};
use super::{Engine, ModerationStatus, Result, Store};

/// Who asks: the digest of their browser's author token, and their signed-in account
/// (`iss|sub`), each if they have one. Either may match the comment's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Editor<'a> {
    pub token: Option<&'a str>,
    pub account: Option<&'a str>,
}

/// What the author wants done.
#[derive(Clone, Debug)]
pub enum AuthorChange {
    /// The comment's new text, checked by the posting rules already; `hold` when the rules
    /// that hold a new comment for moderation hold this text (`--hold-links`, hold-all).
    Edit {
        content: String,
        hold: bool,
    },
    Delete,
}

/// What an edit or a deletion did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The text changed at `edited_at`; the comment's status after it.
    Edited {
        status: ModerationStatus,
        edited_at: i64,
    },
    /// Deleted, kept as a tombstone for its replies.
    Tombstoned,
    /// Deleted and gone (it had no replies).
    Removed,
    /// No comment with this id on this article that its author could still see.
    NoSuchComment,
    /// Someone else wrote it.
    NotYours,
    /// The window closed at this time (ms since the epoch).
    WindowOver(i64),
    /// Over the address's limit: milliseconds until its window ends.
    TooMany(i64),
}

/// A comment's edit and deletion as a page reads them (`CommentPage::revisions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Revision {
    pub edited_at: Option<i64>,
    pub deleted: bool,
}

impl Revision {
    /// From a page's row (`edited_at`, `deleted_at`); `None` for a comment never changed.
    pub(super) fn from_row(row: &sqlx::any::AnyRow) -> Result<Option<Revision>> {
        let edited_at: Option<i64> = row.try_get("edited_at")?;
        let deleted_at: Option<i64> = row.try_get("deleted_at")?;
        Ok(
            (edited_at.is_some() || deleted_at.is_some()).then_some(Revision {
                edited_at,
                deleted: deleted_at.is_some(),
            }),
        )
    }
}

/// The audit log's moderator column for what an author did themselves.
pub const AUTHOR_IN_AUDIT: &str = "(its author)";

/// The comment as the change finds it.
struct Found {
    status: String,
    author: String,
    content: String,
    created_at: i64,
    author_token: Option<String>,
    account: Option<String>,
    deleted_at: Option<i64>,
    parent_id: Option<String>,
    replies: i64,
}

impl Store {
    /// The author edits or deletes their comment, `window_ms` after posting at most, after
    /// the address's turn (`limit`), all in one transaction.
    /// When its author last edited the comment (0: never; `None`: no such comment): the
    /// version a moderator's Approve names, so that text nobody saw is never approved.
    pub async fn edit_version(&self, comment_id: &str) -> Result<Option<i64>> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as(&self.sql("SELECT edited_at FROM comments WHERE id = ?"))
                .bind(comment_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(edited,)| edited.unwrap_or(0)))
    }

    pub async fn change_own_comment(
        &self,
        article_id: &str,
        comment_id: &str,
        editor: Editor<'_>,
        change: &AuthorChange,
        now: i64,
        window_ms: i64,
        limit: &LikeLimit,
    ) -> Result<ChangeOutcome> {
        let mut transaction = self.writer.begin().await?;
        // The turn first: a write, so that SQLite's transaction holds the write lock from
        // here on (as flood control does).
        if let Some(wait) = take_like_turn(&mut transaction, self.engine, limit, now).await? {
            transaction.rollback().await?;
            return Ok(ChangeOutcome::TooMany(wait));
        }
        // On PostgreSQL the row is locked until the commit: a moderation, a reply's delete or
        // a second edit waits for this one (SQLite's write lock is already held).
        let lock = match self.engine {
            Engine::Postgres => " FOR UPDATE",
            Engine::Sqlite => "",
        };
        let row = sqlx::query(&self.sql(&format!(
            "SELECT status, author, content, created_at, author_token, account, deleted_at,
                 parent_id, (SELECT COUNT(*) FROM comments r WHERE r.parent_id = c.id) AS replies
             FROM comments c WHERE id = ? AND article_id = ?{lock}"
        )))
        .bind(comment_id)
        .bind(article_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let found = match row {
            None => None,
            Some(row) => Some(Found {
                status: row.try_get("status")?,
                author: row.try_get("author")?,
                content: row.try_get("content")?,
                created_at: row.try_get("created_at")?,
                author_token: row.try_get("author_token")?,
                account: row.try_get("account")?,
                deleted_at: row.try_get("deleted_at")?,
                parent_id: row.try_get("parent_id")?,
                replies: row.try_get("replies")?,
            }),
        };
        let refused = match &found {
            None => Some(ChangeOutcome::NoSuchComment),
            Some(found)
                if found.deleted_at.is_some()
                    || !matches!(found.status.as_str(), "approved" | "pending") =>
            {
                Some(ChangeOutcome::NoSuchComment)
            }
            Some(found) if !is_author(found, editor) => Some(ChangeOutcome::NotYours),
            Some(found) if now >= found.created_at.saturating_add(window_ms) => Some(
                ChangeOutcome::WindowOver(found.created_at.saturating_add(window_ms)),
            ),
            Some(_) => None,
        };
        let found = match (refused, found) {
            (None, Some(found)) => found,
            (refused, _) => {
                // The turn stays taken: probing ids costs turns too.
                transaction.commit().await?;
                return Ok(refused.unwrap_or(ChangeOutcome::NoSuchComment));
            }
        };
        let approved = found.status == "approved";
        let outcome = match change {
            AuthorChange::Edit { content, hold } => {
                let status = if approved && !hold {
                    ModerationStatus::Approved
                } else {
                    ModerationStatus::Pending
                };
                sqlx::query(&self.sql(
                    // Unpinned: a moderator pinned the text as it was.
                    "UPDATE comments SET content = ?, edited_at = ?, status = ?, pinned_at = NULL
                     WHERE id = ?",
                ))
                .bind(content)
                .bind(now)
                .bind(status.as_str())
                .bind(comment_id)
                .execute(&mut *transaction)
                .await?;
                audit(
                    &mut transaction,
                    self.engine,
                    now,
                    "comment edited by its author",
                    comment_id,
                    &found.content,
                )
                .await?;
                if approved && status == ModerationStatus::Pending {
                    // Back to moderation: the receivers hear it is held again.
                    enqueue_webhook(
                        &mut transaction,
                        self.engine,
                        comment_id,
                        now,
                        WebhookEvent::Held,
                    )
                    .await?;
                }
                ChangeOutcome::Edited {
                    status,
                    edited_at: now,
                }
            }
            AuthorChange::Delete => {
                audit(
                    &mut transaction,
                    self.engine,
                    now,
                    "comment deleted by its author",
                    comment_id,
                    &format!("{}: {}", found.author, found.content),
                )
                .await?;
                if approved {
                    // The comment as it was, read before it changes.
                    enqueue_webhook(
                        &mut transaction,
                        self.engine,
                        comment_id,
                        now,
                        WebhookEvent::Deleted,
                    )
                    .await?;
                }
                if approved && found.replies > 0 {
                    sqlx::query(&self.sql(
                        "UPDATE comments SET author = '', email = '', website = NULL, content = '',
                             client_address = '', author_token = NULL, account = NULL,
                             notify = 0, deleted_at = ?, pinned_at = NULL
                         WHERE id = ?",
                    ))
                    .bind(now)
                    .bind(comment_id)
                    .execute(&mut *transaction)
                    .await?;
                    ChangeOutcome::Tombstoned
                } else {
                    self.remove_with_lone_tombstones(&mut transaction, comment_id, found.parent_id)
                        .await?;
                    ChangeOutcome::Removed
                }
            }
        };
        self.commit_author_change(transaction, article_id, comment_id, &outcome, approved, now)
            .await?;
        Ok(outcome)
    }

    /// Removes the comment (a held one's replies, if any, each become a thread of their own,
    /// as a moderator's deletion leaves them), then each tombstone above it that no reply
    /// holds up any more.
    async fn remove_with_lone_tombstones(
        &self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
        comment_id: &str,
        mut parent: Option<String>,
    ) -> Result<()> {
        sqlx::query(&self.sql("DELETE FROM comments WHERE id = ?"))
            .bind(comment_id)
            .execute(&mut **transaction)
            .await?;
        sqlx::query(&self.sql("UPDATE comments SET root_id = id WHERE root_id = ? AND id <> ?"))
            .bind(comment_id)
            .bind(comment_id)
            .execute(&mut **transaction)
            .await?;
        // A thread is at most a few levels deep; the bound keeps a damaged cycle finite.
        for _ in 0..64 {
            let Some(id) = parent.take() else { break };
            parent = sqlx::query_scalar::<_, Option<String>>(&self.sql(
                "DELETE FROM comments WHERE id = ? AND deleted_at IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = ?)
                 RETURNING parent_id",
            ))
            .bind(&id)
            .bind(&id)
            .fetch_optional(&mut **transaction)
            .await?
            .flatten();
        }
        Ok(())
    }

    /// The one place where an author's edit or deletion is committed: the article's thread
    /// counted again and its activity moved forward (its validators and counts change), the
    /// transaction committed, the outbox's workers woken for the webhook it may have written.
    /// Then the live updates: an approved comment's new text as `edited`; a comment that
    /// was public and is no longer (held again, removed, or a tombstone, which a live page
    /// shows as gone until it reads the thread again) as `deleted`; a held comment's edit
    /// as nothing.
    async fn commit_author_change(
        &self,
        transaction: sqlx::Transaction<'_, sqlx::Any>,
        article_id: &str,
        comment_id: &str,
        outcome: &ChangeOutcome,
        was_public: bool,
        now: i64,
    ) -> Result<()> {
        self.changed(transaction, article_id, now).await?;
        self.outbox_written();
        let live = match outcome {
            ChangeOutcome::Edited {
                status: ModerationStatus::Approved,
                ..
            } => Some(LiveKind::Edited),
            ChangeOutcome::Edited { .. } | ChangeOutcome::Tombstoned | ChangeOutcome::Removed
                if was_public =>
            {
                Some(LiveKind::Deleted)
            }
            _ => None,
        };
        if let Some(kind) = live {
            self.live_changed(LiveChange::new(kind, article_id, comment_id))
                .await;
        }
        Ok(())
    }
}

/// Whether the one asking wrote the comment: the same author token's digest, or the same
/// signed-in account.
fn is_author(found: &Found, editor: Editor<'_>) -> bool {
    let same = |stored: &Option<String>, asking: Option<&str>| matches!((stored.as_deref(), asking), (Some(a), Some(b)) if !a.is_empty() && a == b);
    same(&found.author_token, editor.token) || same(&found.account, editor.account)
}

/// The previous text, in the moderators' audit log, in the change's transaction.
async fn audit(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    now: i64,
    action: &str,
    comment_id: &str,
    previous: &str,
) -> Result<()> {
    sqlx::query(&super::placeholders(
        engine,
        "INSERT INTO audit_log (at, moderator, action, target, detail) VALUES (?, ?, ?, ?, ?)",
    ))
    .bind(now)
    .bind(AUTHOR_IN_AUDIT)
    .bind(action)
    .bind(comment_id)
    .bind(previous)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
