//! Appeals of posted results and grade explanations (Inspera), with their events: `appeal.registered`,
//! `appeal.withdrawn`, `appeal.resolved`, `appeal.rejected`, `explanation.created` (and `submission.graded` when a
//! resolution changes the result). The rules (states, what is appealable, text limits) are
//! `assay_domain::appeal`'s; this module keeps them true under concurrency: a transition only applies to an appeal
//! that is still open, and the unique index `ux_appeals_open` keeps one open appeal per result and question.

use assay_domain::{
    appeal::{AppealAction, AppealState},
    grading::{GradingType, grade_text},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, sea_query::Expr,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{appeal as row, assignment, grade_explanation as explanation, submission},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    submissions,
};

/// What the events say about an appeal.
pub fn payload(a: &row::Model) -> serde_json::Value {
    json!({
        "id": a.id, "course_id": a.course_id, "assignment_id": a.assignment_id, "submission_id": a.submission_id,
        "user_id": a.user_id, "quiz_submission_id": a.quiz_submission_id, "question_id": a.question_id,
        "workflow_state": a.workflow_state, "score_before": a.score_before, "score_after": a.score_after,
        "closed_by_id": a.closed_by_id,
    })
}

/// What the events say about an explanation.
pub fn explanation_payload(e: &explanation::Model) -> serde_json::Value {
    json!({
        "id": e.id, "course_id": e.course_id, "assignment_id": e.assignment_id, "submission_id": e.submission_id,
        "user_id": e.user_id, "question_id": e.question_id, "appeal_id": e.appeal_id, "author_id": e.author_id,
    })
}

/// A new appeal, checked by the caller (appealable result, reason, question of the attempt).
#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub submission: submission::Model,
    pub quiz_submission_id: Option<i64>,
    pub question_id: Option<i64>,
    pub reason: String,
}

/// An open appeal on the same result and question, if there is one.
pub async fn open_on<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    submission_id: i64,
    question_id: Option<i64>,
) -> Result<Option<row::Model>, StoreError> {
    let question = match question_id {
        Some(id) => row::Column::QuestionId.eq(id),
        None => row::Column::QuestionId.is_null(),
    };
    Ok(row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::SubmissionId.eq(submission_id))
        .filter(row::Column::WorkflowState.eq(AppealState::Open.as_str()))
        .filter(question)
        .one(conn)
        .await?)
}

/// Registers an appeal. Another open appeal on the same result and question is a `Conflict { field: "appeal" }`
/// (checked here, and by the unique index when two arrive at once).
pub async fn register(
    txn: &DatabaseTransaction,
    scope: &Scope,
    new: NewAppeal,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    if open_on(txn, scope, new.submission.id, new.question_id).await?.is_some() {
        return Err(StoreError::Conflict { field: "appeal" });
    }
    let now = crate::now();
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(new.submission.course_id),
        assignment_id: Set(new.submission.assignment_id),
        submission_id: Set(new.submission.id),
        user_id: Set(new.submission.user_id),
        quiz_submission_id: Set(new.quiz_submission_id),
        question_id: Set(new.question_id),
        workflow_state: Set(AppealState::Open.as_str().to_owned()),
        reason: Set(new.reason),
        score_before: Set(new.submission.score),
        score_after: Set(None),
        closed_by_id: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut payload = payload(&created);
    payload["reason"] = json!(created.reason);
    events::record_change(txn, scope.root_account_id(), "appeal.registered", created.id, actor, payload).await?;
    Ok(created)
}

