use sea_orm::entity::prelude::*;

/// A grader's explanation of a candidate's result (Inspera), on its own or answering an appeal (`appeal_id`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grade_explanations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    /// The result explained.
    pub submission_id: i64,
    /// The candidate.
    pub user_id: i64,
    /// The question explained (its id in the attempt); none for the whole result.
    pub question_id: Option<i64>,
    pub appeal_id: Option<i64>,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
