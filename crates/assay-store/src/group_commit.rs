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

/// Runs one write in the group's transaction, in a savepoint of its own or not; true if it succeeded. A write may
/// run twice (see [`commit_groups`]), so it is a closure that can be called again.
type Run = Box<
    dyn for<'c> FnMut(&'c DatabaseTransaction, Savepoint) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>> + Send,
>;
/// Replies to the writer: `None` once the group committed, or why it did not.
type Finish = Box<dyn FnOnce(Option<String>) + Send>;

struct Job {
    run: Run,
    finish: Finish,
}

/// Whether each write of a group runs in a savepoint of its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Savepoint {
    /// The first try: straight in the transaction, two statements (`SAVEPOINT`, `RELEASE`) fewer per write.
    No,
    /// After a write failed: each write is isolated, so the failing one rolls back alone.
    Each,
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

    /// Runs `work` in the next group's transaction; its result once the group committed. `work` may run twice,
    /// the first time in a transaction that is then rolled back (hence `Clone`): it must do nothing but write
    /// through the transaction it is given.
    pub(crate) async fn write<F, T>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>
            + Clone
            + Send
            + 'static,
        T: Send + 'static,
    {
        let outcome: Arc<Mutex<Option<Result<T, StoreError>>>> = Arc::default();
        let (reply, replied) = oneshot::channel();
        let kept = outcome.clone();
        let run: Run = Box::new(move |txn, savepoint| {
            let work = work.clone();
            let kept = kept.clone();
            Box::pin(async move {
                let result = match savepoint {
                    Savepoint::No => work(txn).await,
                    // A nested transaction is a savepoint: an error rolls back this write only.
                    Savepoint::Each => txn.transaction::<_, T, StoreError>(work).await.map_err(StoreError::from),
                };
                let succeeded = result.is_ok();
                // A second run's result replaces the first's (whose transaction was rolled back).
                if let Ok(mut slot) = kept.lock() {
                    *slot = Some(result);
                }
                succeeded
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

/// What became of one try at a group.
enum Tried {
    Committed,
    /// A write failed while they ran without savepoints; the transaction was rolled back.
    WriteFailed,
    /// The transaction could not begin or commit: every write of the group fails with this.
    NotCommitted(String),
}

/// Commits the queued writes group by group. Each group is first tried without savepoints, as writes rarely fail
/// (what a request can get wrong is checked before it writes); if one does fail, that try is rolled back and the
/// group runs again with a savepoint around each write, so the failing one changes nothing and the others commit.
async fn commit_groups(writer: DatabaseConnection, mut jobs: mpsc::Receiver<Job>, written: Arc<Notify>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while jobs.recv_many(&mut group, MAX_GROUP).await > 0 {
        let events_before = crate::events::recorded_so_far();
        let mut tried = try_group(&writer, &mut group, Savepoint::No).await;
        if matches!(tried, Tried::WriteFailed) {
            tried = try_group(&writer, &mut group, Savepoint::Each).await;
        }
        let failed = match tried {
            Tried::Committed => None,
            // Only reachable without savepoints, which the retry above does not use.
            Tried::WriteFailed => Some("the write could not be committed".to_owned()),
            Tried::NotCommitted(why) => {
                tracing::error!(error = %why, "a group of writes could not commit");
                Some(format!("the write could not be committed: {why}"))
            }
        };
        if failed.is_none() && crate::events::recorded_so_far() != events_before {
            written.notify_one();
        }
        for job in group.drain(..) {
            (job.finish)(failed.clone());
        }
    }
}

async fn try_group(writer: &DatabaseConnection, group: &mut [Job], savepoint: Savepoint) -> Tried {
    let txn = match writer.begin().await {
        Ok(txn) => txn,
        Err(e) => return Tried::NotCommitted(e.to_string()),
    };
    for job in group.iter_mut() {
        if !(job.run)(&txn, savepoint).await && savepoint == Savepoint::No {
            if let Err(e) = txn.rollback().await {
                return Tried::NotCommitted(e.to_string());
            }
            return Tried::WriteFailed;
        }
    }
    match txn.commit().await {
        Ok(()) => Tried::Committed,
        Err(e) => Tried::NotCommitted(e.to_string()),
    }
}
