//! Grading standards (Canvas `grading_standards_api_controller.rb`): named letter/GPA schemes of a course or an
//! account. A course lists and uses its own and those of every account above it; an account, its own and its
//! ancestors'. Entries are sent as Canvas sends them, `grading_scheme_entry[][name]` and
//! `grading_scheme_entry[][value]` with the value in percent, and shown as Canvas shows them, with the value as a
//! fraction. An assignment's `grading_standard_id` (else the course's `grading_standard_id`) picks the scheme its
//! letter and GPA grades use; without one, Canvas's default scheme.
//!
//! Reading needs `read_course_content` (courses) or `read_account` (accounts); changing needs `manage_grades` on
//! the course or `manage_account_settings` on the account. Points-based schemes are not supported.

use assay_domain::{
    Code, IdRef,
    grading::{GradingScheme, SchemeEntry},
    policy::{Permission, Target},
};
use assay_store::{
    StoreError,
    courses::CourseView,
    entity::grading_standard,
    grading_standards::{self, Context, Visible},
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, accounts, courses};
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
        .routes(routes!(list_course_standards, create_course_standard))
        .routes(routes!(show_course_standard, update_course_standard, delete_course_standard))
        .routes(routes!(list_account_standards, create_account_standard))
        .routes(routes!(show_account_standard, update_account_standard, delete_account_standard))
}

/// One step of a scheme: scores at or above `value` (a fraction of the points) get `name`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingSchemeEntryJson {
    pub name: String,
    pub value: f64,
}

/// A grading standard (Canvas `GradingStandard`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingStandardJson {
    pub id: i64,
    pub title: String,
    /// `Course` or `Account`.
    pub context_type: String,
    pub context_id: i64,
    pub points_based: bool,
    pub scaling_factor: f64,
    /// From the highest step down.
    pub grading_scheme: Vec<GradingSchemeEntryJson>,
}

pub fn render(s: &grading_standard::Model) -> GradingStandardJson {
    GradingStandardJson {
        id: s.id,
        title: s.title.clone(),
        context_type: s.context_type.clone(),
        context_id: s.context_id,
        points_based: s.points_based,
        scaling_factor: s.scaling_factor,
        grading_scheme: grading_standards::scheme(s)
            .entries
            .into_iter()
            .map(|SchemeEntry { name, value }| GradingSchemeEntryJson { name, value })
            .collect(),
    }
}

/// Create and update parameters (top level, as Canvas takes them).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GradingStandardParams {
    /// Required on create.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub title: Option<String>,
    /// Only `false` is supported.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub points_based: Option<bool>,
    /// Required on create: `[{name, value}]`, value in percent (0–100); one entry must be 0.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub grading_scheme_entry: Option<Value>,
}

/// A list parameter sent as an array or as a hash keyed by index (`x[0][name]=…`).
fn items(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => {
            let mut entries: Vec<(i64, Value)> = Vec::with_capacity(map.len());
            for (k, v) in map {
                entries.push((k.parse().ok()?, v.clone()));
            }
            entries.sort_by_key(|(k, _)| *k);
            Some(entries.into_iter().map(|(_, v)| v).collect())
        }
        _ => None,
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// Reads `grading_scheme_entry[]` into a checked scheme.
pub fn parse_scheme(raw: &Value) -> ApiResult<GradingScheme> {
    let pointer = "/grading_scheme_entry";
    let list = items(raw).ok_or_else(|| ApiError::invalid_field(pointer, "must be a list of {name, value} entries"))?;
    let mut entries = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let name = match item.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 255 => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(ApiError::invalid_field(&format!("{pointer}/{i}/name"), "every entry needs a name")),
        };
        let value = number(item.get("value")).ok_or_else(|| {
            ApiError::invalid_field(&format!("{pointer}/{i}/value"), "must be a percentage between 0 and 100")
        })?;
        entries.push((name, value));
    }
    GradingScheme::from_percent_entries(entries).map_err(|(i, message)| {
        let field = if message.contains("name") { "name" } else { "value" };
        ApiError::invalid_field(&format!("{pointer}/{i}/{field}"), message)
    })
}

struct Checked {
    title: Option<String>,
    scheme: Option<GradingScheme>,
}

