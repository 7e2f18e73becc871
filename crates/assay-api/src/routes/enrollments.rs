//! Enrollments (Canvas §2.10, §6.2 rows 14–17): list by course, section or user; enroll in a course or a section;
//! conclude, deactivate or delete (`DELETE … task=`); accept, reject, reactivate.

use std::collections::HashMap;

use assay_domain::{
    Code, IdRef, Validation,
    enrollment::{EnrollmentAction, EnrollmentState},
    policy::{self, CourseRole, Permission, Target},
};
use assay_store::{
    StoreError,
    courses::CourseView,
    enrollments::{self, EnrollmentFilter, NewEnrollment, Related},
    entity::{course_section, enrollment},
    sections::SectionView,
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    accounts, courses,
    gradebook::{self, GradesJson},
    sections, users,
};
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
        .routes(routes!(list_course_enrollments, create_course_enrollment))
        .routes(routes!(list_section_enrollments, create_section_enrollment))
        .routes(routes!(list_user_enrollments))
        .routes(routes!(show_account_enrollment))
        .routes(routes!(end_enrollment))
        .routes(routes!(accept_enrollment))
        .routes(routes!(reject_enrollment))
        .routes(routes!(reactivate_enrollment))
}

/// The user an enrollment belongs to, as Canvas embeds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolledUserJson {
    pub id: i64,
    pub name: String,
    pub sortable_name: String,
    pub short_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_user_id: Option<Option<String>>,
}

/// An enrollment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentJson {
    pub id: i64,
    pub course_id: i64,
    pub course_section_id: i64,
    pub user_id: i64,
    /// `StudentEnrollment`, `TeacherEnrollment`, `TaEnrollment`, `DesignerEnrollment` or `ObserverEnrollment`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The same as `type` (custom roles are not supported).
    pub role: String,
    pub role_id: i64,
    /// `creation_pending`, `invited`, `active`, `inactive`, `completed`, `rejected` or `deleted`.
    pub enrollment_state: String,
    pub root_account_id: i64,
    pub limit_privileges_to_course_section: bool,
    pub associated_user_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_activity_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_attended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub total_activity_time: i64,
    pub html_url: String,
    /// Student enrollments the caller may see the grades of (their own, or any as a grader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grades: Option<GradesJson>,
    pub user: EnrolledUserJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_course_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_integration_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_section_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_integration_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_user_id: Option<Option<String>>,
}

