use sea_orm::entity::prelude::*;

/// A student's result on one assignment (Canvas Submission). `workflow_state` is `unsubmitted`, `submitted`,
/// `pending_review` or `graded`. The grade the gradebook reads is `score`/`grade`; `entered_*` hold what the
/// grader gave before any late deduction (`points_deducted`). Students see the grade only once `posted_at` is set.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    pub user_id: i64,
    /// How many times the student submitted (0: never).
    pub attempt: i32,
    pub workflow_state: String,
    /// `online_quiz`, `online_text_entry`, `online_url`, `online_upload`, or none yet.
    pub submission_type: Option<String>,
    /// Sanitised HTML of a text entry.
    pub body: Option<String>,
    pub url: Option<String>,
    /// JSON array of uploaded files.
    pub attachments: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub cached_due_at: Option<DateTimeUtc>,
    pub score: Option<f64>,
    pub entered_score: Option<f64>,
    pub grade: Option<String>,
    pub entered_grade: Option<String>,
    pub points_deducted: Option<f64>,
    pub graded_at: Option<DateTimeUtc>,
    pub grader_id: Option<i64>,
    pub grade_matches_current_submission: bool,
    pub excused: bool,
    /// `late`, `missing`, `extended`, `none`, or null (decided by the dates).
    pub late_policy_status: Option<String>,
    pub seconds_late_override: Option<i64>,
    pub extra_attempts: Option<i32>,
    pub posted_at: Option<DateTimeUtc>,
    /// The attempt whose score is kept, for quizzes.
    pub quiz_submission_id: Option<i64>,
    /// JSON: the last rubric assessment.
    pub rubric_assessment: Option<String>,
    /// The score is the one the course's late policy gives a missing submission (not a grader's); it goes when
    /// the student hands something in.
    pub missing_policy_applied: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
