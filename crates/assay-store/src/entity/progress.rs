use sea_orm::entity::prelude::*;

/// The state of a background job (Canvas Progress). `workflow_state` is `queued`, `running`, `completed` or
/// `failed`; `completion` runs from 0 to 100; `results` is JSON, set when the job ends.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "progress")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub context_type: String,
    pub context_id: i64,
    pub user_id: Option<i64>,
    pub tag: String,
    pub completion: f64,
    pub workflow_state: String,
    pub message: Option<String>,
    pub results: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
