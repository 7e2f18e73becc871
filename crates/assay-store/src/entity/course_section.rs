use sea_orm::entity::prelude::*;

/// A section of a course. `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course_sections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub name: String,
    pub sis_section_id: Option<String>,
    pub integration_id: Option<String>,
    pub start_at: Option<DateTimeUtc>,
    pub end_at: Option<DateTimeUtc>,
    pub restrict_enrollments_to_section_dates: bool,
    pub workflow_state: String,
    /// The section enrollments join when they name none; created with the first such enrollment.
    pub default_section: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
