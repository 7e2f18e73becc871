//! Accounts: schools (root accounts) and their sub-accounts.

use assay_domain::{
    account::{AccountPath, DEFAULT_TIME_ZONE},
    id_ref::{ExternalKey, IdRef},
    policy::{AccountRole, Grants},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    sea_query::{BinOper, Expr, ExprTrait, Func},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{account, account_user},
    events::{self, Actor, NewEvent},
    page::{self, KeyKind, SortColumn},
};

pub const ACTIVE: &str = "active";
pub const DELETED: &str = "deleted";
const DEFAULT_STORAGE_QUOTA_MB: i64 = 500;
const DEFAULT_USER_STORAGE_QUOTA_MB: i64 = 50;
const DEFAULT_GROUP_STORAGE_QUOTA_MB: i64 = 50;

/// The fields of a new account; `None` takes the default (or, for a sub-account, the parent's value).
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub sis_account_id: Option<String>,
    pub integration_id: Option<String>,
    pub default_time_zone: Option<String>,
    pub default_storage_quota_mb: Option<i64>,
    pub default_user_storage_quota_mb: Option<i64>,
    pub default_group_storage_quota_mb: Option<i64>,
}

/// A change to an account: `None` leaves a field alone; for nullable fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub sis_account_id: Option<Option<String>>,
    pub integration_id: Option<Option<String>>,
    pub default_time_zone: Option<String>,
    pub default_storage_quota_mb: Option<i64>,
    pub default_user_storage_quota_mb: Option<i64>,
    pub default_group_storage_quota_mb: Option<i64>,
    /// Move the account below another account of the same school.
    pub parent: Option<account::Model>,
}

/// The accepted path prefixes for accounts.
pub const ID_PREFIXES: assay_domain::id_ref::Prefixes =
    &[("sis_account_id", ExternalKey::Sis), ("sis_integration_id", ExternalKey::Integration)];

fn random_uuid() -> String {
    // Canvas account uuids are 40 random alphanumerics.
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..40).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// What an event says about an account.
pub fn event_payload(a: &account::Model) -> serde_json::Value {
    json!({
        "id": a.id,
        "name": a.name,
        "parent_account_id": a.parent_account_id,
        "sis_account_id": a.sis_account_id,
        "integration_id": a.integration_id,
        "default_time_zone": a.default_time_zone,
        "workflow_state": a.workflow_state,
    })
}

/// Creates a school. Used by the CLI and the demo, which act outside any school's scope.
pub async fn create_school_unscoped(
    txn: &DatabaseTransaction,
    name: &str,
    actor: Actor,
) -> Result<account::Model, StoreError> {
    insert(txn, None, NewAccount { name: name.to_owned(), ..NewAccount::default() }, actor).await
}

