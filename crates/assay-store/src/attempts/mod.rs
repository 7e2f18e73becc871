//! Quiz attempts (`quiz_submissions`) and their answers (`quiz_answers`): starting an attempt (its draw and its
//! deadline frozen), saving answers in client sequence order, flags, submitting and scoring (`scoring`),
//! manual grading, regrades (`regrade`) and the sweep that submits attempts whose deadline passed (`sweep`).
//!
//! - Starting is idempotent: an attempt of (quiz, user) in progress is returned as it is. Two concurrent starts
//!   both try to insert attempt N; the unique index on (quiz_id, user_id, attempt) lets one in, and the other
//!   (`ON CONFLICT DO NOTHING`) returns the row the winner wrote.
//! - An answer save is one upsert: it replaces the stored answer only when its `seq` is higher than the stored
//!   one, so a stale retry never overwrites a newer answer. A save without a client `seq` takes the next one
//!   (arrival order). The save is committed before the caller acknowledges it.
//! - Nothing is accepted into an attempt that is no longer in progress or whose deadline passed; such an attempt
//!   is submitted on the spot (as the sweep would).

mod extend;
mod regrade;
mod scoring;
mod sweep;

use std::{collections::HashMap, sync::Arc};

use assay_domain::{
    attempt::{self, Candidate, DrawSettings, DrawnQuestion, Slot},
    question::{QuestionBody, Response},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Alias, Expr, ExprTrait, OnConflict},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, Store, StoreError,
    delivered_versions::Version,
    entity::{question_version, quiz, quiz_answer, quiz_submission},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    questions, quizzes, submissions,
};

pub use extend::extend_in_progress;
pub use regrade::{RegradeSummary, regrade_question};
pub use scoring::{Finish, GradeChange, finish, grade, sync_submission};
pub use sweep::{overdue, submit_overdue};

/// In progress (Canvas's name).
pub const UNTAKEN: &str = "untaken";
/// Submitted; some answers wait for a grader.
pub const PENDING_REVIEW: &str = "pending_review";
/// Submitted and fully scored.
pub const COMPLETE: &str = "complete";

type Time = chrono::DateTime<chrono::Utc>;

fn json_error(err: impl std::fmt::Display) -> StoreError {
    StoreError::Database(DbErr::Json(err.to_string()))
}

/// The questions an attempt shows, as frozen when it started.
pub fn drawn(a: &quiz_submission::Model) -> Result<Vec<DrawnQuestion>, StoreError> {
    serde_json::from_str(&a.draw).map_err(json_error)
}

/// A stored answer's response (`None`: cleared, never answered, or unreadable).
pub fn response_of(answer: &quiz_answer::Model) -> Option<Response> {
    answer.answer.as_deref().and_then(|a| serde_json::from_str(a).ok())
}

/// Whether the attempt is submitted (complete or waiting for a grader).
pub fn is_finished(a: &quiz_submission::Model) -> bool {
    a.workflow_state != UNTAKEN
}

/// Whether answers may still be saved into the attempt at `now`.
pub fn is_open(a: &quiz_submission::Model, now: Time) -> bool {
    a.workflow_state == UNTAKEN && a.end_at.is_none_or(|end| now < end)
}

pub fn payload(a: &quiz_submission::Model) -> serde_json::Value {
    json!({"id": a.id, "quiz_id": a.quiz_id, "course_id": a.course_id, "user_id": a.user_id,
        "submission_id": a.submission_id, "attempt": a.attempt, "workflow_state": a.workflow_state,
        "started_at": a.started_at, "end_at": a.end_at, "finished_at": a.finished_at, "score": a.score,
        "points_possible": a.points_possible, "fudge_points": a.fudge_points, "overdue": a.overdue})
}

/// An attempt of the caller's school.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<quiz_submission::Model, StoreError> {
    quiz_submission::Entity::find_by_id(id)
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A user's attempts at a quiz, first attempt first.
pub async fn of_user<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    user_id: i64,
) -> Result<Vec<quiz_submission::Model>, StoreError> {
    Ok(quiz_submission::Entity::find()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz_id))
        .filter(quiz_submission::Column::UserId.eq(user_id))
        .order_by_asc(quiz_submission::Column::Attempt)
        .all(conn)
        .await?)
}

