//! `Api-Key` credentials (Momotor): `GET/POST /api/v1/accounts/:account_id/api_keys`,
//! `DELETE /api/v1/accounts/:account_id/api_keys/:id`. A key gives reviewer rights on its account (read
//! everything, grade) and is sent as `Authorization: Api-Key <prefix>.<secret>`; the full key is shown once.

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
};
use assay_store::{api_keys, entity::api_key};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_api_keys, create_api_key)).routes(routes!(delete_api_key))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyJson {
    pub id: i64,
    pub name: String,
    pub account_id: i64,
    /// The course the key is limited to; null: the whole account.
    pub course_id: Option<i64>,
    /// The public part of the key.
    pub prefix: String,
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `<prefix>.<secret>`, to send as `Authorization: Api-Key <key>`: only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn render(k: &api_key::Model, full: Option<String>) -> ApiKeyJson {
    ApiKeyJson {
        id: k.id,
        name: k.name.clone(),
        account_id: k.account_id,
        course_id: k.course_id,
        prefix: k.prefix.clone(),
        workflow_state: k.workflow_state.clone(),
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        key: full,
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApiKeyFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// Limit the key to one course of the account (id or `sis_course_id:X`): reviewer rights in that course only.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub course_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApiKeyParams {
    #[serde(default)]
    pub api_key: ApiKeyFields,
}

/// The API keys of an account (never their secrets).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/api_keys", tag = "API keys",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<ApiKeyJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_api_keys(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<ApiKeyJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCredentials, Target::Account(&account.account_path()))?;
    let page = api_keys::list(state.store.read(), &caller.scope, account.id, &pagination.request).await?;
    Ok(Paginated::new(page.map(|k| render(&k, None)), pagination))
}

/// Creates an API key with reviewer rights on the account (or one of its courses). The key is in this response
/// only.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/api_keys", tag = "API keys",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`")),
    request_body(content((ApiKeyParams = "application/json"), (ApiKeyParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = ApiKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_api_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<ApiKeyParams>,
) -> ApiResult<Created<ApiKeyJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCredentials, Target::Account(&account.account_path()))?;
    let fields = params.api_key;
    let mut v = Validation::new();
    v.text("/api_key/name", fields.name.as_deref(), true, 255);
    v.finish()?;
    let course_id = match &fields.course_id {
        None => None,
        Some(raw) => {
            let not_here = || ApiError::invalid_field("/api_key/course_id", "no such course in this account");
            let course = super::courses::resolve(&state, &caller, raw, false).await.map_err(|_| not_here())?;
            if !course.account_path.is_within(&account.account_path()) {
                return Err(not_here());
            }
            Some(course.course.id)
        }
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let name = fields.name.unwrap_or_default().trim().to_owned();
    let account_id = account.id;
    let (key, full) = state
        .store
        .write(move |txn| {
            Box::pin(async move { api_keys::create(txn, &scope, account_id, course_id, name, actor).await })
        })
        .await?;
    let location = format!("{}/api/v1/accounts/{}/api_keys/{}", state.base_url.resolve(&headers), account_id, key.id);
    Ok(Created { location, body: render(&key, Some(full)) })
}

/// Revokes an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/api_keys/{id}", tag = "API keys",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), ("id" = i64, Path, description = "API key id")),
    responses((status = 200, body = ApiKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_api_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, i64)>,
) -> ApiResult<Json<ApiKeyJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCredentials, Target::Account(&account.account_path()))?;
    let current = api_keys::find(state.store.read(), &caller.scope, account.id, id)
        .await
        .map_err(|_| ApiError::not_found(Code::NotFound))?;
    let scope = caller.scope;
    let actor = caller.actor();
    let revoked = state
        .store
        .write(move |txn| Box::pin(async move { api_keys::revoke(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&revoked, None)))
}
