use sea_orm::entity::prelude::*;

/// An assignment of a course. `submission_types` and `allowed_extensions` are JSON text lists;
/// `workflow_state` is `published`, `unpublished` or `deleted`; `allowed_attempts` -1 means unlimited.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_group_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub position: i32,
    pub points_possible: Option<f64>,
    pub grading_type: String,
    pub grading_standard_id: Option<i64>,
    pub submission_types: String,
    pub allowed_extensions: String,
    pub allowed_attempts: i32,
    pub due_at: Option<DateTimeUtc>,
    pub unlock_at: Option<DateTimeUtc>,
    pub lock_at: Option<DateTimeUtc>,
    pub only_visible_to_overrides: bool,
    pub workflow_state: String,
    pub omit_from_final_grade: bool,
    pub hide_in_gradebook: bool,
    pub post_manually: bool,
    pub anonymous_grading: bool,
    pub moderated_grading: bool,
    pub peer_reviews: bool,
    pub group_category_id: Option<i64>,
    pub quiz_id: Option<i64>,
    pub integration_id: Option<String>,
    pub integration_data: Option<String>,
    pub sis_assignment_id: Option<String>,
    /// The assignment this one was duplicated from.
    pub duplicate_of_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
