//! Storage behind one small interface, two engines: SQLite (a file, WAL, the embedded default)
//! and PostgreSQL (several instances behind a load balancer). Both run the same SQL through
//! sqlx's `Any` driver; only the placeholder syntax differs, and `sql()` translates it (the
//! `Any` driver passes SQL through as it is). Rows are read by column name (`FromRow`).
//!
//! Every rule that must hold across instances is one atomic statement or one transaction in
//! the database: claiming an idempotency key, flood control, storing a comment together with
//! the answer its key will repeat.
//!
//! One `impl Store` block per aggregate: `comments` (comments and pages), `idempotency`
//! (keys and flood control), `activity` (each article's last public change and approved
//! count), `likes` (likes and their counts), `pins` (pinned comments), `outbox` (notifications and subscriptions), `moderation` (moderators, sessions,
//! audit, blocks), `statistics` (the overview's figures), `rights` (readers' data links and
//! sessions, their data, erasure), `backup` (export and restore). This file opens the store and
//! holds what they share: the engine, the SQL rewriting, the comment row.

use std::sync::Arc;
use std::time::Duration;

use article_widget::domain::comment::CommentStatus;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

mod activity;
pub mod backup;
mod comments;
mod idempotency;
mod edits;
mod likes;
mod live;
mod moderation;
mod outbox;
mod pins;
mod rights;
mod statistics;
mod writer;

pub use activity::Activity;
pub use comments::{CommentPage, Cursor, PageRequest};
pub use idempotency::{Claim, NotStored, StoredAnswer, TooSoon};
pub use edits::{AuthorChange, ChangeOutcome, Editor, Revision};
pub use likes::{LikeLimit, LikeOutcome, Liker};
pub use live::{
    LiveChange, LiveEvent, LiveKind, LiveSubscription, StreamSlot, StreamsFull, DEFAULT_STREAMS,
    DEFAULT_STREAMS_PER_ADDRESS,
};
pub use outbox::{OutboxItem, WEBHOOK_RECEIVER_HEARTBEAT_MS};
pub use pins::{PinOutcome, MAX_PINNED};
pub use rights::{
    address_key, AuditedBy, DataLinkRow, Erased, Erasure, HeldComment, LinkRequest, ReaderData,
    Turn, FORMER_READER,
};

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

/// A statement with its arguments being bound, as the statements' shared parts bind theirs.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

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
    /// The publisher's account it was written under (`iss|sub`, see `sso`), if signed in.
    #[sqlx(default)]
    pub account: Option<String>,
    /// Its badges, as words separated by spaces (`Badges::words`), decided when it was
    /// stored (migration 0017); `None`: none.
    #[sqlx(default)]
    pub badges: Option<String>,
    /// The commenter asked to hear of replies (stored; not read back with the comment).
    #[sqlx(skip)]
    pub notify: bool,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where the comments' writes go (keys, comments, moderation, activity): on SQLite a pool
    /// of one connection, on PostgreSQL `pool` itself.
    writer: AnyPool,
    engine: Engine,
    /// SQLite's group commit for claims and new comments (`writer.rs`); none on PostgreSQL,
    /// whose commits of concurrent transactions already share a flush.
    batches: Option<writer::Batches>,
    /// Publications stored by this process (shared by its clones) per article since its last
    /// fold: every `FOLD_EVERY`th of an article folds it (`activity`).
    publications: Arc<std::sync::Mutex<std::collections::HashMap<String, u64>>>,
    /// Rings when this process (or, on PostgreSQL, any process on the database) wrote to the
    /// outbox, so that its workers send at once rather than at their next poll (`outbox`).
    outbox_wake: Arc<tokio::sync::watch::Sender<u64>>,
    /// Where the database is, for the outbox's listening connection on PostgreSQL.
    url: Arc<str>,
    /// Live changes for the event streams (`live`): numbered, kept a while, sent out.
    live: Arc<live::LiveHub>,
}

/// Schema migrations: `server/migrations/*.sql`, embedded at build time, recorded by sqlx in
/// `_sqlx_migrations`. Each file is plain SQL that runs unchanged on SQLite and PostgreSQL.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const COMMENT_COLUMNS: &str =
    "id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token, account, badges";

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
        let sqlite = |options: AnyPoolOptions, connections| {
            options
                .max_connections(connections)
                .after_connect(|connection, _| {
                    Box::pin(async move {
                        // WAL for concurrent readers; FULL so that an acknowledged comment
                        // survives a power cut; a busy timeout so writers queue instead of
                        // failing.
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = FULL").await?;
                        connection.execute("PRAGMA busy_timeout = 10000").await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                        Ok(())
                    })
                })
        };
        let (pool, writer) = match engine {
            Engine::Sqlite => {
                let pool = sqlite(options.clone(), 4).connect(&url).await?;
                MIGRATOR.run(&pool).await?;
                // SQLite has one writer at a time: the comments' writes queue for one
                // connection here, in order, instead of contending for the file's lock
                // (whose busy handler waits by sleeping, up to 100 ms a turn).
                let writer = sqlite(options, 1).connect(&url).await?;
                (pool, writer)
            }
            Engine::Postgres => {
                let pool = options.max_connections(16).connect(&url).await?;
                MIGRATOR.run(&pool).await?;
                (pool.clone(), pool)
            }
        };
        let batches =
            (engine == Engine::Sqlite).then(|| writer::Batches::start(writer.clone(), engine));
        let (live, live_changes) = live::LiveHub::new();
        let store = Store {
            pool,
            writer,
            batches,
            engine,
            publications: Arc::default(),
            outbox_wake: Arc::new(tokio::sync::watch::channel(0).0),
            url: url.into(),
            live,
        };
        tokio::spawn(store.clone().run_live(live_changes));
        Ok(store)
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
    /// The database answers, and (on SQLite) the writing task is there to take posts.
    pub async fn is_healthy(&self) -> bool {
        let writing = self
            .batches
            .as_ref()
            .is_none_or(writer::Batches::is_running);
        writing && sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// The embedded migrations the database has not applied successfully (for `/readyz`):
    /// empty when the schema is the one this binary was built for.
    pub async fn missing_migrations(&self) -> Result<Vec<i64>> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        Ok(MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .filter(|version| !applied.contains(version))
            .collect())
    }

    /// Each connection pool's (name, open connections, idle ones, most allowed), for the
    /// metrics: SQLite's `writer` apart from the readers' `pool`; one pool on PostgreSQL.
    pub fn pool_use(&self) -> Vec<(&'static str, u32, usize, u32)> {
        let of = |name, pool: &AnyPool| {
            (
                name,
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        };
        match self.engine {
            Engine::Sqlite => vec![of("pool", &self.pool), of("writer", &self.writer)],
            Engine::Postgres => vec![of("pool", &self.pool)],
        }
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
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
