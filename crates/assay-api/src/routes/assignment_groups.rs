//! Assignment groups (canvas-lms `assignment_groups_controller.rb` / `assignment_groups_api_controller.rb`,
//! §3.11): a course's weighted groups of assignments with drop rules, listed by `position`. Parameters are
//! top-level (`name=…&group_weight=…`), as Canvas takes them; `rules` is a form hash
//! (`rules[drop_lowest]=1&rules[never_drop][]=33`) or a JSON object.
//!
//! Reading needs `read_course_content`; students see in `assignments` only what they see in the assignment
//! list. Changing needs `manage_content`.

use std::collections::HashMap;

use assay_domain::{
    Code, Validation,
    assignment::{self as rules, DropRules},
    policy::Permission,
};
use assay_store::{
    assignments::{
        self,
        groups::{self as store, GroupFields},
    },
    courses::CourseView,
    entity::{assignment, assignment_group},
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    Created,
    assignments::{AssignmentJson, Includes, RenderContext, RenderOptions, course_target, resolve_group, viewer},
    courses,
};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_groups, create_group)).routes(routes!(
        show_group,
        update_group,
        delete_group
    ))
}

/// An assignment group.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentGroupJson {
    pub id: i64,
    pub name: String,
    pub position: i32,
    /// Percent of the final grade, when the course applies group weights.
    pub group_weight: f64,
    pub sis_source_id: Option<String>,
    pub integration_data: Value,
    /// `{drop_lowest, drop_highest, never_drop}`; `{}` when none.
    #[schema(value_type = Object)]
    pub rules: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<AssignmentJson>>,
}

fn render(g: &assignment_group::Model, assignments: Option<Vec<AssignmentJson>>) -> AssignmentGroupJson {
    AssignmentGroupJson {
        id: g.id,
        name: g.name.clone(),
        position: g.position,
        group_weight: g.group_weight,
        sis_source_id: g.sis_source_id.clone(),
        integration_data: g
            .integration_data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_else(|| json!({})),
        rules: serde_json::to_value(DropRules::from_stored(g.rules.as_deref())).unwrap_or_else(|_| json!({})),
        assignments,
    }
}

/// `include[]` and filters of the group endpoints.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// assignments; with it also all_dates, overrides, assignment_visibility, can_edit.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
    /// Only these assignments (ids, or one comma-separated value).
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub assignment_ids: Vec<String>,
    /// Leave out assignments with these submission types: online_quiz, discussion_topic, wiki_page,
    /// external_tool.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub exclude_assignment_submission_types: Vec<String>,
    /// Default true: the caller's effective dates.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub override_assignment_dates: Option<bool>,
}

/// The assignments of each group in `groups`, as the caller sees them, if `include[]=assignments` asks.
async fn assignments_of(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    groups: &[assignment_group::Model],
    query: &GroupQuery,
    headers: &HeaderMap,
) -> ApiResult<HashMap<i64, Vec<AssignmentJson>>> {
    if !query.include.iter().any(|i| i == "assignments") {
        return Ok(HashMap::new());
    }
    let viewer = viewer(state, caller, course).await?;
    let mut ids = std::collections::HashSet::new();
    for raw in query.assignment_ids.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        ids.insert(
            raw.parse::<i64>()
                .map_err(|_| ApiError::invalid_field("/assignment_ids", format!("`{raw}` is not an id")))?,
        );
    }
    let excluded = &query.exclude_assignment_submission_types;
    let wanted: std::collections::HashSet<i64> = groups.iter().map(|g| g.id).collect();
    let list: Vec<assignment::Model> = assignments::in_course(state.store.read(), &caller.scope, course.course.id)
        .await?
        .into_iter()
        .filter(|a| wanted.contains(&a.assignment_group_id))
        .filter(|a| ids.is_empty() || ids.contains(&a.id))
        .filter(|a| !assignments::submission_types(a).iter().any(|t| excluded.contains(t)))
        .collect();
    let options = RenderOptions {
        includes: Includes::parse(&query.include, false),
        apply_overrides: query.override_assignment_dates.unwrap_or(true),
    };
    let ctx =
        RenderContext::load(state, caller, course, viewer, &list, options, state.base_url.resolve(headers)).await?;
    let mut out: HashMap<i64, Vec<AssignmentJson>> = groups.iter().map(|g| (g.id, Vec::new())).collect();
    for a in list.iter().filter(|a| ctx.dates_for(a).is_some()) {
        out.entry(a.assignment_group_id).or_default().push(ctx.render(a));
    }
    Ok(out)
}

/// Group fields, top-level.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroupParams {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub position: Option<i64>,
    /// Percent of the final grade (a number, 0 or more).
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub group_weight: Option<Value>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_source_id: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub integration_data: Option<Value>,
    /// `{drop_lowest, drop_highest, never_drop: [assignment ids]}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rules: Option<Value>,
}

