use sea_orm::entity::prelude::*;

/// One row of the transactional outbox.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub seq: Option<i64>,
    pub root_account_id: i64,
    pub event_type: String,
    pub subject_type: String,
    pub subject_id: i64,
    pub actor_user_id: Option<i64>,
    pub payload: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
