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
