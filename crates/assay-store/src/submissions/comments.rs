//! Comments on submissions (Canvas `SubmissionComment`).

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    Scope, StoreError,
    entity::{submission, submission_comment as row},
    events::{self, Actor},
};

/// The longest comment kept.
pub const MAX_COMMENT_CHARS: usize = 65_536;

/// Adds a comment by `author_id` on the submission's current attempt.
pub async fn add(
    txn: &DatabaseTransaction,
    scope: &Scope,
    sub: &submission::Model,
    author_id: Option<i64>,
    text: String,
    actor: Actor,
) -> Result<row::Model, StoreError> {
    let now = crate::now();
    let created = row::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        submission_id: Set(sub.id),
        author_id: Set(author_id),
        comment: Set(text),
        attempt: Set((sub.attempt > 0).then_some(sub.attempt)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    events::record_change(
        txn,
        scope.root_account_id(),
        "submission_comment.created",
        created.id,
        actor,
        json!({
            "id": created.id, "submission_id": sub.id, "assignment_id": sub.assignment_id, "user_id": sub.user_id,
            "author_id": author_id, "comment": created.comment,
        }),
    )
    .await?;
    Ok(created)
}

/// Adds a comment unless its author's latest comment on the submission says the same (a repeated request).
pub async fn add_once(
    txn: &DatabaseTransaction,
    scope: &Scope,
    sub: &submission::Model,
    author_id: Option<i64>,
    text: String,
    actor: Actor,
) -> Result<Option<row::Model>, StoreError> {
    let latest = row::Entity::find()
        .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(row::Column::SubmissionId.eq(sub.id))
        .filter(match author_id {
            Some(id) => row::Column::AuthorId.eq(id),
            None => row::Column::AuthorId.is_null(),
        })
        .order_by_desc(row::Column::Id)
        .one(txn)
        .await?;
    if latest.is_some_and(|c| c.comment == text) {
        return Ok(None);
    }
    add(txn, scope, sub, author_id, text, actor).await.map(Some)
}

/// The comments of these submissions, oldest first, by submission.
pub async fn of_submissions<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<row::Model>>, StoreError> {
    let mut out: HashMap<i64, Vec<row::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in row::Entity::find()
            .filter(row::Column::RootAccountId.eq(scope.root_account_id()))
            .filter(row::Column::SubmissionId.is_in(chunk.iter().copied()))
            .order_by_asc(row::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(c.submission_id).or_default().push(c);
        }
    }
    Ok(out)
}
