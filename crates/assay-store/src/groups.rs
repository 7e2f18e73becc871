//! Course groups: a course's group sets (Canvas "group categories"), the groups in each, and their memberships.
//!
//! Membership rules live here, inside the write transaction, because they read other rows: the member must be
//! enrolled in the group's course, may be in one group per set, and a group holds at most its limit. Every
//! membership change first locks the set's row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer), so
//! two requests cannot both pass a check that only one of them may pass.

use std::collections::{HashMap, HashSet};

use assay_domain::{
    group::{self as rules, ACCEPTED},
    id_ref::{ExternalKey, IdRef},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    courses::{self, CourseView},
    entity::{course, enrollment, group, group_category, group_membership, user},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

pub const CATEGORY_ID_PREFIXES: assay_domain::id_ref::Prefixes = &[("sis_group_category_id", ExternalKey::Sis)];
pub const GROUP_ID_PREFIXES: assay_domain::id_ref::Prefixes = &[("sis_group_id", ExternalKey::Sis)];

/// A group that exists (Canvas's name for the state).
pub const AVAILABLE: &str = "available";

/// Enrollment states that do not make a course member.
const GONE_ENROLLMENTS: &[&str] = &["deleted", "rejected"];

#[derive(Debug, Clone, Default)]
pub struct CategoryFields {
    pub name: Option<String>,
    pub self_signup: Option<Option<String>>,
    pub auto_leader: Option<Option<String>>,
    pub group_limit: Option<Option<i32>>,
    pub sis_group_category_id: Option<Option<String>>,
}

/// A group set with its (not deleted) course.
#[derive(Debug, Clone)]
pub struct CategoryView {
    pub category: group_category::Model,
    pub course: CourseView,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub is_public: Option<bool>,
    pub join_level: Option<String>,
    pub max_membership: Option<Option<i32>>,
    pub sis_group_id: Option<Option<String>>,
}

/// A group with its set and its (not deleted) course.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: group::Model,
    pub category: group_category::Model,
    pub course: CourseView,
}

fn category_payload(c: &group_category::Model) -> serde_json::Value {
    json!({
        "id": c.id, "course_id": c.course_id, "name": c.name, "self_signup": c.self_signup,
        "auto_leader": c.auto_leader, "group_limit": c.group_limit,
        "sis_group_category_id": c.sis_group_category_id, "workflow_state": c.workflow_state,
    })
}

fn group_payload(g: &group::Model) -> serde_json::Value {
    json!({
        "id": g.id, "course_id": g.course_id, "group_category_id": g.group_category_id, "name": g.name,
        "description": g.description, "is_public": g.is_public, "join_level": g.join_level,
        "max_membership": g.max_membership, "sis_group_id": g.sis_group_id, "leader_id": g.leader_id,
        "workflow_state": g.workflow_state,
    })
}

fn membership_payload(m: &group_membership::Model) -> serde_json::Value {
    json!({
        "id": m.id, "group_id": m.group_id, "user_id": m.user_id, "workflow_state": m.workflow_state,
        "moderator": m.moderator,
    })
}

// ---- group sets ----

pub async fn create_category(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    fields: CategoryFields,
    actor: Actor,
) -> Result<group_category::Model, StoreError> {
    let now = crate::now();
    let created = group_category::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        name: Set(fields.name.unwrap_or_else(|| "Group Set".to_owned())),
        self_signup: Set(fields.self_signup.flatten()),
        group_limit: Set(fields.group_limit.flatten()),
        auto_leader: Set(fields.auto_leader.flatten()),
        sis_group_category_id: Set(fields.sis_group_category_id.flatten()),
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
        "group_category.created",
        created.id,
        actor,
        category_payload(&created),
    )
    .await?;
    Ok(created)
}

/// Finds an active group set of the caller's school whose course is not deleted.
pub async fn find_category<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: &IdRef,
) -> Result<CategoryView, StoreError> {
    let select = group_category::Entity::find()
        .filter(group_category::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_category::Column::WorkflowState.eq(ACTIVE));
    let select = match id {
        IdRef::Id(id) => select.filter(group_category::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => {
            select.filter(group_category::Column::SisGroupCategoryId.eq(v.as_str()))
        }
        IdRef::Current | IdRef::External(_, _) => return Err(StoreError::NotFound),
    };
    let category = select.one(conn).await?.ok_or(StoreError::NotFound)?;
    let course = courses::find(conn, scope, &IdRef::Id(category.course_id), false).await?;
    Ok(CategoryView { category, course })
}

/// The active group sets of a course, by id.
pub async fn list_categories<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    request: &PageRequest,
) -> Result<Page<group_category::Model>, StoreError> {
    let select = group_category::Entity::find()
        .filter(group_category::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_category::Column::CourseId.eq(course_id))
        .filter(group_category::Column::WorkflowState.eq(ACTIVE));
    let sort = [SortColumn::<group_category::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "group_categories", &sort, request).await
}

