use sea_orm::entity::prelude::*;

/// A student's accommodation on one quiz (Canvas quiz extensions, spec §3.10).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_extensions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_id: i64,
    pub user_id: i64,
    pub extra_attempts: i32,
    /// Minutes added to the time limit of every attempt.
    pub extra_time: i32,
    pub manually_unlocked: bool,
    pub end_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
