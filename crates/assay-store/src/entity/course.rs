use sea_orm::entity::prelude::*;

/// A course of a school (Canvas). `workflow_state` is `unpublished`, `available`, `completed` or `deleted`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub account_id: i64,
    pub enrollment_term_id: Option<i64>,
    pub name: String,
    pub course_code: String,
    pub uuid: String,
    pub sis_course_id: Option<String>,
    pub integration_id: Option<String>,
    pub workflow_state: String,
    pub start_at: Option<DateTimeUtc>,
    pub end_at: Option<DateTimeUtc>,
    pub time_zone: Option<String>,
    pub default_view: String,
    pub apply_assignment_group_weights: bool,
    pub hide_final_grades: bool,
    pub restrict_enrollments_to_course_dates: bool,
    pub is_public: bool,
    pub license: Option<String>,
    /// The settings document of `/courses/:id/settings` (JSON); absent keys take their defaults.
    pub settings: Option<String>,
    /// The grading standard letter and GPA grades of the course use when an assignment names none.
    pub grading_standard_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
