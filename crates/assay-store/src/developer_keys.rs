//! Developer keys: a school's OAuth2 clients (Canvas). `client_id` is the key's id; the secret is shown once.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::developer_key,
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    secrets,
};

const SECRET_PREFIX: &str = "assayk_";
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 3600;

#[derive(Debug, Clone, Default)]
pub struct KeyFields {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub redirect_uris: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub require_scopes: Option<bool>,
    pub allow_includes: Option<bool>,
    pub access_token_ttl_secs: Option<i64>,
}

pub fn scopes_of(key: &developer_key::Model) -> Vec<String> {
    key.scopes.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

pub fn redirect_uris_of(key: &developer_key::Model) -> Vec<String> {
    key.redirect_uris
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn payload(k: &developer_key::Model) -> serde_json::Value {
    json!({"id": k.id, "name": k.name, "scopes": k.scopes, "require_scopes": k.require_scopes, "workflow_state": k.workflow_state})
}

/// Creates a key on `account_id`; tokens from `client_credentials` act as `service_user_id`. Returns the key
/// and its secret (not kept).
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    account_id: i64,
    service_user_id: i64,
    fields: KeyFields,
    actor: Actor,
) -> Result<(developer_key::Model, String), StoreError> {
    let secret = secrets::generate(SECRET_PREFIX);
    let now = crate::now();
    let key = developer_key::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account_id),
        name: Set(fields.name.unwrap_or_default()),
        email: Set(fields.email.flatten()),
        notes: Set(fields.notes.flatten()),
        redirect_uris: Set(json!(fields.redirect_uris.unwrap_or_default())),
        scopes: Set(json!(fields.scopes.unwrap_or_default())),
        require_scopes: Set(fields.require_scopes.unwrap_or(false)),
        allow_includes: Set(fields.allow_includes.unwrap_or(true)),
        service_user_id: Set(service_user_id),
        client_secret_hash: Set(secrets::hash(&secret)),
        client_secret_hint: Set(secrets::hint(&secret)),
        access_token_ttl_secs: Set(fields.access_token_ttl_secs.unwrap_or(DEFAULT_TOKEN_TTL_SECS)),
        workflow_state: Set(ACTIVE.to_owned()),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "developer_key.created", key.id, actor, payload(&key)).await?;
    Ok((key, secret))
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account_id: i64,
    request: &PageRequest,
) -> Result<Page<developer_key::Model>, StoreError> {
    let select = developer_key::Entity::find()
        .filter(developer_key::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(developer_key::Column::AccountId.eq(account_id))
        .filter(developer_key::Column::WorkflowState.ne(DELETED));
    let sort = [SortColumn::<developer_key::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "developer_keys", &sort, request).await
}

pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<developer_key::Model, StoreError> {
    developer_key::Entity::find_by_id(id)
        .filter(developer_key::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(developer_key::Column::WorkflowState.ne(DELETED))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Checks OAuth client credentials (token endpoints, which act before any school is known).
pub async fn authenticate_client<C: ConnectionTrait>(
    conn: &C,
    client_id: &str,
    client_secret: &str,
) -> Result<Option<developer_key::Model>, StoreError> {
    let Ok(id) = client_id.trim().parse::<i64>() else { return Ok(None) };
    let Some(key) =
        developer_key::Entity::find_by_id(id).filter(developer_key::Column::WorkflowState.eq(ACTIVE)).one(conn).await?
    else {
        return Ok(None);
    };
    Ok(secrets::matches(client_secret, &key.client_secret_hash).then_some(key))
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &developer_key::Model,
    fields: KeyFields,
    actor: Actor,
) -> Result<developer_key::Model, StoreError> {
    let mut model: developer_key::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.email, fields.email);
    crate::assign(&mut model.notes, fields.notes);
    crate::assign(&mut model.redirect_uris, fields.redirect_uris.map(|v| json!(v)));
    crate::assign(&mut model.scopes, fields.scopes.map(|v| json!(v)));
    crate::assign(&mut model.require_scopes, fields.require_scopes);
    crate::assign(&mut model.allow_includes, fields.allow_includes);
    crate::assign(&mut model.access_token_ttl_secs, fields.access_token_ttl_secs);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "developer_key",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a key; every token it issued stops working at once.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &developer_key::Model,
    actor: Actor,
) -> Result<developer_key::Model, StoreError> {
    let mut model: developer_key::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "developer_key.deleted", deleted.id, actor, payload(&deleted))
        .await?;
    Ok(deleted)
}
