//! Submissions: one row per (assignment, student) holding what the student handed in and the grade the
//! gradebook reads, plus its history (`submission_versions`). Quiz attempts write their kept score here; graders
//! write grades here; the gradebook reads only this table.
//!
//! Rows come into being lazily (Canvas makes one per assigned student up front): [`sync`] creates the missing
//! rows of the students an assignment is assigned to, keeps their `cached_due_at` (the student's effective due
//! date) current, and gives missing submissions the late policy's score, before lists are read.
//!
//! - [`submit`]: a student hands in text, a URL or uploaded files ([`files`]).
//! - [`grade`]: a grader's grade, excuse, lateness decision or rubric assessment; [`comments`].
//! - [`posting`]: when students see their grades (post policies, post and hide).
//! - [`late`]: the late policy applied to a course's submissions when the policy changes.
//! - [`list`]: the lists of the Submissions API; [`rules`]: how each assignment is graded.

pub mod bulk;
pub mod comments;
pub mod files;
pub mod grade;
pub mod late;
pub mod list;
pub mod posting;
pub mod rules;
pub mod submit;
pub mod sync;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::{submission, submission_version},
};

/// Nothing handed in and no grade yet.
pub const UNSUBMITTED: &str = "unsubmitted";
/// Handed in, not graded.
pub const SUBMITTED: &str = "submitted";
/// Handed in; part of it waits for a grader (quiz essays, uploads).
pub const PENDING_REVIEW: &str = "pending_review";
/// Has a grade (or is excused).
pub const GRADED: &str = "graded";

/// The submission of `user_id` on an assignment, if one exists.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
    user_id: i64,
) -> Result<Option<submission::Model>, StoreError> {
    Ok(submission::Entity::find()
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(submission::Column::AssignmentId.eq(assignment_id))
        .filter(submission::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

/// The submission of `user_id` on an assignment, created `unsubmitted` when there is none yet. Safe under
/// concurrency: two callers racing to create it both get the one row (the unique index decides).
pub async fn find_or_create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    assignment_id: i64,
    user_id: i64,
) -> Result<submission::Model, StoreError> {
    if let Some(found) = find(txn, scope, assignment_id, user_id).await? {
        return Ok(found);
    }
    let now = crate::now();
    let row = submission::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course_id),
        assignment_id: Set(assignment_id),
        user_id: Set(user_id),
        attempt: Set(0),
        workflow_state: Set(UNSUBMITTED.to_owned()),
        grade_matches_current_submission: Set(true),
        excused: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    submission::Entity::insert(row)
        .on_conflict_do_nothing_on([submission::Column::AssignmentId, submission::Column::UserId])
        .exec(txn)
        .await?;
    find(txn, scope, assignment_id, user_id).await?.ok_or(StoreError::NotFound)
}

/// Keeps the submission's current state in its history (Canvas `submission_history`): call after every submit
/// and every grade.
pub async fn record_version(txn: &DatabaseTransaction, sub: &submission::Model) -> Result<(), StoreError> {
    submission_version::ActiveModel {
        root_account_id: Set(sub.root_account_id),
        submission_id: Set(sub.id),
        attempt: Set(sub.attempt),
        data: Set(snapshot(sub).to_string()),
        created_at: Set(crate::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The fields of a submission its history shows.
pub fn snapshot(sub: &submission::Model) -> serde_json::Value {
    json!({
        "id": sub.id,
        "assignment_id": sub.assignment_id,
        "user_id": sub.user_id,
        "attempt": sub.attempt,
        "workflow_state": sub.workflow_state,
        "submission_type": sub.submission_type,
        "body": sub.body,
        "url": sub.url,
        "attachments": sub.attachments.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
        "submitted_at": sub.submitted_at,
        "score": sub.score,
        "entered_score": sub.entered_score,
        "grade": sub.grade,
        "entered_grade": sub.entered_grade,
        "points_deducted": sub.points_deducted,
        "graded_at": sub.graded_at,
        "grader_id": sub.grader_id,
        "excused": sub.excused,
        "late_policy_status": sub.late_policy_status,
        "quiz_submission_id": sub.quiz_submission_id,
        "cached_due_at": sub.cached_due_at,
        "posted_at": sub.posted_at,
        "rubric_assessment": sub.rubric_assessment.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
    })
}

/// The timing facts of a submission for its derived fields (`late`, `missing`, `seconds_late`).
pub fn timing(sub: &submission::Model) -> assay_domain::grading::submission::Timing {
    assay_domain::grading::submission::Timing {
        submitted_at: sub.submitted_at,
        due_at: sub.cached_due_at,
        late_policy_status: sub.late_policy_status.clone(),
        seconds_late_override: sub.seconds_late_override,
        excused: sub.excused,
        quiz: sub.submission_type.as_deref() == Some("online_quiz"),
    }
}

/// Whether the score is the one the late policy gave missing work. Only work never handed in has one: once
/// something is submitted (here or through a quiz attempt, which writes its own score), the flag is stale.
pub fn holds_missing_score(sub: &submission::Model) -> bool {
    sub.missing_policy_applied && sub.submitted_at.is_none() && sub.score.is_some()
}

/// Whether a grader (or a quiz attempt), not the late policy, gave the submission its score.
pub fn graded_by_grader(sub: &submission::Model) -> bool {
    sub.score.is_some() && !holds_missing_score(sub)
}
