//! A quiz extension given while its student is sitting the quiz reaches the attempt in progress: its extra time
//! and its deadline move at once (`assay_domain::attempt::extended_deadline`), so the candidate keeps working
//! and the overdue sweep waits for the new end.

use assay_domain::attempt::{Extend, extended_deadline};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};

use super::{UNTAKEN, of_user, payload};
use crate::{
    Scope, StoreError,
    entity::{quiz, quiz_submission},
    events::{self, Actor},
};

/// Moves `user_id`'s attempt in progress at `quiz` (if any) to the extension's extra time (`old` → `new`
/// minutes) and explicit extension; returns the attempt when it changed.
pub async fn extend_in_progress(
    txn: &DatabaseTransaction,
    scope: &Scope,
    quiz: &quiz::Model,
    user_id: i64,
    (old_extra, new_extra): (i32, i32),
    extend: Option<Extend>,
    actor: Actor,
) -> Result<Option<quiz_submission::Model>, StoreError> {
    let Some(current) = of_user(txn, scope, quiz.id, user_id).await?.into_iter().find(|a| a.workflow_state == UNTAKEN)
    else {
        return Ok(None);
    };
    let now = crate::now();
    let end_at =
        extended_deadline(current.end_at, current.started_at, quiz.time_limit, (old_extra, new_extra), extend, now);
    if end_at == current.end_at && new_extra == current.extra_time {
        return Ok(None);
    }
    let mut model: quiz_submission::ActiveModel = current.clone().into();
    model.end_at = Set(end_at);
    model.extra_time = Set(new_extra);
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    events::record_update(
        txn,
        scope.root_account_id(),
        "attempt",
        updated.id,
        actor,
        payload(&current),
        payload(&updated),
    )
    .await?;
    Ok(Some(updated))
}
