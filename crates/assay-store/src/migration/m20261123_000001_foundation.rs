//! The platform foundation: accounts (schools and sub-accounts), users and their logins, account roles, access
//! tokens and the event outbox. Every tenant-owned table carries `root_account_id`, the school, which is also
//! the distribution column if the database is ever sharded by tenant.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    RootAccountId,
    ParentAccountId,
    Path,
    Name,
    Uuid,
    SisAccountId,
    IntegrationId,
    DefaultTimeZone,
    DefaultStorageQuotaMb,
    DefaultUserStorageQuotaMb,
    DefaultGroupStorageQuotaMb,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    RootAccountId,
    AccountId,
    Name,
    SortableName,
    SortKey,
    ShortName,
    SisUserId,
    IntegrationId,
    Email,
    Locale,
    TimeZone,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Logins {
    Table,
    Id,
    RootAccountId,
    UserId,
    UniqueId,
    UniqueIdNormalized,
    PasswordHash,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccountUsers {
    Table,
    Id,
    RootAccountId,
    AccountId,
    UserId,
    Role,
    WorkflowState,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccessTokens {
    Table,
    Id,
    RootAccountId,
    UserId,
    TokenHash,
    TokenHint,
    Purpose,
    Scopes,
    ExpiresAt,
    LastUsedAt,
    WorkflowState,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Seq,
    RootAccountId,
    EventType,
    SubjectType,
    SubjectId,
    ActorUserId,
    Payload,
    CreatedAt,
}

fn unique(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    super::util::index(name, table, cols, true)
}

fn plain(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    super::util::index(name, table, cols, false)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        // SQLite DDL is transactional too: a failed migration must leave no half-built schema.
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(big_pk_auto(Accounts::Id))
                    // For a root account this is its own id (the API shows null, as Canvas does).
                    .col(big_integer(Accounts::RootAccountId))
                    .col(big_integer_null(Accounts::ParentAccountId))
                    .col(string(Accounts::Path))
                    .col(string(Accounts::Name))
                    .col(string_uniq(Accounts::Uuid))
                    .col(string_null(Accounts::SisAccountId))
                    .col(string_null(Accounts::IntegrationId))
                    .col(string(Accounts::DefaultTimeZone))
                    .col(big_integer(Accounts::DefaultStorageQuotaMb))
                    .col(big_integer(Accounts::DefaultUserStorageQuotaMb))
                    .col(big_integer(Accounts::DefaultGroupStorageQuotaMb))
                    .col(string(Accounts::WorkflowState))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Accounts::Table, Accounts::ParentAccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("ux_accounts_sis_account_id", Accounts::Table, &["root_account_id", "sis_account_id"]))
            .await?;
        manager
            .create_index(unique("ux_accounts_integration_id", Accounts::Table, &["root_account_id", "integration_id"]))
            .await?;
        manager.create_index(plain("ix_accounts_parent", Accounts::Table, &["parent_account_id", "id"])).await?;
        manager.create_index(plain("ix_accounts_path", Accounts::Table, &["root_account_id", "path"])).await?;

        // Users are listed by sortable name. `sort_key` is its lower-cased form, compared byte-wise on both
        // backends (PostgreSQL's default collation depends on the server's locale; SQLite's is byte-wise), so a
        // keyset cursor means the same position on either database.
        let mut sort_key = string(Users::SortKey);
        if postgres {
            sort_key.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(big_integer(Users::RootAccountId))
                    .col(big_integer(Users::AccountId))
                    .col(string(Users::Name))
                    .col(string(Users::SortableName))
                    .col(sort_key)
                    .col(string(Users::ShortName))
                    .col(string_null(Users::SisUserId))
                    .col(string_null(Users::IntegrationId))
                    .col(string_null(Users::Email))
                    .col(string_null(Users::Locale))
                    .col(string_null(Users::TimeZone))
                    .col(string(Users::WorkflowState))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Users::Table, Users::AccountId).to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("ux_users_sis_user_id", Users::Table, &["root_account_id", "sis_user_id"])).await?;
        manager
            .create_index(unique("ux_users_integration_id", Users::Table, &["root_account_id", "integration_id"]))
            .await?;
        manager.create_index(plain("ix_users_sort", Users::Table, &["root_account_id", "sort_key", "id"])).await?;
        manager.create_index(plain("ix_users_account", Users::Table, &["account_id", "sort_key", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Logins::Table)
                    .col(big_pk_auto(Logins::Id))
                    .col(big_integer(Logins::RootAccountId))
                    .col(big_integer(Logins::UserId))
                    .col(string(Logins::UniqueId))
                    .col(string(Logins::UniqueIdNormalized))
                    .col(string_null(Logins::PasswordHash))
                    .col(string(Logins::WorkflowState))
                    .col(timestamp_with_time_zone(Logins::CreatedAt))
                    .col(timestamp_with_time_zone(Logins::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Logins::Table, Logins::UserId).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("ux_logins_unique_id", Logins::Table, &["root_account_id", "unique_id_normalized"]))
            .await?;
        manager.create_index(plain("ix_logins_user", Logins::Table, &["user_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountUsers::Table)
                    .col(big_pk_auto(AccountUsers::Id))
                    .col(big_integer(AccountUsers::RootAccountId))
                    .col(big_integer(AccountUsers::AccountId))
                    .col(big_integer(AccountUsers::UserId))
                    .col(string(AccountUsers::Role))
                    .col(string(AccountUsers::WorkflowState))
                    .col(timestamp_with_time_zone(AccountUsers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountUsers::Table, AccountUsers::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountUsers::Table, AccountUsers::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("ux_account_users", AccountUsers::Table, &["account_id", "user_id", "role"]))
            .await?;
        manager.create_index(plain("ix_account_users_user", AccountUsers::Table, &["user_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessTokens::Table)
                    .col(big_pk_auto(AccessTokens::Id))
                    .col(big_integer(AccessTokens::RootAccountId))
                    .col(big_integer(AccessTokens::UserId))
                    .col(string_uniq(AccessTokens::TokenHash))
                    .col(string(AccessTokens::TokenHint))
                    .col(string(AccessTokens::Purpose))
                    .col(json_binary_null(AccessTokens::Scopes))
                    .col(timestamp_with_time_zone_null(AccessTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccessTokens::LastUsedAt))
                    .col(string(AccessTokens::WorkflowState))
                    .col(timestamp_with_time_zone(AccessTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AccessTokens::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessTokens::Table, AccessTokens::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(plain("ix_access_tokens_user", AccessTokens::Table, &["user_id", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(big_pk_auto(Events::Id))
                    // Assigned after commit by the sequencer, in commit order, so `since_seq` never skips an event
                    // that committed late (see events.rs).
                    .col(big_integer_null(Events::Seq))
                    .col(big_integer(Events::RootAccountId))
                    .col(string(Events::EventType))
                    .col(string(Events::SubjectType))
                    .col(big_integer(Events::SubjectId))
                    .col(big_integer_null(Events::ActorUserId))
                    .col(json_binary(Events::Payload))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique("ux_events_seq", Events::Table, &["seq"])).await?;
        manager.create_index(plain("ix_events_feed", Events::Table, &["root_account_id", "seq"])).await?;
        Ok(())
    }
}
