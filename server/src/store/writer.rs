//! SQLite's group commit. SQLite has one writer, and with `synchronous = FULL` every commit
//! waits for the disk (an fsync): a post's claim and its comment, each its own transaction,
//! made the disk the limit. Here one task takes the claims and comments waiting, runs them in
//! one transaction (each comment in a savepoint of its own), and commits them together: one
//! fsync for the batch.
//!
//! Invariants: each job is all or nothing (a comment's savepoint is released, or rolled back,
//! before the next job starts; a claim changes at most one row, in one statement); no answer leaves before the batch is committed (a 201 is sent only for
//! a comment on disk); if anything fails that a savepoint cannot undo, the whole batch is
//! rolled back and every job in it fails.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, AnyPool, Connection, Transaction};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::comments::store_comment;
use super::idempotency::claim_key;
use super::{Claim, Engine, NotStored, Result, StoredAnswer, StoredComment};

/// At most this many jobs in one transaction.
const BATCH: usize = 64;

/// How long a request waits for its job to be queued and answered. A database that another
/// process keeps locked fails a batch after SQLite's busy timeout (10 s); past this the
/// request is answered 503 (a comment stored meanwhile keeps its key's answer, which a retry
/// with the same key gets).
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

type Stored = std::result::Result<(), NotStored>;

enum Job {
    Claim {
        key: String,
        article_id: String,
        now: i64,
        stale_ms: i64,
        reply: oneshot::Sender<Result<Claim>>,
    },
    Insert {
        comment: Box<StoredComment>,
        key: String,
        claimed_at: i64,
        subjects: Vec<String>,
        window_ms: i64,
        answer: StoredAnswer,
        reply: oneshot::Sender<Result<Stored>>,
    },
}

/// A job's outcome, held until its batch is committed.
enum Done {
    Claim(oneshot::Sender<Result<Claim>>, Result<Claim>),
    Insert(oneshot::Sender<Result<Stored>>, Result<Stored>),
}

impl Done {
    fn send(self) {
        // A requester that went away no longer wants its answer; what is stored stays.
        match self {
            Done::Claim(reply, outcome) => drop(reply.send(outcome)),
            Done::Insert(reply, outcome) => drop(reply.send(outcome)),
        }
    }

    /// The batch could not be committed: this job's outcome becomes that error.
    fn fail(self, error: &sqlx::Error) {
        let error = || batch_failed(error);
        match self {
            Done::Claim(reply, _) => drop(reply.send(Err(error()))),
            Done::Insert(reply, _) => drop(reply.send(Err(error()))),
        }
    }
}

fn batch_failed(error: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!(
        "stored in one transaction with other requests, which could not be committed: {error}"
    )))
}

/// The way to the writing task (one per store, ended when every clone of the store is gone).
#[derive(Clone)]
pub(super) struct Batches {
    jobs: mpsc::Sender<Job>,
}

impl Batches {
    /// Starts the task that writes through `writer` (a pool of one connection). A task that
    /// panics is started again (the jobs of its batch fail; the queue is kept).
    pub(super) fn start(writer: AnyPool, engine: Engine) -> Batches {
        let (jobs, waiting) = mpsc::channel(BATCH * 4);
        let waiting = Arc::new(Mutex::new(waiting));
        tokio::spawn(async move {
            loop {
                let task = tokio::spawn(run(writer.clone(), engine, waiting.clone()));
                match task.await {
                    Err(error) if error.is_panic() => {
                        tracing::error!("the store's writing task panicked; started again");
                    }
                    _ => break,
                }
            }
        });
        Batches { jobs }
    }

    /// Whether the writing task is there to take jobs (for `/healthz`).
    pub(super) fn is_running(&self) -> bool {
        !self.jobs.is_closed()
    }

    pub(super) async fn claim(
        &self,
        key: String,
        article_id: String,
        now: i64,
        stale_ms: i64,
    ) -> Result<Claim> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Claim {
            key,
            article_id,
            now,
            stale_ms,
            reply,
        })
        .await?;
        within(answer).await?
    }

    pub(super) async fn insert(
        &self,
        comment: StoredComment,
        key: String,
        claimed_at: i64,
        subjects: Vec<String>,
        window_ms: i64,
        answer: StoredAnswer,
    ) -> Result<Stored> {
        let (reply, stored) = oneshot::channel();
        self.send(Job::Insert {
            comment: Box::new(comment),
            key,
            claimed_at,
            subjects,
            window_ms,
            answer,
            reply,
        })
        .await?;
        within(stored).await?
    }

    async fn send(&self, job: Job) -> Result<()> {
        match tokio::time::timeout(ANSWER_WITHIN, self.jobs.send(job)).await {
            Ok(sent) => sent.map_err(|_| gone()),
            Err(_) => Err(too_long()),
        }
    }
}

