//! A changed late policy applies to the grades already given (Canvas re-applies it): every graded submission of
//! the course gets its deduction recomputed from what the grader entered, and missing submissions get (or lose)
//! the policy's score. All in the transaction that changes the policy.

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

use super::{
    grade::{self, entered_of, settle},
    rules, sync,
};
use crate::{
    Scope, StoreError, assignments,
    entity::{course, submission},
    events::Actor,
};

/// Re-applies the course's (new) late policy; returns how many submissions changed their score.
pub async fn reapply(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    actor: Actor,
) -> Result<usize, StoreError> {
    let now = crate::now();
    let list = assignments::in_course(txn, scope, course.id).await?;
    let grading = rules::for_assignments(txn, scope, course, account_ids, &list).await?;
    let graded = submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::CourseId.eq(course.id))
        .filter(submission::Column::EnteredScore.is_not_null())
        .filter(submission::Column::Excused.eq(false))
        .order_by_asc(submission::Column::Id)
        .all(txn)
        .await?;
    let mut changed = 0;
    for current in graded.into_iter().filter(|s| !super::holds_missing_score(s)) {
        let Some(rules) = grading.get(&current.assignment_id) else { continue };
        let fields = settle(entered_of(&current).as_ref(), &super::timing(&current), rules, now);
        if fields.score == current.score && fields.points_deducted == current.points_deducted {
            continue;
        }
        let mut model: submission::ActiveModel = current.clone().into();
        model.score = Set(fields.score);
        model.grade = Set(fields.grade);
        model.points_deducted = Set(fields.points_deducted);
        grade::save_grade(txn, scope, &current, model, rules, actor, "late_policy").await?;
        changed += 1;
    }
    sync::sync_in(txn, scope, course, account_ids, &list, actor).await?;
    Ok(changed)
}
