//! Results (issue 6): appeals of posted results and grade explanations (Inspera).
//!
//! - `appeals`: a candidate's appeal of their result on an assignment (`submission_id`), whole or one question of
//!   the quiz attempt behind it (`question_id`), with its reason and, once a grader answers it, the outcome.
//!   `score_before` keeps the result's score when the appeal was registered and `score_after` the score a
//!   resolution gave, so the appeal documents the change. At most one appeal per (result, question) is open: a
//!   partial unique index over `(submission_id, COALESCE(question_id, 0))` where `workflow_state = 'open'`
//!   decides races (both SQLite and PostgreSQL take partial expression indexes).
//! - `grade_explanations`: a grader's explanation of a result for the candidate, written on its own or when
//!   resolving or rejecting an appeal (`appeal_id`).

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Appeals {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentId,
    SubmissionId,
    UserId,
    QuizSubmissionId,
    QuestionId,
    WorkflowState,
    Reason,
    ScoreBefore,
    ScoreAfter,
    ClosedById,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GradeExplanations {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentId,
    SubmissionId,
    UserId,
    QuestionId,
    AppealId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn fk(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).to_owned()
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
                    .table(Appeals::Table)
                    .col(big_pk_auto(Appeals::Id))
                    .col(big_integer(Appeals::RootAccountId))
                    .col(big_integer(Appeals::CourseId))
                    .col(big_integer(Appeals::AssignmentId))
                    .col(big_integer(Appeals::SubmissionId))
                    .col(big_integer(Appeals::UserId))
                    .col(big_integer_null(Appeals::QuizSubmissionId))
                    .col(big_integer_null(Appeals::QuestionId))
                    .col(string(Appeals::WorkflowState))
                    .col(text(Appeals::Reason))
                    .col(double_null(Appeals::ScoreBefore))
                    .col(double_null(Appeals::ScoreAfter))
                    .col(big_integer_null(Appeals::ClosedById))
                    .col(timestamp_with_time_zone_null(Appeals::ClosedAt))
                    .col(timestamp_with_time_zone(Appeals::CreatedAt))
                    .col(timestamp_with_time_zone(Appeals::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Appeals::Table, Appeals::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                    ))
                    .foreign_key(&mut fk((Appeals::Table, Appeals::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        // Graders list a course's appeals by state, newest last.
        manager
            .create_index(index(
                "ix_appeals_course_state",
                Appeals::Table,
                &["course_id", "workflow_state", "id"],
                false,
            ))
            .await?;
        manager.create_index(index("ix_appeals_submission", Appeals::Table, &["submission_id", "id"], false)).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_appeals_open ON appeals (submission_id, COALESCE(question_id, 0)) \
                 WHERE workflow_state = 'open'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GradeExplanations::Table)
                    .col(big_pk_auto(GradeExplanations::Id))
                    .col(big_integer(GradeExplanations::RootAccountId))
                    .col(big_integer(GradeExplanations::CourseId))
                    .col(big_integer(GradeExplanations::AssignmentId))
                    .col(big_integer(GradeExplanations::SubmissionId))
                    .col(big_integer(GradeExplanations::UserId))
                    .col(big_integer_null(GradeExplanations::QuestionId))
                    .col(big_integer_null(GradeExplanations::AppealId))
                    .col(big_integer_null(GradeExplanations::AuthorId))
                    .col(text(GradeExplanations::Body))
                    .col(timestamp_with_time_zone(GradeExplanations::CreatedAt))
                    .foreign_key(&mut fk(
                        (GradeExplanations::Table, GradeExplanations::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                    ))
                    .foreign_key(&mut fk(
                        (GradeExplanations::Table, GradeExplanations::AppealId),
                        (Appeals::Table, Appeals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_grade_explanations_course",
                GradeExplanations::Table,
                &["course_id", "assignment_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_grade_explanations_submission",
                GradeExplanations::Table,
                &["submission_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [GradeExplanations::Table.into_iden(), Appeals::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
