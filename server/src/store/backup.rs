//! The store's side of backups (the area in `src/backup.rs` reads and writes the file): every table a
//! newsroom must not lose, streamed out of one consistent snapshot in a stable order, and
//! bulk-inserted into an empty database inside one transaction.
//!
//! What is in a backup and what is not is decided here, in `TABLES`: comments (every column,
//! every status), likes (their rows; the counts are made again from them), each article's
//! activity (folded: its pending publications counted in, so two databases holding the same
//! comments export the same line), the outbox, subscriptions
//! (unsubscribed, confirmed addresses, the confirmation mails' rate limit), moderators (their
//! Argon2id hashes), the audit log, blocks, and the shared secrets (the key that signs
//! unsubscribe and confirmation links: without it every link already mailed would stop
//! working after a restore, so a backup file is a secret itself and is written readable by
//! its owner only). Not in it: moderators' sessions (short-lived bearer secrets: everyone
//! signs in again), sign-in failures and flood control (minutes-long counters), idempotency
//! keys (a day's retries of posts), `activity_publications` (folded into
//! `article_activity`), and the readers' data links, their rate-limit turns and the readers'
//! sessions (migration 0012: short-lived, and a restored link must not open anyone's data).

use futures_util::TryStreamExt;
use sqlx::{Any, Executor, Row, Transaction};

use super::{Engine, Result, Store};

/// How a column's values are written in the file and bound in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    OptionalText,
    Integer,
    OptionalInteger,
}

impl ColumnKind {
    pub fn is_optional(self) -> bool {
        matches!(self, ColumnKind::OptionalText | ColumnKind::OptionalInteger)
    }
}

#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
}

/// A table as backups know it: its columns in the file's order, and the key its rows are
/// ordered by (so two exports of the same rows are the same bytes, whatever the engine).
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    key: &'static [&'static str],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|column| column.name == name)
    }
}

/// One value of a row, as read from the database or the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Null,
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Text,
    }
}
const fn optional_text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::OptionalText,
    }
}
const fn integer(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Integer,
    }
}
const fn optional_integer(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::OptionalInteger,
    }
}

/// The tables a backup holds, in the order they are written and restored (a comment before
/// what refers to it).
pub static TABLES: &[Table] = &[
    Table {
        name: "comments",
        columns: &[
            text("id"),
            text("article_id"),
            optional_text("parent_id"),
            text("root_id"),
            text("author"),
            text("email"),
            optional_text("website"),
            text("content"),
            text("status"),
            integer("created_at"),
            text("client_address"),
            optional_text("author_token"),
            integer("notify"),
            optional_text("account"),
            // Pinned by a moderator, and the badges it was stored with (migration 0017).
            optional_integer("pinned_at"),
            optional_text("badges"),
            // Edited or deleted by its author (migration 0016).
            optional_integer("edited_at"),
            optional_integer("deleted_at"),
        ],
        key: &["id"],
    },
    // Likes (migration 0014): who liked what, so a restored reader cannot like twice; each
    // comment's count is made again from these rows by `finish`.
    Table {
        name: "comment_likes",
        columns: &[text("comment_id"), text("reader"), integer("liked_at")],
        key: &["comment_id", "reader"],
    },
    Table {
        name: "article_activity",
        columns: &[
            text("article_id"),
            integer("changed_at"),
            integer("approved"),
        ],
        key: &["article_id"],
    },
    Table {
        name: "outbox",
        columns: &[
            text("id"),
            text("kind"),
            text("comment_id"),
            integer("created_at"),
            integer("attempts"),
            integer("next_attempt_at"),
            optional_text("claimed_by"),
            optional_integer("claimed_until"),
            optional_integer("sent_at"),
            optional_text("last_error"),
            // A webhook's body (migration 0011).
            optional_text("payload"),
        ],
        key: &["id"],
    },
    Table {
        name: "unsubscribed",
        columns: &[text("email"), integer("at")],
        key: &["email"],
    },
    Table {
        name: "confirmed_addresses",
        columns: &[text("email"), integer("confirmed_at")],
        key: &["email"],
    },
    Table {
        name: "confirmation_mails",
        columns: &[
            text("email"),
            integer("last_at"),
            integer("day_started_at"),
            integer("in_day"),
        ],
        key: &["email"],
    },
    Table {
        name: "moderators",
        columns: &[text("name"), text("password_hash"), integer("created_at")],
        key: &["name"],
    },
    Table {
        name: "audit_log",
        columns: &[
            integer("at"),
            text("moderator"),
            text("action"),
            text("target"),
            text("detail"),
        ],
        // No key of its own: every column, so identical rows are the only ties.
        key: &["at", "moderator", "action", "target", "detail"],
    },
    Table {
        name: "blocks",
        columns: &[
            text("kind"),
            text("value"),
            integer("created_at"),
            text("moderator"),
        ],
        key: &["kind", "value"],
    },
    Table {
        name: "service_secrets",
        columns: &[text("name"), text("value")],
        key: &["name"],
    },
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|table| table.name == name)
}

