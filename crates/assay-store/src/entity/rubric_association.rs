use sea_orm::entity::prelude::*;

/// The rubric an assignment is graded with (Canvas `RubricAssociation`, `association_type` `Assignment`). With
/// `use_for_grading`, a rubric assessment sets the submission's score.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rubric_associations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub rubric_id: i64,
    pub association_type: String,
    pub association_id: i64,
    pub use_for_grading: bool,
    pub hide_score_total: bool,
    /// `grading`.
    pub purpose: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
