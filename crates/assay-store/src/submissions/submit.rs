//! A student hands work in (Canvas `POST …/assignments/:id/submissions`): each submission is a new attempt with
//! its own version and a `submission.submitted` event. The attempt limit is checked inside the write, so two
//! concurrent submits cannot both take the last attempt; an identical submit moments after the last one (a double
//! click, a retried request) returns the submission as it is instead of spending another attempt.

use assay_domain::grading::submission::{DOUBLE_SUBMIT_WINDOW_SECONDS, SUBMITTED, may_attempt};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use serde_json::json;

use super::{comments, files, record_version};
use crate::{
    Scope, StoreError,
    entity::{submission, submission_file},
    events::{self, Actor},
};

/// What is handed in.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Sanitised HTML.
    TextEntry(String),
    /// A checked, normalised URL.
    Url(String),
    /// Ids of files the student uploaded for this assignment.
    Upload(Vec<i64>),
}

impl Work {
    pub fn submission_type(&self) -> &'static str {
        match self {
            Work::TextEntry(_) => "online_text_entry",
            Work::Url(_) => "online_url",
            Work::Upload(_) => "online_upload",
        }
    }
}

/// A submit as the student sends it, with what the checks before the write found.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub course_id: i64,
    pub assignment_id: i64,
    pub user_id: i64,
    pub work: Work,
    pub comment: Option<String>,
    /// The student's effective due date.
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The assignment's `allowed_attempts` (-1: unlimited) and the attempts the student's extension adds.
    pub allowed_attempts: i32,
    pub extra_attempts: i32,
}

/// What a submit did.
#[derive(Debug, Clone)]
pub enum Submitted {
    /// A new attempt.
    New(submission::Model),
    /// The same work as the last attempt, moments ago: nothing changed.
    Repeated(submission::Model),
}

/// Why a submit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Every allowed attempt is used.
    NoAttemptsLeft { allowed: i32 },
    /// These file ids are not available files the student uploaded for this assignment.
    UnknownFiles(Vec<i64>),
}

/// The file list a submission stores (`attachments`).
pub fn attachments_json(found: &[submission_file::Model]) -> String {
    serde_json::Value::Array(
        found
            .iter()
            .map(|f| {
                json!({"id": f.id, "display_name": f.display_name, "content_type": f.content_type, "size": f.size,
                       "created_at": f.created_at})
            })
            .collect(),
    )
    .to_string()
}

/// The ids of the files a submission lists.
pub fn attachment_ids(sub: &submission::Model) -> Vec<i64> {
    sub.attachments
        .as_deref()
        .and_then(|a| serde_json::from_str::<Vec<serde_json::Value>>(a).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["id"].as_i64())
        .collect()
}

fn same_work(sub: &submission::Model, work: &Work) -> bool {
    if sub.submission_type.as_deref() != Some(work.submission_type()) {
        return false;
    }
    match work {
        Work::TextEntry(body) => sub.body.as_deref() == Some(body.as_str()),
        Work::Url(url) => sub.url.as_deref() == Some(url.as_str()),
        Work::Upload(ids) => attachment_ids(sub) == *ids,
    }
}

/// Hands in `new` for its student.
pub async fn submit(
    txn: &DatabaseTransaction,
    scope: &Scope,
    new: NewSubmission,
    actor: Actor,
) -> Result<Result<Submitted, Refusal>, StoreError> {
    let current = super::find_or_create(txn, scope, new.course_id, new.assignment_id, new.user_id).await?;
    let now = crate::now();
    let recent = current.submitted_at.is_some_and(|at| (now - at).num_seconds() < DOUBLE_SUBMIT_WINDOW_SECONDS);
    if recent && same_work(&current, &new.work) {
        return Ok(Ok(Submitted::Repeated(current)));
    }
    if !may_attempt(new.allowed_attempts, new.extra_attempts, current.attempt) {
        return Ok(Err(Refusal::NoAttemptsLeft { allowed: new.allowed_attempts.saturating_add(new.extra_attempts) }));
    }
    let mut model: submission::ActiveModel = current.clone().into();
    model.body = Set(None);
    model.url = Set(None);
    model.attachments = Set(None);
    match &new.work {
        Work::TextEntry(body) => model.body = Set(Some(body.clone())),
        Work::Url(url) => model.url = Set(Some(url.clone())),
        Work::Upload(ids) => {
            let owner =
                files::Owner { course_id: new.course_id, assignment_id: new.assignment_id, user_id: new.user_id };
            let found = files::owned(txn, scope, &owner, ids).await?;
            if found.len() != ids.len() {
                let unknown = ids.iter().filter(|id| !found.iter().any(|f| f.id == **id)).copied().collect();
                return Ok(Err(Refusal::UnknownFiles(unknown)));
            }
            model.attachments = Set(Some(attachments_json(&found)));
        }
    }
    model.submission_type = Set(Some(new.work.submission_type().to_owned()));
    model.attempt = Set(current.attempt + 1);
    model.submitted_at = Set(Some(now));
    model.cached_due_at = Set(new.due_at);
    model.quiz_submission_id = Set(None);
    let held_missing_score = super::holds_missing_score(&current);
    if held_missing_score {
        // The score stood for "handed in nothing"; now there is something to grade.
        model.entered_score = Set(None);
        model.entered_grade = Set(None);
        model.score = Set(None);
        model.grade = Set(None);
        model.points_deducted = Set(None);
        model.graded_at = Set(None);
        model.missing_policy_applied = Set(false);
    }
    let keeps_grade = current.score.is_some() && !held_missing_score;
    // A resubmission waits for grading again; the earlier grade stays until a grader replaces it.
    model.workflow_state = Set(SUBMITTED.to_owned());
    model.grade_matches_current_submission = Set(!keeps_grade);
    model.updated_at = Set(now);
    let updated = model.update(txn).await?;
    record_version(txn, &updated).await?;
    let timing = super::timing(&updated);
    events::record_change(
        txn,
        scope.root_account_id(),
        "submission.submitted",
        updated.id,
        actor,
        json!({
            "id": updated.id, "assignment_id": updated.assignment_id, "user_id": updated.user_id,
            "course_id": updated.course_id, "attempt": updated.attempt, "submission_type": updated.submission_type,
            "submitted_at": updated.submitted_at, "late": timing.late(now), "seconds_late": timing.seconds_late(now),
        }),
    )
    .await?;
    if let Some(text) = new.comment {
        comments::add(txn, scope, &updated, Some(new.user_id), text, actor).await?;
    }
    Ok(Ok(Submitted::New(updated)))
}
