use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    /// The account the user was provisioned in; admins of it and of its ancestors manage the user.
    pub account_id: i64,
    pub name: String,
    pub sortable_name: String,
    pub sort_key: String,
    pub short_name: String,
    pub sis_user_id: Option<String>,
    pub integration_id: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