/// One appeal of a result.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    submission_id: i64,
    id: i64,
) -> Result<row::Model, StoreError> {
    row::Entity::find_by_id(id)
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::SubmissionId.eq(submission_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Which appeals a list shows.
#[derive(Debug, Clone, Default)]
pub struct AppealFilter {
    pub course_id: Option<i64>,
    pub assignment_id: Option<i64>,
    pub submission_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `Some(users)`: only these candidates' appeals (a section-limited grader's view).
    pub user_ids: Option<Vec<i64>>,
    /// Empty: every state.
    pub states: Vec<AppealState>,
}

impl AppealFilter {
    fn condition(&self, scope: &Scope) -> Condition {
        let mut all = Condition::all().add(row::Column::RootAccountId.eq(scope.root_account_id()));
        if let Some(id) = self.course_id {
            all = all.add(row::Column::CourseId.eq(id));
        }
        if let Some(id) = self.assignment_id {
            all = all.add(row::Column::AssignmentId.eq(id));
        }
        if let Some(id) = self.submission_id {
            all = all.add(row::Column::SubmissionId.eq(id));
        }
        if let Some(id) = self.user_id {
            all = all.add(row::Column::UserId.eq(id));
        }
        if let Some(ids) = &self.user_ids {
            all = all.add(row::Column::UserId.is_in(ids.iter().copied()));
        }
        if !self.states.is_empty() {
            all = all.add(row::Column::WorkflowState.is_in(self.states.iter().map(|s| s.as_str())));
        }
        all
    }
}

/// Appeals by id (oldest first: the order graders answer them in).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &AppealFilter,
    request: &PageRequest,
) -> Result<Page<row::Model>, StoreError> {
    let select = row::Entity::find().filter(filter.condition(scope));
    let sort = [SortColumn::<row::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "appeals", &sort, request).await
}

/// How a grader closes an appeal: the new score of a resolution, and the explanation for the candidate.
#[derive(Debug, Clone)]
pub struct Answer {
    pub new_score: Option<f64>,
    pub explanation: String,
}

/// What closing an appeal wrote.
#[derive(Debug, Clone)]
pub struct Closed {
    pub appeal: row::Model,
    pub explanation: Option<explanation::Model>,
    /// The result after a resolution changed its score.
    pub submission: Option<submission::Model>,
}

/// Takes `action` on an appeal that must still be open (otherwise `Busy`: someone closed it first). A
/// resolution gives the result its new score; resolving and rejecting write the explanation.
pub async fn close(
    txn: &DatabaseTransaction,
    scope: &Scope,
    appeal: &row::Model,
    action: AppealAction,
    answer: Option<Answer>,
    actor: Actor,
) -> Result<Closed, StoreError> {
    let next = AppealState::Open.apply(action).map_err(|closed| StoreError::Busy { message: closed.to_string() })?;
    let now = crate::now();
    let changed = row::Entity::update_many()
        .col_expr(row::Column::WorkflowState, Expr::val(next.as_str()))
        .col_expr(row::Column::ClosedById, Expr::val(actor.user_id))
        .col_expr(row::Column::ClosedAt, Expr::val(now))
        .col_expr(row::Column::UpdatedAt, Expr::val(now))
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::Id.eq(appeal.id))
        .filter(row::Column::WorkflowState.eq(AppealState::Open.as_str()))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(StoreError::Busy { message: "the appeal is no longer open".into() });
    }
    let mut submission = None;
    if let (AppealAction::Resolve, Some(score)) = (action, answer.as_ref().and_then(|a| a.new_score)) {
        let regraded = regrade(txn, scope, appeal, score, actor).await?;
        let mut model = find(txn, scope, appeal.submission_id, appeal.id).await?.into_active_model();
        model.score_after = Set(regraded.score);
        model.update(txn).await?;
        submission = Some(regraded);
    }
    let explanation = match answer {
        Some(answer) => Some(
            explain(
                txn,
                scope,
                NewExplanation {
                    course_id: appeal.course_id,
                    assignment_id: appeal.assignment_id,
                    submission_id: appeal.submission_id,
                    user_id: appeal.user_id,
                    question_id: appeal.question_id,
                    appeal_id: Some(appeal.id),
                    body: answer.explanation,
                },
                actor,
            )
            .await?,
        ),
        None => None,
    };
    let closed = find(txn, scope, appeal.submission_id, appeal.id).await?;
    events::record_change(txn, scope.root_account_id(), action.event(), closed.id, actor, payload(&closed)).await?;
    Ok(Closed { appeal: closed, explanation, submission })
}

