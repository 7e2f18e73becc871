//! Tests (Canvas classic quizzes): their settings, their composition — fixed questions and question groups that
//! draw from a bank or from their own pool — per-student extensions and contributors.
//!
//! Delivery reads a quiz through [`composition`]: the fixed questions and groups in order, each question with the
//! version current now. An attempt records the version ids it was given and calls
//! [`crate::questions::mark_delivered`] for each, so later edits make new versions.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    entity::{
        account, course, enrollment, question, quiz, quiz_contributor, quiz_extension, quiz_group, quiz_question,
    },
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    question_banks::contains_pattern,
    questions::{self, Home, NewQuestion, QuestionChange, QuestionView},
};

pub const UNPUBLISHED: &str = "unpublished";
pub const AVAILABLE: &str = "available";
pub const DELETED: &str = "deleted";

type Time = chrono::DateTime<chrono::Utc>;

/// Settings of a quiz; `None` leaves a field alone (create: takes the default).
#[derive(Debug, Clone, Default)]
pub struct QuizFields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub quiz_type: Option<String>,
    pub assignment_group_id: Option<Option<i64>>,
    pub time_limit: Option<Option<i32>>,
    pub allowed_attempts: Option<i32>,
    pub scoring_policy: Option<String>,
    pub shuffle_answers: Option<bool>,
    pub shuffle_questions: Option<bool>,
    pub one_question_at_a_time: Option<bool>,
    pub cant_go_back: Option<bool>,
    pub show_correct_answers: Option<bool>,
    pub show_correct_answers_at: Option<Option<Time>>,
    pub hide_correct_answers_at: Option<Option<Time>>,
    pub show_correct_answers_last_attempt: Option<bool>,
    pub one_time_results: Option<bool>,
    pub hide_results: Option<Option<String>>,
    pub access_code: Option<Option<String>>,
    pub ip_filter: Option<Option<String>>,
    pub due_at: Option<Option<Time>>,
    pub unlock_at: Option<Option<Time>>,
    pub lock_at: Option<Option<Time>>,
    pub published: Option<bool>,
}

/// Test search (Inspera): title, state, and windows on the dates. A bound on a date a test does not have leaves it
/// out, except where no date means "always": a test without `unlock_at` is open before any time
/// (`unlock_before`), one without `lock_at` is still open after any time (`lock_after`).
#[derive(Debug, Clone, Default)]
pub struct QuizFilter {
    pub search_term: Option<String>,
    /// `unpublished`, `available` (any of them); empty: both.
    pub states: Vec<String>,
    pub due_after: Option<Time>,
    pub due_before: Option<Time>,
    pub unlock_after: Option<Time>,
    pub unlock_before: Option<Time>,
    pub lock_after: Option<Time>,
    pub lock_before: Option<Time>,
}

/// Where a test search looks.
#[derive(Debug, Clone)]
pub enum SearchIn<'a> {
    /// One course.
    Course(i64),
    /// The (not deleted) courses of an account and the accounts below it; `course_id` narrows it to one of them.
    Account { account: &'a account::Model, course_id: Option<i64> },
}

pub fn payload(q: &quiz::Model) -> serde_json::Value {
    json!({"id": q.id, "course_id": q.course_id, "title": q.title, "quiz_type": q.quiz_type,
        "time_limit": q.time_limit, "allowed_attempts": q.allowed_attempts, "scoring_policy": q.scoring_policy,
        "shuffle_answers": q.shuffle_answers, "shuffle_questions": q.shuffle_questions,
        "one_question_at_a_time": q.one_question_at_a_time, "cant_go_back": q.cant_go_back,
        "show_correct_answers": q.show_correct_answers, "hide_results": q.hide_results,
        "due_at": q.due_at, "unlock_at": q.unlock_at, "lock_at": q.lock_at, "assignment_id": q.assignment_id,
        "workflow_state": q.workflow_state})
}

fn group_payload(g: &quiz_group::Model) -> serde_json::Value {
    json!({"id": g.id, "quiz_id": g.quiz_id, "name": g.name, "pick_count": g.pick_count,
        "question_points": g.question_points, "bank_id": g.bank_id, "position": g.position})
}

