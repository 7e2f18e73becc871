//! Users' API keys (Inspera): a user administrator generates one for a user (`POST`), it is shown once, and the
//! user's integration exchanges it at `POST /api/authenticate/token` for short-lived tokens. Generating a new
//! key revokes the old one; `DELETE` revokes without replacing.

use assay_domain::{
    Code,
    policy::{Permission, Target},
};
use assay_store::{entity::user_api_key, user_api_keys, users::UserView};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::users;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_user_api_key, generate_user_api_key, revoke_user_api_key))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserApiKeyJson {
    pub id: i64,
    pub user_id: i64,
    /// The `client_id` to send with the key: the school's id.
    pub client_id: String,
    /// The last characters of the key.
    pub hint: String,
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The key (Inspera's "authorization code"): only in the response that generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

fn render(k: &user_api_key::Model, secret: Option<String>) -> UserApiKeyJson {
    UserApiKeyJson {
        id: k.id,
        user_id: k.user_id,
        client_id: k.root_account_id.to_string(),
        hint: k.hint.clone(),
        workflow_state: k.workflow_state.clone(),
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        api_key: secret,
    }
}

async fn target(state: &AppState, caller: &Caller, user_id: &str) -> ApiResult<UserView> {
    let view = users::resolve(state, caller, user_id).await?;
    caller
        .require(Permission::ManageCredentials, Target::User { user_id: view.user.id, account: &view.account_path })?;
    Ok(view)
}

/// The user's current API key (never the key itself).
#[utoipa::path(get, path = "/api/v1/users/{user_id}/api_key", tag = "API keys",
    params(("user_id" = String, Path, description = "User id, `sis_user_id:X` or `sis_login_id:X`")),
    responses((status = 200, body = UserApiKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_user_api_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
) -> ApiResult<Json<UserApiKeyJson>> {
    let view = target(&state, &caller, &user_id).await?;
    let key = user_api_keys::find_active(state.store.read(), &caller.scope, view.user.id)
        .await
        .map_err(|_| ApiError::not_found(Code::NotFound))?;
    Ok(Json(render(&key, None)))
}

/// Generates the user's API key, revoking any previous one. The key is in this response only.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/api_key", tag = "API keys",
    params(("user_id" = String, Path, description = "User id, `sis_user_id:X` or `sis_login_id:X`")),
    responses((status = 201, body = UserApiKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn generate_user_api_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
) -> ApiResult<(axum::http::StatusCode, Json<UserApiKeyJson>)> {
    let view = target(&state, &caller, &user_id).await?;
    let scope = caller.scope;
    let actor = caller.actor();
    let user = view.user;
    let (key, secret) = state
        .store
        .write(move |txn| Box::pin(async move { user_api_keys::generate(txn, &scope, &user, actor).await }))
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(render(&key, Some(secret)))))
}

/// Revokes the user's API key; tokens already exchanged for it keep their (short) lifetime.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}/api_key", tag = "API keys",
    params(("user_id" = String, Path, description = "User id, `sis_user_id:X` or `sis_login_id:X`")),
    responses((status = 200, body = UserApiKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn revoke_user_api_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
) -> ApiResult<Json<UserApiKeyJson>> {
    let view = target(&state, &caller, &user_id).await?;
    let key = user_api_keys::find_active(state.store.read(), &caller.scope, view.user.id)
        .await
        .map_err(|_| ApiError::not_found(Code::NotFound))?;
    let scope = caller.scope;
    let actor = caller.actor();
    let revoked = key.clone();
    state
        .store
        .write(move |txn| Box::pin(async move { user_api_keys::revoke(txn, &scope, &key, actor).await }))
        .await?;
    Ok(Json(render(&user_api_key::Model { workflow_state: "deleted".into(), ..revoked }, None)))
}
