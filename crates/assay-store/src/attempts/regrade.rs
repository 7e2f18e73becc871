//! Regrading a quiz after a question's answer key changed: the attempts that were given an older version of the
//! question are rescored on the new version by the teacher's policy, their totals and the students' kept scores
//! follow, and the regrade is recorded (`quiz_regrades`, event `quiz.regraded`). Attempts still in progress are
//! moved to the new version, so they are scored on the corrected key when submitted. It runs in the caller's
//! transaction: the work is bounded by the quiz's attempts.

use std::collections::BTreeSet;

use assay_domain::{
    attempt::{RegradePolicy, regraded},
    question::QuestionBody,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use serde_json::json;

use super::{
    UNTAKEN, answers, drawn, json_error, of_quiz,
    scoring::{correctness_of, rescore, sync_submission, total_of},
};
use crate::{
    Scope, StoreError,
    entity::{question_version, quiz, quiz_answer, quiz_regrade, quiz_submission},
    events::{self, Actor},
    questions,
};

/// What a regrade did.
#[derive(Debug, Clone)]
pub struct RegradeSummary {
    pub regrade: quiz_regrade::Model,
    /// Submitted attempts rescored.
    pub attempts_regraded: usize,
    /// Attempts in progress moved to the new version.
    pub attempts_moved: usize,
}

/// Rescores `quiz`'s attempts that show an older version of `question_id` on `version` (see the module
/// documentation).
pub async fn regrade_question(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    question_id: i64,
    version: &question_version::Model,
    policy: RegradePolicy,
    actor: Actor,
) -> Result<RegradeSummary, StoreError> {
    let body: QuestionBody = questions::body_of(version)?;
    let now = crate::now();
    let mut changes = Vec::new();
    let mut students = BTreeSet::new();
    let (mut regraded_count, mut moved) = (0, 0);
    for attempt in of_quiz(txn, scope, quiz.id).await? {
        let mut draw = drawn(&attempt)?;
        let Some(index) =
            draw.iter().position(|d| d.question_id == question_id && d.question_version < version.version)
        else {
            continue;
        };
        draw[index].question_version = version.version;
        let mut model: quiz_submission::ActiveModel = attempt.clone().into();
        model.draw = Set(serde_json::to_string(&draw).map_err(json_error)?);
        model.updated_at = Set(now);
        if attempt.workflow_state == UNTAKEN {
            model.update(txn).await?;
            moved += 1;
            continue;
        }
        let saved = answers(txn, attempt.id).await?;
        let existing = saved.get(&question_id);
        let previous = existing.and_then(|a| a.score).unwrap_or(0.0);
        let current = rescore(&attempt, &body, &draw[index], existing);
        let Some(after) = regraded(policy, previous, current, draw[index].points) else {
            model.update(txn).await?;
            continue;
        };
        match existing {
            Some(a) => {
                let mut answer: quiz_answer::ActiveModel = a.clone().into();
                answer.score = Set(Some(after.points));
                answer.correct = Set(correctness_of(after.outcome).map(str::to_owned));
                answer.updated_at = Set(now);
                answer.update(txn).await?;
            }
            None => {
                quiz_answer::ActiveModel {
                    root_account_id: Set(attempt.root_account_id),
                    quiz_submission_id: Set(attempt.id),
                    question_id: Set(question_id),
                    answer: Set(None),
                    seq: Set(0),
                    saved_at: Set(now),
                    flagged: Set(false),
                    score: Set(Some(after.points)),
                    correct: Set(correctness_of(after.outcome).map(str::to_owned)),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
        let rescored = answers(txn, attempt.id).await?;
        let (sum, _) = total_of(&draw, &rescored, attempt.fudge_points);
        model.score = Set(Some(sum));
        model.update(txn).await?;
        changes.push(json!({"quiz_submission_id": attempt.id, "user_id": attempt.user_id,
            "question_id": question_id, "before": previous, "after": after.points,
            "score_before": attempt.score, "score_after": sum}));
        students.insert(attempt.user_id);
        regraded_count += 1;
    }
    if regraded_count + moved > 0 {
        // Attempts now show this version: a later edit must make a new one again.
        questions::mark_delivered(txn, &[version.id]).await?;
    }
    for user in students {
        sync_submission(txn, scope, quiz.id, user, actor).await?;
    }
    let record = quiz_regrade::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        quiz_id: Set(quiz.id),
        question_id: Set(question_id),
        question_version: Set(version.version),
        policy: Set(policy.as_str().to_owned()),
        attempts_regraded: Set(i32::try_from(regraded_count).unwrap_or(i32::MAX)),
        changes: Set(serde_json::Value::Array(changes.clone()).to_string()),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz.regraded",
        quiz.id,
        actor,
        json!({"quiz_id": quiz.id, "regrade_id": record.id, "question_id": question_id,
            "question_version": version.version, "policy": policy.as_str(), "attempts_regraded": regraded_count,
            "attempts_moved": moved, "changes": changes}),
    )
    .await?;
    Ok(RegradeSummary { regrade: record, attempts_regraded: regraded_count, attempts_moved: moved })
}
