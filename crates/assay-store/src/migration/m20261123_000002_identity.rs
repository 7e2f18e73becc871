//! Identity and access: developer keys (OAuth2 clients), OAuth fields on access tokens, context-bound API keys
//! (Momotor `Api-Key`), per-user API keys exchanged for short-lived tokens (Inspera), AB Connect partners, and a
//! per-school rate-limit override.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    ApiRateLimitPerMinute,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DeveloperKeys {
    Table,
    Id,
    RootAccountId,
    AccountId,
    Name,
    Email,
    Notes,
    RedirectUris,
    Scopes,
    RequireScopes,
    AllowIncludes,
    ServiceUserId,
    ClientSecretHash,
    ClientSecretHint,
    AccessTokenTtlSecs,
    WorkflowState,
    LastUsedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccessTokens {
    Table,
    Kind,
    DeveloperKeyId,
    RefreshTokenHash,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    RootAccountId,
    AccountId,
    CourseId,
    Name,
    Prefix,
    SecretHash,
    CreatedByUserId,
    WorkflowState,
    LastUsedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserApiKeys {
    Table,
    Id,
    RootAccountId,
    UserId,
    SecretHash,
    Hint,
    WorkflowState,
    LastUsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    RootAccountId,
    PartnerId,
    Name,
    SigningKey,
    MaxLifetimeSecs,
    WorkflowState,
    LastUsedAt,
    CreatedAt,
    UpdatedAt,
}

use super::util::index;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(integer_null(Accounts::ApiRateLimitPerMinute))
                    .to_owned(),
            )
            .await?;
        // `personal` (Canvas user-generated), `oauth` (from a token endpoint), `exchange` (Inspera short-lived).
        manager
            .alter_table(
                Table::alter()
                    .table(AccessTokens::Table)
                    .add_column(string(AccessTokens::Kind).default("personal"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AccessTokens::Table)
                    .add_column(big_integer_null(AccessTokens::DeveloperKeyId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AccessTokens::Table)
                    .add_column(string_null(AccessTokens::RefreshTokenHash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_access_tokens_refresh", AccessTokens::Table, &["refresh_token_hash"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeveloperKeys::Table)
                    .col(big_pk_auto(DeveloperKeys::Id))
                    .col(big_integer(DeveloperKeys::RootAccountId))
                    .col(big_integer(DeveloperKeys::AccountId))
                    .col(string(DeveloperKeys::Name))
                    .col(string_null(DeveloperKeys::Email))
                    .col(text_null(DeveloperKeys::Notes))
                    .col(json_binary(DeveloperKeys::RedirectUris))
                    .col(json_binary(DeveloperKeys::Scopes))
                    .col(boolean(DeveloperKeys::RequireScopes))
                    .col(boolean(DeveloperKeys::AllowIncludes))
                    .col(big_integer(DeveloperKeys::ServiceUserId))
                    .col(string_uniq(DeveloperKeys::ClientSecretHash))
                    .col(string(DeveloperKeys::ClientSecretHint))
                    .col(big_integer(DeveloperKeys::AccessTokenTtlSecs))
                    .col(string(DeveloperKeys::WorkflowState))
                    .col(timestamp_with_time_zone_null(DeveloperKeys::LastUsedAt))
                    .col(timestamp_with_time_zone(DeveloperKeys::CreatedAt))
                    .col(timestamp_with_time_zone(DeveloperKeys::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeveloperKeys::Table, DeveloperKeys::ServiceUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_developer_keys_account",
                DeveloperKeys::Table,
                &["root_account_id", "account_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(big_pk_auto(ApiKeys::Id))
                    .col(big_integer(ApiKeys::RootAccountId))
                    .col(big_integer(ApiKeys::AccountId))
                    // The course the key is bound to (courses arrive with rostering); null = the whole account.
                    .col(big_integer_null(ApiKeys::CourseId))
                    .col(string(ApiKeys::Name))
                    .col(string_uniq(ApiKeys::Prefix))
                    .col(string(ApiKeys::SecretHash))
                    .col(big_integer_null(ApiKeys::CreatedByUserId))
                    .col(string(ApiKeys::WorkflowState))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone(ApiKeys::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_api_keys_account", ApiKeys::Table, &["root_account_id", "account_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserApiKeys::Table)
                    .col(big_pk_auto(UserApiKeys::Id))
                    .col(big_integer(UserApiKeys::RootAccountId))
                    .col(big_integer(UserApiKeys::UserId))
                    .col(string_uniq(UserApiKeys::SecretHash))
                    .col(string(UserApiKeys::Hint))
                    .col(string(UserApiKeys::WorkflowState))
                    .col(timestamp_with_time_zone_null(UserApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone(UserApiKeys::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(UserApiKeys::Table, UserApiKeys::UserId).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_user_api_keys_user", UserApiKeys::Table, &["user_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table(Partners::Table)
                    .col(big_pk_auto(Partners::Id))
                    .col(big_integer(Partners::RootAccountId))
                    .col(string_uniq(Partners::PartnerId))
                    .col(string(Partners::Name))
                    // HMAC verification needs the shared key itself, so it cannot be stored as a one-way hash.
                    .col(string(Partners::SigningKey))
                    .col(big_integer(Partners::MaxLifetimeSecs))
                    .col(string(Partners::WorkflowState))
                    .col(timestamp_with_time_zone_null(Partners::LastUsedAt))
                    .col(timestamp_with_time_zone(Partners::CreatedAt))
                    .col(timestamp_with_time_zone(Partners::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_partners_school", Partners::Table, &["root_account_id"], false)).await?;
        Ok(())
    }
}
