use sea_orm::entity::prelude::*;

/// A user's API key (Inspera's "authorization code"), exchanged at `/api/authenticate/token` for a short-lived
/// access token with the user's rights. Only the SHA-256 of the secret is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub user_id: i64,
    pub secret_hash: String,
    pub hint: String,
    pub workflow_state: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
