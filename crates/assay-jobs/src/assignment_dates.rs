//! The bulk date change of a course's assignments (`PUT /courses/:id/assignments/bulk_update`, Canvas §3.6), as a
//! job: every date is checked again against the course as it is now, then applied in the same transaction that
//! ends the job. All or nothing: any problem fails the job with every problem in its results and changes nothing.
//! Idempotent: the dates are absolute, and the work commits only together with the job's end, so a job rerun after
//! its worker died either finds it done or does it once.

use assay_domain::IdRef;
use assay_store::{
    Scope, Store, StoreError, assignments,
    assignments::BulkUpdateJob,
    courses,
    entity::job,
    events::Actor,
    jobs::{self, COMPLETED, FAILED},
};
use serde_json::json;

use crate::queue::Failure;

pub async fn run(store: &Store, job: &job::Model, payload: &serde_json::Value) -> Result<(), Failure> {
    let input = BulkUpdateJob::from_payload(payload)
        .map_err(|e| Failure::Input(format!("the bulk update cannot be read: {e}")))?;
    let scope = Scope::school(job.root_account_id);
    let actor = Actor { user_id: job.user_id };
    let job = job.clone();
    store
        .write(move |txn| {
            Box::pin(async move {
                let course = match courses::find(txn, &scope, &IdRef::Id(input.course_id), false).await {
                    Ok(course) => course.course,
                    Err(StoreError::NotFound) => {
                        let message = "the course was deleted before the update ran".to_owned();
                        let results = json!({ "errors": [{ "message": message }] });
                        return jobs::finish(txn, &job, FAILED, message, results).await;
                    }
                    Err(other) => return Err(other),
                };
                match assignments::bulk_update_dates(txn, &scope, &course, input.items, actor).await? {
                    Ok(count) => {
                        let message = format!("{count} assignments updated");
                        jobs::finish(txn, &job, COMPLETED, message, json!({ "updated": count })).await
                    }
                    Err(problems) => {
                        // Nothing was written: `bulk_update_dates` checks everything first.
                        let errors: Vec<serde_json::Value> = problems
                            .iter()
                            .map(|p| json!({ "pointer": format!("/{}/{}", p.index, p.field), "message": p.message }))
                            .collect();
                        let message = format!("{} problems; nothing was changed", errors.len());
                        jobs::finish(txn, &job, FAILED, message, json!({ "errors": errors })).await
                    }
                }
            })
        })
        .await?;
    Ok(())
}
