//! Comments and the pages of a thread: storing one (with its key's answer, flood control and
//! its messages in one transaction) or many, reading pages by keyset, moderation's status
//! changes and deletions (each recorded in the article's activity, same transaction).

use article_widget::domain::thread::ThreadOrder;
use sqlx::{AnyConnection, Executor};

use super::activity::{bind_publication, publish, recount, PUBLISH};
use super::idempotency::{bind_answer, record_answer, take_flood_turns, RECORD_ANSWER};
use super::live::{LiveChange, LiveKind};
use super::outbox::{enqueue, enqueue_webhook, Event, WebhookEvent};
use super::pins::MAX_PINNED;
use super::{
    placeholders, AnyQuery, Engine, ModerationStatus, NotStored, Result, Store, StoredAnswer,
    StoredComment, COMMENT_COLUMNS,
};

/// One page of an article's thread in one statement (one round trip, which is what made
/// PostgreSQL slower than SQLite when it took three): the page's roots in `order` after a
/// cursor when `after_cursor` (`part` 0), every visible reply in their threads (`part` 1),
/// and on the first page the visible replies whose root this viewer cannot see (`part` 2).
/// `page_root` is the thread each row belongs to. The roots' query asks for one more than a
/// page, to know whether more follow. Binds: article id, viewer token, [cursor `created_at`,
/// cursor id], limit, [article id (pinned)], viewer token, [article id, viewer token, viewer
/// token]. On the first page, the article's pinned threads come too (`part` 3).
/// Shared by `comment_page`, which runs it, and `explain_paging`, which shows its plan.
fn page_sql(order: ThreadOrder, after_cursor: bool) -> String {
    let (direction, compare) = match order {
        ThreadOrder::OldestFirst | ThreadOrder::BestFirst => ("ASC", ">"),
        ThreadOrder::NewestFirst => ("DESC", "<"),
    };
    // A row-value comparison, which both engines read as a seek in the index. Best first:
    // fewer likes, or as many and later (the cursor binds its likes twice).
    let after = match (after_cursor, order) {
        (false, _) => String::new(),
        (true, ThreadOrder::BestFirst) => {
            format!("AND (likes < ? OR (likes = ? AND (created_at, id) {compare} (?, ?)))")
        }
        (true, _) => format!("AND (created_at, id) {compare} (?, ?)"),
    };
    // Best first: most liked first (then oldest), in the roots and in the page's order.
    let (by_likes, part_by_likes) = match order {
        ThreadOrder::BestFirst => ("likes DESC, ", "CASE WHEN part = 0 THEN likes END DESC, "),
        _ => ("", ""),
    };
    // Each comment's likes come with it (`CommentPage::likes`), and its author's edit or
    // deletion (`CommentPage::revisions`).
    let columns = format!("{COMMENT_COLUMNS}, likes, edited_at, deleted_at");
    // Pinned threads (issue 20): on the first page only, before the others whatever the
    // order, and never among the roots paged by keyset, so no thread is on two pages. A few
    // rows, indexed apart (`comments_pinned`).
    let (pinned, pinned_roots, pinned_part) = if after_cursor {
        (String::new(), "", String::new())
    } else {
        (
            format!(
                ", pinned_roots AS (
                 SELECT {columns} FROM comments
                 WHERE article_id = ? AND pinned_at IS NOT NULL AND root_id = id
                     AND status = 'approved'
                 ORDER BY pinned_at, id LIMIT {MAX_PINNED})"
            ),
            " UNION ALL SELECT id FROM pinned_roots",
            format!(
                "UNION ALL
             SELECT CAST(3 AS BIGINT) AS part, id AS page_root, {columns} FROM pinned_roots"
            ),
        )
    };
    // Replies in threads whose first comment this viewer cannot see (held, rejected): the
    // hidden roots are few, and indexed apart (`comments_hidden_roots`).
    let hidden = if after_cursor {
        String::new()
    } else {
        format!(
            "UNION ALL
             SELECT CAST(2 AS BIGINT) AS part, root_id AS page_root, {columns}
             FROM comments
             WHERE root_id IN (SELECT id FROM comments
                 WHERE article_id = ? AND root_id = id AND status <> 'approved'
                 AND NOT (status = 'pending' AND COALESCE(author_token, '') = ?))
             AND root_id <> id {VISIBLE}"
        )
    };
    // (A root's replies are of its article: a reply's root is found only within its own
    // article when it is stored.) A union has no order of its own: the rows come sorted by
    // the database, the roots in page order and the replies oldest first, so the root that
    // only says that more follow is the one the database put last (its collation, not ours).
    format!(
        "SELECT * FROM (WITH page_roots AS (
             SELECT {columns} FROM comments
             WHERE article_id = ? AND root_id = id {VISIBLE} {UNPINNED} {after}
             ORDER BY {by_likes}created_at {direction}, id {direction} LIMIT ?){pinned}
         SELECT CAST(0 AS BIGINT) AS part, id AS page_root, {columns} FROM page_roots
         UNION ALL
         SELECT CAST(1 AS BIGINT) AS part, root_id AS page_root, {columns}
         FROM comments
         WHERE root_id IN (SELECT id FROM page_roots{pinned_roots}) AND root_id <> id {VISIBLE}
         {pinned_part}
         {hidden}) AS page
         ORDER BY part, {part_by_likes}CASE WHEN part = 0 THEN created_at END {direction},
             CASE WHEN part = 0 THEN id END {direction}, created_at, id"
    )
}

