//! Enrollment terms of a school (Canvas §2.2). They hang off the school's root account and are soft-deleted.

use assay_domain::id_ref::{ExternalKey, IdRef};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::enrollment_term,
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

pub const ID_PREFIXES: assay_domain::id_ref::Prefixes = &[("sis_term_id", ExternalKey::Sis)];

/// `workflow_state` of a live term.
pub const ACTIVE: &str = "active";
/// `workflow_state` of a deleted term.
pub const DELETED: &str = "deleted";

#[derive(Debug, Clone, Default)]
pub struct TermFields {
    pub name: Option<String>,
    pub sis_term_id: Option<Option<String>>,
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

pub fn payload(t: &enrollment_term::Model) -> serde_json::Value {
    json!({
        "id": t.id, "name": t.name, "sis_term_id": t.sis_term_id, "workflow_state": t.workflow_state,
        "start_at": t.start_at, "end_at": t.end_at,
    })
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    fields: TermFields,
    actor: Actor,
) -> Result<enrollment_term::Model, StoreError> {
    let now = crate::now();
    let created = enrollment_term::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        name: Set(fields.name.unwrap_or_default()),
        sis_term_id: Set(fields.sis_term_id.flatten()),
        integration_id: Set(None),
        start_at: Set(fields.start_at.flatten()),
        end_at: Set(fields.end_at.flatten()),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "term.created", created.id, actor, payload(&created)).await?;
    Ok(created)
}

/// Finds a live term of the caller's school by id or `sis_term_id:X`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: &IdRef,
) -> Result<enrollment_term::Model, StoreError> {
    let select = enrollment_term::Entity::find()
        .filter(enrollment_term::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment_term::Column::WorkflowState.ne(DELETED));
    let select = match id {
        IdRef::Id(id) => select.filter(enrollment_term::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(enrollment_term::Column::SisTermId.eq(v.as_str())),
        IdRef::Current | IdRef::External(_, _) => return Err(StoreError::NotFound),
    };
    select.one(conn).await?.ok_or(StoreError::NotFound)
}

/// The terms of the caller's school in the given states (empty: active only), by id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    states: &[&str],
    request: &PageRequest,
) -> Result<Page<enrollment_term::Model>, StoreError> {
    let states: Vec<&str> = if states.is_empty() { vec![ACTIVE] } else { states.to_vec() };
    let select = enrollment_term::Entity::find()
        .filter(enrollment_term::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment_term::Column::WorkflowState.is_in(states));
    let sort = [SortColumn::<enrollment_term::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "enrollment_terms", &sort, request).await
}

async fn save(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &enrollment_term::Model,
    mut model: enrollment_term::ActiveModel,
    actor: Actor,
) -> Result<enrollment_term::Model, StoreError> {
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(txn, scope.root_account_id(), "term", updated.id, actor, payload(current), payload(&updated))
        .await?;
    Ok(updated)
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &enrollment_term::Model,
    fields: TermFields,
    actor: Actor,
) -> Result<enrollment_term::Model, StoreError> {
    let mut model: enrollment_term::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.sis_term_id, fields.sis_term_id);
    crate::assign(&mut model.start_at, fields.start_at);
    crate::assign(&mut model.end_at, fields.end_at);
    save(txn, scope, current, model, actor).await
}

/// Soft-deletes a term (`workflow_state` `deleted`) and records `term.deleted`.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &enrollment_term::Model,
    actor: Actor,
) -> Result<enrollment_term::Model, StoreError> {
    let mut model: enrollment_term::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "term.deleted", deleted.id, actor, payload(&deleted)).await?;
    Ok(deleted)
}
