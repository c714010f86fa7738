//! Storage behind one small interface, two engines: SQLite (a file, WAL, the embedded default)
//! and PostgreSQL (several instances behind a load balancer). Both run the same SQL through
//! sqlx's `Any` driver; only the placeholder syntax differs, and `sql()` translates it (the
//! `Any` driver passes SQL through as it is). Rows are read by column name (`FromRow`).
//!
//! Every rule that must hold across instances is one atomic statement or one transaction in
//! the database: claiming an idempotency key, flood control, storing a comment together with
//! the answer its key will repeat.

use std::time::Duration;

use article_widget::domain::comment::CommentStatus;
use article_widget::domain::thread::ThreadOrder;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

mod moderation;
mod outbox;
mod statistics;

pub use outbox::OutboxItem;

/// What can go wrong opening the store. Once open, every call fails only with a
/// `sqlx::Error`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, sqlx::Error>;

/// Where a comment stands with the moderators. Only `Approved` (to everyone) and `Pending`
/// (to its author's browser) are ever shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModerationStatus {
    Pending,
    Approved,
    /// Hidden and kept.
    Rejected,
    /// Marked as spam by a moderator: hidden and kept, apart from the rejected ones.
    Spam,
}

impl ModerationStatus {
    pub const ALL: [ModerationStatus; 4] = [
        ModerationStatus::Pending,
        ModerationStatus::Approved,
        ModerationStatus::Rejected,
        ModerationStatus::Spam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationStatus::Pending => "pending",
            ModerationStatus::Approved => "approved",
            ModerationStatus::Rejected => "rejected",
            ModerationStatus::Spam => "spam",
        }
    }

    /// What the public API says of it (never called for a rejected comment, which is not shown).
    pub fn public(self) -> CommentStatus {
        match self {
            ModerationStatus::Approved => CommentStatus::Approved,
            ModerationStatus::Pending | ModerationStatus::Rejected | ModerationStatus::Spam => {
                CommentStatus::Pending
            }
        }
    }
}

impl TryFrom<String> for ModerationStatus {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Self, String> {
        ModerationStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("unknown comment status {text:?}"))
    }
}

/// The roots of one page of an article's thread in `order`, after a cursor when
/// `after_cursor`. Binds: article id, viewer token, [cursor `created_at`, cursor id], limit.
/// Shared by `comment_page`, which runs it, and `explain_paging`, which shows its plan.
fn page_roots_sql(order: ThreadOrder, after_cursor: bool) -> String {
    let (direction, compare) = match order {
        ThreadOrder::OldestFirst => ("ASC", ">"),
        ThreadOrder::NewestFirst => ("DESC", "<"),
    };
    // A row-value comparison, which both engines read as a seek in the index.
    let after = if after_cursor {
        format!("AND (created_at, id) {compare} (?, ?)")
    } else {
        String::new()
    };
    format!(
        "SELECT {COMMENT_COLUMNS} FROM comments
         WHERE article_id = ? AND root_id = id {VISIBLE} {after}
         ORDER BY created_at {direction}, id {direction} LIMIT ?"
    )
}