fn check(params: GradingStandardParams, creating: bool) -> ApiResult<Checked> {
    if params.points_based == Some(true) {
        return Err(ApiError::invalid_field("/points_based", "points-based grading schemes are not supported"));
    }
    let title = params.title.map(|t| t.trim().to_owned());
    match &title {
        None if creating => return Err(ApiError::invalid_field("/title", "is required")),
        Some(t) if t.is_empty() || t.chars().count() > 255 => {
            return Err(ApiError::invalid_field("/title", "must be 1 to 255 characters"));
        }
        _ => {}
    }
    let scheme = match &params.grading_scheme_entry {
        Some(raw) => Some(parse_scheme(raw)?),
        None if creating => return Err(ApiError::invalid_field("/grading_scheme_entry", "is required")),
        None => None,
    };
    Ok(Checked { title, scheme })
}

fn standard_id(raw: &str) -> ApiResult<i64> {
    match id_ref(raw, "grading standard", &[])? {
        IdRef::Id(id) => Ok(id),
        _ => Err(ApiError::not_found(Code::GradingStandardNotFound)),
    }
}

fn not_found(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found(Code::GradingStandardNotFound),
        other => other.into(),
    }
}

/// What a course sees.
pub fn course_visible(view: &CourseView) -> Visible {
    Visible { course_id: Some(view.course.id), account_ids: view.account_path.ids() }
}

/// Refuses (422 at `pointer`) a standard `visible` does not see.
pub async fn check_visible(
    state: &AppState,
    caller: &Caller,
    visible: &Visible,
    id: i64,
    pointer: &str,
) -> ApiResult<()> {
    match grading_standards::find_visible(state.store.read(), &caller.scope, visible, id).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => {
            Err(ApiError::invalid_field(pointer, format!("{id} is not a grading standard this course can use")))
        }
        Err(other) => Err(other.into()),
    }
}

/// Refuses (422 at `pointer`) a standard the course may not use.
pub async fn check_usable(
    state: &AppState,
    caller: &Caller,
    view: &CourseView,
    id: i64,
    pointer: &str,
) -> ApiResult<()> {
    check_visible(state, caller, &course_visible(view), id, pointer).await
}

// ---- courses ----

async fn course_for(state: &AppState, caller: &Caller, raw: &str, permission: Permission) -> ApiResult<CourseView> {
    let view = courses::resolve(state, caller, raw, false).await?;
    caller.require(permission, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    Ok(view)
}

/// The grading standards a course can use: its own and its accounts', by id.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/grading_standards", tag = "Grading standards",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GradingStandardJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_standards(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GradingStandardJson>> {
    let view = course_for(&state, &caller, &course_id, Permission::ViewCourse).await?;
    let page =
        grading_standards::list(state.store.read(), &caller.scope, &course_visible(&view), &pagination.request).await?;
    Ok(Paginated::new(page.map(|s| render(&s)), pagination))
}

/// Creates a grading standard of the course (`title`, `grading_scheme_entry[][name|value]`).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/grading_standards", tag = "Grading standards",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((GradingStandardParams = "application/json"), (GradingStandardParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_course_standard(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<GradingStandardParams>,
) -> ApiResult<Created<GradingStandardJson>> {
    let view = course_for(&state, &caller, &course_id, Permission::ManageGrades).await?;
    create(&state, &headers, &caller, Context::Course(view.course.id), params).await
}

async fn create(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    context: Context,
    params: GradingStandardParams,
) -> ApiResult<Created<GradingStandardJson>> {
    let Checked { title, scheme } = check(params, true)?;
    let scheme = scheme.unwrap_or(GradingScheme { entries: Vec::new() });
    let (scope, actor) = (caller.scope, caller.actor());
    let title = title.unwrap_or_default();
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move { grading_standards::create(txn, &scope, context, title, &scheme, actor).await })
        })
        .await?;
    let collection = match context {
        Context::Course(id) => format!("courses/{id}"),
        Context::Account(id) => format!("accounts/{id}"),
    };
    let location = format!("{}/api/v1/{collection}/grading_standards/{}", state.base_url.resolve(headers), created.id);
    Ok(Created { location, body: render(&created) })
}

/// One grading standard the course can use.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/grading_standards/{id}", tag = "Grading standards",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_course_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<GradingStandardJson>> {
    let view = course_for(&state, &caller, &course_id, Permission::ViewCourse).await?;
    let found =
        grading_standards::find_visible(state.store.read(), &caller.scope, &course_visible(&view), standard_id(&id)?)
            .await
            .map_err(not_found)?;
    Ok(Json(render(&found)))
}

