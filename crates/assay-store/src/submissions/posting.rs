//! Posting results (Canvas post policies): a student sees a submission's grade, rubric assessment and graders'
//! comments only once the submission is posted (`posted_at`). An assignment posts automatically (a grade is
//! posted as it is given) unless its `post_manually` is set; then graders post and hide grades themselves.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::submission,
    events::{self, Actor},
};

type Time = chrono::DateTime<chrono::Utc>;

/// When a submission that was just graded is posted: at once under automatic posting (unless it already was),
/// otherwise whenever it was posted before (or not at all). Whoever writes a grade outside the grading API (quiz
/// attempts) calls this too, so that automatic posting holds for every grade.
pub fn posted_at_after_grading(post_manually: bool, current: Option<Time>, now: Time) -> Option<Time> {
    if post_manually { current } else { current.or(Some(now)) }
}

fn payload(sub: &submission::Model) -> serde_json::Value {
    json!({
        "submission_id": sub.id, "assignment_id": sub.assignment_id, "user_id": sub.user_id,
        "course_id": sub.course_id, "posted_at": sub.posted_at, "score": sub.score, "grade": sub.grade,
        "excused": sub.excused,
    })
}

/// Records that a submission's result reached its student (`result.posted`).
pub async fn record_posted(
    txn: &DatabaseTransaction,
    scope: &Scope,
    sub: &submission::Model,
    actor: Actor,
) -> Result<(), StoreError> {
    events::record(
        txn,
        events::NewEvent {
            root_account_id: scope.root_account_id(),
            event_type: "result.posted",
            subject_type: "submission",
            subject_id: sub.id,
            actor,
            payload: payload(sub),
        },
    )
    .await
}

/// Which submissions of an assignment a post or hide reaches.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `None`: every student's.
    pub user_ids: Option<Vec<i64>>,
    /// Post only submissions that have a grade (or are excused).
    pub graded_only: bool,
}

async fn selected(
    txn: &DatabaseTransaction,
    scope: &Scope,
    assignment_id: i64,
    selection: &Selection,
) -> Result<Vec<submission::Model>, StoreError> {
    let mut select = submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::AssignmentId.eq(assignment_id));
    if let Some(users) = &selection.user_ids {
        select = select.filter(submission::Column::UserId.is_in(users.iter().copied()));
    }
    Ok(select.order_by_asc(submission::Column::UserId).all(txn).await?)
}

/// Posts the selected submissions that are not posted yet; returns those it posted.
pub async fn post(
    txn: &DatabaseTransaction,
    scope: &Scope,
    assignment_id: i64,
    selection: &Selection,
    actor: Actor,
) -> Result<Vec<submission::Model>, StoreError> {
    let now = crate::now();
    let mut posted = Vec::new();
    for sub in selected(txn, scope, assignment_id, selection).await? {
        let graded = sub.score.is_some() || sub.excused;
        if sub.posted_at.is_some() || (selection.graded_only && !graded) {
            continue;
        }
        let mut model: submission::ActiveModel = sub.into();
        model.posted_at = Set(Some(now));
        model.updated_at = Set(now);
        let updated = model.update(txn).await?;
        record_posted(txn, scope, &updated, actor).await?;
        posted.push(updated);
    }
    Ok(posted)
}

/// Hides the selected submissions that are posted; returns those it hid.
pub async fn hide(
    txn: &DatabaseTransaction,
    scope: &Scope,
    assignment_id: i64,
    selection: &Selection,
    actor: Actor,
) -> Result<Vec<submission::Model>, StoreError> {
    let now = crate::now();
    let mut hidden = Vec::new();
    for sub in selected(txn, scope, assignment_id, selection).await? {
        if sub.posted_at.is_none() {
            continue;
        }
        let mut model: submission::ActiveModel = sub.into();
        model.posted_at = Set(None);
        model.updated_at = Set(now);
        let updated = model.update(txn).await?;
        events::record(
            txn,
            events::NewEvent {
                root_account_id: scope.root_account_id(),
                event_type: "result.hidden",
                subject_type: "submission",
                subject_id: updated.id,
                actor,
                payload: payload(&updated),
            },
        )
        .await?;
        hidden.push(updated);
    }
    Ok(hidden)
}
