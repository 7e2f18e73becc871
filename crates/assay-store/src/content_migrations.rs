//! Content migrations (Canvas §4.2): the job rows of QTI imports into a course, and their migration issues. The
//! import itself runs in `assay-jobs`; its Progress is the same `progress` table SIS imports use. A migration is
//! queued in one transaction with its Progress, so a client that got a Progress id can always poll it.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Statement, sea_query::Expr,
};

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{content_migration, migration_issue, progress},
    page,
    sis_imports::QUEUED,
};

/// States (Canvas's API names).
pub const PRE_PROCESSING: &str = "pre_processing";
pub const PRE_PROCESSED: &str = "pre_processed";
pub const RUNNING: &str = "running";
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";

/// Migration issue kinds and states.
pub const ISSUE_WARNING: &str = "warning";
pub const ISSUE_ERROR: &str = "error";
pub const ISSUE_ACTIVE: &str = "active";
pub const ISSUE_RESOLVED: &str = "resolved";

/// The Progress tag of a content migration.
pub const TAG: &str = "content_migration";

/// What a new migration is.
pub struct NewMigration {
    pub course_id: i64,
    pub user_id: Option<i64>,
    pub migration_type: String,
    pub settings: serde_json::Value,
    pub file_name: Option<String>,
    /// The package; `None` when it is to be uploaded later (`pre_attachment`).
    pub data: Option<Vec<u8>>,
}

async fn set_data<C: ConnectionTrait>(conn: &C, id: i64, data: Option<Vec<u8>>) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE content_migrations SET data = $1 WHERE id = $2",
            _ => "UPDATE content_migrations SET data = ? WHERE id = ?",
        },
        [data.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Creates a migration with its Progress: queued (`pre_processed`) when it has its file, `pre_processing` while
/// it waits for one.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    new: NewMigration,
) -> Result<(content_migration::Model, progress::Model), StoreError> {
    let now = crate::now();
    let progress = progress::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        context_type: Set("Course".to_owned()),
        context_id: Set(new.course_id),
        user_id: Set(new.user_id),
        tag: Set(TAG.to_owned()),
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
    let state = if new.data.is_some() { PRE_PROCESSED } else { PRE_PROCESSING };
    let migration = content_migration::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(new.course_id),
        progress_id: Set(progress.id),
        user_id: Set(new.user_id),
        migration_type: Set(new.migration_type),
        workflow_state: Set(state.to_owned()),
        file_name: Set(new.file_name),
        settings: Set(new.settings.to_string()),
        results: Set(None),
        issues_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if new.data.is_some() {
        set_data(txn, migration.id, new.data).await?;
    }
    Ok((migration, progress))
}

/// Gives a waiting migration its file and queues it. `Conflict` when it is not waiting for one.
pub async fn attach_file(
    txn: &DatabaseTransaction,
    migration: &content_migration::Model,
    file_name: Option<String>,
    data: Vec<u8>,
) -> Result<content_migration::Model, StoreError> {
    let now = crate::now();
    let result = content_migration::Entity::update_many()
        .col_expr(content_migration::Column::WorkflowState, Expr::val(PRE_PROCESSED))
        .col_expr(content_migration::Column::FileName, Expr::val(file_name))
        .col_expr(content_migration::Column::UpdatedAt, Expr::val(now))
        .filter(content_migration::Column::Id.eq(migration.id))
        .filter(content_migration::Column::WorkflowState.eq(PRE_PROCESSING))
        .exec(txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(StoreError::Busy { message: "the content migration already has its file".into() });
    }
    set_data(txn, migration.id, Some(data)).await?;
    content_migration::Entity::find_by_id(migration.id).one(txn).await?.ok_or(StoreError::NotFound)
}

/// The uploaded package of a migration (empty once the job has ended and released it).
pub async fn input<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<u8>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT data FROM content_migrations WHERE id = $1",
        _ => "SELECT data FROM content_migrations WHERE id = ?",
    };
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<Option<Vec<u8>>>("", "data")?.unwrap_or_default())
}