fn apply(model: &mut quiz::ActiveModel, f: QuizFields) {
    crate::assign(&mut model.title, f.title);
    crate::assign(&mut model.description, f.description);
    crate::assign(&mut model.quiz_type, f.quiz_type);
    crate::assign(&mut model.assignment_group_id, f.assignment_group_id);
    crate::assign(&mut model.time_limit, f.time_limit);
    crate::assign(&mut model.allowed_attempts, f.allowed_attempts);
    crate::assign(&mut model.scoring_policy, f.scoring_policy);
    crate::assign(&mut model.shuffle_answers, f.shuffle_answers);
    crate::assign(&mut model.shuffle_questions, f.shuffle_questions);
    crate::assign(&mut model.one_question_at_a_time, f.one_question_at_a_time);
    crate::assign(&mut model.cant_go_back, f.cant_go_back);
    crate::assign(&mut model.show_correct_answers, f.show_correct_answers);
    crate::assign(&mut model.show_correct_answers_at, f.show_correct_answers_at);
    crate::assign(&mut model.hide_correct_answers_at, f.hide_correct_answers_at);
    crate::assign(&mut model.show_correct_answers_last_attempt, f.show_correct_answers_last_attempt);
    crate::assign(&mut model.one_time_results, f.one_time_results);
    crate::assign(&mut model.hide_results, f.hide_results);
    crate::assign(&mut model.access_code, f.access_code);
    crate::assign(&mut model.ip_filter, f.ip_filter);
    crate::assign(&mut model.due_at, f.due_at);
    crate::assign(&mut model.unlock_at, f.unlock_at);
    crate::assign(&mut model.lock_at, f.lock_at);
    crate::assign(&mut model.workflow_state, f.published.map(|p| if p { AVAILABLE } else { UNPUBLISHED }.to_owned()));
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    course_id: i64,
    fields: QuizFields,
    actor: Actor,
) -> Result<quiz::Model, StoreError> {
    let now = crate::now();
    let mut model = quiz::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        course_id: Set(course_id),
        assignment_id: Set(None),
        assignment_group_id: Set(None),
        title: Set("Unnamed Quiz".to_owned()),
        description: Set(String::new()),
        quiz_type: Set("assignment".to_owned()),
        time_limit: Set(None),
        allowed_attempts: Set(1),
        scoring_policy: Set("keep_highest".to_owned()),
        shuffle_answers: Set(false),
        shuffle_questions: Set(false),
        one_question_at_a_time: Set(false),
        cant_go_back: Set(false),
        show_correct_answers: Set(true),
        show_correct_answers_at: Set(None),
        hide_correct_answers_at: Set(None),
        show_correct_answers_last_attempt: Set(false),
        one_time_results: Set(false),
        hide_results: Set(None),
        access_code: Set(None),
        ip_filter: Set(None),
        due_at: Set(None),
        unlock_at: Set(None),
        lock_at: Set(None),
        position: Set(0),
        workflow_state: Set(UNPUBLISHED.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let group = fields.assignment_group_id.flatten();
    apply(&mut model, fields);
    let created = model.insert(txn).await?;
    events::record_change(txn, scope.root_account_id(), "quiz.created", created.id, actor, payload(&created)).await?;
    sync_assignment(txn, scope, &created, group, actor).await
}

/// Whether a quiz type is graded through an assignment (`assignment`, `graded_survey`).
pub fn is_graded(quiz_type: &str) -> bool {
    matches!(quiz_type, "assignment" | "graded_survey")
}

/// Keeps a quiz's assignment (`submission_types=["online_quiz"]`) in step with the quiz: a graded quiz owns one
/// (made on first need) with its title, dates, attempts, publication and derived points; a practice quiz or
/// survey has none (a previous one is deleted). `group` moves the assignment to that assignment group. Returns
/// the quiz as stored (with `assignment_id` and `assignment_group_id`).
pub async fn sync_assignment(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    group: Option<i64>,
    actor: Actor,
) -> Result<quiz::Model, StoreError> {
    use crate::{assignments, entity::course};
    let current = match quiz.assignment_id {
        Some(id) => match assignments::find(txn, scope, quiz.course_id, &assay_domain::IdRef::Id(id)).await {
            Ok(a) => Some(a),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other),
        },
        None => None,
    };
    let graded = is_graded(&quiz.quiz_type) && quiz.workflow_state != DELETED;
    let mut model: quiz::ActiveModel = quiz.clone().into();
    if !graded {
        if let Some(a) = current {
            assignments::delete(txn, scope, &a, actor).await?;
        }
        model.assignment_id = Set(None);
        model.assignment_group_id = Set(None);
        return Ok(model.update(txn).await?);
    }
    let course = course::Entity::find_by_id(quiz.course_id).one(txn).await?.ok_or(StoreError::NotFound)?;
    let points = summary(txn, scope, quiz.id).await?.points_possible;
    let fields = assignments::AssignmentFields {
        name: Some(quiz.title.clone()),
        description: Some(Some(quiz.description.clone()).filter(|d| !d.is_empty())),
        assignment_group_id: group,
        points_possible: Some(Some(points)),
        submission_types: Some(vec!["online_quiz".to_owned()]),
        allowed_attempts: Some(quiz.allowed_attempts),
        due_at: Some(quiz.due_at),
        unlock_at: Some(quiz.unlock_at),
        lock_at: Some(quiz.lock_at),
        published: Some(quiz.workflow_state == AVAILABLE),
        quiz_id: Some(Some(quiz.id)),
        ..Default::default()
    };
    let assignment = match current {
        Some(a) => assignments::update(txn, scope, &course, &a, fields, actor).await?,
        None => assignments::create(txn, scope, &course, fields, actor).await?,
    };
    if quiz.assignment_id == Some(assignment.id) && quiz.assignment_group_id == Some(assignment.assignment_group_id) {
        return Ok(quiz.clone());
    }
    model.assignment_id = Set(Some(assignment.id));
    model.assignment_group_id = Set(Some(assignment.assignment_group_id));
    Ok(model.update(txn).await?)
}

