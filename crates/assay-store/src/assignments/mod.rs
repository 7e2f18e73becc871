//! Assignments of a course (Canvas §3), their groups, overrides and extensions.
//!
//! Other features that own an assignment (quizzes: `submission_types = ["online_quiz"]`, `quiz_id`) call
//! [`create`] and [`update`] inside their own write transaction with an [`AssignmentFields`]; the rules that
//! need other rows (the group and group set belong to the course, the dates are in order once merged with the
//! stored ones, override targets are the course's) are checked here, so every caller gets them.

pub mod groups;
pub mod overrides;

use std::collections::HashMap;

use assay_domain::{
    assignment::{self as rules, Dates, OverrideDates, StudentPlace},
    id_ref::{ExternalKey, IdRef},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::{assignment as row, assignment_extension, course, enrollment, group, group_category, group_membership},
    events::{self, Actor},
};

pub use overrides::{OverrideInput, OverrideView};

pub const ID_PREFIXES: assay_domain::id_ref::Prefixes = &[("sis_assignment_id", ExternalKey::Sis)];

/// The enrollment states that make a student of a course for assignments (who is assigned, who may be
/// targeted by an override).
const STUDENT_STATES: &[&str] = &["active", "invited"];

/// What a create or update says about an assignment; `None` leaves a field alone (or takes the default on
/// create). `description` is HTML and is sanitised here.
#[derive(Debug, Clone, Default)]
pub struct AssignmentFields {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub position: Option<i32>,
    pub assignment_group_id: Option<i64>,
    pub points_possible: Option<Option<f64>>,
    pub grading_type: Option<String>,
    pub grading_standard_id: Option<Option<i64>>,
    pub submission_types: Option<Vec<String>>,
    pub allowed_extensions: Option<Vec<String>>,
    /// -1: unlimited.
    pub allowed_attempts: Option<i32>,
    pub due_at: Option<Option<rules::Time>>,
    pub unlock_at: Option<Option<rules::Time>>,
    pub lock_at: Option<Option<rules::Time>>,
    pub only_visible_to_overrides: Option<bool>,
    pub published: Option<bool>,
    pub omit_from_final_grade: Option<bool>,
    pub hide_in_gradebook: Option<bool>,
    pub post_manually: Option<bool>,
    pub anonymous_grading: Option<bool>,
    pub moderated_grading: Option<bool>,
    pub peer_reviews: Option<bool>,
    pub group_category_id: Option<Option<i64>>,
    pub quiz_id: Option<Option<i64>>,
    pub integration_id: Option<Option<String>>,
    /// JSON text of a string map.
    pub integration_data: Option<Option<String>>,
    pub sis_assignment_id: Option<Option<String>>,
    /// `Some`: the assignment's overrides become exactly these (see [`overrides::synchronise`]).
    pub overrides: Option<Vec<OverrideInput>>,
}

pub(crate) fn payload(a: &row::Model) -> serde_json::Value {
    json!({
        "id": a.id, "course_id": a.course_id, "assignment_group_id": a.assignment_group_id, "name": a.name,
        "position": a.position, "points_possible": a.points_possible, "grading_type": a.grading_type,
        "submission_types": submission_types(a), "due_at": a.due_at, "unlock_at": a.unlock_at, "lock_at": a.lock_at,
        "only_visible_to_overrides": a.only_visible_to_overrides, "workflow_state": a.workflow_state,
        "omit_from_final_grade": a.omit_from_final_grade, "group_category_id": a.group_category_id,
        "quiz_id": a.quiz_id, "sis_assignment_id": a.sis_assignment_id, "allowed_attempts": a.allowed_attempts,
    })
}

/// An assignment's submission types.
pub fn submission_types(a: &row::Model) -> Vec<String> {
    serde_json::from_str(&a.submission_types).unwrap_or_default()
}

/// An assignment's allowed file extensions.
pub fn allowed_extensions(a: &row::Model) -> Vec<String> {
    serde_json::from_str(&a.allowed_extensions).unwrap_or_default()
}