/// Every attempt at a quiz (everyone's, any state), by id.
pub async fn of_quiz<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
) -> Result<Vec<quiz_submission::Model>, StoreError> {
    Ok(quiz_submission::Entity::find()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz_id))
        .order_by_asc(quiz_submission::Column::Id)
        .all(conn)
        .await?)
}

/// A quiz's attempts, by id: everyone's, or one user's.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    user_id: Option<i64>,
    request: &PageRequest,
) -> Result<Page<quiz_submission::Model>, StoreError> {
    let mut select = quiz_submission::Entity::find()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz_id));
    if let Some(user) = user_id {
        select = select.filter(quiz_submission::Column::UserId.eq(user));
    }
    let sort = [SortColumn::<quiz_submission::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "quiz_submissions", &sort, request).await
}

/// The answers saved in an attempt, by question id.
pub async fn answers<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
) -> Result<HashMap<i64, quiz_answer::Model>, StoreError> {
    answers_among(conn, attempt_id, None).await
}

/// The answers stored for some of an attempt's questions, by question id.
pub async fn answers_to<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
    question_ids: &[i64],
) -> Result<HashMap<i64, quiz_answer::Model>, StoreError> {
    answers_among(conn, attempt_id, Some(question_ids)).await
}

async fn answers_among<C: ConnectionTrait>(
    conn: &C,
    attempt_id: i64,
    question_ids: Option<&[i64]>,
) -> Result<HashMap<i64, quiz_answer::Model>, StoreError> {
    let mut select = quiz_answer::Entity::find().filter(quiz_answer::Column::QuizSubmissionId.eq(attempt_id));
    if let Some(ids) = question_ids {
        select = select.filter(quiz_answer::Column::QuestionId.is_in(ids.iter().copied()));
    }
    Ok(select.all(conn).await?.into_iter().map(|a| (a.question_id, a)).collect())
}

/// The frozen question versions an attempt shows, by question id, with their bodies.
pub async fn versions<C: ConnectionTrait>(
    conn: &C,
    draw: &[DrawnQuestion],
) -> Result<HashMap<i64, Version>, StoreError> {
    let wanted: Vec<(i64, i32)> = draw.iter().map(|d| (d.question_id, d.question_version)).collect();
    read_versions(conn, &wanted).await.map(|found| found.into_iter().map(|v| (v.0.question_id, v)).collect())
}

/// As [`versions`], from the store's copies of delivered versions where it has them (the hot path of every save
/// and question fetch); what it reads it keeps.
pub async fn shown_versions(store: &Store, draw: &[DrawnQuestion]) -> Result<HashMap<i64, Version>, StoreError> {
    let wanted: Vec<(i64, i32)> = draw.iter().map(|d| (d.question_id, d.question_version)).collect();
    let (mut found, missing) = store.delivered_versions.get(&wanted);
    if !missing.is_empty() {
        for v in read_versions(store.read(), &missing).await? {
            store.delivered_versions.keep(v.clone());
            found.push(v);
        }
    }
    Ok(found.into_iter().map(|v| (v.0.question_id, v)).collect())
}

async fn read_versions<C: ConnectionTrait>(conn: &C, wanted: &[(i64, i32)]) -> Result<Vec<Version>, StoreError> {
    let mut out = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(200) {
        let mut cond = sea_orm::Condition::any();
        for (question_id, version) in chunk {
            cond = cond.add(
                sea_orm::Condition::all()
                    .add(question_version::Column::QuestionId.eq(*question_id))
                    .add(question_version::Column::Version.eq(*version)),
            );
        }
        for v in question_version::Entity::find().filter(cond).all(conn).await? {
            let body = questions::body_of(&v)?;
            out.push(Arc::new((v, body)));
        }
    }
    Ok(out)
}