/// The visible replies in the threads of `roots` roots. Binds: each root's id, viewer token.
/// Shared by `comment_page` and `explain_paging`, like `page_roots_sql`.
fn page_replies_sql(roots: usize) -> String {
    let marks = vec!["?"; roots].join(", ");
    format!(
        "SELECT {COMMENT_COLUMNS} FROM comments
         WHERE root_id IN ({marks}) AND root_id <> id {VISIBLE}
         ORDER BY created_at, id"
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredComment {
    pub id: String,
    pub article_id: String,
    pub parent_id: Option<String>,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    pub content: String,
    #[sqlx(try_from = "String")]
    pub status: ModerationStatus,
    pub created_at: i64,
    pub client_address: String,
    pub author_token: Option<String>,
    /// The commenter asked to hear of replies (stored; not read back with the comment).
    #[sqlx(skip)]
    pub notify: bool,
}

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

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
}

/// Schema migrations: `server/migrations/*.sql`, embedded at build time, recorded by sqlx in
/// `_sqlx_migrations`. Each file is plain SQL that runs unchanged on SQLite and PostgreSQL.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const COMMENT_COLUMNS: &str =
    "id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token";
/// What a viewer may see: approved comments, and their own held ones (one bound token; stored
/// tokens are 64 hex digits, so the empty string matches none).
const VISIBLE: &str = "AND (status = 'approved' OR (status = 'pending' AND author_token = ?))";

/// Where the next page starts: after this root (keyset paging: a page costs the same deep in
/// a long thread as at its start, and a comment posted meanwhile shifts nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// `1737100000000.3f2a…`: the root's time and id, as the `after` parameter carries it.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (time, id) = text.split_once('.')?;
        let valid =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric());
        Some(Cursor {
            created_at: time.parse().ok()?,
            id: id.to_owned(),
        })
        .filter(|_| valid)
    }

    pub fn to_param(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }
}

#[derive(Clone, Debug)]
pub struct PageRequest {
    pub per_page: usize,
    pub order: ThreadOrder,
    pub after: Option<Cursor>,
}

/// An article's public thread in two numbers (`article_activity`), kept with every change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Activity {
    /// Ms since the epoch; later with every change.
    pub changed_at: i64,
    pub approved: i64,
}

/// A page: its comments (roots in page order, then their replies, oldest first), how many
/// comments the viewer can see in all, and where the next page starts.
#[derive(Debug)]
pub struct CommentPage {
    pub comments: Vec<StoredComment>,
    pub total: i64,
    pub next: Option<Cursor>,
}

