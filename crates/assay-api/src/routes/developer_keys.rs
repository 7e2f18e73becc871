//! Developer keys (Canvas §1.5): a school's OAuth2 clients. `GET/POST /api/v1/accounts/:account_id/developer_keys`,
//! `PUT/DELETE /api/v1/developer_keys/:id`. The client id is the key's `id`; its secret (`api_key`) is returned
//! only when the key is created.

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
};
use assay_store::{
    developer_keys::{self, KeyFields},
    entity::developer_key,
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts, tokens::validate_scopes};
use crate::{
    AppState,
    auth::{Caller, school_path},
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_keys, create_key)).routes(routes!(update_key, delete_key))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeveloperKeyJson {
    pub id: i64,
    /// The OAuth2 `client_id` (the key's id as a string).
    pub client_id: String,
    pub account_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub require_scopes: bool,
    pub allow_includes: bool,
    /// Lifetime of the access tokens the key issues, in seconds.
    pub access_token_ttl_secs: i64,
    /// The user whose rights `client_credentials` tokens carry.
    pub user_id: i64,
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The last characters of the secret.
    pub api_key_hint: String,
    /// The client secret: only in the response that created the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

fn render(k: &developer_key::Model, secret: Option<String>) -> DeveloperKeyJson {
    DeveloperKeyJson {
        id: k.id,
        client_id: k.id.to_string(),
        account_id: k.account_id,
        name: k.name.clone(),
        email: k.email.clone(),
        notes: k.notes.clone(),
        redirect_uris: developer_keys::redirect_uris_of(k),
        scopes: developer_keys::scopes_of(k),
        require_scopes: k.require_scopes,
        allow_includes: k.allow_includes,
        access_token_ttl_secs: k.access_token_ttl_secs,
        user_id: k.service_user_id,
        workflow_state: k.workflow_state.clone(),
        created_at: k.created_at,
        updated_at: k.updated_at,
        api_key_hint: k.client_secret_hint.clone(),
        api_key: secret,
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeveloperKeyFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_string_list")]
    pub redirect_uris: Option<Vec<String>>,
    /// Canvas scopes, e.g. `url:GET|/api/v1/accounts/:account_id/users`.
    #[serde(default, deserialize_with = "de::opt_string_list")]
    pub scopes: Option<Vec<String>>,
    /// Tokens of this key may call only its scopes.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub require_scopes: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub allow_includes: Option<bool>,
    /// 60 to 2592000 seconds (default 3600, Canvas's one hour).
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub access_token_ttl_secs: Option<i64>,
    /// The integration user `client_credentials` tokens act as (default: the creating administrator).
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeveloperKeyParams {
    #[serde(default)]
    pub developer_key: DeveloperKeyFields,
}

impl DeveloperKeyFields {
    fn validate(&self, state: &AppState, creating: bool) -> Result<(), ApiError> {
        let mut v = Validation::new();
        v.text("/developer_key/name", self.name.as_deref(), creating, 255);
        if let Some(Some(notes)) = &self.notes {
            v.text("/developer_key/notes", Some(notes), false, 10_000);
        }
        if let Some(uris) = &self.redirect_uris {
            for uri in uris {
                if !url::Url::parse(uri).map(|u| u.scheme() == "https" || u.scheme() == "http").unwrap_or(false)
                    && uri != "urn:ietf:wg:oauth:2.0:oob"
                {
                    v.add("/developer_key/redirect_uris", format!("`{uri}` is not an http(s) URL"));
                }
            }
        }
        if let Some(scopes) = &self.scopes {
            validate_scopes(state, "/developer_key/scopes", scopes, &mut v);
        }
        if let Some(ttl) = self.access_token_ttl_secs
            && !(60..=2_592_000).contains(&ttl)
        {
            v.add("/developer_key/access_token_ttl_secs", "must be between 60 and 2592000");
        }
        Ok(v.finish()?)
    }

    fn into_store(self) -> KeyFields {
        KeyFields {
            name: self.name.map(|n| n.trim().to_owned()),
            email: self.email,
            notes: self.notes,
            redirect_uris: self.redirect_uris,
            scopes: self.scopes,
            require_scopes: self.require_scopes,
            allow_includes: self.allow_includes,
            access_token_ttl_secs: self.access_token_ttl_secs,
        }
    }
}

/// The developer keys of a school (its root account).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/developer_keys", tag = "Developer keys",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<DeveloperKeyJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<DeveloperKeyJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCredentials, Target::Account(&account.account_path()))?;
    let page = developer_keys::list(state.store.read(), &caller.scope, account.id, &pagination.request).await?;
    Ok(Paginated::new(page.map(|k| render(&k, None)), pagination))
}

/// Creates a developer key on a school's root account. The secret is in this response only.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/developer_keys", tag = "Developer keys",
    params(("account_id" = String, Path, description = "The school's root account id or `self`")),
    request_body(content((DeveloperKeyParams = "application/json"), (DeveloperKeyParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = DeveloperKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<DeveloperKeyParams>,
) -> ApiResult<Created<DeveloperKeyJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    caller.require(Permission::ManageCredentials, Target::Account(&account.account_path()))?;
    if !account.is_root() {
        return Err(ApiError::invalid_field("/account_id", "developer keys belong to a school's root account"));
    }
    let fields = params.developer_key;
    fields.validate(&state, true)?;
    let service_user = match fields.user_id {
        Some(id) => {
            super::users::resolve(&state, &caller, &id.to_string())
                .await
                .map_err(|_| ApiError::invalid_field("/developer_key/user_id", "no such user in this school"))?
                .user
                .id
        }
        None => caller.require_user()?.id,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let store_fields = fields.into_store();
    let (key, secret) = state
        .store
        .write(move |txn| {
            Box::pin(
                async move { developer_keys::create(txn, &scope, account.id, service_user, store_fields, actor).await },
            )
        })
        .await?;
    let location = format!("{}/api/v1/developer_keys/{}", state.base_url.resolve(&headers), key.id);
    Ok(Created { location, body: render(&key, Some(secret)) })
}

async fn find(state: &AppState, caller: &Caller, id: i64) -> ApiResult<developer_key::Model> {
    let key = developer_keys::find(state.store.read(), &caller.scope, id)
        .await
        .map_err(|_| ApiError::not_found(Code::NotFound))?;
    caller.require(Permission::ManageCredentials, Target::Account(&school_path(caller)))?;
    Ok(key)
}

/// Updates a developer key. Removing scopes, or requiring scopes, invalidates tokens the key already issued that
/// fall outside them (Canvas).
#[utoipa::path(put, path = "/api/v1/developer_keys/{id}", tag = "Developer keys",
    params(("id" = i64, Path, description = "Developer key id")),
    request_body(content((DeveloperKeyParams = "application/json"), (DeveloperKeyParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = DeveloperKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    Params(params): Params<DeveloperKeyParams>,
) -> ApiResult<Json<DeveloperKeyJson>> {
    let current = find(&state, &caller, id).await?;
    let fields = params.developer_key;
    if fields.user_id.is_some() {
        return Err(ApiError::invalid_field(
            "/developer_key/user_id",
            "the integration user is set when the key is created",
        ));
    }
    fields.validate(&state, false)?;
    let scope = caller.scope;
    let actor = caller.actor();
    let store_fields = fields.into_store();
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(async move { developer_keys::update(txn, &scope, &current, store_fields, actor).await })
        })
        .await?;
    Ok(Json(render(&updated, None)))
}

/// Deletes a developer key; its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/developer_keys/{id}", tag = "Developer keys",
    params(("id" = i64, Path, description = "Developer key id")),
    responses((status = 200, body = DeveloperKeyJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<Json<DeveloperKeyJson>> {
    let current = find(&state, &caller, id).await?;
    let scope = caller.scope;
    let actor = caller.actor();
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { developer_keys::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&deleted, None)))
}
