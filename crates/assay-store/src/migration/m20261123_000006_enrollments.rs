//! Enrollments (Canvas §2.10): a user's role in a course section. Also the course settings document
//! (`/courses/:id/settings`), kept as JSON because its keys are a growing list of UI switches, and the flag marking
//! the section an enrollment joins when it names none.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    RootAccountId,
    CourseId,
    CourseSectionId,
    UserId,
    Type,
    Role,
    WorkflowState,
    LimitPrivilegesToCourseSection,
    AssociatedUserId,
    StartAt,
    EndAt,
    LastActivityAt,
    CompletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Settings,
}

#[derive(DeriveIden)]
enum CourseSections {
    Table,
    Id,
    DefaultSection,
}

#[derive(DeriveIden)]
enum Users {
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
                    .table(Enrollments::Table)
                    .col(big_pk_auto(Enrollments::Id))
                    .col(big_integer(Enrollments::RootAccountId))
                    .col(big_integer(Enrollments::CourseId))
                    .col(big_integer(Enrollments::CourseSectionId))
                    .col(big_integer(Enrollments::UserId))
                    .col(string(Enrollments::Type))
                    .col(string(Enrollments::Role))
                    .col(string(Enrollments::WorkflowState))
                    .col(boolean(Enrollments::LimitPrivilegesToCourseSection))
                    .col(big_integer_null(Enrollments::AssociatedUserId))
                    .col(timestamp_with_time_zone_null(Enrollments::StartAt))
                    .col(timestamp_with_time_zone_null(Enrollments::EndAt))
                    .col(timestamp_with_time_zone_null(Enrollments::LastActivityAt))
                    .col(timestamp_with_time_zone_null(Enrollments::CompletedAt))
                    .col(timestamp_with_time_zone(Enrollments::CreatedAt))
                    .col(timestamp_with_time_zone(Enrollments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::CourseSectionId)
                            .to(CourseSections::Table, CourseSections::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Enrollments::Table, Enrollments::UserId).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per (user, section, type): enrolling again revives or updates that row (Canvas does the same).
        manager
            .create_index(index(
                "ux_enrollments_user_section_type",
                Enrollments::Table,
                &["course_section_id", "user_id", "type"],
                true,
            ))
            .await?;
        manager.create_index(index("ix_enrollments_course", Enrollments::Table, &["course_id", "id"], false)).await?;
        manager.create_index(index("ix_enrollments_user", Enrollments::Table, &["user_id", "id"], false)).await?;
        manager
            .create_index(index("ix_enrollments_section", Enrollments::Table, &["course_section_id", "id"], false))
            .await?;
        manager
            .alter_table(Table::alter().table(Courses::Table).add_column(text_null(Courses::Settings)).to_owned())
            .await?;
        // The section an enrollment lands in when none is named (Canvas's "default section").
        manager
            .alter_table(
                Table::alter()
                    .table(CourseSections::Table)
                    .add_column(boolean(CourseSections::DefaultSection).default(false))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
