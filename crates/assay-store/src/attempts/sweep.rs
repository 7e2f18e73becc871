//! The sweep: attempts still in progress whose deadline passed are submitted with what was saved, by the
//! background worker. It reads the database (index `ix_quiz_submissions_open`), so a deadline that passed while
//! no server ran is honoured at the next start.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Finish, UNTAKEN, finish};
use crate::{Scope, Store, StoreError, entity::quiz_submission, events::Actor};

/// Attempts of every school in progress whose deadline is at or before `now`, earliest deadline first.
pub async fn overdue<C: ConnectionTrait>(
    conn: &C,
    now: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<quiz_submission::Model>, StoreError> {
    Ok(quiz_submission::Entity::find()
        .filter(quiz_submission::Column::WorkflowState.eq(UNTAKEN))
        .filter(quiz_submission::Column::EndAt.lte(now))
        .order_by_asc(quiz_submission::Column::EndAt)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Submits one overdue attempt (each in its own transaction; an attempt submitted meanwhile is left as it is).
pub async fn submit_overdue(store: &Store, attempt: &quiz_submission::Model) -> Result<(), StoreError> {
    let (id, scope) = (attempt.id, Scope::school(attempt.root_account_id));
    store
        .write(move |txn| Box::pin(async move { finish(txn, &scope, id, Finish::Overdue, Actor::system()).await }))
        .await?;
    Ok(())
}
