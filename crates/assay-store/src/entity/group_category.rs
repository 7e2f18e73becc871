use sea_orm::entity::prelude::*;

/// A course's group set (Canvas "group category"). `self_signup` is `enabled`, `restricted` or null;
/// `auto_leader` is `first`, `random` or null; `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "group_categories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub name: String,
    pub self_signup: Option<String>,
    /// The most members a group of the set may have (a group's own `max_membership` wins).
    pub group_limit: Option<i32>,
    pub auto_leader: Option<String>,
    pub sis_group_category_id: Option<String>,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
