//! Token endpoints, one per way the reference products hand out short-lived tokens. They answer in the OAuth2
//! shape (RFC 6749 §5), not the `/api/v1` error shape, because that is what their clients parse:
//! - `POST /api/token`, `grant_type=password` (QS Enrolment Solutions): `{access_token, token_type, expires_in}`.
//! - `POST /api/authenticate/token?grant_type=authorization_code&client_id=…` with the user's API key in a
//!   `code` header (Inspera): `{access_token, expires_in}`.
//! - `POST /login/oauth2/token` (Canvas): `client_credentials`, `password` (with a refresh token) and
//!   `refresh_token`, authenticated by a developer key's id and secret; `DELETE` revokes the caller's token.

use std::time::Duration;

use assay_store::{
    developer_keys,
    entity::{developer_key, user},
    logins,
    tokens::{self, NewToken, TokenKind},
    user_api_keys,
};
use axum::{
    Json,
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, auth::Caller, error::ApiResult, params};

/// QS: "currently 4 hours".
pub const PASSWORD_TOKEN_TTL: Duration = Duration::from_secs(4 * 3600);
/// Inspera: a short-lived token, 1 hour.
pub const EXCHANGE_TOKEN_TTL: Duration = Duration::from_secs(3600);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(password_token))
        .routes(routes!(exchange_token))
        .routes(routes!(oauth2_token, revoke_token))
}

/// An OAuth2 error response.
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    retry_after: Option<u64>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError { status, error, description: description.into(), retry_after: None }
    }
    fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    fn invalid_grant(description: impl Into<String>) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
    fn invalid_client() -> Self {
        OAuthError::new(StatusCode::UNAUTHORIZED, "invalid_client", "The client id or secret is invalid.")
    }
    fn unsupported_grant(grant: &str, supported: &str) -> Self {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type `{grant}` is not supported here; use {supported}"),
        )
    }
    fn server_error() -> Self {
        OAuthError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "The server failed; the failure is logged.")
    }
}

impl From<assay_store::StoreError> for OAuthError {
    fn from(err: assay_store::StoreError) -> Self {
        tracing::error!(error = %err, "token endpoint store failure");
        OAuthError::server_error()
    }
}

impl From<crate::error::ApiError> for OAuthError {
    fn from(err: crate::error::ApiError) -> Self {
        let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let error = if status.is_client_error() { "invalid_request" } else { "server_error" };
        OAuthError::new(status, error, err.message)
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(json!({"error": self.error, "error_description": self.description}))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"assay\""));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        no_store(response)
    }
}

type OAuthResult<T> = Result<T, OAuthError>;

/// The request's parameters (query and body, form or JSON) as plain strings.
struct TokenParams(Map<String, Value>);

impl TokenParams {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    fn require(&self, name: &str) -> OAuthResult<&str> {
        self.get(name).ok_or_else(|| OAuthError::invalid_request(format!("`{name}` is required")))
    }
}

impl FromRequest<AppState> for TokenParams {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(TokenParams(params::read_tree(req, state).await?))
    }
}

/// A token endpoint's success body.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// `bearer` (QS spelling) or `Bearer` (Canvas spelling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// Seconds until the token expires.
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The token's scopes, space-separated (client credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub user: Option<Value>,
}

fn respond(body: TokenResponse) -> Response {
    no_store(Json(body).into_response())
}