/// An assignment's own dates.
pub fn dates(a: &row::Model) -> Dates {
    Dates { unlock_at: a.unlock_at, due_at: a.due_at, lock_at: a.lock_at }
}

fn list_text(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid { field, message: message.into() }
}

/// A (not deleted) assignment of `course_id`, by id or `sis_assignment_id:`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    id: &IdRef,
) -> Result<row::Model, StoreError> {
    let select = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.ne(rules::DELETED));
    let select = match id {
        IdRef::Id(id) => select.filter(row::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(row::Column::SisAssignmentId.eq(v.as_str())),
        IdRef::Current | IdRef::External(_, _) => return Err(StoreError::NotFound),
    };
    select.one(conn).await?.ok_or(StoreError::NotFound)
}

/// The (not deleted) assignments of a course in Canvas's list order: by their group's position, then their own
/// position, then id. A course's assignments are few enough (hundreds) to filter and order in memory, which the
/// per-student dates and visibility need.
pub async fn in_course<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
) -> Result<Vec<row::Model>, StoreError> {
    Ok(in_course_with_groups(conn, scope, course_id).await?.0)
}

/// As [`in_course`], with the course's assignment groups in their order (read once for both).
pub async fn in_course_with_groups<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
) -> Result<(Vec<row::Model>, Vec<crate::entity::assignment_group::Model>), StoreError> {
    let course_groups = groups::all(conn, scope, course_id).await?;
    let group_order: HashMap<i64, usize> = course_groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let mut found = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.ne(rules::DELETED))
        .all(conn)
        .await?;
    found.sort_by_key(|a| (group_order.get(&a.assignment_group_id).copied().unwrap_or(usize::MAX), a.position, a.id));
    Ok((found, course_groups))
}

/// The names of these assignments (deleted ones too), by id: what a duplicate's `original_assignment_name` shows.
pub async fn names_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<HashMap<i64, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// The (not deleted) assignments of a group, by position.
pub async fn in_group<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group_id: i64,
) -> Result<Vec<row::Model>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::AssignmentGroupId.eq(group_id))
        .filter(row::Column::WorkflowState.ne(rules::DELETED))
        .order_by_asc(row::Column::Position)
        .order_by_asc(row::Column::Id)
        .all(conn)
        .await?)
}

/// Where every student of a course stands (sections, groups), by user id.
pub async fn student_places<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
) -> Result<Vec<StudentPlace>, StoreError> {
    places(conn, scope, course_id, None).await
}

/// Where one user stands as a student of a course; `None` when they are not one.
pub async fn student_place<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    user_id: i64,
) -> Result<Option<StudentPlace>, StoreError> {
    Ok(places(conn, scope, course_id, Some(user_id)).await?.into_iter().next())
}

async fn places<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    only: Option<i64>,
) -> Result<Vec<StudentPlace>, StoreError> {
    let mut select = enrollment::Entity::find()
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::Type.eq("StudentEnrollment"))
        .filter(enrollment::Column::WorkflowState.is_in(STUDENT_STATES.iter().copied()));
    if let Some(user_id) = only {
        select = select.filter(enrollment::Column::UserId.eq(user_id));
    }
    let mut by_user: std::collections::BTreeMap<i64, StudentPlace> = std::collections::BTreeMap::new();
    for e in select.all(conn).await? {
        let place =
            by_user.entry(e.user_id).or_insert_with(|| StudentPlace { user_id: e.user_id, ..Default::default() });
        if !place.section_ids.contains(&e.course_section_id) {
            place.section_ids.push(e.course_section_id);
        }
    }
    if by_user.is_empty() {
        return Ok(Vec::new());
    }
    let course_groups = group::Entity::find()
        .select_only()
        .column(group::Column::Id)
        .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group::Column::CourseId.eq(course_id))
        .filter(group::Column::WorkflowState.eq(crate::groups::AVAILABLE))
        .into_query();
    let mut memberships = group_membership::Entity::find()
        .filter(group_membership::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_membership::Column::WorkflowState.eq(assay_domain::group::ACCEPTED))
        .filter(group_membership::Column::GroupId.in_subquery(course_groups));
    if let Some(user_id) = only {
        memberships = memberships.filter(group_membership::Column::UserId.eq(user_id));
    }
    for m in memberships.all(conn).await? {
        if let Some(place) = by_user.get_mut(&m.user_id) {
            place.group_ids.push(m.group_id);
        }
    }
    Ok(by_user.into_values().collect())
}

