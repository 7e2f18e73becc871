//! Users and their logins.

use std::collections::HashMap;

use assay_domain::{
    account::AccountPath,
    id_ref::{ExternalKey, IdRef},
    user::{normalize_login, sortable_name},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::{account, login, user},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

/// The accepted path prefixes for users.
pub const ID_PREFIXES: assay_domain::id_ref::Prefixes = &[
    ("sis_user_id", ExternalKey::Sis),
    ("sis_integration_id", ExternalKey::Integration),
    ("sis_login_id", ExternalKey::Login),
];

#[derive(Debug, Clone, Default)]
pub struct NewLogin {
    pub unique_id: String,
    /// An argon2 PHC string; hashing happens before the store.
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub name: String,
    pub short_name: Option<String>,
    pub sortable_name: Option<String>,
    pub sis_user_id: Option<String>,
    pub integration_id: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub login: Option<NewLogin>,
}

/// A change to a user: `None` leaves a field alone; for nullable fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub sortable_name: Option<String>,
    pub sis_user_id: Option<Option<String>>,
    pub integration_id: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub time_zone: Option<Option<String>>,
}

/// A user with what the API shows alongside: the login name and the path of the user's account.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: user::Model,
    pub login_id: Option<String>,
    pub account_path: AccountPath,
}

/// What an event says about a user.
pub fn event_payload(u: &user::Model) -> serde_json::Value {
    json!({
        "id": u.id,
        "name": u.name,
        "short_name": u.short_name,
        "sortable_name": u.sortable_name,
        "account_id": u.account_id,
        "sis_user_id": u.sis_user_id,
        "integration_id": u.integration_id,
        "email": u.email,
        "workflow_state": u.workflow_state,
    })
}

fn sort_key(sortable: &str) -> String {
    sortable.to_lowercase()
}

