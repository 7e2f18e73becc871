//! Connecting to either backend. The differences between SQLite and PostgreSQL at connection level all live
//! here, side by side.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use sea_orm_migration::MigratorTrait;
use tokio::sync::Notify;

use crate::{StoreError, migration::Migrator};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections for reads (and, on PostgreSQL, writes).
    pub max_connections: u32,
    /// How long a request waits for a free connection before the store reports the database unavailable.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { max_connections: 10, acquire_timeout: Duration::from_secs(30) }
    }
}

/// The database, as every other layer sees it.
#[derive(Clone)]
pub struct Store {
    reader: DatabaseConnection,
    /// On SQLite a separate pool with exactly one connection: SQLite allows one writer at a time, and queueing
    /// writers here (in memory, in arrival order) instead of inside SQLite means a write transaction never
    /// fails with SQLITE_BUSY when it upgrades from read to write. On PostgreSQL it is the same pool as `reader`.
    writer: DatabaseConnection,
    backend: Backend,
    /// Woken after a write commits, so the event sequencer runs promptly.
    pub(crate) events_written: Arc<Notify>,
    /// How many write transactions have committed (`write`; not `write_grouped` or the event sequencer's, whose
    /// writes change nothing cached): what was read before a commit may be stale after it. The `read_cache`
    /// copies (who a token is, the course and quiz a path names) compare it.
    generation: Arc<AtomicU64>,
    /// The writes candidates make all at once, committed in groups (`write_grouped`).
    grouped: crate::group_commit::GroupCommit,
    /// Question versions that attempts show (immutable once delivered).
    pub(crate) delivered_versions: Arc<crate::delivered_versions::DeliveredVersions>,
    /// Copies of the course and quiz rows that requests name in their paths (see `read_cache`).
    pub(crate) cached: Arc<crate::read_cache::PathRows>,
}

impl Store {
    /// Opens `url` (`sqlite://path.db`, `sqlite::memory:` is refused, `postgres://…`). A SQLite file is created if
    /// missing.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid {
                field: "database_url",
                message: format!("unsupported database URL `{}`: use sqlite://FILE or postgres://…", redact(url)),
            });
        };
        let (reader, writer) = match backend {
            Backend::Sqlite => {
                if url.contains(":memory:") || url.contains("mode=memory") {
                    // Every pooled connection would get its own empty database.
                    return Err(StoreError::Invalid {
                        field: "database_url",
                        message: "in-memory SQLite is not supported; use a file".into(),
                    });
                }
                let reader = Database::connect(sqlite_options(url, options.max_connections, options)).await?;
                let writer = Database::connect(sqlite_options(url, 1, options)).await?;
                (reader, writer)
            }
            Backend::Postgres => {
                let mut opts = ConnectOptions::new(url);
                opts.max_connections(options.max_connections)
                    .min_connections(1)
                    .acquire_timeout(options.acquire_timeout)
                    .sqlx_logging(log_statements())
                    .sqlx_logging_level(log::LevelFilter::Debug);
                let pool = Database::connect(opts).await?;
                (pool.clone(), pool)
            }
        };
        let events_written = Arc::new(Notify::new());
        let grouped = crate::group_commit::GroupCommit::start(writer.clone(), events_written.clone());
        Ok(Store {
            reader,
            writer,
            backend,
            events_written,
            generation: Arc::default(),
            grouped,
            delivered_versions: Arc::default(),
            cached: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection for reads outside a transaction.
    pub fn read(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Runs `work` in one write transaction: it commits when `work` returns `Ok` and rolls back otherwise, so a
    /// failed change leaves nothing behind — including the events it recorded.
    pub async fn write<F, T>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>
            + Send,
        T: Send,
    {
        let result = self.write_quietly(work).await;
        // Counted whatever the outcome: a failed commit may still have changed something.
        self.generation.fetch_add(1, Ordering::Release);
        if result.is_ok() {
            self.events_written.notify_one();
        }
        result
    }

    /// As [`Store::write`], for the writes every candidate makes at once during an exam: autosaves, last-used
    /// marks, starting and submitting an attempt (with its scoring and the submission it updates). Each shares one
    /// transaction with the others that arrive meanwhile, in a savepoint of its own (see `group_commit`); it returns
    /// once that transaction has committed, and an error rolls back this write only.
    ///
    /// Only for writes that change nothing a [`crate::read_cache::ReadCache`] keeps (attempts, answers, submissions,
    /// delivered marks, events, last-used marks): they do not move [`Store::generation`], so those copies stay in
    /// use through an exam's start and end.
    ///
    /// `work` may run twice: a group is first tried without savepoints and, if a write in it fails, rolled back
    /// and run again with one around each write. So it is `Clone` and must do nothing but write through the
    /// transaction it is given.
    pub async fn write_grouped<F, T>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>
            + Clone
            + Send
            + 'static,
        T: Send + 'static,
    {
        self.grouped.write(work).await
    }

    /// `write` without waking the event sequencer or moving the generation: for the sequencer's own transactions,
    /// which only number events (nothing cached). It runs after every write that records an event, so moving the
    /// generation here would throw every cached copy away after each autosave.
    pub(crate) async fn write_quietly<F, T>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c DatabaseTransaction) -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'c>>
            + Send,
        T: Send,
    {
        self.writer.transaction::<F, T, StoreError>(work).await.map_err(StoreError::from)
    }

    /// The number of write transactions so far (see the `generation` field): read it *before* reading what a
    /// cache keeps, and the copy is current as long as the number has not moved.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Applies pending migrations; returns the names of those that ran.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let pending: Vec<String> =
            Migrator::get_pending_migrations(&self.writer).await?.iter().map(|m| m.name().to_owned()).collect();
        Migrator::up(&self.writer, None).await.map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(pending)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.reader.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(self) -> Result<(), StoreError> {
        self.reader.close().await?;
        if self.backend == Backend::Sqlite {
            self.writer.close().await?;
        }
        Ok(())
    }

    pub(crate) fn db_backend(&self) -> DbBackend {
        self.reader.get_database_backend()
    }
}

fn sqlite_options(url: &str, max_connections: u32, options: &StoreOptions) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(options.acquire_timeout)
        .sqlx_logging(log_statements())
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last
                // commits, which is the trade SQLite documents for WAL.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    opts
}

/// Whether every statement is logged (at debug level, target `sqlx::query`, e.g. `RUST_LOG=sqlx::query=debug`):
/// decided once at connect time, so a server that does not log them pays nothing per statement.
fn log_statements() -> bool {
    tracing::enabled!(target: "sqlx::query", tracing::Level::DEBUG)
}

/// A database URL with any password removed, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
