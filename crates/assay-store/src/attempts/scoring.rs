//! Submitting an attempt and what its score does: auto-scoring with the domain rules on the frozen question
//! versions, manual grading of what needs a person, and the kept score (by the quiz's scoring policy) written into
//! the quiz's assignment submission.

use std::collections::HashMap;

use assay_domain::{
    attempt::{ScoringPolicy, kept_score},
    grading::{EnteredGrade, format_points, grade_text, submission::Timing},
    id_ref::IdRef,
    question::{Outcome, Score, formula::round_to, score},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    sea_query::OnConflict,
};
use serde_json::json;

use super::{COMPLETE, PENDING_REVIEW, UNTAKEN, answers, as_drawn, drawn, find, of_user, payload, response_of};
use crate::{
    Scope, StoreError, courses,
    entity::{assignment, quiz, quiz_answer, quiz_submission, submission},
    events::{self, Actor},
    submissions,
};

/// How an attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The candidate submitted it.
    Submitted,
    /// Its deadline passed: the server submitted what was saved.
    Overdue,
}

/// `correct` column value of an outcome; `None` for answers that wait for a person.
fn correctness(outcome: Outcome) -> Option<&'static str> {
    match outcome {
        Outcome::Correct => Some("correct"),
        Outcome::Partial => Some("partial"),
        Outcome::Incorrect | Outcome::Unanswered | Outcome::NotScored => Some("incorrect"),
        Outcome::NeedsGrading => None,
    }
}

/// Sums an attempt's answer scores: the total, and whether an answer still waits for a grader.
fn total(
    draw: &[assay_domain::attempt::DrawnQuestion],
    answers: &HashMap<i64, quiz_answer::Model>,
    fudge: f64,
) -> (f64, bool) {
    let mut sum = 0.0;
    let mut waiting = false;
    for d in draw {
        if let Some(a) = answers.get(&d.question_id) {
            match a.score {
                Some(points) => sum += points,
                None => waiting |= a.correct.is_none() && a.answer.is_some(),
            }
        }
    }
    (round_to(sum + fudge, 6), waiting)
}

/// Submits an attempt in progress: scores every answer on the attempt's frozen question versions, sets the
/// attempt `complete` (or `pending_review` when an essay or upload waits for a grader), and writes the kept score
/// into the quiz's submission. An attempt already submitted is returned unchanged.
pub async fn finish(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
    how: Finish,
    actor: Actor,
) -> Result<quiz_submission::Model, StoreError> {
    let now = crate::now();
    // Holding the row first: answers saved concurrently either land before this scoring or are refused.
    let Some(current) = super::hold_in_progress(txn, scope, attempt_id, now).await? else {
        // Submitted already (it is returned as it is), or not the school's (not found).
        return find(txn, scope, attempt_id).await;
    };
    let draw = drawn(&current)?;
    let versions = super::versions(txn, &draw).await?;
    let saved = answers(txn, current.id).await?;
    for d in &draw {
        let Some(version) = versions.get(&d.question_id) else { continue };
        let body = &version.1;
        let existing = saved.get(&d.question_id);
        let response = existing.and_then(response_of);
        let body = as_drawn(body, d);
        let result = score(&body, response.as_ref(), &super::variables(&current, &body, d.question_id));
        let manual = result.outcome == Outcome::NeedsGrading;
        let row = quiz_answer::ActiveModel {
            root_account_id: Set(current.root_account_id),
            quiz_submission_id: Set(current.id),
            question_id: Set(d.question_id),
            answer: Set(existing.and_then(|a| a.answer.clone())),
            seq: Set(existing.map_or(0, |a| a.seq)),
            saved_at: Set(existing.map_or(now, |a| a.saved_at)),
            flagged: Set(existing.is_some_and(|a| a.flagged)),
            score: Set((!manual).then_some(result.points)),
            correct: Set(correctness(result.outcome).map(str::to_owned)),
            updated_at: Set(now),
            ..Default::default()
        };
        let mut on_conflict =
            OnConflict::columns([quiz_answer::Column::QuizSubmissionId, quiz_answer::Column::QuestionId]);
        on_conflict.update_columns([
            quiz_answer::Column::Score,
            quiz_answer::Column::Correct,
            quiz_answer::Column::UpdatedAt,
        ]);
        quiz_answer::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(txn).await?;
    }
    let scored = answers(txn, current.id).await?;
    let (sum, waiting) = total(&draw, &scored, current.fudge_points);
    let overdue = how == Finish::Overdue;
    let finished_at = match (overdue, current.end_at) {
        // The candidate did nothing after the deadline: the attempt ended then.
        (true, Some(end)) if end < now => end,
        _ => now,
    };
    let mut model: quiz_submission::ActiveModel = current.clone().into();
    model.workflow_state = Set(if waiting { PENDING_REVIEW } else { COMPLETE }.to_owned());
    model.score = Set(Some(sum));
    model.finished_at = Set(Some(finished_at));
    model.overdue = Set(overdue);
    model.updated_at = Set(now);
    let finished = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "attempt.submitted", finished.id, actor, payload(&finished))
        .await?;
    sync_submission(txn, scope, finished.quiz_id, finished.user_id, actor).await?;
    Ok(finished)
}

