//! Questions and their versions. A question lives in a bank or in one quiz; its content (a `QuestionBody`) is
//! kept per version. Editing a question whose current version was delivered to a candidate
//! ([`mark_delivered`]) adds a new version (event `question.versioned`); otherwise the current version is
//! changed in place. Attempts keep the id of the version they were given.

use std::collections::HashMap;

use assay_domain::question::QuestionBody;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::{question, question_version},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
    question_banks::{contains_pattern, has_tag, tags_json, tags_of},
};

/// Where a question lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Bank(i64),
    /// Written inside a quiz (not in any bank).
    Quiz(i64),
}

/// A question with its current version.
#[derive(Debug, Clone)]
pub struct QuestionView {
    pub question: question::Model,
    pub version: question_version::Model,
    pub body: QuestionBody,
}

#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub body: QuestionBody,
    pub tags: Vec<String>,
    pub external_id: Option<String>,
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct QuestionChange {
    pub body: Option<QuestionBody>,
    pub tags: Option<Vec<String>>,
    pub external_id: Option<Option<String>>,
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    /// Canvas type names (`multiple_choice_question`, …); any of them.
    pub question_types: Vec<String>,
    /// Questions carrying every one of these tags.
    pub tags: Vec<String>,
    /// Part of the name or text, ignoring case.
    pub search_term: Option<String>,
}

/// Reads a version's body.
pub fn body_of(version: &question_version::Model) -> Result<QuestionBody, StoreError> {
    serde_json::from_str(&version.body).map_err(|err| StoreError::Database(DbErr::Json(err.to_string())))
}

fn encode(body: &QuestionBody) -> Result<String, StoreError> {
    serde_json::to_string(body).map_err(|err| StoreError::Database(DbErr::Json(err.to_string())))
}

/// The lower-cased name and the text without its markup: what `search_term` looks in.
fn search_text(body: &QuestionBody) -> String {
    let mut plain = String::with_capacity(body.text.len());
    let mut in_tag = false;
    for c in body.text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    format!("{} {}", body.name, plain).to_lowercase()
}

pub fn payload(q: &question::Model, v: &question_version::Model) -> serde_json::Value {
    json!({"id": q.id, "bank_id": q.bank_id, "quiz_id": q.quiz_id, "question_type": q.question_type, "name": q.name,
        "tags": tags_of(&q.tags), "external_id": q.external_id, "position": q.position, "version": v.version,
        "version_id": v.id, "points_possible": v.points_possible, "workflow_state": q.workflow_state})
}

async fn next_position<C: ConnectionTrait>(conn: &C, scope: &Scope, home: Home) -> Result<i32, StoreError> {
    let select = question::Entity::find()
        .select_only()
        .column_as(question::Column::Position.max(), "p")
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::WorkflowState.eq(ACTIVE));
    let select = match home {
        Home::Bank(id) => select.filter(question::Column::BankId.eq(id)),
        Home::Quiz(id) => select.filter(question::Column::QuizId.eq(id)),
    };
    let max: Option<Option<i32>> = select.into_tuple().one(conn).await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    home: Home,
    new: NewQuestion,
    actor: Actor,
) -> Result<QuestionView, StoreError> {
    let now = crate::now();
    let position = match new.position {
        Some(p) => p,
        None => next_position(txn, scope, home).await?,
    };
    let (bank_id, quiz_id) = match home {
        Home::Bank(id) => (Some(id), None),
        Home::Quiz(id) => (None, Some(id)),
    };
    let q = question::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        bank_id: Set(bank_id),
        quiz_id: Set(quiz_id),
        question_type: Set(new.body.answer.question_type().canvas_name().to_owned()),
        name: Set(new.body.name.clone()),
        search_text: Set(search_text(&new.body)),
        tags: Set(tags_json(&new.tags)),
        external_id: Set(new.external_id),
        position: Set(position),
        current_version: Set(1),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let v = question_version::ActiveModel {
        question_id: Set(q.id),
        version: Set(1),
        body: Set(encode(&new.body)?),
        points_possible: Set(new.body.points_possible),
        delivered: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "question.created", q.id, actor, payload(&q, &v)).await?;
    Ok(QuestionView { question: q, version: v, body: new.body })
}

