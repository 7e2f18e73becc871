//! The generic job table (`assay_store::jobs`): the worker claims a runnable job and runs the handler of its
//! `kind`. A handler does its work and ends the job in one transaction (see `assay_store::jobs`); whatever stops it
//! before that (an unreadable payload, a database error, a kind this build does not know) is recorded here as a
//! failed job, never lost. New kinds (bulk grading, regrades) add a handler module and a line to [`execute`].

use assay_store::{
    Store, StoreError,
    entity::job,
    jobs::{self, FAILED},
};

/// Why a handler stopped without ending its job.
#[derive(Debug)]
pub enum Failure {
    /// The payload cannot be read (the request checked it when queued, so this means a changed format).
    Input(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::Store(err)
    }
}

/// Runs one claimed job to its end.
pub async fn run(store: &Store, job: job::Model) {
    let started = std::time::Instant::now();
    tracing::info!(job = job.id, kind = %job.kind, "job started");
    if let Err(failure) = execute(store, &job).await {
        let message = match &failure {
            Failure::Input(message) => message.clone(),
            Failure::Store(err) => {
                tracing::error!(error = %err, job = job.id, "job failed");
                "the job stopped on a database error; it is logged".to_owned()
            }
        };
        let results = serde_json::json!({ "errors": [{ "message": message }] });
        let failed = job.clone();
        let recorded = store
            .write(move |txn| Box::pin(async move { jobs::finish(txn, &failed, FAILED, message, results).await }))
            .await;
        if let Err(err) = recorded {
            tracing::error!(error = %err, job = job.id, "recording the end of a job failed");
        }
    }
    tracing::info!(job = job.id, elapsed_ms = started.elapsed().as_millis() as u64, "job finished");
}

async fn execute(store: &Store, job: &job::Model) -> Result<(), Failure> {
    let payload: serde_json::Value = serde_json::from_str(&job.payload)
        .map_err(|e| Failure::Input(format!("the job's input cannot be read: {e}")))?;
    match job.kind.as_str() {
        assay_store::assignments::BULK_UPDATE_JOB => crate::assignment_dates::run(store, job, &payload).await,
        other => Err(Failure::Input(format!("this server does not know jobs of kind `{other}`"))),
    }
}
