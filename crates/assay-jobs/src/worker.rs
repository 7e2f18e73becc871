//! The worker: claims runnable jobs (SIS imports, bulk enrollments, content migrations, and the generic job
//! table's jobs) one at a time and runs them to the end, and submits quiz attempts whose deadline passed.

use std::time::Duration;

use assay_store::{
    Store, StoreError, attempts, content_migrations,
    entity::sis_import,
    events::Actor,
    jobs,
    sis_imports::{self, Outcome},
};
use serde::{Deserialize, Serialize};

use crate::{
    apply::{self, JobRef, Report},
    batch::{Batch, EnrollmentRow, Key, Located},
    parse,
};

/// How often an idle worker looks for work.
const POLL: Duration = Duration::from_millis(200);
/// A job still `importing` whose heartbeat is older than this lost its worker (a crash or restart) and is run
/// again. Running jobs beat at least once per chunk, far more often than this.
pub const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(120);

/// The input of a bulk enrollment job (stored as JSON in the job's data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkEnrollment {
    pub user_ids: Vec<i64>,
    pub course_ids: Vec<i64>,
    pub enrollment_type: String,
}

/// Runs the worker until the task is aborted.
pub fn spawn_worker(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match sis_imports::runnable(store.read(), STALE_AFTER).await {
                Ok(jobs) => {
                    for job in jobs {
                        match sis_imports::claim(store.read(), &job).await {
                            Ok(true) => run(&store, job).await,
                            Ok(false) => {}
                            Err(err) => tracing::warn!(error = %err, job = job.id, "claiming a job failed"),
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "looking for jobs failed; retrying"),
            }
            match content_migrations::runnable(store.read(), STALE_AFTER).await {
                Ok(jobs) => {
                    for job in jobs {
                        match content_migrations::claim(store.read(), &job).await {
                            Ok(true) => crate::qti_import::run(&store, job).await,
                            Ok(false) => {}
                            Err(err) => tracing::warn!(error = %err, migration = job.id, "claiming a migration failed"),
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "looking for content migrations failed; retrying"),
            }
            match jobs::runnable(store.read(), STALE_AFTER).await {
                Ok(found) => {
                    for job in found {
                        match jobs::claim(store.read(), &job).await {
                            Ok(true) => crate::queue::run(&store, job).await,
                            Ok(false) => {}
                            Err(err) => tracing::warn!(error = %err, job = job.id, "claiming a job failed"),
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "looking for jobs failed; retrying"),
            }
            sweep_overdue_attempts(&store).await;
            tokio::time::sleep(POLL).await;
        }
    })
}

/// How many overdue attempts one pass submits; a larger backlog is worked off over the next passes.
const SWEEP_BATCH: u64 = 200;

/// Submits attempts whose deadline passed, with what the candidates saved. The deadline is in the database, so
/// attempts that ran out while no server was up are submitted at the first pass after a start.
async fn sweep_overdue_attempts(store: &Store) {
    match attempts::overdue(store.read(), assay_store::now(), SWEEP_BATCH).await {
        Ok(due) => {
            for attempt in due {
                if let Err(err) = attempts::submit_overdue(store, &attempt).await {
                    tracing::warn!(error = %err, attempt = attempt.id, "submitting an overdue attempt failed");
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "looking for overdue attempts failed; retrying"),
    }
}

/// Runs one claimed job and records its outcome; failures are recorded on the job, never lost.
async fn run(store: &Store, job: sis_import::Model) {
    let started = std::time::Instant::now();
    tracing::info!(job = job.id, kind = %job.import_type, "job started");
    let outcome = execute(store, &job).await;
    let (outcome, message, results) = match outcome {
        Ok(report) => {
            let messages = report.errors.len() + report.warnings.len();
            let state = if messages == 0 { sis_imports::IMPORTED } else { sis_imports::IMPORTED_WITH_MESSAGES };
            let message = format!(
                "{} rows processed, {} changes, {} errors, {} warnings",
                report.counts.values().sum::<u64>(),
                report.total_changes(),
                report.errors.len(),
                report.warnings.len()
            );
            let results = serde_json::json!({
                "sis_import_id": job.id,
                "counts": report.counts_json(),
                "statistics": report.statistics_json(),
            });
            (outcome_of(state, &report), message, results)
        }
        Err(Failure::Input(message)) => (
            Outcome {
                workflow_state: sis_imports::FAILED_WITH_MESSAGES,
                counts: Report::default().counts_json(),
                statistics: Report::default().statistics_json(),
                errors: vec![[job.file_name.clone().unwrap_or_default(), message.clone()]],
                warnings: Vec::new(),
            },
            message,
            serde_json::json!({"sis_import_id": job.id}),
        ),
        Err(Failure::Store(err)) => {
            tracing::error!(error = %err, job = job.id, "job failed");
            (
                Outcome {
                    workflow_state: sis_imports::IMPORT_FAILED,
                    counts: Report::default().counts_json(),
                    statistics: Report::default().statistics_json(),
                    errors: vec![["".into(), "the import stopped on a database error; it is logged".into()]],
                    warnings: Vec::new(),
                },
                "the import failed".to_owned(),
                serde_json::json!({"sis_import_id": job.id}),
            )
        }
    };
    let failed = outcome.workflow_state == sis_imports::IMPORT_FAILED
        || outcome.workflow_state == sis_imports::FAILED_WITH_MESSAGES;
    let progress_id = job.progress_id;
    let id = job.id;
    let result = store
        .write(move |txn| {
            Box::pin(async move {
                sis_imports::finish(txn, id, &outcome).await?;
                let state = if failed { sis_imports::FAILED } else { sis_imports::COMPLETED };
                sis_imports::set_progress(txn, progress_id, state, 100.0, Some(message), Some(results)).await
            })
        })
        .await;
    if let Err(err) = result {
        tracing::error!(error = %err, job = id, "recording the end of a job failed");
    }
    tracing::info!(job = id, elapsed_ms = started.elapsed().as_millis() as u64, "job finished");
}

fn outcome_of(state: &'static str, report: &Report) -> Outcome {
    Outcome {
        workflow_state: state,
        counts: report.counts_json(),
        statistics: report.statistics_json(),
        errors: report.errors.iter().map(|m| m.pair()).collect(),
        warnings: report.warnings.iter().map(|m| m.pair()).collect(),
    }
}

enum Failure {
    /// The input cannot be read (it was checked when posted, so this is rare: e.g. a changed parser).
    Input(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::Store(err)
    }
}

async fn execute(store: &Store, job: &sis_import::Model) -> Result<Report, Failure> {
    let progress = job.progress_id;
    store
        .write(move |txn| {
            Box::pin(
                async move { sis_imports::set_progress(txn, progress, sis_imports::RUNNING, 0.0, None, None).await },
            )
        })
        .await?;
    let data = sis_imports::input(store.read(), job.id).await?;
    let file_name = job.file_name.clone();
    let import_type = job.import_type.clone();
    // Parsing is CPU work on a possibly large file: off the async threads.
    let batch = tokio::task::spawn_blocking(move || -> Result<Batch, String> {
        if import_type == sis_imports::BULK_ENROLLMENT {
            bulk_batch(&data)
        } else {
            parse::parse(&data, file_name.as_deref(), &import_type)
        }
    })
    .await
    .map_err(|e| Failure::Input(format!("reading the upload failed: {e}")))?
    .map_err(Failure::Input)?;
    let job_ref = JobRef {
        import_id: job.id,
        progress_id: job.progress_id,
        root_account_id: job.root_account_id,
        actor: Actor { user_id: job.user_id },
    };
    Ok(apply::apply(store, job_ref, batch).await?)
}

/// A bulk enrollment as a batch of enrollment rows: every user in every course, in the course's default section.
fn bulk_batch(data: &[u8]) -> Result<Batch, String> {
    let input: BulkEnrollment =
        serde_json::from_slice(data).map_err(|e| format!("the bulk enrollment request cannot be read: {e}"))?;
    let kind = match input.enrollment_type.as_str() {
        "StudentEnrollment" => "StudentEnrollment",
        "TeacherEnrollment" => "TeacherEnrollment",
        "TaEnrollment" => "TaEnrollment",
        "DesignerEnrollment" => "DesignerEnrollment",
        "ObserverEnrollment" => "ObserverEnrollment",
        other => return Err(format!("unknown enrollment type `{other}`")),
    };
    let file: std::sync::Arc<str> = std::sync::Arc::from("bulk_enrollment");
    let mut batch = Batch::default();
    batch.supply("enrollment");
    let mut line = 0;
    for course_id in &input.course_ids {
        for user_id in &input.user_ids {
            line += 1;
            batch.enrollments.push(Located {
                file: file.clone(),
                line,
                row: EnrollmentRow {
                    course: Some(Key::Id(*course_id)),
                    section: None,
                    user: Key::Id(*user_id),
                    kind,
                    state: "active",
                    associated_user: None,
                    limit_section_privileges: false,
                },
            });
        }
    }
    Ok(batch)
}