/// Applies a change. A new body replaces the current version's, or — when that version was delivered — becomes
/// a new version.
pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &QuestionView,
    change: QuestionChange,
    actor: Actor,
) -> Result<QuestionView, StoreError> {
    let now = crate::now();
    let mut version = current.version.clone();
    let mut body = current.body.clone();
    let mut model: question::ActiveModel = current.question.clone().into();
    if let Some(new_body) = change.body
        && new_body != current.body
    {
        if current.version.delivered {
            version = question_version::ActiveModel {
                question_id: Set(current.question.id),
                version: Set(current.version.version + 1),
                body: Set(encode(&new_body)?),
                points_possible: Set(new_body.points_possible),
                delivered: Set(false),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            model.current_version = Set(version.version);
            events::record_change(
                txn,
                scope.root_account_id(),
                "question.versioned",
                current.question.id,
                actor,
                json!({"id": current.question.id, "version": version.version, "version_id": version.id,
                    "previous_version": current.version.version}),
            )
            .await?;
        } else {
            let mut v: question_version::ActiveModel = current.version.clone().into();
            v.body = Set(encode(&new_body)?);
            v.points_possible = Set(new_body.points_possible);
            version = v.update(txn).await?;
        }
        model.question_type = Set(new_body.answer.question_type().canvas_name().to_owned());
        model.name = Set(new_body.name.clone());
        model.search_text = Set(search_text(&new_body));
        body = new_body;
    }
    crate::assign(&mut model.tags, change.tags.map(|t| tags_json(&t)));
    crate::assign(&mut model.external_id, change.external_id);
    crate::assign(&mut model.position, change.position);
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "question",
        updated.id,
        actor,
        payload(&current.question, &current.version),
        payload(&updated, &version),
    )
    .await?;
    Ok(QuestionView { question: updated, version, body })
}

/// Deletes a question (kept, with its versions, for the attempts that saw it).
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &QuestionView,
    actor: Actor,
) -> Result<question::Model, StoreError> {
    let mut model: question::ActiveModel = current.question.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.external_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "question.deleted",
        deleted.id,
        actor,
        payload(&current.question, &current.version),
    )
    .await?;
    Ok(deleted)
}

/// Records that versions were shown to a candidate: from now on, editing their questions adds a version.
/// Called by delivery when an attempt is given the version.
pub async fn mark_delivered(txn: &DatabaseTransaction, version_ids: &[i64]) -> Result<(), StoreError> {
    if version_ids.is_empty() {
        return Ok(());
    }
    question_version::Entity::update_many()
        .col_expr(question_version::Column::Delivered, Expr::val(true))
        .filter(question_version::Column::Id.is_in(version_ids.iter().copied()))
        .filter(question_version::Column::Delivered.eq(false))
        .exec(txn)
        .await?;
    Ok(())
}

/// The current versions of `questions`, keyed by question id.
pub async fn with_current<C: ConnectionTrait>(
    conn: &C,
    questions: Vec<question::Model>,
) -> Result<Vec<QuestionView>, StoreError> {
    if questions.is_empty() {
        return Ok(Vec::new());
    }
    let mut versions: HashMap<i64, question_version::Model> = HashMap::new();
    // Chunks keep the statement small for long lists.
    for chunk in questions.chunks(200) {
        let mut cond = Condition::any();
        for q in chunk {
            cond = cond.add(
                Condition::all()
                    .add(question_version::Column::QuestionId.eq(q.id))
                    .add(question_version::Column::Version.eq(q.current_version)),
            );
        }
        for v in question_version::Entity::find().filter(cond).all(conn).await? {
            versions.insert(v.question_id, v);
        }
    }
    questions
        .into_iter()
        .map(|q| {
            let version = versions.remove(&q.id).ok_or(StoreError::NotFound)?;
            let body = body_of(&version)?;
            Ok(QuestionView { question: q, version, body })
        })
        .collect()
}

/// An active question of the caller's school with its current version.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<QuestionView, StoreError> {
    let q = question::Entity::find_by_id(id)
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    with_current(conn, vec![q]).await?.pop().ok_or(StoreError::NotFound)
}