/// A real hash (of a random password) to verify against when no login matches, so an unknown user name costs
/// what a wrong password costs and the timing does not tell which names exist.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::{Argon2, password_hash::PasswordHasher};
    Argon2::default()
        .hash_password(assay_store::secrets::generate("").as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// The user whose login `username` has password `password` (username ignoring case, password exactly). With
/// `school`, only that school is searched; without, the login must match in exactly one school.
async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    school: Option<i64>,
) -> OAuthResult<Option<user::Model>> {
    // Sign-in attempts are throttled per login name: failures spend from a budget that refills over 15 minutes.
    let budget = state.limiter.login_allowed(username).await;
    if !budget.allowed {
        let seconds = budget.retry_after.map(|d| d.as_secs().max(1)).unwrap_or(1);
        tracing::info!(target: "assay::security", "sign-in throttled");
        return Err(OAuthError {
            retry_after: Some(seconds),
            ..OAuthError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_grant",
                format!("Rate Limit Exceeded: too many failed sign-ins for this login; retry in {seconds} seconds."),
            )
        });
    }
    let user = match_password(state, username, password, school).await?;
    if user.is_none() {
        state.limiter.check_login_failure(username).await;
    }
    Ok(user)
}

async fn match_password(
    state: &AppState,
    username: &str,
    password: &str,
    school: Option<i64>,
) -> OAuthResult<Option<user::Model>> {
    let mut candidates = logins::password_candidates_unscoped(state.store.read(), username).await?;
    if let Some(school) = school {
        candidates.retain(|(_, u)| u.root_account_id == school);
    }
    if candidates.is_empty() {
        super::users::verify_password(password.to_owned(), DUMMY_HASH.clone()).await;
        return Ok(None);
    }
    let mut matched = Vec::new();
    for (login, user) in candidates {
        if let Some(hash) = login.password_hash
            && super::users::verify_password(password.to_owned(), hash).await
        {
            matched.push(user);
        }
    }
    Ok(if matched.len() == 1 { matched.pop() } else { None })
}

async fn issue(state: &AppState, user: &user::Model, new: NewToken) -> OAuthResult<tokens::Issued> {
    let user = user.clone();
    Ok(state.store.write(move |txn| Box::pin(async move { tokens::issue(txn, &user, new).await })).await?)
}

fn expiry(ttl: Duration) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::TimeDelta::from_std(ttl).ok().map(|d| chrono::Utc::now() + d)
}

/// Password grant (QS): exchange a login name (case-insensitive) and password (case-sensitive) for a bearer
/// token that expires. Form body `grant_type=password&username=…&password=…`; `client_id` (a school id)
/// narrows the search when a login name exists in several schools.
#[utoipa::path(post, path = "/api/token", tag = "Token endpoints",
    request_body(content_type = "application/x-www-form-urlencoded", description = "grant_type=password&username=…&password=…"),
    responses((status = 200, body = TokenResponse), (status = 400, description = "`{\"error\":\"invalid_grant\",\"error_description\":…}`")))]
async fn password_token(State(state): State<AppState>, params: TokenParams) -> OAuthResult<Response> {
    let grant = params.require("grant_type")?;
    if grant != "password" {
        return Err(OAuthError::unsupported_grant(grant, "password"));
    }
    let username = params.require("username")?;
    let password = params.0.get("password").and_then(Value::as_str).filter(|p| !p.is_empty());
    let password = password.ok_or_else(|| OAuthError::invalid_request("`password` is required"))?;
    let school = params.get("client_id").and_then(|c| c.parse::<i64>().ok());
    let Some(user) = check_password(&state, username, password, school).await? else {
        tracing::info!(target: "assay::security", "password grant refused");
        return Err(OAuthError::invalid_grant("The user name, password or account is invalid."));
    };
    let new = NewToken { kind: TokenKind::OAuth, ..NewToken::personal("password grant", expiry(PASSWORD_TOKEN_TTL)) };
    let issued = issue(&state, &user, new).await?;
    Ok(respond(TokenResponse {
        access_token: issued.secret,
        token_type: Some("bearer"),
        expires_in: PASSWORD_TOKEN_TTL.as_secs(),
        refresh_token: None,
        scope: None,
        user: None,
    }))
}

