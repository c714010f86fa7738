//! sqlx's `Any` driver against the native `Sqlite` and `Postgres` pools, side by side in one
//! run, on what the service does most: a page of a long thread (the very statement the store
//! runs, one round trip) and storing a comment (one insert). Not a test: it prints figures
//! for ARCHITECTURE.md's choice of driver.
//!
//! BENCH_DATABASE: a postgres:// URL to measure PostgreSQL too (SQLite always, in a
//! temporary file); BENCH_SECONDS (3) per measurement; BENCH_TASKS (16) concurrent tasks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use comment_service::clock::now_ms;
use comment_service::store::{ModerationStatus, Store, StoredComment};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AnyPool, Executor, PgPool, SqlitePool};

#[allow(dead_code)]
mod support;
use support::setting;

const ARTICLE: &str = "driver-long";
const COLUMNS: &str =
    "id, article_id, parent_id, author, email, website, content, status, created_at, client_address, author_token";

/// The store's first-page statement (see `store::comments::page_sql`), with `?` marks.
fn page_sql() -> String {
    let visible = "AND (status = 'approved' OR (status = 'pending' AND author_token = ?))";
    format!(
        "WITH page_roots AS (
             SELECT {COLUMNS} FROM comments
             WHERE article_id = ? AND root_id = id {visible}
             ORDER BY created_at ASC, id ASC LIMIT ?)
         SELECT CAST(0 AS BIGINT) AS part, id AS page_root, {COLUMNS} FROM page_roots
         UNION ALL
         SELECT CAST(1 AS BIGINT) AS part, root_id AS page_root, {COLUMNS} FROM comments
         WHERE root_id IN (SELECT id FROM page_roots) AND root_id <> id {visible}"
    )
}

const INSERT: &str = "INSERT INTO comments (id, article_id, parent_id, author, email, website, \
     content, status, created_at, client_address, author_token, root_id) \
     VALUES (?, ?, NULL, 'A reader', 'reader@example.com', NULL, 'A comment, stored.', \
     'approved', ?, '127.0.0.1', NULL, ?)";

/// `?` → `$1, $2…` for PostgreSQL (none of these statements has a `?` in a string).
fn numbered(sql: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Clone)]
enum Pool {
    Any(AnyPool),
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    async fn page(&self, sql: &str) -> usize {
        macro_rules! run {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(ARTICLE)
                    .bind("")
                    .bind(51i64)
                    .bind("")
                    .fetch_all($pool)
                    .await
                    .map(|rows| rows.len())
            };
        }
        // The marks in text order: article, viewer token, limit, viewer token.
        let rows = match self {
            Pool::Any(pool) => run!(pool),
            Pool::Sqlite(pool) => run!(pool),
            Pool::Postgres(pool) => run!(pool),
        };
        rows.unwrap_or_else(|error| panic!("the page: {error}"))
    }

    async fn insert(&self, sql: &str, id: &str) {
        macro_rules! run {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(id)
                    .bind("driver-posts")
                    .bind(now_ms())
                    .bind(id)
                    .execute($pool)
                    .await
                    .map(|_| ())
            };
        }
        let done = match self {
            Pool::Any(pool) => run!(pool),
            Pool::Sqlite(pool) => run!(pool),
            Pool::Postgres(pool) => run!(pool),
        };
        done.unwrap_or_else(|error| panic!("the insert: {error}"));
    }
}

