//! Rubrics of a course (Canvas `Rubric`) and the rubric each assignment is graded with (`RubricAssociation`).
//! An assignment has at most one rubric; associating another replaces it.

use std::collections::HashMap;

use assay_domain::grading::rubric::Criteria;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{rubric as row, rubric_association as association},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

pub const ACTIVE: &str = "active";
pub const DELETED: &str = "deleted";
/// The association type of an assignment's grading rubric.
pub const ASSIGNMENT: &str = "Assignment";
pub const GRADING: &str = "grading";

/// A rubric's criteria.
pub fn criteria(r: &row::Model) -> Criteria {
    serde_json::from_str(&r.data).unwrap_or_default()
}

fn payload(r: &row::Model) -> serde_json::Value {
    json!({
        "id": r.id, "course_id": r.course_id, "title": r.title, "points_possible": r.points_possible,
        "criteria": criteria(r).0, "workflow_state": r.workflow_state,
    })
}

fn association_payload(a: &association::Model) -> serde_json::Value {
    json!({
        "id": a.id, "rubric_id": a.rubric_id, "association_type": a.association_type,
        "association_id": a.association_id, "use_for_grading": a.use_for_grading, "purpose": a.purpose,
    })
}

/// What a create or update says; `None` leaves a field alone (`title` and `criteria` are required on create).
#[derive(Debug, Clone, Default)]
pub struct RubricFields {
    pub title: Option<String>,
    pub criteria: Option<Criteria>,
    pub free_form_criterion_comments: Option<bool>,
    pub hide_score_total: Option<bool>,
}

/// Grading an assignment with a rubric.
#[derive(Debug, Clone)]
pub struct AssociationInput {
    pub assignment_id: i64,
    pub use_for_grading: bool,
    pub hide_score_total: bool,
}

fn by_id() -> [SortColumn<row::Model>; 1] {
    [SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }]
}

/// The course's active rubrics, by id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    request: &PageRequest,
) -> Result<Page<row::Model>, StoreError> {
    let select = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.eq(ACTIVE));
    page::fetch(conn, select, "rubrics", &by_id(), request).await
}

/// An active rubric of the course.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .filter(row::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The assignments a rubric grades.
pub async fn associations_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    rubric_ids: &[i64],
) -> Result<HashMap<i64, Vec<association::Model>>, StoreError> {
    let mut out: HashMap<i64, Vec<association::Model>> = HashMap::new();
    if rubric_ids.is_empty() {
        return Ok(out);
    }
    for a in association::Entity::find()
        .filter(association::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(association::Column::RubricId.is_in(rubric_ids.iter().copied()))
        .order_by_asc(association::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(a.rubric_id).or_default().push(a);
    }
    Ok(out)
}

/// The rubric an assignment is graded with, and how.
pub async fn for_assignment<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
) -> Result<Option<(association::Model, row::Model)>, StoreError> {
    let Some(found) = association::Entity::find()
        .filter(association::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(association::Column::AssociationType.eq(ASSIGNMENT))
        .filter(association::Column::AssociationId.eq(assignment_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let rubric = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::Id.eq(found.rubric_id))
        .filter(row::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?;
    Ok(rubric.map(|r| (found, r)))
}

/// Makes `rubric` the one `input.assignment_id` is graded with (replacing another's association).
async fn associate(
    txn: &DatabaseTransaction,
    scope: &Scope,
    rubric: &row::Model,
    input: AssociationInput,
    actor: Actor,
) -> Result<association::Model, StoreError> {
    let now = crate::now();
    let existing = association::Entity::find()
        .filter(association::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(association::Column::AssociationType.eq(ASSIGNMENT))
        .filter(association::Column::AssociationId.eq(input.assignment_id))
        .one(txn)
        .await?;
    let saved = match existing {
        Some(current) => {
            let mut model: association::ActiveModel = current.clone().into();
            model.rubric_id = Set(rubric.id);
            model.use_for_grading = Set(input.use_for_grading);
            model.hide_score_total = Set(input.hide_score_total);
            model.updated_at = Set(now);
            let updated = model.update(txn).await?;
            events::record_update(
                txn,
                scope.root_account_id(),
                "rubric_association",
                updated.id,
                actor,
                association_payload(&current),
                association_payload(&updated),
            )
            .await?;
            updated
        }
        None => {
            let created = association::ActiveModel {
                root_account_id: Set(scope.root_account_id()),
                rubric_id: Set(rubric.id),
                association_type: Set(ASSIGNMENT.to_owned()),
                association_id: Set(input.assignment_id),
                use_for_grading: Set(input.use_for_grading),
                hide_score_total: Set(input.hide_score_total),
                purpose: Set(GRADING.to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            events::record_change(
                txn,
                scope.root_account_id(),
                "rubric_association.created",
                created.id,
                actor,
                association_payload(&created),
            )
            .await?;
            created
        }
    };
    Ok(saved)
}

/// Creates a rubric in a course (title and criteria required, already checked), associated with an assignment
/// when `association` says so.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    fields: RubricFields,
    association: Option<AssociationInput>,
    actor: Actor,
) -> Result<(row::Model, Option<association::Model>), StoreError> {
    let criteria = fields.criteria.unwrap_or_default();
    let now = crate::now();
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course_id),
        title: Set(fields.title.unwrap_or_else(|| "Untitled rubric".to_owned())),
        points_possible: Set(criteria.points_possible()),
        data: Set(serde_json::to_string(&criteria).unwrap_or_else(|_| "[]".to_owned())),
        free_form_criterion_comments: Set(fields.free_form_criterion_comments.unwrap_or(false)),
        hide_score_total: Set(fields.hide_score_total.unwrap_or(false)),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "rubric.created", created.id, actor, payload(&created)).await?;
    let association = match association {
        Some(input) => Some(associate(txn, scope, &created, input, actor).await?),
        None => None,
    };
    Ok((created, association))
}

/// Changes a rubric (and associates it with an assignment when `association` says so).
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    fields: RubricFields,
    association: Option<AssociationInput>,
    actor: Actor,
) -> Result<(row::Model, Option<association::Model>), StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    crate::assign(&mut model.title, fields.title);
    if let Some(criteria) = &fields.criteria {
        model.points_possible = Set(criteria.points_possible());
        model.data = Set(serde_json::to_string(criteria).unwrap_or_else(|_| "[]".to_owned()));
    }
    crate::assign(&mut model.free_form_criterion_comments, fields.free_form_criterion_comments);
    crate::assign(&mut model.hide_score_total, fields.hide_score_total);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "rubric",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    let association = match association {
        Some(input) => Some(associate(txn, scope, &updated, input, actor).await?),
        None => None,
    };
    Ok((updated, association))
}

/// Deletes a rubric (kept, marked deleted) and detaches it from the assignments it graded; the assessments
/// already on submissions stay as they were given.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    association::Entity::delete_many()
        .filter(association::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(association::Column::RubricId.eq(current.id))
        .exec(txn)
        .await?;
    events::record_change(txn, scope.root_account_id(), "rubric.deleted", deleted.id, actor, payload(current)).await?;
    Ok(deleted)
}