/// A grader's change to one answer: its points and/or comment.
#[derive(Debug, Clone, Default)]
pub struct GradeChange {
    pub question_id: i64,
    pub score: Option<f64>,
    pub comment: Option<String>,
}

/// Grades a submitted attempt by hand (per-question points and comments, and `fudge_points` added to the total),
/// then brings its state (`complete` once nothing waits for a grader) and the quiz's submission up to date.
pub async fn grade(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
    changes: &[GradeChange],
    fudge_points: Option<f64>,
    actor: Actor,
) -> Result<quiz_submission::Model, StoreError> {
    let current = find(txn, scope, attempt_id).await?;
    let now = crate::now();
    let draw = drawn(&current)?;
    let full: HashMap<i64, f64> = draw.iter().map(|d| (d.question_id, d.points)).collect();
    // Points worth the question in full are correct, some points partial, none incorrect.
    let judged = |question_id: i64, points: f64| -> String {
        let possible = full.get(&question_id).copied().unwrap_or(0.0);
        let outcome = if possible > 0.0 && points >= possible - 1e-9 {
            "correct"
        } else if points > 0.0 {
            "partial"
        } else {
            "incorrect"
        };
        outcome.to_owned()
    };
    let saved = answers(txn, current.id).await?;
    for change in changes {
        match saved.get(&change.question_id) {
            Some(existing) => {
                let mut model: quiz_answer::ActiveModel = existing.clone().into();
                if let Some(points) = change.score {
                    model.score = Set(Some(points));
                    model.correct = Set(Some(judged(change.question_id, points)));
                }
                if let Some(comment) = &change.comment {
                    model.comment = Set(Some(comment.clone()));
                }
                model.graded_by = Set(actor.user_id);
                model.updated_at = Set(now);
                model.update(txn).await?;
            }
            None => {
                quiz_answer::ActiveModel {
                    root_account_id: Set(current.root_account_id),
                    quiz_submission_id: Set(current.id),
                    question_id: Set(change.question_id),
                    answer: Set(None),
                    seq: Set(0),
                    saved_at: Set(now),
                    flagged: Set(false),
                    score: Set(change.score),
                    correct: Set(change.score.map(|p| judged(change.question_id, p))),
                    comment: Set(change.comment.clone()),
                    graded_by: Set(actor.user_id),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    let fudge = fudge_points.unwrap_or(current.fudge_points);
    let graded = answers(txn, current.id).await?;
    let (sum, waiting) = total(&draw, &graded, fudge);
    let mut model: quiz_submission::ActiveModel = current.clone().into();
    model.fudge_points = Set(fudge);
    if current.workflow_state != UNTAKEN {
        model.score = Set(Some(sum));
        model.workflow_state = Set(if waiting { PENDING_REVIEW } else { COMPLETE }.to_owned());
    }
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "attempt",
        updated.id,
        actor,
        payload(&current),
        payload(&updated),
    )
    .await?;
    if updated.workflow_state != UNTAKEN {
        sync_submission(txn, scope, updated.quiz_id, updated.user_id, actor).await?;
    }
    Ok(updated)
}

/// Writes a student's kept score on a quiz (by its scoring policy, over the submitted attempts) into the quiz's
/// assignment submission: score and grade, `graded` (or `pending_review` while the kept attempt waits for a
/// grader), `online_quiz`, the attempt it comes from; a history version and `submission.graded` when it changed.
/// Ungraded quizzes (no assignment) have no submission: `Ok(None)`.
pub async fn sync_submission(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz_id: i64,
    user_id: i64,
    actor: Actor,
) -> Result<Option<submission::Model>, StoreError> {
    let Some(quiz) = quiz::Entity::find_by_id(quiz_id)
        .filter(quiz::Column::RootAccountId.eq(scope.root_account_id()))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(assignment_id) = quiz.assignment_id else { return Ok(None) };
    let Some(assignment) = assignment::Entity::find_by_id(assignment_id)
        .filter(assignment::Column::RootAccountId.eq(scope.root_account_id()))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let finished: Vec<quiz_submission::Model> = of_user(txn, scope, quiz_id, user_id)
        .await?
        .into_iter()
        .filter(|a| a.workflow_state != UNTAKEN && a.score.is_some())
        .collect();
    let Some(latest) = finished.last() else { return Ok(None) };
    let policy = ScoringPolicy::parse(&quiz.scoring_policy);
    let scores: Vec<f64> = finished.iter().filter_map(|a| a.score).collect();
    let kept = kept_score(policy, &scores);
    // The attempt the kept score stands for: the best one, or the latest (average: the latest).
    let source = match policy {
        ScoringPolicy::KeepHighest => finished
            .iter()
            .rev()
            .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
            .unwrap_or(latest),
        ScoringPolicy::KeepLatest | ScoringPolicy::KeepAverage => latest,
    };
    let waiting = match policy {
        ScoringPolicy::KeepAverage => finished.iter().any(|a| a.workflow_state == PENDING_REVIEW),
        _ => source.workflow_state == PENDING_REVIEW,
    };
    let current = submissions::find_or_create(txn, scope, quiz.course_id, assignment_id, user_id).await?;
    // The quiz's grade is given as a grader's would be: the assignment's (or course's) grading scheme for its
    // letter, the course's late policy for a late attempt, its post policy for when the student sees it.
    let course = courses::find(txn, scope, &IdRef::Id(quiz.course_id), true).await?;
    let mut rules =
        submissions::rules::for_assignment(txn, scope, &course.course, &course.account_path.ids(), &assignment).await?;
    if assignment.points_possible.is_none() {
        rules.points_possible = latest.points_possible;
    }
    let due_at =
        submissions::rules::assigned(txn, scope, quiz.course_id, std::slice::from_ref(&assignment), Some(&[user_id]))
            .await?
            .remove(&assignment_id)
            .and_then(|students| students.into_iter().find(|(id, _)| *id == user_id))
            .map_or(current.cached_due_at, |(_, dates)| dates.due_at);
    let timing = Timing { submitted_at: latest.finished_at, due_at, quiz: true, ..submissions::timing(&current) };
    let entered = kept.map(|score| EnteredGrade {
        score,
        grade: grade_text(rules.grading_type, score, rules.points_possible, rules.scheme.as_ref())
            .unwrap_or_else(|| format_points(score)),
    });
    let now = crate::now();
    let fields = submissions::grade::settle(entered.as_ref(), &timing, &rules, now);
    let state = if waiting { submissions::PENDING_REVIEW } else { submissions::GRADED };
    let unchanged = current.score == fields.score
        && current.grade == fields.grade
        && current.points_deducted == fields.points_deducted
        && current.cached_due_at == due_at
        && current.workflow_state == state
        && current.attempt == latest.attempt
        && current.quiz_submission_id == Some(source.id);
    if unchanged {
        return Ok(Some(current));
    }
    let mut model: submission::ActiveModel = current.clone().into();
    model.attempt = Set(latest.attempt);
    model.workflow_state = Set(state.to_owned());
    model.submission_type = Set(Some("online_quiz".to_owned()));
    model.submitted_at = Set(latest.finished_at);
    model.cached_due_at = Set(due_at);
    model.score = Set(fields.score);
    model.entered_score = Set(fields.entered_score);
    model.grade = Set(fields.grade);
    model.entered_grade = Set(fields.entered_grade);
    model.points_deducted = Set(fields.points_deducted);
    model.missing_policy_applied = Set(false);
    model.graded_at = Set(Some(now));
    model.grader_id = Set(actor.user_id);
    model.grade_matches_current_submission = Set(true);
    model.quiz_submission_id = Set(Some(source.id));
    model.posted_at = Set(submissions::posting::posted_at_after_grading(rules.post_manually, current.posted_at, now));
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    submissions::record_version(txn, &updated).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "submission.graded",
        updated.id,
        actor,
        json!({"submission": submissions::snapshot(&updated), "quiz_id": quiz.id,
            "scoring_policy": policy.as_str(), "kept_score": kept}),
    )
    .await?;
    if current.posted_at.is_none() && updated.posted_at.is_some() {
        submissions::posting::record_posted(txn, scope, &updated, actor).await?;
    }
    Ok(Some(updated))
}

/// The score, as the domain rules give it, of a response on an attempt's question (for regrades).
pub(super) fn rescore(
    attempt: &quiz_submission::Model,
    body: &assay_domain::question::QuestionBody,
    drawn: &assay_domain::attempt::DrawnQuestion,
    answer: Option<&quiz_answer::Model>,
) -> Score {
    let body = as_drawn(body, drawn);
    let response = answer.and_then(response_of);
    score(&body, response.as_ref(), &super::variables(attempt, &body, drawn.question_id))
}

pub(super) fn correctness_of(outcome: Outcome) -> Option<&'static str> {
    correctness(outcome)
}

pub(super) fn total_of(
    draw: &[assay_domain::attempt::DrawnQuestion],
    answers: &HashMap<i64, quiz_answer::Model>,
    fudge: f64,
) -> (f64, bool) {
    total(draw, answers, fudge)
}
