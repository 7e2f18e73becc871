//! The people of a course (Canvas §2.8): `GET /api/v1/courses/:id/users`, `/search_users` (what canvasapi's
//! `Course.get_users()` calls) and `/users/:id`, optionally with each person's enrollments.

use assay_domain::{
    enrollment::{EnrollmentState, parse_short_type},
    policy::{self, Permission, Target},
};
use assay_store::{
    courses::CourseView,
    enrollments::{self, EnrollmentFilter},
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    courses,
    enrollments::{EnrollmentJson, render_many},
    users::{self, UserJson},
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
    OpenApiRouter::new()
        .routes(routes!(list_course_users))
        .routes(routes!(search_course_users))
        .routes(routes!(show_course_user))
}

/// A person of the course, with their enrollments in it on `include[]=enrollments`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseUserJson {
    #[serde(flatten)]
    pub user: UserJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollments: Option<Vec<EnrollmentJson>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseUsersQuery {
    /// Part of the name, sortable name, e-mail, login or SIS id, or the whole numeric id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// `teacher`, `student`, `student_view`, `ta`, `observer` or `designer`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub enrollment_type: Vec<String>,
    /// Deprecated: an enrollment type name (`StudentEnrollment`, …).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_role: Option<String>,
    /// `active`, `invited`, `rejected`, `completed` or `inactive`; default: active and invited.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub enrollment_state: Vec<String>,
    /// Only these users.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub user_ids: Vec<String>,
    /// `enrollments` adds each person's enrollments in the course; `email` their e-mail (for those who may see
    /// it). Other values (`avatar_url`, `locked`, `bio`, …) are accepted and ignored.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

impl CourseUsersQuery {
    fn filter(&self, course: &CourseView, caller: &Caller) -> Result<EnrollmentFilter, ApiError> {
        let mut roles = Vec::new();
        for raw in &self.enrollment_type {
            // The test student of Canvas's "student view" does not exist in Assay: it matches no one.
            if raw == "student_view" {
                continue;
            }
            roles.push(parse_short_type(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "/enrollment_type",
                    format!("`{raw}` is not teacher, student, student_view, ta, observer or designer"),
                )
            })?);
        }
        if let Some(role) = &self.enrollment_role {
            roles.push(assay_domain::policy::CourseRole::from_enrollment_type(role).ok_or_else(|| {
                ApiError::invalid_field("/enrollment_role", format!("`{role}` is not an enrollment type"))
            })?);
        }
        let matches_nothing = roles.is_empty() && !self.enrollment_type.is_empty();
        let mut states = Vec::new();
        for raw in &self.enrollment_state {
            match EnrollmentState::parse(raw) {
                Some(s) if s != EnrollmentState::Deleted && s != EnrollmentState::CreationPending => states.push(s),
                _ => {
                    return Err(ApiError::invalid_field(
                        "/enrollment_state",
                        format!("`{raw}` is not active, invited, rejected, completed or inactive"),
                    ));
                }
            }
        }
        Ok(EnrollmentFilter {
            course_id: Some(course.course.id),
            roles,
            states,
            within_sections: if matches_nothing {
                Some(Vec::new())
            } else {
                policy::reachable_sections(
                    &caller.grants,
                    Permission::ViewRoster,
                    course.course.id,
                    &course.account_path,
                )
            },
            ..EnrollmentFilter::default()
        })
    }

    fn user_ids(&self) -> Result<Vec<i64>, ApiError> {
        self.user_ids
            .iter()
            .map(|raw| {
                raw.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid_field("/user_ids", format!("`{raw}` is not a user id")))
            })
            .collect()
    }
}

async fn course_users(
    state: AppState,
    headers: HeaderMap,
    caller: Caller,
    course_id: String,
    pagination: Pagination,
    query: CourseUsersQuery,
) -> ApiResult<Paginated<CourseUserJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ViewRoster,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    let filter = query.filter(&course, &caller)?;
    let ids = query.user_ids()?;
    let term = query.search_term.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if term.is_some_and(|t| t.chars().count() > 255) {
        return Err(ApiError::invalid_field("/search_term", "must be at most 255 characters"));
    }
    let page =
        enrollments::course_users(state.store.read(), &caller.scope, &filter, term, &ids, &pagination.request).await?;
    let items = with_enrollments(&state, &headers, &caller, &filter, &query.include, page.items.clone()).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// Renders users, adding their enrollments (one query for the page) when asked.
async fn with_enrollments(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    filter: &EnrollmentFilter,
    include: &[String],
    views: Vec<assay_store::users::UserView>,
) -> ApiResult<Vec<CourseUserJson>> {
    let wants_enrollments = include.iter().any(|i| i == "enrollments");
    let wants_email = include.iter().any(|i| i == "email");
    let mut enrollments_by_user = std::collections::HashMap::new();
    if wants_enrollments {
        let ids: Vec<i64> = views.iter().map(|v| v.user.id).collect();
        let by_user = enrollments::of_users(state.store.read(), &caller.scope, filter, &ids).await?;
        let all: Vec<_> = by_user.into_values().flatten().collect();
        for json in render_many(state, headers, caller, &all).await? {
            enrollments_by_user.entry(json.user_id).or_insert_with(Vec::new).push(json);
        }
    }
    Ok(views
        .iter()
        .map(|view| {
            let mut user = users::render(view, caller);
            if !wants_email {
                user.email = None;
            }
            CourseUserJson {
                enrollments: wants_enrollments.then(|| enrollments_by_user.remove(&view.user.id).unwrap_or_default()),
                user,
            }
        })
        .collect())
}

/// The people of a course, by sortable name.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/users", tag = "Courses",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), CourseUsersQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseUserJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseUsersQuery>,
) -> ApiResult<Paginated<CourseUserJson>> {
    course_users(state, headers, caller, course_id, pagination, query).await
}

/// The same list as `/users` (canvasapi's `Course.get_users()` calls this one).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/search_users", tag = "Courses",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), CourseUsersQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseUserJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn search_course_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseUsersQuery>,
) -> ApiResult<Paginated<CourseUserJson>> {
    course_users(state, headers, caller, course_id, pagination, query).await
}

/// One person of the course (any enrollment state but deleted), with the list's `include[]`.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/users/{id}", tag = "Courses",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = String, Path, description = "User id, `self` or `sis_user_id:X`"), CourseUsersQuery),
    responses((status = 200, body = CourseUserJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_course_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(query): Params<CourseUsersQuery>,
) -> ApiResult<Json<CourseUserJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ViewRoster,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    let user = users::resolve(&state, &caller, &id).await?;
    let mut filter = query.filter(&course, &caller)?;
    if filter.states.is_empty() {
        filter.states = EnrollmentState::ALL.into_iter().filter(|s| *s != EnrollmentState::Deleted).collect();
    }
    filter.user_id = Some(user.user.id);
    let found = enrollments::of_users(state.store.read(), &caller.scope, &filter, &[user.user.id]).await?;
    if found.is_empty() {
        return Err(ApiError::not_found(assay_domain::Code::UserNotFound));
    }
    let mut rendered = with_enrollments(&state, &headers, &caller, &filter, &query.include, vec![user]).await?;
    rendered.pop().map(Json).ok_or_else(ApiError::internal)
}
