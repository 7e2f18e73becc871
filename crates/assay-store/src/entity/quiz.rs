use sea_orm::entity::prelude::*;

/// A test (Canvas classic quiz). `workflow_state` is `unpublished`, `available` (published) or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quizzes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_id: Option<i64>,
    pub assignment_group_id: Option<i64>,
    pub title: String,
    /// Sanitised HTML.
    pub description: String,
    pub quiz_type: String,
    /// Minutes.
    pub time_limit: Option<i32>,
    /// -1: unlimited.
    pub allowed_attempts: i32,
    pub scoring_policy: String,
    pub shuffle_answers: bool,
    pub shuffle_questions: bool,
    pub one_question_at_a_time: bool,
    pub cant_go_back: bool,
    pub show_correct_answers: bool,
    pub show_correct_answers_at: Option<DateTimeUtc>,
    pub hide_correct_answers_at: Option<DateTimeUtc>,
    pub show_correct_answers_last_attempt: bool,
    pub one_time_results: bool,
    /// null, `always` or `until_after_last_attempt`.
    pub hide_results: Option<String>,
    pub access_code: Option<String>,
    pub ip_filter: Option<String>,
    pub due_at: Option<DateTimeUtc>,
    pub unlock_at: Option<DateTimeUtc>,
    pub lock_at: Option<DateTimeUtc>,
    pub position: i32,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
