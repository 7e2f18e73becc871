//! Missing work gets its late-policy score even when nobody reads the course's submissions (the gradebook reads
//! the submissions table directly): the worker periodically brings the submission rows of every course whose late
//! policy scores missing work up to date (`submissions::sync`: rows for assigned students, current due dates, the
//! missing score given or taken away). A course that is up to date costs reads only.

use std::time::Duration;

use assay_domain::IdRef;
use assay_store::{Scope, Store, StoreError, assignments, courses, late_policies, submissions};

/// How often the sweep runs.
pub const EVERY: Duration = Duration::from_secs(60);

/// Brings every missing-scoring course up to date; failures are logged and the course is visited next time.
pub async fn sweep(store: &Store) {
    let found = match late_policies::missing_scoring_courses_unscoped(store.read()).await {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(error = %err, "looking for courses with a missing-work policy failed; retrying");
            return;
        }
    };
    for (school, course_id) in found {
        if let Err(err) = sweep_course(store, Scope::school(school), course_id).await {
            tracing::warn!(error = %err, course = course_id, "bringing missing work up to date failed");
        }
    }
}

async fn sweep_course(store: &Store, scope: Scope, course_id: i64) -> Result<(), StoreError> {
    let view = match courses::find(store.read(), &scope, &IdRef::Id(course_id), false).await {
        Ok(view) => view,
        // A deleted course has nothing to grade.
        Err(StoreError::NotFound) => return Ok(()),
        Err(other) => return Err(other),
    };
    let list = assignments::in_course(store.read(), &scope, course_id).await?;
    submissions::sync::sync(store, &scope, &view.course, &view.account_path.ids(), &list, None).await
}
