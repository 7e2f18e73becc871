//! Course sections (Canvas): the groups of a course's people that enrollments and date overrides address.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CourseSections {
    Table,
    Id,
    RootAccountId,
    CourseId,
    Name,
    SisSectionId,
    IntegrationId,
    StartAt,
    EndAt,
    RestrictEnrollmentsToSectionDates,
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
                    .table(CourseSections::Table)
                    .col(big_pk_auto(CourseSections::Id))
                    .col(big_integer(CourseSections::RootAccountId))
                    .col(big_integer(CourseSections::CourseId))
                    .col(string(CourseSections::Name))
                    .col(string_null(CourseSections::SisSectionId))
                    .col(string_null(CourseSections::IntegrationId))
                    .col(timestamp_with_time_zone_null(CourseSections::StartAt))
                    .col(timestamp_with_time_zone_null(CourseSections::EndAt))
                    .col(boolean(CourseSections::RestrictEnrollmentsToSectionDates))
                    .col(string(CourseSections::WorkflowState))
                    .col(timestamp_with_time_zone(CourseSections::CreatedAt))
                    .col(timestamp_with_time_zone(CourseSections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CourseSections::Table, CourseSections::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_sections_sis_section_id",
                CourseSections::Table,
                &["root_account_id", "sis_section_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_sections_integration_id",
                CourseSections::Table,
                &["root_account_id", "integration_id"],
                true,
            ))
            .await?;
        manager.create_index(index("ix_sections_course", CourseSections::Table, &["course_id", "id"], false)).await?;
        Ok(())
    }
}