/// How many available groups each of `category_ids` has (one query for a page of sets).
pub async fn group_counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    category_ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    if category_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = group::Entity::find()
        .select_only()
        .column(group::Column::GroupCategoryId)
        .column_as(group::Column::Id.count(), "n")
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::GroupCategoryId.is_in(category_ids.iter().copied()))
        .filter(group::Column::WorkflowState.eq(AVAILABLE))
        .group_by(group::Column::GroupCategoryId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn update_category(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group_category::Model,
    fields: CategoryFields,
    actor: Actor,
) -> Result<group_category::Model, StoreError> {
    let current = locked_category(txn, scope, current.id).await?;
    let mut model: group_category::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.self_signup, fields.self_signup);
    crate::assign(&mut model.auto_leader, fields.auto_leader);
    crate::assign(&mut model.group_limit, fields.group_limit);
    crate::assign(&mut model.sis_group_category_id, fields.sis_group_category_id);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "group_category",
        updated.id,
        actor,
        category_payload(&current),
        category_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a group set and, as Canvas does, every group in it (and so every membership of those groups), each
/// with its own event, so a consumer of the feed never holds a membership of a group that is gone.
pub async fn delete_category(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group_category::Model,
    actor: Actor,
) -> Result<group_category::Model, StoreError> {
    let current = locked_category(txn, scope, current.id).await?;
    let groups = group::Entity::find()
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::GroupCategoryId.eq(current.id))
        .filter(group::Column::WorkflowState.eq(AVAILABLE))
        .order_by_asc(group::Column::Id)
        .all(txn)
        .await?;
    for g in &groups {
        delete_group_locked(txn, scope, g, actor).await?;
    }
    let mut model: group_category::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    // Free the SIS id for reuse: the unique index covers deleted rows too.
    model.sis_group_category_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "group_category.deleted",
        deleted.id,
        actor,
        category_payload(&current),
    )
    .await?;
    Ok(deleted)
}

/// Re-reads an active group set inside the transaction, locking it against concurrent membership changes.
async fn locked_category(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: i64,
) -> Result<group_category::Model, StoreError> {
    group_category::Entity::find()
        .filter(group_category::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_category::Column::Id.eq(id))
        .filter(group_category::Column::WorkflowState.eq(ACTIVE))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn available_group(txn: &DatabaseTransaction, scope: &Scope, id: i64) -> Result<group::Model, StoreError> {
    group::Entity::find()
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::Id.eq(id))
        .filter(group::Column::WorkflowState.eq(AVAILABLE))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
}

// ---- groups ----

pub async fn create_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    category: &group_category::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<group::Model, StoreError> {
    let category = locked_category(txn, scope, category.id).await?;
    let now = crate::now();
    let created = group::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(category.course_id),
        group_category_id: Set(category.id),
        name: Set(fields.name.unwrap_or_else(|| "Unnamed Group".to_owned())),
        description: Set(fields.description.flatten()),
        is_public: Set(fields.is_public.unwrap_or(false)),
        join_level: Set(fields.join_level.unwrap_or_else(|| rules::DEFAULT_JOIN_LEVEL.to_owned())),
        max_membership: Set(fields.max_membership.flatten()),
        sis_group_id: Set(fields.sis_group_id.flatten()),
        leader_id: Set(None),
        workflow_state: Set(AVAILABLE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "group.created", created.id, actor, group_payload(&created))
        .await?;
    Ok(created)
}

/// Finds an available group of the caller's school, with its active set and its not-deleted course.
pub async fn find_group<C: ConnectionTrait>(conn: &C, scope: &Scope, id: &IdRef) -> Result<GroupView, StoreError> {
    let select = group::Entity::find()
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::WorkflowState.eq(AVAILABLE));
    let select = match id {
        IdRef::Id(id) => select.filter(group::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(group::Column::SisGroupId.eq(v.as_str())),
        IdRef::Current | IdRef::External(_, _) => return Err(StoreError::NotFound),
    };
    let found = select.one(conn).await?.ok_or(StoreError::NotFound)?;
    let view = find_category(conn, scope, &IdRef::Id(found.group_category_id)).await?;
    Ok(GroupView { group: found, category: view.category, course: view.course })
}

