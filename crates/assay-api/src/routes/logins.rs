//! Logins (Canvas's Logins API): the names a user signs in with, each with an optional password.
//! `GET /api/v1/users/:user_id/logins`, `POST /api/v1/accounts/:account_id/logins`,
//! `PUT /api/v1/accounts/:account_id/logins/:id`, `DELETE /api/v1/users/:user_id/logins/:id`.

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
};
use assay_store::{entity::login, logins};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts, users};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_logins))
        .routes(routes!(create_login))
        .routes(routes!(update_login))
        .routes(routes!(delete_login))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginJson {
    pub id: i64,
    pub user_id: i64,
    /// The school (root account).
    pub account_id: i64,
    pub unique_id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub workflow_state: String,
    /// Whether the login has a password (the password itself is never shown).
    pub has_password: bool,
}

fn render(l: &login::Model) -> LoginJson {
    LoginJson {
        id: l.id,
        user_id: l.user_id,
        account_id: l.root_account_id,
        unique_id: l.unique_id.clone(),
        created_at: l.created_at,
        workflow_state: l.workflow_state.clone(),
        has_password: l.password_hash.is_some(),
    }
}

/// A user's logins.
#[utoipa::path(get, path = "/api/v1/users/{user_id}/logins", tag = "Logins",
    params(("user_id" = String, Path, description = "User id, `self`, `sis_user_id:X` or `sis_login_id:X`")),
    responses((status = 200, body = Vec<LoginJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_logins(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
) -> ApiResult<Json<Vec<LoginJson>>> {
    let view = users::resolve(&state, &caller, &user_id).await?;
    caller.require(Permission::ViewUsers, Target::User { user_id: view.user.id, account: &view.account_path })?;
    let found = logins::list_for_user(state.store.read(), &caller.scope, view.user.id).await?;
    Ok(Json(found.iter().map(render).collect()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub unique_id: Option<String>,
    /// At least 8 characters.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub password: Option<String>,
    /// Needed when users change their own password.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub old_password: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginUser {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateLoginParams {
    #[serde(default)]
    pub user: LoginUser,
    #[serde(default)]
    pub login: LoginFields,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateLoginParams {
    #[serde(default)]
    pub login: LoginFields,
}

fn validate(fields: &LoginFields, creating: bool) -> Result<(), ApiError> {
    let mut v = Validation::new();
    if creating || fields.unique_id.is_some() {
        v.identifier("/login/unique_id", fields.unique_id.as_deref());
        if creating && fields.unique_id.is_none() {
            v.add("/login/unique_id", "is required");
        }
    }
    if let Some(pw) = &fields.password
        && (pw.chars().count() < 8 || pw.len() > 1024)
    {
        v.add("/login/password", "must be between 8 and 1024 characters");
    }
    Ok(v.finish()?)
}

/// Adds a login to a user (`user[id]`, `login[unique_id]`, `login[password]`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/logins", tag = "Logins",
    params(("account_id" = String, Path, description = "The school's account id or `self`")),
    request_body(content((CreateLoginParams = "application/json"), (CreateLoginParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = LoginJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<CreateLoginParams>,
) -> ApiResult<Created<LoginJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageUsers, Target::Account(&account.account_path()))?;
    let user_ref = params.user.id.ok_or_else(|| ApiError::invalid_field("/user/id", "is required"))?;
    let view = users::resolve(&state, &caller, &user_ref)
        .await
        .map_err(|_| ApiError::invalid_field("/user/id", "no such user in this school"))?;
    validate(&params.login, true)?;
    let password_hash = match params.login.password {
        Some(pw) => Some(users::hash_password(pw).await?),
        None => None,
    };
    let unique_id = params.login.unique_id.unwrap_or_default();
    let scope = caller.scope;
    let actor = caller.actor();
    let user = view.user;
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move { logins::create(txn, &scope, &user, &unique_id, password_hash, actor).await })
        })
        .await?;
    let location = format!("{}/api/v1/users/{}/logins", state.base_url.resolve(&headers), created.user_id);
    Ok(Created { location, body: render(&created) })
}

async fn find(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(login::Model, bool)> {
    let found =
        logins::find(state.store.read(), &caller.scope, id).await.map_err(|_| ApiError::not_found(Code::NotFound))?;
    let view = users::resolve(state, caller, &found.user_id.to_string()).await?;
    let target = Target::User { user_id: view.user.id, account: &view.account_path };
    caller.require(Permission::ManageUsers, target)?;
    // Administrators may reset passwords; users changing their own must prove the old one.
    let needs_old_password = !caller.may(Permission::ManageCredentials, target);
    Ok((found, needs_old_password))
}

/// Changes a login's name or password. Users changing their own password send `login[old_password]`.
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/logins/{id}", tag = "Logins",
    params(("account_id" = String, Path, description = "The school's account id or `self`"), ("id" = i64, Path, description = "Login id")),
    request_body(content((UpdateLoginParams = "application/json"), (UpdateLoginParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = LoginJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_login(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, i64)>,
    Params(params): Params<UpdateLoginParams>,
) -> ApiResult<Json<LoginJson>> {
    accounts::resolve(&state, &caller, &account_id).await?;
    let (current, needs_old_password) = find(&state, &caller, id).await?;
    let fields = params.login;
    validate(&fields, false)?;
    let password_hash = match fields.password {
        Some(pw) => {
            if needs_old_password {
                let ok = match (&fields.old_password, &current.password_hash) {
                    (Some(old), Some(hash)) => users::verify_password(old.clone(), hash.clone()).await,
                    (None, _) => false,
                    (Some(_), None) => true,
                };
                if !ok {
                    return Err(ApiError::invalid_field(
                        "/login/old_password",
                        "is required and must match the current password",
                    ));
                }
            }
            Some(users::hash_password(pw).await?)
        }
        None => None,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let unique_id = fields.unique_id;
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move { logins::update(txn, &scope, &current, unique_id, password_hash, actor).await })
        })
        .await?;
    Ok(Json(render(&updated)))
}

/// Removes a login.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}/logins/{id}", tag = "Logins",
    params(("user_id" = String, Path, description = "User id or `self`"), ("id" = i64, Path, description = "Login id")),
    responses((status = 200, body = LoginJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_login(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((user_id, id)): PathParams<(String, i64)>,
) -> ApiResult<Json<LoginJson>> {
    let view = users::resolve(&state, &caller, &user_id).await?;
    let (current, _) = find(&state, &caller, id).await?;
    if current.user_id != view.user.id {
        return Err(ApiError::not_found(Code::NotFound));
    }
    let scope = caller.scope;
    let actor = caller.actor();
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { logins::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&deleted)))
}