/// A migration of `course_id` in the caller's school.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    id: i64,
) -> Result<content_migration::Model, StoreError> {
    content_migration::Entity::find_by_id(id)
        .filter(content_migration::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(content_migration::Column::CourseId.eq(course_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The migrations of a course, newest first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    request: &PageRequest,
) -> Result<Page<content_migration::Model>, StoreError> {
    let select = content_migration::Entity::find()
        .filter(content_migration::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(content_migration::Column::CourseId.eq(course_id));
    let sort = [page::SortColumn::<content_migration::Model> {
        column: "id",
        kind: page::KeyKind::Integer,
        key: |m| serde_json::json!(m.id),
    }];
    page::fetch_in(conn, select, "content_migrations", &sort, request, page::Direction::Desc).await
}

/// Migrations a worker may take: queued ones, and running ones whose heartbeat is older than `stale_after` (their
const JOB: crate::job_rows::JobColumns<content_migration::Entity> = crate::job_rows::JobColumns {
    id: content_migration::Column::Id,
    state: content_migration::Column::WorkflowState,
    updated_at: content_migration::Column::UpdatedAt,
    started_at: content_migration::Column::StartedAt,
    queued: PRE_PROCESSED,
    running: RUNNING,
};

/// Jobs a worker may take (see `job_rows::runnable`).
pub async fn runnable<C: ConnectionTrait>(
    conn: &C,
    stale_after: chrono::TimeDelta,
) -> Result<Vec<content_migration::Model>, StoreError> {
    crate::job_rows::runnable(conn, &JOB, stale_after).await
}

/// Takes `job` for this worker (see `job_rows::claim`).
pub async fn claim<C: ConnectionTrait>(conn: &C, job: &content_migration::Model) -> Result<bool, StoreError> {
    crate::job_rows::claim(conn, &JOB, job.id, &job.workflow_state, job.updated_at).await
}

/// One issue to record.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub issue_type: &'static str,
    pub description: String,
    pub error_message: Option<String>,
}

/// Records the end of a migration (state, results, issues) and releases its package.
pub async fn finish(
    txn: &DatabaseTransaction,
    job: &content_migration::Model,
    state: &str,
    results: &serde_json::Value,
    issues: Vec<NewIssue>,
) -> Result<(), StoreError> {
    let now = crate::now();
    let count = issues.len();
    for issue in issues {
        migration_issue::ActiveModel {
            root_account_id: Set(job.root_account_id),
            content_migration_id: Set(job.id),
            issue_type: Set(issue.issue_type.to_owned()),
            description: Set(issue.description),
            error_message: Set(issue.error_message),
            workflow_state: Set(ISSUE_ACTIVE.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    content_migration::Entity::update_many()
        .col_expr(content_migration::Column::WorkflowState, Expr::val(state))
        .col_expr(content_migration::Column::Results, Expr::val(results.to_string()))
        .col_expr(content_migration::Column::IssuesCount, Expr::val(i32::try_from(count).unwrap_or(i32::MAX)))
        .col_expr(content_migration::Column::UpdatedAt, Expr::val(now))
        .col_expr(content_migration::Column::FinishedAt, Expr::val(Some(now)))
        .filter(content_migration::Column::Id.eq(job.id))
        .exec(txn)
        .await?;
    set_data(txn, job.id, None).await
}

/// The issues of a migration, in the order they were recorded.
pub async fn issues<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    migration_id: i64,
    request: &PageRequest,
) -> Result<Page<migration_issue::Model>, StoreError> {
    let select = migration_issue::Entity::find()
        .filter(migration_issue::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(migration_issue::Column::ContentMigrationId.eq(migration_id));
    let sort = [page::SortColumn::<migration_issue::Model> {
        column: "id",
        kind: page::KeyKind::Integer,
        key: |m| serde_json::json!(m.id),
    }];
    page::fetch(conn, select, "migration_issues", &sort, request).await
}

/// One issue of a migration.
pub async fn find_issue<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    migration_id: i64,
    id: i64,
) -> Result<migration_issue::Model, StoreError> {
    migration_issue::Entity::find_by_id(id)
        .filter(migration_issue::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(migration_issue::Column::ContentMigrationId.eq(migration_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Marks an issue `active` or `resolved`.
pub async fn set_issue_state(
    txn: &DatabaseTransaction,
    issue: &migration_issue::Model,
    state: &str,
) -> Result<migration_issue::Model, StoreError> {
    let mut active: migration_issue::ActiveModel = issue.clone().into();
    active.workflow_state = Set(state.to_owned());
    active.updated_at = Set(crate::now());
    Ok(active.update(txn).await?)
}