/// Changes a grading standard of the course (not an account's): `title`, `grading_scheme_entry[]`.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/grading_standards/{id}", tag = "Grading standards",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    request_body(content((GradingStandardParams = "application/json"), (GradingStandardParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_course_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(params): Params<GradingStandardParams>,
) -> ApiResult<Json<GradingStandardJson>> {
    let view = course_for(&state, &caller, &course_id, Permission::ManageGrades).await?;
    update(&state, &caller, Context::Course(view.course.id), &id, params).await
}

async fn update(
    state: &AppState,
    caller: &Caller,
    context: Context,
    raw_id: &str,
    params: GradingStandardParams,
) -> ApiResult<Json<GradingStandardJson>> {
    let current = grading_standards::find_owned(state.store.read(), &caller.scope, context, standard_id(raw_id)?)
        .await
        .map_err(not_found)?;
    let Checked { title, scheme } = check(params, false)?;
    let (scope, actor) = (caller.scope, caller.actor());
    let updated = state
        .store
        .write(move |txn| {
            Box::pin(
                async move { grading_standards::update(txn, &scope, &current, title, scheme.as_ref(), actor).await },
            )
        })
        .await?;
    Ok(Json(render(&updated)))
}

/// Deletes a grading standard of the course; what used it grades with the next scheme (the course's, then
/// Canvas's default). Returns the standard.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/grading_standards/{id}", tag = "Grading standards",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_course_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<GradingStandardJson>> {
    let view = course_for(&state, &caller, &course_id, Permission::ManageGrades).await?;
    delete(&state, &caller, Context::Course(view.course.id), &id).await
}

async fn delete(
    state: &AppState,
    caller: &Caller,
    context: Context,
    raw_id: &str,
) -> ApiResult<Json<GradingStandardJson>> {
    let current = grading_standards::find_owned(state.store.read(), &caller.scope, context, standard_id(raw_id)?)
        .await
        .map_err(not_found)?;
    let (scope, actor) = (caller.scope, caller.actor());
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { grading_standards::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&deleted)))
}

// ---- accounts ----

async fn account_for(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    permission: Permission,
) -> ApiResult<(i64, Visible)> {
    let account = accounts::resolve(state, caller, raw).await?;
    let path = account.account_path();
    caller.require(permission, Target::Account(&path))?;
    Ok((account.id, Visible { course_id: None, account_ids: path.ids() }))
}

/// The grading standards an account can use: its own and its ancestors', by id.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/grading_standards", tag = "Grading standards",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<GradingStandardJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_account_standards(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<GradingStandardJson>> {
    let (_, visible) = account_for(&state, &caller, &account_id, Permission::ViewAccount).await?;
    let page = grading_standards::list(state.store.read(), &caller.scope, &visible, &pagination.request).await?;
    Ok(Paginated::new(page.map(|s| render(&s)), pagination))
}

/// Creates a grading standard of the account, usable by every course below it.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/grading_standards", tag = "Grading standards",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`")),
    request_body(content((GradingStandardParams = "application/json"), (GradingStandardParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_account_standard(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<GradingStandardParams>,
) -> ApiResult<Created<GradingStandardJson>> {
    let (id, _) = account_for(&state, &caller, &account_id, Permission::ManageAccount).await?;
    create(&state, &headers, &caller, Context::Account(id), params).await
}

/// One grading standard the account can use.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/grading_standards/{id}", tag = "Grading standards",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_account_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<GradingStandardJson>> {
    let (_, visible) = account_for(&state, &caller, &account_id, Permission::ViewAccount).await?;
    let found = grading_standards::find_visible(state.store.read(), &caller.scope, &visible, standard_id(&id)?)
        .await
        .map_err(not_found)?;
    Ok(Json(render(&found)))
}

/// Changes a grading standard of the account.
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/grading_standards/{id}", tag = "Grading standards",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), ("id" = i64, Path)),
    request_body(content((GradingStandardParams = "application/json"), (GradingStandardParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_account_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
    Params(params): Params<GradingStandardParams>,
) -> ApiResult<Json<GradingStandardJson>> {
    let (account, _) = account_for(&state, &caller, &account_id, Permission::ManageAccount).await?;
    update(&state, &caller, Context::Account(account), &id, params).await
}

/// Deletes a grading standard of the account. Returns the standard.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/grading_standards/{id}", tag = "Grading standards",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = GradingStandardJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_account_standard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<GradingStandardJson>> {
    let (account, _) = account_for(&state, &caller, &account_id, Permission::ManageAccount).await?;
    delete(&state, &caller, Context::Account(account), &id).await
}
