//! Content migrations (Canvas §4.2): QTI packages imported into a course as a background job with a Progress, and
//! the issues (warnings) each import reports.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContentMigrations {
    Table,
    Id,
    RootAccountId,
    CourseId,
    ProgressId,
    UserId,
    MigrationType,
    WorkflowState,
    FileName,
    Data,
    Settings,
    Results,
    IssuesCount,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum MigrationIssues {
    Table,
    Id,
    RootAccountId,
    ContentMigrationId,
    IssueType,
    Description,
    ErrorMessage,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Courses {
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
                    .table(ContentMigrations::Table)
                    .col(big_pk_auto(ContentMigrations::Id))
                    .col(big_integer(ContentMigrations::RootAccountId))
                    .col(big_integer(ContentMigrations::CourseId))
                    .col(big_integer(ContentMigrations::ProgressId))
                    .col(big_integer_null(ContentMigrations::UserId))
                    // qti_converter
                    .col(string(ContentMigrations::MigrationType))
                    // pre_processing (waiting for its file) | pre_processed (queued) | running | completed | failed
                    .col(string(ContentMigrations::WorkflowState))
                    .col(string_null(ContentMigrations::FileName))
                    // The uploaded package, kept until the job ends so a restart runs it again.
                    .col(blob_null(ContentMigrations::Data))
                    // JSON: the request's settings (question_bank_id, question_bank_name, destination).
                    .col(text(ContentMigrations::Settings))
                    // JSON: what the import made (bank and quiz ids); absent until it ends.
                    .col(text_null(ContentMigrations::Results))
                    .col(integer(ContentMigrations::IssuesCount))
                    .col(timestamp_with_time_zone(ContentMigrations::CreatedAt))
                    .col(timestamp_with_time_zone(ContentMigrations::UpdatedAt))
                    .col(timestamp_with_time_zone_null(ContentMigrations::StartedAt))
                    .col(timestamp_with_time_zone_null(ContentMigrations::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ContentMigrations::Table, ContentMigrations::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_content_migrations_course",
                ContentMigrations::Table,
                &["root_account_id", "course_id", "id"],
                false,
            ))
            .await?;
        // The worker's queue scan.
        manager
            .create_index(index(
                "ix_content_migrations_state",
                ContentMigrations::Table,
                &["workflow_state", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MigrationIssues::Table)
                    .col(big_pk_auto(MigrationIssues::Id))
                    .col(big_integer(MigrationIssues::RootAccountId))
                    .col(big_integer(MigrationIssues::ContentMigrationId))
                    // todo | warning | error
                    .col(string(MigrationIssues::IssueType))
                    .col(text(MigrationIssues::Description))
                    .col(text_null(MigrationIssues::ErrorMessage))
                    // active | resolved
                    .col(string(MigrationIssues::WorkflowState))
                    .col(timestamp_with_time_zone(MigrationIssues::CreatedAt))
                    .col(timestamp_with_time_zone(MigrationIssues::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MigrationIssues::Table, MigrationIssues::ContentMigrationId)
                            .to(ContentMigrations::Table, ContentMigrations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_migration_issues_migration",
                MigrationIssues::Table,
                &["content_migration_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