/// Checks the merged state of an assignment (what is stored plus what changes).
fn check_merged(a: &row::ActiveModel) -> Result<(), StoreError> {
    let get = |v: &sea_orm::ActiveValue<Option<rules::Time>>| v.clone().unwrap();
    let dates = Dates { unlock_at: get(&a.unlock_at), due_at: get(&a.due_at), lock_at: get(&a.lock_at) };
    if let Some((field, message)) = rules::check_order(&dates).into_iter().next() {
        return Err(invalid(if field == "unlock_at" { "assignment/unlock_at" } else { "assignment/lock_at" }, message));
    }
    let types: Vec<String> = serde_json::from_str(&a.submission_types.clone().unwrap()).unwrap_or_default();
    rules::check_submission_types(&types).map_err(|m| invalid("assignment/submission_types", m))?;
    let grading_type = a.grading_type.clone().unwrap();
    if !rules::GRADING_TYPES.contains(&grading_type.as_str()) {
        return Err(invalid("assignment/grading_type", format!("must be one of {}", rules::GRADING_TYPES.join(", "))));
    }
    if a.points_possible.clone().unwrap().is_some_and(|p| !p.is_finite() || p < 0.0) {
        return Err(invalid("assignment/points_possible", "must be a number, 0 or more"));
    }
    let attempts = a.allowed_attempts.clone().unwrap();
    if attempts == 0 || attempts < -1 {
        return Err(invalid("assignment/allowed_attempts", "must be -1 (unlimited) or a positive number"));
    }
    Ok(())
}

async fn check_group_category(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    id: Option<i64>,
) -> Result<(), StoreError> {
    let Some(id) = id else { return Ok(()) };
    group_category::Entity::find()
        .filter(group_category::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(group_category::Column::CourseId.eq(course_id))
        .filter(group_category::Column::Id.eq(id))
        .filter(group_category::Column::WorkflowState.eq(crate::accounts::ACTIVE))
        .one(txn)
        .await?
        .map(|_| ())
        .ok_or_else(|| invalid("assignment/group_category_id", format!("{id} is not a group set of this course")))
}

async fn target_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    id: Option<i64>,
    actor: Actor,
) -> Result<crate::entity::assignment_group::Model, StoreError> {
    match id {
        Some(id) => groups::find(txn, scope, course.id, id).await.map_err(|err| match err {
            StoreError::NotFound => {
                invalid("assignment/assignment_group_id", format!("{id} is not an assignment group of this course"))
            }
            other => other,
        }),
        None => groups::default_for(txn, scope, course, actor).await,
    }
}

fn state_for(published: bool) -> &'static str {
    if published { rules::PUBLISHED } else { rules::UNPUBLISHED }
}