/// Which groups a list covers.
#[derive(Debug, Clone, Copy)]
pub enum GroupsOf {
    Category(i64),
    Course(i64),
}

/// Available groups of a set or of a course (groups of deleted sets are deleted with them), by id.
pub async fn list_groups<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    of: GroupsOf,
    request: &PageRequest,
) -> Result<Page<group::Model>, StoreError> {
    let select = group::Entity::find()
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::WorkflowState.eq(AVAILABLE));
    let select = match of {
        GroupsOf::Category(id) => select.filter(group::Column::GroupCategoryId.eq(id)),
        GroupsOf::Course(id) => select.filter(group::Column::CourseId.eq(id)),
    };
    let sort = [SortColumn::<group::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "groups", &sort, request).await
}

/// How many accepted members each of `group_ids` has (one query for a page of groups).
pub async fn member_counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group_ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    if group_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = group_membership::Entity::find()
        .select_only()
        .column(group_membership::Column::GroupId)
        .column_as(group_membership::Column::Id.count(), "n")
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.is_in(group_ids.iter().copied()))
        .filter(group_membership::Column::WorkflowState.eq(ACCEPTED))
        .group_by(group_membership::Column::GroupId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The users with these ids (group leaders), by id.
pub async fn users_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<HashMap<i64, user::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    Ok(found.into_iter().map(|u| (u.id, u)).collect())
}

pub async fn update_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<group::Model, StoreError> {
    locked_category(txn, scope, current.group_category_id).await?;
    let current = available_group(txn, scope, current.id).await?;
    let mut model: group::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.description, fields.description);
    crate::assign(&mut model.is_public, fields.is_public);
    crate::assign(&mut model.join_level, fields.join_level);
    crate::assign(&mut model.max_membership, fields.max_membership);
    crate::assign(&mut model.sis_group_id, fields.sis_group_id);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "group",
        updated.id,
        actor,
        group_payload(&current),
        group_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a group and ends its memberships (each with its event).
pub async fn delete_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group::Model,
    actor: Actor,
) -> Result<group::Model, StoreError> {
    locked_category(txn, scope, current.group_category_id).await?;
    let current = available_group(txn, scope, current.id).await?;
    delete_group_locked(txn, scope, &current, actor).await
}

async fn delete_group_locked(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group::Model,
    actor: Actor,
) -> Result<group::Model, StoreError> {
    let members = live_memberships(txn, scope, current.id).await?;
    for m in &members {
        end_membership(txn, scope, m, actor).await?;
    }
    let mut model: group::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.sis_group_id = Set(None);
    model.leader_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "group.deleted", deleted.id, actor, group_payload(current))
        .await?;
    Ok(deleted)
}

// ---- memberships ----

/// How a path names a membership: by its id, or by its user (`/users/:user_id`, `self`).
#[derive(Debug, Clone, Copy)]
pub enum MembershipRef {
    Id(i64),
    User(i64),
}

/// A membership of `group_id` that was not left.
pub async fn find_membership<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group_id: i64,
    id: MembershipRef,
) -> Result<group_membership::Model, StoreError> {
    let select = group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.eq(group_id))
        .filter(group_membership::Column::WorkflowState.ne(DELETED));
    let select = match id {
        MembershipRef::Id(id) => select.filter(group_membership::Column::Id.eq(id)),
        MembershipRef::User(user_id) => select.filter(group_membership::Column::UserId.eq(user_id)),
    };
    select.one(conn).await?.ok_or(StoreError::NotFound)
}

/// A group's memberships in `states` (all but left ones when empty), by id.
pub async fn list_memberships<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group_id: i64,
    states: &[String],
    request: &PageRequest,
) -> Result<Page<group_membership::Model>, StoreError> {
    let mut select = group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.eq(group_id));
    select = if states.is_empty() {
        select.filter(group_membership::Column::WorkflowState.ne(DELETED))
    } else {
        select.filter(group_membership::Column::WorkflowState.is_in(states.iter().map(String::as_str)))
    };
    let sort = [SortColumn::<group_membership::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "group_memberships", &sort, request).await
}

/// The accepted members of a group, as users, in the users list's order (sortable name, then id).
pub async fn list_member_users<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group_id: i64,
    request: &PageRequest,
) -> Result<Page<user::Model>, StoreError> {
    let members = group_membership::Entity::find()
        .select_only()
        .column(group_membership::Column::UserId)
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.eq(group_id))
        .filter(group_membership::Column::WorkflowState.eq(ACCEPTED))
        .into_query();
    let select = user::Entity::find()
        .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(user::Column::Id.in_subquery(members));
    page::fetch(conn, select, "users", &crate::users::SORT, request).await
}

