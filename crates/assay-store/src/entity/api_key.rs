use sea_orm::entity::prelude::*;

/// A key sent as `Authorization: Api-Key <prefix>.<secret>`, bound to an account (or a course) with reviewer
/// rights (Momotor). Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub account_id: i64,
    pub course_id: Option<i64>,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    pub created_by_user_id: Option<i64>,
    pub workflow_state: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
