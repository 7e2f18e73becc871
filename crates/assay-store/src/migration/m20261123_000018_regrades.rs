//! Regrades (issue 6): one row per answer-key change that rescored delivered attempts, with the policy the teacher
//! chose and, per attempt, the points before and after (`changes`, JSON), so a regrade can be explained later.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuizRegrades {
    Table,
    Id,
    RootAccountId,
    QuizId,
    QuestionId,
    QuestionVersion,
    Policy,
    AttemptsRegraded,
    Changes,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuizRegrades::Table)
                    .col(big_pk_auto(QuizRegrades::Id))
                    .col(big_integer(QuizRegrades::RootAccountId))
                    .col(big_integer(QuizRegrades::QuizId))
                    .col(big_integer(QuizRegrades::QuestionId))
                    .col(integer(QuizRegrades::QuestionVersion))
                    .col(string(QuizRegrades::Policy))
                    .col(integer(QuizRegrades::AttemptsRegraded))
                    .col(text(QuizRegrades::Changes))
                    .col(big_integer_null(QuizRegrades::CreatedBy))
                    .col(timestamp_with_time_zone(QuizRegrades::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuizRegrades::Table, QuizRegrades::QuizId)
                            .to(Quizzes::Table, Quizzes::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_quiz_regrades_quiz", QuizRegrades::Table, &["quiz_id", "id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(QuizRegrades::Table).to_owned()).await
    }
}
