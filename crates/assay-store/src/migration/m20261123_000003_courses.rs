//! Courses (Canvas §2.6): they belong to an account of a school and carry Canvas's state machine
//! (`unpublished`, `available`, `completed`, `deleted`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    RootAccountId,
    AccountId,
    EnrollmentTermId,
    Name,
    CourseCode,
    Uuid,
    SisCourseId,
    IntegrationId,
    WorkflowState,
    StartAt,
    EndAt,
    TimeZone,
    DefaultView,
    ApplyAssignmentGroupWeights,
    HideFinalGrades,
    RestrictEnrollmentsToCourseDates,
    IsPublic,
    License,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

fn index(name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    super::util::index(name, Courses::Table, cols, unique)
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
                    .table(Courses::Table)
                    .col(big_pk_auto(Courses::Id))
                    .col(big_integer(Courses::RootAccountId))
                    .col(big_integer(Courses::AccountId))
                    // Terms arrive with the rest of rostering; until then a course has none.
                    .col(big_integer_null(Courses::EnrollmentTermId))
                    .col(string(Courses::Name))
                    .col(string(Courses::CourseCode))
                    .col(string_uniq(Courses::Uuid))
                    .col(string_null(Courses::SisCourseId))
                    .col(string_null(Courses::IntegrationId))
                    .col(string(Courses::WorkflowState))
                    .col(timestamp_with_time_zone_null(Courses::StartAt))
                    .col(timestamp_with_time_zone_null(Courses::EndAt))
                    .col(string_null(Courses::TimeZone))
                    .col(string(Courses::DefaultView))
                    .col(boolean(Courses::ApplyAssignmentGroupWeights))
                    .col(boolean(Courses::HideFinalGrades))
                    .col(boolean(Courses::RestrictEnrollmentsToCourseDates))
                    .col(boolean(Courses::IsPublic))
                    .col(string_null(Courses::License))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Courses::Table, Courses::AccountId).to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ux_courses_sis_course_id", &["root_account_id", "sis_course_id"], true)).await?;
        manager.create_index(index("ux_courses_integration_id", &["root_account_id", "integration_id"], true)).await?;
        manager.create_index(index("ix_courses_account", &["account_id", "id"], false)).await?;
        manager.create_index(index("ix_courses_school", &["root_account_id", "id"], false)).await?;
        Ok(())
    }
}