/// API-key exchange (Inspera): `POST /api/authenticate/token?grant_type=authorization_code&client_id=<school>`
/// with the user's API key in a `code` header returns a short-lived token with the user's rights. `client_id`
/// is the school's id (or its `uuid`).
#[utoipa::path(post, path = "/api/authenticate/token", tag = "Token endpoints",
    params(("grant_type" = String, Query, description = "`authorization_code`"), ("client_id" = String, Query, description = "The school's id"),
           ("code" = String, Header, description = "The user's API key")),
    responses((status = 200, body = TokenResponse), (status = 400, description = "`{\"error\":…}`"), (status = 401, description = "`{\"error\":\"invalid_grant\"}`")))]
async fn exchange_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: TokenParams,
) -> OAuthResult<Response> {
    let grant = params.require("grant_type")?;
    if grant != "authorization_code" {
        return Err(OAuthError::unsupported_grant(grant, "authorization_code"));
    }
    let client_id = params.require("client_id")?;
    let code = headers.get("code").and_then(|v| v.to_str().ok()).map(str::trim).filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| OAuthError::invalid_request("send the user's API key in a `code` header"))?;
    let refused = || OAuthError::new(StatusCode::UNAUTHORIZED, "invalid_grant", "The API key or client id is invalid.");
    let Some(key) = user_api_keys::authenticate(state.store.read(), code).await? else {
        tracing::info!(target: "assay::security", "API key exchange refused");
        return Err(refused());
    };
    let school = assay_store::accounts::find_unscoped(state.store.read(), key.root_account_id).await?;
    if client_id != school.id.to_string() && client_id != school.uuid {
        return Err(refused());
    }
    let Ok(user) = assay_store::users::find_unscoped(state.store.read(), key.user_id).await else {
        return Err(refused());
    };
    let new =
        NewToken { kind: TokenKind::Exchange, ..NewToken::personal("API key exchange", expiry(EXCHANGE_TOKEN_TTL)) };
    let issued = issue(&state, &user, new).await?;
    Ok(respond(TokenResponse {
        access_token: issued.secret,
        token_type: Some("bearer"),
        expires_in: EXCHANGE_TOKEN_TTL.as_secs(),
        refresh_token: None,
        scope: None,
        user: None,
    }))
}

/// The developer key that authenticates this request: `client_id`/`client_secret` in the body, or HTTP Basic.
async fn client(state: &AppState, headers: &HeaderMap, params: &TokenParams) -> OAuthResult<developer_key::Model> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b64| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, secret)| (id.to_owned(), secret.to_owned())));
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (params.require("client_id")?.to_owned(), params.require("client_secret")?.to_owned()),
    };
    match developer_keys::authenticate_client(state.store.read(), &id, &secret).await? {
        Some(key) => Ok(key),
        None => {
            tracing::info!(target: "assay::security", "OAuth client refused");
            Err(OAuthError::invalid_client())
        }
    }
}

/// The scopes a token from `key` gets: the requested ones (space-separated, all within the key's), or all of
/// the key's. A key that does not require scopes issues unscoped tokens unless scopes are asked for.
fn granted_scopes(key: &developer_key::Model, params: &TokenParams) -> OAuthResult<Vec<String>> {
    let allowed = developer_keys::scopes_of(key);
    let requested: Vec<String> =
        params.get("scope").map(|s| s.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
    if requested.iter().any(|s| !allowed.contains(s)) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "A requested scope is not one of the developer key's scopes.",
        ));
    }
    Ok(if !requested.is_empty() {
        requested
    } else if key.require_scopes {
        allowed
    } else {
        Vec::new()
    })
}

fn key_ttl(key: &developer_key::Model) -> Duration {
    Duration::from_secs(u64::try_from(key.access_token_ttl_secs).unwrap_or(3600))
}

/// Canvas-style token endpoint: `grant_type=client_credentials` (a token for the key's integration user),
/// `password` (a user's login, with a refresh token) or `refresh_token`. The client authenticates with its
/// developer key id and secret (`client_id`/`client_secret`, or HTTP Basic).
#[utoipa::path(post, path = "/login/oauth2/token", tag = "Token endpoints",
    request_body(content_type = "application/x-www-form-urlencoded", description = "grant_type, client_id, client_secret, and username/password or refresh_token"),
    responses((status = 200, body = TokenResponse), (status = 400, description = "OAuth2 error"), (status = 401, description = "`{\"error\":\"invalid_client\"}`")))]
