use sea_orm::entity::prelude::*;

/// A user's role in a course section (Canvas). `type` is one of the five `*Enrollment` names; `workflow_state`
/// is `creation_pending`, `invited`, `active`, `inactive`, `completed`, `rejected` or `deleted`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub course_section_id: i64,
    pub user_id: i64,
    #[sea_orm(column_name = "type")]
    pub r#type: String,
    pub role: String,
    pub workflow_state: String,
    pub limit_privileges_to_course_section: bool,
    pub associated_user_id: Option<i64>,
    pub start_at: Option<DateTimeUtc>,
    pub end_at: Option<DateTimeUtc>,
    pub last_activity_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::course::Entity", from = "Column::CourseId", to = "super::course::Column::Id")]
    Course,
}

impl Related<super::course::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Course.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
