//! Accounts: `GET /api/v1/accounts`, `GET/PUT /api/v1/accounts/:id`, `GET/POST /api/v1/accounts/:id/sub_accounts`
//! (Canvas, `specs/canvas.md` §2.1).

use assay_domain::{
    Code, Validation,
    account::{validate_quota, validate_time_zone},
    policy::{Permission, Target},
};
use assay_store::{
    accounts::{self, AccountChanges, ID_PREFIXES, NewAccount},
    entity::account,
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::Created;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::{PathParams, id_ref},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts))
        .routes(routes!(show_account, update_account))
        .routes(routes!(list_sub_accounts, create_sub_account))
        .routes(routes!(delete_sub_account))
}

/// An account (a school, or a sub-account within one).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountJson {
    pub id: i64,
    pub name: String,
    pub uuid: String,
    /// Null for a root account.
    pub parent_account_id: Option<i64>,
    /// Null for a root account.
    pub root_account_id: Option<i64>,
    pub default_time_zone: String,
    pub default_storage_quota_mb: i64,
    pub default_user_storage_quota_mb: i64,
    pub default_group_storage_quota_mb: i64,
    /// `active` or `deleted`.
    pub workflow_state: String,
    /// Shown to callers who may read SIS data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_account_id: Option<Option<String>>,
    /// The same value as `sis_account_id` (Ans's name for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
}

pub fn render(a: &account::Model, caller: &Caller) -> AccountJson {
    let sis = caller.may(Permission::ReadSis, Target::Account(&a.account_path()));
    AccountJson {
        id: a.id,
        name: a.name.clone(),
        uuid: a.uuid.clone(),
        parent_account_id: a.parent_account_id,
        root_account_id: (!a.is_root()).then_some(a.root_account_id),
        default_time_zone: a.default_time_zone.clone(),
        default_storage_quota_mb: a.default_storage_quota_mb,
        default_user_storage_quota_mb: a.default_user_storage_quota_mb,
        default_group_storage_quota_mb: a.default_group_storage_quota_mb,
        workflow_state: a.workflow_state.clone(),
        sis_account_id: sis.then(|| a.sis_account_id.clone()),
        external_id: sis.then(|| a.sis_account_id.clone()),
        integration_id: sis.then(|| a.integration_id.clone()),
    }
}

/// Finds an account of the caller's school from a path id, or 404.
pub async fn resolve(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<account::Model> {
    let id = id_ref(raw, "account", ID_PREFIXES)?;
    accounts::find(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::AccountNotFound),
        other => other.into(),
    })
}

/// The accounts the caller administers. Students and teachers get an empty list.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "Accounts",
    params(crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AccountJson>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
    pagination: Pagination,
) -> ApiResult<Paginated<AccountJson>> {
    let page =
        accounts::list_administered(state.store.read(), &caller.scope, &caller.grants, &pagination.request).await?;
    Ok(Paginated::new(page.map(|a| render(&a, &caller)), pagination))
}

/// One account, by id, `sis_account_id:…`, `external_id:…` or `self` (the caller's school).
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "Accounts",
    params(("id" = String, Path, description = "Account id, `self`, `sis_account_id:X` or `external_id:X`")),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_account(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<AccountJson>> {
    let account = resolve(&state, &caller, &id).await?;
    caller.require(Permission::ViewAccount, Target::Account(&account.account_path()))?;
    Ok(Json(render(&account, &caller)))
}

/// The fields of `account[…]` on create and update.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccountFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// Needs the right to manage SIS data; cannot be set on a root account. Empty or null clears it.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_account_id: Option<Option<String>>,
    /// Alias of `sis_account_id`.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
    /// IANA time zone name, e.g. `America/Denver`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub default_time_zone: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub default_storage_quota_mb: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub default_user_storage_quota_mb: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub default_group_storage_quota_mb: Option<i64>,
    /// Moves the account below another account of the same school (update only).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub parent_account_id: Option<i64>,
}

impl AccountFields {
    /// `sis_account_id`, or its alias `external_id`.
    fn sis_id(&self) -> Option<Option<String>> {
        self.sis_account_id.clone().or_else(|| self.external_id.clone())
    }