/// The roots paged by keyset: all but the pinned threads shown apart on the first page (a
/// pinned comment no longer approved is paged as any other, for its author's browser).
const UNPINNED: &str = "AND (pinned_at IS NULL OR status <> 'approved')";

/// What a viewer may see: approved comments, and their own held ones (one bound token; stored
/// tokens are 64 hex digits, so the empty string matches none).
const VISIBLE: &str = "AND (status = 'approved' OR (status = 'pending' AND author_token = ?))";

/// Where the next page starts: after this root (keyset paging: a page costs the same deep in
/// a long thread as at its start, and a comment posted meanwhile shifts nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
    /// The root's likes, when the page is "Best first" (then the cursor starts with them).
    pub likes: Option<i64>,
}

impl Cursor {
    /// `1737100000000.3f2a…`: the root's time and id, as the `after` parameter carries it;
    /// `7.1737100000000.3f2a…` with its likes first, for "Best first".
    pub fn parse(text: &str) -> Option<Cursor> {
        let (likes, rest) = match text.matches('.').count() {
            2 => {
                let (likes, rest) = text.split_once('.')?;
                (Some(likes.parse::<i64>().ok().filter(|n| *n >= 0)?), rest)
            }
            _ => (None, text),
        };
        let (time, id) = rest.split_once('.')?;
        let valid =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric());
        Some(Cursor {
            created_at: time.parse().ok()?,
            id: id.to_owned(),
            likes,
        })
        .filter(|_| valid)
    }

    pub fn to_param(&self) -> String {
        match self.likes {
            Some(likes) => format!("{likes}.{}.{}", self.created_at, self.id),
            None => format!("{}.{}", self.created_at, self.id),
        }
    }
}

#[derive(Clone, Debug)]
pub struct PageRequest {
    pub per_page: usize,
    pub order: ThreadOrder,
    pub after: Option<Cursor>,
}

/// A page: its comments (roots in page order, then their replies, oldest first), how many
/// comments the viewer can see in all, and where the next page starts.
#[derive(Debug)]
pub struct CommentPage {
    pub comments: Vec<StoredComment>,
    pub total: i64,
    pub next: Option<Cursor>,
    /// Each comment's likes (by id; absent: none).
    pub likes: std::collections::HashMap<String, i64>,
    /// The comments on the article this viewer likes (none without a token).
    pub liked: std::collections::HashSet<String>,
    /// The pinned comments among them (on the first page only, which shows them first).
    pub pinned: std::collections::HashSet<String>,
    /// The comments their authors edited or deleted (by id; absent: neither).
    pub revisions: std::collections::HashMap<String, super::edits::Revision>,
}

