use sea_orm::entity::prelude::*;

/// One answer-key change that rescored delivered attempts of a quiz. `changes` is JSON: per regraded answer,
/// `{"quiz_submission_id", "question_id", "before", "after"}` (points).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_regrades")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_id: i64,
    pub question_id: i64,
    /// The version the attempts were rescored on.
    pub question_version: i32,
    /// `full_credit`, `current_correct_only` or `current_and_previous_correct`.
    pub policy: String,
    pub attempts_regraded: i32,
    pub changes: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
