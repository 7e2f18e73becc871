//! Background jobs: Progress objects (Canvas §1.15) and SIS imports (the job rows; the import itself runs in
//! `assay-jobs`). A job is queued in one transaction with its Progress, so a client that got a Progress id can
//! always poll it.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, sea_query::Expr,
};

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{account, course, progress, sis_import, user},
    page,
};

/// Progress states.
pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";

/// SIS import states (Canvas's names).
pub const CREATED: &str = "created";
pub const IMPORTING: &str = "importing";
pub const IMPORTED: &str = "imported";
pub const IMPORTED_WITH_MESSAGES: &str = "imported_with_messages";
pub const FAILED_WITH_MESSAGES: &str = "failed_with_messages";
pub const IMPORT_FAILED: &str = "failed";

/// The job kind of `POST /accounts/:id/bulk_enrollment`: it runs through the import machinery but is not a SIS
/// import, so the SIS import endpoints do not list or show it.
pub const BULK_ENROLLMENT: &str = "bulk_enrollment";

/// What a new job is.
pub struct NewJob {
    pub account_id: i64,
    pub user_id: Option<i64>,
    pub import_type: String,
    /// The Progress `tag` (`sis_import`, `bulk_enrollment`).
    pub tag: &'static str,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
    pub supplied_batches: Vec<String>,
}

/// Queues a job with its Progress (state `queued`, 0 %).
pub async fn enqueue(
    txn: &DatabaseTransaction,
    scope: &Scope,
    job: NewJob,
) -> Result<(sis_import::Model, progress::Model), StoreError> {
    let now = crate::now();
    let progress = progress::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        context_type: Set("Account".to_owned()),
        context_id: Set(job.account_id),
        user_id: Set(job.user_id),
        tag: Set(job.tag.to_owned()),
        completion: Set(0.0),
        workflow_state: Set(QUEUED.to_owned()),
        message: Set(None),
        results: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let import = sis_import::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(job.account_id),
        progress_id: Set(progress.id),
        user_id: Set(job.user_id),
        import_type: Set(job.import_type),
        workflow_state: Set(CREATED.to_owned()),
        file_name: Set(job.file_name),
        supplied_batches: Set(Some(serde_json::to_string(&job.supplied_batches).unwrap_or_default())),
        counts: Set(None),
        statistics: Set(None),
        processing_errors: Set(None),
        processing_warnings: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE sis_imports SET data = $1 WHERE id = $2",
            _ => "UPDATE sis_imports SET data = ? WHERE id = ?",
        },
        [job.data.into(), import.id.into()],
    ))
    .await?;
    Ok((import, progress))
}

/// The uploaded bytes of a job (empty once the job has ended and they were released).
pub async fn input<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<u8>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT data FROM sis_imports WHERE id = $1",
        _ => "SELECT data FROM sis_imports WHERE id = ?",
    };
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<Option<Vec<u8>>>("", "data")?.unwrap_or_default())
}

