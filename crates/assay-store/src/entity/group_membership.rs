use sea_orm::entity::prelude::*;

/// A user's place in a group. `workflow_state` is `accepted`, `invited`, `requested` or `deleted` (left).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub group_id: i64,
    pub user_id: i64,
    pub workflow_state: String,
    pub moderator: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
