//! `Api-Key` credentials (Momotor): `Authorization: Api-Key <prefix>.<secret>`, bound to an account (or a
//! course) with reviewer rights. The prefix is public and unique; only the secret's SHA-256 is stored.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, Store, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::api_key,
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    secrets,
};

fn payload(k: &api_key::Model) -> serde_json::Value {
    json!({"id": k.id, "name": k.name, "account_id": k.account_id, "course_id": k.course_id, "prefix": k.prefix, "workflow_state": k.workflow_state})
}

/// Creates a key on `account_id` (optionally limited to one course). Returns the key and the full credential
/// `<prefix>.<secret>`, shown once.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    account_id: i64,
    course_id: Option<i64>,
    name: String,
    actor: Actor,
) -> Result<(api_key::Model, String), StoreError> {
    let prefix = secrets::short_id(12);
    let secret = secrets::generate("");
    let now = crate::now();
    let key = api_key::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account_id),
        course_id: Set(course_id),
        name: Set(name),
        prefix: Set(prefix.clone()),
        secret_hash: Set(secrets::hash(&secret)),
        created_by_user_id: Set(actor.user_id),
        workflow_state: Set(ACTIVE.to_owned()),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "api_key.created", key.id, actor, payload(&key)).await?;
    Ok((key, format!("{prefix}.{secret}")))
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account_id: i64,
    request: &PageRequest,
) -> Result<Page<api_key::Model>, StoreError> {
    let select = api_key::Entity::find()
        .filter(api_key::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(api_key::Column::AccountId.eq(account_id))
        .filter(api_key::Column::WorkflowState.ne(DELETED));
    let sort = [SortColumn::<api_key::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "api_keys", &sort, request).await
}

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account_id: i64,
    id: i64,
) -> Result<api_key::Model, StoreError> {
    api_key::Entity::find_by_id(id)
        .filter(api_key::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(api_key::Column::AccountId.eq(account_id))
        .filter(api_key::Column::WorkflowState.ne(DELETED))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn revoke(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &api_key::Model,
    actor: Actor,
) -> Result<api_key::Model, StoreError> {
    let mut model: api_key::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let revoked = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "api_key.deleted", revoked.id, actor, payload(&revoked))
        .await?;
    Ok(revoked)
}

/// Resolves `<prefix>.<secret>` to an active key.
pub async fn authenticate(store: &Store, credential: &str) -> Result<Option<api_key::Model>, StoreError> {
    let Some((prefix, secret)) = credential.split_once('.') else { return Ok(None) };
    if prefix.is_empty() || prefix.len() > 64 || secret.len() > 200 {
        return Ok(None);
    }
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(prefix))
        .filter(api_key::Column::WorkflowState.eq(ACTIVE))
        .one(store.read())
        .await?
    else {
        return Ok(None);
    };
    if !secrets::matches(secret, &key.secret_hash) {
        return Ok(None);
    }
    crate::touch_last_used::<api_key::Entity>(
        store,
        api_key::Column::LastUsedAt,
        api_key::Column::Id,
        key.id,
        key.last_used_at,
    )
    .await?;
    Ok(Some(key))
}