/// Inserts an account below `parent` (a school when `None`), fills in its path, and records `account.created`.
/// Settings not given default to the parent's (or, for a school, to the built-in defaults).
async fn insert(
    txn: &DatabaseTransaction,
    parent: Option<&account::Model>,
    new: NewAccount,
    actor: Actor,
) -> Result<account::Model, StoreError> {
    let now = crate::now();
    let inherited = |own: Option<i64>, from_parent: fn(&account::Model) -> i64, default: i64| {
        own.unwrap_or_else(|| parent.map_or(default, from_parent))
    };
    let inserted = account::ActiveModel {
        // A school is its own root, and its id is known only after the insert: both are filled in below.
        root_account_id: Set(parent.map_or(0, |p| p.root_account_id)),
        parent_account_id: Set(parent.map(|p| p.id)),
        path: Set(String::new()),
        name: Set(new.name),
        uuid: Set(random_uuid()),
        sis_account_id: Set(new.sis_account_id),
        integration_id: Set(new.integration_id),
        default_time_zone: Set(new
            .default_time_zone
            .unwrap_or_else(|| parent.map_or_else(|| DEFAULT_TIME_ZONE.to_owned(), |p| p.default_time_zone.clone()))),
        default_storage_quota_mb: Set(inherited(
            new.default_storage_quota_mb,
            |p| p.default_storage_quota_mb,
            DEFAULT_STORAGE_QUOTA_MB,
        )),
        default_user_storage_quota_mb: Set(inherited(
            new.default_user_storage_quota_mb,
            |p| p.default_user_storage_quota_mb,
            DEFAULT_USER_STORAGE_QUOTA_MB,
        )),
        default_group_storage_quota_mb: Set(inherited(
            new.default_group_storage_quota_mb,
            |p| p.default_group_storage_quota_mb,
            DEFAULT_GROUP_STORAGE_QUOTA_MB,
        )),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let id = inserted.id;
    let root_account_id = parent.map_or(id, |p| p.root_account_id);
    let path = match parent {
        Some(p) => p.account_path().child(id),
        None => AccountPath::root(id),
    };
    let mut created: account::ActiveModel = inserted.into();
    created.root_account_id = Set(root_account_id);
    created.path = Set(path.as_str().to_owned());
    let created = created.update(txn).await?;
    events::record(
        txn,
        NewEvent {
            root_account_id,
            event_type: "account.created",
            subject_type: "account",
            subject_id: id,
            actor,
            payload: event_payload(&created),
        },
    )
    .await?;
    Ok(created)
}

/// Finds an account of the caller's school. `self` is the school itself. Deleted accounts are not found.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: &IdRef) -> Result<account::Model, StoreError> {
    let select = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::WorkflowState.ne(DELETED));
    let select = match id {
        IdRef::Id(id) => select.filter(account::Column::Id.eq(*id)),
        IdRef::Current => select.filter(account::Column::Id.eq(scope.root_account_id())),
        IdRef::External(ExternalKey::Sis, v) => select.filter(account::Column::SisAccountId.eq(v.as_str())),
        IdRef::External(ExternalKey::Integration, v) => select.filter(account::Column::IntegrationId.eq(v.as_str())),
        IdRef::External(ExternalKey::Login, _) => return Err(StoreError::NotFound),
    };
    select.one(conn).await?.ok_or(StoreError::NotFound)
}

/// Finds any account by id, whatever school it belongs to (CLI and background work only).
pub async fn find_unscoped<C: ConnectionTrait>(conn: &C, id: i64) -> Result<account::Model, StoreError> {
    account::Entity::find_by_id(id).one(conn).await?.ok_or(StoreError::NotFound)
}

/// True when no school exists yet (a fresh database).
pub async fn is_empty<C: ConnectionTrait>(conn: &C) -> Result<bool, StoreError> {
    Ok(account::Entity::find().one(conn).await?.is_none())
}

fn by_id() -> [SortColumn<account::Model>; 1] {
    [SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }]
}

/// The accounts the caller administers directly, as `GET /api/v1/accounts` lists them.
pub async fn list_administered<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    grants: &Grants,
    request: &PageRequest,
) -> Result<Page<account::Model>, StoreError> {
    let ids: Vec<i64> = grants.account_roles.iter().filter_map(|(path, _)| path.ids().last().copied()).collect();
    let select = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::WorkflowState.ne(DELETED))
        .filter(account::Column::Id.is_in(ids));
    page::fetch(conn, select, "accounts", &by_id(), request).await
}

/// The sub-accounts of `parent`: its children, or with `recursive` every account below it.
pub async fn list_sub_accounts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    parent: &account::Model,
    recursive: bool,
    request: &PageRequest,
) -> Result<Page<account::Model>, StoreError> {
    let select = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::WorkflowState.ne(DELETED));
    let select = if recursive {
        // Paths hold only digits and slashes, so the prefix needs no LIKE escaping.
        select.filter(account::Column::Path.like(format!("{}%", parent.path))).filter(account::Column::Id.ne(parent.id))
    } else {
        select.filter(account::Column::ParentAccountId.eq(parent.id))
    };
    page::fetch(conn, select, "accounts", &by_id(), request).await
}

