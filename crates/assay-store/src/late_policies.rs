//! A course's late policy (Canvas `LatePolicy`). Creating or changing it re-applies it to the course's graded
//! late submissions and gives missing ones their score (`submissions::late`), in the same transaction.

use assay_domain::grading::{LateInterval, LatePolicy};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::late_policy as row,
    events::{self, Actor},
};

/// The policy a row holds.
pub fn policy(r: &row::Model) -> LatePolicy {
    LatePolicy {
        missing_submission_deduction_enabled: r.missing_submission_deduction_enabled,
        missing_submission_deduction: r.missing_submission_deduction,
        late_submission_deduction_enabled: r.late_submission_deduction_enabled,
        late_submission_deduction: r.late_submission_deduction,
        late_submission_interval: LateInterval::parse(&r.late_submission_interval).unwrap_or(LateInterval::Day),
        late_submission_minimum_percent_enabled: r.late_submission_minimum_percent_enabled,
        late_submission_minimum_percent: r.late_submission_minimum_percent,
    }
}

fn payload(r: &row::Model) -> serde_json::Value {
    let mut p = serde_json::to_value(policy(r)).unwrap_or_else(|_| json!({}));
    p["id"] = json!(r.id);
    p["course_id"] = json!(r.course_id);
    p
}

/// The course's policy, if it has one.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
) -> Result<Option<row::Model>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::CourseId.eq(course_id))
        .one(conn)
        .await?)
}

fn fill(model: &mut row::ActiveModel, p: &LatePolicy) {
    model.missing_submission_deduction_enabled = Set(p.missing_submission_deduction_enabled);
    model.missing_submission_deduction = Set(p.missing_submission_deduction);
    model.late_submission_deduction_enabled = Set(p.late_submission_deduction_enabled);
    model.late_submission_deduction = Set(p.late_submission_deduction);
    model.late_submission_interval = Set(p.late_submission_interval.as_str().to_owned());
    model.late_submission_minimum_percent_enabled = Set(p.late_submission_minimum_percent_enabled);
    model.late_submission_minimum_percent = Set(p.late_submission_minimum_percent);
}

/// Creates the course's policy; a course has one (`Conflict` on `late_policy` when it exists).
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    p: &LatePolicy,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    if find(txn, scope, course_id).await?.is_some() {
        return Err(StoreError::Conflict { field: "late_policy" });
    }
    let now = crate::now();
    let mut model = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fill(&mut model, p);
    let created = model.insert(txn).await?;
    events::record_change(txn, scope.root_account_id(), "late_policy.created", created.id, actor, payload(&created))
        .await?;
    Ok(created)
}

/// Replaces the course's policy with `p`.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &row::Model,
    p: &LatePolicy,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let mut model: row::ActiveModel = current.clone().into();
    fill(&mut model, p);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "late_policy",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// The courses (with their school) whose policy gives missing work a score, whatever school they belong to: the
/// worker's missing-work sweep visits them.
pub async fn missing_scoring_courses_unscoped<C: ConnectionTrait>(conn: &C) -> Result<Vec<(i64, i64)>, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(row::Entity::find()
        .select_only()
        .column(row::Column::RootAccountId)
        .column(row::Column::CourseId)
        .filter(row::Column::MissingSubmissionDeductionEnabled.eq(true))
        .order_by_asc(row::Column::CourseId)
        .into_tuple()
        .all(conn)
        .await?)
}
