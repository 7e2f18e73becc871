use sea_orm::entity::prelude::*;

/// Dates of an assignment for some of its students. `set_type` is `ADHOC` (students listed in
/// `assignment_override_students`), `Group` (`group_id`) or `CourseSection` (`course_section_id`). Each date has
/// an `_overridden` flag: unset leaves the assignment's date alone, set with a null date removes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assignment_overrides")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub assignment_id: i64,
    pub title: String,
    pub set_type: String,
    pub course_section_id: Option<i64>,
    pub group_id: Option<i64>,
    pub due_at: Option<DateTimeUtc>,
    pub due_at_overridden: bool,
    pub unlock_at: Option<DateTimeUtc>,
    pub unlock_at_overridden: bool,
    pub lock_at: Option<DateTimeUtc>,
    pub lock_at_overridden: bool,
    pub all_day: bool,
    pub all_day_date: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