/// The newest schema migration this build knows (a backup says which it was written under).
pub fn schema_version() -> i64 {
    super::MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

/// One exported row: its table's index in `TABLES` and its values in the table's column order.
#[derive(Debug)]
pub struct ExportedRow {
    pub table: usize,
    pub values: Vec<Value>,
}

/// Rows per `INSERT` statement while restoring (13 columns of comments: 2,600 parameters,
/// well under either engine's limit).
pub const RESTORE_BATCH: usize = 200;

impl Store {
    /// Streams every table of `TABLES` into `rows`, in order, from one snapshot (PostgreSQL:
    /// a repeatable-read, read-only transaction; SQLite: one read transaction over WAL), never
    /// more than the channel's capacity in memory. Stops quietly when the receiver is gone.
    pub async fn export_rows(&self, rows: tokio::sync::mpsc::Sender<ExportedRow>) -> Result<()> {
        let mut transaction = self.pool.begin().await?;
        if self.engine == Engine::Postgres {
            transaction
                .execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
        }
        for (index, table) in TABLES.iter().enumerate() {
            let query = export_query(self.engine, table);
            let mut stream = sqlx::query(&query).fetch(&mut *transaction);
            while let Some(row) = stream.try_next().await? {
                let values = table
                    .columns
                    .iter()
                    .map(|column| read_value(&row, column))
                    .collect::<Result<Vec<_>>>()?;
                if rows
                    .send(ExportedRow {
                        table: index,
                        values,
                    })
                    .await
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        transaction.rollback().await
    }

    /// Starts a restore: one transaction on a connection of its own, refused (by the caller)
    /// unless `Restoring::tables_with_rows` is empty. Dropped without `finish`, it writes
    /// nothing.
    pub async fn begin_restore(&self) -> Result<Restoring> {
        let mut transaction = self.pool.begin().await?;
        // The backup's secrets replace any a start of the service made (links already mailed
        // were signed with the backup's). A write first: on SQLite it takes the database's
        // write lock now, so the emptiness check and the rows are one snapshot.
        transaction.execute("DELETE FROM service_secrets").await?;
        Ok(Restoring {
            transaction,
            engine: self.engine,
        })
    }
}

/// A restore under way: one transaction, committed by `finish`.
pub struct Restoring {
    transaction: Transaction<'static, Any>,
    engine: Engine,
}

impl Restoring {
    /// The tables of `TABLES` that hold a row already (a restore goes into an empty database
    /// only; the shared secrets may be there, made by a start of the service, and are
    /// replaced by the backup's).
    pub async fn tables_with_rows(&mut self) -> Result<Vec<&'static str>> {
        let mut found = Vec::new();
        for table in TABLES.iter().filter(|t| t.name != "service_secrets") {
            let any: Option<i64> =
                sqlx::query_scalar(&format!("SELECT 1 FROM {} LIMIT 1", table.name))
                    .fetch_optional(&mut *self.transaction)
                    .await?;
            if any.is_some() {
                found.push(table.name);
            }
        }
        Ok(found)
    }

    /// Inserts rows of one table. On a refusal by the database (a duplicate key), the batch is
    /// undone and its rows tried one by one, so the error names the row at fault: `Err((index
    /// in rows, error))`. The restore is then to be dropped.
    pub async fn insert(
        &mut self,
        table: &Table,
        rows: &[Vec<Value>],
    ) -> std::result::Result<(), (usize, sqlx::Error)> {
        if rows.is_empty() {
            return Ok(());
        }
        let at_first = |error| (0, error);
        self.transaction
            .execute("SAVEPOINT restore_batch")
            .await
            .map_err(at_first)?;
        let statement = insert_statement(self.engine, table, rows.len());
        let mut query = sqlx::query(&statement);
        for row in rows {
            for (column, value) in table.columns.iter().zip(row) {
                query = bind_value(query, column.kind, value);
            }
        }
        match query.execute(&mut *self.transaction).await {
            Ok(_) => {
                self.transaction
                    .execute("RELEASE SAVEPOINT restore_batch")
                    .await
                    .map_err(at_first)?;
                Ok(())
            }
            Err(batch_error) => {
                self.transaction
                    .execute("ROLLBACK TO SAVEPOINT restore_batch")
                    .await
                    .map_err(at_first)?;
                let single = insert_statement(self.engine, table, 1);
                for (index, row) in rows.iter().enumerate() {
                    let mut query = sqlx::query(&single);
                    for (column, value) in table.columns.iter().zip(row) {
                        query = bind_value(query, column.kind, value);
                    }
                    self.transaction
                        .execute("SAVEPOINT restore_row")
                        .await
                        .map_err(|error| (index, error))?;
                    if let Err(error) = query.execute(&mut *self.transaction).await {
                        return Err((index, error));
                    }
                    self.transaction
                        .execute("RELEASE SAVEPOINT restore_row")
                        .await
                        .map_err(|error| (index, error))?;
                }
                // Each row alone went in: the batch's failure was not one row's.
                Err((0, batch_error))
            }
        }
    }

    /// The replies whose thread root is not a restored comment (a rule each stored comment
    /// keeps: a root is a comment of the same database). At most `limit` of them.
    pub async fn comments_without_root(&mut self, limit: i64) -> Result<Vec<String>> {
        let query = placeholders_for(
            self.engine,
            "SELECT id FROM comments c WHERE NOT EXISTS
                 (SELECT 1 FROM comments r WHERE r.id = c.root_id) ORDER BY id LIMIT ?",
        );
        sqlx::query_scalar(&query)
            .bind(limit)
            .fetch_all(&mut *self.transaction)
            .await
    }

    /// Recounts each article's approved comments from the comments themselves (a row made for
    /// an article the backup had none for, changed when its newest approved comment was
    /// made), then commits.
    pub async fn finish(mut self) -> Result<()> {
        self.transaction
            .execute("DELETE FROM activity_publications")
            .await?;
        // Each comment's likes, counted from the likes restored (none in older backups).
        self.transaction
            .execute(
                "UPDATE comments SET likes = (SELECT COUNT(*) FROM comment_likes l
                     WHERE l.comment_id = comments.id)",
            )
            .await?;
        self.transaction
            .execute(
                "UPDATE article_activity SET approved = (SELECT COUNT(*) FROM comments c
                     WHERE c.article_id = article_activity.article_id AND c.status = 'approved')",
            )
            .await?;
        self.transaction
            .execute(
                "INSERT INTO article_activity (article_id, changed_at, approved)
                 SELECT article_id, MAX(created_at), COUNT(*) FROM comments
                 WHERE status = 'approved' AND article_id NOT IN
                     (SELECT article_id FROM article_activity)
                 GROUP BY article_id",
            )
            .await?;
        self.transaction.commit().await
    }
}

