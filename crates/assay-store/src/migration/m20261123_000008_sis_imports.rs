//! Background jobs and bulk provisioning: Progress objects (Canvas §1.15) that clients poll, and SIS imports
//! (Canvas CSV and OneRoster CSV rosters, and bulk enrollment) whose uploaded bytes are kept so a job survives a
//! restart.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Progress {
    Table,
    Id,
    RootAccountId,
    ContextType,
    ContextId,
    UserId,
    Tag,
    Completion,
    WorkflowState,
    Message,
    Results,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SisImports {
    Table,
    Id,
    RootAccountId,
    AccountId,
    ProgressId,
    UserId,
    ImportType,
    WorkflowState,
    FileName,
    Data,
    SuppliedBatches,
    Counts,
    Statistics,
    ProcessingErrors,
    ProcessingWarnings,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum Accounts {
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
                    .table(Progress::Table)
                    .col(big_pk_auto(Progress::Id))
                    .col(big_integer(Progress::RootAccountId))
                    .col(string(Progress::ContextType))
                    .col(big_integer(Progress::ContextId))
                    .col(big_integer_null(Progress::UserId))
                    .col(string(Progress::Tag))
                    .col(double(Progress::Completion))
                    // queued | running | completed | failed
                    .col(string(Progress::WorkflowState))
                    .col(text_null(Progress::Message))
                    // JSON; absent while the job has not finished.
                    .col(text_null(Progress::Results))
                    .col(timestamp_with_time_zone(Progress::CreatedAt))
                    .col(timestamp_with_time_zone(Progress::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Progress::Table, Progress::RootAccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_progress_school", Progress::Table, &["root_account_id", "id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(SisImports::Table)
                    .col(big_pk_auto(SisImports::Id))
                    .col(big_integer(SisImports::RootAccountId))
                    .col(big_integer(SisImports::AccountId))
                    .col(big_integer(SisImports::ProgressId))
                    .col(big_integer_null(SisImports::UserId))
                    // instructure_csv | oneroster_csv | bulk_enrollment
                    .col(string(SisImports::ImportType))
                    // created | importing | imported | imported_with_messages | failed_with_messages | failed
                    .col(string(SisImports::WorkflowState))
                    // The uploaded bytes (a CSV or a zip; for bulk enrollment a JSON document). Kept until the
                    // import ends, so a job interrupted by a restart runs again from the same input.
                    // The uploaded file's name (a single CSV's name tells its kind in error reports).
                    .col(string_null(SisImports::FileName))
                    .col(blob_null(SisImports::Data))
                    .col(text_null(SisImports::SuppliedBatches))
                    .col(text_null(SisImports::Counts))
                    .col(text_null(SisImports::Statistics))
                    .col(text_null(SisImports::ProcessingErrors))
                    .col(text_null(SisImports::ProcessingWarnings))
                    .col(timestamp_with_time_zone(SisImports::CreatedAt))
                    .col(timestamp_with_time_zone(SisImports::UpdatedAt))
                    .col(timestamp_with_time_zone_null(SisImports::StartedAt))
                    .col(timestamp_with_time_zone_null(SisImports::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SisImports::Table, SisImports::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_sis_imports_school", SisImports::Table, &["root_account_id", "id"], false))
            .await?;
        // The worker's queue scan.
        manager
            .create_index(index("ix_sis_imports_state", SisImports::Table, &["workflow_state", "id"], false))
            .await?;
        Ok(())
    }
}