/// Gives an appealed result the new score a grader awarded: the entered score, less any late deduction already on
/// the result (never below 0), with its grade text in the assignment's grading type; records the version and a
/// `submission.graded` event naming the appeal.
async fn regrade(
    txn: &DatabaseTransaction,
    scope: &Scope,
    appeal: &row::Model,
    entered: f64,
    actor: Actor,
) -> Result<submission::Model, StoreError> {
    let current = submission::Entity::find_by_id(appeal.submission_id)
        .filter(submission::Column::RootAccountId.eq(scope.root_account_id()))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let assignment = assignment::Entity::find_by_id(current.assignment_id)
        .filter(assignment::Column::RootAccountId.eq(scope.root_account_id()))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let grading_type = GradingType::parse(&assignment.grading_type).unwrap_or(GradingType::Points);
    let points_possible = assignment.points_possible.unwrap_or(0.0);
    let score = (entered - current.points_deducted.unwrap_or(0.0)).max(0.0);
    let now = crate::now();
    let mut model = current.into_active_model();
    model.entered_score = Set(Some(entered));
    model.entered_grade = Set(grade_text(grading_type, entered, points_possible, None));
    model.score = Set(Some(score));
    model.grade = Set(grade_text(grading_type, score, points_possible, None));
    model.workflow_state = Set(submissions::GRADED.to_owned());
    model.grade_matches_current_submission = Set(true);
    model.grader_id = Set(actor.user_id);
    model.graded_at = Set(Some(now));
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    submissions::record_version(txn, &updated).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "submission.graded",
        updated.id,
        actor,
        json!({"submission": submissions::snapshot(&updated), "appeal_id": appeal.id}),
    )
    .await?;
    Ok(updated)
}

/// A new explanation of a result.
#[derive(Debug, Clone)]
pub struct NewExplanation {
    pub course_id: i64,
    pub assignment_id: i64,
    pub submission_id: i64,
    pub user_id: i64,
    pub question_id: Option<i64>,
    pub appeal_id: Option<i64>,
    pub body: String,
}

/// Writes an explanation and its `explanation.created` event.
pub async fn explain(
    txn: &DatabaseTransaction,
    scope: &Scope,
    new: NewExplanation,
    actor: Actor,
) -> Result<explanation::Model, StoreError> {
    let created = explanation::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(new.course_id),
        assignment_id: Set(new.assignment_id),
        submission_id: Set(new.submission_id),
        user_id: Set(new.user_id),
        question_id: Set(new.question_id),
        appeal_id: Set(new.appeal_id),
        author_id: Set(actor.user_id),
        body: Set(new.body),
        created_at: Set(crate::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "explanation.created",
        created.id,
        actor,
        explanation_payload(&created),
    )
    .await?;
    Ok(created)
}

/// One explanation of a result.
pub async fn find_explanation<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    submission_id: i64,
    id: i64,
) -> Result<explanation::Model, StoreError> {
    explanation::Entity::find_by_id(id)
        .filter(explanation::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(explanation::Column::SubmissionId.eq(submission_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Which explanations a list shows.
#[derive(Debug, Clone, Default)]
pub struct ExplanationFilter {
    pub course_id: Option<i64>,
    pub assignment_id: Option<i64>,
    pub submission_id: Option<i64>,
    /// `Some(users)`: only these candidates' explanations (a section-limited grader's view).
    pub user_ids: Option<Vec<i64>>,
}

/// Explanations by id (in the order they were written).
pub async fn explanations<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    filter: &ExplanationFilter,
    request: &PageRequest,
) -> Result<Page<explanation::Model>, StoreError> {
    let mut select = explanation::Entity::find().filter(explanation::Column::RootAccountId.eq(scope.root_account_id()));
    if let Some(id) = filter.course_id {
        select = select.filter(explanation::Column::CourseId.eq(id));
    }
    if let Some(id) = filter.assignment_id {
        select = select.filter(explanation::Column::AssignmentId.eq(id));
    }
    if let Some(id) = filter.submission_id {
        select = select.filter(explanation::Column::SubmissionId.eq(id));
    }
    if let Some(ids) = &filter.user_ids {
        select = select.filter(explanation::Column::UserId.is_in(ids.iter().copied()));
    }
    let sort = [SortColumn::<explanation::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "grade_explanations", &sort, request).await
}

/// The explanations that answered these appeals, by appeal id.
pub async fn answers_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    appeal_ids: &[i64],
) -> Result<std::collections::HashMap<i64, explanation::Model>, StoreError> {
    if appeal_ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(explanation::Entity::find()
        .filter(explanation::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(explanation::Column::AppealId.is_in(appeal_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| e.appeal_id.map(|id| (id, e)))
        .collect())
}

/// The appeals with these ids, by id.
pub async fn by_ids<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, row::Model>, StoreError> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for a in row::Entity::find()
            .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(row::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            found.insert(a.id, a);
        }
    }
    Ok(found)
}