/// Re-reads a quiz and brings its assignment up to date (after its questions or groups changed).
async fn resync(txn: &DatabaseTransaction, scope: &Scope, quiz_id: i64, actor: Actor) -> Result<(), StoreError> {
    let quiz = quiz::Entity::find_by_id(quiz_id).one(txn).await?.ok_or(StoreError::NotFound)?;
    sync_assignment(txn, scope, &quiz, None, actor).await?;
    Ok(())
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &quiz::Model,
    fields: QuizFields,
    actor: Actor,
) -> Result<quiz::Model, StoreError> {
    let mut model: quiz::ActiveModel = current.clone().into();
    let group = fields.assignment_group_id.flatten();
    apply(&mut model, fields);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(txn, scope.root_account_id(), "quiz", updated.id, actor, payload(current), payload(&updated))
        .await?;
    sync_assignment(txn, scope, &updated, group, actor).await
}

/// Links a quiz to the assignment that grades it.
pub async fn set_assignment(
    txn: &DatabaseTransaction,
    current: &quiz::Model,
    assignment_id: Option<i64>,
) -> Result<quiz::Model, StoreError> {
    let mut model: quiz::ActiveModel = current.clone().into();
    model.assignment_id = Set(assignment_id);
    Ok(model.update(txn).await?)
}

pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &quiz::Model,
    actor: Actor,
) -> Result<quiz::Model, StoreError> {
    let mut model: quiz::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "quiz.deleted", deleted.id, actor, payload(current)).await?;
    sync_assignment(txn, scope, &deleted, None, actor).await
}

/// A quiz of the course (not deleted).
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    id: i64,
) -> Result<quiz::Model, StoreError> {
    quiz::Entity::find_by_id(id)
        .filter(quiz::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::WorkflowState.ne(DELETED))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// [`find`] outside a transaction, from the store's copy while it is current (see `read_cache`).
pub async fn find_current(
    store: &crate::Store,
    scope: &Scope,
    course_id: i64,
    id: i64,
) -> Result<quiz::Model, StoreError> {
    let key = (scope.root_account_id(), course_id, id);
    store.cached.quizzes.get_or_load(store, key, || find(store.read(), scope, course_id, id)).await
}

/// The (not deleted) quizzes of a course matching `filter`, by id.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    filter: &QuizFilter,
    request: &PageRequest,
) -> Result<Page<quiz::Model>, StoreError> {
    search(conn, scope, SearchIn::Course(course_id), filter, request).await
}

