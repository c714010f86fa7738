//! Storage behind one small interface, two engines: SQLite (a file, WAL, the embedded default)
//! and PostgreSQL (several instances behind a load balancer). Both run the same SQL through
//! sqlx's `Any` driver; only the placeholder syntax differs, and `sql()` translates it.
//!
//! Every rule that must hold across instances is one atomic statement or one transaction in
//! the database: claiming an idempotency key, flood control, storing a comment together with
//! the answer its key will repeat.

use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

/// What went wrong talking to the database.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError(error.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredComment {
    pub id: String,
    pub article_id: String,
    pub parent_id: Option<String>,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
    pub content: String,
    pub status: String,
    pub created_at: i64,
    pub client_address: String,
    pub author_token: Option<String>,
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

/// Schema migrations, in order; each runs once, recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &[&str])] = &[(
    1,
    &[
        "CREATE TABLE IF NOT EXISTS comments (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            parent_id TEXT,
            author TEXT NOT NULL,
            email TEXT NOT NULL,
            website TEXT,
            content TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            client_address TEXT NOT NULL,
            author_token TEXT
        )",
        "CREATE INDEX IF NOT EXISTS comments_by_article ON comments (article_id, created_at)",
        "CREATE INDEX IF NOT EXISTS comments_by_email ON comments (email, status)",
        "CREATE TABLE IF NOT EXISTS idempotency (
            idempotency_key TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            status_code BIGINT,
            body TEXT,
            created_at BIGINT NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS flood (
            subject TEXT PRIMARY KEY,
            last_at BIGINT NOT NULL
        )",
    ],
)];

const COMMENT_COLUMNS: &str =
    "id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token";

impl Store {
    /// Connects (creating a SQLite file if needed) and migrates.
    pub async fn open(url: &str) -> Result<Store> {
        install_default_drivers();
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(StoreError(format!(
                "unsupported database URL {url:?}: use sqlite://FILE or postgres://…"
            )));
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
        let store = Store { pool, engine };
        store.migrate().await?;
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// `?` placeholders as the engine wants them (`$1, $2…` for PostgreSQL).
    fn sql(&self, text: &str) -> String {
        match self.engine {
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

    async fn migrate(&self) -> Result<()> {
        self.pool
            .execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .await?;
        for (version, statements) in MIGRATIONS {
            let applied: Option<i64> = sqlx::query_scalar(
                &self.sql("SELECT version FROM schema_migrations WHERE version = ?"),
            )
            .bind(*version)
            .fetch_optional(&self.pool)
            .await?;
            if applied.is_some() {
                continue;
            }
            let mut transaction = self.pool.begin().await?;
            for statement in *statements {
                transaction.execute(*statement).await?;
            }
            sqlx::query(&self.sql("INSERT INTO schema_migrations (version) VALUES (?) ON CONFLICT (version) DO NOTHING"))
                .bind(*version)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
        }
        Ok(())
    }

    /// Comments of an article a viewer may see: approved ones, and pending ones written in the
    /// viewer's own browser (`author_token` matches).
    pub async fn visible_comments(
        &self,
        article_id: &str,
        author_token: Option<&str>,
    ) -> Result<Vec<StoredComment>> {
        let rows = sqlx::query(&self.sql(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments
             WHERE article_id = ? AND (status = 'approved' OR (status = 'pending' AND author_token = ?))
             ORDER BY created_at, id"
        )))
        .bind(article_id)
        // Stored tokens are 64 hex digits: the empty string matches none of them.
        .bind(author_token.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(comment_from_row).collect()
    }

    pub async fn comment(&self, id: &str) -> Result<Option<StoredComment>> {
        let row = sqlx::query(&self.sql(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(comment_from_row).transpose()
    }

    /// Every comment with a status (`None`: all), newest first, for moderators.
    pub async fn comments_with_status(&self, status: Option<&str>) -> Result<Vec<StoredComment>> {
        let rows = match status {
            Some(status) => {
                sqlx::query(&self.sql(&format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE status = ? ORDER BY created_at DESC, id")))
                    .bind(status)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("SELECT {COMMENT_COLUMNS} FROM comments ORDER BY created_at DESC, id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(comment_from_row).collect()
    }

    /// Sets a comment's status; false when there is no such comment.
    pub async fn set_status(&self, id: &str, status: &str) -> Result<bool> {
        let done = sqlx::query(&self.sql("UPDATE comments SET status = ? WHERE id = ?"))
            .bind(status)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a comment; its replies stay, shown at the top level by the widget.
    pub async fn delete(&self, id: &str) -> Result<bool> {
        let done = sqlx::query(&self.sql("DELETE FROM comments WHERE id = ?"))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
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
        let row = sqlx::query(
            &self.sql("SELECT status_code, body FROM idempotency WHERE idempotency_key = ?"),
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let status: Option<i64> = row.try_get(0)?;
        let body: Option<String> = row.try_get(1)?;
        Ok(status.map(|status| StoredAnswer {
            status: status as u16,
            body: body.unwrap_or_default(),
        }))
    }

    /// Records the answer for a key that stored no comment (a refusal).
    pub async fn record_answer(&self, key: &str, answer: &StoredAnswer) -> Result<()> {
        sqlx::query(
            &self.sql("UPDATE idempotency SET status_code = ?, body = ? WHERE idempotency_key = ?"),
        )
        .bind(answer.status as i64)
        .bind(&answer.body)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets a claim, so that the same key can be tried again (after a refusal that
    /// depends on time, such as flood control).
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
        sqlx::query(&self.sql(&format!(
            "INSERT INTO comments ({COMMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )))
        .bind(&comment.id)
        .bind(&comment.article_id)
        .bind(&comment.parent_id)
        .bind(&comment.author)
        .bind(&comment.email)
        .bind(&comment.website)
        .bind(&comment.content)
        .bind(&comment.status)
        .bind(comment.created_at)
        .bind(&comment.client_address)
        .bind(&comment.author_token)
        .execute(&mut *transaction)
        .await?;
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

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn comment_from_row(row: &AnyRow) -> Result<StoredComment> {
    Ok(StoredComment {
        id: row.try_get(0)?,
        article_id: row.try_get(1)?,
        parent_id: row.try_get(2)?,
        author: row.try_get(3)?,
        email: row.try_get(4)?,
        website: row.try_get(5)?,
        content: row.try_get(6)?,
        status: row.try_get(7)?,
        created_at: row.try_get(8)?,
        client_address: row.try_get(9)?,
        author_token: row.try_get(10)?,
    })
}
