use sea_orm::entity::prelude::*;

/// A question placed in a quiz: fixed (`quiz_group_id` null, ordered with the groups by `position`) or in a
/// group's pool (ordered within the group).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_id: i64,
    pub question_id: i64,
    pub quiz_group_id: Option<i64>,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
