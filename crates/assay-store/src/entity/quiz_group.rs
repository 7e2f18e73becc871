use sea_orm::entity::prelude::*;

/// A question group of a quiz: draws `pick_count` questions at random from a bank (`bank_id`) or from its own
/// pool (the quiz questions whose `quiz_group_id` is this group), each worth `question_points`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_groups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_id: i64,
    pub name: String,
    pub pick_count: i32,
    pub question_points: f64,
    pub bank_id: Option<i64>,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