/// Active questions of the caller's school by id (any order; missing ids are left out).
pub async fn find_many<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<Vec<QuestionView>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = question::Entity::find()
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::WorkflowState.eq(ACTIVE))
        .filter(question::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    with_current(conn, rows).await
}

/// A bank's questions, by position, filtered.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    bank_id: i64,
    filter: &QuestionFilter,
    request: &PageRequest,
) -> Result<Page<QuestionView>, StoreError> {
    let mut select = question::Entity::find()
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::BankId.eq(bank_id))
        .filter(question::Column::WorkflowState.eq(ACTIVE));
    if !filter.question_types.is_empty() {
        select = select.filter(question::Column::QuestionType.is_in(filter.question_types.iter().cloned()));
    }
    for tag in &filter.tags {
        select = select.filter(has_tag(question::Column::Tags, tag));
    }
    if let Some(term) = &filter.search_term {
        select = select
            .filter(Expr::col(question::Column::SearchText).like(LikeExpr::new(contains_pattern(term)).escape('\\')));
    }
    let sort = [
        SortColumn::<question::Model> { column: "position", kind: KeyKind::Integer, key: |m| json!(m.position) },
        SortColumn::<question::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) },
    ];
    let mut page = page::fetch(conn, select, "questions", &sort, request).await?;
    let items = std::mem::take(&mut page.items);
    let views = with_current(conn, items).await?;
    Ok(page.with_items(views))
}

/// The active questions of a bank, by position (for drawing and for checking a group's draw).
pub async fn in_bank<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    bank_id: i64,
) -> Result<Vec<question::Model>, StoreError> {
    Ok(question::Entity::find()
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::BankId.eq(bank_id))
        .filter(question::Column::WorkflowState.eq(ACTIVE))
        .order_by_asc(question::Column::Position)
        .order_by_asc(question::Column::Id)
        .all(conn)
        .await?)
}

/// Every version of a question, oldest first.
pub async fn versions<C: ConnectionTrait>(
    conn: &C,
    question_id: i64,
) -> Result<Vec<question_version::Model>, StoreError> {
    Ok(question_version::Entity::find()
        .filter(question_version::Column::QuestionId.eq(question_id))
        .order_by_asc(question_version::Column::Version)
        .all(conn)
        .await?)
}

/// One version by id (what an attempt records), for delivery and grading.
pub async fn version<C: ConnectionTrait>(conn: &C, version_id: i64) -> Result<question_version::Model, StoreError> {
    question_version::Entity::find_by_id(version_id).one(conn).await?.ok_or(StoreError::NotFound)
}

/// Copies questions (their current content, tags and names; not their external ids) into a bank.
pub async fn copy_to_bank(
    txn: &DatabaseTransaction,
    scope: &Scope,
    questions: &[QuestionView],
    bank_id: i64,
    actor: Actor,
) -> Result<Vec<QuestionView>, StoreError> {
    let mut copies = Vec::with_capacity(questions.len());
    for q in questions {
        let new =
            NewQuestion { body: q.body.clone(), tags: tags_of(&q.question.tags), external_id: None, position: None };
        copies.push(create(txn, scope, Home::Bank(bank_id), new, actor).await?);
    }
    Ok(copies)
}

/// Moves questions into a bank (same ids and versions), at its end.
pub async fn move_to_bank(
    txn: &DatabaseTransaction,
    scope: &Scope,
    questions: &[QuestionView],
    bank_id: i64,
    actor: Actor,
) -> Result<Vec<QuestionView>, StoreError> {
    let mut moved = Vec::with_capacity(questions.len());
    for q in questions {
        let position = next_position(txn, scope, Home::Bank(bank_id)).await?;
        let mut model: question::ActiveModel = q.question.clone().into();
        model.bank_id = Set(Some(bank_id));
        model.quiz_id = Set(None);
        model.position = Set(position);
        model.updated_at = Set(crate::now());
        let updated = model.update(txn).await?;
        events::record_update(
            txn,
            scope.root_account_id(),
            "question",
            updated.id,
            actor,
            payload(&q.question, &q.version),
            payload(&updated, &q.version),
        )
        .await?;
        moved.push(QuestionView { question: updated, version: q.version.clone(), body: q.body.clone() });
    }
    Ok(moved)
}