impl GroupParams {
    fn into_fields(self) -> Result<GroupFields, ApiError> {
        let mut v = Validation::new();
        v.text("/name", self.name.as_deref(), self.name.is_some(), 255);
        let position = match self.position {
            Some(p) if (1..=i64::from(i32::MAX)).contains(&p) => i32::try_from(p).ok(),
            Some(_) => {
                v.add("/position", "must be a positive number");
                None
            }
            None => None,
        };
        let group_weight = match &self.group_weight {
            None => None,
            Some(Value::Null) => Some(0.0),
            Some(Value::String(s)) if s.trim().is_empty() => Some(0.0),
            Some(raw) => {
                let n = match raw {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                };
                match n {
                    Some(n) if n.is_finite() && n >= 0.0 => Some(n),
                    _ => {
                        v.add("/group_weight", format!("must be a number, 0 or more, not {raw}"));
                        None
                    }
                }
            }
        };
        let rules = match &self.rules {
            None => None,
            Some(value) => match DropRules::parse(value) {
                Ok(r) => Some(r),
                Err((key, message)) => {
                    v.add(if key.is_empty() { "/rules".to_owned() } else { format!("/rules/{key}") }, message);
                    None
                }
            },
        };
        let integration_data = match &self.integration_data {
            None => None,
            Some(value) => match rules::parse_integration_data(value) {
                Ok(map) => Some(map.map(|m| serde_json::to_string(&m).unwrap_or_default())),
                Err(message) => {
                    v.add("/integration_data", message);
                    None
                }
            },
        };
        if let Some(Some(sis)) = &self.sis_source_id {
            v.identifier("/sis_source_id", Some(sis));
        }
        v.finish()?;
        Ok(GroupFields {
            name: self.name.map(|n| n.trim().to_owned()),
            position,
            group_weight,
            rules,
            sis_source_id: self.sis_source_id,
            integration_data,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeleteGroupParams {
    /// An assignment group of the course that receives this group's assignments; without it they are deleted.
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[schema(value_type = Option<i64>)]
    pub move_assignments_to: Option<i64>,
}

/// The assignment groups of a course, by position (`include[]=assignments` adds their assignments).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignment_groups", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), GroupQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AssignmentGroupJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<GroupQuery>,
) -> ApiResult<Paginated<AssignmentGroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let page = store::list(state.store.read(), &caller.scope, course.course.id, &pagination.request).await?;
    let mut by_group = assignments_of(&state, &caller, &course, &page.items, &query, &headers).await?;
    Ok(Paginated::new(
        page.map(|g| {
            let a = by_group.remove(&g.id);
            render(&g, a)
        }),
        pagination,
    ))
}

/// Creates an assignment group (top-level `name`, `position`, `group_weight`, `rules`, …).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignment_groups", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = AssignmentGroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Created<AssignmentGroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let fields = params.into_fields()?;
    let (scope, actor, parent) = (caller.scope, caller.actor(), course.course.clone());
    let created = state
        .store
        .write(move |txn| Box::pin(async move { store::create(txn, &scope, &parent, fields, actor).await }))
        .await?;
    let location = format!(
        "{}/api/v1/courses/{}/assignment_groups/{}",
        state.base_url.resolve(&headers),
        course.course.id,
        created.id
    );
    Ok(Created { location, body: render(&created, None) })
}

/// One assignment group.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_group_id" = i64, Path), GroupQuery),
    responses((status = 200, body = AssignmentGroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, group_id)): PathParams<(String, String)>,
    Params(query): Params<GroupQuery>,
) -> ApiResult<Json<AssignmentGroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let group = resolve_group(&state, &caller, &course, &group_id).await?;
    let mut by_group = assignments_of(&state, &caller, &course, std::slice::from_ref(&group), &query, &headers).await?;
    Ok(Json(render(&group, by_group.remove(&group.id))))
}

/// Changes an assignment group; only the fields sent change. Answers the full group.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_group_id" = i64, Path)),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AssignmentGroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, group_id)): PathParams<(String, String)>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Json<AssignmentGroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let current = resolve_group(&state, &caller, &course, &group_id).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let fields = params.into_fields()?;
    let (scope, actor) = (caller.scope, caller.actor());
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { store::update(txn, &scope, &current, fields, actor).await }))
        .await
        .map_err(|err| match err {
            assay_store::StoreError::NotFound => ApiError::not_found(Code::AssignmentGroupNotFound),
            other => other.into(),
        })?;
    Ok(Json(render(&updated, None)))
}

/// Deletes an assignment group. `move_assignments_to` names a group that receives its assignments; without
/// it, they are deleted with the group. Answers the deleted group.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}", tag = "Assignments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_group_id" = i64, Path)),
    request_body(content((DeleteGroupParams = "application/json"), (DeleteGroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = AssignmentGroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, group_id)): PathParams<(String, String)>,
    Params(params): Params<DeleteGroupParams>,
) -> ApiResult<Json<AssignmentGroupJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&course))?;
    let current = resolve_group(&state, &caller, &course, &group_id).await?;
    caller.require(Permission::ManageCourse, course_target(&course))?;
    let (scope, actor, move_to) = (caller.scope, caller.actor(), params.move_assignments_to);
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { store::delete(txn, &scope, &current, move_to, actor).await }))
        .await
        .map_err(|err| match err {
            assay_store::StoreError::NotFound => ApiError::not_found(Code::AssignmentGroupNotFound),
            other => other.into(),
        })?;
    Ok(Json(render(&deleted, None)))
}
