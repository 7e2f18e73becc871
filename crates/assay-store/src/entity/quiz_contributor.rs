use sea_orm::entity::prelude::*;

/// Who may edit (`edit`) or grade (`grade`) one quiz besides the course's teachers (Inspera contributors).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_contributors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_id: i64,
    pub user_id: i64,
    pub role: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