/// Creates an assignment in `course` (in the named group, else the course's first group, made if needed), with
/// the overrides `fields.overrides` lists. New assignments are unpublished unless `published` says otherwise.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    fields: AssignmentFields,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let group = target_group(txn, scope, course, fields.assignment_group_id, actor).await?;
    check_group_category(txn, scope, course.id, fields.group_category_id.flatten()).await?;
    let position = in_group(txn, scope, group.id).await?.iter().map(|a| a.position).max().unwrap_or(0) + 1;
    let now = crate::now();
    let model = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course.id),
        assignment_group_id: Set(group.id),
        name: Set(fields.name.unwrap_or_else(|| "Unnamed Assignment".to_owned())),
        description: Set(fields.description.flatten().map(|d| assay_domain::html::sanitize(&d))),
        position: Set(position),
        points_possible: Set(fields.points_possible.flatten()),
        grading_type: Set(fields.grading_type.unwrap_or_else(|| rules::DEFAULT_GRADING_TYPE.to_owned())),
        grading_standard_id: Set(fields.grading_standard_id.flatten()),
        submission_types: Set(list_text(
            &fields.submission_types.unwrap_or_else(|| vec![rules::DEFAULT_SUBMISSION_TYPE.to_owned()]),
        )),
        allowed_extensions: Set(list_text(&fields.allowed_extensions.unwrap_or_default())),
        allowed_attempts: Set(fields.allowed_attempts.unwrap_or(-1)),
        due_at: Set(fields.due_at.flatten()),
        unlock_at: Set(fields.unlock_at.flatten()),
        lock_at: Set(fields.lock_at.flatten()),
        only_visible_to_overrides: Set(fields.only_visible_to_overrides.unwrap_or(false)),
        workflow_state: Set(state_for(fields.published.unwrap_or(false)).to_owned()),
        omit_from_final_grade: Set(fields.omit_from_final_grade.unwrap_or(false)),
        hide_in_gradebook: Set(fields.hide_in_gradebook.unwrap_or(false)),
        post_manually: Set(fields.post_manually.unwrap_or(false)),
        anonymous_grading: Set(fields.anonymous_grading.unwrap_or(false)),
        moderated_grading: Set(fields.moderated_grading.unwrap_or(false)),
        peer_reviews: Set(fields.peer_reviews.unwrap_or(false)),
        group_category_id: Set(fields.group_category_id.flatten()),
        quiz_id: Set(fields.quiz_id.flatten()),
        integration_id: Set(fields.integration_id.flatten()),
        integration_data: Set(fields.integration_data.flatten()),
        sis_assignment_id: Set(fields.sis_assignment_id.flatten()),
        duplicate_of_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    check_merged(&model)?;
    let mut created = model.insert(txn).await?;
    if let Some(position) = fields.position {
        created = reposition(txn, scope, created, position).await?;
    }
    events::record_change(txn, scope.root_account_id(), "assignment.created", created.id, actor, payload(&created))
        .await?;
    if let Some(inputs) = fields.overrides {
        overrides::synchronise(txn, scope, &created, inputs, course.time_zone.as_deref(), actor).await?;
    }
    Ok(created)
}

/// Moves an assignment to `position` (1-based, clamped) in its group, renumbering the group 1..n.
async fn reposition(
    txn: &DatabaseTransaction,
    scope: &Scope,
    moved: row::Model,
    position: i32,
) -> Result<row::Model, StoreError> {
    let mut order: Vec<row::Model> =
        in_group(txn, scope, moved.assignment_group_id).await?.into_iter().filter(|a| a.id != moved.id).collect();
    let at = usize::try_from(position.max(1) - 1).unwrap_or(0).min(order.len());
    order.insert(at, moved.clone());
    let mut result = moved;
    for (i, a) in order.into_iter().enumerate() {
        let wanted = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let id = a.id;
        let current = if a.position != wanted {
            let mut model: row::ActiveModel = a.into();
            model.position = Set(wanted);
            model.update(txn).await?
        } else {
            a
        };
        if id == result.id {
            result = current;
        }
    }
    Ok(result)
}

