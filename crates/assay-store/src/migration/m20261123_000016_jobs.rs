//! A generic background job table: work a request validated and queued (a bulk date change today; bulk grading
//! and regrades later), run by the worker in `assay-jobs`, which dispatches on `kind`. Each job has a Progress
//! (the `progress` table) that clients poll.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    RootAccountId,
    Kind,
    Payload,
    ProgressId,
    UserId,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum Progress {
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
                    .table(Jobs::Table)
                    .col(big_pk_auto(Jobs::Id))
                    .col(big_integer(Jobs::RootAccountId))
                    // What to run, e.g. `assignment_bulk_update`.
                    .col(string(Jobs::Kind))
                    // JSON: the validated request, everything the job needs to run (again).
                    .col(text(Jobs::Payload))
                    .col(big_integer(Jobs::ProgressId))
                    // Who queued it: the actor of the changes it makes.
                    .col(big_integer_null(Jobs::UserId))
                    // queued | running | completed | failed
                    .col(string(Jobs::WorkflowState))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    // The worker's heartbeat while running.
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Jobs::StartedAt))
                    .col(timestamp_with_time_zone_null(Jobs::EndedAt))
                    .foreign_key(
                        ForeignKey::create().from(Jobs::Table, Jobs::ProgressId).to(Progress::Table, Progress::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's queue scan.
        manager.create_index(index("ix_jobs_state", Jobs::Table, &["workflow_state", "id"], false)).await?;
        Ok(())
    }
}
