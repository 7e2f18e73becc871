use sea_orm::entity::prelude::*;

/// A bearer token. Only the SHA-256 of the secret is stored; the secret is shown once at creation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub token_hint: String,
    pub purpose: String,
    pub scopes: Option<Json>,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// `personal`, `oauth` or `exchange`.
    pub kind: String,
    pub developer_key_id: Option<i64>,
    pub refresh_token_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
