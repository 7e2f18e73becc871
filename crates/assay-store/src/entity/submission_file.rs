use sea_orm::entity::prelude::*;

/// A file a student uploaded for an `online_upload` submission. The bytes live in the `data` column, which this
/// model leaves out (lists never load them; `submissions::files::content` reads them). `workflow_state` is
/// `pending` (announced, waiting for its bytes at the upload URL) or `available`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submission_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the one-time upload token while the file is pending.
    pub upload_token_hash: Option<String>,
    pub workflow_state: String,
    /// When a pending upload stops being accepted.
    pub expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