/// Test search: the (not deleted) quizzes `within` a course or an account's courses matching `filter`, by id.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    within: SearchIn<'_>,
    filter: &QuizFilter,
    request: &PageRequest,
) -> Result<Page<quiz::Model>, StoreError> {
    let mut select = quiz::Entity::find()
        .filter(quiz::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz::Column::WorkflowState.ne(DELETED));
    match within {
        SearchIn::Course(course_id) => select = select.filter(quiz::Column::CourseId.eq(course_id)),
        SearchIn::Account { account: home, course_id } => {
            let below = account::Entity::find()
                .select_only()
                .column(account::Column::Id)
                .filter(account::Column::RootAccountId.eq(scope.root_account_id()))
                .filter(account::Column::Path.like(format!("{}%", home.path)))
                .into_query();
            let mut courses = course::Entity::find()
                .select_only()
                .column(course::Column::Id)
                .filter(course::Column::RootAccountId.eq(scope.root_account_id()))
                .filter(course::Column::AccountId.in_subquery(below))
                .filter(course::Column::WorkflowState.ne(assay_domain::course::CourseState::Deleted.as_str()));
            if let Some(id) = course_id {
                courses = courses.filter(course::Column::Id.eq(id));
            }
            select = select.filter(quiz::Column::CourseId.in_subquery(courses.into_query()));
        }
    }
    if !filter.states.is_empty() {
        select = select.filter(quiz::Column::WorkflowState.is_in(filter.states.iter().cloned()));
    }
    if let Some(term) = &filter.search_term {
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(quiz::Column::Title)))
                .like(LikeExpr::new(contains_pattern(term)).escape('\\')),
        );
    }
    if let Some(after) = filter.due_after {
        select = select.filter(quiz::Column::DueAt.gte(after));
    }
    if let Some(before) = filter.due_before {
        select = select.filter(quiz::Column::DueAt.lte(before));
    }
    if let Some(after) = filter.unlock_after {
        select = select.filter(quiz::Column::UnlockAt.gte(after));
    }
    if let Some(before) = filter.unlock_before {
        select = select
            .filter(Condition::any().add(quiz::Column::UnlockAt.is_null()).add(quiz::Column::UnlockAt.lte(before)));
    }
    if let Some(after) = filter.lock_after {
        select =
            select.filter(Condition::any().add(quiz::Column::LockAt.is_null()).add(quiz::Column::LockAt.gte(after)));
    }
    if let Some(before) = filter.lock_before {
        select = select.filter(quiz::Column::LockAt.lte(before));
    }
    let sort = [SortColumn::<quiz::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "quizzes", &sort, request).await
}

// ---- Composition -------------------------------------------------------------------------------------------

/// A question placed in a quiz, with its current version.
#[derive(Debug, Clone)]
pub struct Placed {
    pub placement: quiz_question::Model,
    pub question: QuestionView,
}

