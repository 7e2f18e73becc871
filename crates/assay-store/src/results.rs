//! The read side of quiz results, in bulk: the attempts of many candidates, their answers, the questions the
//! attempts showed at the versions they showed, and the candidates' results. Statistics and per-candidate results
//! read here; attempts are written by delivery (`crate::attempts`, whose draw and response formats this reads).

use std::collections::HashMap;

use assay_domain::{attempt::DrawnQuestion, question::QuestionBody};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    Scope, StoreError, attempts,
    entity::{question, question_version, quiz_answer, quiz_submission},
    questions,
};

/// Ids sent in one `IN (…)` list.
const CHUNK: usize = 500;

/// The questions an attempt showed, in its order (empty if its draw cannot be read).
pub fn draw_of(attempt: &quiz_submission::Model) -> Vec<DrawnQuestion> {
    let mut drawn = attempts::drawn(attempt).unwrap_or_default();
    drawn.sort_by_key(|d| d.position);
    drawn
}

/// The attempts of a quiz in the given states (all states when empty), by user then attempt number; only those
/// of `user_ids` when given.
pub async fn attempts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    states: &[&str],
    user_ids: Option<&[i64]>,
) -> Result<Vec<quiz_submission::Model>, StoreError> {
    let base = quiz_submission::Entity::find()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz_id))
        .order_by_asc(quiz_submission::Column::UserId)
        .order_by_asc(quiz_submission::Column::Attempt);
    let base = if states.is_empty() {
        base
    } else {
        base.filter(quiz_submission::Column::WorkflowState.is_in(states.iter().copied()))
    };
    let Some(user_ids) = user_ids else { return Ok(base.all(conn).await?) };
    let mut found = Vec::new();
    for chunk in user_ids.chunks(CHUNK) {
        found
            .extend(base.clone().filter(quiz_submission::Column::UserId.is_in(chunk.iter().copied())).all(conn).await?);
    }
    found.sort_by_key(|a| (a.user_id, a.attempt));
    Ok(found)
}

/// The users with an attempt at a quiz, by id.
pub async fn candidates<C: ConnectionTrait>(conn: &C, scope: &Scope, quiz_id: i64) -> Result<Vec<i64>, StoreError> {
    let mut ids: Vec<i64> = quiz_submission::Entity::find()
        .select_only()
        .column(quiz_submission::Column::UserId)
        .distinct()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz_id))
        .into_tuple()
        .all(conn)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// The answers of these attempts, by attempt id.
pub async fn answers<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    attempt_ids: &[i64],
) -> Result<HashMap<i64, Vec<quiz_answer::Model>>, StoreError> {
    let mut by_attempt: HashMap<i64, Vec<quiz_answer::Model>> = HashMap::new();
    for chunk in attempt_ids.chunks(CHUNK) {
        for answer in quiz_answer::Entity::find()
            .filter(quiz_answer::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(quiz_answer::Column::QuizSubmissionId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            by_attempt.entry(answer.quiz_submission_id).or_default().push(answer);
        }
    }
    Ok(by_attempt)
}

/// A question as an attempt showed it: the question row and the version drawn.
#[derive(Debug, Clone)]
pub struct ShownQuestion {
    pub question: question::Model,
    pub version: i32,
    pub body: QuestionBody,
}

/// The questions (of the school) at the versions the draws name, by (question id, version). A version that
/// cannot be read is left out.
pub async fn shown_questions<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    drawn: &[(i64, i32)],
) -> Result<HashMap<(i64, i32), ShownQuestion>, StoreError> {
    let mut ids: Vec<i64> = drawn.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut rows: HashMap<i64, question::Model> = HashMap::new();
    let mut versions = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for q in question::Entity::find()
            .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(question::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            rows.insert(q.id, q);
        }
        versions.extend(
            question_version::Entity::find()
                .filter(question_version::Column::QuestionId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    let wanted: std::collections::HashSet<(i64, i32)> = drawn.iter().copied().collect();
    let mut shown = HashMap::new();
    for v in versions {
        let key = (v.question_id, v.version);
        if !wanted.contains(&key) {
            continue;
        }
        let (Some(question), Ok(body)) = (rows.get(&v.question_id), questions::body_of(&v)) else { continue };
        shown.insert(key, ShownQuestion { question: question.clone(), version: v.version, body });
    }
    Ok(shown)
}

/// The users of the school with these ids (deleted ones too: results outlive accounts), by id.
pub async fn users_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<HashMap<i64, crate::entity::user::Model>, StoreError> {
    use crate::entity::user;
    let mut found = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for u in user::Entity::find()
            .filter(user::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            found.insert(u.id, u);
        }
    }
    Ok(found)
}

/// The submissions of these users on an assignment, by user id.
pub async fn submissions_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    assignment_id: i64,
    user_ids: &[i64],
) -> Result<HashMap<i64, crate::entity::submission::Model>, StoreError> {
    use crate::entity::submission;
    let mut found = HashMap::new();
    for chunk in user_ids.chunks(CHUNK) {
        for s in submission::Entity::find()
            .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(submission::Column::AssignmentId.eq(assignment_id))
            .filter(submission::Column::UserId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            found.insert(s.user_id, s);
        }
    }
    Ok(found)
}
