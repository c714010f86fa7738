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

use sqlx::{Any, AnyPool, Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::comments::store_comment;
use super::idempotency::claim_key;
use super::{Claim, Engine, Result, StoredAnswer, StoredComment, TooSoon};

/// At most this many jobs in one transaction.
const BATCH: usize = 64;

type Stored = std::result::Result<(), TooSoon>;

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
    /// Starts the task that writes through `writer` (a pool of one connection).
    pub(super) fn start(writer: AnyPool, engine: Engine) -> Batches {
        let (jobs, waiting) = mpsc::channel(BATCH * 4);
        tokio::spawn(run(writer, engine, waiting));
        Batches { jobs }
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
        answer.await.map_err(|_| gone())?
    }

    pub(super) async fn insert(
        &self,
        comment: StoredComment,
        key: String,
        subjects: Vec<String>,
        window_ms: i64,
        answer: StoredAnswer,
    ) -> Result<Stored> {
        let (reply, stored) = oneshot::channel();
        self.send(Job::Insert {
            comment: Box::new(comment),
            key,
            subjects,
            window_ms,
            answer,
            reply,
        })
        .await?;
        stored.await.map_err(|_| gone())?
    }

    async fn send(&self, job: Job) -> Result<()> {
        self.jobs.send(job).await.map_err(|_| gone())
    }
}

fn gone() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(
        "the store's writing task has stopped (the store was closed)",
    ))
}

async fn run(writer: AnyPool, engine: Engine, mut waiting: mpsc::Receiver<Job>) {
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
                let outcome =
                    claim_key(transaction, engine, &key, &article_id, now, stale_ms).await;
                (Done::Claim(reply, outcome), None)
            }
            Job::Insert {
                comment,
                key,
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
                // An error here leaves its writes perhaps half done: the batch is rolled back.
                (Done::Insert(reply, outcome), ended.err())
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
