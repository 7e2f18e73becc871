//! Users: `POST/GET /api/v1/accounts/:id/users`, `GET /api/v1/users/self`, `GET/PUT /api/v1/users/:id`.
//! The User object follows canvas-lms (`specs/canvas.md` §2.8, §6.3).

use assay_domain::{
    Code, Validation,
    account::validate_time_zone,
    policy::{Permission, Target},
    user::first_last,
};
use assay_store::users::{self, ID_PREFIXES, NewLogin, NewUser, UserChanges, UserView};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts};
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
        .routes(routes!(list_users, create_user))
        .routes(routes!(show_self, update_self))
        .routes(routes!(show_user, update_user))
        .routes(routes!(delete_user))
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    pub first_name: String,
    pub last_name: String,
    pub short_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Shown to callers who may read SIS data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_user_id: Option<Option<String>>,
    /// The same value as `sis_user_id` (Ans's name for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
    /// The user's login name; shown to the user and to administrators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Option<String>>,
}

pub fn render(view: &UserView, caller: &Caller) -> UserJson {
    let u = &view.user;
    let target = Target::User { user_id: u.id, account: &view.account_path };
    let sis = caller.may(Permission::ReadSis, target);
    let profile = caller.may(Permission::ViewUsers, target);
    let (first_name, last_name) = first_last(&u.name);
    UserJson {
        id: u.id,
        name: u.name.clone(),
        sortable_name: u.sortable_name.clone(),
        first_name,
        last_name,
        short_name: u.short_name.clone(),
        created_at: u.created_at,
        sis_user_id: sis.then(|| u.sis_user_id.clone()),
        external_id: sis.then(|| u.sis_user_id.clone()),
        integration_id: sis.then(|| u.integration_id.clone()),
        login_id: profile.then(|| view.login_id.clone()),
        email: profile.then(|| u.email.clone()),
        locale: profile.then(|| u.locale.clone()),
        time_zone: profile.then(|| u.time_zone.clone()),
    }
}

/// Finds a user of the caller's school from a path id (`self` is the caller), or 404.
pub async fn resolve(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<UserView> {
    let id = id_ref(raw, "user", ID_PREFIXES)?;
    let current = match id {
        assay_domain::IdRef::Current => caller.require_user()?.id,
        _ => caller.user_id().unwrap_or(0),
    };
    users::find(state.store.read(), &caller.scope, &id, current).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::UserNotFound),
        other => other.into(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Part of the name, sortable name, email, login or SIS id (ignoring case), or the whole numeric id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
}

/// The users of an account and of its sub-accounts, by sortable name.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/users", tag = "Users",
    params(("account_id" = String, Path, description = "Account id, `self`, `sis_account_id:X` or `external_id:X`"),
           UserListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<UserJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<UserListQuery>,
) -> ApiResult<Paginated<UserJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ViewUsers, Target::Account(&account.account_path()))?;
    let term = query.search_term.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if term.is_some_and(|t| t.chars().count() > 255) {
        return Err(ApiError::invalid_field("/search_term", "must be at most 255 characters"));
    }
    let page = users::list(state.store.read(), &caller.scope, &account, term, &pagination.request).await?;
    Ok(Paginated::new(page.map(|view| render(&view, &caller)), pagination))
}

/// `user[…]` fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserFields {
    /// Full display name. On create it defaults to the login's `unique_id`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub short_name: Option<String>,
    /// Defaults to "Last, First" derived from `name`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub sortable_name: Option<String>,
    /// IANA time zone name.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Needs the right to manage SIS data. Empty or null clears it (update only).
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_user_id: Option<Option<String>>,
    /// Alias of `sis_user_id`.
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
}

/// `pseudonym[…]` fields: the user's login.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginFields {
    /// The login name, unique in the school ignoring case.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub unique_id: Option<String>,
    /// At least 8 characters; stored as an argon2 hash.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub sis_user_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub integration_id: Option<String>,
}

/// `communication_channel[…]`: the user's email address.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ChannelFields {
    #[serde(default, deserialize_with = "de::opt_string", rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CreateUserParams {
    #[serde(default)]
    pub user: UserFields,
    #[serde(default)]
    pub pseudonym: LoginFields,
    #[serde(default)]
    pub communication_channel: ChannelFields,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateUserParams {
    #[serde(default)]
    pub user: UserFields,
}

