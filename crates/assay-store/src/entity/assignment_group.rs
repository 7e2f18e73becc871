use sea_orm::entity::prelude::*;

/// A course's assignment group: a weighted bucket of assignments with drop rules. `rules` and
/// `integration_data` are JSON text; `workflow_state` is `available` or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assignment_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub name: String,
    pub position: i32,
    pub group_weight: f64,
    pub rules: Option<String>,
    pub sis_source_id: Option<String>,
    pub integration_data: Option<String>,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
