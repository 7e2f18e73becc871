//! A grader's request for one student, checked against the assignment (shared by the single grade call and
//! Canvas's `update_grades`), and `update_grades` itself: many students of an assignment graded as a background
//! job, all or nothing.
//!
//! The job checks every entry again against the course as it is when it runs, writes nothing if any entry is
//! wrong, and commits its grades together with the job's end, so a job run again after its worker died either
//! finds itself done or does its work once. Grading is absolute and an identical grade or comment is not written
//! twice, so the same request queued twice leaves the same grades.

use std::collections::{BTreeMap, HashMap};

use assay_domain::grading::{
    self,
    rubric::{self as rubric_rules, CriterionAssessmentInput},
    submission::LATE_POLICY_STATUSES,
};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};

use super::{comments, grade::GradeChange, rules};
use crate::{
    Scope, StoreError, assignments,
    entity::{course, rubric, rubric_association},
    events::Actor,
    rubrics,
};

/// The job kind (and Progress tag) of `update_grades`.
pub const UPDATE_GRADES_JOB: &str = "submissions_update";

/// What a grader asks for one student (`submission[...]`/`comment[...]`/`rubric_assessment[...]`, or one
/// `grade_data[user_id][...]` of `update_grades`), as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GradeEntry {
    pub user_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excuse: Option<bool>,
    /// As sent: `late`, `missing`, `extended`, `none`, or empty (the dates decide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_policy_status: Option<String>,
    /// `Some(None)`: no override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_late_override: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric_assessment: Option<BTreeMap<String, CriterionAssessmentInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_comment: Option<String>,
}

impl GradeEntry {
    /// Whether it grades (anything beyond a comment).
    pub fn grades(&self) -> bool {
        self.posted_grade.is_some()
            || self.excuse.is_some()
            || self.late_policy_status.is_some()
            || self.seconds_late_override.is_some()
            || self.rubric_assessment.is_some()
    }
}

/// A problem with an entry: the field (a path below the entry, e.g. `posted_grade` or
/// `rubric_assessment/_1/points`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { field: field.into(), message: message.into() }
}

/// The comment of an entry: `None` when blank.
pub fn comment_of(entry: &GradeEntry) -> Result<Option<String>, Problem> {
    let Some(text) = entry.text_comment.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > comments::MAX_COMMENT_CHARS {
        return Err(problem("text_comment", format!("must be at most {} characters", comments::MAX_COMMENT_CHARS)));
    }
    Ok(Some(text.to_owned()))
}

/// Checks an entry against how the assignment is graded (`rules`), its rubric, and the student's current
/// lateness decision; the change it makes, or every problem.
pub fn check(
    entry: &GradeEntry,
    rules: &rules::GradingRules,
    rubric: Option<&(rubric_association::Model, rubric::Model)>,
    current_status: Option<&str>,
) -> Result<GradeChange, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut change = GradeChange::default();
    if let Some(posted) = &entry.posted_grade {
        if entry.excuse == Some(true) && !posted.trim().is_empty() {
            problems.push(problem("excuse", "send either a grade or excuse, not both"));
        }
        match grading::enter_grade(posted, rules.grading_type, rules.points_possible, rules.scheme.as_ref()) {
            Ok(entered) => change.entered = Some(entered),
            Err(err) => problems.push(problem("posted_grade", err.to_string())),
        }
    }
    change.excuse = entry.excuse;
    if let Some(raw) = &entry.late_policy_status {
        let status = raw.trim().to_ascii_lowercase();
        if status.is_empty() {
            change.late_policy_status = Some(None);
        } else if LATE_POLICY_STATUSES.contains(&status.as_str()) {
            change.late_policy_status = Some(Some(status));
        } else {
            problems.push(problem("late_policy_status", "must be late, missing, extended, none or empty"));
        }
    }
    if let Some(seconds) = entry.seconds_late_override {
        let status = match &change.late_policy_status {
            Some(s) => s.as_deref(),
            None => current_status,
        };
        if seconds.is_some_and(|s| s < 0) {
            problems.push(problem("seconds_late_override", "must be 0 or more seconds"));
        } else if seconds.is_some() && status != Some("late") {
            problems.push(problem(
                "seconds_late_override",
                "applies to submissions marked late: send late_policy_status=late with it",
            ));
        } else {
            change.seconds_late_override = Some(seconds);
        }
    }
    if let Some(inputs) = &entry.rubric_assessment {
        match rubric {
            None => problems.push(problem("rubric_assessment", "this assignment has no rubric")),
            Some((association, rubric)) => match rubric_rules::assess(&rubrics::criteria(rubric), inputs) {
                Ok(assessment) => change.rubric = Some((assessment, association.use_for_grading)),
                Err(found) => problems
                    .extend(found.into_iter().map(|p| problem(format!("rubric_assessment/{}", p.at), p.message))),
            },
        }
    }
    if problems.is_empty() { Ok(change) } else { Err(problems) }
}

/// The payload of an `update_grades` job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateGradesJob {
    pub course_id: i64,
    pub assignment_id: i64,
    pub entries: Vec<GradeEntry>,
}

/// Grades every entry of an `update_grades` job, all or nothing: `Ok(Err(problems))` (by user) writes nothing.
/// Returns how many submissions changed.
pub async fn update_grades(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course: &course::Model,
    account_ids: &[i64],
    assignment_id: i64,
    entries: Vec<GradeEntry>,
    actor: Actor,
) -> Result<Result<usize, Vec<(i64, Problem)>>, StoreError> {
    let a = match assignments::find(txn, scope, course.id, &assay_domain::IdRef::Id(assignment_id)).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            return Ok(Err(vec![(0, problem("assignment_id", "the assignment was deleted before the grades ran"))]));
        }
        Err(other) => return Err(other),
    };
    let grading = rules::for_assignment(txn, scope, course, account_ids, &a).await?;
    let rubric = rubrics::for_assignment(txn, scope, a.id).await?;
    let users: Vec<i64> = entries.iter().map(|e| e.user_id).collect();
    let assigned: HashMap<i64, assay_domain::assignment::Dates> =
        rules::assigned(txn, scope, course.id, std::slice::from_ref(&a), Some(&users))
            .await?
            .remove(&a.id)
            .unwrap_or_default()
            .into_iter()
            .collect();
    let mut problems = Vec::new();
    let mut plan = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(dates) = assigned.get(&entry.user_id) else {
            problems.push((entry.user_id, problem("", "not a student this assignment is assigned to")));
            continue;
        };
        let current = super::find(txn, scope, a.id, entry.user_id).await?;
        let status = current.as_ref().and_then(|c| c.late_policy_status.clone());
        let comment = match comment_of(&entry) {
            Ok(c) => c,
            Err(p) => {
                problems.push((entry.user_id, p));
                continue;
            }
        };
        match check(&entry, &grading, rubric.as_ref(), status.as_deref()) {
            Ok(change) => plan.push((entry.user_id, dates.due_at, change, comment)),
            Err(found) => problems.extend(found.into_iter().map(|p| (entry.user_id, p))),
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut changed = 0;
    for (user_id, due_at, change, comment) in plan {
        let before = super::find(txn, scope, a.id, user_id).await?;
        let after = super::grade::grade(txn, scope, course.id, a.id, user_id, due_at, &grading, change, actor).await?;
        if before.as_ref().is_none_or(|b| b.updated_at != after.updated_at) {
            changed += 1;
        }
        if let Some(text) = comment {
            comments::add_once(txn, scope, &after, actor.user_id, text, actor).await?;
        }
    }
    Ok(Ok(changed))
}
