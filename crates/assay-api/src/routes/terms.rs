//! Enrollment terms (Canvas §2.2): list, create, show, update and soft-delete under a school's root account.
//!
//! Terms belong to the school, so `{account_id}` must be its root account (an id, `self` or `sis_account_id:X`).
//! Naming a sub-account answers 422 `validation_failed` on every terms route, with a message that names the root
//! account (Canvas reports an error naming the root account too). Reading needs `read_account`, changing needs
//! `manage_account`, both on the root account.

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
};
use assay_store::{
    entity::{account, enrollment_term},
    terms::{self, ID_PREFIXES, TermFields},
};
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
    OpenApiRouter::new().routes(routes!(list_terms, create_term)).routes(routes!(show_term, update_term, delete_term))
}

/// An enrollment term.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermJson {
    pub id: i64,
    pub name: String,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active` or `deleted`.
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Only for callers who may read SIS data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_term_id: Option<Option<String>>,
    /// Only for callers who may read SIS data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
}

fn render(t: &enrollment_term::Model, caller: &Caller, account: &account::Model) -> TermJson {
    let sis = caller.may(Permission::ReadSis, Target::Account(&account.account_path()));
    TermJson {
        id: t.id,
        name: t.name.clone(),
        start_at: t.start_at,
        end_at: t.end_at,
        workflow_state: t.workflow_state.clone(),
        created_at: t.created_at,
        sis_term_id: sis.then(|| t.sis_term_id.clone()),
        integration_id: sis.then(|| t.integration_id.clone()),
    }
}

/// Resolves `{account_id}`, checks `permission` on it and that it is the school's root account.
async fn school(state: &AppState, caller: &Caller, raw: &str, permission: Permission) -> ApiResult<account::Model> {
    let account = accounts::resolve(state, caller, raw).await?;
    caller.require(permission, Target::Account(&account.account_path()))?;
    if !account.is_root() {
        return Err(ApiError::invalid_field(
            "/account_id",
            format!("terms belong to the school's root account ({})", account.root_account_id),
        ));
    }
    Ok(account)
}

/// Finds a live term of the caller's school from a path id, or 404.
async fn resolve(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<enrollment_term::Model> {
    let id = id_ref(raw, "term", ID_PREFIXES)?;
    terms::find(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::NotFound),
        other => other.into(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TermParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_term_id: Option<Option<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TermParams {
    #[serde(default)]
    pub enrollment_term: TermParamsFields,
}

impl TermParamsFields {
    fn validate(&self, current: Option<&enrollment_term::Model>) -> Result<(), ApiError> {
        let mut v = Validation::new();
        v.text("/enrollment_term/name", self.name.as_deref(), current.is_none() || self.name.is_some(), 255);
        if let Some(Some(sis)) = &self.sis_term_id {
            v.identifier("/enrollment_term/sis_term_id", Some(sis));
        }
        let start = self.start_at.unwrap_or_else(|| current.and_then(|t| t.start_at));
        let end = self.end_at.unwrap_or_else(|| current.and_then(|t| t.end_at));
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            v.add("/enrollment_term/end_at", "must not be before start_at");
        }
        v.finish()?;
        Ok(())
    }

    fn into_store(self) -> TermFields {
        TermFields {
            name: self.name.map(|s| s.trim().to_owned()),
            sis_term_id: self.sis_term_id,
            start_at: self.start_at,
            end_at: self.end_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermListQuery {
    /// `active` (default), `deleted` or `all`.
    #[serde(default, rename = "workflow_state", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub states: Vec<String>,
}

/// The enrollment terms of a school, wrapped as Canvas does: `{"enrollment_terms": [...]}`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/terms", tag = "Enrollment terms",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"), TermListQuery, crate::pagination::PageQuery),
    responses((status = 200, description = "`{\"enrollment_terms\": [EnrollmentTerm]}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_terms(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<TermListQuery>,
) -> ApiResult<Paginated<TermJson>> {
    let account = school(&state, &caller, &account_id, Permission::ViewAccount).await?;
    let mut states = Vec::new();
    for raw in &query.states {
        match raw.as_str() {
            "active" => states.push(terms::ACTIVE),
            "deleted" => states.push(terms::DELETED),
            "all" => states.extend([terms::ACTIVE, terms::DELETED]),
            _ => {
                return Err(ApiError::invalid_field(
                    "/workflow_state",
                    format!("`{raw}` is not active, deleted or all"),
                ));
            }
        }
    }
    let page = terms::list(state.store.read(), &caller.scope, &states, &pagination.request).await?;
    Ok(Paginated { page: page.map(|t| render(&t, &caller, &account)), pagination, root_key: Some("enrollment_terms") })
}

/// Creates an enrollment term on a school's root account.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/terms", tag = "Enrollment terms",
    params(("account_id" = String, Path, description = "The school's root account id or `self`")),
    request_body(content((TermParams = "application/json"), (TermParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = TermJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_term(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<TermParams>,
) -> ApiResult<Created<TermJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageAccount).await?;
    let fields = params.enrollment_term;
    fields.validate(None)?;
    if fields.sis_term_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&account.account_path()))?;
    }
    let store_fields = fields.into_store();
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { terms::create(txn, &scope, store_fields, actor).await }))
        .await?;
    let location = format!("{}/api/v1/accounts/{}/terms/{}", state.base_url.resolve(&headers), account.id, created.id);
    Ok(Created { location, body: render(&created, &caller, &account) })
}

/// One enrollment term, by id or `sis_term_id:X`; a deleted term is not found.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/terms/{id}", tag = "Enrollment terms",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"),
        ("id" = String, Path, description = "Term id or `sis_term_id:X`")),
    responses((status = 200, body = TermJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_term(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<TermJson>> {
    let account = school(&state, &caller, &account_id, Permission::ViewAccount).await?;
    let term = resolve(&state, &caller, &id).await?;
    Ok(Json(render(&term, &caller, &account)))
}

/// Updates an enrollment term. Returns the whole term.
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/terms/{id}", tag = "Enrollment terms",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"),
        ("id" = String, Path, description = "Term id or `sis_term_id:X`")),
    request_body(content((TermParams = "application/json"), (TermParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = TermJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_term(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
    Params(params): Params<TermParams>,
) -> ApiResult<Json<TermJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageAccount).await?;
    let term = resolve(&state, &caller, &id).await?;
    let fields = params.enrollment_term;
    fields.validate(Some(&term))?;
    if fields.sis_term_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&account.account_path()))?;
    }
    let store_fields = fields.into_store();
    let scope = caller.scope;
    let actor = caller.actor();
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { terms::update(txn, &scope, &term, store_fields, actor).await }))
        .await?;
    Ok(Json(render(&updated, &caller, &account)))
}

/// Soft-deletes an enrollment term and returns it with `workflow_state` `deleted`.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/terms/{id}", tag = "Enrollment terms",
    params(("account_id" = String, Path, description = "The school's root account id or `self`"),
        ("id" = String, Path, description = "Term id or `sis_term_id:X`")),
    responses((status = 200, body = TermJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_term(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<TermJson>> {
    let account = school(&state, &caller, &account_id, Permission::ManageAccount).await?;
    let term = resolve(&state, &caller, &id).await?;
    let scope = caller.scope;
    let actor = caller.actor();
    let deleted =
        state.store.write(move |txn| Box::pin(async move { terms::delete(txn, &scope, &term, actor).await })).await?;
    Ok(Json(render(&deleted, &caller, &account)))
}
