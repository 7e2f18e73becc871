//! Assignment groups of a course (Canvas §3.11): weighted buckets of assignments with drop rules, ordered by
//! `position`. A course gets an "Assignments" group the first time an assignment needs one.

use assay_domain::assignment::DropRules;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{assignment, assignment_group as row, course},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

/// A group that exists.
pub const AVAILABLE: &str = "available";
pub const DELETED: &str = "deleted";
/// The name of the group made for a course's first assignment (Canvas's).
pub const DEFAULT_NAME: &str = "Assignments";

#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    pub name: Option<String>,
    pub position: Option<i32>,
    pub group_weight: Option<f64>,
    pub rules: Option<DropRules>,
    pub sis_source_id: Option<Option<String>>,
    /// JSON text of a string map.
    pub integration_data: Option<Option<String>>,
}

pub(crate) fn payload(g: &row::Model) -> serde_json::Value {
    json!({
        "id": g.id, "course_id": g.course_id, "name": g.name, "position": g.position,
        "group_weight": g.group_weight, "rules": DropRules::from_stored(g.rules.as_deref()),
        "sis_source_id": g.sis_source_id, "workflow_state": g.workflow_state,
    })
}

/// The available groups of a course in list order (position, then id).
pub async fn all<C: ConnectionTrait>(conn: &C, scope: &Scope, course_id: i64) -> Result<Vec<row::Model>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.eq(AVAILABLE))
        .order_by_asc(row::Column::Position)
        .order_by_asc(row::Column::Id)
        .all(conn)
        .await?)
}

/// A page of a course's available groups, by position.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    request: &PageRequest,
) -> Result<Page<row::Model>, StoreError> {
    let select = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.eq(AVAILABLE));
    let sort = [
        SortColumn::<row::Model> { column: "position", kind: KeyKind::Integer, key: |m| json!(m.position) },
        SortColumn::<row::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) },
    ];
    page::fetch(conn, select, "assignment_groups", &sort, request).await
}

/// An available group of `course_id`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::WorkflowState.eq(AVAILABLE))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let siblings = all(txn, scope, course.id).await?;
    let now = crate::now();
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        name: Set(fields.name.unwrap_or_else(|| DEFAULT_NAME.to_owned())),
        position: Set(next_position(&siblings)),
        group_weight: Set(fields.group_weight.unwrap_or(0.0)),
        rules: Set(fields.rules.and_then(|r| r.to_stored())),
        sis_source_id: Set(fields.sis_source_id.flatten()),
        integration_data: Set(fields.integration_data.flatten()),
        workflow_state: Set(AVAILABLE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let created = match fields.position {
        Some(position) => reposition(txn, scope, created, position).await?,
        None => created,
    };
    events::record_change(
        txn,
        scope.root_account_id(),
        "assignment_group.created",
        created.id,
        actor,
        payload(&created),
    )
    .await?;
    Ok(created)
}

fn next_position(siblings: &[row::Model]) -> i32 {
    siblings.iter().map(|g| g.position).max().unwrap_or(0) + 1
}

/// Moves `moved` to `position` (1-based, clamped) among its course's groups and renumbers them 1..n, as Canvas's
/// `insert_at` does. Returns `moved` as stored.
async fn reposition(
    txn: &DatabaseTransaction,
    scope: &Scope,
    moved: row::Model,
    position: i32,
) -> Result<row::Model, StoreError> {
    let mut order: Vec<row::Model> =
        all(txn, scope, moved.course_id).await?.into_iter().filter(|g| g.id != moved.id).collect();
    let at = usize::try_from(position.max(1) - 1).unwrap_or(0).min(order.len());
    order.insert(at, moved.clone());
    let mut result = moved;
    for (i, g) in order.into_iter().enumerate() {
        let wanted = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let id = g.id;
        let current = if g.position != wanted {
            let mut model: row::ActiveModel = g.into();
            model.position = Set(wanted);
            model.update(txn).await?
        } else {
            g
        };
        if id == result.id {
            result = current;
        }
    }
    Ok(result)
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let current = find(txn, scope, current.course_id, current.id).await?;
    let mut model: row::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.group_weight, fields.group_weight);
    crate::assign(&mut model.rules, fields.rules.map(|r| r.to_stored()));
    crate::assign(&mut model.sis_source_id, fields.sis_source_id);
    crate::assign(&mut model.integration_data, fields.integration_data);
    model.updated_at = Set(crate::now());
    let mut updated = model.update(txn).await?;
    if let Some(position) = fields.position {
        updated = reposition(txn, scope, updated, position).await?;
    }
    events::record_update(
        txn,
        scope.root_account_id(),
        "assignment_group",
        updated.id,
        actor,
        payload(&current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a group. Its assignments move to `move_to` (an available group of the same course, appended after
/// its own) or, without one, are deleted with it, as Canvas does.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    move_to: Option<i64>,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let current = find(txn, scope, current.course_id, current.id).await?;
    let members = super::in_group(txn, scope, current.id).await?;
    match move_to {
        Some(target_id) => {
            if target_id == current.id {
                return Err(StoreError::Invalid {
                    field: "move_assignments_to",
                    message: "must be another assignment group than the one being deleted".into(),
                });
            }
            let target = find(txn, scope, current.course_id, target_id).await.map_err(|err| match err {
                StoreError::NotFound => StoreError::Invalid {
                    field: "move_assignments_to",
                    message: format!("{target_id} is not an assignment group of this course"),
                },
                other => other,
            })?;
            let mut position =
                super::in_group(txn, scope, target.id).await?.iter().map(|a| a.position).max().unwrap_or(0);
            for a in members {
                position += 1;
                let before = super::payload(&a);
                let mut model: assignment::ActiveModel = a.into();
                model.assignment_group_id = Set(target.id);
                model.position = Set(position);
                model.updated_at = Set(crate::now());
                let moved = model.update(txn).await?;
                events::record_update(
                    txn,
                    scope.root_account_id(),
                    "assignment",
                    moved.id,
                    actor,
                    before,
                    super::payload(&moved),
                )
                .await?;
            }
        }
        None => {
            for a in members {
                super::delete(txn, scope, &a, actor).await?;
            }
        }
    }
    let mut model: row::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "assignment_group.deleted",
        deleted.id,
        actor,
        payload(&current),
    )
    .await?;
    Ok(deleted)
}

/// The group an assignment lands in when none is named: the course's first group, made if there is none.
pub async fn default_for(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    match all(txn, scope, course.id).await?.into_iter().next() {
        Some(first) => Ok(first),
        None => create(txn, scope, course, GroupFields::default(), actor).await,
    }
}
