//! Grading a submission (Canvas `PUT …/submissions/:user_id`): a grade as the grader entered it, an excuse, a
//! decision about lateness (`late_policy_status`, `seconds_late_override`) or a rubric assessment. The score kept
//! is the entered score less the late policy's deduction; every grading is a version and a `submission.graded`
//! event, and with automatic posting the grade is posted as it is given.

use assay_domain::grading::{
    self, EnteredGrade,
    rubric::Assessment,
    submission::{GRADED, Timing, ungraded_state},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use serde_json::json;

use super::{posting, record_version, rules::GradingRules};
use crate::{
    Scope, StoreError,
    entity::submission,
    events::{self, Actor},
};

type Time = chrono::DateTime<chrono::Utc>;

/// What a grader changes; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct GradeChange {
    /// `Some(None)` clears the grade.
    pub entered: Option<Option<EnteredGrade>>,
    pub excuse: Option<bool>,
    /// `Some(None)` leaves lateness to the dates again.
    pub late_policy_status: Option<Option<String>>,
    pub seconds_late_override: Option<Option<i64>>,
    /// The assessment and whether it sets the score (the rubric is used for grading).
    pub rubric: Option<(Assessment, bool)>,
}

impl GradeChange {
    pub fn is_empty(&self) -> bool {
        self.entered.is_none()
            && self.excuse.is_none()
            && self.late_policy_status.is_none()
            && self.seconds_late_override.is_none()
            && self.rubric.is_none()
    }
}

/// The grade fields of a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeFields {
    pub entered_score: Option<f64>,
    pub entered_grade: Option<String>,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub points_deducted: Option<f64>,
}

/// The score and grade kept for what was entered, given how late the submission is.
pub fn settle(entered: Option<&EnteredGrade>, timing: &Timing, rules: &GradingRules, now: Time) -> GradeFields {
    let Some(entered) = entered else {
        return GradeFields {
            entered_score: None,
            entered_grade: None,
            score: None,
            grade: None,
            points_deducted: None,
        };
    };
    let deducted = match &rules.late_policy {
        Some(policy) if timing.late(now) => {
            policy.points_deducted(entered.score, rules.points_possible, timing.seconds_late(now), rules.grading_type)
        }
        _ => 0.0,
    };
    let (score, grade) =
        grading::after_deduction(entered, deducted, rules.grading_type, rules.points_possible, rules.scheme.as_ref());
    GradeFields {
        entered_score: Some(entered.score),
        entered_grade: Some(entered.grade.clone()),
        score: Some(score),
        grade: Some(grade),
        points_deducted: (deducted > 0.0).then_some(deducted),
    }
}

/// The grade a submission's stored entered score stands for.
pub fn entered_of(sub: &submission::Model) -> Option<EnteredGrade> {
    Some(EnteredGrade { score: sub.entered_score?, grade: sub.entered_grade.clone().unwrap_or_default() })
}

/// The score the late policy gives a missing submission, as an entered grade.
pub fn missing_grade(rules: &GradingRules) -> Option<EnteredGrade> {
    let score = rules.late_policy.as_ref()?.missing_score(rules.points_possible, rules.grading_type)?;
    let grade = grading::grade_text(rules.grading_type, score, rules.points_possible, rules.scheme.as_ref())
        .unwrap_or_else(|| grading::format_points(score));
    Some(EnteredGrade { score, grade })
}

/// What an event says about a grade.
pub fn payload(sub: &submission::Model) -> serde_json::Value {
    json!({
        "id": sub.id, "assignment_id": sub.assignment_id, "user_id": sub.user_id, "course_id": sub.course_id,
        "attempt": sub.attempt, "score": sub.score, "grade": sub.grade, "entered_score": sub.entered_score,
        "points_deducted": sub.points_deducted, "excused": sub.excused, "late_policy_status": sub.late_policy_status,
        "grader_id": sub.grader_id, "workflow_state": sub.workflow_state, "posted_at": sub.posted_at,
    })
}

/// Writes new grade fields (and the state they imply) onto a submission and records it: a version, a
/// `submission.graded` event, and `result.posted` when automatic posting posts it now.
pub(crate) async fn save_grade(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &submission::Model,
    mut model: submission::ActiveModel,
    rules: &GradingRules,
    actor: Actor,
    reason: &str,
) -> Result<submission::Model, StoreError> {
    let now = crate::now();
    let has_grade = model.score.clone().unwrap().is_some() || model.excused.clone().unwrap();
    model.workflow_state = Set(if has_grade {
        GRADED.to_owned()
    } else {
        let pending = current.workflow_state == super::PENDING_REVIEW;
        ungraded_state(current.submitted_at.is_some(), pending).to_owned()
    });
    model.graded_at = Set(has_grade.then_some(now));
    let posted_at = if has_grade {
        posting::posted_at_after_grading(rules.post_manually, current.posted_at, now)
    } else {
        current.posted_at
    };
    model.posted_at = Set(posted_at);
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    record_version(txn, &updated).await?;
    let mut details = payload(&updated);
    details["reason"] = json!(reason);
    events::record_change(txn, scope.root_account_id(), "submission.graded", updated.id, actor, details).await?;
    if current.posted_at.is_none() && updated.posted_at.is_some() {
        posting::record_posted(txn, scope, &updated, actor).await?;
    }
    Ok(updated)
}

