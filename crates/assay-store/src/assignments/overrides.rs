//! Assignment overrides (Canvas §3.5): dates for some students of an assignment — listed students (ad hoc), a
//! group of the assignment's group set, or a course section. An override is deleted outright (its former details
//! travel in the `assignment_override.deleted` event); its target cannot change, except that an ad-hoc
//! override's students can be replaced. The batch functions ([`create_batch`], [`update_batch`], [`find_batch`])
//! run the single-override rules on each item, inside the caller's one transaction.

use std::collections::{HashMap, HashSet};

use assay_domain::{
    IdRef,
    assignment::{self as rules, OverrideDates, Target},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::{
        assignment, assignment_override as row, assignment_override_student as student_row, course, course_section,
        group,
    },
    events::{self, Actor},
};

/// An override with its students (empty unless ad hoc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideView {
    pub row: row::Model,
    pub student_ids: Vec<i64>,
}

impl OverrideView {
    pub fn target(&self) -> Target {
        match (self.row.group_id, self.row.course_section_id) {
            (Some(g), _) => Target::Group(g),
            (None, Some(s)) => Target::Section(s),
            (None, None) => Target::Students(self.student_ids.clone()),
        }
    }

    pub fn dates(&self) -> OverrideDates {
        let r = &self.row;
        OverrideDates {
            unlock_at: r.unlock_at_overridden.then_some(r.unlock_at),
            due_at: r.due_at_overridden.then_some(r.due_at),
            lock_at: r.lock_at_overridden.then_some(r.lock_at),
        }
    }

    /// The override as the date rules see it.
    pub fn rule(&self) -> rules::Override {
        rules::Override { id: self.row.id, target: self.target(), dates: self.dates() }
    }
}

/// What a request says about an override. On update, `target: None` keeps the target (and an ad-hoc override
/// keeps its students); the dates are always replaced as a whole (absent = not overridden).
#[derive(Debug, Clone, Default)]
pub struct OverrideInput {
    /// Set when the input updates an existing override (the `assignment[assignment_overrides]` list).
    pub id: Option<i64>,
    pub target: Option<Target>,
    pub title: Option<String>,
    pub dates: OverrideDates,
}

fn payload(o: &OverrideView) -> serde_json::Value {
    let r = &o.row;
    json!({
        "id": r.id, "assignment_id": r.assignment_id, "title": r.title, "set_type": r.set_type,
        "course_section_id": r.course_section_id, "group_id": r.group_id, "student_ids": o.student_ids,
        "due_at": r.due_at_overridden.then_some(r.due_at), "unlock_at": r.unlock_at_overridden.then_some(r.unlock_at),
        "lock_at": r.lock_at_overridden.then_some(r.lock_at),
    })
}

/// The overrides of these assignments, by assignment, each list by id.
pub async fn of_assignments<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_ids: &[i64],
) -> Result<HashMap<i64, Vec<OverrideView>>, StoreError> {
    if assignment_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out: HashMap<i64, Vec<OverrideView>> = HashMap::new();
    for chunk in assignment_ids.chunks(500) {
        let rows = row::Entity::find()
            .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(row::Column::AssignmentId.is_in(chunk.iter().copied()))
            .order_by_asc(row::Column::Id)
            .all(conn)
            .await?;
        // Most assignments have no overrides: then there are no override students to read either.
        if rows.is_empty() {
            continue;
        }
        let students = student_row::Entity::find()
            .filter(student_row::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(student_row::Column::AssignmentId.is_in(chunk.iter().copied()))
            .order_by_asc(student_row::Column::UserId)
            .all(conn)
            .await?;
        let mut by_override: HashMap<i64, Vec<i64>> = HashMap::new();
        for s in students {
            by_override.entry(s.assignment_override_id).or_default().push(s.user_id);
        }
        for r in rows {
            let student_ids = by_override.remove(&r.id).unwrap_or_default();
            out.entry(r.assignment_id).or_default().push(OverrideView { row: r, student_ids });
        }
    }
    Ok(out)
}

/// The overrides of one assignment, by id.
pub async fn of_assignment<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
) -> Result<Vec<OverrideView>, StoreError> {
    Ok(of_assignments(conn, scope, &[assignment_id]).await?.remove(&assignment_id).unwrap_or_default())
}