/// The quiz's groups, by position.
pub async fn groups<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
) -> Result<Vec<quiz_group::Model>, StoreError> {
    Ok(quiz_group::Entity::find()
        .filter(quiz_group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_group::Column::QuizId.eq(quiz_id))
        .order_by_asc(quiz_group::Column::Position)
        .order_by_asc(quiz_group::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find_group<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    id: i64,
) -> Result<quiz_group::Model, StoreError> {
    quiz_group::Entity::find_by_id(id)
        .filter(quiz_group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_group::Column::QuizId.eq(quiz_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Every question placed in the quiz (fixed and in pools), ordered by group then position.
pub async fn placed<C: ConnectionTrait>(conn: &C, scope: &Scope, quiz_id: i64) -> Result<Vec<Placed>, StoreError> {
    let placements = quiz_question::Entity::find()
        .filter(quiz_question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_question::Column::QuizId.eq(quiz_id))
        .order_by_asc(quiz_question::Column::Position)
        .order_by_asc(quiz_question::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = placements.iter().map(|p| p.question_id).collect();
    let mut views: HashMap<i64, QuestionView> =
        questions::find_many(conn, scope, &ids).await?.into_iter().map(|v| (v.question.id, v)).collect();
    Ok(placements
        .into_iter()
        .filter_map(|placement| views.remove(&placement.question_id).map(|question| Placed { placement, question }))
        .collect())
}

/// One placed question of the quiz, by placement id (the Canvas quiz question id).
pub async fn find_placed<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    id: i64,
) -> Result<Placed, StoreError> {
    let placement = quiz_question::Entity::find_by_id(id)
        .filter(quiz_question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_question::Column::QuizId.eq(quiz_id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let question = questions::find(conn, scope, placement.question_id).await?;
    Ok(Placed { placement, question })
}

/// One element of a quiz as delivered, in order.
#[derive(Debug, Clone)]
pub enum Item {
    /// A question every attempt gets.
    Fixed(Box<Placed>),
    /// `group.pick_count` questions drawn from `pool` (the group's own questions, or its bank's), each worth
    /// `group.question_points`.
    Group { group: quiz_group::Model, pool: Vec<QuestionView> },
}

impl Item {
    /// Whether every question version the item can give was delivered before (and so can no longer change).
    pub fn delivered(&self) -> bool {
        match self {
            Item::Fixed(p) => p.question.version.delivered,
            Item::Group { pool, .. } => pool.iter().all(|q| q.version.delivered),
        }
    }

    fn position(&self) -> (i32, i64) {
        match self {
            Item::Fixed(p) => (p.placement.position, p.placement.id),
            Item::Group { group, .. } => (group.position, group.id),
        }
    }
}

/// The quiz as delivery sees it: fixed questions and groups interleaved by position, every question with the
/// version current now.
pub async fn composition<C: ConnectionTrait>(conn: &C, scope: &Scope, quiz_id: i64) -> Result<Vec<Item>, StoreError> {
    let placed = placed(conn, scope, quiz_id).await?;
    let groups = groups(conn, scope, quiz_id).await?;
    let mut pools: HashMap<i64, Vec<QuestionView>> = HashMap::new();
    let mut items = Vec::new();
    for p in placed {
        match p.placement.quiz_group_id {
            Some(group) => pools.entry(group).or_default().push(p.question),
            None => items.push(Item::Fixed(Box::new(p))),
        }
    }
    for group in groups {
        let pool = match group.bank_id {
            Some(bank) => {
                let rows = questions::in_bank(conn, scope, bank).await?;
                questions::with_current(conn, rows).await?
            }
            None => pools.remove(&group.id).unwrap_or_default(),
        };
        items.push(Item::Group { group, pool });
    }
    items.sort_by_key(Item::position);
    Ok(items)
}

/// Derived numbers of a quiz.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Fixed questions' points plus, per group, `pick_count × question_points`.
    pub points_possible: f64,
    /// Fixed questions plus every group's `pick_count`.
    pub question_count: i64,
    /// The distinct Canvas types of the quiz's own questions.
    pub question_types: Vec<String>,
}

pub async fn summary<C: ConnectionTrait>(conn: &C, scope: &Scope, quiz_id: i64) -> Result<Summary, StoreError> {
    let placed = placed(conn, scope, quiz_id).await?;
    let groups = groups(conn, scope, quiz_id).await?;
    let mut s = Summary::default();
    for p in &placed {
        if p.placement.quiz_group_id.is_none() {
            s.points_possible += p.question.version.points_possible;
            s.question_count += 1;
        }
        if !s.question_types.contains(&p.question.question.question_type) {
            s.question_types.push(p.question.question.question_type.clone());
        }
    }
    for g in &groups {
        s.points_possible += f64::from(g.pick_count) * g.question_points;
        s.question_count += i64::from(g.pick_count);
    }
    Ok(s)
}

/// How many questions a group can draw from: its bank's active questions, or its own pool.
pub async fn pool_size<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    group: &quiz_group::Model,
) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    match group.bank_id {
        Some(bank) => {
            Ok(crate::question_banks::question_counts(conn, scope, &[bank]).await?.get(&bank).copied().unwrap_or(0))
        }
        None => Ok(quiz_question::Entity::find()
            .filter(quiz_question::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(quiz_question::Column::QuizGroupId.eq(group.id))
            .count(conn)
            .await?),
    }
}

/// The next position among the quiz's top-level items (fixed questions and groups), or within a group.
async fn next_position<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    group: Option<i64>,
) -> Result<i32, StoreError> {
    let mut select = quiz_question::Entity::find()
        .select_only()
        .column_as(quiz_question::Column::Position.max(), "p")
        .filter(quiz_question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_question::Column::QuizId.eq(quiz_id));
    select = match group {
        Some(g) => select.filter(quiz_question::Column::QuizGroupId.eq(g)),
        None => select.filter(quiz_question::Column::QuizGroupId.is_null()),
    };
    let questions: Option<Option<i32>> = select.into_tuple().one(conn).await?;
    let mut max = questions.flatten().unwrap_or(0);
    if group.is_none() {
        let groups: Option<Option<i32>> = quiz_group::Entity::find()
            .select_only()
            .column_as(quiz_group::Column::Position.max(), "p")
            .filter(quiz_group::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(quiz_group::Column::QuizId.eq(quiz_id))
            .into_tuple()
            .one(conn)
            .await?;
        max = std::cmp::max(max, groups.flatten().unwrap_or(0));
    }
    Ok(max + 1)
}

/// Writes a question inside the quiz (not in a bank) and places it: fixed, or in `group`'s pool.
pub async fn add_question(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    group: Option<i64>,
    position: Option<i32>,
    new: NewQuestion,
    actor: Actor,
) -> Result<Placed, StoreError> {
    let question = questions::create(txn, scope, Home::Quiz(quiz.id), new, actor).await?;
    let position = match position {
        Some(p) => p,
        None => next_position(txn, scope, quiz.id, group).await?,
    };
    let now = crate::now();
    let placement = quiz_question::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        quiz_id: Set(quiz.id),
        question_id: Set(question.question.id),
        quiz_group_id: Set(group),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    touch(txn, scope, quiz, actor).await?;
    Ok(Placed { placement, question })
}

/// Where a placed question moves: `group` (`Some(None)`: out of any group), `position`; `None` leaves each alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlacementChange {
    pub group: Option<Option<i64>>,
    pub position: Option<i32>,
}

/// Changes a placed question: its content (versioned as `questions::update` does), its group, its position.
pub async fn update_question(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    current: &Placed,
    placement: PlacementChange,
    change: QuestionChange,
    actor: Actor,
) -> Result<Placed, StoreError> {
    let PlacementChange { group, position } = placement;
    let question = questions::update(txn, scope, &current.question, change, actor).await?;
    let mut model: quiz_question::ActiveModel = current.placement.clone().into();
    let moved = group.is_some_and(|g| g != current.placement.quiz_group_id);
    if let Some(g) = group {
        model.quiz_group_id = Set(g);
    }
    match (position, moved) {
        (Some(p), _) => model.position = Set(p),
        (None, true) => {
            model.position = Set(next_position(txn, scope, quiz.id, group.flatten()).await?);
        }
        (None, false) => {}
    }
    model.updated_at = Set(crate::now());
    let placement = model.update(txn).await?;
    touch(txn, scope, quiz, actor).await?;
    Ok(Placed { placement, question })
}

/// Takes a question out of the quiz (and deletes it when it was written inside the quiz).
pub async fn remove_question(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    current: &Placed,
    actor: Actor,
) -> Result<(), StoreError> {
    quiz_question::Entity::delete_by_id(current.placement.id).exec(txn).await?;
    if current.question.question.quiz_id == Some(quiz.id) {
        questions::delete(txn, scope, &current.question, actor).await?;
    }
    touch(txn, scope, quiz, actor).await?;
    Ok(())
}

/// Marks the quiz changed and brings its assignment's points up to date.
async fn touch(txn: &DatabaseTransaction, scope: &Scope, quiz: &quiz::Model, actor: Actor) -> Result<(), StoreError> {
    quiz::Entity::update_many()
        .col_expr(quiz::Column::UpdatedAt, Expr::val(crate::now()))
        .filter(quiz::Column::Id.eq(quiz.id))
        .exec(txn)
        .await?;
    resync(txn, scope, quiz.id, actor).await
}

#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    pub name: Option<String>,
    pub pick_count: Option<i32>,
    pub question_points: Option<f64>,
    pub bank_id: Option<Option<i64>>,
    pub position: Option<i32>,
}

pub async fn create_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<quiz_group::Model, StoreError> {
    let now = crate::now();
    let position = match fields.position {
        Some(p) => p,
        None => next_position(txn, scope, quiz.id, None).await?,
    };
    let created = quiz_group::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        quiz_id: Set(quiz.id),
        name: Set(fields.name.unwrap_or_else(|| "Question Group".to_owned())),
        pick_count: Set(fields.pick_count.unwrap_or(1)),
        question_points: Set(fields.question_points.unwrap_or(1.0)),
        bank_id: Set(fields.bank_id.flatten()),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    touch(txn, scope, quiz, actor).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz_group.created",
        created.id,
        actor,
        group_payload(&created),
    )
    .await?;
    Ok(created)
}

pub async fn update_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    current: &quiz_group::Model,
    fields: GroupFields,
    actor: Actor,
) -> Result<quiz_group::Model, StoreError> {
    let mut model: quiz_group::ActiveModel = current.clone().into();
    crate::assign(&mut model.name, fields.name);
    crate::assign(&mut model.pick_count, fields.pick_count);
    crate::assign(&mut model.question_points, fields.question_points);
    crate::assign(&mut model.bank_id, fields.bank_id);
    crate::assign(&mut model.position, fields.position);
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    touch(txn, scope, quiz, actor).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "quiz_group",
        updated.id,
        actor,
        group_payload(current),
        group_payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a group with the questions of its pool (as Canvas does).
pub async fn delete_group(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    current: &quiz_group::Model,
    actor: Actor,
) -> Result<(), StoreError> {
    let pooled: Vec<Placed> = placed(txn, scope, quiz.id)
        .await?
        .into_iter()
        .filter(|p| p.placement.quiz_group_id == Some(current.id))
        .collect();
    for p in &pooled {
        remove_question(txn, scope, quiz, p, actor).await?;
    }
    quiz_group::Entity::delete_by_id(current.id).exec(txn).await?;
    touch(txn, scope, quiz, actor).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz_group.deleted",
        current.id,
        actor,
        group_payload(current),
    )
    .await?;
    Ok(())
}

/// One entry of a reorder: a placed question or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Question(i64),
    Group(i64),
}