impl Store {
    /// One page of the thread as this viewer sees it: up to `per_page` threads (a root and
    /// all its visible replies) after `after` in `order`, and whether more follow. A reply
    /// whose root this viewer cannot see (held, rejected or deleted after the reply was
    /// approved) is on the first page, where the widget shows it at the top level, so no
    /// visible comment is on no page.
    /// `approved`: the article's approved count when the caller has just read it (its
    /// `activity`), so it is not read twice.
    pub async fn comment_page(
        &self,
        article_id: &str,
        author_token: Option<&str>,
        request: &PageRequest,
        approved: Option<i64>,
    ) -> Result<CommentPage> {
        use sqlx::{FromRow, Row};
        let token = author_token.unwrap_or("");
        let first = request.after.is_none();
        let sql = self.sql(&page_sql(request.order, !first));
        let mut query = sqlx::query(&sql).bind(article_id).bind(token);
        if let Some(cursor) = &request.after {
            if request.order == ThreadOrder::BestFirst {
                let likes = cursor.likes.unwrap_or(0);
                query = query.bind(likes).bind(likes);
            }
            query = query.bind(cursor.created_at).bind(&cursor.id);
        }
        query = query.bind(request.per_page as i64 + 1);
        if first {
            query = query.bind(article_id);
        }
        query = query.bind(token);
        if first {
            query = query.bind(article_id).bind(token).bind(token);
        }
        let (mut roots, mut replies, mut orphans) = (Vec::new(), Vec::new(), Vec::new());
        let mut pinned_roots = Vec::new();
        let mut likes = std::collections::HashMap::new();
        let mut revisions = std::collections::HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let part: i64 = row.try_get("part")?;
            let thread: String = row.try_get("page_root")?;
            let comment = StoredComment::from_row(&row)?;
            let count: i64 = row.try_get("likes")?;
            if count > 0 {
                likes.insert(comment.id.clone(), count);
            }
            if let Some(revision) = super::edits::Revision::from_row(&row)? {
                revisions.insert(comment.id.clone(), revision);
            }
            match part {
                0 => roots.push(comment),
                1 => replies.push((thread, comment)),
                3 => pinned_roots.push(comment),
                _ => orphans.push(comment),
            }
        }
        // (In the database's order: see `page_sql`.)
        let more = roots.len() > request.per_page;
        // The extra root only said that more follow: it and its replies are the next page's.
        let extra = more.then(|| roots.pop()).flatten().map(|root| root.id);
        let next = more.then(|| roots.last()).flatten().map(|last| Cursor {
            created_at: last.created_at,
            id: last.id.clone(),
            likes: (request.order == ThreadOrder::BestFirst)
                .then(|| likes.get(&last.id).copied().unwrap_or(0)),
        });
        let replies: Vec<StoredComment> = replies
            .into_iter()
            .filter(|(thread, _)| extra.as_ref() != Some(thread))
            .map(|(_, reply)| reply)
            .collect();
        // Pinned threads first (issue 20), then the page's roots and every reply.
        let pinned = pinned_roots.iter().map(|root| root.id.clone()).collect();
        let mut comments = pinned_roots;
        comments.extend(roots);
        comments.extend(replies);
        comments.extend(orphans);
        // Approved comments as counted with each change, and this viewer's held ones.
        let approved = match approved {
            Some(approved) => approved,
            None => self.activity(article_id).await?.map_or(0, |a| a.approved),
        };
        let held: i64 = match author_token {
            Some(token) => {
                sqlx::query_scalar(&self.sql(
                    "SELECT COUNT(*) FROM comments
                     WHERE article_id = ? AND status = 'pending' AND author_token = ?",
                ))
                .bind(article_id)
                .bind(token)
                .fetch_one(&self.pool)
                .await?
            }
            None => 0,
        };
        let total = approved + held;
        let liked = match author_token {
            Some(token) if !likes.is_empty() => self.liked_by(article_id, token).await?,
            _ => Default::default(),
        };
        Ok(CommentPage {
            comments,
            total,
            next,
            likes,
            liked,
            pinned,
            revisions,
        })
    }

    /// The query plans of the paging queries, for the README and a test (`EXPLAIN QUERY
    /// PLAN` on SQLite, `EXPLAIN` on PostgreSQL): each must use an index, never scan.
    /// `natural`: as the planner chooses for the table as it is (else, on PostgreSQL, with
    /// sequential scans discouraged, to show which index serves on a small table).
    pub async fn explain_paging(&self, natural: bool) -> Result<Vec<String>> {
        let explain = match self.engine {
            Engine::Sqlite => "EXPLAIN QUERY PLAN",
            Engine::Postgres => "EXPLAIN",
        };
        // The very statement `comment_page` runs, for a later page and for the first (with
        // the replies under hidden roots), so the plan a test checks is the plan served.
        let queries = [
            page_sql(ThreadOrder::OldestFirst, true),
            page_sql(ThreadOrder::OldestFirst, false),
        ];
        let mut plans = Vec::new();
        let mut connection = self.pool.acquire().await?;
        if self.engine == Engine::Postgres && !natural {
            // A small table is read whole whatever the indexes; this asks whether an index
            // can serve the query at all (with 10,000 comments the planner picks it itself).
            connection.execute("SET enable_seqscan = off").await?;
        }
        for (index, query) in queries.iter().enumerate() {
            let sql = self.sql(&format!("{explain} {query}"));
            let mut q = sqlx::query(&sql).bind("a").bind("");
            q = if index == 0 {
                q.bind(0i64).bind("x").bind(51i64).bind("")
            } else {
                q.bind(51i64).bind("a").bind("").bind("a").bind("").bind("")
            };
            let rows = q.fetch_all(&mut *connection).await?;
            let mut lines = Vec::new();
            for row in rows {
                use sqlx::Row;
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                let line: String = match self.engine {
                    Engine::Sqlite => row.try_get(3)?,
                    Engine::Postgres => row.try_get(0)?,
                };
                lines.push(line);
            }
            plans.push(lines.join("\n"));
        }
        if self.engine == Engine::Postgres && !natural {
            connection.execute("RESET enable_seqscan").await?;
        }
        Ok(plans)
    }

    pub async fn comment(&self, id: &str) -> Result<Option<StoredComment>> {
        sqlx::query_as(&self.sql(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Every comment with a status (`None`: all), newest first, for moderators.
    /// What the moderation area lists: comments with this status (all of them with `None`),
    /// on one article or all, matching a search in author, email, client address or text
    /// (case-insensitive), newest first, at most `limit`.
    pub async fn search_comments(
        &self,
        status: Option<ModerationStatus>,
        article_id: Option<&str>,
        search: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredComment>> {
        let mut conditions = Vec::new();
        if status.is_some() {
            conditions.push("status = ?");
        }
        if article_id.is_some() {
            conditions.push("article_id = ?");
        }
        if search.is_some() {
            conditions.push(
                "(LOWER(author) LIKE ? OR LOWER(email) LIKE ? OR LOWER(client_address) LIKE ?
                  OR LOWER(content) LIKE ?)",
            );
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = self.sql(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments {filter} ORDER BY created_at DESC, id LIMIT ?"
        ));
        let mut query = sqlx::query_as::<_, StoredComment>(&sql);
        if let Some(status) = status {
            query = query.bind(status.as_str());
        }
        if let Some(article_id) = article_id {
            query = query.bind(article_id);
        }
        if let Some(search) = search {
            // LIKE's own characters are taken literally.
            let escaped: String = search
                .to_lowercase()
                .chars()
                .filter(|c| !matches!(c, '%' | '_' | '\\'))
                .collect();
            let pattern = format!("%{escaped}%");
            for _ in 0..4 {
                query = query.bind(pattern.clone());
            }
        }
        query.bind(limit).fetch_all(&self.pool).await
    }

    pub async fn comments_with_status(
        &self,
        status: Option<ModerationStatus>,
    ) -> Result<Vec<StoredComment>> {
        match status {
            Some(status) => {
                sqlx::query_as(&self.sql(&format!(
                    "SELECT {COMMENT_COLUMNS} FROM comments WHERE status = ? ORDER BY created_at DESC, id"
                )))
                .bind(status.as_str())
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query_as(&format!(
                    "SELECT {COMMENT_COLUMNS} FROM comments ORDER BY created_at DESC, id"
                ))
                .fetch_all(&self.pool)
                .await
            }
        }
    }

    /// Sets a comment's status; false when there is no such comment. Its article's public
    /// thread may have changed (`changed_at`), recorded in the same transaction.
    pub async fn set_status(&self, id: &str, status: ModerationStatus, now: i64) -> Result<bool> {
        // Only a change of status is one: the same status again (a second click, a retried
        // request, two moderators at once) changes nothing and tells nobody.
        let sql = self.sql(
            "UPDATE comments SET status = ? WHERE id = ? AND status <> ? RETURNING article_id",
        );
        let mut transaction = self.writer.begin().await?;
        // Whether it was public: only then do live pages hear it is gone (a held comment
        // rejected tells no reader its id). Read by a write that changes nothing, so that the
        // transaction holds the write lock from its first statement: on SQLite one that reads
        // first cannot take it later while another process writes ("database is locked").
        let was_approved = sqlx::query_scalar::<_, String>(
            &self.sql("UPDATE comments SET status = status WHERE id = ? RETURNING status"),
        )
        .bind(id)
        .fetch_optional(&mut *transaction)
        .await?
        .is_some_and(|before| before == ModerationStatus::Approved.as_str());
        let Some(article_id) = sqlx::query_scalar::<_, String>(&sql)
            .bind(status.as_str())
            .bind(id)
            .bind(status.as_str())
            .fetch_optional(&mut *transaction)
            .await?
        else {
            let exists = sqlx::query_scalar::<_, String>(&self.sql(
                "SELECT id FROM comments WHERE id = ?",
            ))
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?
            .is_some();
            transaction.rollback().await?;
            return Ok(exists);
        };
        // An approved reply tells its parent's author, if they asked (once per reply).
        enqueue(&mut transaction, self.engine, id, now, Event::ReplyApproved).await?;
        // Webhooks: held again, approved or marked spam, once for each change of status (a
        // comment approved, rejected and approved again is told of twice).
        if let Some(event) = WebhookEvent::of_status(status) {
            enqueue_webhook(&mut transaction, self.engine, id, now, event).await?;
        }
        let changed = self.changed(transaction, &article_id, now).await;
        self.outbox_written();
        // Public now, or no longer.
        let kind = match status {
            ModerationStatus::Approved => Some(LiveKind::Approved),
            _ if was_approved => Some(LiveKind::Deleted),
            _ => None,
        };
        if let Some(kind) = kind {
            self.live_changed(LiveChange::new(kind, &article_id, id))
                .await;
        }
        changed
    }

    /// Deletes a comment; its replies stay, shown at the top level by the widget. When it
    /// began a thread, every reply in it becomes a thread of its own (each still shown under
    /// its parent when both are on one page), so none hangs on a root that is gone.
    pub async fn delete(&self, id: &str, now: i64) -> Result<bool> {
        let sql = self.sql("DELETE FROM comments WHERE id = ? RETURNING article_id");
        let reroot = self.sql("UPDATE comments SET root_id = id WHERE root_id = ? AND id <> ?");
        let mut transaction = self.writer.begin().await?;
        // Webhooks: the comment as it was, read before it goes.
        enqueue_webhook(
            &mut transaction,
            self.engine,
            id,
            now,
            WebhookEvent::Deleted,
        )
        .await?;
        let Some(article_id) = sqlx::query_scalar::<_, String>(&sql)
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?
        else {
            transaction.rollback().await?;
            return Ok(false);
        };
        sqlx::query(&reroot)
            .bind(id)
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let changed = self.changed(transaction, &article_id, now).await;
        self.outbox_written();
        self.live_changed(LiveChange::new(LiveKind::Deleted, &article_id, id))
            .await;
        changed
    }

    /// True when this email address already has an approved comment.
    pub async fn has_approved(&self, email: &str) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar(
            &self.sql("SELECT id FROM comments WHERE email = ? AND status = 'approved' LIMIT 1"),
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// In one transaction: flood control for every subject (an email, a client address), then
    /// the comment and the answer its key will repeat. Either all of it happens, or nothing.
    /// `answer` builds the stored answer from the comment. On SQLite the transaction is a
    /// savepoint in a batch that commits many at once (`writer`: group commit); the answer
    /// comes back once its batch is committed.
    pub async fn insert_comment(
        &self,
        comment: &StoredComment,
        key: &str,
        claimed_at: i64,
        flood_subjects: &[String],
        flood_window_ms: i64,
        answer: impl FnOnce(&StoredComment) -> StoredAnswer,
    ) -> Result<std::result::Result<StoredAnswer, NotStored>> {
        let answer = answer(comment);
        let stored = match &self.batches {
            Some(batches) => {
                batches
                    .insert(
                        comment.clone(),
                        key.to_owned(),
                        claimed_at,
                        flood_subjects.to_vec(),
                        flood_window_ms,
                        answer.clone(),
                    )
                    .await?
            }
            // One statement needs no transaction around it (two round trips fewer).
            None if self.engine == Engine::Postgres
                && (flood_subjects.is_empty() || flood_window_ms <= 0)
                && ![Event::Stored, Event::ReplyApproved]
                    .into_iter()
                    .any(|event| event.may_concern(comment)) =>
            {
                let mut connection = self.writer.acquire().await?;
                if stored_published_answered(&mut connection, comment, key, claimed_at, &answer)
                    .await?
                {
                    Ok(())
                } else {
                    Err(NotStored::ClaimLost)
                }
            }
            None => {
                let mut transaction = self.writer.begin().await?;
                let stored = store_comment(
                    &mut transaction,
                    self.engine,
                    comment,
                    key,
                    claimed_at,
                    flood_subjects,
                    flood_window_ms,
                    &answer,
                )
                .await?;
                match stored {
                    Ok(()) => transaction.commit().await?,
                    Err(_) => transaction.rollback().await?,
                }
                stored
            }
        };
        if stored.is_ok() && comment.status == ModerationStatus::Approved {
            self.published(&comment.article_id).await;
            self.live_changed(LiveChange::new(
                LiveKind::Approved,
                &comment.article_id,
                &comment.id,
            ))
            .await;
        }
        if stored.is_ok()
            && [Event::Stored, Event::ReplyApproved]
                .into_iter()
                .any(|event| event.may_concern(comment))
        {
            self.outbox_written();
        }
        Ok(stored.map(|()| answer))
    }

    /// Stores many comments in one transaction, as they are (their own ids, times and
    /// statuses), each after its parent when `comments` is in time order; an id already stored
    /// is skipped. Returns how many were new. For imports and benchmarks: no rules, no flood
    /// control, no idempotency keys.
    pub async fn insert_many(&self, comments: &[StoredComment], now: i64) -> Result<u64> {
        let mut transaction = self.writer.begin().await?;
        let mut added = 0;
        let mut touched: Vec<&str> = Vec::new();
        for comment in comments {
            let new = insert_row(&mut transaction, self.engine, comment, true).await?;
            added += new;
            if new > 0 && !touched.contains(&comment.article_id.as_str()) {
                touched.push(&comment.article_id);
            }
        }
        for article_id in touched {
            recount(&mut transaction, self.engine, article_id, now).await?;
        }
        transaction.commit().await?;
        Ok(added)
    }
}

/// A new comment, in the caller's transaction: flood control for every subject, the answer
/// its key will repeat (only while the claim taken at `claimed_at` is still this request's),
/// the comment, its messages and its publication when approved. On a refusal (too soon, or
/// the claim lost) the caller rolls back.
pub(super) async fn store_comment(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment: &StoredComment,
    key: &str,
    claimed_at: i64,
    flood_subjects: &[String],
    flood_window_ms: i64,
    answer: &StoredAnswer,
) -> Result<std::result::Result<(), NotStored>> {
    let now = comment.created_at;
    // Writes come first in the transaction, so that SQLite takes its write lock at once
    // (and waits for it) instead of failing to upgrade a read snapshot.
    if let Some(too_soon) =
        take_flood_turns(transaction, engine, flood_subjects, now, flood_window_ms).await?
    {
        return Ok(Err(NotStored::TooSoon(too_soon)));
    }
    let held = match engine {
        Engine::Postgres => {
            stored_published_answered(transaction, comment, key, claimed_at, answer).await?
        }
        Engine::Sqlite => {
            // The answer first: without the claim, nothing else is written.
            let held = record_answer(transaction, engine, key, claimed_at, answer).await?;
            if held {
                insert_row(transaction, engine, comment, false).await?;
                // Published: one row of its own, so that posts to one article do not queue
                // on its activity row (see `activity`).
                if comment.status == ModerationStatus::Approved {
                    publish(transaction, engine, &comment.article_id, &comment.id, now).await?;
                }
            }
            held
        }
    };
    if !held {
        return Ok(Err(NotStored::ClaimLost));
    }
    // Its messages, in the same transaction: moderators hear of a held comment, its author
    // is asked to confirm their address, a parent's author hears of an approved reply.
    // (Only the events that can write one for this comment: a statement fewer each.)
    for event in [Event::Stored, Event::ReplyApproved] {
        if event.may_concern(comment) {
            enqueue(transaction, engine, &comment.id, now, event).await?;
        }
    }
    Ok(Ok(()))
}

/// PostgreSQL: the key's answer, the comment and its publication when approved in one
/// statement (the data-changing parts of a `WITH` each run once, in one snapshot, all or
/// nothing): one round trip instead of three. The comment is inserted from the answer's
/// update, so a request whose claim was taken over (`claimed_at` no longer the key's)
/// inserts nothing; false then.
async fn stored_published_answered(
    connection: &mut AnyConnection,
    comment: &StoredComment,
    key: &str,
    claimed_at: i64,
    answer: &StoredAnswer,
) -> Result<bool> {
    let published = comment.status == ModerationStatus::Approved;
    let sql = placeholders(
        Engine::Postgres,
        &format!(
            "WITH answered AS ({RECORD_ANSWER} RETURNING 1),
                  stored AS ({INSERT_ROW_IF_ANSWERED}){}
             SELECT COUNT(*) FROM stored",
            if published {
                format!(", published AS ({PUBLISH} WHERE EXISTS (SELECT 1 FROM stored))")
            } else {
                String::new()
            }
        ),
    );
    let mut query = bind_row(
        bind_answer(sqlx::query(&sql), key, claimed_at, answer),
        comment,
    );
    if published {
        query = bind_publication(query, &comment.article_id, &comment.id, comment.created_at);
    }
    let stored: i64 = sqlx::Row::try_get(&query.fetch_one(&mut *connection).await?, 0)?;
    Ok(stored == 1)
}

/// `INSERT_ROW` as PostgreSQL's fenced post writes it: one row for each row of the `answered`
/// part (one, or none when the claim was lost). Binds: `bind_row`.
const INSERT_ROW_IF_ANSWERED: &str = "INSERT INTO comments (id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token, notify, account, badges, root_id)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
         COALESCE((SELECT root_id FROM comments WHERE id = ? AND article_id = ?), ?)
     FROM answered RETURNING id";

/// A comment as it is, with its thread's root: its parent's, or itself (see migration
/// 0004). Binds: `bind_row`.
const INSERT_ROW: &str = "INSERT INTO comments (id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token, notify, account, badges, root_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
         COALESCE((SELECT root_id FROM comments WHERE id = ? AND article_id = ?), ?))";

fn bind_row<'q>(query: AnyQuery<'q>, comment: &'q StoredComment) -> AnyQuery<'q> {
    query
        .bind(comment.id.as_str())
        .bind(comment.article_id.as_str())
        .bind(comment.parent_id.as_deref())
        .bind(comment.author.as_str())
        .bind(comment.email.as_str())
        .bind(comment.website.as_deref())
        .bind(comment.content.as_str())
        .bind(comment.status.as_str())
        .bind(comment.created_at)
        .bind(comment.client_address.as_str())
        .bind(comment.author_token.as_deref())
        .bind(i64::from(comment.notify))
        .bind(comment.account.as_deref())
        .bind(comment.badges.as_deref())
        .bind(comment.parent_id.as_deref())
        .bind(comment.article_id.as_str())
        .bind(comment.id.as_str())
}

/// Stores one comment as it is, with its thread's root: its parent's, or itself (see
/// migration 0004). With `skip_known`, an id already stored is left alone (0 rows).
async fn insert_row(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment: &StoredComment,
    skip_known: bool,
) -> Result<u64> {
    let conflict = if skip_known {
        " ON CONFLICT (id) DO NOTHING"
    } else {
        ""
    };
    let sql = placeholders(engine, &format!("{INSERT_ROW}{conflict}"));
    let done = bind_row(sqlx::query(&sql), comment)
        .execute(&mut **transaction)
        .await?;
    Ok(done.rows_affected())
}