fn validate_email(v: &mut Validation, pointer: &str, email: Option<&str>) {
    if let Some(email) = email {
        let valid = email.len() <= 255
            && email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
            && !email.chars().any(char::is_whitespace);
        if !valid {
            v.add(pointer, "is not an email address");
        }
    }
}

fn validate_profile(v: &mut Validation, user: &UserFields) {
    v.text("/user/short_name", user.short_name.as_deref(), false, 255);
    v.text("/user/sortable_name", user.sortable_name.as_deref(), false, 255);
    if let Some(Some(tz)) = &user.time_zone {
        validate_time_zone(v, "/user/time_zone", Some(tz));
    }
    if let Some(Some(locale)) = &user.locale {
        let ok = (2..=16).contains(&locale.len())
            && locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            v.add("/user/locale", "is not a locale such as `en` or `nl-NL`");
        }
    }
    if let Some(Some(email)) = &user.email {
        validate_email(v, "/user/email", Some(email));
    }
}

/// Hashes a password with argon2 off the async threads.
pub async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        use argon2::{Argon2, password_hash::PasswordHasher};
        Argon2::default().hash_password(password.as_bytes()).map(|hash| hash.to_string())
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|err| {
        tracing::error!(error = %err, "password hashing failed");
        ApiError::internal()
    })
}