/// Creates a user (and optionally a login) in `account` of the caller's school.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    account: &account::Model,
    new: NewUser,
    actor: Actor,
) -> Result<user::Model, StoreError> {
    let now = crate::now();
    let sortable = new.sortable_name.unwrap_or_else(|| sortable_name(&new.name));
    let created = user::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account.id),
        short_name: Set(new.short_name.unwrap_or_else(|| new.name.clone())),
        sort_key: Set(sort_key(&sortable)),
        sortable_name: Set(sortable),
        name: Set(new.name),
        sis_user_id: Set(new.sis_user_id),
        integration_id: Set(new.integration_id),
        email: Set(new.email),
        locale: Set(new.locale),
        time_zone: Set(new.time_zone),
        workflow_state: Set("registered".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if let Some(new_login) = new.login {
        login::ActiveModel {
            root_account_id: Set(scope.root_account_id()),
            user_id: Set(created.id),
            unique_id_normalized: Set(normalize_login(&new_login.unique_id)),
            unique_id: Set(new_login.unique_id.trim().to_owned()),
            password_hash: Set(new_login.password_hash),
            workflow_state: Set(ACTIVE.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    events::record_change(txn, scope.root_account_id(), "user.created", created.id, actor, event_payload(&created))
        .await?;
    Ok(created)
}

/// Finds a user of the caller's school; `self` is `current_user_id`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: &IdRef,
    current_user_id: i64,
) -> Result<UserView, StoreError> {
    let select = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(user::Column::WorkflowState.ne(DELETED));
    let select = match id {
        IdRef::Id(id) => select.filter(user::Column::Id.eq(*id)),
        IdRef::Current => select.filter(user::Column::Id.eq(current_user_id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(user::Column::SisUserId.eq(v.as_str())),
        IdRef::External(ExternalKey::Integration, v) => select.filter(user::Column::IntegrationId.eq(v.as_str())),
        IdRef::External(ExternalKey::Login, v) => {
            let owner = login::Entity::find()
                .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
                .filter(login::Column::UniqueIdNormalized.eq(normalize_login(v)))
                .filter(login::Column::WorkflowState.eq(ACTIVE))
                .one(conn)
                .await?
                .ok_or(StoreError::NotFound)?;
            select.filter(user::Column::Id.eq(owner.user_id))
        }
    };
    let found = select.one(conn).await?.ok_or(StoreError::NotFound)?;
    with_details(conn, scope, vec![found]).await?.into_iter().next().ok_or(StoreError::NotFound)
}

/// Finds a user by id in any school (CLI only).
pub async fn find_unscoped<C: ConnectionTrait>(conn: &C, id: i64) -> Result<user::Model, StoreError> {
    user::Entity::find_by_id(id).one(conn).await?.ok_or(StoreError::NotFound)
}

/// Finds a user by login name in any school (CLI only).
pub async fn find_by_login_unscoped<C: ConnectionTrait>(
    conn: &C,
    unique_id: &str,
) -> Result<Vec<user::Model>, StoreError> {
    let owners: Vec<i64> = login::Entity::find()
        .filter(login::Column::UniqueIdNormalized.eq(normalize_login(unique_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.user_id)
        .collect();
    Ok(user::Entity::find().filter(user::Column::Id.is_in(owners)).all(conn).await?)
}

/// The users of `account` and the accounts below it, by sortable name. `search_term` matches, ignoring case,
/// part of the name, sortable name, email, SIS id or login, or the whole numeric id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    account: &account::Model,
    search_term: Option<&str>,
    request: &PageRequest,
) -> Result<Page<UserView>, StoreError> {
    let select = list_select(scope, account, search_term);
    let page = page::fetch(conn, select, "users", &SORT, request).await?;
    let views = with_details(conn, scope, page.items).await?;
    Ok(Page { items: views, has_more: page.has_more, total: page.total, last_key: page.last_key })
}

/// The order of user lists: by lower-cased sortable name, then id.
pub const SORT: [SortColumn<user::Model>; 2] = [
    SortColumn { column: "sort_key", kind: KeyKind::Text, key: |m| json!(m.sort_key) },
    SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) },
];

/// The filtered (unordered, unpaged) query behind `list`.
pub fn list_select(
    scope: &Scope,
    account: &account::Model,
    search_term: Option<&str>,
) -> sea_orm::Select<user::Entity> {
    let mut select = search_select(scope, search_term);
    if !account.is_root() {
        let below = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(account::Column::Path.like(format!("{}%", account.path)))
            .into_query();
        select = select.filter(user::Column::AccountId.in_subquery(below));
    }
    select
}

/// The school's live users matching `search_term` (part of the name, sortable name, email, SIS id or login,
/// ignoring case, or the whole numeric id).
pub fn search_select(scope: &Scope, search_term: Option<&str>) -> sea_orm::Select<user::Entity> {
    let mut select = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(user::Column::WorkflowState.ne(DELETED));
    if let Some(term) = search_term {
        let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
        let like = |col: user::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        let logins = login::Entity::find()
            .select_only()
            .column(login::Column::UserId)
            .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(login::Column::UniqueIdNormalized.like(LikeExpr::new(pattern.clone()).escape('\\')))
            .into_query();
        let mut any = Condition::any()
            .add(like(user::Column::Name))
            .add(like(user::Column::SortableName))
            .add(like(user::Column::Email))
            .add(like(user::Column::SisUserId))
            .add(user::Column::Id.in_subquery(logins));
        if let Ok(id) = term.trim().parse::<i64>() {
            any = any.add(user::Column::Id.eq(id));
        }
        select = select.filter(any);
    }
    select
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Loads logins and account paths for `users` in two queries, whatever the page size.
pub async fn with_details<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    users: Vec<user::Model>,
) -> Result<Vec<UserView>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut logins: HashMap<i64, String> = HashMap::new();
    for l in login::Entity::find()
        .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(login::Column::UserId.is_in(users.iter().map(|u| u.id)))
        .filter(login::Column::WorkflowState.eq(ACTIVE))
        .all(conn)
        .await?
    {
        // The first login is the one shown as `login_id`.
        logins.entry(l.user_id).or_insert(l.unique_id);
    }
    let paths: HashMap<i64, AccountPath> = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Id.is_in(users.iter().map(|u| u.account_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.account_path()))
        .collect();
    Ok(users
        .into_iter()
        .map(|u| UserView {
            login_id: logins.remove(&u.id),
            account_path: paths.get(&u.account_id).cloned().unwrap_or_else(|| AccountPath::root(u.root_account_id)),
            user: u,
        })
        .collect())
}

/// Applies `changes` and records `user.updated` with the fields that changed.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &user::Model,
    changes: UserChanges,
    actor: Actor,
) -> Result<user::Model, StoreError> {
    let mut model: user::ActiveModel = current.clone().into();
    if let Some(name) = changes.name {
        // A new name re-derives the other names unless they are given too, as Canvas does.
        if changes.short_name.is_none() && current.short_name == current.name {
            model.short_name = Set(name.clone());
        }
        if changes.sortable_name.is_none() && current.sortable_name == sortable_name(&current.name) {
            let sortable = sortable_name(&name);
            model.sort_key = Set(sort_key(&sortable));
            model.sortable_name = Set(sortable);
        }
        model.name = Set(name);
    }
    crate::assign(&mut model.short_name, changes.short_name);
    if let Some(v) = changes.sortable_name {
        model.sort_key = Set(sort_key(&v));
        model.sortable_name = Set(v);
    }
    crate::assign(&mut model.sis_user_id, changes.sis_user_id);
    crate::assign(&mut model.integration_id, changes.integration_id);
    crate::assign(&mut model.email, changes.email);
    crate::assign(&mut model.locale, changes.locale);
    crate::assign(&mut model.time_zone, changes.time_zone);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "user",
        updated.id,
        actor,
        event_payload(current),
        event_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Removes a user from the school, as Canvas's "delete a user from the root account" does: the user is kept but
/// marked deleted, their logins stop working (and free their names), and their enrollments are deleted. SIS ids
/// stay on the row so a later import with the same id finds and revives the person instead of duplicating them.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &user::Model,
    actor: Actor,
) -> Result<user::Model, StoreError> {
    for l in login::Entity::find()
        .filter(login::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(login::Column::UserId.eq(current.id))
        .filter(login::Column::WorkflowState.eq(ACTIVE))
        .all(txn)
        .await?
    {
        crate::logins::delete(txn, scope, &l, actor).await?;
    }
    for e in crate::entity::enrollment::Entity::find()
        .filter(crate::entity::enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(crate::entity::enrollment::Column::UserId.eq(current.id))
        .filter(crate::entity::enrollment::Column::WorkflowState.ne(DELETED))
        .all(txn)
        .await?
    {
        crate::enrollments::apply(txn, scope, &e, assay_domain::enrollment::EnrollmentAction::Delete, actor).await?;
    }
    let mut model: user::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "user.deleted", deleted.id, actor, event_payload(&deleted))
        .await?;
    Ok(deleted)
}