/// Changes an assignment: only the fields `fields` names. Moving it to another group puts it last there unless
/// a position is given. `fields.overrides` (when `Some`) synchronises its overrides.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    current: &row::Model,
    fields: AssignmentFields,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let current = find(txn, scope, course.id, &IdRef::Id(current.id)).await?;
    let mut model: row::ActiveModel = current.clone().into();
    if let Some(group_id) = fields.assignment_group_id
        && group_id != current.assignment_group_id
    {
        let group = target_group(txn, scope, course, Some(group_id), actor).await?;
        let last = in_group(txn, scope, group.id).await?.iter().map(|a| a.position).max().unwrap_or(0);
        model.assignment_group_id = Set(group.id);
        model.position = Set(last + 1);
    }
    if let Some(category) = fields.group_category_id
        && category != current.group_category_id
    {
        check_group_category(txn, scope, course.id, category).await?;
        let has_group_overrides =
            overrides::of_assignment(txn, scope, current.id).await?.iter().any(|o| o.row.group_id.is_some());
        if has_group_overrides && fields.overrides.is_none() {
            return Err(invalid(
                "assignment/group_category_id",
                "cannot change while the assignment has group overrides; delete them first",
            ));
        }
        model.group_category_id = Set(category);
    }
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.description, fields.description.map(|d| d.map(|d| assay_domain::html::sanitize(&d))));
    crate::assign(&mut model.points_possible, fields.points_possible);
    crate::assign(&mut model.grading_type, fields.grading_type);
    crate::assign(&mut model.grading_standard_id, fields.grading_standard_id);
    crate::assign(&mut model.submission_types, fields.submission_types.map(|t| list_text(&t)));
    crate::assign(&mut model.allowed_extensions, fields.allowed_extensions.map(|t| list_text(&t)));
    crate::assign(&mut model.allowed_attempts, fields.allowed_attempts);
    crate::assign(&mut model.due_at, fields.due_at);
    crate::assign(&mut model.unlock_at, fields.unlock_at);
    crate::assign(&mut model.lock_at, fields.lock_at);
    crate::assign(&mut model.only_visible_to_overrides, fields.only_visible_to_overrides);
    crate::assign(&mut model.workflow_state, fields.published.map(|p| state_for(p).to_owned()));
    crate::assign(&mut model.omit_from_final_grade, fields.omit_from_final_grade);
    crate::assign(&mut model.hide_in_gradebook, fields.hide_in_gradebook);
    crate::assign(&mut model.post_manually, fields.post_manually);
    crate::assign(&mut model.anonymous_grading, fields.anonymous_grading);
    crate::assign(&mut model.moderated_grading, fields.moderated_grading);
    crate::assign(&mut model.peer_reviews, fields.peer_reviews);
    crate::assign(&mut model.quiz_id, fields.quiz_id);
    crate::assign(&mut model.integration_id, fields.integration_id);
    crate::assign(&mut model.integration_data, fields.integration_data);
    crate::assign(&mut model.sis_assignment_id, fields.sis_assignment_id);
    check_merged(&model)?;
    model.updated_at = Set(crate::now());
    let mut updated = model.update(txn).await?;
    if let Some(position) = fields.position {
        updated = reposition(txn, scope, updated, position).await?;
    }
    events::record_update(
        txn,
        scope.root_account_id(),
        "assignment",
        updated.id,
        actor,
        payload(&current),
        payload(&updated),
    )
    .await?;
    if let Some(inputs) = fields.overrides {
        overrides::synchronise(txn, scope, &updated, inputs, course.time_zone.as_deref(), actor).await?;
    }
    Ok(updated)
}

/// Deletes an assignment (kept, marked deleted; its SIS id is freed). Returns it as deleted.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    model.workflow_state = Set(rules::DELETED.to_owned());
    model.sis_assignment_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "assignment.deleted", deleted.id, actor, payload(current))
        .await?;
    Ok(deleted)
}

/// Copies an assignment as Canvas's duplicate does: named "<name> Copy", unpublished, placed right after the
/// original, without its SIS and integration ids or its overrides.
pub async fn duplicate(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    original: &row::Model,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let original = find(txn, scope, course.id, &IdRef::Id(original.id)).await?;
    let now = crate::now();
    let mut model: row::ActiveModel = original.clone().into();
    model.id = sea_orm::ActiveValue::NotSet;
    model.name = Set(format!("{} Copy", original.name));
    model.workflow_state = Set(rules::UNPUBLISHED.to_owned());
    model.sis_assignment_id = Set(None);
    model.integration_id = Set(None);
    model.quiz_id = Set(None);
    model.duplicate_of_id = Set(Some(original.id));
    model.position = Set(original.position + 1);
    model.created_at = Set(now);
    model.updated_at = Set(now);
    let created = model.insert(txn).await?;
    let created = reposition(txn, scope, created, original.position + 1).await?;
    let mut details = payload(&created);
    details["original_assignment_id"] = json!(original.id);
    events::record_change(txn, scope.root_account_id(), "assignment.duplicated", created.id, actor, details).await?;
    Ok(created)
}

