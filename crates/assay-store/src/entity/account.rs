use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub parent_account_id: Option<i64>,
    pub path: String,
    pub name: String,
    pub uuid: String,
    pub sis_account_id: Option<String>,
    pub integration_id: Option<String>,
    pub default_time_zone: String,
    pub default_storage_quota_mb: i64,
    pub default_user_storage_quota_mb: i64,
    pub default_group_storage_quota_mb: i64,
    pub workflow_state: String,
    /// Overrides the deployment's per-school request limit.
    pub api_rate_limit_per_minute: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_root(&self) -> bool {
        self.parent_account_id.is_none()
    }

    pub fn account_path(&self) -> assay_domain::account::AccountPath {
        assay_domain::account::AccountPath::from_stored(self.path.clone())
    }
}