/// Sets the order of the quiz's top-level items (unnamed items follow, in their old order), or of a group's pool.
/// Ids that are not in the quiz (or the group) are `StoreError::Invalid`.
pub async fn reorder(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    group: Option<&quiz_group::Model>,
    order: &[Slot],
    actor: Actor,
) -> Result<(), StoreError> {
    let all = placed(txn, scope, quiz.id).await?;
    let in_scope: Vec<&Placed> = all.iter().filter(|p| p.placement.quiz_group_id == group.map(|g| g.id)).collect();
    let groups = if group.is_none() { groups(txn, scope, quiz.id).await? } else { Vec::new() };
    let mut current: Vec<(Slot, i32)> = in_scope
        .iter()
        .map(|p| (Slot::Question(p.placement.id), p.placement.position))
        .chain(groups.iter().map(|g| (Slot::Group(g.id), g.position)))
        .collect();
    current.sort_by_key(|(_, p)| *p);
    for slot in order {
        if !current.iter().any(|(s, _)| s == slot) {
            return Err(StoreError::Invalid {
                field: "order",
                message: format!(
                    "{} is not in this {}",
                    match slot {
                        Slot::Question(id) => format!("question {id}"),
                        Slot::Group(id) => format!("group {id}"),
                    },
                    if group.is_some() { "group" } else { "quiz" }
                ),
            });
        }
    }
    let mut sequence: Vec<Slot> = Vec::with_capacity(current.len());
    for slot in order {
        if !sequence.contains(slot) {
            sequence.push(*slot);
        }
    }
    for (slot, _) in &current {
        if !sequence.contains(slot) {
            sequence.push(*slot);
        }
    }
    let now = crate::now();
    for (index, slot) in sequence.iter().enumerate() {
        let position = i32::try_from(index + 1).unwrap_or(i32::MAX);
        match slot {
            Slot::Question(id) => {
                quiz_question::Entity::update_many()
                    .col_expr(quiz_question::Column::Position, Expr::val(position))
                    .col_expr(quiz_question::Column::UpdatedAt, Expr::val(now))
                    .filter(quiz_question::Column::Id.eq(*id))
                    .exec(txn)
                    .await?;
            }
            Slot::Group(id) => {
                quiz_group::Entity::update_many()
                    .col_expr(quiz_group::Column::Position, Expr::val(position))
                    .col_expr(quiz_group::Column::UpdatedAt, Expr::val(now))
                    .filter(quiz_group::Column::Id.eq(*id))
                    .exec(txn)
                    .await?;
            }
        }
    }
    touch(txn, scope, quiz, actor).await?;
    let order: Vec<serde_json::Value> = sequence
        .iter()
        .map(|s| match s {
            Slot::Question(id) => json!({"type": "question", "id": id}),
            Slot::Group(id) => json!({"type": "group", "id": id}),
        })
        .collect();
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz.reordered",
        quiz.id,
        actor,
        json!({"id": quiz.id, "quiz_group_id": group.map(|g| g.id), "order": order}),
    )
    .await
}

