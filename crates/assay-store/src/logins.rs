//! Logins (Canvas "pseudonyms"): the names a user signs in with, each with an optional argon2 password hash.
//! A user may have several; the login name is unique in a school, ignoring case.

use assay_domain::user::normalize_login;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::{login, user},
    events::{self, Actor},
};

pub fn payload(l: &login::Model) -> serde_json::Value {
    json!({"id": l.id, "user_id": l.user_id, "unique_id": l.unique_id, "workflow_state": l.workflow_state})
}

pub async fn list_for_user<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    user_id: i64,
) -> Result<Vec<login::Model>, StoreError> {
    Ok(login::Entity::find()
        .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(login::Column::UserId.eq(user_id))
        .filter(login::Column::WorkflowState.eq(ACTIVE))
        .order_by_asc(login::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<login::Model, StoreError> {
    login::Entity::find_by_id(id)
        .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(login::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    user: &user::Model,
    unique_id: &str,
    password_hash: Option<String>,
    actor: Actor,
) -> Result<login::Model, StoreError> {
    let now = crate::now();
    let created = login::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        user_id: Set(user.id),
        unique_id: Set(unique_id.trim().to_owned()),
        unique_id_normalized: Set(normalize_login(unique_id)),
        password_hash: Set(password_hash),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "login.created", created.id, actor, payload(&created)).await?;
    Ok(created)
}

/// Changes a login's name and/or password hash. The hash never appears in events.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &login::Model,
    unique_id: Option<String>,
    password_hash: Option<String>,
    actor: Actor,
) -> Result<login::Model, StoreError> {
    let mut model: login::ActiveModel = current.clone().into();
    if let Some(unique_id) = unique_id {
        model.unique_id_normalized = Set(normalize_login(&unique_id));
        model.unique_id = Set(unique_id.trim().to_owned());
    }
    let password_changed = password_hash.is_some();
    crate::assign(&mut model.password_hash, password_hash.map(Some));
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    let mut after = payload(&updated);
    if password_changed {
        after["password_changed_at"] = json!(updated.updated_at);
    }
    events::record_update(txn, scope.root_account_id(), "login", updated.id, actor, payload(current), after).await?;
    Ok(updated)
}

pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &login::Model,
    actor: Actor,
) -> Result<login::Model, StoreError> {
    let mut model: login::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    // Free the name for reuse: the unique index covers deleted rows too.
    model.unique_id_normalized = Set(format!("{}#deleted-{}", current.unique_id_normalized, current.id));
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "login.deleted", deleted.id, actor, payload(&deleted)).await?;
    Ok(deleted)
}

/// Active logins named `username` (ignoring case) that have a password, with their users, in any school: the
/// password grant is answered before any school is known.
pub async fn password_candidates_unscoped<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> Result<Vec<(login::Model, user::Model)>, StoreError> {
    let logins = login::Entity::find()
        .filter(login::Column::UniqueIdNormalized.eq(normalize_login(username)))
        .filter(login::Column::WorkflowState.eq(ACTIVE))
        .filter(login::Column::PasswordHash.is_not_null())
        .all(conn)
        .await?;
    let mut found = Vec::with_capacity(logins.len());
    for l in logins {
        if let Some(u) = user::Entity::find_by_id(l.user_id)
            .filter(user::Column::RootAccountId.eq(l.root_account_id))
            .filter(user::Column::WorkflowState.ne(DELETED))
            .one(conn)
            .await?
        {
            found.push((l, u));
        }
    }
    Ok(found)
}
