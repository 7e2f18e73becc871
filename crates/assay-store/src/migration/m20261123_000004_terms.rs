//! Enrollment terms (Canvas §2.2): they belong to a school (its root account) and are soft-deleted
//! (`workflow_state` `active` or `deleted`). Courses do not point at them yet.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EnrollmentTerms {
    Table,
    Id,
    RootAccountId,
    Name,
    SisTermId,
    IntegrationId,
    StartAt,
    EndAt,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

fn index(name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    super::util::index(name, EnrollmentTerms::Table, cols, unique)
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
                    .table(EnrollmentTerms::Table)
                    .col(big_pk_auto(EnrollmentTerms::Id))
                    .col(big_integer(EnrollmentTerms::RootAccountId))
                    .col(string(EnrollmentTerms::Name))
                    .col(string_null(EnrollmentTerms::SisTermId))
                    .col(string_null(EnrollmentTerms::IntegrationId))
                    .col(timestamp_with_time_zone_null(EnrollmentTerms::StartAt))
                    .col(timestamp_with_time_zone_null(EnrollmentTerms::EndAt))
                    .col(string(EnrollmentTerms::WorkflowState))
                    .col(timestamp_with_time_zone(EnrollmentTerms::CreatedAt))
                    .col(timestamp_with_time_zone(EnrollmentTerms::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EnrollmentTerms::Table, EnrollmentTerms::RootAccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ux_terms_sis_term_id", &["root_account_id", "sis_term_id"], true)).await?;
        manager.create_index(index("ix_terms_school", &["root_account_id", "id"], false)).await?;
        Ok(())
    }
}