/// One override of an assignment.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
    id: i64,
) -> Result<OverrideView, StoreError> {
    of_assignment(conn, scope, assignment_id).await?.into_iter().find(|o| o.row.id == id).ok_or(StoreError::NotFound)
}

fn invalid(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid { field, message: message.into() }
}

/// Checks a new target against the course: students must be its students (and in no other ad-hoc override of
/// the assignment), a section must be one of its active sections, a group must be an available group of the
/// assignment's group set; none may be targeted twice. Returns the title the target gives an untitled override.
async fn check_target(
    txn: &DatabaseTransaction,
    scope: &Scope,
    a: &assignment::Model,
    target: &Target,
    except_override: Option<i64>,
) -> Result<String, StoreError> {
    let existing = of_assignment(txn, scope, a.id).await?;
    let others = existing.iter().filter(|o| Some(o.row.id) != except_override);
    match target {
        Target::Students(ids) => {
            if ids.is_empty() {
                return Err(invalid("assignment_override/student_ids", "must name at least one student"));
            }
            let students = super::student_places(txn, scope, a.course_id).await?;
            let enrolled: HashSet<i64> = students.iter().map(|p| p.user_id).collect();
            if let Some(bad) = ids.iter().find(|id| !enrolled.contains(id)) {
                return Err(invalid(
                    "assignment_override/student_ids",
                    format!("user {bad} is not a student of this course"),
                ));
            }
            let taken: HashSet<i64> = others.flat_map(|o| o.student_ids.iter().copied()).collect();
            if let Some(bad) = ids.iter().find(|id| taken.contains(id)) {
                return Err(invalid(
                    "assignment_override/student_ids",
                    format!("user {bad} already has an override for this assignment"),
                ));
            }
            Ok(format!("{} student{}", ids.len(), if ids.len() == 1 { "" } else { "s" }))
        }
        Target::Section(section_id) => {
            let section = course_section::Entity::find()
                .filter(course_section::Column::RootAccountId.eq(scope.root_account_id()))
                .filter(course_section::Column::CourseId.eq(a.course_id))
                .filter(course_section::Column::Id.eq(*section_id))
                .filter(course_section::Column::WorkflowState.eq(crate::accounts::ACTIVE))
                .one(txn)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "assignment_override/course_section_id",
                        format!("{section_id} is not a section of this course"),
                    )
                })?;
            if others.clone().any(|o| o.row.course_section_id == Some(*section_id)) {
                return Err(invalid(
                    "assignment_override/course_section_id",
                    "this section already has an override for this assignment",
                ));
            }
            Ok(section.name)
        }
        Target::Group(group_id) => {
            let Some(category_id) = a.group_category_id else {
                return Err(invalid(
                    "assignment_override/group_id",
                    "only a group assignment (one with a group_category_id) can have group overrides",
                ));
            };
            let found = group::Entity::find()
                .filter(group::Column::RootAccountId.eq(scope.root_account_id()))
                .filter(group::Column::Id.eq(*group_id))
                .filter(group::Column::GroupCategoryId.eq(category_id))
                .filter(group::Column::WorkflowState.eq(crate::groups::AVAILABLE))
                .one(txn)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "assignment_override/group_id",
                        format!("{group_id} is not a group of the assignment's group set"),
                    )
                })?;
            if others.clone().any(|o| o.row.group_id == Some(*group_id)) {
                return Err(invalid(
                    "assignment_override/group_id",
                    "this group already has an override for this assignment",
                ));
            }
            Ok(found.name)
        }
    }
}