/// Creates a sub-account below `parent` (same school).
pub async fn create_sub_account(
    txn: &DatabaseTransaction,
    scope: &Scope,
    parent: &account::Model,
    new: NewAccount,
    actor: Actor,
) -> Result<account::Model, StoreError> {
    if parent.root_account_id != scope.root_account_id() {
        return Err(StoreError::NotFound);
    }
    if parent.account_path().depth() + 1 > assay_domain::account::MAX_DEPTH {
        return Err(StoreError::Invalid {
            field: "parent_account_id",
            message: format!("sub-accounts nest at most {} levels deep", assay_domain::account::MAX_DEPTH),
        });
    }
    insert(txn, Some(parent), new, actor).await
}

/// Applies `changes` to `current` and records `account.updated` with the fields that changed.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &account::Model,
    changes: AccountChanges,
    actor: Actor,
) -> Result<account::Model, StoreError> {
    let mut model: account::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, changes.name);
    crate::assign(&mut model.sis_account_id, changes.sis_account_id);
    crate::assign(&mut model.integration_id, changes.integration_id);
    crate::assign(&mut model.default_time_zone, changes.default_time_zone);
    crate::assign(&mut model.default_storage_quota_mb, changes.default_storage_quota_mb);
    crate::assign(&mut model.default_user_storage_quota_mb, changes.default_user_storage_quota_mb);
    crate::assign(&mut model.default_group_storage_quota_mb, changes.default_group_storage_quota_mb);
    if let Some(parent) = &changes.parent
        && current.parent_account_id != Some(parent.id)
    {
        move_subtree(txn, scope, current, parent).await?;
        model.parent_account_id = Set(Some(parent.id));
        model.path = Set(parent.account_path().child(current.id).as_str().to_owned());
    }
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "account",
        updated.id,
        actor,
        event_payload(current),
        event_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Re-roots the paths of `moving` and everything below it under `new_parent`.
async fn move_subtree(
    txn: &DatabaseTransaction,
    scope: &Scope,
    moving: &account::Model,
    new_parent: &account::Model,
) -> Result<(), StoreError> {
    if moving.is_root() {
        return Err(StoreError::Invalid {
            field: "parent_account_id",
            message: "a root account cannot be moved".into(),
        });
    }
    let old_path = moving.account_path();
    let new_path = new_parent.account_path().child(moving.id);
    if new_parent.account_path().is_within(&old_path) {
        return Err(StoreError::Invalid {
            field: "parent_account_id",
            message: "an account cannot be moved below itself or one of its sub-accounts".into(),
        });
    }
    let deepest_below = new_path.depth() + deepest_relative_depth(txn, scope, &old_path).await?;
    if deepest_below > assay_domain::account::MAX_DEPTH {
        return Err(StoreError::Invalid {
            field: "parent_account_id",
            message: format!("sub-accounts nest at most {} levels deep", assay_domain::account::MAX_DEPTH),
        });
    }
    // new_path || the rest of each old path after the moved account's old prefix.
    let keep_from = i32::try_from(old_path.as_str().len()).unwrap_or(i32::MAX).saturating_add(1);
    account::Entity::update_many()
        .col_expr(
            account::Column::Path,
            // new_path || SUBSTR(path, keep_from), built from parts so each backend renders its own placeholders.
            Expr::val(new_path.as_str().to_owned()).binary(
                BinOper::Custom("||"),
                Func::cust("SUBSTR").arg(Expr::col(account::Column::Path)).arg(Expr::val(keep_from)),
            ),
        )
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Path.like(format!("{}%", old_path.as_str())))
        .exec(txn)
        .await?;
    Ok(())
}