/// The extra attempts granted on these assignments, by assignment then user.
pub async fn extensions_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
) -> Result<Vec<assignment_extension::Model>, StoreError> {
    Ok(assignment_extension::Entity::find()
        .filter(assignment_extension::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(assignment_extension::Column::AssignmentId.eq(assignment_id))
        .order_by_asc(assignment_extension::Column::UserId)
        .all(conn)
        .await?)
}

/// Sets extra attempts for students of an assignment (replacing what each had). Every user must be a student
/// of the course; `Err(index)` names the first that is not, and nothing is written.
pub async fn grant_extensions(
    txn: &DatabaseTransaction,
    scope: &Scope,
    a: &row::Model,
    grants: Vec<(i64, i32)>,
    actor: Actor,
) -> Result<Result<Vec<assignment_extension::Model>, usize>, StoreError> {
    let students: std::collections::HashSet<i64> =
        student_places(txn, scope, a.course_id).await?.into_iter().map(|p| p.user_id).collect();
    if let Some(bad) = grants.iter().position(|(user, _)| !students.contains(user)) {
        return Ok(Err(bad));
    }
    let existing: HashMap<i64, assignment_extension::Model> =
        extensions_of(txn, scope, a.id).await?.into_iter().map(|e| (e.user_id, e)).collect();
    let now = crate::now();
    let mut out = Vec::with_capacity(grants.len());
    for (user_id, extra) in grants {
        let ext_payload = |e: &assignment_extension::Model| json!({"assignment_id": e.assignment_id, "user_id": e.user_id, "extra_attempts": e.extra_attempts});
        let saved = match existing.get(&user_id) {
            Some(current) => {
                let mut model: assignment_extension::ActiveModel = current.clone().into();
                model.extra_attempts = Set(extra);
                model.updated_at = Set(now);
                let updated = model.update(txn).await?;
                events::record_update(
                    txn,
                    scope.root_account_id(),
                    "assignment_extension",
                    updated.id,
                    actor,
                    ext_payload(current),
                    ext_payload(&updated),
                )
                .await?;
                updated
            }
            None => {
                let created = assignment_extension::ActiveModel {
                    root_account_id: Set(scope.root_account_id()),
                    assignment_id: Set(a.id),
                    user_id: Set(user_id),
                    extra_attempts: Set(extra),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                events::record_change(
                    txn,
                    scope.root_account_id(),
                    "assignment_extension.created",
                    created.id,
                    actor,
                    ext_payload(&created),
                )
                .await?;
                created
            }
        };
        out.push(saved);
    }
    Ok(Ok(out))
}

/// The job kind (and Progress tag) of a bulk date change (`PUT /courses/:id/assignments/bulk_update`).
pub const BULK_UPDATE_JOB: &str = "assignment_bulk_update";

/// New dates for one assignment in a bulk update: its own (`base`) and its overrides', each date changed only
/// when named (`Some(None)` clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkDates {
    pub assignment_id: i64,
    pub base: Option<OverrideDates>,
    pub overrides: Vec<(i64, OverrideDates)>,
}

/// A bulk date change as a job stores it: the course and the checked request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkUpdateJob {
    pub course_id: i64,
    pub items: Vec<BulkDates>,
}

const DATE_KEYS: [&str; 3] = ["unlock_at", "due_at", "lock_at"];

fn date_slots(d: &OverrideDates) -> [rules::Overridden; 3] {
    [d.unlock_at, d.due_at, d.lock_at]
}

/// The dates that change, as JSON: a key only for a date that changes, `null` to clear it (so "leave alone" and
/// "clear" survive the trip through the job table).
fn dates_json(d: &OverrideDates) -> serde_json::Map<String, serde_json::Value> {
    DATE_KEYS
        .iter()
        .zip(date_slots(d))
        .filter_map(|(key, slot)| slot.map(|value| ((*key).to_owned(), json!(value))))
        .collect()
}

