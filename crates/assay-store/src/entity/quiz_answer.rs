use sea_orm::entity::prelude::*;

/// A candidate's answer to one question of one attempt. `seq` is the client's sequence number: a save replaces the
/// row only when its `seq` is higher. `score`/`correct` are set when the attempt is scored or graded by hand.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_answers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub quiz_submission_id: i64,
    /// The question's id as the attempt shows it.
    pub question_id: i64,
    /// JSON of the domain `Response`; null when cleared.
    pub answer: Option<String>,
    pub seq: i64,
    pub saved_at: DateTimeUtc,
    pub flagged: bool,
    pub score: Option<f64>,
    /// `correct`, `partial`, `incorrect`, or null (not scored yet / manual).
    pub correct: Option<String>,
    /// The grader's comment on this answer.
    pub comment: Option<String>,
    pub graded_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