/// Who joins a group, and how.
#[derive(Debug, Clone, Copy)]
pub struct Join {
    pub user_id: i64,
    /// Placed by someone who manages groups (joins at once), or signing up themselves (the group's
    /// `join_level` decides).
    pub placed_by_manager: bool,
}

/// Puts a user in a group. Returns the membership and whether it is new; a user already in the group gets their
/// membership back unchanged (Canvas does the same).
pub async fn add_member(
    txn: &DatabaseTransaction,
    scope: &Scope,
    group_id: i64,
    join: Join,
    actor: Actor,
) -> Result<(group_membership::Model, bool), StoreError> {
    let unlocked = available_group(txn, scope, group_id).await?;
    let category = locked_category(txn, scope, unlocked.group_category_id).await?;
    let group = available_group(txn, scope, group_id).await?;
    let sections = enrolled_sections(txn, scope, group.course_id, &[join.user_id]).await?;
    let Some(own_sections) = sections.get(&join.user_id) else {
        return Err(StoreError::Invalid {
            field: "user_id",
            message: format!("user {} is not enrolled in the group's course", join.user_id),
        });
    };
    let existing = group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.eq(group.id))
        .filter(group_membership::Column::UserId.eq(join.user_id))
        .one(txn)
        .await?;
    if let Some(m) = &existing
        && m.workflow_state != DELETED
    {
        return Ok((m.clone(), false));
    }
    let groups_of_set = group::Entity::find()
        .select_only()
        .column(group::Column::Id)
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::GroupCategoryId.eq(category.id))
        .filter(group::Column::WorkflowState.eq(AVAILABLE))
        .into_query();
    let elsewhere = group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::UserId.eq(join.user_id))
        .filter(group_membership::Column::WorkflowState.ne(DELETED))
        .filter(group_membership::Column::GroupId.in_subquery(groups_of_set))
        .one(txn)
        .await?;
    if let Some(other) = elsewhere {
        return Err(StoreError::Busy {
            message: format!(
                "user {} is already in group {} of this group set; a user may be in one group per set, so leave that \
                 group first",
                join.user_id, other.group_id
            ),
        });
    }
    let members = live_memberships(txn, scope, group.id).await?;
    if let Some(limit) = rules::member_limit(group.max_membership, category.group_limit)
        && members.len() as i64 >= i64::from(limit)
    {
        return Err(StoreError::Busy { message: format!("the group is full: it holds at most {limit} members") });
    }
    if category.self_signup.as_deref() == Some("restricted") && !members.is_empty() {
        let member_ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
        let theirs = enrolled_sections(txn, scope, group.course_id, &member_ids).await?;
        let shares = member_ids.iter().all(|id| theirs.get(id).is_some_and(|s| !s.is_disjoint(own_sections)));
        if !shares {
            return Err(StoreError::Invalid {
                field: "user_id",
                message: "this group set requires group members to share a course section".to_owned(),
            });
        }
    }
    let state = rules::join_state(join.placed_by_manager, &group.join_level);
    let now = crate::now();
    let membership = match existing {
        Some(left) => {
            let mut model: group_membership::ActiveModel = left.into();
            model.workflow_state = Set(state.to_owned());
            model.moderator = Set(false);
            model.created_at = Set(now);
            model.updated_at = Set(now);
            model.update(txn).await?
        }
        None => {
            group_membership::ActiveModel {
                root_account_id: Set(scope.root_account_id()),
                group_id: Set(group.id),
                user_id: Set(join.user_id),
                workflow_state: Set(state.to_owned()),
                moderator: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    events::record_change(
        txn,
        scope.root_account_id(),
        "group_membership.created",
        membership.id,
        actor,
        membership_payload(&membership),
    )
    .await?;
    if membership.workflow_state == ACCEPTED && group.leader_id.is_none() && category.auto_leader.is_some() {
        set_leader(txn, scope, &group, Some(membership.user_id), actor).await?;
    }
    Ok((membership, true))
}

#[derive(Debug, Clone, Default)]
pub struct MembershipChanges {
    /// Only `accepted` (accepting a request or an invitation).
    pub workflow_state: Option<String>,
    pub moderator: Option<bool>,
}

pub async fn update_membership(
    txn: &DatabaseTransaction,
    scope: &Scope,
    group: &group::Model,
    current: &group_membership::Model,
    changes: MembershipChanges,
    actor: Actor,
) -> Result<group_membership::Model, StoreError> {
    let category = locked_category(txn, scope, group.group_category_id).await?;
    let group = available_group(txn, scope, group.id).await?;
    let current = find_membership(txn, scope, group.id, MembershipRef::Id(current.id)).await?;
    let mut model: group_membership::ActiveModel = current.clone().into();
    crate::assign(&mut model.workflow_state, changes.workflow_state);
    crate::assign(&mut model.moderator, changes.moderator);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "group_membership",
        updated.id,
        actor,
        membership_payload(&current),
        membership_payload(&updated),
    )
    .await?;
    if updated.workflow_state == ACCEPTED && group.leader_id.is_none() && category.auto_leader.is_some() {
        set_leader(txn, scope, &group, Some(updated.user_id), actor).await?;
    }
    Ok(updated)
}

/// Takes a user out of a group (the membership is kept as `deleted`, so joining again revives it). A leader who
/// leaves is replaced as the set's `auto_leader` says, or the group is left without one.
pub async fn remove_membership(
    txn: &DatabaseTransaction,
    scope: &Scope,
    group: &group::Model,
    current: &group_membership::Model,
    actor: Actor,
) -> Result<group_membership::Model, StoreError> {
    let category = locked_category(txn, scope, group.group_category_id).await?;
    let group = available_group(txn, scope, group.id).await?;
    let current = find_membership(txn, scope, group.id, MembershipRef::Id(current.id)).await?;
    let removed = end_membership(txn, scope, &current, actor).await?;
    if group.leader_id == Some(current.user_id) {
        let remaining: Vec<group_membership::Model> = live_memberships(txn, scope, group.id)
            .await?
            .into_iter()
            .filter(|m| m.workflow_state == ACCEPTED)
            .collect();
        let next = match category.auto_leader.as_deref() {
            Some("first") => remaining.first().map(|m| m.user_id),
            Some(_) if !remaining.is_empty() => {
                use rand::RngExt;
                Some(remaining[rand::rng().random_range(0..remaining.len())].user_id)
            }
            _ => None,
        };
        set_leader(txn, scope, &group, next, actor).await?;
    }
    Ok(removed)
}

/// Ends every group membership `user_id` holds in `course_id`'s groups. For the enrollment store to call when a
/// user's last enrollment in a course is deleted, so that group members stay course members.
pub async fn remove_user_from_course(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    user_id: i64,
    actor: Actor,
) -> Result<(), StoreError> {
    let groups = group::Entity::find()
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::CourseId.eq(course_id))
        .filter(group::Column::WorkflowState.eq(AVAILABLE))
        .all(txn)
        .await?;
    for g in groups {
        match find_membership(txn, scope, g.id, MembershipRef::User(user_id)).await {
            Ok(m) => {
                remove_membership(txn, scope, &g, &m, actor).await?;
            }
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

async fn end_membership(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &group_membership::Model,
    actor: Actor,
) -> Result<group_membership::Model, StoreError> {
    let mut model: group_membership::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.moderator = Set(false);
    model.updated_at = Set(crate::now());
    let removed = model.update(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "group_membership.deleted",
        removed.id,
        actor,
        membership_payload(current),
    )
    .await?;
    Ok(removed)
}

async fn set_leader(
    txn: &DatabaseTransaction,
    scope: &Scope,
    group: &group::Model,
    leader_id: Option<i64>,
    actor: Actor,
) -> Result<group::Model, StoreError> {
    let mut model: group::ActiveModel = group.clone().into();
    model.leader_id = Set(leader_id);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "group",
        updated.id,
        actor,
        group_payload(group),
        group_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// The memberships of a group that were not left, oldest first.
async fn live_memberships(
    txn: &DatabaseTransaction,
    scope: &Scope,
    group_id: i64,
) -> Result<Vec<group_membership::Model>, StoreError> {
    Ok(group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::GroupId.eq(group_id))
        .filter(group_membership::Column::WorkflowState.ne(DELETED))
        .order_by_asc(group_membership::Column::Id)
        .all(txn)
        .await?)
}

/// The sections each of `user_ids` is enrolled in (in any state but deleted or rejected) in `course_id`; a user
/// missing from the map is not a course member.
async fn enrolled_sections(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    user_ids: &[i64],
) -> Result<HashMap<i64, HashSet<i64>>, StoreError> {
    let rows = enrollment::Entity::find()
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(enrollment::Column::WorkflowState.is_not_in(GONE_ENROLLMENTS.iter().copied()))
        .all(txn)
        .await?;
    let mut out: HashMap<i64, HashSet<i64>> = HashMap::new();
    for e in rows {
        out.entry(e.user_id).or_default().insert(e.course_section_id);
    }
    Ok(out)
}
