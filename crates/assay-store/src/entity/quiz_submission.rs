use sea_orm::entity::prelude::*;

/// One attempt at a quiz (Canvas QuizSubmission). `workflow_state` is `untaken` (in progress), `pending_review`
/// (waiting for manual grading) or `complete`. The draw and the deadline are frozen when the attempt starts.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub quiz_id: i64,
    pub user_id: i64,
    /// The assignment submission this attempt's score flows into (none for ungraded quizzes).
    pub submission_id: Option<i64>,
    /// 1-based.
    pub attempt: i32,
    pub workflow_state: String,
    /// Seeds every random choice of this attempt (group picks, shuffles, formula variables).
    pub seed: i64,
    /// JSON: the questions this attempt shows, in order, with the version each one is frozen at.
    pub draw: String,
    /// Canvas clients echo it back when answering; it proves the caller holds this attempt.
    pub validation_token: String,
    pub started_at: DateTimeUtc,
    /// The deadline: min(start + time limit + extra time, lock date); none when neither applies.
    pub end_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub points_possible: f64,
    pub score: Option<f64>,
    pub fudge_points: f64,
    pub extra_time: i32,
    pub manually_unlocked: bool,
    /// Submitted by the server because the deadline passed.
    pub overdue: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
