use sea_orm::entity::prelude::*;

/// A question bank (Ans), owned by an account or by a course (exactly one of `account_id`, `course_id`).
/// `tags` is a JSON array of strings; `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "question_banks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub account_id: Option<i64>,
    pub course_id: Option<i64>,
    pub title: String,
    pub external_id: Option<String>,
    pub tags: String,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
