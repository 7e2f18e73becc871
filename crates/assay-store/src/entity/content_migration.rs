use sea_orm::entity::prelude::*;

/// A content migration (a QTI import into a course). The uploaded package lives in the `data` column, which this
/// model leaves out: lists and polls never load it. `content_migrations::input` reads it. `settings` and
/// `results` are JSON text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_migrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub progress_id: i64,
    pub user_id: Option<i64>,
    pub migration_type: String,
    pub workflow_state: String,
    pub file_name: Option<String>,
    pub settings: String,
    pub results: Option<String>,
    pub issues_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
