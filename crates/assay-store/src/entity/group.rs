use sea_orm::entity::prelude::*;

/// A group of a course's group set. `join_level` is `invitation_only`, `parent_context_auto_join` or
/// `parent_context_request`; `workflow_state` is `available` or `deleted`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub group_category_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub is_public: bool,
    pub join_level: String,
    pub max_membership: Option<i32>,
    pub sis_group_id: Option<String>,
    pub leader_id: Option<i64>,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