// ---- Extensions and contributors -----------------------------------------------------------------------------

/// One student's extension as asked for; `None` leaves a field as it was (default 0 / false).
#[derive(Debug, Clone, Default)]
pub struct ExtensionInput {
    pub user_id: i64,
    pub extra_attempts: Option<i32>,
    pub extra_time: Option<i32>,
    pub manually_unlocked: Option<bool>,
    pub end_at: Option<Option<Time>>,
    /// How the student's attempt in progress, if any, moves its end.
    pub extend: Option<assay_domain::attempt::Extend>,
}

/// Whether `user_id` is a student of the course (any live enrollment state).
pub async fn is_student<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    course_id: i64,
    user_id: i64,
) -> Result<bool, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(enrollment::Entity::find()
        .filter(enrollment::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::Type.eq("StudentEnrollment"))
        .filter(enrollment::Column::WorkflowState.is_not_in(["deleted", "rejected"]))
        .count(conn)
        .await?
        > 0)
}

pub async fn extension_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    user_id: i64,
) -> Result<Option<quiz_extension::Model>, StoreError> {
    Ok(quiz_extension::Entity::find()
        .filter(quiz_extension::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_extension::Column::QuizId.eq(quiz_id))
        .filter(quiz_extension::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

/// Creates or changes students' extensions (one row per quiz and student).
pub async fn set_extensions(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    inputs: Vec<ExtensionInput>,
    actor: Actor,
) -> Result<Vec<quiz_extension::Model>, StoreError> {
    let now = crate::now();
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let existing = extension_of(txn, scope, quiz.id, input.user_id).await?;
        let old_extra = existing.as_ref().map_or(0, |e| e.extra_time);
        let saved = match existing {
            Some(existing) => {
                let mut model: quiz_extension::ActiveModel = existing.into();
                crate::assign(&mut model.extra_attempts, input.extra_attempts);
                crate::assign(&mut model.extra_time, input.extra_time);
                crate::assign(&mut model.manually_unlocked, input.manually_unlocked);
                crate::assign(&mut model.end_at, input.end_at);
                model.updated_at = Set(now);
                model.update(txn).await?
            }
            None => {
                quiz_extension::ActiveModel {
                    root_account_id: Set(scope.root_account_id()),
                    quiz_id: Set(quiz.id),
                    user_id: Set(input.user_id),
                    extra_attempts: Set(input.extra_attempts.unwrap_or(0)),
                    extra_time: Set(input.extra_time.unwrap_or(0)),
                    manually_unlocked: Set(input.manually_unlocked.unwrap_or(false)),
                    end_at: Set(input.end_at.flatten()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?
            }
        };
        events::record_change(
            txn,
            scope.root_account_id(),
            "quiz.extension_set",
            quiz.id,
            actor,
            json!({"quiz_id": quiz.id, "user_id": saved.user_id, "extra_attempts": saved.extra_attempts,
                "extra_time": saved.extra_time, "manually_unlocked": saved.manually_unlocked, "end_at": saved.end_at}),
        )
        .await?;
        crate::attempts::extend_in_progress(
            txn,
            scope,
            quiz,
            saved.user_id,
            (old_extra, saved.extra_time),
            input.extend,
            actor,
        )
        .await?;
        out.push(saved);
    }
    Ok(out)
}

/// The caller's contributor role on a quiz (`edit` or `grade`), if any.
pub async fn contributor_role<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(quiz_contributor::Entity::find()
        .filter(quiz_contributor::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_contributor::Column::QuizId.eq(quiz_id))
        .filter(quiz_contributor::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .map(|c| c.role))
}

/// [`contributor_role`] outside a transaction, from the store's copy while it is current (see `read_cache`).
pub async fn contributor_role_current(
    store: &crate::Store,
    scope: &Scope,
    quiz_id: i64,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    let key = (scope.root_account_id(), quiz_id, user_id);
    store.cached.quiz_roles.get_or_load(store, key, || contributor_role(store.read(), scope, quiz_id, user_id)).await
}

pub async fn contributors<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
) -> Result<Vec<quiz_contributor::Model>, StoreError> {
    Ok(quiz_contributor::Entity::find()
        .filter(quiz_contributor::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_contributor::Column::QuizId.eq(quiz_id))
        .order_by_asc(quiz_contributor::Column::Id)
        .all(conn)
        .await?)
}

/// Adds a contributor, or changes the role of one already there.
pub async fn set_contributor(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    user_id: i64,
    role: &str,
    actor: Actor,
) -> Result<quiz_contributor::Model, StoreError> {
    let existing = quiz_contributor::Entity::find()
        .filter(quiz_contributor::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_contributor::Column::QuizId.eq(quiz.id))
        .filter(quiz_contributor::Column::UserId.eq(user_id))
        .one(txn)
        .await?;
    let saved = match existing {
        Some(c) => {
            let mut model: quiz_contributor::ActiveModel = c.into();
            model.role = Set(role.to_owned());
            model.update(txn).await?
        }
        None => {
            quiz_contributor::ActiveModel {
                root_account_id: Set(scope.root_account_id()),
                quiz_id: Set(quiz.id),
                user_id: Set(user_id),
                role: Set(role.to_owned()),
                created_at: Set(crate::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz.contributor_set",
        quiz.id,
        actor,
        json!({"quiz_id": quiz.id, "user_id": user_id, "role": role}),
    )
    .await?;
    Ok(saved)
}

/// Removes a contributor; `NotFound` when the user is not one.
pub async fn remove_contributor(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    user_id: i64,
    actor: Actor,
) -> Result<quiz_contributor::Model, StoreError> {
    let existing = quiz_contributor::Entity::find()
        .filter(quiz_contributor::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_contributor::Column::QuizId.eq(quiz.id))
        .filter(quiz_contributor::Column::UserId.eq(user_id))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    quiz_contributor::Entity::delete_by_id(existing.id).exec(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "quiz.contributor_removed",
        quiz.id,
        actor,
        json!({"quiz_id": quiz.id, "user_id": user_id, "role": existing.role}),
    )
    .await?;
    Ok(existing)
}

/// The quizzes a set of questions is placed in (for checks by callers).
pub async fn question_ids_of_quiz<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    quiz_id: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::QuizId.eq(quiz_id))
        .into_tuple()
        .all(conn)
        .await?)
}