/// A SIS import of the caller's school (not a bulk enrollment job).
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<sis_import::Model, StoreError> {
    sis_import::Entity::find_by_id(id)
        .filter(sis_import::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(sis_import::Column::ImportType.ne(BULK_ENROLLMENT))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The SIS imports run on `account_id`, newest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account_id: i64,
    request: &PageRequest,
) -> Result<Page<sis_import::Model>, StoreError> {
    let select = sis_import::Entity::find()
        .filter(sis_import::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(sis_import::Column::AccountId.eq(account_id))
        .filter(sis_import::Column::ImportType.ne(BULK_ENROLLMENT));
    let sort = [page::SortColumn::<sis_import::Model> {
        column: "id",
        kind: page::KeyKind::Integer,
        key: |m| serde_json::json!(m.id),
    }];
    // Newest first, as Canvas lists job histories.
    page::fetch_in(conn, select, "sis_imports", &sort, request, page::Direction::Desc).await
}

/// A Progress of the caller's school.
pub async fn find_progress<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<progress::Model, StoreError> {
    progress::Entity::find_by_id(id)
        .filter(progress::Column::RootAccountId.eq(scope.root_account_id()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Progress of the job `progress_id` (any school: the worker acts for every school).
pub async fn set_progress<C: ConnectionTrait>(
    conn: &C,
    progress_id: i64,
    state: &str,
    completion: f64,
    message: Option<String>,
    results: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    let mut update = progress::Entity::update_many()
        .col_expr(progress::Column::WorkflowState, Expr::val(state))
        .col_expr(progress::Column::Completion, Expr::val(completion))
        .col_expr(progress::Column::Message, Expr::val(message))
        .col_expr(progress::Column::UpdatedAt, Expr::val(crate::now()));
    if let Some(results) = results {
        update = update.col_expr(progress::Column::Results, Expr::val(results.to_string()));
    }
    update.filter(progress::Column::Id.eq(progress_id)).exec(conn).await?;
    Ok(())
}

/// Jobs a worker may take: queued ones, and ones left `importing` whose heartbeat (`updated_at`) is older than
const JOB: crate::job_rows::JobColumns<sis_import::Entity> = crate::job_rows::JobColumns {
    id: sis_import::Column::Id,
    state: sis_import::Column::WorkflowState,
    updated_at: sis_import::Column::UpdatedAt,
    started_at: sis_import::Column::StartedAt,
    queued: CREATED,
    running: IMPORTING,
};

/// Jobs a worker may take (see `job_rows::runnable`).
pub async fn runnable<C: ConnectionTrait>(
    conn: &C,
    stale_after: chrono::TimeDelta,
) -> Result<Vec<sis_import::Model>, StoreError> {
    crate::job_rows::runnable(conn, &JOB, stale_after).await
}

/// Takes `job` for this worker (see `job_rows::claim`).
pub async fn claim<C: ConnectionTrait>(conn: &C, job: &sis_import::Model) -> Result<bool, StoreError> {
    crate::job_rows::claim(conn, &JOB, job.id, &job.workflow_state, job.updated_at).await
}

/// Marks a running job alive (its `updated_at`), so no other worker takes it over.
pub async fn heartbeat<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), StoreError> {
    sis_import::Entity::update_many()
        .col_expr(sis_import::Column::UpdatedAt, Expr::val(crate::now()))
        .filter(sis_import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// What a finished job reports.
pub struct Outcome {
    pub workflow_state: &'static str,
    pub counts: serde_json::Value,
    pub statistics: serde_json::Value,
    pub errors: Vec<[String; 2]>,
    pub warnings: Vec<[String; 2]>,
}

/// Records the end of a job and releases its uploaded bytes.
pub async fn finish<C: ConnectionTrait>(conn: &C, id: i64, outcome: &Outcome) -> Result<(), StoreError> {
    let now = crate::now();
    let json = |v: &[[String; 2]]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    sis_import::Entity::update_many()
        .col_expr(sis_import::Column::WorkflowState, Expr::val(outcome.workflow_state))
        .col_expr(sis_import::Column::Counts, Expr::val(outcome.counts.to_string()))
        .col_expr(sis_import::Column::Statistics, Expr::val(outcome.statistics.to_string()))
        .col_expr(sis_import::Column::ProcessingErrors, Expr::val(json(&outcome.errors)))
        .col_expr(sis_import::Column::ProcessingWarnings, Expr::val(json(&outcome.warnings)))
        .col_expr(sis_import::Column::UpdatedAt, Expr::val(now))
        .col_expr(sis_import::Column::EndedAt, Expr::val(Some(now)))
        .filter(sis_import::Column::Id.eq(id))
        .exec(conn)
        .await?;
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE sis_imports SET data = NULL WHERE id = $1",
        _ => "UPDATE sis_imports SET data = NULL WHERE id = ?",
    };
    conn.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await?;
    Ok(())
}

/// The Progress and the starting user of each of `imports`, in two queries.
pub async fn details<C: ConnectionTrait>(
    conn: &C,
    imports: &[sis_import::Model],
) -> Result<(HashMap<i64, progress::Model>, HashMap<i64, user::Model>), StoreError> {
    let progress = progress::Entity::find()
        .filter(progress::Column::Id.is_in(imports.iter().map(|i| i.progress_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(imports.iter().filter_map(|i| i.user_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok((progress, users))
}

/// Which of `user_ids` are not live users of the school, and which of `course_ids` are not live courses of
/// `account` or the accounts below it (the first of each, by position).
pub async fn first_unknown<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account: &account::Model,
    user_ids: &[i64],
    course_ids: &[i64],
) -> Result<(Option<usize>, Option<usize>), StoreError> {
    let root = scope.root_account_id();
    let mut users = HashSet::new();
    for chunk in user_ids.chunks(1000) {
        let found: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::RootAccountId.eq(root))
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .filter(user::Column::WorkflowState.ne(crate::accounts::DELETED))
            .into_tuple()
            .all(conn)
            .await?;
        users.extend(found);
    }
    let below = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::RootAccountId.eq(root))
        .filter(account::Column::Path.like(format!("{}%", account.path)))
        .into_query();
    let courses: HashSet<i64> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::RootAccountId.eq(root))
        .filter(course::Column::Id.is_in(course_ids.to_vec()))
        .filter(course::Column::WorkflowState.ne("deleted"))
        .filter(course::Column::AccountId.in_subquery(below))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok((user_ids.iter().position(|id| !users.contains(id)), course_ids.iter().position(|id| !courses.contains(id))))
}