fn check_dates(a: &assignment::Model, dates: &OverrideDates) -> Result<(), StoreError> {
    let base = rules::Dates { unlock_at: a.unlock_at, due_at: a.due_at, lock_at: a.lock_at };
    if let Some((field, message)) = rules::check_order(&dates.over(&base)).into_iter().next() {
        return Err(StoreError::Invalid {
            field: match field {
                "unlock_at" => "assignment_override/unlock_at",
                _ => "assignment_override/lock_at",
            },
            message,
        });
    }
    Ok(())
}

fn set_dates(model: &mut row::ActiveModel, dates: &OverrideDates, time_zone: Option<&str>) {
    model.due_at = Set(dates.due_at.flatten());
    model.due_at_overridden = Set(dates.due_at.is_some());
    model.unlock_at = Set(dates.unlock_at.flatten());
    model.unlock_at_overridden = Set(dates.unlock_at.is_some());
    model.lock_at = Set(dates.lock_at.flatten());
    model.lock_at_overridden = Set(dates.lock_at.is_some());
    let (all_day, all_day_date) = rules::all_day(dates.due_at.flatten(), time_zone);
    model.all_day = Set(all_day);
    model.all_day_date = Set(all_day_date.map(|d| d.to_string()));
}

async fn add_students(txn: &DatabaseTransaction, scope: &Scope, o: &row::Model, ids: &[i64]) -> Result<(), StoreError> {
    let now = crate::now();
    for id in ids {
        student_row::ActiveModel {
            root_account_id: Set(scope.root_account_id()),
            assignment_override_id: Set(o.id),
            assignment_id: Set(o.assignment_id),
            user_id: Set(*id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

async fn remove_students(txn: &DatabaseTransaction, scope: &Scope, override_id: i64) -> Result<(), StoreError> {
    student_row::Entity::delete_many()
        .filter(student_row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(student_row::Column::AssignmentOverrideId.eq(override_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Creates an override of `a`. `time_zone` is the course's, for `all_day`.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    a: &assignment::Model,
    input: OverrideInput,
    time_zone: Option<&str>,
    actor: Actor,
) -> Result<OverrideView, StoreError> {
    let Some(target) = input.target else {
        return Err(invalid("assignment_override", "name one target: student_ids, group_id or course_section_id"));
    };
    let target = dedup(target);
    let default_title = check_target(txn, scope, a, &target, None).await?;
    check_dates(a, &input.dates)?;
    let title = match (&target, input.title) {
        (_, Some(t)) if !t.trim().is_empty() => t.trim().to_owned(),
        (Target::Students(_), _) => {
            return Err(invalid("assignment_override/title", "is required for an override of listed students"));
        }
        _ => default_title,
    };
    let now = crate::now();
    let mut model = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        assignment_id: Set(a.id),
        title: Set(title),
        set_type: Set(target.set_type().to_owned()),
        course_section_id: Set(match target {
            Target::Section(s) => Some(s),
            _ => None,
        }),
        group_id: Set(match target {
            Target::Group(g) => Some(g),
            _ => None,
        }),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    set_dates(&mut model, &input.dates, time_zone);
    let created = model.insert(txn).await?;
    let student_ids = match &target {
        Target::Students(ids) => {
            add_students(txn, scope, &created, ids).await?;
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids
        }
        _ => Vec::new(),
    };
    let view = OverrideView { row: created, student_ids };
    events::record_change(
        txn,
        scope.root_account_id(),
        "assignment_override.created",
        view.row.id,
        actor,
        payload(&view),
    )
    .await?;
    Ok(view)
}

fn dedup(target: Target) -> Target {
    match target {
        Target::Students(mut ids) => {
            ids.sort_unstable();
            ids.dedup();
            Target::Students(ids)
        }
        other => other,
    }
}

/// Replaces an override's dates (all of them: a date the input leaves out is no longer overridden), its title
/// if given, and an ad-hoc override's students if given. A group or section target cannot change.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    a: &assignment::Model,
    current: &OverrideView,
    input: OverrideInput,
    time_zone: Option<&str>,
    actor: Actor,
) -> Result<OverrideView, StoreError> {
    let current = find(txn, scope, a.id, current.row.id).await?;
    let new_students = match (current.target(), input.target.map(dedup)) {
        (Target::Students(_), Some(Target::Students(ids))) => {
            check_target(txn, scope, a, &Target::Students(ids.clone()), Some(current.row.id)).await?;
            Some(ids)
        }
        (_, None) => None,
        (existing, Some(asked)) if existing == asked => None,
        (_, Some(_)) => {
            return Err(invalid(
                "assignment_override",
                "the target of a group or section override cannot change; delete it and create another",
            ));
        }
    };
    check_dates(a, &input.dates)?;
    let mut model: row::ActiveModel = current.row.clone().into();
    if let Some(title) = input.title.filter(|t| !t.trim().is_empty()) {
        model.title = Set(title.trim().to_owned());
    }
    set_dates(&mut model, &input.dates, time_zone);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    let student_ids = match new_students {
        Some(ids) => {
            remove_students(txn, scope, updated.id).await?;
            add_students(txn, scope, &updated, &ids).await?;
            ids
        }
        None => current.student_ids.clone(),
    };
    let view = OverrideView { row: updated, student_ids };
    events::record_update(
        txn,
        scope.root_account_id(),
        "assignment_override",
        view.row.id,
        actor,
        payload(&current),
        payload(&view),
    )
    .await?;
    Ok(view)
}

/// Deletes an override (and its students); returns what it was.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &OverrideView,
    actor: Actor,
) -> Result<OverrideView, StoreError> {
    let current = find(txn, scope, current.row.assignment_id, current.row.id).await?;
    remove_students(txn, scope, current.row.id).await?;
    row::Entity::delete_many()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::Id.eq(current.row.id))
        .exec(txn)
        .await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "assignment_override.deleted",
        current.row.id,
        actor,
        payload(&current),
    )
    .await?;
    Ok(current)
}

/// Makes an assignment's overrides match `inputs`: an input with the id of an override updates it, one without
/// creates one, and overrides not named are deleted (Canvas's `assignment[assignment_overrides]` on update).
pub async fn synchronise(
    txn: &DatabaseTransaction,
    scope: &Scope,
    a: &assignment::Model,
    inputs: Vec<OverrideInput>,
    time_zone: Option<&str>,
    actor: Actor,
) -> Result<Vec<OverrideView>, StoreError> {
    let existing = of_assignment(txn, scope, a.id).await?;
    let kept: HashSet<i64> = inputs.iter().filter_map(|i| i.id).collect();
    if let Some(unknown) = kept.iter().find(|id| !existing.iter().any(|o| o.row.id == **id)) {
        return Err(invalid(
            "assignment/assignment_overrides",
            format!("{unknown} is not an override of this assignment"),
        ));
    }
    for o in existing.iter().filter(|o| !kept.contains(&o.row.id)) {
        delete(txn, scope, o, actor).await?;
    }
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        match input.id.and_then(|id| existing.iter().find(|o| o.row.id == id)) {
            Some(current) => out.push(update(txn, scope, a, current, input, time_zone, actor).await?),
            None => out.push(create(txn, scope, a, input, time_zone, actor).await?),
        }
    }
    Ok(out)
}

/// One override of a batch: the assignment it belongs to and what the request says of it (on update, `input.id`
/// names the override).
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub assignment_id: i64,
    pub input: OverrideInput,
}

/// The field path of item `index` of a batch.
fn item_field(index: usize, rest: &str) -> String {
    format!("assignment_overrides/{index}{rest}")
}

/// A single-override error as an error of item `index`: `assignment_override/due_at` becomes
/// `assignment_overrides/<index>/due_at`.
fn item_error(index: usize, err: StoreError) -> StoreError {
    match err {
        StoreError::Invalid { field, message } => {
            let rest = field.strip_prefix("assignment_override").unwrap_or(field);
            let rest = if rest.is_empty() || rest.starts_with('/') { rest.to_owned() } else { format!("/{rest}") };
            StoreError::InvalidItem { field: item_field(index, &rest), message }
        }
        other => other,
    }
}

async fn batch_assignment(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    index: usize,
    id: i64,
) -> Result<assignment::Model, StoreError> {
    super::find(txn, scope, course_id, &IdRef::Id(id)).await.map_err(|err| match err {
        StoreError::NotFound => StoreError::InvalidItem {
            field: item_field(index, "/assignment_id"),
            message: format!("{id} is not an assignment of this course"),
        },
        other => other,
    })
}

/// Creates overrides of several assignments of `course`, all or none (Canvas's batch create). Items are created in
/// order with the single-override rules, so a later item sees the earlier ones (two items cannot target the same
/// section of an assignment); the first refused item fails the batch with an `InvalidItem` naming it, and the
/// caller's transaction, rolled back, leaves nothing behind.
pub async fn create_batch(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    items: Vec<BatchItem>,
    actor: Actor,
) -> Result<Vec<OverrideView>, StoreError> {
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let a = batch_assignment(txn, scope, course.id, index, item.assignment_id).await?;
        let created = create(txn, scope, &a, item.input, course.time_zone.as_deref(), actor)
            .await
            .map_err(|err| item_error(index, err))?;
        out.push(created);
    }
    Ok(out)
}

