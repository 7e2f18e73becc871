use sea_orm::entity::prelude::*;

/// A rubric of a course (Canvas `Rubric`). `data` is the JSON list of criteria with their ratings
/// (`assay_domain::grading::rubric::Criteria`); `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rubrics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub title: String,
    pub points_possible: f64,
    pub data: String,
    pub free_form_criterion_comments: bool,
    pub hide_score_total: bool,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
