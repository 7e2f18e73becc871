use sea_orm::entity::prelude::*;

/// One past state of a submission (Canvas `submission_history`): written whenever it is submitted or graded.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "submission_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub submission_id: i64,
    pub attempt: i32,
    /// JSON snapshot of the submission as it was.
    pub data: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
