use sea_orm::entity::prelude::*;

/// A comment on a submission (Canvas `SubmissionComment`), by its student or a grader. A grader's comments reach
/// the student only once the submission is posted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submission_comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub submission_id: i64,
    pub author_id: Option<i64>,
    pub comment: String,
    pub attempt: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
