//! Authoring (issue 5): question banks, versioned questions, and tests (Canvas classic quizzes) with their question
//! groups, the questions placed in them, per-student quiz extensions and contributors.
//!
//! A question belongs to a bank (`bank_id`) or to one quiz (`quiz_id`, questions written inside a quiz). Its
//! answer model lives in `question_versions.body` (a serialized `QuestionBody`); editing a question whose current
//! version was delivered to a candidate adds a version, so delivered attempts keep the version they saw.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuestionBanks {
    Table,
    Id,
    RootAccountId,
    AccountId,
    CourseId,
    Title,
    ExternalId,
    Tags,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    RootAccountId,
    BankId,
    QuizId,
    QuestionType,
    Name,
    SearchText,
    Tags,
    ExternalId,
    Position,
    CurrentVersion,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuestionVersions {
    Table,
    Id,
    QuestionId,
    Version,
    Body,
    PointsPossible,
    Delivered,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentId,
    AssignmentGroupId,
    Title,
    Description,
    QuizType,
    TimeLimit,
    AllowedAttempts,
    ScoringPolicy,
    ShuffleAnswers,
    ShuffleQuestions,
    OneQuestionAtATime,
    CantGoBack,
    ShowCorrectAnswers,
    ShowCorrectAnswersAt,
    HideCorrectAnswersAt,
    ShowCorrectAnswersLastAttempt,
    OneTimeResults,
    HideResults,
    AccessCode,
    IpFilter,
    DueAt,
    UnlockAt,
    LockAt,
    Position,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuizGroups {
    Table,
    Id,
    RootAccountId,
    QuizId,
    Name,
    PickCount,
    QuestionPoints,
    BankId,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuizQuestions {
    Table,
    Id,
    RootAccountId,
    QuizId,
    QuestionId,
    QuizGroupId,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuizExtensions {
    Table,
    Id,
    RootAccountId,
    QuizId,
    UserId,
    ExtraAttempts,
    ExtraTime,
    ManuallyUnlocked,
    EndAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuizContributors {
    Table,
    Id,
    RootAccountId,
    QuizId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
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
                    .table(QuestionBanks::Table)
                    .col(big_pk_auto(QuestionBanks::Id))
                    .col(big_integer(QuestionBanks::RootAccountId))
                    .col(big_integer_null(QuestionBanks::AccountId))
                    .col(big_integer_null(QuestionBanks::CourseId))
                    .col(string(QuestionBanks::Title))
                    .col(string_null(QuestionBanks::ExternalId))
                    .col(text(QuestionBanks::Tags))
                    .col(string(QuestionBanks::WorkflowState))
                    .col(timestamp_with_time_zone(QuestionBanks::CreatedAt))
                    .col(timestamp_with_time_zone(QuestionBanks::UpdatedAt))
                    .foreign_key(&mut fk(
                        (QuestionBanks::Table, QuestionBanks::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .foreign_key(&mut fk(
                        (QuestionBanks::Table, QuestionBanks::CourseId),
                        (Courses::Table, Courses::Id),
                    ))
                    .check(
                        Expr::col(QuestionBanks::AccountId).is_null().ne(Expr::col(QuestionBanks::CourseId).is_null()),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_question_banks_external_id",
                QuestionBanks::Table,
                &["root_account_id", "external_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_question_banks_course", QuestionBanks::Table, &["course_id", "id"], false))
            .await?;
        manager
            .create_index(index("ix_question_banks_account", QuestionBanks::Table, &["account_id", "id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Quizzes::Table)
                    .col(big_pk_auto(Quizzes::Id))
                    .col(big_integer(Quizzes::RootAccountId))
                    .col(big_integer(Quizzes::CourseId))
                    .col(big_integer_null(Quizzes::AssignmentId))
                    .col(big_integer_null(Quizzes::AssignmentGroupId))
                    .col(string(Quizzes::Title))
                    .col(text(Quizzes::Description))
                    .col(string(Quizzes::QuizType))
                    .col(integer_null(Quizzes::TimeLimit))
                    .col(integer(Quizzes::AllowedAttempts))
                    .col(string(Quizzes::ScoringPolicy))
                    .col(boolean(Quizzes::ShuffleAnswers))
                    .col(boolean(Quizzes::ShuffleQuestions))
                    .col(boolean(Quizzes::OneQuestionAtATime))
                    .col(boolean(Quizzes::CantGoBack))
                    .col(boolean(Quizzes::ShowCorrectAnswers))
                    .col(timestamp_with_time_zone_null(Quizzes::ShowCorrectAnswersAt))
                    .col(timestamp_with_time_zone_null(Quizzes::HideCorrectAnswersAt))
                    .col(boolean(Quizzes::ShowCorrectAnswersLastAttempt))
                    .col(boolean(Quizzes::OneTimeResults))
                    .col(string_null(Quizzes::HideResults))
                    .col(string_null(Quizzes::AccessCode))
                    .col(string_null(Quizzes::IpFilter))
                    .col(timestamp_with_time_zone_null(Quizzes::DueAt))
                    .col(timestamp_with_time_zone_null(Quizzes::UnlockAt))
                    .col(timestamp_with_time_zone_null(Quizzes::LockAt))
                    .col(integer(Quizzes::Position))
                    .col(string(Quizzes::WorkflowState))
                    .col(timestamp_with_time_zone(Quizzes::CreatedAt))
                    .col(timestamp_with_time_zone(Quizzes::UpdatedAt))
                    .foreign_key(&mut fk((Quizzes::Table, Quizzes::CourseId), (Courses::Table, Courses::Id)))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_quizzes_course", Quizzes::Table, &["course_id", "id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(big_pk_auto(Questions::Id))
                    .col(big_integer(Questions::RootAccountId))
                    .col(big_integer_null(Questions::BankId))
                    .col(big_integer_null(Questions::QuizId))
                    .col(string(Questions::QuestionType))
                    .col(string(Questions::Name))
                    .col(text(Questions::SearchText))
                    .col(text(Questions::Tags))
                    .col(string_null(Questions::ExternalId))
                    .col(integer(Questions::Position))
                    .col(integer(Questions::CurrentVersion))
                    .col(string(Questions::WorkflowState))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .col(timestamp_with_time_zone(Questions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (Questions::Table, Questions::BankId),
                        (QuestionBanks::Table, QuestionBanks::Id),
                    ))
                    .foreign_key(&mut fk((Questions::Table, Questions::QuizId), (Quizzes::Table, Quizzes::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_questions_bank_external_id", Questions::Table, &["bank_id", "external_id"], true))
            .await?;
        manager
            .create_index(index("ix_questions_bank", Questions::Table, &["bank_id", "position", "id"], false))
            .await?;
        manager.create_index(index("ix_questions_quiz", Questions::Table, &["quiz_id", "id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(QuestionVersions::Table)
                    .col(big_pk_auto(QuestionVersions::Id))
                    .col(big_integer(QuestionVersions::QuestionId))
                    .col(integer(QuestionVersions::Version))
                    .col(text(QuestionVersions::Body))
                    .col(double(QuestionVersions::PointsPossible))
                    .col(boolean(QuestionVersions::Delivered).default(false))
                    .col(timestamp_with_time_zone(QuestionVersions::CreatedAt))
                    .foreign_key(&mut fk(
                        (QuestionVersions::Table, QuestionVersions::QuestionId),
                        (Questions::Table, Questions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_question_versions_question_version",
                QuestionVersions::Table,
                &["question_id", "version"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizGroups::Table)
                    .col(big_pk_auto(QuizGroups::Id))
                    .col(big_integer(QuizGroups::RootAccountId))
                    .col(big_integer(QuizGroups::QuizId))
                    .col(string(QuizGroups::Name))
                    .col(integer(QuizGroups::PickCount))
                    .col(double(QuizGroups::QuestionPoints))
                    .col(big_integer_null(QuizGroups::BankId))
                    .col(integer(QuizGroups::Position))
                    .col(timestamp_with_time_zone(QuizGroups::CreatedAt))
                    .col(timestamp_with_time_zone(QuizGroups::UpdatedAt))
                    .foreign_key(&mut fk((QuizGroups::Table, QuizGroups::QuizId), (Quizzes::Table, Quizzes::Id)))
                    .foreign_key(&mut fk(
                        (QuizGroups::Table, QuizGroups::BankId),
                        (QuestionBanks::Table, QuestionBanks::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_quiz_groups_quiz", QuizGroups::Table, &["quiz_id", "position"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizQuestions::Table)
                    .col(big_pk_auto(QuizQuestions::Id))
                    .col(big_integer(QuizQuestions::RootAccountId))
                    .col(big_integer(QuizQuestions::QuizId))
                    .col(big_integer(QuizQuestions::QuestionId))
                    .col(big_integer_null(QuizQuestions::QuizGroupId))
                    .col(integer(QuizQuestions::Position))
                    .col(timestamp_with_time_zone(QuizQuestions::CreatedAt))
                    .col(timestamp_with_time_zone(QuizQuestions::UpdatedAt))
                    .foreign_key(&mut fk((QuizQuestions::Table, QuizQuestions::QuizId), (Quizzes::Table, Quizzes::Id)))
                    .foreign_key(&mut fk(
                        (QuizQuestions::Table, QuizQuestions::QuestionId),
                        (Questions::Table, Questions::Id),
                    ))
                    .foreign_key(&mut fk(
                        (QuizQuestions::Table, QuizQuestions::QuizGroupId),
                        (QuizGroups::Table, QuizGroups::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_quiz_questions_quiz", QuizQuestions::Table, &["quiz_id", "position", "id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizExtensions::Table)
                    .col(big_pk_auto(QuizExtensions::Id))
                    .col(big_integer(QuizExtensions::RootAccountId))
                    .col(big_integer(QuizExtensions::QuizId))
                    .col(big_integer(QuizExtensions::UserId))
                    .col(integer(QuizExtensions::ExtraAttempts))
                    .col(integer(QuizExtensions::ExtraTime))
                    .col(boolean(QuizExtensions::ManuallyUnlocked))
                    .col(timestamp_with_time_zone_null(QuizExtensions::EndAt))
                    .col(timestamp_with_time_zone(QuizExtensions::CreatedAt))
                    .col(timestamp_with_time_zone(QuizExtensions::UpdatedAt))
                    .foreign_key(&mut fk(
                        (QuizExtensions::Table, QuizExtensions::QuizId),
                        (Quizzes::Table, Quizzes::Id),
                    ))
                    .foreign_key(&mut fk((QuizExtensions::Table, QuizExtensions::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_quiz_extensions_quiz_user", QuizExtensions::Table, &["quiz_id", "user_id"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuizContributors::Table)
                    .col(big_pk_auto(QuizContributors::Id))
                    .col(big_integer(QuizContributors::RootAccountId))
                    .col(big_integer(QuizContributors::QuizId))
                    .col(big_integer(QuizContributors::UserId))
                    .col(string(QuizContributors::Role))
                    .col(timestamp_with_time_zone(QuizContributors::CreatedAt))
                    .foreign_key(&mut fk(
                        (QuizContributors::Table, QuizContributors::QuizId),
                        (Quizzes::Table, Quizzes::Id),
                    ))
                    .foreign_key(&mut fk(
                        (QuizContributors::Table, QuizContributors::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_quiz_contributors_quiz_user",
                QuizContributors::Table,
                &["quiz_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_quiz_contributors_user", QuizContributors::Table, &["user_id", "quiz_id"], false))
            .await?;
        Ok(())
    }
}