/// Checks a password against an argon2 hash off the async threads.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::{
            Argon2,
            password_hash::{PasswordVerifier, phc::PasswordHash},
        };
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// Creates a user in an account, optionally with a login (`pseudonym[unique_id]`, `pseudonym[password]`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users", tag = "Users",
    params(("account_id" = String, Path, description = "Account id, `self`, `sis_account_id:X` or `external_id:X`")),
    request_body(content((CreateUserParams = "application/json"), (CreateUserParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = UserJson, headers(("Location" = String, description = "URL of the new user"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<CreateUserParams>,
) -> ApiResult<Created<UserJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ManageUsers, Target::Account(&path))?;
    let CreateUserParams { user, pseudonym, communication_channel } = params;
    let name = user.name.clone().or_else(|| pseudonym.unique_id.clone()).map(|n| n.trim().to_owned());
    let sis_user_id = user
        .sis_user_id
        .clone()
        .flatten()
        .or(user.external_id.clone().flatten())
        .or(pseudonym.sis_user_id.clone())
        .or(pseudonym.external_id.clone());
    let integration_id = user.integration_id.clone().flatten().or(pseudonym.integration_id.clone());
    let email = user.email.clone().flatten().or_else(|| {
        communication_channel
            .address
            .clone()
            .filter(|_| communication_channel.kind.as_deref().is_none_or(|k| k == "email"))
    });

    let mut v = Validation::new();
    v.text("/user/name", name.as_deref(), true, 255);
    validate_profile(&mut v, &user);
    v.identifier("/pseudonym/sis_user_id", sis_user_id.as_deref());
    v.identifier("/pseudonym/integration_id", integration_id.as_deref());
    validate_email(&mut v, "/communication_channel/address", email.as_deref());
    if let Some(unique_id) = &pseudonym.unique_id {
        v.identifier("/pseudonym/unique_id", Some(unique_id));
    }
    match (&pseudonym.password, &pseudonym.unique_id) {
        (Some(_), None) => v.add("/pseudonym/unique_id", "is required when a password is given"),
        (Some(pw), Some(_)) if pw.chars().count() < 8 || pw.len() > 1024 => {
            v.add("/pseudonym/password", "must be between 8 and 1024 characters")
        }
        _ => {}
    }
    v.finish()?;
    if sis_user_id.is_some() || integration_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&path))?;
    }
    let password_hash = match pseudonym.password {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    let new = NewUser {
        name: name.unwrap_or_default(),
        short_name: user.short_name.map(|s| s.trim().to_owned()),
        sortable_name: user.sortable_name.map(|s| s.trim().to_owned()),
        sis_user_id,
        integration_id,
        email,
        locale: user.locale.flatten(),
        time_zone: user.time_zone.flatten(),
        login: pseudonym.unique_id.map(|unique_id| NewLogin { unique_id, password_hash }),
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { users::create(txn, &scope, &account, new, actor).await }))
        .await?;
    let view = resolve(&state, &caller, &created.id.to_string()).await?;
    let location = format!("{}/api/v1/users/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render(&view, &caller) })
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/users/self", tag = "Users",
    responses((status = 200, body = UserJson), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_self(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UserJson>> {
    let view = resolve(&state, &caller, "self").await?;
    Ok(Json(render(&view, &caller)))
}

/// One user, by id, `self`, `sis_user_id:…`, `sis_login_id:…` or `external_id:…`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "Users",
    params(("id" = String, Path, description = "User id, `self`, `sis_user_id:X`, `sis_login_id:X` or `external_id:X`")),
    responses((status = 200, body = UserJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<UserJson>> {
    let view = resolve(&state, &caller, &id).await?;
    caller.require(Permission::ViewUsers, Target::User { user_id: view.user.id, account: &view.account_path })?;
    Ok(Json(render(&view, &caller)))
}

/// Updates a user's profile. Only the fields sent change; SIS ids need the right to manage SIS data.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "Users",
    params(("id" = String, Path, description = "User id, `self`, `sis_user_id:X`, `sis_login_id:X` or `external_id:X`")),
    request_body(content((UpdateUserParams = "application/json"), (UpdateUserParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<UpdateUserParams>,
) -> ApiResult<Json<UserJson>> {
    update(&state, &caller, &id, params).await
}

/// Updates the caller's own profile (name, short and sortable name, time zone, locale, email).
#[utoipa::path(put, path = "/api/v1/users/self", tag = "Users",
    request_body(content((UpdateUserParams = "application/json"), (UpdateUserParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_self(
    State(state): State<AppState>,
    caller: Caller,
    Params(params): Params<UpdateUserParams>,
) -> ApiResult<Json<UserJson>> {
    update(&state, &caller, "self", params).await
}

async fn update(state: &AppState, caller: &Caller, id: &str, params: UpdateUserParams) -> ApiResult<Json<UserJson>> {
    let view = resolve(state, caller, id).await?;
    let target = Target::User { user_id: view.user.id, account: &view.account_path };
    caller.require(Permission::ManageUsers, target)?;
    let user = params.user;
    let mut v = Validation::new();
    if user.name.is_some() {
        v.text("/user/name", user.name.as_deref(), true, 255);
    }
    validate_profile(&mut v, &user);
    let sis_user_id = user.sis_user_id.clone().or(user.external_id.clone());
    if let Some(Some(sis)) = &sis_user_id {
        v.identifier("/user/sis_user_id", Some(sis));
    }
    if let Some(Some(id)) = &user.integration_id {
        v.identifier("/user/integration_id", Some(id));
    }
    v.finish()?;
    if sis_user_id.is_some() || user.integration_id.is_some() {
        caller.require(Permission::ManageSis, target)?;
    }
    let changes = UserChanges {
        name: user.name.map(|s| s.trim().to_owned()),
        short_name: user.short_name.map(|s| s.trim().to_owned()),
        sortable_name: user.sortable_name.map(|s| s.trim().to_owned()),
        sis_user_id,
        integration_id: user.integration_id,
        email: user.email,
        locale: user.locale,
        time_zone: user.time_zone,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.user.clone();
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { users::update(txn, &scope, &current, changes, actor).await }))
        .await?;
    let view = UserView { user: updated, ..view };
    Ok(Json(render(&view, caller)))
}

/// Removes a user from the school: their logins stop working and their enrollments are deleted. Returns the user.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/users/{id}", tag = "Users",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"),
           ("id" = String, Path, description = "User id, `sis_user_id:X`, `sis_login_id:X` or `external_id:X`")),
    responses((status = 200, body = UserJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<UserJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let view = resolve(&state, &caller, &id).await?;
    if !view.account_path.is_within(&account.account_path()) {
        return Err(ApiError::not_found(Code::UserNotFound));
    }
    caller.require(Permission::ManageUsers, Target::Account(&view.account_path))?;
    if caller.user_id() == Some(view.user.id) {
        return Err(ApiError::invalid_field("/id", "you cannot delete yourself"));
    }
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.user.clone();
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { users::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&UserView { user: deleted, ..view }, &caller)))
}
