//! AB Connect partners on the native surface: `POST/GET /api/v1/accounts/:account_id/partners`,
//! `GET/DELETE /api/v1/accounts/:account_id/partners/:id`. A partner is a school-wide credential that signs
//! `/rest/v4.1` requests (`abconnect::auth`), so only administrators of the school's root account manage them,
//! and only on the root account.

use assay_domain::{
    Code, Validation,
    account::AccountPath,
    policy::{Permission, Target},
};
use assay_store::{
    entity::partner,
    partners::{self, DEFAULT_MAX_LIFETIME_SECS, MAX_MAX_LIFETIME_SECS, MIN_MAX_LIFETIME_SECS, NewPartner},
};
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
    OpenApiRouter::new().routes(routes!(list_partners, create_partner)).routes(routes!(show_partner, delete_partner))
}

/// An AB Connect partner: the credential a system uses to sign `/rest/v4.1` requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerJson {
    pub id: i64,
    /// The school the partner belongs to.
    pub account_id: i64,
    /// The public `partner.id` sent with every signed request.
    pub partner_id: String,
    pub name: String,
    /// The HMAC-SHA256 key, used as-is (its UTF-8 bytes). Sent only in the response that creates the partner:
    /// store it then, it cannot be read again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// Signatures whose `auth.expires` lies further ahead than this are refused.
    pub max_lifetime_secs: i64,
    /// `active` or `deleted`.
    pub workflow_state: String,
    /// When a request last authenticated as this partner (updated at most once a minute).
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The partner without its key: every response but the creating one.
fn render(p: &partner::Model) -> PartnerJson {
    PartnerJson {
        id: p.id,
        account_id: p.root_account_id,
        partner_id: p.partner_id.clone(),
        name: p.name.clone(),
        signing_key: None,
        max_lifetime_secs: p.max_lifetime_secs,
        workflow_state: p.workflow_state.clone(),
        last_used_at: p.last_used_at,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// Resolves the path account and checks the caller may manage partners. Partners belong to the school, so the
/// permission is checked on the root account, and a sub-account has no partners (404).
async fn school_for(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<()> {
    let account = accounts::resolve(state, caller, raw).await?;
    caller.require(Permission::ManagePartners, Target::Account(&AccountPath::root(caller.scope.root_account_id())))?;
    if !account.is_root() {
        return Err(ApiError::new(
            Code::AccountNotFound,
            "Partners belong to the school: manage them on its root account (`self`).",
        ));
    }
    Ok(())
}

fn partner_error(err: assay_store::StoreError) -> ApiError {
    match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::PartnerNotFound),
        other => other.into(),
    }
}

/// The school's active partners (root-account administrators). Keys are never listed.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/partners", tag = "AB Connect partners",
    params(("account_id" = String, Path, description = "The school's root account: its id or `self`"),
           crate::pagination::PageQuery),
    responses((status = 200, body = Vec<PartnerJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_partners(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<PartnerJson>> {
    school_for(&state, &caller, &account_id).await?;
    let page = partners::list(state.store.read(), &caller.scope, &pagination.request).await?;
    Ok(Paginated::new(page.map(|p| render(&p)), pagination))
}

/// The fields of `partner[…]` on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PartnerFields {
    /// Required: what the partner is, for the people managing it.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// The public `partner.id` (letters, digits, `_`, `-`, `.`; unique across the server). Generated as
    /// `p_` + 12 characters when left out.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub partner_id: Option<String>,
    /// How far ahead `auth.expires` may lie, in seconds: 60 to 604800 (a week), default 86400 (a day).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_lifetime_secs: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PartnerParams {
    #[serde(default)]
    pub partner: PartnerFields,
}

/// Creates a partner with a fresh signing key. The key is in this response only.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/partners", tag = "AB Connect partners",
    params(("account_id" = String, Path, description = "The school's root account: its id or `self`")),
    request_body(content((PartnerParams = "application/json"), (PartnerParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = PartnerJson, headers(("Location" = String, description = "URL of the new partner"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_partner(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<PartnerParams>,
) -> ApiResult<Created<PartnerJson>> {
    school_for(&state, &caller, &account_id).await?;
    let fields = params.partner;
    let mut v = Validation::new();
    v.text("/partner/name", fields.name.as_deref(), true, 255);
    if let Some(id) = &fields.partner_id
        && let Some(problem) = partners::partner_id_problem(id)
    {
        v.add("/partner/partner_id", problem);
    }
    let max_lifetime_secs = fields.max_lifetime_secs.unwrap_or(DEFAULT_MAX_LIFETIME_SECS);
    if !(MIN_MAX_LIFETIME_SECS..=MAX_MAX_LIFETIME_SECS).contains(&max_lifetime_secs) {
        v.add(
            "/partner/max_lifetime_secs",
            format!("must be between {MIN_MAX_LIFETIME_SECS} and {MAX_MAX_LIFETIME_SECS} seconds"),
        );
    }
    v.finish()?;
    let new = NewPartner {
        name: fields.name.unwrap_or_default().trim().to_owned(),
        partner_id: fields.partner_id,
        max_lifetime_secs,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created =
        state.store.write(move |txn| Box::pin(async move { partners::create(txn, &scope, new, actor).await })).await?;
    let location = format!(
        "{}/api/v1/accounts/{}/partners/{}",
        state.base_url.resolve(&headers),
        created.root_account_id,
        created.id
    );
    let body = PartnerJson { signing_key: Some(created.signing_key.clone()), ..render(&created) };
    Ok(Created { location, body })
}

/// One active partner of the school, without its key.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/partners/{id}", tag = "AB Connect partners",
    params(("account_id" = String, Path, description = "The school's root account: its id or `self`"),
           ("id" = i64, Path, description = "The partner's numeric id")),
    responses((status = 200, body = PartnerJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_partner(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, i64)>,
) -> ApiResult<Json<PartnerJson>> {
    school_for(&state, &caller, &account_id).await?;
    let found = partners::find(state.store.read(), &caller.scope, id).await.map_err(partner_error)?;
    Ok(Json(render(&found)))
}

/// Revokes a partner: its signatures stop working at once, however long they had left. It is kept with
/// `workflow_state` `deleted` and no longer listed.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/partners/{id}", tag = "AB Connect partners",
    params(("account_id" = String, Path, description = "The school's root account: its id or `self`"),
           ("id" = i64, Path, description = "The partner's numeric id")),
    responses((status = 200, body = PartnerJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_partner(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, i64)>,
    // DELETE takes parameters like every other method (none are defined); reading them rejects bad bodies.
    Params(_params): Params<serde_json::Value>,
) -> ApiResult<Json<PartnerJson>> {
    school_for(&state, &caller, &account_id).await?;
    let scope = caller.scope;
    let actor = caller.actor();
    let revoked = state
        .store
        .write(move |txn| Box::pin(async move { partners::revoke(txn, &scope, id, actor).await }))
        .await
        .map_err(partner_error)?;
    Ok(Json(render(&revoked)))
}