/// The job's answer, within `ANSWER_WITHIN`.
async fn within<T>(answer: oneshot::Receiver<Result<T>>) -> Result<Result<T>> {
    match tokio::time::timeout(ANSWER_WITHIN, answer).await {
        Ok(answer) => answer.map_err(|_| gone()),
        Err(_) => Err(too_long()),
    }
}

fn too_long() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the store's writes did not answer in time (is another process holding the database?)",
    ))
}

fn gone() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(
        "the store's writing task has stopped (the store was closed)",
    ))
}

async fn run(writer: AnyPool, engine: Engine, waiting: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut waiting = waiting.lock().await;
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        write(&writer, engine, batch.drain(..)).await;
        if writer.is_closed() {
            break;
        }
    }
}

/// One transaction for the batch, a savepoint per job; answers after the commit.
async fn write(writer: &AnyPool, engine: Engine, jobs: impl Iterator<Item = Job>) {
    let mut transaction = match writer.begin().await {
        Ok(transaction) => transaction,
        Err(error) => {
            for job in jobs {
                job.not_run().fail(&error);
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(BATCH);
    let mut broken = None;
    for job in jobs {
        if broken.is_some() {
            done.push(job.not_run());
            continue;
        }
        let (outcome, error) = job.run(&mut transaction, engine).await;
        if let Some(error) = error {
            broken = Some(error);
        }
        done.push(outcome);
    }
    let committed = match broken {
        Some(error) => {
            let _ = transaction.rollback().await;
            Err(error)
        }
        None => transaction.commit().await,
    };
    match committed {
        Ok(()) => done.into_iter().for_each(Done::send),
        Err(error) => {
            tracing::error!("a batch of {} writes failed: {error}", done.len());
            done.into_iter().for_each(|job| job.fail(&error))
        }
    }
}

impl Job {
    /// Runs the job: a claim as it is (each of its statements is atomic, and at most one
    /// of them changes anything, so a failure leaves nothing to undo), a comment in a
    /// savepoint. The error, if any, is one the savepoint could not undo (the batch must be
    /// rolled back).
    async fn run(
        self,
        transaction: &mut Transaction<'static, Any>,
        engine: Engine,
    ) -> (Done, Option<sqlx::Error>) {
        match self {
            Job::Claim {
                key,
                article_id,
                now,
                stale_ms,
                reply,
            } => {
                // A failed statement may have undone the whole transaction (SQLite does on a
                // full disk, an I/O error, no memory): the batch is rolled back, never
                // committed with what followed.
                match claim_key(transaction, engine, &key, &article_id, now, stale_ms).await {
                    Ok(claim) => (Done::Claim(reply, Ok(claim)), None),
                    Err(error) => (Done::Claim(reply, Err(batch_failed(&error))), Some(error)),
                }
            }
            Job::Insert {
                comment,
                key,
                claimed_at,
                subjects,
                window_ms,
                answer,
                reply,
            } => {
                let mut savepoint = match Connection::begin(&mut **transaction).await {
                    Ok(savepoint) => savepoint,
                    Err(error) => {
                        let not_run = Err(batch_failed(&error));
                        return (Done::Insert(reply, not_run), Some(error));
                    }
                };
                let outcome = store_comment(
                    &mut savepoint,
                    engine,
                    &comment,
                    &key,
                    claimed_at,
                    &subjects,
                    window_ms,
                    &answer,
                )
                .await;
                let ended = if matches!(outcome, Ok(Ok(()))) {
                    savepoint.commit().await
                } else {
                    savepoint.rollback().await
                };
                match (outcome, ended) {
                    // A refusal (too soon, the claim lost) is undone by its savepoint; the
                    // batch goes on.
                    (Ok(stored), Ok(())) => (Done::Insert(reply, Ok(stored)), None),
                    // A database error may have undone more than the savepoint (see the
                    // claim's): the batch is rolled back.
                    (Err(error), _) | (Ok(_), Err(error)) => {
                        (Done::Insert(reply, Err(batch_failed(&error))), Some(error))
                    }
                }
            }
        }
    }

    /// The job, not run (its batch failed before it).
    fn not_run(self) -> Done {
        let not_run = || sqlx::Error::Io(std::io::Error::other("not run: its batch failed"));
        match self {
            Job::Claim { reply, .. } => Done::Claim(reply, Err(not_run())),
            Job::Insert { reply, .. } => Done::Insert(reply, Err(not_run())),
        }
    }
}