fn placeholders_for(engine: Engine, text: &str) -> String {
    super::placeholders(engine, text)
}

/// `SELECT` of a table's columns in key order, the order of bytes on both engines
/// (PostgreSQL's default collation would sort text by the locale's rules).
fn export_query(engine: Engine, table: &Table) -> String {
    let collate = |name: &str| {
        let is_text = table
            .column(name)
            .is_some_and(|column| matches!(column.kind, ColumnKind::Text));
        match (engine, is_text) {
            (Engine::Postgres, true) => format!("{name} COLLATE \"C\""),
            _ => name.to_owned(),
        }
    };
    let order = table
        .key
        .iter()
        .map(|name| collate(name))
        .collect::<Vec<_>>()
        .join(", ");
    if table.name == "article_activity" {
        // Folded: the publications not yet added to an article's row count in, and the
        // approved count is the comments', so the line does not depend on when folds ran.
        let key = collate("a.article_id");
        return format!(
            "SELECT a.article_id AS article_id, MAX(a.changed_at) AS changed_at,
                 (SELECT COUNT(*) FROM comments c
                  WHERE c.article_id = a.article_id AND c.status = 'approved') AS approved
             FROM (SELECT article_id, changed_at FROM article_activity
                   UNION ALL SELECT article_id, published_at FROM activity_publications) a
             GROUP BY a.article_id ORDER BY {}",
            key
        );
    }
    let columns = table
        .columns
        .iter()
        .map(|column| column.name)
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {columns} FROM {} ORDER BY {order}", table.name)
}