/// Renders enrollments with what they refer to; SIS ids only where the caller may read them, grades (from
/// `gradebook::enrollment_grades`) only where the caller may see them.
pub fn render(
    base: &str,
    caller: &Caller,
    course_path: &dyn Fn(i64) -> Option<assay_domain::account::AccountPath>,
    related: &Related,
    grades: &HashMap<i64, GradesJson>,
    e: &enrollment::Model,
) -> EnrollmentJson {
    let sis = course_path(e.course_id).is_some_and(|account| {
        caller.may(Permission::ReadSis, Target::Course { course_id: e.course_id, account: &account })
    });
    let person = related.users.get(&e.user_id);
    let course = related.courses.get(&e.course_id);
    let section = related.sections.get(&e.course_section_id);
    let role = CourseRole::from_enrollment_type(&e.r#type).unwrap_or(CourseRole::Student);
    let html_url = format!("{base}/courses/{}/users/{}", e.course_id, e.user_id);
    EnrollmentJson {
        id: e.id,
        course_id: e.course_id,
        course_section_id: e.course_section_id,
        user_id: e.user_id,
        kind: e.r#type.clone(),
        role: e.role.clone(),
        role_id: role.base_role_id(),
        enrollment_state: e.workflow_state.clone(),
        root_account_id: e.root_account_id,
        limit_privileges_to_course_section: e.limit_privileges_to_course_section,
        associated_user_id: e.associated_user_id,
        created_at: e.created_at,
        updated_at: e.updated_at,
        start_at: e.start_at,
        end_at: e.end_at,
        last_activity_at: e.last_activity_at,
        last_attended_at: None,
        total_activity_time: 0,
        grades: grades.get(&e.id).cloned(),
        html_url,
        user: EnrolledUserJson {
            id: e.user_id,
            name: person.map(|u| u.name.clone()).unwrap_or_default(),
            sortable_name: person.map(|u| u.sortable_name.clone()).unwrap_or_default(),
            short_name: person.map(|u| u.short_name.clone()).unwrap_or_default(),
            sis_user_id: sis.then(|| person.and_then(|u| u.sis_user_id.clone())),
        },
        sis_course_id: sis.then(|| course.and_then(|c| c.sis_course_id.clone())),
        course_integration_id: sis.then(|| course.and_then(|c| c.integration_id.clone())),
        sis_section_id: sis.then(|| section.and_then(|s| s.sis_section_id.clone())),
        section_integration_id: sis.then(|| section.and_then(|s| s.integration_id.clone())),
        sis_user_id: sis.then(|| person.and_then(|u| u.sis_user_id.clone())),
    }
}

/// Renders enrollments that all belong to one course.
async fn render_in_course(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    course: &CourseView,
    rows: Vec<enrollment::Model>,
) -> ApiResult<Vec<EnrollmentJson>> {
    let related = enrollments::related(state.store.read(), &caller.scope, &rows).await?;
    let base = state.base_url.resolve(headers);
    let path = |_: i64| Some(course.account_path.clone());
    let grades = gradebook::enrollment_grades(state, caller, &base, &path, &related, &rows).await?;
    Ok(rows.iter().map(|e| render(&base, caller, &path, &related, &grades, e)).collect())
}

/// Renders enrollments of any courses of the school (the user and account lists).
pub async fn render_many(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    rows: &[enrollment::Model],
) -> ApiResult<Vec<EnrollmentJson>> {
    let related = enrollments::related(state.store.read(), &caller.scope, rows).await?;
    let paths = assay_store::accounts::paths_of(
        state.store.read(),
        &caller.scope,
        related.courses.values().map(|c| c.account_id).collect(),
    )
    .await?;
    let base = state.base_url.resolve(headers);
    let path = |course_id: i64| related.courses.get(&course_id).and_then(|c| paths.get(&c.account_id).cloned());
    let grades = gradebook::enrollment_grades(state, caller, &base, &path, &related, rows).await?;
    Ok(rows.iter().map(|e| render(&base, caller, &path, &related, &grades, e)).collect())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrollmentListQuery {
    /// Enrollment types (`StudentEnrollment`, …); ignored when `role[]` is given.
    #[serde(default, rename = "type", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub types: Vec<String>,
    /// Role names; without custom roles they are the type names.
    #[serde(default, rename = "role", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub roles: Vec<String>,
    /// `active`, `invited`, `creation_pending`, `deleted`, `rejected`, `completed`, `inactive`; default: active
    /// and invited (and inactive for those who manage the course's enrollments).
    #[serde(default, rename = "state", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub states: Vec<String>,
    /// Only this user's enrollments (an id, `self` or `sis_user_id:X`).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_id: Option<String>,
    /// Accepted for compatibility (`avatar_url`, `group_ids`, `locked`, `observed_users`, `can_be_removed`,
    /// `uuid`, `current_points`); enrollments always carry their user.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

impl EnrollmentListQuery {
    /// The filter the query asks for (without its scope: course, section or user).
    fn filter(&self, default_states: &[EnrollmentState]) -> Result<EnrollmentFilter, ApiError> {
        let names = if self.roles.is_empty() { &self.types } else { &self.roles };
        let pointer = if self.roles.is_empty() { "/type" } else { "/role" };
        let roles = parse_types(names, pointer)?;
        let mut states = Vec::with_capacity(self.states.len());
        for raw in &self.states {
            states.push(EnrollmentState::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "/state",
                    format!(
                        "`{raw}` is not active, invited, creation_pending, deleted, rejected, completed or inactive"
                    ),
                )
            })?);
        }
        if states.is_empty() {
            states = default_states.to_vec();
        }
        Ok(EnrollmentFilter { roles, states, ..EnrollmentFilter::default() })
    }
}

/// Parses `*Enrollment` type names.
fn parse_types(names: &[String], pointer: &str) -> Result<Vec<CourseRole>, ApiError> {
    names
        .iter()
        .map(|raw| {
            CourseRole::from_enrollment_type(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    pointer,
                    format!(
                        "`{raw}` is not StudentEnrollment, TeacherEnrollment, TaEnrollment, DesignerEnrollment or \
                         ObserverEnrollment"
                    ),
                )
            })
        })
        .collect()
}

