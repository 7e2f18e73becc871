use sea_orm::entity::prelude::*;

/// A course's late policy (Canvas `LatePolicy`); percentages are of an assignment's points (0..=100), the interval
/// is `day` or `hour`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "late_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub missing_submission_deduction_enabled: bool,
    pub missing_submission_deduction: f64,
    pub late_submission_deduction_enabled: bool,
    pub late_submission_deduction: f64,
    pub late_submission_interval: String,
    pub late_submission_minimum_percent_enabled: bool,
    pub late_submission_minimum_percent: f64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