/// A question's body as it counts in an attempt: worth the points the attempt gives it.
pub fn as_drawn(body: &QuestionBody, drawn: &DrawnQuestion) -> QuestionBody {
    QuestionBody { points_possible: drawn.points, ..body.clone() }
}

/// The variable values a calculated question shows and is scored with in this attempt.
pub fn variables(a: &quiz_submission::Model, body: &QuestionBody, question_id: i64) -> assay_domain::question::Draw {
    match &body.answer {
        assay_domain::question::AnswerModel::Calculated { variables, .. } => {
            assay_domain::question::formula::draw(variables, attempt::variables_seed(a.seed as u64, question_id))
        }
        _ => assay_domain::question::Draw::new(),
    }
}

// ---- Starting ----------------------------------------------------------------------------------------------

/// What decides whether and how a student's attempt starts (the route resolves overrides and extensions).
#[derive(Debug, Clone, Default)]
pub struct StartRules {
    /// The quiz's `allowed_attempts` (-1: unlimited).
    pub allowed_attempts: i32,
    /// The student's extra attempts (quiz extension).
    pub extra_attempts: i32,
    /// Minutes.
    pub time_limit: Option<i32>,
    /// Minutes added to the time limit (quiz extension).
    pub extra_time: i32,
    /// When the quiz closes for the student (`attempt::closing`).
    pub closes_at: Option<Time>,
    pub manually_unlocked: bool,
}

#[derive(Debug, Clone)]
pub enum StartOutcome {
    /// A new attempt.
    Started(quiz_submission::Model),
    /// The attempt already in progress (a retry, a double click, another device, or a concurrent start).
    Resumed(quiz_submission::Model),
    /// Every allowed attempt is used.
    NoAttemptsLeft,
}

fn random_seed() -> i64 {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    i64::from_le_bytes(bytes)
}

/// Starts (or resumes) `user_id`'s attempt at `quiz` (see the module documentation). `prepared`: the quiz's
/// composition as the caller read it just before, if it did.
pub async fn start(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    user_id: i64,
    rules: &StartRules,
    prepared: Option<Vec<quizzes::Item>>,
    actor: Actor,
) -> Result<StartOutcome, StoreError> {
    let now = crate::now();
    let mine = of_user(txn, scope, quiz.id, user_id).await?;
    if let Some(open) = mine.iter().find(|a| a.workflow_state == UNTAKEN) {
        if is_open(open, now) {
            return Ok(StartOutcome::Resumed(open.clone()));
        }
        finish(txn, scope, open.id, Finish::Overdue, Actor::system()).await?;
    }
    if !attempt::attempts_left(rules.allowed_attempts, rules.extra_attempts, mine.len()) {
        return Ok(StartOutcome::NoAttemptsLeft);
    }
    let number = mine.iter().map(|a| a.attempt).max().unwrap_or(0) + 1;

    // The versions this draw delivers for the first time (most were delivered by earlier attempts already).
    let mut undelivered: HashMap<i64, i64> = HashMap::new();
    let mut candidate = |view: &questions::QuestionView| {
        if !view.version.delivered {
            undelivered.insert(view.question.id, view.version.id);
        }
        Candidate::of(view.question.id, view.version.version, &view.body)
    };
    // The composition read before the write keeps the single writer short. It is used only when every version in
    // it was delivered already (delivered versions never change); otherwise it is read again here, where a
    // concurrent edit of a version not yet delivered cannot slip between reading and delivering it.
    let items = match prepared.filter(|items| items.iter().all(quizzes::Item::delivered)) {
        Some(items) => items,
        None => quizzes::composition(txn, scope, quiz.id).await?,
    };
    let slots: Vec<Slot> = items
        .iter()
        .map(|item| match item {
            quizzes::Item::Fixed(p) => Slot::Fixed(candidate(&p.question)),
            quizzes::Item::Group { group, pool } => Slot::Group {
                group_id: group.id,
                pick_count: u32::try_from(group.pick_count).unwrap_or(0),
                question_points: group.question_points,
                pool: pool.iter().map(&mut candidate).collect(),
            },
        })
        .collect();
    let seed = random_seed();
    let settings = DrawSettings { shuffle_questions: quiz.shuffle_questions, shuffle_answers: quiz.shuffle_answers };
    let draw = attempt::draw(&slots, settings, seed as u64);
    let points_possible = assay_domain::question::formula::round_to(draw.iter().map(|d| d.points).sum(), 6);
    let end_at = attempt::deadline(now, rules.time_limit, rules.extra_time, rules.closes_at);
    let submission_id = match quiz.assignment_id {
        Some(assignment) => {
            Some(submissions::find_or_create(txn, scope, quiz.course_id, assignment, user_id).await?.id)
        }
        None => None,
    };
    let row = quiz_submission::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(quiz.course_id),
        quiz_id: Set(quiz.id),
        user_id: Set(user_id),
        submission_id: Set(submission_id),
        attempt: Set(number),
        workflow_state: Set(UNTAKEN.to_owned()),
        seed: Set(seed),
        draw: Set(serde_json::to_string(&draw).map_err(json_error)?),
        validation_token: Set(crate::secrets::generate("")),
        started_at: Set(now),
        end_at: Set(end_at),
        finished_at: Set(None),
        points_possible: Set(points_possible),
        score: Set(None),
        fudge_points: Set(0.0),
        extra_time: Set(rules.extra_time),
        manually_unlocked: Set(rules.manually_unlocked),
        overdue: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let inserted = quiz_submission::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                quiz_submission::Column::QuizId,
                quiz_submission::Column::UserId,
                quiz_submission::Column::Attempt,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    let created = quiz_submission::Entity::find()
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::QuizId.eq(quiz.id))
        .filter(quiz_submission::Column::UserId.eq(user_id))
        .filter(quiz_submission::Column::Attempt.eq(number))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if inserted == 0 {
        // A concurrent start won the race for this attempt number: its attempt is the one in progress.
        return Ok(StartOutcome::Resumed(created));
    }
    let delivered: Vec<i64> = draw.iter().filter_map(|d| undelivered.get(&d.question_id).copied()).collect();
    questions::mark_delivered(txn, &delivered).await?;
    events::record_change(txn, scope.root_account_id(), "attempt.started", created.id, actor, payload(&created))
        .await?;
    Ok(StartOutcome::Started(created))
}

