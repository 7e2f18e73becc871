//! Bulk grading of an assignment (`POST …/submissions/update_grades`, Canvas `submissions_api#bulk_update`) as a
//! job: every entry is checked again against the course as it is now, then graded in the transaction that ends
//! the job. All or nothing: any problem fails the job with every problem in its results and grades nothing.
//! Idempotent: grades are absolute and commit only together with the job's end, so a job rerun after its worker
//! died either finds itself done or grades once.

use assay_domain::IdRef;
use assay_store::{
    Scope, Store, StoreError, courses,
    entity::job,
    events::Actor,
    jobs::{self, COMPLETED, FAILED},
    submissions::bulk::{self, UpdateGradesJob},
};
use serde_json::json;

use crate::queue::Failure;

pub async fn run(store: &Store, job: &job::Model, payload: &serde_json::Value) -> Result<(), Failure> {
    let input: UpdateGradesJob = serde_json::from_value(payload.clone())
        .map_err(|e| Failure::Input(format!("the grades cannot be read: {e}")))?;
    let scope = Scope::school(job.root_account_id);
    let actor = Actor { user_id: job.user_id };
    let job = job.clone();
    store
        .write(move |txn| {
            Box::pin(async move {
                let view = match courses::find(txn, &scope, &IdRef::Id(input.course_id), false).await {
                    Ok(view) => view,
                    Err(StoreError::NotFound) => {
                        let message = "the course was deleted before the grades ran".to_owned();
                        let results = json!({ "errors": [{ "message": message }] });
                        return jobs::finish(txn, &job, FAILED, message, results).await;
                    }
                    Err(other) => return Err(other),
                };
                let account_ids = view.account_path.ids();
                let outcome = bulk::update_grades(
                    txn,
                    &scope,
                    &view.course,
                    &account_ids,
                    input.assignment_id,
                    input.entries,
                    actor,
                )
                .await?;
                match outcome {
                    Ok(changed) => {
                        let message = format!("{changed} submissions graded");
                        jobs::finish(txn, &job, COMPLETED, message, json!({ "graded": changed })).await
                    }
                    Err(problems) => {
                        let errors: Vec<serde_json::Value> = problems
                            .iter()
                            .map(|(user, p)| {
                                let pointer = if p.field.is_empty() {
                                    format!("/grade_data/{user}")
                                } else {
                                    format!("/grade_data/{user}/{}", p.field)
                                };
                                json!({ "pointer": pointer, "message": p.message })
                            })
                            .collect();
                        let message = format!("{} problems; no grade was changed", errors.len());
                        jobs::finish(txn, &job, FAILED, message, json!({ "errors": errors })).await
                    }
                }
            })
        })
        .await?;
    Ok(())
}
