use sea_orm::entity::prelude::*;

/// A named grading scheme of a course or an account (Canvas `GradingStandard`). `context_type` is `Course` or
/// `Account`; `data` is the JSON list of `{name, value}` steps (value a fraction of the points, highest first);
/// `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grading_standards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub context_type: String,
    pub context_id: i64,
    pub title: String,
    pub data: String,
    pub points_based: bool,
    pub scaling_factor: f64,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