// ---- Answers -----------------------------------------------------------------------------------------------

/// One answer to save: the question (as the attempt shows it), the response (`None` clears it), and the
/// client's sequence number (`None`: the next one, in arrival order).
#[derive(Debug, Clone)]
pub struct AnswerSave {
    pub question_id: i64,
    pub response: Option<Response>,
    pub seq: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum SaveOutcome {
    /// The saves were applied (those with a stale `seq` left the stored answer as it was); the answers to the
    /// questions saved, as stored now, by question id.
    Saved(HashMap<i64, quiz_answer::Model>),
    /// The attempt is no longer in progress (submitted, or its deadline passed: it was submitted now).
    Closed(quiz_submission::Model),
}

/// Takes the attempt's row for this transaction if it is still in progress (a conditional write: on PostgreSQL
/// it waits for, then sees, a concurrent submit), so a save and a submit never interleave: a save either lands
/// before the submit scores the attempt, or finds it submitted. The row as held, or `None`: it is no longer in
/// progress (or not the school's). Returning the row saves the single writer a read.
pub(crate) async fn hold_in_progress(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
    now: Time,
) -> Result<Option<quiz_submission::Model>, StoreError> {
    Ok(quiz_submission::Entity::update_many()
        .col_expr(quiz_submission::Column::UpdatedAt, Expr::val(now))
        .filter(quiz_submission::Column::Id.eq(attempt_id))
        .filter(quiz_submission::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_submission::Column::WorkflowState.eq(UNTAKEN))
        .exec_with_returning(txn)
        .await?
        .pop())
}

/// Holds the attempt inside the transaction and checks it still takes answers; one whose deadline passed is
/// submitted here.
async fn open_attempt(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
) -> Result<Result<quiz_submission::Model, quiz_submission::Model>, StoreError> {
    let now = crate::now();
    let current = match hold_in_progress(txn, scope, attempt_id, now).await? {
        Some(current) if is_open(&current, now) => return Ok(Ok(current)),
        Some(current) => current,
        None => find(txn, scope, attempt_id).await?,
    };
    if current.workflow_state == UNTAKEN {
        return Ok(Err(finish(txn, scope, attempt_id, Finish::Overdue, Actor::system()).await?));
    }
    Ok(Err(current))
}

/// Saves answers into an attempt in progress. Every question must be in the attempt's draw (the caller checks).
pub async fn save_answers(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
    saves: &[AnswerSave],
) -> Result<SaveOutcome, StoreError> {
    let current = match open_attempt(txn, scope, attempt_id).await? {
        Ok(a) => a,
        Err(closed) => return Ok(SaveOutcome::Closed(closed)),
    };
    let now = crate::now();
    // What each upsert stored comes back from it; only a stale save (an older `seq`, left alone) needs a read.
    let mut stored = HashMap::with_capacity(saves.len());
    for save in saves {
        let answer = match &save.response {
            Some(r) => Some(serde_json::to_string(r).map_err(json_error)?),
            None => None,
        };
        let row = quiz_answer::ActiveModel {
            root_account_id: Set(current.root_account_id),
            quiz_submission_id: Set(current.id),
            question_id: Set(save.question_id),
            answer: Set(answer),
            seq: Set(save.seq.unwrap_or(1)),
            saved_at: Set(now),
            flagged: Set(false),
            updated_at: Set(now),
            ..Default::default()
        };
        let mut on_conflict =
            OnConflict::columns([quiz_answer::Column::QuizSubmissionId, quiz_answer::Column::QuestionId]);
        on_conflict.update_columns([
            quiz_answer::Column::Answer,
            quiz_answer::Column::SavedAt,
            quiz_answer::Column::UpdatedAt,
        ]);
        let stored_seq = Expr::col((quiz_answer::Entity, quiz_answer::Column::Seq));
        match save.seq {
            // Only a newer save replaces the stored one.
            Some(_) => {
                on_conflict.update_column(quiz_answer::Column::Seq);
                on_conflict
                    .action_and_where(stored_seq.lt(Expr::col((Alias::new("excluded"), quiz_answer::Column::Seq))));
            }
            // Arrival order: the next number.
            None => {
                on_conflict.value(quiz_answer::Column::Seq, stored_seq.add(1));
            }
        }
        for kept in quiz_answer::Entity::insert(row).on_conflict(on_conflict).exec_with_returning_many(txn).await? {
            stored.insert(kept.question_id, kept);
        }
    }
    let unchanged: Vec<i64> =
        saves.iter().map(|s| s.question_id).filter(|question| !stored.contains_key(question)).collect();
    if !unchanged.is_empty() {
        stored.extend(answers_to(txn, current.id, &unchanged).await?);
    }
    Ok(SaveOutcome::Saved(stored))
}

/// Flags or unflags a question of an attempt in progress (the answer is left alone).
pub async fn set_flag(
    txn: &DatabaseTransaction,
    scope: &Scope,
    attempt_id: i64,
    question_id: i64,
    flagged: bool,
) -> Result<SaveOutcome, StoreError> {
    let current = match open_attempt(txn, scope, attempt_id).await? {
        Ok(a) => a,
        Err(closed) => return Ok(SaveOutcome::Closed(closed)),
    };
    let now = crate::now();
    let row = quiz_answer::ActiveModel {
        root_account_id: Set(current.root_account_id),
        quiz_submission_id: Set(current.id),
        question_id: Set(question_id),
        answer: Set(None),
        seq: Set(0),
        saved_at: Set(now),
        flagged: Set(flagged),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut on_conflict = OnConflict::columns([quiz_answer::Column::QuizSubmissionId, quiz_answer::Column::QuestionId]);
    on_conflict.update_columns([quiz_answer::Column::Flagged, quiz_answer::Column::UpdatedAt]);
    quiz_answer::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(txn).await?;
    Ok(SaveOutcome::Saved(answers_to(txn, current.id, &[question_id]).await?))
}
