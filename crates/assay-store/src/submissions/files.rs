//! Files students upload for `online_upload` submissions, kept in the database (up to the request body limit).
//!
//! Canvas's two-step upload: the student announces a file (name, size, type) and gets back an upload URL with a
//! one-time token; the file's bytes are then POSTed there without credentials (the token is the permission, as
//! Canvas's signed upload URLs are). The token is stored hashed and expires. A file can also be sent in one step,
//! with its bytes in the announcing request.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::submission_file as row,
    events::{self, Actor},
    secrets,
};

pub const PENDING: &str = "pending";
pub const AVAILABLE: &str = "available";

/// How long an announced upload waits for its bytes (Canvas: 30 minutes).
pub const UPLOAD_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(30);

/// Who a file is for.
#[derive(Debug, Clone)]
pub struct Owner {
    pub course_id: i64,
    pub assignment_id: i64,
    pub user_id: i64,
}

/// A file as announced or sent.
#[derive(Debug, Clone)]
pub struct FileMeta {
    pub display_name: String,
    pub content_type: String,
    pub size: i64,
}

fn payload(f: &row::Model) -> serde_json::Value {
    json!({
        "id": f.id, "assignment_id": f.assignment_id, "user_id": f.user_id, "display_name": f.display_name,
        "content_type": f.content_type, "size": f.size, "workflow_state": f.workflow_state,
    })
}

async fn set_data<C: ConnectionTrait>(conn: &C, id: i64, data: Vec<u8>) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE submission_files SET data = $1 WHERE id = $2",
            _ => "UPDATE submission_files SET data = ? WHERE id = ?",
        },
        [data.into(), id.into()],
    ))
    .await?;
    Ok(())
}

async fn insert(
    txn: &DatabaseTransaction,
    scope: &Scope,
    owner: &Owner,
    meta: FileMeta,
    token_hash: Option<String>,
) -> Result<row::Model, StoreError> {
    let now = crate::now();
    Ok(row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(owner.course_id),
        assignment_id: Set(owner.assignment_id),
        user_id: Set(owner.user_id),
        display_name: Set(meta.display_name),
        content_type: Set(meta.content_type),
        size: Set(meta.size),
        workflow_state: Set(if token_hash.is_some() { PENDING } else { AVAILABLE }.to_owned()),
        expires_at: Set(token_hash.is_some().then(|| now + UPLOAD_WINDOW)),
        upload_token_hash: Set(token_hash),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Announces a file; returns it (pending) and the upload token that stands for permission to send its bytes.
pub async fn announce(
    txn: &DatabaseTransaction,
    scope: &Scope,
    owner: &Owner,
    meta: FileMeta,
) -> Result<(row::Model, String), StoreError> {
    let token = secrets::generate("upload");
    let created = insert(txn, scope, owner, meta, Some(secrets::hash(&token))).await?;
    Ok((created, token))
}

/// Stores a file sent in one step.
pub async fn store_now(
    txn: &DatabaseTransaction,
    scope: &Scope,
    owner: &Owner,
    meta: FileMeta,
    data: Vec<u8>,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let created = insert(txn, scope, owner, meta, None).await?;
    set_data(txn, created.id, data).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "submission_file.uploaded",
        created.id,
        actor,
        payload(&created),
    )
    .await?;
    Ok(created)
}

/// The pending file an upload token stands for, whatever school it belongs to: the token is the only credential
/// of the upload step. `None` when the token is unknown, used or expired.
pub async fn pending_by_token<C: ConnectionTrait>(conn: &C, token: &str) -> Result<Option<row::Model>, StoreError> {
    let found = row::Entity::find()
        .filter(row::Column::UploadTokenHash.eq(secrets::hash(token)))
        .filter(row::Column::WorkflowState.eq(PENDING))
        .one(conn)
        .await?;
    Ok(found.filter(|f| f.expires_at.is_some_and(|e| e > crate::now())))
}

/// Stores the bytes of a pending file and makes it available; its token is spent. `Ok(None)` when another
/// upload spent the token first.
pub async fn receive(
    txn: &DatabaseTransaction,
    pending: &row::Model,
    content_type: Option<String>,
    data: Vec<u8>,
) -> Result<Option<row::Model>, StoreError> {
    let claimed = row::Entity::update_many()
        .col_expr(row::Column::WorkflowState, sea_orm::sea_query::Expr::val(AVAILABLE))
        .col_expr(row::Column::UploadTokenHash, sea_orm::sea_query::Expr::val(Option::<String>::None))
        .filter(row::Column::Id.eq(pending.id))
        .filter(row::Column::WorkflowState.eq(PENDING))
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
    set_data(txn, pending.id, data).await?;
    let mut model: row::ActiveModel =
        row::Entity::find_by_id(pending.id).one(txn).await?.ok_or(StoreError::NotFound)?.into();
    model.size = Set(size);
    model.expires_at = Set(None);
    if let Some(ct) = content_type {
        model.content_type = Set(ct);
    }
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_change(
        txn,
        updated.root_account_id,
        "submission_file.uploaded",
        updated.id,
        Actor { user_id: Some(updated.user_id) },
        payload(&updated),
    )
    .await?;
    Ok(Some(updated))
}

/// The available files among `ids` that `owner` uploaded for the assignment, in the order asked.
pub async fn owned<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    owner: &Owner,
    ids: &[i64],
) -> Result<Vec<row::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::AssignmentId.eq(owner.assignment_id))
        .filter(row::Column::UserId.eq(owner.user_id))
        .filter(row::Column::WorkflowState.eq(AVAILABLE))
        .filter(row::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(row::Column::Id)
        .all(conn)
        .await?;
    Ok(ids.iter().filter_map(|id| found.iter().find(|f| f.id == *id).cloned()).collect())
}

/// An available file of an assignment.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::AssignmentId.eq(assignment_id))
        .filter(row::Column::WorkflowState.eq(AVAILABLE))
        .filter(row::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A file's bytes.
pub async fn content<C: ConnectionTrait>(conn: &C, file: &row::Model) -> Result<Vec<u8>, StoreError> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => "SELECT data FROM submission_files WHERE id = $1",
                _ => "SELECT data FROM submission_files WHERE id = ?",
            },
            [file.id.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<Option<Vec<u8>>>("", "data")?.unwrap_or_default())
}
