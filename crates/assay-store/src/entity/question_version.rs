use sea_orm::entity::prelude::*;

/// One version of a question: `body` is a serialized `assay_domain::question::QuestionBody`. A delivered
/// version is never changed again.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "question_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub question_id: i64,
    pub version: i32,
    pub body: String,
    pub points_possible: f64,
    pub delivered: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