fn dates_from(obj: &serde_json::Map<String, serde_json::Value>) -> Result<OverrideDates, String> {
    let read = |key: &str| -> Result<rules::Overridden, String> {
        match obj.get(key) {
            None => Ok(None),
            Some(serde_json::Value::Null) => Ok(Some(None)),
            Some(value) => serde_json::from_value::<rules::Time>(value.clone())
                .map(|t| Some(Some(t)))
                .map_err(|e| format!("`{key}`: {e}")),
        }
    };
    Ok(OverrideDates { unlock_at: read("unlock_at")?, due_at: read("due_at")?, lock_at: read("lock_at")? })
}

impl BulkUpdateJob {
    /// The job's payload: `{"course_id", "items": [{"assignment_id", "base"?: {dates}, "overrides": [{"id",
    /// dates}]}]}`.
    pub fn to_payload(&self) -> serde_json::Value {
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|item| {
                let overrides: Vec<serde_json::Value> = item
                    .overrides
                    .iter()
                    .map(|(id, d)| {
                        let mut obj = dates_json(d);
                        obj.insert("id".into(), json!(id));
                        serde_json::Value::Object(obj)
                    })
                    .collect();
                let mut obj = serde_json::Map::new();
                obj.insert("assignment_id".into(), json!(item.assignment_id));
                if let Some(base) = &item.base {
                    obj.insert("base".into(), serde_json::Value::Object(dates_json(base)));
                }
                obj.insert("overrides".into(), json!(overrides));
                serde_json::Value::Object(obj)
            })
            .collect();
        json!({ "course_id": self.course_id, "items": items })
    }

    /// Reads a payload written by [`BulkUpdateJob::to_payload`].
    pub fn from_payload(payload: &serde_json::Value) -> Result<BulkUpdateJob, String> {
        let course_id = payload["course_id"].as_i64().ok_or("no course_id")?;
        let mut items = Vec::new();
        for item in payload["items"].as_array().ok_or("no items")? {
            let assignment_id = item["assignment_id"].as_i64().ok_or("an item without assignment_id")?;
            let base = match item.get("base") {
                Some(serde_json::Value::Object(obj)) => Some(dates_from(obj)?),
                _ => None,
            };
            let mut overrides = Vec::new();
            for o in item["overrides"].as_array().ok_or("an item without overrides")? {
                let obj = o.as_object().ok_or("an override that is not an object")?;
                let id = o["id"].as_i64().ok_or("an override without id")?;
                overrides.push((id, dates_from(obj)?));
            }
            items.push(BulkDates { assignment_id, base, overrides });
        }
        Ok(BulkUpdateJob { course_id, items })
    }
}

/// One problem of a bulk update: the item's index, the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkProblem {
    pub index: usize,
    pub field: String,
    pub message: String,
}

fn merge(current: Option<rules::Time>, change: Option<Option<rules::Time>>) -> Option<rules::Time> {
    change.unwrap_or(current)
}

/// A checked bulk update: each assignment with its new dates, and its named overrides with theirs.
#[derive(Debug, Clone)]
pub struct BulkPlan {
    items: Vec<PlannedDates>,
}

/// One assignment of a [`BulkPlan`].
#[derive(Debug, Clone)]
struct PlannedDates {
    assignment: row::Model,
    dates: Dates,
    overrides: Vec<(OverrideView, OverrideDates)>,
}

