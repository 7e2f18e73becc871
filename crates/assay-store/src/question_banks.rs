//! Question banks (Ans): owned by an account or a course, searchable by title and tag, addressable by
//! `external_id`. Their questions are in `questions.rs`.

use std::collections::HashMap;

use assay_domain::id_ref::{ExternalKey, IdRef};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::{question, question_bank, quiz_group},
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

/// Who owns a bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Account(i64),
    Course(i64),
}

impl Owner {
    pub fn of(bank: &question_bank::Model) -> Owner {
        match (bank.course_id, bank.account_id) {
            (Some(course), _) => Owner::Course(course),
            (None, account) => Owner::Account(account.unwrap_or_default()),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BankFields {
    pub title: Option<String>,
    pub external_id: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct BankFilter {
    /// Part of the title, ignoring case.
    pub search_term: Option<String>,
    /// Banks carrying every one of these tags.
    pub tags: Vec<String>,
}

pub fn tags_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

/// A `LIKE` pattern matching `term` anywhere (lower-cased, wildcards escaped with `\`).
pub(crate) fn contains_pattern(term: &str) -> String {
    format!("%{}%", term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// A condition: the JSON tag array in `column` holds `tag`.
pub(crate) fn has_tag(column: impl sea_orm::ColumnTrait, tag: &str) -> sea_orm::sea_query::SimpleExpr {
    let encoded = serde_json::to_string(tag).unwrap_or_default();
    let pattern = format!("%{}%", encoded.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    Expr::col(column).like(LikeExpr::new(pattern).escape('\\'))
}

pub fn payload(b: &question_bank::Model) -> serde_json::Value {
    json!({"id": b.id, "title": b.title, "account_id": b.account_id, "course_id": b.course_id,
        "external_id": b.external_id, "tags": tags_of(&b.tags), "workflow_state": b.workflow_state})
}

pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    owner: Owner,
    fields: BankFields,
    actor: Actor,
) -> Result<question_bank::Model, StoreError> {
    let now = crate::now();
    let (account_id, course_id) = match owner {
        Owner::Account(id) => (Some(id), None),
        Owner::Course(id) => (None, Some(id)),
    };
    let created = question_bank::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        account_id: Set(account_id),
        course_id: Set(course_id),
        title: Set(fields.title.unwrap_or_else(|| "No Name - Question Bank".to_owned())),
        external_id: Set(fields.external_id.flatten()),
        tags: Set(tags_json(&fields.tags.unwrap_or_default())),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(txn, scope.root_account_id(), "question_bank.created", created.id, actor, payload(&created))
        .await?;
    Ok(created)
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    owner: Owner,
    filter: &BankFilter,
    request: &PageRequest,
) -> Result<Page<question_bank::Model>, StoreError> {
    let mut select = question_bank::Entity::find()
        .filter(question_bank::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question_bank::Column::WorkflowState.eq(ACTIVE));
    select = match owner {
        Owner::Account(id) => select.filter(question_bank::Column::AccountId.eq(id)),
        Owner::Course(id) => select.filter(question_bank::Column::CourseId.eq(id)),
    };
    if let Some(term) = &filter.search_term {
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(question_bank::Column::Title)))
                .like(LikeExpr::new(contains_pattern(term)).escape('\\')),
        );
    }
    for tag in &filter.tags {
        select = select.filter(has_tag(question_bank::Column::Tags, tag));
    }
    let sort = [SortColumn::<question_bank::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "question_banks", &sort, request).await
}

/// An active bank of the caller's school, by id or `external_id:X`.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: &IdRef) -> Result<question_bank::Model, StoreError> {
    let select = question_bank::Entity::find()
        .filter(question_bank::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question_bank::Column::WorkflowState.eq(ACTIVE));
    let select = match id {
        IdRef::Id(id) => select.filter(question_bank::Column::Id.eq(*id)),
        IdRef::External(ExternalKey::Sis, v) => select.filter(question_bank::Column::ExternalId.eq(v.as_str())),
        _ => return Err(StoreError::NotFound),
    };
    select.one(conn).await?.ok_or(StoreError::NotFound)
}

pub async fn update(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &question_bank::Model,
    fields: BankFields,
    actor: Actor,
) -> Result<question_bank::Model, StoreError> {
    let mut model: question_bank::ActiveModel = current.clone().into();
    crate::assign(&mut model.title, fields.title);
    crate::assign(&mut model.external_id, fields.external_id);
    crate::assign(&mut model.tags, fields.tags.map(|t| tags_json(&t)));
    model.updated_at = Set(crate::now());
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "question_bank",
        updated.id,
        actor,
        payload(current),
        payload(&updated),
    )
    .await?;
    Ok(updated)
}

/// Deletes a bank and its questions (kept, marked deleted). Refused while a quiz group draws from it.
pub async fn delete(
    txn: &DatabaseTransaction,
    scope: &Scope,
    current: &question_bank::Model,
    actor: Actor,
) -> Result<question_bank::Model, StoreError> {
    let drawing = quiz_group::Entity::find()
        .filter(quiz_group::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(quiz_group::Column::BankId.eq(current.id))
        .count(txn)
        .await?;
    if drawing > 0 {
        return Err(StoreError::Busy {
            message: format!("{drawing} quiz question group(s) draw from this bank; point them elsewhere first."),
        });
    }
    question::Entity::update_many()
        .col_expr(question::Column::WorkflowState, Expr::val(DELETED))
        .col_expr(question::Column::ExternalId, Expr::val(Option::<String>::None))
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::BankId.eq(current.id))
        .exec(txn)
        .await?;
    let mut model: question_bank::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.external_id = Set(None);
    model.updated_at = Set(crate::now());
    let deleted = model.update(txn).await?;
    events::record_change(txn, scope.root_account_id(), "question_bank.deleted", deleted.id, actor, payload(current))
        .await?;
    Ok(deleted)
}

/// The number of active questions in each bank.
pub async fn question_counts<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    bank_ids: &[i64],
) -> Result<HashMap<i64, u64>, StoreError> {
    if bank_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<i64>, i64)> = question::Entity::find()
        .select_only()
        .column(question::Column::BankId)
        .column_as(question::Column::Id.count(), "n")
        .filter(question::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(question::Column::BankId.is_in(bank_ids.iter().copied()))
        .filter(question::Column::WorkflowState.eq(ACTIVE))
        .group_by(question::Column::BankId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(bank, n)| bank.map(|b| (b, u64::try_from(n).unwrap_or(0)))).collect())
}
