//! The transactional outbox. A change and the event describing it are written in the same transaction, so an
//! event exists exactly when its change committed. Webhooks and the `/api/v1/events` feed read from here.
//!
//! Ordering: events get their `seq` *after* they commit, from the sequencer below, in the order the sequencer
//! finds them. An id taken at insert time would not do: on PostgreSQL a transaction that took id 5 can commit
//! after one that took id 6, and a reader that already moved past 6 would never see 5. The sequencer only ever
//! numbers committed rows, one sequencer at a time, so a reader that asks for `seq > n` misses nothing.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Statement,
};

use crate::{
    Page, PageRequest, Scope, Store, StoreError,
    entity::event,
    page::{self, KeyKind, SortColumn},
};

/// Who caused a change (the user behind the request, or none for the CLI and background work).
#[derive(Debug, Clone, Copy, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
}

impl Actor {
    pub fn user(user_id: i64) -> Self {
        Actor { user_id: Some(user_id) }
    }

    pub fn system() -> Self {
        Actor { user_id: None }
    }
}

/// A state change to record.
pub struct NewEvent<'a> {
    pub root_account_id: i64,
    /// `account.created`, `user.updated`, …
    pub event_type: &'a str,
    pub subject_type: &'a str,
    pub subject_id: i64,
    pub actor: Actor,
    pub payload: serde_json::Value,
}

/// How many events this process has recorded, committed or not. Group commit compares it before and after a
/// group to wake the sequencer only when the group recorded one: most groups are autosaves, which record none, and
/// a needless sequencer pass is a write transaction that holds the single writer up.
static RECORDED: AtomicU64 = AtomicU64::new(0);

/// See [`RECORDED`]: a count that only grows; a change means some transaction recorded an event in between.
pub(crate) fn recorded_so_far() -> u64 {
    RECORDED.load(Ordering::Acquire)
}

/// Records `event` inside the caller's transaction.
pub async fn record(txn: &DatabaseTransaction, event: NewEvent<'_>) -> Result<(), StoreError> {
    RECORDED.fetch_add(1, Ordering::AcqRel);
    event::Entity::insert(event::ActiveModel {
        seq: Set(None),
        root_account_id: Set(event.root_account_id),
        event_type: Set(event.event_type.to_owned()),
        subject_type: Set(event.subject_type.to_owned()),
        subject_id: Set(event.subject_id),
        actor_user_id: Set(event.actor.user_id),
        payload: Set(event.payload),
        created_at: Set(crate::now()),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Records `event_type` (`<subject>.<verb>`, e.g. `course.created`) about the subject `subject_id`, whose type is
/// the part before the dot.
pub async fn record_change(
    txn: &DatabaseTransaction,
    root_account_id: i64,
    event_type: &str,
    subject_id: i64,
    actor: Actor,
    payload: serde_json::Value,
) -> Result<(), StoreError> {
    let subject_type = event_type.split('.').next().unwrap_or(event_type);
    record(txn, NewEvent { root_account_id, event_type, subject_type, subject_id, actor, payload }).await
}

/// Records `<subject_type>.updated` with the subject after the change and `changes: {field: [before, after]}`;
/// records nothing when no field changed.
pub async fn record_update(
    txn: &DatabaseTransaction,
    root_account_id: i64,
    subject_type: &'static str,
    subject_id: i64,
    actor: Actor,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    let changes: serde_json::Map<String, serde_json::Value> = after
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| before.get(k.as_str()) != Some(v))
        .map(|(k, v)| (k.clone(), serde_json::json!([before.get(k.as_str()), v])))
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let event_type = format!("{subject_type}.updated");
    record(
        txn,
        NewEvent {
            root_account_id,
            event_type: &event_type,
            subject_type,
            subject_id,
            actor,
            payload: serde_json::json!({ subject_type: after, "changes": changes }),
        },
    )
    .await
}

/// How many events one sequencer pass numbers; a backlog is worked off in several passes.
const SEQUENCE_BATCH: u64 = 1000;

/// Numbers committed events that have no `seq` yet, oldest id first. Returns how many it numbered.
pub async fn sequence_pending(store: &Store) -> Result<u64, StoreError> {
    let backend = store.db_backend();
    let kind = store.backend();
    let mut total = 0;
    loop {
        let numbered = store
            .write_quietly(move |txn| {
                Box::pin(async move {
                    match kind {
                        // Several replicas may run a sequencer; the advisory lock (released at commit) makes them
                        // take turns, so two never hand out the same numbers.
                        crate::Backend::Postgres => {
                            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7302002)").await?;
                        }
                        // One process, and its writes are already serialised by the single writer connection.
                        crate::Backend::Sqlite => {}
                    }
                    // The same statement on both: the base is read once, before any row changes.
                    let sql = format!(
                        "UPDATE events SET seq = (SELECT COALESCE(MAX(seq), 0) FROM events) + pending.rn \
                         FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM events \
                               WHERE seq IS NULL ORDER BY id LIMIT {SEQUENCE_BATCH}) AS pending \
                         WHERE events.id = pending.id"
                    );
                    let result = txn.execute_raw(Statement::from_string(backend, sql)).await?;
                    Ok(result.rows_affected())
                })
            })
            .await?;
        total += numbered;
        if numbered < SEQUENCE_BATCH {
            return Ok(total);
        }
    }
}

/// Runs the sequencer in the background: promptly after each write commits, and every second for events
/// written by other replicas.
pub fn spawn_sequencer(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let _ = tokio::time::timeout(Duration::from_secs(1), store.events_written.notified()).await;
            if let Err(err) = sequence_pending(&store).await {
                tracing::warn!(error = %err, "event sequencer pass failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    })
}

/// The school's events with `seq > since_seq`, in `seq` order.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    since_seq: i64,
    event_type: Option<&str>,
    request: &PageRequest,
) -> Result<Page<event::Model>, StoreError> {
    let mut select = event::Entity::find()
        .filter(event::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(event::Column::Seq.is_not_null())
        .filter(event::Column::Seq.gt(since_seq));
    if let Some(event_type) = event_type {
        select = select.filter(event::Column::EventType.eq(event_type));
    }
    let sort =
        [SortColumn::<event::Model> { column: "seq", kind: KeyKind::Integer, key: |m| serde_json::json!(m.seq) }];
    page::fetch(conn, select, "events", &sort, request).await
}
