//! The Submission object of Canvas's Submissions API, with its derived fields (`late`, `missing`,
//! `seconds_late`) and what a student may not see of an unposted submission removed.

use std::collections::HashMap;

use assay_domain::grading::submission::{GRADED, SUBMITTED, UNSUBMITTED};
use assay_store::{
    entity::{assignment, submission, submission_comment, submission_version, user},
    submissions::{self, rules::GradingRules},
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// A file of an `online_upload` submission (Canvas `File`, the fields a submission shows).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    pub display_name: String,
    pub filename: String,
    #[serde(rename = "content-type")]
    pub content_type: String,
    pub size: i64,
    /// Where graders and the student download it (authenticated).
    pub url: String,
    pub upload_status: &'static str,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The author of a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentAuthorJson {
    pub id: Option<i64>,
    pub display_name: String,
}

/// A comment on a submission (Canvas `SubmissionComment`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionCommentJson {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub author: CommentAuthorJson,
    pub comment: String,
    pub attempt: Option<i32>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub edited_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The student of a submission (`include[]=user`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionUserJson {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    pub short_name: String,
}

/// The assignment of a submission (`include[]=assignment`): what reading a grade needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionAssignmentJson {
    pub id: i64,
    pub name: String,
    pub course_id: i64,
    pub points_possible: Option<f64>,
    pub grading_type: String,
    pub grading_standard_id: Option<i64>,
    pub submission_types: Vec<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub post_manually: bool,
}

/// A submission (Canvas `Submission`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionJson {
    pub id: i64,
    pub assignment_id: i64,
    pub course_id: i64,
    pub user_id: i64,
    /// Null until something is handed in.
    pub attempt: Option<i32>,
    pub body: Option<String>,
    pub url: Option<String>,
    pub submission_type: Option<String>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub attachments: Vec<AttachmentJson>,
    /// The grade text (after any late deduction); hidden from the student until posted.
    pub grade: Option<String>,
    pub score: Option<f64>,
    /// What the grader entered, before any late deduction.
    pub entered_grade: Option<String>,
    pub entered_score: Option<f64>,
    pub points_deducted: Option<f64>,
    pub grade_matches_current_submission: bool,
    pub graded_at: Option<chrono::DateTime<chrono::Utc>>,
    pub grader_id: Option<i64>,
    /// `unsubmitted`, `submitted`, `pending_review` or `graded`.
    pub workflow_state: String,
    pub late: bool,
    pub missing: bool,
    pub seconds_late: i64,
    pub excused: bool,
    /// A grader's decision: `late`, `missing`, `extended`, `none`; null: the dates decide.
    pub late_policy_status: Option<String>,
    pub extra_attempts: Option<i32>,
    /// When the result was posted to the student (null: hidden from them).
    pub posted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub cached_due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub assignment_visible: bool,
    pub html_url: String,
    pub preview_url: String,
    /// `include[]=submission_history`: every submitted and graded state, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub submission_history: Option<Vec<Value>>,
    /// `include[]=submission_comments`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_comments: Option<Vec<SubmissionCommentJson>>,
    /// `include[]=rubric_assessment`: `{criterion_id: {points, rating_id, comments}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub rubric_assessment: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<SubmissionUserJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<SubmissionAssignmentJson>,
}

/// What `include[]` asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Includes {
    pub history: bool,
    pub comments: bool,
    pub rubric_assessment: bool,
    pub user: bool,
    pub assignment: bool,
}

impl Includes {
    pub fn parse(include: &[String]) -> Includes {
        let has = |s: &str| include.iter().any(|i| i == s);
        Includes {
            history: has("submission_history"),
            comments: has("submission_comments"),
            rubric_assessment: has("rubric_assessment") || has("full_rubric_assessment"),
            user: has("user"),
            assignment: has("assignment"),
        }
    }
}

/// Everything rendering a page of submissions needs, loaded in bulk.
pub struct Renderer {
    pub base: String,
    pub now: chrono::DateTime<chrono::Utc>,
    /// The caller grades these submissions (sees everything); otherwise they are the student's own and show
    /// only what is posted.
    pub grader: bool,
    pub includes: Includes,
    pub assignments: HashMap<i64, assignment::Model>,
    pub rules: HashMap<i64, GradingRules>,
    pub comments: HashMap<i64, Vec<submission_comment::Model>>,
    pub versions: HashMap<i64, Vec<submission_version::Model>>,
    pub users: HashMap<i64, user::Model>,
}

/// Whether a student sees the result of this submission.
fn posted(sub: &submission::Model) -> bool {
    sub.posted_at.is_some()
}

/// The state a student sees while a grade is hidden from them.
fn student_state(sub: &submission::Model) -> String {
    if sub.workflow_state == GRADED {
        if sub.submitted_at.is_some() { SUBMITTED } else { UNSUBMITTED }.to_owned()
    } else {
        sub.workflow_state.clone()
    }
}

impl Renderer {
    fn hides(&self, sub: &submission::Model) -> bool {
        !self.grader && !posted(sub)
    }

    fn submission_url(&self, sub: &submission::Model) -> String {
        format!("{}/courses/{}/assignments/{}/submissions/{}", self.base, sub.course_id, sub.assignment_id, sub.user_id)
    }