/// Updates overrides of several assignments of `course`, all or none, each as [`update`] does (its dates are
/// replaced as a whole). Every item names its override (`input.id`) and that override's assignment.
pub async fn update_batch(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    items: Vec<BatchItem>,
    actor: Actor,
) -> Result<Vec<OverrideView>, StoreError> {
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let a = batch_assignment(txn, scope, course.id, index, item.assignment_id).await?;
        let Some(id) = item.input.id else {
            return Err(StoreError::InvalidItem {
                field: item_field(index, "/id"),
                message: "is required: the id of the override to change".into(),
            });
        };
        let current = find(txn, scope, a.id, id).await.map_err(|err| match err {
            StoreError::NotFound => StoreError::InvalidItem {
                field: item_field(index, "/id"),
                message: format!("{id} is not an override of assignment {}", a.id),
            },
            other => other,
        })?;
        let updated = update(txn, scope, &a, &current, item.input, course.time_zone.as_deref(), actor)
            .await
            .map_err(|err| item_error(index, err))?;
        out.push(updated);
    }
    Ok(out)
}

/// Overrides by `(id, assignment_id)`, in the order asked: `None` where the assignment is not a (live) assignment
/// of the course or the override is not one of its overrides (Canvas answers `null` for those).
pub async fn find_batch<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    wanted: &[(i64, i64)],
) -> Result<Vec<Option<OverrideView>>, StoreError> {
    let asked: HashSet<i64> = wanted.iter().map(|(_, assignment_id)| *assignment_id).collect();
    let mut in_course: Vec<i64> = Vec::new();
    let asked: Vec<i64> = asked.into_iter().collect();
    for chunk in asked.chunks(500) {
        let found: Vec<i64> = assignment::Entity::find()
            .select_only()
            .column(assignment::Column::Id)
            .filter(assignment::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(assignment::Column::CourseId.eq(course_id))
            .filter(assignment::Column::WorkflowState.ne(rules::DELETED))
            .filter(assignment::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        in_course.extend(found);
    }
    let overrides = of_assignments(conn, scope, &in_course).await?;
    Ok(wanted
        .iter()
        .map(|(id, assignment_id)| {
            overrides.get(assignment_id).and_then(|list| list.iter().find(|o| o.row.id == *id)).cloned()
        })
        .collect())
}
