use sea_orm::entity::prelude::*;

/// A question: in a bank (`bank_id`) or written inside one quiz (`quiz_id`). Its content is in
/// `question_versions`; `current_version` is the version authors see and new attempts get. `search_text` is the
/// lower-cased name and text, for search. `workflow_state` is `active` or `deleted`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub root_account_id: i64,
    pub bank_id: Option<i64>,
    pub quiz_id: Option<i64>,
    /// Canvas's name (`multiple_choice_question`, …).
    pub question_type: String,
    pub name: String,
    pub search_text: String,
    pub tags: String,
    pub external_id: Option<String>,
    pub position: i32,
    pub current_version: i32,
    pub workflow_state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
