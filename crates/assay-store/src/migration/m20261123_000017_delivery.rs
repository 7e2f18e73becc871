//! Delivery and grading (issue 6): one submission per (assignment, student) carrying the grade the gradebook
//! reads, its history, and quiz attempts with their frozen draw and the candidate's answers.
//!
//! - `submissions` is Canvas's Submission: the kept result of a student on an assignment (a quiz's kept score
//!   lands here), its grade, excused/late/missing state and when it was posted to the student.
//! - `submission_versions` keeps every submitted or graded state of a submission (Canvas submission history).
//! - `quiz_submissions` is one attempt at a quiz. Starting freezes the draw (`draw`: question versions, group
//!   picks, order and answer order, reproducible from `seed`) and the deadline (`end_at`). Only one attempt of a
//!   (quiz, user) is in progress at a time; `(quiz_id, user_id, attempt)` is unique so two concurrent starts
//!   cannot both create one.
//! - `quiz_answers` holds one row per (attempt, question). An autosave carries a client sequence number and
//!   overwrites the row only when its `seq` is higher, so a stale retry never replaces a newer answer.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentId,
    UserId,
    Attempt,
    WorkflowState,
    SubmissionType,
    Body,
    Url,
    Attachments,
    SubmittedAt,
    CachedDueAt,
    Score,
    EnteredScore,
    Grade,
    EnteredGrade,
    PointsDeducted,
    GradedAt,
    GraderId,
    GradeMatchesCurrentSubmission,
    Excused,
    LatePolicyStatus,
    SecondsLateOverride,
    ExtraAttempts,
    PostedAt,
    QuizSubmissionId,
    RubricAssessment,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubmissionVersions {
    Table,
    Id,
    RootAccountId,
    SubmissionId,
    Attempt,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuizSubmissions {
    Table,
    Id,
    RootAccountId,
    CourseId,
    QuizId,
    UserId,
    SubmissionId,
    Attempt,
    WorkflowState,
    Seed,
    Draw,
    ValidationToken,
    StartedAt,
    EndAt,
    FinishedAt,
    PointsPossible,
    Score,
    FudgePoints,
    ExtraTime,
    ManuallyUnlocked,
    Overdue,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuizAnswers {
    Table,
    Id,
    RootAccountId,
    QuizSubmissionId,
    QuestionId,
    Answer,
    Seq,
    SavedAt,
    Flagged,
    Score,
    Correct,
    Comment,
    GradedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Quizzes {
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
                    .table(Submissions::Table)
                    .col(big_pk_auto(Submissions::Id))
                    .col(big_integer(Submissions::RootAccountId))
                    .col(big_integer(Submissions::CourseId))
                    .col(big_integer(Submissions::AssignmentId))
                    .col(big_integer(Submissions::UserId))
                    .col(integer(Submissions::Attempt).default(0))
                    .col(string(Submissions::WorkflowState))
                    .col(string_null(Submissions::SubmissionType))
                    .col(text_null(Submissions::Body))
                    .col(text_null(Submissions::Url))
                    .col(text_null(Submissions::Attachments))
                    .col(timestamp_with_time_zone_null(Submissions::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Submissions::CachedDueAt))
                    .col(double_null(Submissions::Score))
                    .col(double_null(Submissions::EnteredScore))
                    .col(string_null(Submissions::Grade))
                    .col(string_null(Submissions::EnteredGrade))
                    .col(double_null(Submissions::PointsDeducted))
                    .col(timestamp_with_time_zone_null(Submissions::GradedAt))
                    .col(big_integer_null(Submissions::GraderId))
                    .col(boolean(Submissions::GradeMatchesCurrentSubmission).default(true))
                    .col(boolean(Submissions::Excused).default(false))
                    .col(string_null(Submissions::LatePolicyStatus))
                    .col(big_integer_null(Submissions::SecondsLateOverride))
                    .col(integer_null(Submissions::ExtraAttempts))
                    .col(timestamp_with_time_zone_null(Submissions::PostedAt))
                    .col(big_integer_null(Submissions::QuizSubmissionId))
                    .col(text_null(Submissions::RubricAssessment))
                    .col(timestamp_with_time_zone(Submissions::CreatedAt))
                    .col(timestamp_with_time_zone(Submissions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Submissions::Table, Submissions::AssignmentId),
                        (Assignments::Table, Assignments::Id),
                    ))
                    .foreign_key(&mut fk((Submissions::Table, Submissions::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_submissions_assignment_user",
                Submissions::Table,
                &["assignment_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_submissions_course_user", Submissions::Table, &["course_id", "user_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SubmissionVersions::Table)
                    .col(big_pk_auto(SubmissionVersions::Id))
                    .col(big_integer(SubmissionVersions::RootAccountId))
                    .col(big_integer(SubmissionVersions::SubmissionId))
                    .col(integer(SubmissionVersions::Attempt))
                    .col(text(SubmissionVersions::Data))
                    .col(timestamp_with_time_zone(SubmissionVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        (SubmissionVersions::Table, SubmissionVersions::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_submission_versions_submission",
                SubmissionVersions::Table,
                &["submission_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizSubmissions::Table)
                    .col(big_pk_auto(QuizSubmissions::Id))
                    .col(big_integer(QuizSubmissions::RootAccountId))
                    .col(big_integer(QuizSubmissions::CourseId))
                    .col(big_integer(QuizSubmissions::QuizId))
                    .col(big_integer(QuizSubmissions::UserId))
                    .col(big_integer_null(QuizSubmissions::SubmissionId))
                    .col(integer(QuizSubmissions::Attempt))
                    .col(string(QuizSubmissions::WorkflowState))
                    .col(big_integer(QuizSubmissions::Seed))
                    .col(text(QuizSubmissions::Draw))
                    .col(string(QuizSubmissions::ValidationToken))
                    .col(timestamp_with_time_zone(QuizSubmissions::StartedAt))
                    .col(timestamp_with_time_zone_null(QuizSubmissions::EndAt))
                    .col(timestamp_with_time_zone_null(QuizSubmissions::FinishedAt))
                    .col(double(QuizSubmissions::PointsPossible))
                    .col(double_null(QuizSubmissions::Score))
                    .col(double(QuizSubmissions::FudgePoints).default(0.0))
                    .col(integer(QuizSubmissions::ExtraTime).default(0))
                    .col(boolean(QuizSubmissions::ManuallyUnlocked).default(false))
                    .col(boolean(QuizSubmissions::Overdue).default(false))
                    .col(timestamp_with_time_zone(QuizSubmissions::CreatedAt))
                    .col(timestamp_with_time_zone(QuizSubmissions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (QuizSubmissions::Table, QuizSubmissions::QuizId),
                        (Quizzes::Table, Quizzes::Id),
                    ))
                    .foreign_key(&mut fk((QuizSubmissions::Table, QuizSubmissions::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_quiz_submissions_attempt",
                QuizSubmissions::Table,
                &["quiz_id", "user_id", "attempt"],
                true,
            ))
            .await?;
        // The sweep that submits attempts whose deadline passed reads in-progress attempts by deadline.
        manager
            .create_index(index(
                "ix_quiz_submissions_open",
                QuizSubmissions::Table,
                &["workflow_state", "end_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index("ix_quiz_submissions_quiz", QuizSubmissions::Table, &["quiz_id", "id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizAnswers::Table)
                    .col(big_pk_auto(QuizAnswers::Id))
                    .col(big_integer(QuizAnswers::RootAccountId))
                    .col(big_integer(QuizAnswers::QuizSubmissionId))
                    .col(big_integer(QuizAnswers::QuestionId))
                    .col(text_null(QuizAnswers::Answer))
                    .col(big_integer(QuizAnswers::Seq))
                    .col(timestamp_with_time_zone(QuizAnswers::SavedAt))
                    .col(boolean(QuizAnswers::Flagged).default(false))
                    .col(double_null(QuizAnswers::Score))
                    .col(string_null(QuizAnswers::Correct))
                    .col(text_null(QuizAnswers::Comment))
                    .col(big_integer_null(QuizAnswers::GradedBy))
                    .col(timestamp_with_time_zone(QuizAnswers::UpdatedAt))
                    .foreign_key(&mut fk(
                        (QuizAnswers::Table, QuizAnswers::QuizSubmissionId),
                        (QuizSubmissions::Table, QuizSubmissions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_quiz_answers_question",
                QuizAnswers::Table,
                &["quiz_submission_id", "question_id"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            QuizAnswers::Table.into_iden(),
            QuizSubmissions::Table.into_iden(),
            SubmissionVersions::Table.into_iden(),
            Submissions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