    fn attachments(&self, sub: &submission::Model) -> Vec<AttachmentJson> {
        let listed: Vec<Value> =
            sub.attachments.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default();
        listed
            .iter()
            .filter_map(|f| {
                let id = f["id"].as_i64()?;
                let name = f["display_name"].as_str().unwrap_or_default().to_owned();
                Some(AttachmentJson {
                    id,
                    filename: name.clone(),
                    display_name: name,
                    content_type: f["content_type"].as_str().unwrap_or("application/octet-stream").to_owned(),
                    size: f["size"].as_i64().unwrap_or(0),
                    url: format!(
                        "{}/api/v1/courses/{}/assignments/{}/submissions/{}/files/{id}",
                        self.base, sub.course_id, sub.assignment_id, sub.user_id
                    ),
                    upload_status: "success",
                    created_at: f["created_at"].as_str().and_then(crate::params::de::parse_time),
                })
            })
            .collect()
    }

    fn comments(&self, sub: &submission::Model) -> Vec<SubmissionCommentJson> {
        let hidden = self.hides(sub);
        self.comments
            .get(&sub.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            // A grader's comments reach the student with the grade.
            .filter(|c| !hidden || c.author_id == Some(sub.user_id))
            .map(|c| {
                let name = c.author_id.and_then(|id| self.users.get(&id)).map(|u| u.name.clone()).unwrap_or_default();
                SubmissionCommentJson {
                    id: c.id,
                    author_id: c.author_id,
                    author_name: name.clone(),
                    author: CommentAuthorJson { id: c.author_id, display_name: name },
                    comment: c.comment.clone(),
                    attempt: c.attempt,
                    created_at: c.created_at,
                    edited_at: None,
                }
            })
            .collect()
    }

    fn history(&self, sub: &submission::Model) -> Vec<Value> {
        let hidden = self.hides(sub);
        self.versions
            .get(&sub.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| serde_json::from_str::<Value>(&v.data).ok())
            .map(|mut snapshot| {
                if hidden {
                    for key in [
                        "score",
                        "grade",
                        "entered_score",
                        "entered_grade",
                        "points_deducted",
                        "grader_id",
                        "graded_at",
                        "rubric_assessment",
                    ] {
                        snapshot[key] = Value::Null;
                    }
                    snapshot["excused"] = json!(false);
                    if snapshot["workflow_state"] == GRADED {
                        let submitted = !snapshot["submitted_at"].is_null();
                        snapshot["workflow_state"] = json!(if submitted { SUBMITTED } else { UNSUBMITTED });
                    }
                }
                snapshot
            })
            .collect()
    }

    pub fn render(&self, sub: &submission::Model) -> SubmissionJson {
        let hidden = self.hides(sub);
        let rules = self.rules.get(&sub.assignment_id);
        let timing = submissions::timing(sub);
        let expects = rules.is_none_or(|r| r.expects_submission);
        let html_url = self.submission_url(sub);
        let hide = |v: Option<f64>| if hidden { None } else { v };
        let hide_text = |v: &Option<String>| if hidden { None } else { v.clone() };
        SubmissionJson {
            id: sub.id,
            assignment_id: sub.assignment_id,
            course_id: sub.course_id,
            user_id: sub.user_id,
            attempt: (sub.attempt > 0).then_some(sub.attempt),
            body: sub.body.clone(),
            url: sub.url.clone(),
            submission_type: sub.submission_type.clone(),
            submitted_at: sub.submitted_at,
            attachments: self.attachments(sub),
            grade: hide_text(&sub.grade),
            score: hide(sub.score),
            entered_grade: hide_text(&sub.entered_grade),
            entered_score: hide(sub.entered_score),
            points_deducted: hide(sub.points_deducted),
            grade_matches_current_submission: sub.grade_matches_current_submission,
            graded_at: if hidden { None } else { sub.graded_at },
            grader_id: if hidden { None } else { sub.grader_id },
            workflow_state: if hidden { student_state(sub) } else { sub.workflow_state.clone() },
            late: timing.late(self.now),
            missing: timing.missing(self.now, expects, submissions::graded_by_grader(sub)),
            seconds_late: timing.seconds_late(self.now),
            excused: !hidden && sub.excused,
            late_policy_status: sub.late_policy_status.clone(),
            extra_attempts: sub.extra_attempts,
            posted_at: sub.posted_at,
            cached_due_at: sub.cached_due_at,
            assignment_visible: true,
            preview_url: format!("{html_url}?preview=1&version={}", sub.attempt),
            html_url,
            submission_history: self.includes.history.then(|| self.history(sub)),
            submission_comments: self.includes.comments.then(|| self.comments(sub)),
            rubric_assessment: (self.includes.rubric_assessment && !hidden).then(|| {
                sub.rubric_assessment
                    .as_deref()
                    .and_then(|a| serde_json::from_str::<Value>(a).ok())
                    .map(|a| a["data"].clone())
                    .unwrap_or_else(|| json!({}))
            }),
            user: self.includes.user.then(|| {
                let u = self.users.get(&sub.user_id);
                SubmissionUserJson {
                    id: sub.user_id,
                    name: u.map(|u| u.name.clone()).unwrap_or_default(),
                    sortable_name: u.map(|u| u.sortable_name.clone()).unwrap_or_default(),
                    short_name: u.map(|u| u.short_name.clone()).unwrap_or_default(),
                }
            }),
            assignment: self.includes.assignment.then(|| self.assignments.get(&sub.assignment_id)).flatten().map(|a| {
                SubmissionAssignmentJson {
                    id: a.id,
                    name: a.name.clone(),
                    course_id: a.course_id,
                    points_possible: a.points_possible,
                    grading_type: a.grading_type.clone(),
                    grading_standard_id: a.grading_standard_id,
                    submission_types: assay_store::assignments::submission_types(a),
                    due_at: sub.cached_due_at.or(a.due_at),
                    post_manually: a.post_manually,
                }
            }),
        }
    }
}
