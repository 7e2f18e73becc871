use sea_orm::entity::prelude::*;

/// A SIS import (or bulk enrollment) job. The uploaded bytes live in the `data` column, which this model leaves
/// out on purpose: lists and status polls never load a roster of many megabytes. `sis_imports::input` reads it.
/// The JSON columns (`supplied_batches`, `counts`, `statistics`, `processing_*`) are text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sis_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub account_id: i64,
    pub progress_id: i64,
    pub user_id: Option<i64>,
    pub import_type: String,
    pub workflow_state: String,
    pub file_name: Option<String>,
    pub supplied_batches: Option<String>,
    pub counts: Option<String>,
    pub statistics: Option<String>,
    pub processing_errors: Option<String>,
    pub processing_warnings: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
