use sea_orm::entity::prelude::*;

/// An AB Connect partner: signs `/rest/v4.1` requests with HMAC-SHA256 over a shared key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    /// The public `partner.id`, unique across the deployment.
    pub partner_id: String,
    pub name: String,
    /// The shared HMAC key (verification needs it, so it is not hashed); shown once at creation.
    pub signing_key: String,
    /// Signatures whose `auth.expires` lies further ahead than this are refused (limits replay windows).
    pub max_lifetime_secs: i64,
    pub workflow_state: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