/// Operations per second with `tasks` concurrent tasks for `seconds`.
async fn rate(
    pool: &Pool,
    what: &'static str,
    sql: Arc<String>,
    tasks: usize,
    seconds: u64,
    run: u64,
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut handles = Vec::new();
    for task in 0..tasks {
        let (pool, sql) = (pool.clone(), sql.clone());
        handles.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                if what == "page" {
                    assert!(pool.page(&sql).await > 50, "a whole page");
                } else {
                    pool.insert(&sql, &format!("d{run}t{task}n{done}")).await;
                }
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for handle in handles {
        total += handle.await.unwrap();
    }
    total as f64 / seconds as f64
}

fn comment(n: usize, roots: &mut Vec<String>) -> StoredComment {
    let id = format!("driver{n:06}");
    let parent =
        (n % 10 >= 7 && !roots.is_empty()).then(|| roots[(n * 7919) % roots.len()].clone());
    if parent.is_none() {
        roots.push(id.clone());
    }
    StoredComment {
        content: format!("Comment {id}: a sentence or two, as readers write them."),
        id,
        article_id: ARTICLE.to_owned(),
        parent_id: parent,
        author: "A reader".to_owned(),
        email: "reader@example.com".to_owned(),
        website: None,
        status: ModerationStatus::Approved,
        created_at: 1_700_000_000_000 + n as i64,
        client_address: "127.0.0.1".to_owned(),
        author_token: None,
        account: None,
        badges: None,
        notify: false,
    }
}

async fn measure(engine: &str, any: Pool, native: Pool, tasks: usize, seconds: u64) {
    let (page, insert) = match engine {
        "postgres" => (numbered(&page_sql()), numbered(INSERT)),
        _ => (page_sql(), INSERT.to_owned()),
    };
    let (page, insert) = (Arc::new(page), Arc::new(insert));
    let mut run = 0;
    for what in ["page", "insert"] {
        let sql = if what == "page" {
            page.clone()
        } else {
            insert.clone()
        };
        // Alternated, twice each, so a busy moment weighs on both.
        let mut figures = [Vec::new(), Vec::new()];
        for _ in 0..2 {
            for (slot, pool) in [&any, &native].into_iter().enumerate() {
                run += 1;
                figures[slot].push(rate(pool, what, sql.clone(), tasks, seconds, run).await);
            }
        }
        let best = |v: &Vec<f64>| v.iter().cloned().fold(0.0, f64::max);
        let (a, n) = (best(&figures[0]), best(&figures[1]));
        println!(
            "driver: {engine:<8} {what:<6}  Any {a:>7.0}/s   native {n:>7.0}/s   native/Any {:.2}×",
            n / a
        );
    }
}

#[tokio::main]
async fn main() {
    let tasks = setting("BENCH_TASKS", 16) as usize;
    let seconds = setting("BENCH_SECONDS", 3);
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("driver.db").display());
    let mut targets = vec![("sqlite", sqlite_url)];
    if let Ok(url) = std::env::var("BENCH_DATABASE") {
        targets.push(("postgres", url));
    }
    println!(
        "driver: {tasks} tasks, {seconds} s a measurement, best of two, Any and native alternated"
    );
    for (engine, url) in targets {
        // The schema and a thread of 10,000 comments, through the store.
        let store = Store::open(&url).await.unwrap();
        if store.comment("driver000000").await.unwrap().is_none() {
            let mut roots = Vec::new();
            let comments: Vec<StoredComment> =
                (0..10_000).map(|n| comment(n, &mut roots)).collect();
            store.insert_many(&comments, now_ms()).await.unwrap();
        }
        store.close().await;
        let (any, native) = match engine {
            "postgres" => (
                Pool::Any(
                    AnyPoolOptions::new()
                        .max_connections(16)
                        .connect(&url)
                        .await
                        .unwrap(),
                ),
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        .connect(&url)
                        .await
                        .unwrap(),
                ),
            ),
            _ => {
                let any = AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            connection.execute("PRAGMA synchronous = FULL").await?;
                            connection.execute("PRAGMA busy_timeout = 10000").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .unwrap();
                let options: SqliteConnectOptions = url.parse().unwrap();
                let options = options
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10));
                let native = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .unwrap();
                (Pool::Any(any), Pool::Sqlite(native))
            }
        };
        measure(engine, any, native, tasks, seconds).await;
    }
}