impl Store {
    /// Connects (creating a SQLite file if needed) and migrates.
    pub async fn open(url: &str) -> std::result::Result<Store, StoreError> {
        install_default_drivers();
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_owned(),
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let options = match engine {
            Engine::Sqlite => options.max_connections(4).after_connect(|connection, _| {
                Box::pin(async move {
                    // WAL for concurrent readers; FULL so that an acknowledged comment survives
                    // a power cut; a busy timeout so writers queue instead of failing.
                    connection.execute("PRAGMA journal_mode = WAL").await?;
                    connection.execute("PRAGMA synchronous = FULL").await?;
                    connection.execute("PRAGMA busy_timeout = 10000").await?;
                    connection.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            }),
            Engine::Postgres => options.max_connections(16),
        };
        let pool = options.connect(&url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// `?` placeholders as the engine wants them (`$1, $2…` for PostgreSQL).
    fn sql(&self, text: &str) -> String {
        placeholders(self.engine, text)
    }

    /// SQLite's journal mode and `synchronous` level on one pooled connection (`None` on
    /// PostgreSQL), so tests can check the durability settings are applied to every
    /// connection the pool opens.
    pub async fn sqlite_durability(&self) -> Result<Option<(String, i64)>> {
        if self.engine != Engine::Sqlite {
            return Ok(None);
        }
        let mut connection = self.pool.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *connection)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *connection)
            .await?;
        Ok(Some((journal, synchronous)))
    }

    /// True when the database answers (for `GET /healthz`).
    pub async fn is_healthy(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

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
        let token = author_token.unwrap_or("");
        let sql = self.sql(&page_roots_sql(request.order, request.after.is_some()));
        let mut query = sqlx::query_as::<_, StoredComment>(&sql)
            .bind(article_id)
            .bind(token);
        if let Some(cursor) = &request.after {
            query = query.bind(cursor.created_at).bind(&cursor.id);
        }
        let mut roots = query
            .bind(request.per_page as i64 + 1)
            .fetch_all(&self.pool)
            .await?;
        let more = roots.len() > request.per_page;
        roots.truncate(request.per_page);
        let next = more.then(|| roots.last()).flatten().map(|last| Cursor {
            created_at: last.created_at,
            id: last.id.clone(),
        });
        let mut comments = Vec::with_capacity(roots.len() * 2);
        if !roots.is_empty() {
            let sql = self.sql(&page_replies_sql(roots.len()));
            let mut query = sqlx::query_as::<_, StoredComment>(&sql);
            for root in &roots {
                query = query.bind(&root.id);
            }
            // (A root's replies are of its article: a reply's root is found only within
            // its own article when it is stored.)
            let replies = query.bind(token).fetch_all(&self.pool).await?;
            comments.extend(roots);
            comments.extend(replies);
        }
        if request.after.is_none() {
            // Replies in threads whose first comment this viewer cannot see (held, rejected):
            // the hidden roots are few, and indexed apart (`comments_hidden_roots`).
            let sql = self.sql(&format!(
                "SELECT {COMMENT_COLUMNS} FROM comments
                 WHERE root_id IN (SELECT id FROM comments
                     WHERE article_id = ? AND root_id = id AND status <> 'approved'
                     AND NOT (status = 'pending' AND COALESCE(author_token, '') = ?))
                 AND root_id <> id {VISIBLE}
                 ORDER BY created_at, id"
            ));
            let orphans: Vec<StoredComment> = sqlx::query_as(&sql)
                .bind(article_id)
                .bind(token)
                .bind(token)
                .fetch_all(&self.pool)
                .await?;
            comments.extend(orphans);
        }
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
        Ok(CommentPage {
            comments,
            total,
            next,
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
        // The very statements `comment_page` runs (a later page's roots, two roots' replies),
        // so the plan a test checks is the plan of the query served.
        let queries = [
            page_roots_sql(ThreadOrder::OldestFirst, true),
            page_replies_sql(2),
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
            let mut q = sqlx::query(&sql);
            q = if index == 0 {
                q.bind("a").bind("").bind(0i64).bind("x").bind(51i64)
            } else {
                q.bind("r1").bind("r2").bind("")
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
        let sql = self.sql("UPDATE comments SET status = ? WHERE id = ? RETURNING article_id");
        let mut transaction = self.pool.begin().await?;
        let Some(article_id) = sqlx::query_scalar::<_, String>(&sql)
            .bind(status.as_str())
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?
        else {
            transaction.rollback().await?;
            return Ok(false);
        };
        // An approved reply tells its parent's author, if they asked (once per reply).
        enqueue(&mut transaction, self.engine, id, now, Event::ReplyApproved).await?;
        self.changed(transaction, &article_id, now).await
    }

    /// Deletes a comment; its replies stay, shown at the top level by the widget. When it
    /// began a thread, every reply in it becomes a thread of its own (each still shown under
    /// its parent when both are on one page), so none hangs on a root that is gone.
    pub async fn delete(&self, id: &str, now: i64) -> Result<bool> {
        let sql = self.sql("DELETE FROM comments WHERE id = ? RETURNING article_id");
        let reroot = self.sql("UPDATE comments SET root_id = id WHERE root_id = ? AND id <> ?");
        let mut transaction = self.pool.begin().await?;
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
        self.changed(transaction, &article_id, now).await
    }

    /// Ends a moderation's transaction: the article's thread changed, counted again.
    async fn changed(
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

    /// Takes an idempotency key for this request, atomically. A claim older than `stale_ms`
    /// that never got an answer (its request died) may be taken over.
    pub async fn claim(
        &self,
        key: &str,
        article_id: &str,
        now: i64,
        stale_ms: i64,
    ) -> Result<Claim> {
        let inserted = sqlx::query(&self.sql(
            "INSERT INTO idempotency (idempotency_key, article_id, created_at) VALUES (?, ?, ?)
             ON CONFLICT (idempotency_key) DO NOTHING",
        ))
        .bind(key)
        .bind(article_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Claimed);
        }
        let taken_over = sqlx::query(&self.sql(
            "UPDATE idempotency SET created_at = ? WHERE idempotency_key = ? AND status_code IS NULL AND created_at < ?",
        ))
        .bind(now)
        .bind(key)
        .bind(now - stale_ms)
        .execute(&self.pool)
        .await?;
        if taken_over.rows_affected() == 1 {
            return Ok(Claim::Claimed);
        }
        self.answer(key)
            .await
            .map(|answer| answer.map_or(Claim::InProgress, Claim::Answered))
    }

    /// The stored answer for a key, once there is one.
    pub async fn answer(&self, key: &str) -> Result<Option<StoredAnswer>> {
        let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
            &self.sql("SELECT status_code, body FROM idempotency WHERE idempotency_key = ?"),
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(status, body)| {
            Some(StoredAnswer {
                status: u16::try_from(status?).ok()?,
                body: body.unwrap_or_default(),
            })
        }))
    }

    /// Forgets a claim that stored nothing, so that the same key can be tried again (after
    /// any refusal: only a stored comment's answer is repeated).
    pub async fn release(&self, key: &str) -> Result<()> {
        sqlx::query(
            &self.sql("DELETE FROM idempotency WHERE idempotency_key = ? AND status_code IS NULL"),
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// In one transaction: flood control for every subject (an email, a client address), then
    /// the comment and the answer its key will repeat. Either all of it happens, or nothing.
    /// `answer` builds the stored answer from the comment.
    pub async fn insert_comment(
        &self,
        comment: &StoredComment,
        key: &str,
        flood_subjects: &[String],
        flood_window_ms: i64,
        answer: impl FnOnce(&StoredComment) -> StoredAnswer,
    ) -> Result<std::result::Result<StoredAnswer, TooSoon>> {
        let now = comment.created_at;
        let mut transaction = self.pool.begin().await?;
        // Writes come first in the transaction, so that SQLite takes its write lock at once
        // (and waits for it) instead of failing to upgrade a read snapshot.
        if flood_window_ms > 0 {
            for subject in flood_subjects {
                let allowed = sqlx::query(&self.sql(
                    "INSERT INTO flood (subject, last_at) VALUES (?, ?)
                     ON CONFLICT (subject) DO UPDATE SET last_at = excluded.last_at
                     WHERE flood.last_at <= ?",
                ))
                .bind(subject)
                .bind(now)
                .bind(now - flood_window_ms)
                .execute(&mut *transaction)
                .await?;
                if allowed.rows_affected() == 0 {
                    let last: i64 = sqlx::query_scalar(
                        &self.sql("SELECT last_at FROM flood WHERE subject = ?"),
                    )
                    .bind(subject)
                    .fetch_one(&mut *transaction)
                    .await?;
                    transaction.rollback().await?;
                    return Ok(Err(TooSoon((last + flood_window_ms - now).max(1))));
                }
            }
        }
        insert_row(&mut transaction, self.engine, comment, false).await?;
        // Its messages, in the same transaction: moderators hear of a held comment, its author
        // is asked to confirm their address, a parent's author hears of an approved reply.
        enqueue(
            &mut transaction,
            self.engine,
            &comment.id,
            now,
            Event::Stored,
        )
        .await?;
        enqueue(
            &mut transaction,
            self.engine,
            &comment.id,
            now,
            Event::ReplyApproved,
        )
        .await?;
        if comment.status == ModerationStatus::Approved {
            touch(
                &mut transaction,
                self.engine,
                &comment.article_id,
                now,
                Approved::OneMore,
            )
            .await?;
        }
        let answer = answer(comment);
        sqlx::query(
            &self.sql("UPDATE idempotency SET status_code = ?, body = ? WHERE idempotency_key = ?"),
        )
        .bind(answer.status as i64)
        .bind(&answer.body)
        .bind(key)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Ok(answer))
    }

    /// Stores many comments in one transaction, as they are (their own ids, times and
    /// statuses), each after its parent when `comments` is in time order; an id already stored
    /// is skipped. Returns how many were new. For imports and benchmarks: no rules, no flood
    /// control, no idempotency keys.
    pub async fn insert_many(&self, comments: &[StoredComment], now: i64) -> Result<u64> {
        let mut transaction = self.pool.begin().await?;
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
            touch(
                &mut transaction,
                self.engine,
                article_id,
                now,
                Approved::Recount,
            )
            .await?;
        }
        transaction.commit().await?;
        Ok(added)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Stores one comment as it is, with its thread's root: its parent's, or itself (see
/// migration 0004). With `skip_known`, an id already stored is left alone (0 rows).
async fn insert_row(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment: &StoredComment,
    skip_known: bool,
) -> Result<u64> {
    let sql = placeholders(
        engine,
        &format!(
            "INSERT INTO comments ({COMMENT_COLUMNS}, notify, root_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                 COALESCE((SELECT root_id FROM comments WHERE id = ? AND article_id = ?), ?)){}",
            if skip_known {
                " ON CONFLICT (id) DO NOTHING"
            } else {
                ""
            }
        ),
    );
    let done = sqlx::query(&sql)
        .bind(&comment.id)
        .bind(&comment.article_id)
        .bind(&comment.parent_id)
        .bind(&comment.author)
        .bind(&comment.email)
        .bind(&comment.website)
        .bind(&comment.content)
        .bind(comment.status.as_str())
        .bind(comment.created_at)
        .bind(&comment.client_address)
        .bind(&comment.author_token)
        .bind(i64::from(comment.notify))
        .bind(&comment.parent_id)
        .bind(&comment.article_id)
        .bind(&comment.id)
        .execute(&mut **transaction)
        .await?;
    Ok(done.rows_affected())
}

/// What a comment's change may tell someone by email.
#[derive(Clone, Copy)]
enum Event {
    /// It is new: held, the moderators hear of it; and its author, if they ticked "notify
    /// me", is asked to confirm their address.
    Stored,
    /// It is an approved reply (its parent's author hears of it, if they asked and did not
    /// unsubscribe, and it is not their own).
    ReplyApproved,
}

/// Writes the event's messages to the outbox, if it has any, once per comment and event
/// (`held:ID`, `confirm:ID`, `reply:ID`). `Stored` is raised once, for every new comment: the
/// moderators hear of it when it is held, and its author, if they ticked "notify me", is asked
/// to confirm their address (see `outbox::enqueue_confirmation`: not when it is confirmed or
/// unsubscribed, and rate-limited). A reply is told only to a confirmed address.
async fn enqueue(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    comment_id: &str,
    now: i64,
    event: Event,
) -> Result<()> {
    match event {
        Event::Stored => {
            sqlx::query(&placeholders(
                engine,
                "INSERT INTO outbox (id, kind, comment_id, created_at, next_attempt_at)
                 SELECT 'held:' || id, 'held', id, ?, ? FROM comments WHERE id = ? AND status = 'pending'
                 ON CONFLICT (id) DO NOTHING",
            ))
            .bind(now)
            .bind(now)
            .bind(comment_id)
            .execute(&mut **transaction)
            .await?;
            outbox::enqueue_confirmation(transaction, engine, comment_id, now).await
        }
        Event::ReplyApproved => outbox::enqueue_reply(transaction, engine, comment_id, now).await,
    }
}

/// How an article's approved comments changed with the change `touch` records.
#[derive(Clone, Copy)]
enum Approved {
    /// One more (a comment stored approved): counted up.
    OneMore,
    /// Anything else (moderation, an import): counted again.
    Recount,
}

/// Records that an article's public thread changed at `now`, never earlier than the last
/// change (the clocks of several instances differ), so every change is a later time; and its
/// number of approved comments. In the transaction of the change itself.
async fn touch(
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

/// `?` placeholders as the engine writes them (`$1`, `$2`… on PostgreSQL).
fn placeholders(engine: Engine, text: &str) -> String {
    match engine {
        Engine::Sqlite => text.to_owned(),
        Engine::Postgres => {
            let mut out = String::with_capacity(text.len() + 8);
            let mut n = 0;
            for c in text.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}