async fn oauth2_token(State(state): State<AppState>, headers: HeaderMap, params: TokenParams) -> OAuthResult<Response> {
    let grant = params.require("grant_type")?.to_owned();
    let supported = "client_credentials, password or refresh_token";
    if !["client_credentials", "password", "refresh_token"].contains(&grant.as_str()) {
        return Err(OAuthError::unsupported_grant(&grant, supported));
    }
    let key = client(&state, &headers, &params).await?;
    let ttl = key_ttl(&key);
    let user_json = |u: &user::Model| json!({"id": u.id, "name": u.name});
    match grant.as_str() {
        "client_credentials" => {
            let scopes = granted_scopes(&key, &params)?;
            let service = assay_store::users::find_unscoped(state.store.read(), key.service_user_id)
                .await
                .map_err(|_| OAuthError::invalid_client())?;
            let new = NewToken {
                kind: TokenKind::OAuth,
                scopes: scopes.clone(),
                developer_key_id: Some(key.id),
                ..NewToken::personal(&format!("{} (client credentials)", key.name), expiry(ttl))
            };
            let issued = issue(&state, &service, new).await?;
            Ok(respond(TokenResponse {
                access_token: issued.secret,
                token_type: Some("Bearer"),
                expires_in: ttl.as_secs(),
                refresh_token: None,
                scope: Some(scopes.join(" ")),
                user: None,
            }))
        }
        "password" => {
            let username = params.require("username")?;
            let password = params.0.get("password").and_then(Value::as_str).unwrap_or_default();
            let Some(user) = check_password(&state, username, password, Some(key.root_account_id)).await? else {
                return Err(OAuthError::invalid_grant("The user name or password is invalid."));
            };
            let new = NewToken {
                kind: TokenKind::OAuth,
                scopes: granted_scopes(&key, &params)?,
                developer_key_id: Some(key.id),
                with_refresh: true,
                ..NewToken::personal(&key.name, expiry(ttl))
            };
            let issued = issue(&state, &user, new).await?;
            Ok(respond(TokenResponse {
                access_token: issued.secret,
                token_type: Some("Bearer"),
                expires_in: ttl.as_secs(),
                refresh_token: issued.refresh_secret,
                scope: None,
                user: Some(user_json(&user)),
            }))
        }
        _ => {
            let refresh = params.require("refresh_token")?;
            let Some(grant) = tokens::find_by_refresh(state.store.read(), refresh).await? else {
                return Err(OAuthError::invalid_grant("The refresh token is invalid or was revoked."));
            };
            if grant.developer_key_id != Some(key.id) {
                return Err(OAuthError::invalid_grant("The refresh token was issued to another client."));
            }
            let user = assay_store::users::find_unscoped(state.store.read(), grant.user_id)
                .await
                .map_err(|_| OAuthError::invalid_grant("The refresh token's user no longer exists."))?;
            let expires_at = expiry(ttl);
            let (_, secret) = state
                .store
                .write(move |txn| Box::pin(async move { tokens::rotate(txn, &grant, expires_at).await }))
                .await?;
            Ok(respond(TokenResponse {
                access_token: secret,
                token_type: Some("Bearer"),
                expires_in: ttl.as_secs(),
                refresh_token: None,
                scope: None,
                user: Some(user_json(&user)),
            }))
        }
    }
}

/// Revokes the token the request is made with (and its refresh token), as Canvas's logout does.
#[utoipa::path(delete, path = "/login/oauth2/token", tag = "Token endpoints",
    responses((status = 200, description = "`{}`"), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
async fn revoke_token(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let token_id = caller.require_token()?;
    let scope = caller.scope;
    state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let token = tokens::find_by_id(txn, &scope, token_id).await?;
                tokens::delete(txn, &token).await
            })
        })
        .await?;
    Ok(Json(json!({})))
}
