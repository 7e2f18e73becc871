//! Claiming background jobs, the same for every job table (SIS imports, content migrations): a worker reads the
//! runnable rows and claims one with a compare-and-set on its state and heartbeat (`updated_at`), so two workers
//! never run the same job and a job whose worker died is taken over once its heartbeat is stale.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};

use crate::StoreError;

/// The columns a job table shares.
pub(crate) struct JobColumns<E: EntityTrait> {
    pub id: E::Column,
    pub state: E::Column,
    pub updated_at: E::Column,
    pub started_at: E::Column,
    /// The state of a job waiting for a worker.
    pub queued: &'static str,
    /// The state of a job a worker is running.
    pub running: &'static str,
}

/// Queued jobs, and running ones whose heartbeat is older than `stale_after` (their worker died; jobs are
/// idempotent, so running them again is safe), oldest first.
pub(crate) async fn runnable<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    cols: &JobColumns<E>,
    stale_after: chrono::TimeDelta,
) -> Result<Vec<E::Model>, StoreError> {
    let stale = crate::now() - stale_after;
    Ok(E::find()
        .filter(
            sea_orm::Condition::any()
                .add(cols.state.eq(cols.queued))
                .add(sea_orm::Condition::all().add(cols.state.eq(cols.running)).add(cols.updated_at.lt(stale))),
        )
        .order_by_asc(cols.id)
        .all(conn)
        .await?)
}

/// Takes the job `id` for this worker: succeeds only if nobody changed it since it was read in `state` with
/// heartbeat `updated_at` (another worker claiming it, or its own worker's heartbeat).
pub(crate) async fn claim<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    cols: &JobColumns<E>,
    id: i64,
    state: &str,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    let now = crate::now();
    let result = E::update_many()
        .col_expr(cols.state, Expr::val(cols.running))
        .col_expr(cols.updated_at, Expr::val(now))
        .col_expr(cols.started_at, Expr::val(Some(now)))
        .filter(cols.id.eq(id))
        .filter(cols.state.eq(state))
        .filter(cols.updated_at.eq(updated_at))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
