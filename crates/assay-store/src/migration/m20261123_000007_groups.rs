//! Course groups (Canvas "group sets" and groups, §issue 4 item 6): a course's group categories, the groups in
//! each, and who belongs to which group. Group assignments will address these.

use sea_orm_migration::{prelude::*, schema::*};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GroupCategories {
    Table,
    Id,
    RootAccountId,
    CourseId,
    Name,
    SelfSignup,
    GroupLimit,
    AutoLeader,
    SisGroupCategoryId,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    RootAccountId,
    CourseId,
    GroupCategoryId,
    Name,
    Description,
    IsPublic,
    JoinLevel,
    MaxMembership,
    SisGroupId,
    LeaderId,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMemberships {
    Table,
    Id,
    RootAccountId,
    GroupId,
    UserId,
    WorkflowState,
    Moderator,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GroupCategories::Table)
                    .col(big_pk_auto(GroupCategories::Id))
                    .col(big_integer(GroupCategories::RootAccountId))
                    .col(big_integer(GroupCategories::CourseId))
                    .col(string(GroupCategories::Name))
                    .col(string_null(GroupCategories::SelfSignup))
                    .col(integer_null(GroupCategories::GroupLimit))
                    .col(string_null(GroupCategories::AutoLeader))
                    .col(string_null(GroupCategories::SisGroupCategoryId))
                    .col(string(GroupCategories::WorkflowState))
                    .col(timestamp_with_time_zone(GroupCategories::CreatedAt))
                    .col(timestamp_with_time_zone(GroupCategories::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupCategories::Table, GroupCategories::CourseId)
                            .to(Courses::Table, Courses::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_group_categories_sis_id",
                GroupCategories::Table,
                &["root_account_id", "sis_group_category_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_group_categories_course", GroupCategories::Table, &["course_id", "id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(big_pk_auto(Groups::Id))
                    .col(big_integer(Groups::RootAccountId))
                    .col(big_integer(Groups::CourseId))
                    .col(big_integer(Groups::GroupCategoryId))
                    .col(string(Groups::Name))
                    .col(text_null(Groups::Description))
                    .col(boolean(Groups::IsPublic))
                    .col(string(Groups::JoinLevel))
                    .col(integer_null(Groups::MaxMembership))
                    .col(string_null(Groups::SisGroupId))
                    .col(big_integer_null(Groups::LeaderId))
                    .col(string(Groups::WorkflowState))
                    .col(timestamp_with_time_zone(Groups::CreatedAt))
                    .col(timestamp_with_time_zone(Groups::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Groups::Table, Groups::CourseId).to(Courses::Table, Courses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Groups::Table, Groups::GroupCategoryId)
                            .to(GroupCategories::Table, GroupCategories::Id),
                    )
                    .foreign_key(ForeignKey::create().from(Groups::Table, Groups::LeaderId).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_groups_sis_group_id", Groups::Table, &["root_account_id", "sis_group_id"], true))
            .await?;
        manager.create_index(index("ix_groups_course", Groups::Table, &["course_id", "id"], false)).await?;
        manager.create_index(index("ix_groups_category", Groups::Table, &["group_category_id", "id"], false)).await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupMemberships::Table)
                    .col(big_pk_auto(GroupMemberships::Id))
                    .col(big_integer(GroupMemberships::RootAccountId))
                    .col(big_integer(GroupMemberships::GroupId))
                    .col(big_integer(GroupMemberships::UserId))
                    .col(string(GroupMemberships::WorkflowState))
                    .col(boolean(GroupMemberships::Moderator))
                    .col(timestamp_with_time_zone(GroupMemberships::CreatedAt))
                    .col(timestamp_with_time_zone(GroupMemberships::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupMemberships::Table, GroupMemberships::GroupId)
                            .to(Groups::Table, Groups::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GroupMemberships::Table, GroupMemberships::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per user and group: leaving marks it deleted, joining again revives it.
        manager
            .create_index(index(
                "ux_group_memberships_group_user",
                GroupMemberships::Table,
                &["group_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ix_group_memberships_group", GroupMemberships::Table, &["group_id", "id"], false))
            .await?;
        manager
            .create_index(index("ix_group_memberships_user", GroupMemberships::Table, &["user_id", "id"], false))
            .await?;
        Ok(())
    }
}