/// Applies a grader's change to the submission of `user_id` (made if it does not exist yet, with `due_at` as
/// its due date). The change was checked against the assignment already (the posted grade parsed, the
/// assessment against the rubric).
#[allow(clippy::too_many_arguments)]
pub async fn grade(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    assignment_id: i64,
    user_id: i64,
    due_at: Option<Time>,
    rules: &GradingRules,
    change: GradeChange,
    actor: Actor,
) -> Result<submission::Model, StoreError> {
    let current = super::find_or_create(txn, scope, course_id, assignment_id, user_id).await?;
    if change.is_empty() {
        return Ok(current);
    }
    let now = crate::now();
    let mut model: submission::ActiveModel = current.clone().into();
    model.cached_due_at = Set(due_at);
    let mut timing = super::timing(&current);
    timing.due_at = due_at;
    if let Some(status) = &change.late_policy_status {
        timing.late_policy_status = status.clone();
        model.late_policy_status = Set(status.clone());
    }
    if let Some(seconds) = change.seconds_late_override {
        timing.seconds_late_override = seconds;
        model.seconds_late_override = Set(seconds);
    }
    if let Some((assessment, _)) = &change.rubric {
        let stored = json!({"data": assessment.criteria, "score": assessment.score, "assessor_id": actor.user_id, "assessed_at": now});
        model.rubric_assessment = Set(Some(stored.to_string()));
    }
    // What the grader entered now, else (a rubric used for grading) the rubric's total, else what was entered
    // before. A score the late policy gave a missing submission is not the grader's: it goes unless the
    // submission is still missing.
    let rubric_entered = change.rubric.as_ref().filter(|(_, for_grading)| *for_grading).map(|(a, _)| {
        let grade = grading::grade_text(rules.grading_type, a.score, rules.points_possible, rules.scheme.as_ref())
            .unwrap_or_else(|| grading::format_points(a.score));
        EnteredGrade { score: a.score, grade }
    });
    let graded_now = change.entered.is_some() || rubric_entered.is_some();
    let mut entered = match (&change.entered, rubric_entered) {
        (Some(given), _) => given.clone(),
        (None, Some(from_rubric)) => Some(from_rubric),
        (None, None) if super::holds_missing_score(&current) => None,
        (None, None) => entered_of(&current),
    };
    let mut excused = change.excuse.unwrap_or(current.excused);
    if graded_now && entered.is_some() {
        // A grade un-excuses, as Canvas does.
        excused = false;
    }
    timing.excused = excused;
    let mut policy_applied = false;
    if excused {
        entered = None;
    } else if entered.is_none() && !graded_now && timing.missing(now, rules.expects_submission, false) {
        entered = missing_grade(rules);
        policy_applied = entered.is_some();
    }
    let fields = settle(entered.as_ref(), &timing, rules, now);
    model.excused = Set(excused);
    model.entered_score = Set(fields.entered_score);
    model.entered_grade = Set(fields.entered_grade);
    model.score = Set(fields.score);
    model.grade = Set(fields.grade);
    model.points_deducted = Set(fields.points_deducted);
    model.missing_policy_applied = Set(policy_applied);
    model.grader_id = Set(if policy_applied { None } else { actor.user_id });
    model.grade_matches_current_submission = Set(true);
    if !changes_grade(&current, &model) {
        // The same grading again (a retried request, a rerun job): nothing to record.
        if current.cached_due_at != due_at {
            let mut due: submission::ActiveModel = current.clone().into();
            due.cached_due_at = Set(due_at);
            return Ok(due.update(txn).await?);
        }
        return Ok(current);
    }
    save_grade(txn, scope, &current, model, rules, actor, "grader").await
}

/// The assessment a stored rubric assessment holds, without who gave it when.
fn assessed(stored: Option<&str>) -> Option<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(stored?).ok()?;
    Some(json!({"data": value["data"], "score": value["score"]}))
}

/// The value a field of an active model holds (every field of a model made from a row holds one).
fn after<T: Into<sea_orm::Value> + Clone>(v: &sea_orm::ActiveValue<T>) -> T {
    v.clone().unwrap()
}

/// Whether `model` grades `current` differently (a grade, an excuse, a lateness decision, an assessment).
fn changes_grade(current: &submission::Model, model: &submission::ActiveModel) -> bool {
    let score: Option<f64> = after(&model.score);
    let entered: Option<f64> = after(&model.entered_score);
    let deducted: Option<f64> = after(&model.points_deducted);
    let grade: Option<String> = after(&model.grade);
    let entered_grade: Option<String> = after(&model.entered_grade);
    let excused: bool = after(&model.excused);
    let status: Option<String> = after(&model.late_policy_status);
    let seconds: Option<i64> = after(&model.seconds_late_override);
    let rubric: Option<String> = after(&model.rubric_assessment);
    let applied: bool = after(&model.missing_policy_applied);
    score != current.score
        || entered != current.entered_score
        || deducted != current.points_deducted
        || grade != current.grade
        || entered_grade != current.entered_grade
        || excused != current.excused
        || status != current.late_policy_status
        || seconds != current.seconds_late_override
        || applied != current.missing_policy_applied
        || assessed(rubric.as_deref()) != assessed(current.rubric_assessment.as_deref())
        || (current.graded_at.is_none() && (score.is_some() || excused))
}