/// Checks a bulk update against what is stored (§3.6): every assignment is a live one of the course, every
/// override one of its assignment's, and every date order holds once the changes are merged. Returns the plan,
/// or every problem found. Writes nothing: the request checks this before queueing the job, and the job again
/// before writing (the course may have changed in between).
pub async fn check_bulk_dates<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    items: &[BulkDates],
) -> Result<Result<BulkPlan, Vec<BulkProblem>>, StoreError> {
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let problem = |field: &str, message: String| BulkProblem { index, field: field.to_owned(), message };
        let a = match find(conn, scope, course_id, &IdRef::Id(item.assignment_id)).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                problems.push(problem("id", format!("{} is not an assignment of this course", item.assignment_id)));
                continue;
            }
            Err(other) => return Err(other),
        };
        let base = match &item.base {
            Some(d) => Dates {
                unlock_at: merge(a.unlock_at, d.unlock_at),
                due_at: merge(a.due_at, d.due_at),
                lock_at: merge(a.lock_at, d.lock_at),
            },
            None => dates(&a),
        };
        for (field, message) in rules::check_order(&base) {
            problems.push(problem(field, message));
        }
        let existing = overrides::of_assignment(conn, scope, a.id).await?;
        let mut changed = Vec::new();
        for (override_id, d) in &item.overrides {
            let Some(o) = existing.iter().find(|o| o.row.id == *override_id) else {
                problems.push(problem("all_dates", format!("{override_id} is not an override of this assignment")));
                continue;
            };
            let mut new = o.dates();
            for (slot, change) in
                [(&mut new.unlock_at, d.unlock_at), (&mut new.due_at, d.due_at), (&mut new.lock_at, d.lock_at)]
            {
                if change.is_some() {
                    *slot = change;
                }
            }
            for (field, message) in rules::check_order(&new.over(&base)) {
                problems.push(problem(field, format!("override {override_id}: {message}")));
            }
            changed.push((o.clone(), new));
        }
        plan.push(PlannedDates { assignment: a, dates: base, overrides: changed });
    }
    Ok(if problems.is_empty() { Ok(BulkPlan { items: plan }) } else { Err(problems) })
}

/// Applies new dates to many assignments of a course and their overrides, all or nothing (§3.6): everything is
/// checked ([`check_bulk_dates`]) before anything is written, and any problem leaves every row as it was.
/// Overrides that are not named keep their dates; overrides are never created or deleted here. The dates are
/// absolute, so applying the same request twice gives the same rows.
pub async fn bulk_update_dates(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    items: Vec<BulkDates>,
    actor: Actor,
) -> Result<Result<usize, Vec<BulkProblem>>, StoreError> {
    let plan = match check_bulk_dates(txn, scope, course.id, &items).await? {
        Ok(plan) => plan,
        Err(problems) => return Ok(Err(problems)),
    };
    let count = plan.items.len();
    for PlannedDates { assignment: a, dates: base, overrides: changed } in plan.items {
        let fields = AssignmentFields {
            due_at: Some(base.due_at),
            unlock_at: Some(base.unlock_at),
            lock_at: Some(base.lock_at),
            ..Default::default()
        };
        let updated = update(txn, scope, course, &a, fields, actor).await?;
        for (o, new) in changed {
            let input = OverrideInput { id: Some(o.row.id), target: None, title: None, dates: new };
            overrides::update(txn, scope, &updated, &o, input, course.time_zone.as_deref(), actor).await?;
        }
    }
    Ok(Ok(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_update_job_keeps_left_alone_apart_from_cleared() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        let job = BulkUpdateJob {
            course_id: 7,
            items: vec![
                BulkDates {
                    assignment_id: 1,
                    base: Some(OverrideDates {
                        unlock_at: None,
                        due_at: Some(Some(t("2030-01-11T00:00:00Z"))),
                        lock_at: Some(None),
                    }),
                    overrides: vec![(5, OverrideDates { unlock_at: Some(None), due_at: None, lock_at: None })],
                },
                BulkDates { assignment_id: 2, base: None, overrides: vec![] },
            ],
        };
        let payload = job.to_payload();
        assert_eq!(payload["items"][0]["base"], json!({"due_at": "2030-01-11T00:00:00Z", "lock_at": null}));
        assert_eq!(payload["items"][0]["overrides"], json!([{"id": 5, "unlock_at": null}]));
        assert!(payload["items"][1].get("base").is_none());
        assert_eq!(BulkUpdateJob::from_payload(&payload).unwrap(), job);
        assert!(BulkUpdateJob::from_payload(&json!({"course_id": 7})).is_err());
    }
}
