//! Grading (issue 6): what graders grade with and what they leave on a submission.
//!
//! - `grading_standards`: named letter/GPA schemes of a course or an account (Canvas `GradingStandard`); `data`
//!   is the JSON list of `{name, value}` steps, `value` a fraction of the points. A course picks one with
//!   `courses.grading_standard_id`, an assignment with its own `grading_standard_id`.
//! - `late_policies`: one per course (Canvas `LatePolicy`), the deductions for late and missing submissions.
//! - `rubrics` and `rubric_associations`: a course's rubrics (criteria and ratings as JSON in `data`) and the one
//!   rubric an assignment is graded with (`use_for_grading`: its assessments set the score).
//! - `submission_comments`: comments on a submission, by its student or a grader.
//! - `submissions.missing_policy_applied`: the score is the one the late policy gives missing submissions.
//! - `submission_files`: files students upload for `online_upload` submissions, kept in the database up to the
//!   body limit. A file is announced (`pending`, with a hashed one-time upload token the unauthenticated upload
//!   step presents, as Canvas's signed upload URLs) and then `available`.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GradingStandards {
    Table,
    Id,
    RootAccountId,
    ContextType,
    ContextId,
    Title,
    Data,
    PointsBased,
    ScalingFactor,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LatePolicies {
    Table,
    Id,
    RootAccountId,
    CourseId,
    MissingSubmissionDeductionEnabled,
    MissingSubmissionDeduction,
    LateSubmissionDeductionEnabled,
    LateSubmissionDeduction,
    LateSubmissionInterval,
    LateSubmissionMinimumPercentEnabled,
    LateSubmissionMinimumPercent,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Rubrics {
    Table,
    Id,
    RootAccountId,
    CourseId,
    Title,
    PointsPossible,
    Data,
    FreeFormCriterionComments,
    HideScoreTotal,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RubricAssociations {
    Table,
    Id,
    RootAccountId,
    RubricId,
    AssociationType,
    AssociationId,
    UseForGrading,
    HideScoreTotal,
    Purpose,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubmissionComments {
    Table,
    Id,
    RootAccountId,
    SubmissionId,
    AuthorId,
    Comment,
    Attempt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SubmissionFiles {
    Table,
    Id,
    RootAccountId,
    CourseId,
    AssignmentId,
    UserId,
    DisplayName,
    ContentType,
    Size,
    Data,
    UploadTokenHash,
    WorkflowState,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    GradingStandardId,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    MissingPolicyApplied,
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
                    .table(GradingStandards::Table)
                    .col(big_pk_auto(GradingStandards::Id))
                    .col(big_integer(GradingStandards::RootAccountId))
                    .col(string(GradingStandards::ContextType))
                    .col(big_integer(GradingStandards::ContextId))
                    .col(string(GradingStandards::Title))
                    .col(text(GradingStandards::Data))
                    .col(boolean(GradingStandards::PointsBased).default(false))
                    .col(double(GradingStandards::ScalingFactor).default(1.0))
                    .col(string(GradingStandards::WorkflowState))
                    .col(timestamp_with_time_zone(GradingStandards::CreatedAt))
                    .col(timestamp_with_time_zone(GradingStandards::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_grading_standards_context",
                GradingStandards::Table,
                &["context_type", "context_id", "id"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Courses::Table)
                    .add_column(big_integer_null(Courses::GradingStandardId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LatePolicies::Table)
                    .col(big_pk_auto(LatePolicies::Id))
                    .col(big_integer(LatePolicies::RootAccountId))
                    .col(big_integer(LatePolicies::CourseId))
                    .col(boolean(LatePolicies::MissingSubmissionDeductionEnabled).default(false))
                    .col(double(LatePolicies::MissingSubmissionDeduction).default(100.0))
                    .col(boolean(LatePolicies::LateSubmissionDeductionEnabled).default(false))
                    .col(double(LatePolicies::LateSubmissionDeduction).default(0.0))
                    .col(string(LatePolicies::LateSubmissionInterval).default("day"))
                    .col(boolean(LatePolicies::LateSubmissionMinimumPercentEnabled).default(false))
                    .col(double(LatePolicies::LateSubmissionMinimumPercent).default(0.0))
                    .col(timestamp_with_time_zone(LatePolicies::CreatedAt))
                    .col(timestamp_with_time_zone(LatePolicies::UpdatedAt))
                    .foreign_key(&mut fk((LatePolicies::Table, LatePolicies::CourseId), (Courses::Table, Courses::Id)))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ux_late_policies_course", LatePolicies::Table, &["course_id"], true)).await?;

        manager
            .create_table(
                Table::create()
                    .table(Rubrics::Table)
                    .col(big_pk_auto(Rubrics::Id))
                    .col(big_integer(Rubrics::RootAccountId))
                    .col(big_integer(Rubrics::CourseId))
                    .col(string(Rubrics::Title))
                    .col(double(Rubrics::PointsPossible))
                    .col(text(Rubrics::Data))
                    .col(boolean(Rubrics::FreeFormCriterionComments).default(false))
                    .col(boolean(Rubrics::HideScoreTotal).default(false))
                    .col(string(Rubrics::WorkflowState))
                    .col(timestamp_with_time_zone(Rubrics::CreatedAt))
                    .col(timestamp_with_time_zone(Rubrics::UpdatedAt))
                    .foreign_key(&mut fk((Rubrics::Table, Rubrics::CourseId), (Courses::Table, Courses::Id)))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_rubrics_course", Rubrics::Table, &["course_id", "id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(RubricAssociations::Table)
                    .col(big_pk_auto(RubricAssociations::Id))
                    .col(big_integer(RubricAssociations::RootAccountId))
                    .col(big_integer(RubricAssociations::RubricId))
                    .col(string(RubricAssociations::AssociationType))
                    .col(big_integer(RubricAssociations::AssociationId))
                    .col(boolean(RubricAssociations::UseForGrading).default(false))
                    .col(boolean(RubricAssociations::HideScoreTotal).default(false))
                    .col(string(RubricAssociations::Purpose))
                    .col(timestamp_with_time_zone(RubricAssociations::CreatedAt))
                    .col(timestamp_with_time_zone(RubricAssociations::UpdatedAt))
                    .foreign_key(&mut fk(
                        (RubricAssociations::Table, RubricAssociations::RubricId),
                        (Rubrics::Table, Rubrics::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // An assignment is graded with one rubric.
        manager
            .create_index(index(
                "ux_rubric_associations_target",
                RubricAssociations::Table,
                &["association_type", "association_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_rubric_associations_rubric", RubricAssociations::Table, &["rubric_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SubmissionComments::Table)
                    .col(big_pk_auto(SubmissionComments::Id))
                    .col(big_integer(SubmissionComments::RootAccountId))
                    .col(big_integer(SubmissionComments::SubmissionId))
                    .col(big_integer_null(SubmissionComments::AuthorId))
                    .col(text(SubmissionComments::Comment))
                    .col(integer_null(SubmissionComments::Attempt))
                    .col(timestamp_with_time_zone(SubmissionComments::CreatedAt))
                    .col(timestamp_with_time_zone(SubmissionComments::UpdatedAt))
                    .foreign_key(&mut fk(
                        (SubmissionComments::Table, SubmissionComments::SubmissionId),
                        (Submissions::Table, Submissions::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_submission_comments_submission",
                SubmissionComments::Table,
                &["submission_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SubmissionFiles::Table)
                    .col(big_pk_auto(SubmissionFiles::Id))
                    .col(big_integer(SubmissionFiles::RootAccountId))
                    .col(big_integer(SubmissionFiles::CourseId))
                    .col(big_integer(SubmissionFiles::AssignmentId))
                    .col(big_integer(SubmissionFiles::UserId))
                    .col(string(SubmissionFiles::DisplayName))
                    .col(string(SubmissionFiles::ContentType))
                    .col(big_integer(SubmissionFiles::Size))
                    .col(blob_null(SubmissionFiles::Data))
                    .col(string_null(SubmissionFiles::UploadTokenHash))
                    .col(string(SubmissionFiles::WorkflowState))
                    .col(timestamp_with_time_zone_null(SubmissionFiles::ExpiresAt))
                    .col(timestamp_with_time_zone(SubmissionFiles::CreatedAt))
                    .col(timestamp_with_time_zone(SubmissionFiles::UpdatedAt))
                    .foreign_key(&mut fk(
                        (SubmissionFiles::Table, SubmissionFiles::AssignmentId),
                        (Assignments::Table, Assignments::Id),
                    ))
                    .foreign_key(&mut fk((SubmissionFiles::Table, SubmissionFiles::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_submission_files_upload_token",
                SubmissionFiles::Table,
                &["upload_token_hash"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_submission_files_owner",
                SubmissionFiles::Table,
                &["assignment_id", "user_id", "id"],
                false,
            ))
            .await?;

        // A score the late policy gave a missing submission is replaced when the student hands something in; a
        // grader's score is not. This flag tells them apart (a grader may be an API key, with no user to record).
        manager
            .alter_table(
                Table::alter()
                    .table(Submissions::Table)
                    .add_column(boolean(Submissions::MissingPolicyApplied).default(false))
                    .to_owned(),
            )
            .await?;
        // `GET /courses/:id/students/submissions` walks a course's submissions by id.
        manager
            .create_index(index("ix_submissions_course_id", Submissions::Table, &["course_id", "id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_submissions_course_id").table(Submissions::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(Submissions::Table).drop_column(Submissions::MissingPolicyApplied).to_owned(),
            )
            .await?;
        for table in [
            SubmissionFiles::Table.into_iden(),
            SubmissionComments::Table.into_iden(),
            RubricAssociations::Table.into_iden(),
            Rubrics::Table.into_iden(),
            LatePolicies::Table.into_iden(),
            GradingStandards::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Courses::Table).drop_column(Courses::GradingStandardId).to_owned())
            .await?;
        Ok(())
    }
}
