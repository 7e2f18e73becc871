use sea_orm::entity::prelude::*;

/// An OAuth2 client of a school (Canvas developer key). Only the SHA-256 of its secret is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "developer_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub account_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub redirect_uris: Json,
    /// Canvas scopes (`url:GET|/api/v1/accounts/:account_id`); tokens of a key that requires scopes may only
    /// reach these endpoints.
    pub scopes: Json,
    pub require_scopes: bool,
    pub allow_includes: bool,
    /// Whose rights `client_credentials` tokens carry (the school's integration user).
    pub service_user_id: i64,
    pub client_secret_hash: String,
    pub client_secret_hint: String,
    pub access_token_ttl_secs: i64,
    pub workflow_state: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