/// Who a course-scoped list shows by default: those who manage enrollments also see inactive people.
fn default_states(caller: &Caller, course: &CourseView) -> Vec<EnrollmentState> {
    let mut states = EnrollmentState::DEFAULT_LISTED.to_vec();
    let target = Target::Course { course_id: course.course.id, account: &course.account_path };
    if caller.may(Permission::ManageEnrollments, target) {
        states.push(EnrollmentState::Inactive);
    }
    states
}

async fn resolve_user_filter(state: &AppState, caller: &Caller, raw: Option<&str>) -> ApiResult<Option<i64>> {
    let Some(raw) = raw else { return Ok(None) };
    // An unknown user simply matches nothing, as a filter should.
    match users::resolve(state, caller, raw).await {
        Ok(view) => Ok(Some(view.user.id)),
        Err(err) if err.code == Code::UserNotFound => Ok(Some(-1)),
        Err(err) => Err(err),
    }
}

/// The enrollments of a course.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/enrollments", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), EnrollmentListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<EnrollmentJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_enrollments(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<EnrollmentListQuery>,
) -> ApiResult<Paginated<EnrollmentJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ViewRoster,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    let mut filter = query.filter(&default_states(&caller, &course))?;
    filter.course_id = Some(course.course.id);
    filter.user_id = resolve_user_filter(&state, &caller, query.user_id.as_deref()).await?;
    filter.within_sections =
        policy::reachable_sections(&caller.grants, Permission::ViewRoster, course.course.id, &course.account_path);
    let page = enrollments::list(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let items = render_in_course(&state, &headers, &caller, &course, page.items.clone()).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// The enrollments of a section.
#[utoipa::path(get, path = "/api/v1/sections/{section_id}/enrollments", tag = "Enrollments",
    params(("section_id" = String, Path, description = "Section id or `sis_section_id:X`"), EnrollmentListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<EnrollmentJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_section_enrollments(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(section_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<EnrollmentListQuery>,
) -> ApiResult<Paginated<EnrollmentJson>> {
    let view = sections::resolve(&state, &caller, &section_id).await?;
    caller.require(Permission::ViewRoster, section_target(&view))?;
    let mut filter = query.filter(&default_states(&caller, &view.course))?;
    filter.course_id = Some(view.course.course.id);
    filter.section_id = Some(view.section.id);
    filter.user_id = resolve_user_filter(&state, &caller, query.user_id.as_deref()).await?;
    let page = enrollments::list(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let items = render_in_course(&state, &headers, &caller, &view.course, page.items.clone()).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

fn section_target(view: &SectionView) -> Target<'_> {
    Target::Section {
        course_id: view.course.course.id,
        section_id: view.section.id,
        account: &view.course.account_path,
    }
}

/// A user's enrollments in every course: their own, or anyone's for those who may see the user's profile.
#[utoipa::path(get, path = "/api/v1/users/{user_id}/enrollments", tag = "Enrollments",
    params(("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`"), EnrollmentListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<EnrollmentJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_user_enrollments(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(user_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<EnrollmentListQuery>,
) -> ApiResult<Paginated<EnrollmentJson>> {
    let user = users::resolve(&state, &caller, &user_id).await?;
    let is_self = caller.user_id() == Some(user.user.id);
    if !is_self {
        caller.require(Permission::ViewRoster, Target::Account(&user.account_path))?;
    }
    let mut filter = query.filter(&EnrollmentState::DEFAULT_LISTED)?;
    filter.user_id = Some(user.user.id);
    let page = enrollments::list(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let items = render_many(&state, &headers, &caller, &page.items).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// One enrollment, by id, for those who may see its course's roster through the account.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/enrollments/{id}", tag = "Enrollments",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), ("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, body = EnrollmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_account_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((account_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<EnrollmentJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let row = find_enrollment(&state, &caller, &id).await?;
    let course = courses::resolve(&state, &caller, &row.course_id.to_string(), false)
        .await
        .map_err(|_| ApiError::not_found(Code::EnrollmentNotFound))?;
    if !course.account_path.is_within(&account.account_path()) {
        return Err(ApiError::not_found(Code::EnrollmentNotFound));
    }
    caller.require(Permission::ViewRoster, Target::Account(&course.account_path))?;
    let mut rendered = render_in_course(&state, &headers, &caller, &course, vec![row]).await?;
    rendered.pop().map(Json).ok_or_else(|| ApiError::not_found(Code::EnrollmentNotFound))
}

async fn find_enrollment(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<enrollment::Model> {
    let id = match id_ref(raw, "enrollment", &[])? {
        IdRef::Id(id) => id,
        _ => return Err(ApiError::not_found(Code::EnrollmentNotFound)),
    };
    enrollments::find(state.store.read(), &caller.scope, id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::EnrollmentNotFound),
        other => other.into(),
    })
}

/// `enrollment[…]` fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EnrollmentFields {
    /// The user to enroll: an id, `self` or `sis_user_id:X` (required).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_id: Option<String>,
    /// `StudentEnrollment` (default), `TeacherEnrollment`, `TaEnrollment`, `DesignerEnrollment` or
    /// `ObserverEnrollment`.
    #[serde(default, rename = "type", deserialize_with = "de::opt_string")]
    pub kind: Option<String>,
    /// Deprecated: a role name, used when `type` is absent.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub role: Option<String>,
    /// A built-in role's id (3 student, 4 teacher, 5 TA, 6 designer, 7 observer), used when `type` is absent.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub role_id: Option<i64>,
    /// `invited` (default), `active` or `inactive`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub enrollment_state: Option<String>,
    /// The section (id or `sis_section_id:X`); ignored on the section route. Default: the course's default section.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub course_section_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub limit_privileges_to_course_section: Option<bool>,
    /// Observer enrollments: the student observed.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub associated_user_id: Option<i64>,
    /// Accepted; Assay sends no enrollment e-mail.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub notify: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EnrollmentParams {
    #[serde(default)]
    pub enrollment: EnrollmentFields,
}

impl EnrollmentFields {
    /// Checks the fields that need no lookup; returns the type and state asked for.
    fn validate(&self) -> Result<(CourseRole, EnrollmentState), ApiError> {
        let mut v = Validation::new();
        if self.user_id.as_deref().is_none_or(|s| s.trim().is_empty()) {
            v.add("/enrollment/user_id", "is required");
        }
        let role = match (&self.kind, &self.role, self.role_id) {
            (Some(kind), _, _) => CourseRole::from_enrollment_type(kind).or_else(|| {
                v.add(
                    "/enrollment/type",
                    "must be StudentEnrollment, TeacherEnrollment, TaEnrollment, DesignerEnrollment or \
                     ObserverEnrollment",
                );
                None
            }),
            (None, Some(role), _) => CourseRole::from_enrollment_type(role).or_else(|| {
                v.add("/enrollment/role", "must be the name of a built-in role (custom roles are not supported)");
                None
            }),
            (None, None, Some(id)) => CourseRole::from_base_role_id(id).or_else(|| {
                v.add("/enrollment/role_id", "must be a built-in role id (3 to 7)");
                None
            }),
            (None, None, None) => Some(CourseRole::Student),
        };
        let enrollment_state = match &self.enrollment_state {
            None => Some(EnrollmentState::Invited),
            Some(raw) => EnrollmentState::parse_initial(raw).or_else(|| {
                v.add("/enrollment/enrollment_state", "must be active, invited or inactive");
                None
            }),
        };
        if let (Some(Some(start)), Some(Some(end))) = (self.start_at, self.end_at)
            && end < start
        {
            v.add("/enrollment/end_at", "must not be before start_at");
        }
        if self.associated_user_id.is_some() && role != Some(CourseRole::Observer) {
            v.add("/enrollment/associated_user_id", "is only for ObserverEnrollment");
        }
        v.finish()?;
        match (role, enrollment_state) {
            (Some(role), Some(state)) => Ok((role, state)),
            _ => Err(ApiError::invalid_field("/enrollment", "is not valid")),
        }
    }
}

/// A new enrollment answers 201; asking again for one that exists answers 200 with it (so retries are safe).
pub enum Enrolled {
    Created(String, EnrollmentJson),
    Existing(EnrollmentJson),
}

impl IntoResponse for Enrolled {
    fn into_response(self) -> Response {
        match self {
            Enrolled::Created(location, body) => super::Created { location, body }.into_response(),
            Enrolled::Existing(body) => (StatusCode::OK, Json(body)).into_response(),
        }
    }
}

async fn enroll(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    course: CourseView,
    fixed_section: Option<course_section::Model>,
    fields: EnrollmentFields,
) -> ApiResult<Enrolled> {
    let (role, initial) = fields.validate()?;
    let section = match (fixed_section, &fields.course_section_id) {
        (Some(section), _) => Some(section),
        (None, Some(raw)) => {
            let view = sections::resolve(state, caller, raw).await.map_err(|_| {
                ApiError::invalid_field("/enrollment/course_section_id", "is not a section of this course")
            })?;
            if view.course.course.id != course.course.id {
                return Err(ApiError::invalid_field(
                    "/enrollment/course_section_id",
                    "is not a section of this course",
                ));
            }
            Some(view.section)
        }
        (None, None) => None,
    };
    let target = match &section {
        Some(s) => Target::Section { course_id: course.course.id, section_id: s.id, account: &course.account_path },
        None => Target::Course { course_id: course.course.id, account: &course.account_path },
    };
    // Permission before looking the user up: a caller who may not enroll learns nothing about who exists.
    caller.require(Permission::ManageEnrollments, target)?;
    let raw_user = fields.user_id.clone().unwrap_or_default();
    let user = match users::resolve(state, caller, raw_user.trim()).await {
        Ok(view) => view.user,
        Err(err) if err.code == Code::UserNotFound || err.code == Code::InvalidId => {
            return Err(ApiError::invalid_field("/enrollment/user_id", "is not a user of this school"));
        }
        Err(err) => return Err(err),
    };
    let new = NewEnrollment {
        user_id: user.id,
        role,
        state: initial,
        limit_privileges_to_course_section: fields.limit_privileges_to_course_section.unwrap_or(false),
        associated_user_id: fields.associated_user_id,
        start_at: fields.start_at.flatten(),
        end_at: fields.end_at.flatten(),
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let parent = course.course.clone();
    let (row, created) = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let section = match section {
                    Some(s) => s,
                    None => assay_store::sections::default_for(txn, &scope, &parent).await?,
                };
                enrollments::enroll(txn, &scope, &parent, &section, new, actor).await
            })
        })
        .await
        .map_err(|err| match err {
            StoreError::Invalid { field, message } => ApiError::invalid_field(&format!("/enrollment/{field}"), message),
            other => other.into(),
        })?;
    let base = state.base_url.resolve(headers);
    let location = format!("{base}/api/v1/accounts/self/enrollments/{}", row.id);
    let mut rendered = render_in_course(state, headers, caller, &course, vec![row]).await?;
    let body = rendered.pop().ok_or_else(ApiError::internal)?;
    Ok(if created { Enrolled::Created(location, body) } else { Enrolled::Existing(body) })
}

/// Enrolls a user in a course (in `enrollment[course_section_id]`, or the course's default section).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/enrollments", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((EnrollmentParams = "application/x-www-form-urlencoded"), (EnrollmentParams = "application/json"))),
    responses((status = 201, body = EnrollmentJson), (status = 200, description = "The same enrollment already existed", body = EnrollmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_course_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<EnrollmentParams>,
) -> ApiResult<Enrolled> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    enroll(&state, &headers, &caller, course, None, params.enrollment).await
}

/// Enrolls a user in a section.
#[utoipa::path(post, path = "/api/v1/sections/{section_id}/enrollments", tag = "Enrollments",
    params(("section_id" = String, Path, description = "Section id or `sis_section_id:X`")),
    request_body(content((EnrollmentParams = "application/x-www-form-urlencoded"), (EnrollmentParams = "application/json"))),
    responses((status = 201, body = EnrollmentJson), (status = 200, description = "The same enrollment already existed", body = EnrollmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_section_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(section_id): PathParams<String>,
    Params(params): Params<EnrollmentParams>,
) -> ApiResult<Enrolled> {
    let view = sections::resolve(&state, &caller, &section_id).await?;
    enroll(&state, &headers, &caller, view.course, Some(view.section), params.enrollment).await
}

/// Finds an enrollment of a course from path ids.
async fn course_enrollment(
    state: &AppState,
    caller: &Caller,
    course_id: &str,
    id: &str,
) -> ApiResult<(CourseView, enrollment::Model)> {
    let course = courses::resolve(state, caller, course_id, false).await?;
    let row = find_enrollment(state, caller, id).await?;
    if row.course_id != course.course.id {
        return Err(ApiError::not_found(Code::EnrollmentNotFound));
    }
    Ok((course, row))
}

async fn act(
    state: &AppState,
    caller: &Caller,
    row: enrollment::Model,
    action: EnrollmentAction,
) -> ApiResult<enrollment::Model> {
    let scope = caller.scope;
    let actor = caller.actor();
    state
        .store
        .write(move |txn| Box::pin(async move { enrollments::apply(txn, &scope, &row, action, actor).await }))
        .await
        .map_err(ApiError::from)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EndEnrollmentParams {
    /// `conclude` (default), `delete`, `inactivate` or `deactivate` (the last two are the same).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub task: Option<String>,
}

/// Concludes (default), deactivates or deletes an enrollment; returns it.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/enrollments/{id}", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Enrollment id")),
    request_body(content((EndEnrollmentParams = "application/x-www-form-urlencoded"), (EndEnrollmentParams = "application/json"))),
    responses((status = 200, body = EnrollmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn end_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(params): Params<EndEnrollmentParams>,
) -> ApiResult<Json<EnrollmentJson>> {
    let (course, row) = course_enrollment(&state, &caller, &course_id, &id).await?;
    caller.require(Permission::ManageEnrollments, enrollment_target(&course, &row))?;
    let action = EnrollmentAction::parse_task(params.task.as_deref())
        .ok_or_else(|| ApiError::invalid_field("/task", "must be conclude, delete, inactivate or deactivate"))?;
    let updated = act(&state, &caller, row, action).await?;
    let mut rendered = render_in_course(&state, &headers, &caller, &course, vec![updated]).await?;
    rendered.pop().map(Json).ok_or_else(ApiError::internal)
}

fn enrollment_target<'a>(course: &'a CourseView, row: &enrollment::Model) -> Target<'a> {
    Target::Section { course_id: course.course.id, section_id: row.course_section_id, account: &course.account_path }
}

/// Answers an invitation; only the invited user may.
async fn answer(
    state: &AppState,
    caller: &Caller,
    course_id: &str,
    id: &str,
    action: EnrollmentAction,
) -> ApiResult<Json<Value>> {
    let (_, row) = course_enrollment(state, caller, course_id, id).await?;
    let user = caller.require_user()?;
    if row.user_id != user.id {
        // Someone else's invitation is none of the caller's business.
        return Err(ApiError::not_found(Code::EnrollmentNotFound));
    }
    act(state, caller, row, action).await?;
    Ok(Json(json!({ "success": true })))
}

/// Accepts the caller's own invitation to a course; answers `{"success": true}`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/enrollments/{id}/accept", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, description = "`{\"success\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn accept_enrollment(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<Value>> {
    answer(&state, &caller, &course_id, &id, EnrollmentAction::Accept).await
}

/// Rejects the caller's own invitation to a course; answers `{"success": true}`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/enrollments/{id}/reject", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, description = "`{\"success\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn reject_enrollment(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<Value>> {
    answer(&state, &caller, &course_id, &id, EnrollmentAction::Reject).await
}

/// Makes an inactive (or concluded) enrollment active again; returns it.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/enrollments/{id}/reactivate", tag = "Enrollments",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, body = EnrollmentJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn reactivate_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<EnrollmentJson>> {
    let (course, row) = course_enrollment(&state, &caller, &course_id, &id).await?;
    caller.require(Permission::ManageEnrollments, enrollment_target(&course, &row))?;
    let updated = act(&state, &caller, row, EnrollmentAction::Reactivate).await?;
    let mut rendered = render_in_course(&state, &headers, &caller, &course, vec![updated]).await?;
    rendered.pop().map(Json).ok_or_else(ApiError::internal)
}
