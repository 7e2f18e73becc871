//! Group commit: write transactions that arrive together (candidates' autosaves, and at an exam's start and end
//! their starts and submissions) run one after another in one database transaction, each in its own savepoint, and
//! are acknowledged together once that transaction has committed. A save is still durable before its reply (nothing is acknowledged before the commit), a failing
//! save still changes nothing (its savepoint is rolled back, the others go on), and the database pays one
//! commit — on PostgreSQL one WAL flush, on SQLite one WAL append and one writer hand-over — for the whole group.

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
};

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::StoreError;

/// At most this many writes share a transaction (bounds how long one commit keeps the others waiting).
const MAX_GROUP: usize = 128;
/// Writes waiting for their group at most; more wait for room (back-pressure instead of unbounded memory).
const QUEUE: usize = 4_096;

type Run = Box<dyn for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = ()> + Send + 'c>> + Send>;
/// Replies to the writer: `None` once the group committed, or why it did not.
type Finish = Box<dyn FnOnce(Option<String>) + Send>;

struct Job {
    run: Run,
    finish: Finish,
}

/// The queue of writes waiting to be grouped, and the task that commits them.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the committing task on `writer`; it ends when the last `Store` holding the queue is dropped.
    pub(crate) fn start(writer: DatabaseConnection, written: Arc<Notify>) -> GroupCommit {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(commit_groups(writer, jobs, written));
        GroupCommit { queue }
    }

    /// Runs `work` in a savepoint of the next group's transaction; its result once the group committed.
    pub(crate) async fn write<F, T>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let outcome: Arc<Mutex<Option<Result<T, StoreError>>>> = Arc::default();
        let (reply, replied) = oneshot::channel();
        let kept = outcome.clone();
        let run: Run = Box::new(move |txn| {
            Box::pin(async move {
                // A nested transaction is a savepoint: an error rolls back this write only.
                let result = txn.transaction::<_, T, StoreError>(work).await.map_err(StoreError::from);
                if let Ok(mut slot) = kept.lock() {
                    *slot = Some(result);
                }
            })
        });
        let finish: Finish = Box::new(move |commit_failed| {
            let result = outcome.lock().ok().and_then(|mut slot| slot.take());
            let result = match (result, commit_failed) {
                (Some(Err(refused)), _) => Err(refused),
                (Some(Ok(value)), None) => Ok(value),
                (_, Some(why)) => Err(StoreError::Database(DbErr::Custom(why))),
                (None, None) => Err(StoreError::Database(DbErr::Custom("the write did not run".into()))),
            };
            let _ = reply.send(result);
        });
        self.queue
            .send(Job { run, finish })
            .await
            .map_err(|_| StoreError::Database(DbErr::Custom("the group commit task has stopped".into())))?;
        replied.await.map_err(|_| StoreError::Database(DbErr::Custom("the group commit task has stopped".into())))?
    }
}

async fn commit_groups(writer: DatabaseConnection, mut jobs: mpsc::Receiver<Job>, written: Arc<Notify>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while jobs.recv_many(&mut group, MAX_GROUP).await > 0 {
        let mut finishes = Vec::with_capacity(group.len());
        let committed = async {
            let txn = writer.begin().await?;
            for job in group.drain(..) {
                (job.run)(&txn).await;
                finishes.push(job.finish);
            }
            txn.commit().await
        }
        .await;
        // Jobs the failed `begin` never reached are answered too.
        finishes.extend(group.drain(..).map(|job| job.finish));
        let failed = committed.err().map(|e| {
            tracing::error!(error = %e, "a group of writes could not commit");
            format!("the write could not be committed: {e}")
        });
        if failed.is_none() {
            written.notify_one();
        }
        for finish in finishes {
            finish(failed.clone());
        }
    }
}
