use sea_orm::entity::prelude::*;

/// A candidate's appeal of their result on an assignment (Inspera): the whole result, or one question of the quiz
/// attempt behind it. `workflow_state` is `open`, `resolved`, `rejected` or `withdrawn`; only `open` ever changes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appeals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    /// The result appealed.
    pub submission_id: i64,
    /// The candidate.
    pub user_id: i64,
    /// The quiz attempt the result came from, when it did.
    pub quiz_submission_id: Option<i64>,
    /// The question appealed (its id in the attempt); none for the whole result.
    pub question_id: Option<i64>,
    pub workflow_state: String,
    pub reason: String,
    /// The result's score when the appeal was registered.
    pub score_before: Option<f64>,
    /// The score a resolution gave the result.
    pub score_after: Option<f64>,
    /// Who resolved, rejected or withdrew it.
    pub closed_by_id: Option<i64>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
