//! Personal access tokens, Canvas shape (`specs/canvas.md` §1.6): `/api/v1/users/:user_id/tokens` and
//! `/user_generated_tokens`. The secret is returned once; a token an administrator makes for someone else is
//! `pending` until its owner activates it.

use assay_domain::{
    Code, Validation,
    api_scope::ApiScope,
    policy::{Permission, Target},
};
use assay_store::{
    entity::access_token,
    tokens::{self, NewToken, PENDING, TokenChanges},
    users::UserView,
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, users};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens)).routes(routes!(create_token)).routes(routes!(
        show_token,
        update_token,
        delete_token
    ))
}

/// An access token. `token` (the secret) appears only in the response that created or regenerated it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub app_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Null: the token does not expire.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active`, `pending` (made by an administrator; its owner must activate it) or `deleted`.
    pub workflow_state: String,
    /// Endpoints the token may call (`url:GET|/api/v1/...`); empty means all the user's rights.
    pub scopes: Vec<String>,
    /// The last characters of the secret; accepted in place of the id.
    pub token_hint: String,
    pub can_manually_regenerate: bool,
    pub real_user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

pub fn render(t: &access_token::Model, secret: Option<String>) -> TokenJson {
    TokenJson {
        id: t.id,
        user_id: t.user_id,
        purpose: t.purpose.clone(),
        app_name: "user_generated".into(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        workflow_state: t.workflow_state.clone(),
        scopes: tokens::scopes_of(t),
        token_hint: t.token_hint.clone(),
        can_manually_regenerate: true,
        real_user_id: None,
        token: secret,
    }
}

/// Checks that each scope names an endpoint this server routes (method and path template).
pub fn validate_scopes(state: &AppState, pointer: &str, scopes: &[String], v: &mut Validation) {
    let document = state.openapi.get();
    for scope in scopes {
        let Some(parsed) = ApiScope::parse(scope) else {
            v.add(pointer, format!("`{scope}` is not a scope such as `url:GET|/api/v1/accounts/:account_id`"));
            continue;
        };
        let known = document.is_some_and(|doc| {
            doc.paths.paths.iter().any(|(path, item)| {
                [
                    ("GET", &item.get),
                    ("PUT", &item.put),
                    ("POST", &item.post),
                    ("DELETE", &item.delete),
                    ("PATCH", &item.patch),
                ]
                .iter()
                .any(|(method, op)| op.is_some() && ApiScope::for_route(method, path) == parsed)
            })
        });
        if !known {
            v.add(pointer, format!("`{scope}` names no endpoint of this server"));
        }
    }
    if scopes.len() > 200 {
        v.add(pointer, "at most 200 scopes");
    }
}

/// The user whose tokens are managed, and whether the caller is that user (otherwise an administrator).
async fn owner(state: &AppState, caller: &Caller, user_id: &str) -> ApiResult<(UserView, bool)> {
    let me = caller.require_user()?.id;
    let view = users::resolve(state, caller, user_id).await?;
    let is_self = view.user.id == me;
    if !is_self {
        caller.require(
            Permission::ManageCredentials,
            Target::User { user_id: view.user.id, account: &view.account_path },
        )?;
    }
    Ok((view, is_self))
}

/// The personal tokens of a user (never their secrets).
#[utoipa::path(get, path = "/api/v1/users/{user_id}/user_generated_tokens", tag = "Access tokens",
    params(("user_id" = String, Path, description = "User id or `self`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<TokenJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<TokenJson>> {
    let (view, _) = owner(&state, &caller, &user_id).await?;
    let page = tokens::list_personal(state.store.read(), &caller.scope, view.user.id, &pagination.request).await?;
    Ok(Paginated::new(page.map(|t| render(&t, None)), pagination))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenFields {
    /// What the token is for (required on create).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub purpose: Option<String>,
    /// ISO 8601; null or empty: never expires.
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// Endpoints the token may call, e.g. `url:GET|/api/v1/users/:id`; empty: all the user's rights.
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<String>>)]
    pub scopes: Option<Vec<String>>,
    /// Issue a new secret (update only); an expired token also needs a new `expires_at`.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub regenerate: Option<bool>,
    /// Activate a pending token (update only, by its owner).
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub activate: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenParams {
    #[serde(default)]
    pub token: TokenFields,
}

fn validate(state: &AppState, fields: &TokenFields, creating: bool) -> Result<(), ApiError> {
    let mut v = Validation::new();
    v.text("/token/purpose", fields.purpose.as_deref(), creating, 255);
    if let Some(Some(at)) = fields.expires_at
        && at <= chrono::Utc::now()
    {
        v.add("/token/expires_at", "must be in the future");
    }
    if let Some(scopes) = &fields.scopes {
        validate_scopes(state, "/token/scopes", scopes, &mut v);
    }
    Ok(v.finish()?)
}

/// Creates a personal token. For another user (administrators only) it is created `pending`.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/tokens", tag = "Access tokens",
    params(("user_id" = String, Path, description = "User id or `self`")),
    request_body(content((TokenParams = "application/json"), (TokenParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = TokenJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
    Params(params): Params<TokenParams>,
) -> ApiResult<Created<TokenJson>> {
    let (view, is_self) = owner(&state, &caller, &user_id).await?;
    let fields = params.token;
    validate(&state, &fields, true)?;
    let new = NewToken {
        scopes: fields.scopes.unwrap_or_default(),
        pending: !is_self,
        ..NewToken::personal(fields.purpose.as_deref().unwrap_or_default().trim(), fields.expires_at.flatten())
    };
    let user = view.user.clone();
    let issued = state.store.write(move |txn| Box::pin(async move { tokens::issue(txn, &user, new).await })).await?;
    let location =
        format!("{}/api/v1/users/{}/tokens/{}", state.base_url.resolve(&headers), view.user.id, issued.token.id);
    Ok(Created { location, body: render(&issued.token, Some(issued.secret)) })
}

async fn find(state: &AppState, caller: &Caller, user_id: &str, id: &str) -> ApiResult<(access_token::Model, bool)> {
    let (view, is_self) = owner(state, caller, user_id).await?;
    let token = tokens::find_personal(state.store.read(), &caller.scope, view.user.id, id)
        .await
        .map_err(|_| ApiError::not_found(Code::NotFound))?;
    Ok((token, is_self))
}

/// One personal token, by id or `token_hint`.
#[utoipa::path(get, path = "/api/v1/users/{user_id}/tokens/{id}", tag = "Access tokens",
    params(("user_id" = String, Path, description = "User id or `self`"), ("id" = String, Path, description = "Token id or token_hint")),
    responses((status = 200, body = TokenJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((user_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<TokenJson>> {
    let (token, _) = find(&state, &caller, &user_id, &id).await?;
    Ok(Json(render(&token, None)))
}

/// Updates a token: purpose, expiry, scopes; `regenerate` issues a new secret; `activate` (owner only) turns a
/// pending token on.
#[utoipa::path(put, path = "/api/v1/users/{user_id}/tokens/{id}", tag = "Access tokens",
    params(("user_id" = String, Path, description = "User id or `self`"), ("id" = String, Path, description = "Token id or token_hint")),
    request_body(content((TokenParams = "application/json"), (TokenParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = TokenJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((user_id, id)): PathParams<(String, String)>,
    Params(params): Params<TokenParams>,
) -> ApiResult<Json<TokenJson>> {
    let (token, is_self) = find(&state, &caller, &user_id, &id).await?;
    let fields = params.token;
    validate(&state, &fields, false)?;
    let regenerate = fields.regenerate.unwrap_or(false);
    let expired = token.expires_at.is_some_and(|at| at <= chrono::Utc::now());
    if regenerate && expired && fields.expires_at.is_none() {
        return Err(ApiError::invalid_field(
            "/token/expires_at",
            "regenerating an expired token requires a new expiration date",
        ));
    }
    let activate = fields.activate.unwrap_or(false);
    if activate && (!is_self || token.workflow_state != PENDING) {
        return Err(ApiError::invalid_field(
            "/token/activate",
            "only the token's owner can activate it, and only while it is pending",
        ));
    }
    let changes = TokenChanges {
        purpose: fields.purpose.map(|p| p.trim().to_owned()),
        expires_at: fields.expires_at,
        scopes: fields.scopes,
        regenerate,
        activate,
    };
    let (updated, secret) =
        state.store.write(move |txn| Box::pin(async move { tokens::update(txn, &token, changes).await })).await?;
    Ok(Json(render(&updated, secret)))
}

/// Deletes a token; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}/tokens/{id}", tag = "Access tokens",
    params(("user_id" = String, Path, description = "User id or `self`"), ("id" = String, Path, description = "Token id or token_hint")),
    responses((status = 200, body = TokenJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((user_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<TokenJson>> {
    let (token, _) = find(&state, &caller, &user_id, &id).await?;
    let deleted = state.store.write(move |txn| Box::pin(async move { tokens::delete(txn, &token).await })).await?;
    Ok(Json(render(&deleted, None)))
}
