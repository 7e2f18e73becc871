//! Assignments (Canvas §3): a course's assignment groups, its assignments, per-student/group/section date
//! overrides (with their students), and extra attempts granted per student.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AssignmentGroups {
    Table,
    Id,
    RootAccountId,
    CourseId,
    Name,
    Position,
    GroupWeight,
    Rules,
    SisSourceId,
    IntegrationData,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentGroupId,
    Name,
    Description,
    Position,
    PointsPossible,
    GradingType,
    GradingStandardId,
    SubmissionTypes,
    AllowedExtensions,
    AllowedAttempts,
    DueAt,
    UnlockAt,
    LockAt,
    OnlyVisibleToOverrides,
    WorkflowState,
    OmitFromFinalGrade,
    HideInGradebook,
    PostManually,
    AnonymousGrading,
    ModeratedGrading,
    PeerReviews,
    GroupCategoryId,
    QuizId,
    IntegrationId,
    IntegrationData,
    SisAssignmentId,
    DuplicateOfId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssignmentOverrides {
    Table,
    Id,
    RootAccountId,
    AssignmentId,
    Title,
    SetType,
    CourseSectionId,
    GroupId,
    DueAt,
    DueAtOverridden,
    UnlockAt,
    UnlockAtOverridden,
    LockAt,
    LockAtOverridden,
    AllDay,
    AllDayDate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssignmentOverrideStudents {
    Table,
    Id,
    RootAccountId,
    AssignmentOverrideId,
    AssignmentId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssignmentExtensions {
    Table,
    Id,
    RootAccountId,
    AssignmentId,
    UserId,
    ExtraAttempts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CourseSections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum GroupCategories {
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
                    .table(AssignmentGroups::Table)
                    .col(big_pk_auto(AssignmentGroups::Id))
                    .col(big_integer(AssignmentGroups::RootAccountId))
                    .col(big_integer(AssignmentGroups::CourseId))
                    .col(string(AssignmentGroups::Name))
                    .col(integer(AssignmentGroups::Position))
                    .col(double(AssignmentGroups::GroupWeight))
                    .col(text_null(AssignmentGroups::Rules))
                    .col(string_null(AssignmentGroups::SisSourceId))
                    .col(text_null(AssignmentGroups::IntegrationData))
                    .col(string(AssignmentGroups::WorkflowState))
                    .col(timestamp_with_time_zone(AssignmentGroups::CreatedAt))
                    .col(timestamp_with_time_zone(AssignmentGroups::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentGroups::Table, AssignmentGroups::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_assignment_groups_course",
                AssignmentGroups::Table,
                &["course_id", "position", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(big_pk_auto(Assignments::Id))
                    .col(big_integer(Assignments::RootAccountId))
                    .col(big_integer(Assignments::CourseId))
                    .col(big_integer(Assignments::AssignmentGroupId))
                    .col(string(Assignments::Name))
                    .col(text_null(Assignments::Description))
                    .col(integer(Assignments::Position))
                    .col(double_null(Assignments::PointsPossible))
                    .col(string(Assignments::GradingType))
                    .col(big_integer_null(Assignments::GradingStandardId))
                    .col(text(Assignments::SubmissionTypes))
                    .col(text(Assignments::AllowedExtensions))
                    .col(integer(Assignments::AllowedAttempts))
                    .col(timestamp_with_time_zone_null(Assignments::DueAt))
                    .col(timestamp_with_time_zone_null(Assignments::UnlockAt))
                    .col(timestamp_with_time_zone_null(Assignments::LockAt))
                    .col(boolean(Assignments::OnlyVisibleToOverrides))
                    .col(string(Assignments::WorkflowState))
                    .col(boolean(Assignments::OmitFromFinalGrade))
                    .col(boolean(Assignments::HideInGradebook))
                    .col(boolean(Assignments::PostManually))
                    .col(boolean(Assignments::AnonymousGrading))
                    .col(boolean(Assignments::ModeratedGrading))
                    .col(boolean(Assignments::PeerReviews))
                    .col(big_integer_null(Assignments::GroupCategoryId))
                    .col(big_integer_null(Assignments::QuizId))
                    .col(string_null(Assignments::IntegrationId))
                    .col(text_null(Assignments::IntegrationData))
                    .col(string_null(Assignments::SisAssignmentId))
                    .col(big_integer_null(Assignments::DuplicateOfId))
                    .col(timestamp_with_time_zone(Assignments::CreatedAt))
                    .col(timestamp_with_time_zone(Assignments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::AssignmentGroupId)
                            .to(AssignmentGroups::Table, AssignmentGroups::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::GroupCategoryId)
                            .to(GroupCategories::Table, GroupCategories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_assignments_sis_assignment_id",
                Assignments::Table,
                &["root_account_id", "sis_assignment_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_assignments_course", Assignments::Table, &["course_id", "position", "id"], false))
            .await?;
        manager
            .create_index(index(
                "ix_assignments_group",
                Assignments::Table,
                &["assignment_group_id", "position", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssignmentOverrides::Table)
                    .col(big_pk_auto(AssignmentOverrides::Id))
                    .col(big_integer(AssignmentOverrides::RootAccountId))
                    .col(big_integer(AssignmentOverrides::AssignmentId))
                    .col(string(AssignmentOverrides::Title))
                    .col(string(AssignmentOverrides::SetType))
                    .col(big_integer_null(AssignmentOverrides::CourseSectionId))
                    .col(big_integer_null(AssignmentOverrides::GroupId))
                    .col(timestamp_with_time_zone_null(AssignmentOverrides::DueAt))
                    .col(boolean(AssignmentOverrides::DueAtOverridden))
                    .col(timestamp_with_time_zone_null(AssignmentOverrides::UnlockAt))
                    .col(boolean(AssignmentOverrides::UnlockAtOverridden))
                    .col(timestamp_with_time_zone_null(AssignmentOverrides::LockAt))
                    .col(boolean(AssignmentOverrides::LockAtOverridden))
                    .col(boolean(AssignmentOverrides::AllDay))
                    .col(string_null(AssignmentOverrides::AllDayDate))
                    .col(timestamp_with_time_zone(AssignmentOverrides::CreatedAt))
                    .col(timestamp_with_time_zone(AssignmentOverrides::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentOverrides::Table, AssignmentOverrides::AssignmentId)
                            .to(Assignments::Table, Assignments::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentOverrides::Table, AssignmentOverrides::CourseSectionId)
                            .to(CourseSections::Table, CourseSections::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentOverrides::Table, AssignmentOverrides::GroupId)
                            .to(Groups::Table, Groups::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One override per section and per group of an assignment (NULLs never collide, so ad-hoc overrides
        // are not constrained here; their students are, below).
        manager
            .create_index(index(
                "ux_assignment_overrides_section",
                AssignmentOverrides::Table,
                &["assignment_id", "course_section_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_assignment_overrides_group",
                AssignmentOverrides::Table,
                &["assignment_id", "group_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssignmentOverrideStudents::Table)
                    .col(big_pk_auto(AssignmentOverrideStudents::Id))
                    .col(big_integer(AssignmentOverrideStudents::RootAccountId))
                    .col(big_integer(AssignmentOverrideStudents::AssignmentOverrideId))
                    .col(big_integer(AssignmentOverrideStudents::AssignmentId))
                    .col(big_integer(AssignmentOverrideStudents::UserId))
                    .col(timestamp_with_time_zone(AssignmentOverrideStudents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentOverrideStudents::Table, AssignmentOverrideStudents::AssignmentOverrideId)
                            .to(AssignmentOverrides::Table, AssignmentOverrides::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentOverrideStudents::Table, AssignmentOverrideStudents::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A student is in at most one ad-hoc override of an assignment.
        manager
            .create_index(index(
                "ux_assignment_override_students_user",
                AssignmentOverrideStudents::Table,
                &["assignment_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_assignment_override_students_override",
                AssignmentOverrideStudents::Table,
                &["assignment_override_id", "user_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AssignmentExtensions::Table)
                    .col(big_pk_auto(AssignmentExtensions::Id))
                    .col(big_integer(AssignmentExtensions::RootAccountId))
                    .col(big_integer(AssignmentExtensions::AssignmentId))
                    .col(big_integer(AssignmentExtensions::UserId))
                    .col(integer(AssignmentExtensions::ExtraAttempts))
                    .col(timestamp_with_time_zone(AssignmentExtensions::CreatedAt))
                    .col(timestamp_with_time_zone(AssignmentExtensions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentExtensions::Table, AssignmentExtensions::AssignmentId)
                            .to(Assignments::Table, Assignments::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssignmentExtensions::Table, AssignmentExtensions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_assignment_extensions_user",
                AssignmentExtensions::Table,
                &["assignment_id", "user_id"],
                true,
            ))
            .await?;
        Ok(())
    }
}