async fn deepest_relative_depth(
    txn: &DatabaseTransaction,
    scope: &Scope,
    top: &AccountPath,
) -> Result<usize, StoreError> {
    let below = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Path.like(format!("{}%", top.as_str())))
        .all(txn)
        .await?;
    Ok(below.iter().map(|a| a.account_path().depth().saturating_sub(top.depth())).max().unwrap_or(0))
}

/// Gives `user_id` a role on `account`.
pub async fn add_role(
    txn: &DatabaseTransaction,
    scope: &Scope,
    account: &account::Model,
    user_id: i64,
    role: AccountRole,
) -> Result<account_user::Model, StoreError> {
    Ok(account_user::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account.id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(crate::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// The paths of the given accounts of the school, by id (one query).
pub async fn paths_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: Vec<i64>,
) -> Result<std::collections::HashMap<i64, AccountPath>, StoreError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.account_path()))
        .collect())
}

/// The roles `user_id` holds, with the paths of the accounts they are held on.
pub async fn grants_for<C: ConnectionTrait>(conn: &C, scope: &Scope, user_id: i64) -> Result<Grants, StoreError> {
    let memberships = account_user::Entity::find()
        .filter(account_user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account_user::Column::UserId.eq(user_id))
        .filter(account_user::Column::WorkflowState.eq(ACTIVE))
        .all(conn)
        .await?;
    let mut account_roles = Vec::with_capacity(memberships.len());
    if !memberships.is_empty() {
        let accounts = account::Entity::find()
            .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(account::Column::WorkflowState.ne(DELETED))
            .filter(account::Column::Id.is_in(memberships.iter().map(|m| m.account_id)))
            .all(conn)
            .await?;
        for m in &memberships {
            if let (Some(account), Some(role)) =
                (accounts.iter().find(|a| a.id == m.account_id), AccountRole::parse(&m.role))
            {
                account_roles.push((account.account_path(), role));
            }
        }
    }
    let course_roles = crate::enrollments::course_grants(conn, scope, user_id).await?;
    Ok(Grants { user_id: Some(user_id), account_roles, course_roles })
}

/// Soft-deletes a sub-account. Refused for a school (root account) and for an account that still has active
/// sub-accounts, as Canvas does.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &account::Model,
    actor: Actor,
) -> Result<account::Model, StoreError> {
    if current.is_root() {
        return Err(StoreError::Invalid { field: "id", message: "a root account cannot be deleted".into() });
    }
    let active_children = account::Entity::find()
        .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(account::Column::ParentAccountId.eq(current.id))
        .filter(account::Column::WorkflowState.ne(DELETED))
        .one(txn)
        .await?;
    if active_children.is_some() {
        return Err(StoreError::Busy {
            message: "the account still has active sub-accounts; delete them first".into(),
        });
    }
    let mut model: account::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "account.deleted", deleted.id, actor, event_payload(&deleted))
        .await?;
    Ok(deleted)
}

/// Sets (or, with `None`, clears) a school's own request limit per minute. An operator's setting: the CLI
/// changes it, not the school's own administrators, who could otherwise lift the deployment's limit.
pub async fn set_rate_limit_unscoped(
    store: &crate::Store,
    school_id: i64,
    per_minute: Option<i32>,
) -> Result<(), StoreError> {
    store
        .write(move |txn| {
            Box::pin(async move {
                let school = find_unscoped(txn, school_id).await?;
                if !school.is_root() {
                    return Err(StoreError::Invalid { field: "school", message: "not a school (root account)".into() });
                }
                let mut model: account::ActiveModel = school.clone().into();
                model.api_rate_limit_per_minute = Set(per_minute);
                model.updated_at = Set(crate::now());
                let updated = model.update(txn).await?;
                events::record_update(
                    txn,
                    school_id,
                    "account",
                    school_id,
                    Actor::system(),
                    json!({"api_rate_limit_per_minute": school.api_rate_limit_per_minute}),
                    json!({"api_rate_limit_per_minute": updated.api_rate_limit_per_minute}),
                )
                .await?;
                Ok(())
            })
        })
        .await
}
