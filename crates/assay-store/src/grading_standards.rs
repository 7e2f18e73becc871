//! Grading standards (Canvas `GradingStandard`): named letter/GPA schemes of a course or an account. A course
//! may use its own standards and those of every account above it; so may an account's sub-accounts.

use assay_domain::grading::{GradingScheme, SchemeEntry};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::grading_standard as row,
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

pub const ACTIVE: &str = "active";
pub const DELETED: &str = "deleted";

/// Whose standard it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Course(i64),
    Account(i64),
}

impl Context {
    pub fn type_name(self) -> &'static str {
        match self {
            Context::Course(_) => "Course",
            Context::Account(_) => "Account",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Context::Course(id) | Context::Account(id) => id,
        }
    }
}

/// The places whose standards a context sees: a course sees its own and its accounts' (`account_ids`, the root
/// first); an account sees its own and its ancestors'.
#[derive(Debug, Clone)]
pub struct Visible {
    pub course_id: Option<i64>,
    pub account_ids: Vec<i64>,
}

impl Visible {
    fn condition(&self) -> Condition {
        let mut any = Condition::any();
        if let Some(course_id) = self.course_id {
            any = any.add(
                Condition::all().add(row::Column::ContextType.eq("Course")).add(row::Column::ContextId.eq(course_id)),
            );
        }
        if !self.account_ids.is_empty() {
            any = any.add(
                Condition::all()
                    .add(row::Column::ContextType.eq("Account"))
                    .add(row::Column::ContextId.is_in(self.account_ids.iter().copied())),
            );
        }
        any
    }
}

/// The scheme a standard holds.
pub fn scheme(standard: &row::Model) -> GradingScheme {
    GradingScheme { entries: serde_json::from_str::<Vec<SchemeEntry>>(&standard.data).unwrap_or_default() }
}

fn payload(s: &row::Model) -> serde_json::Value {
    json!({
        "id": s.id, "title": s.title, "context_type": s.context_type, "context_id": s.context_id,
        "grading_scheme": scheme(s).entries, "workflow_state": s.workflow_state,
    })
}

fn by_id() -> [SortColumn<row::Model>; 1] {
    [SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }]
}

/// The active standards `visible` sees, by id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    visible: &Visible,
    request: &PageRequest,
) -> Result<Page<row::Model>, StoreError> {
    let select = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .filter(visible.condition());
    page::fetch(conn, select, "grading_standards", &by_id(), request).await
}

/// An active standard `visible` sees.
pub async fn find_visible<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    visible: &Visible,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .filter(row::Column::Id.eq(id))
        .filter(visible.condition())
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// An active standard belonging to `context` itself (what may be changed through it).
pub async fn find_owned<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    context: Context,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::ContextType.eq(context.type_name()))
        .filter(row::Column::ContextId.eq(context.id()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Creates a standard for `context` (the scheme already checked).
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    context: Context,
    title: String,
    scheme: &GradingScheme,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let now = crate::now();
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        context_type: Set(context.type_name().to_owned()),
        context_id: Set(context.id()),
        title: Set(title),
        data: Set(serde_json::to_string(&scheme.entries).unwrap_or_else(|_| "[]".to_owned())),
        points_based: Set(false),
        scaling_factor: Set(1.0),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "grading_standard.created",
        created.id,
        actor,
        payload(&created),
    )
    .await?;
    Ok(created)
}

/// Changes a standard's title and/or scheme.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    title: Option<String>,
    scheme: Option<&GradingScheme>,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    crate::assign(&mut model.title, title);
    crate::assign(
        &mut model.data,
        scheme.map(|s| serde_json::to_string(&s.entries).unwrap_or_else(|_| "[]".to_owned())),
    );
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "grading_standard",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a standard (kept, marked deleted). Assignments and courses that named it fall back to the next scheme
/// (the course's, then Canvas's default) when they grade.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "grading_standard.deleted",
        deleted.id,
        actor,
        payload(current),
    )
    .await?;
    Ok(deleted)
}

/// The active standards among `ids` that `visible` sees, by id (one query, for grading many assignments).
pub async fn schemes_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    visible: &Visible,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, GradingScheme>, StoreError> {
    schemes_where(conn, scope, ids, Some(visible.condition())).await
}

/// The schemes of the school's active standards among `ids`, wherever they are kept (for courses whose
/// standards were checked when they were set).
pub async fn schemes_in_school<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, GradingScheme>, StoreError> {
    schemes_where(conn, scope, ids, None).await
}

async fn schemes_where<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
    visible: Option<Condition>,
) -> Result<std::collections::HashMap<i64, GradingScheme>, StoreError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut select = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .filter(row::Column::Id.is_in(ids.iter().copied()));
    if let Some(condition) = visible {
        select = select.filter(condition);
    }
    Ok(select.all(conn).await?.iter().map(|s| (s.id, scheme(s))).collect())
}
