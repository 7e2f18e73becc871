//! Generic background jobs (the `jobs` table): a request checks its input, then queues a job of some `kind` with
//! its JSON payload and a Progress in one transaction, so a client that got a Progress id can always poll it. The
//! worker in `assay-jobs` claims runnable jobs through `job_rows` and runs the handler of each job's kind.
//!
//! A handler does all its work in one transaction and ends the job ([`finish`]) in that same transaction: a job is
//! either done and marked done, or not done at all. A job whose worker died while it ran (still `running`, stale
//! heartbeat) is run again from its payload, which is therefore safe.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};

use crate::{
    Scope, StoreError,
    entity::{job, progress},
    sis_imports,
};

/// Job states (the Progress uses the same names).
pub const QUEUED: &str = sis_imports::QUEUED;
pub const RUNNING: &str = sis_imports::RUNNING;
pub const COMPLETED: &str = sis_imports::COMPLETED;
pub const FAILED: &str = sis_imports::FAILED;

/// What a new job is.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What the worker runs; also the Progress `tag`.
    pub kind: &'static str,
    /// What the Progress is about (`Course`, `Account`) and its id: who may read the Progress follows from it.
    pub context_type: &'static str,
    pub context_id: i64,
    /// Who asked: the actor of the job's changes, and a reader of its Progress.
    pub user_id: Option<i64>,
    pub payload: serde_json::Value,
}

/// Queues a job with its Progress (both `queued`, 0 %).
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    new: NewJob,
) -> Result<(job::Model, progress::Model), StoreError> {
    let now = crate::now();
    let progress = progress::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        context_type: Set(new.context_type.to_owned()),
        context_id: Set(new.context_id),
        user_id: Set(new.user_id),
        tag: Set(new.kind.to_owned()),
        completion: Set(0.0),
        workflow_state: Set(QUEUED.to_owned()),
        message: Set(None),
        results: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let job = job::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        kind: Set(new.kind.to_owned()),
        payload: Set(new.payload.to_string()),
        progress_id: Set(progress.id),
        user_id: Set(new.user_id),
        workflow_state: Set(QUEUED.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((job, progress))
}

const JOB: crate::job_rows::JobColumns<job::Entity> = crate::job_rows::JobColumns {
    id: job::Column::Id,
    state: job::Column::WorkflowState,
    updated_at: job::Column::UpdatedAt,
    started_at: job::Column::StartedAt,
    queued: QUEUED,
    running: RUNNING,
};

/// Jobs a worker may take (see `job_rows::runnable`).
pub async fn runnable<C: ConnectionTrait>(
    conn: &C,
    stale_after: chrono::TimeDelta,
) -> Result<Vec<job::Model>, StoreError> {
    crate::job_rows::runnable(conn, &JOB, stale_after).await
}

/// Takes `job` for this worker (see `job_rows::claim`) and marks its Progress running.
pub async fn claim<C: ConnectionTrait>(conn: &C, job: &job::Model) -> Result<bool, StoreError> {
    let claimed = crate::job_rows::claim(conn, &JOB, job.id, &job.workflow_state, job.updated_at).await?;
    if claimed {
        sis_imports::set_progress(conn, job.progress_id, RUNNING, 0.0, None, None).await?;
    }
    Ok(claimed)
}

/// Ends a job (`completed` or `failed`) and its Progress (100 %, with `message` and `results`). Called in the
/// transaction of the job's work, so the work and its end are recorded together.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    job: &job::Model,
    state: &str,
    message: String,
    results: serde_json::Value,
) -> Result<(), StoreError> {
    let now = crate::now();
    job::Entity::update_many()
        .col_expr(job::Column::WorkflowState, Expr::val(state))
        .col_expr(job::Column::UpdatedAt, Expr::val(now))
        .col_expr(job::Column::EndedAt, Expr::val(Some(now)))
        .filter(job::Column::Id.eq(job.id))
        .exec(conn)
        .await?;
    sis_imports::set_progress(conn, job.progress_id, state, 100.0, Some(message), Some(results)).await
}