fn insert_statement(engine: Engine, table: &Table, rows: usize) -> String {
    let columns = table
        .columns
        .iter()
        .map(|column| column.name)
        .collect::<Vec<_>>()
        .join(", ");
    let one = format!("({})", vec!["?"; table.columns.len()].join(", "));
    let values = vec![one.as_str(); rows].join(", ");
    placeholders_for(
        engine,
        &format!("INSERT INTO {} ({columns}) VALUES {values}", table.name),
    )
}

fn read_value(row: &sqlx::any::AnyRow, column: &Column) -> Result<Value> {
    Ok(match column.kind {
        ColumnKind::Text => Value::Text(row.try_get(column.name)?),
        ColumnKind::Integer => Value::Integer(row.try_get(column.name)?),
        ColumnKind::OptionalText => row
            .try_get::<Option<String>, _>(column.name)?
            .map_or(Value::Null, Value::Text),
        ColumnKind::OptionalInteger => row
            .try_get::<Option<i64>, _>(column.name)?
            .map_or(Value::Null, Value::Integer),
    })
}

fn bind_value<'q>(
    query: super::AnyQuery<'q>,
    kind: ColumnKind,
    value: &Value,
) -> super::AnyQuery<'q> {
    match (kind, value) {
        (_, Value::Text(text)) => query.bind(text.clone()),
        (_, Value::Integer(number)) => query.bind(*number),
        (ColumnKind::Integer | ColumnKind::OptionalInteger, Value::Null) => query.bind(None::<i64>),
        (ColumnKind::Text | ColumnKind::OptionalText, Value::Null) => query.bind(None::<String>),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_column_is_a_column_and_names_are_unique() {
        for table in TABLES {
            for key in table.key {
                assert!(table.column(key).is_some(), "{}.{key}", table.name);
            }
            assert_eq!(TABLES.iter().filter(|t| t.name == table.name).count(), 1);
        }
    }

    #[test]
    fn text_keys_sort_by_bytes_on_postgres() {
        let query = export_query(Engine::Postgres, table("blocks").unwrap());
        assert!(query.ends_with("ORDER BY kind COLLATE \"C\", value COLLATE \"C\""));
        let query = export_query(Engine::Sqlite, table("audit_log").unwrap());
        assert!(query.ends_with("ORDER BY at, moderator, action, target, detail"));
    }
}