    fn validate(&self, v: &mut Validation, name_required: bool) {
        v.text("/account/name", self.name.as_deref(), name_required, 255);
        if let Some(Some(sis)) = self.sis_id() {
            v.identifier("/account/sis_account_id", Some(&sis));
        }
        if let Some(Some(id)) = &self.integration_id {
            v.identifier("/account/integration_id", Some(id));
        }
        validate_time_zone(v, "/account/default_time_zone", self.default_time_zone.as_deref());
        validate_quota(v, "/account/default_storage_quota_mb", self.default_storage_quota_mb);
        validate_quota(v, "/account/default_user_storage_quota_mb", self.default_user_storage_quota_mb);
        validate_quota(v, "/account/default_group_storage_quota_mb", self.default_group_storage_quota_mb);
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccountParams {
    #[serde(default)]
    pub account: AccountFields,
}

/// Updates an account. Only the fields sent change.
#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "Accounts",
    params(("id" = String, Path, description = "Account id, `self`, `sis_account_id:X` or `external_id:X`")),
    request_body(content((AccountParams = "application/json"), (AccountParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AccountJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_account(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<AccountParams>,
) -> ApiResult<Json<AccountJson>> {
    let current = resolve(&state, &caller, &id).await?;
    let path = current.account_path();
    caller.require(Permission::ManageAccount, Target::Account(&path))?;
    let fields = params.account;
    let mut v = Validation::new();
    fields.validate(&mut v, false);
    let sis = fields.sis_id();
    if (sis.is_some() || fields.integration_id.is_some()) && current.is_root() {
        v.add("/account/sis_account_id", "a root account has no SIS id");
    }
    let parent = match fields.parent_account_id {
        Some(parent_id) if Some(parent_id) != current.parent_account_id => {
            let parent = resolve(&state, &caller, &parent_id.to_string())
                .await
                .map_err(|_| ApiError::invalid_field("/account/parent_account_id", "no such account in this school"))?;
            caller.require(Permission::ManageAccount, Target::Account(&parent.account_path()))?;
            Some(parent)
        }
        _ => None,
    };
    v.finish()?;
    if sis.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&path))?;
    }
    let changes = AccountChanges {
        name: fields.name.map(|n| n.trim().to_owned()),
        sis_account_id: sis,
        integration_id: fields.integration_id,
        default_time_zone: fields.default_time_zone,
        default_storage_quota_mb: fields.default_storage_quota_mb,
        default_user_storage_quota_mb: fields.default_user_storage_quota_mb,
        default_group_storage_quota_mb: fields.default_group_storage_quota_mb,
        parent,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { accounts::update(txn, &scope, &current, changes, actor).await }))
        .await?;
    Ok(Json(render(&updated, &caller)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubAccountQuery {
    /// List every account below this one, not only its children.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub recursive: Option<bool>,
}

/// The sub-accounts of an account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/sub_accounts", tag = "Accounts",
    params(("id" = String, Path, description = "Account id, `self`, `sis_account_id:X` or `external_id:X`"),
           SubAccountQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AccountJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_sub_accounts(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<SubAccountQuery>,
) -> ApiResult<Paginated<AccountJson>> {
    let parent = resolve(&state, &caller, &id).await?;
    caller.require(Permission::ViewAccount, Target::Account(&parent.account_path()))?;
    let page = accounts::list_sub_accounts(
        state.store.read(),
        &caller.scope,
        &parent,
        query.recursive.unwrap_or(false),
        &pagination.request,
    )
    .await?;
    Ok(Paginated::new(page.map(|a| render(&a, &caller)), pagination))
}

/// Creates a sub-account. `account[name]` is required; other settings default to the parent's.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/sub_accounts", tag = "Accounts",
    params(("id" = String, Path, description = "Parent account id, `self`, `sis_account_id:X` or `external_id:X`")),
    request_body(content((AccountParams = "application/json"), (AccountParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = AccountJson, headers(("Location" = String, description = "URL of the new account"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_sub_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<AccountParams>,
) -> ApiResult<Created<AccountJson>> {
    let parent = resolve(&state, &caller, &id).await?;
    caller.require(Permission::ManageAccount, Target::Account(&parent.account_path()))?;
    let fields = params.account;
    let mut v = Validation::new();
    fields.validate(&mut v, true);
    v.finish()?;
    let sis = fields.sis_id().flatten();
    let integration_id = fields.integration_id.clone().flatten();
    if sis.is_some() || integration_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&parent.account_path()))?;
    }
    let new = NewAccount {
        name: fields.name.unwrap_or_default().trim().to_owned(),
        sis_account_id: sis,
        integration_id,
        default_time_zone: fields.default_time_zone,
        default_storage_quota_mb: fields.default_storage_quota_mb,
        default_user_storage_quota_mb: fields.default_user_storage_quota_mb,
        default_group_storage_quota_mb: fields.default_group_storage_quota_mb,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { accounts::create_sub_account(txn, &scope, &parent, new, actor).await }))
        .await?;
    let location = format!("{}/api/v1/accounts/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render(&created, &caller) })
}

/// Deletes a sub-account (soft delete: it is kept with `workflow_state` `deleted`). A school cannot be deleted,
/// nor an account that still has active sub-accounts.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/sub_accounts/{id}", tag = "Accounts",
    params(("account_id" = String, Path, description = "Parent account id, `self`, `sis_account_id:X` or `external_id:X`"),
           ("id" = String, Path, description = "Id of the sub-account to delete (or `sis_account_id:X`)")),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_sub_account(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((parent_id, id)): PathParams<(String, String)>,
    // DELETE takes parameters like every other method (none are defined yet); reading them rejects bad bodies.
    Params(_params): Params<serde_json::Value>,
) -> ApiResult<Json<AccountJson>> {
    let parent = resolve(&state, &caller, &parent_id).await?;
    let account = resolve(&state, &caller, &id).await?;
    if account.parent_account_id != Some(parent.id) {
        return Err(ApiError::not_found(Code::AccountNotFound));
    }
    caller.require(Permission::ManageAccount, Target::Account(&account.account_path()))?;
    let scope = caller.scope;
    let actor = caller.actor();
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { accounts::delete(txn, &scope, &account, actor).await }))
        .await?;
    Ok(Json(render(&deleted, &caller)))
}
