//! Courses (Canvas §2.6, §6.2 rows 6–10): create and list under an account, show, update (including
//! `course[event]=offer|claim|conclude|delete|undelete`) and `DELETE` with `event=delete|conclude`.

use assay_domain::{
    Code, Validation,
    account::validate_time_zone,
    course::{CourseEvent, CourseState, transition},
    policy::{Permission, Target},
};
use assay_store::courses::{self, CourseFields, CourseFilter, CourseView, ID_PREFIXES};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
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
    OpenApiRouter::new().routes(routes!(list_account_courses, create_course)).routes(routes!(
        show_course,
        update_course,
        delete_course
    ))
}

/// A course.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseJson {
    pub id: i64,
    pub name: String,
    pub course_code: String,
    pub uuid: String,
    /// `unpublished`, `available`, `completed` or `deleted`.
    pub workflow_state: String,
    pub account_id: i64,
    pub root_account_id: i64,
    pub enrollment_term_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub time_zone: Option<String>,
    pub default_view: String,
    pub apply_assignment_group_weights: bool,
    pub hide_final_grades: bool,
    pub restrict_enrollments_to_course_dates: bool,
    pub is_public: bool,
    pub license: Option<String>,
    pub grading_standard_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_course_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
}

fn render(view: &CourseView, caller: &Caller) -> CourseJson {
    let c = &view.course;
    let sis = caller.may(Permission::ReadSis, Target::Course { course_id: c.id, account: &view.account_path });
    CourseJson {
        id: c.id,
        name: c.name.clone(),
        course_code: c.course_code.clone(),
        uuid: c.uuid.clone(),
        workflow_state: c.workflow_state.clone(),
        account_id: c.account_id,
        root_account_id: c.root_account_id,
        enrollment_term_id: c.enrollment_term_id,
        created_at: c.created_at,
        start_at: c.start_at,
        end_at: c.end_at,
        time_zone: c.time_zone.clone(),
        default_view: c.default_view.clone(),
        apply_assignment_group_weights: c.apply_assignment_group_weights,
        hide_final_grades: c.hide_final_grades,
        restrict_enrollments_to_course_dates: c.restrict_enrollments_to_course_dates,
        is_public: c.is_public,
        license: c.license.clone(),
        grading_standard_id: None,
        sis_course_id: sis.then(|| c.sis_course_id.clone()),
        integration_id: sis.then(|| c.integration_id.clone()),
    }
}

/// Finds a course of the caller's school from a path id, or 404.
pub async fn resolve(state: &AppState, caller: &Caller, raw: &str, include_deleted: bool) -> ApiResult<CourseView> {
    let id = id_ref(raw, "course", ID_PREFIXES)?;
    courses::find(state.store.read(), &caller.scope, &id, include_deleted).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::CourseNotFound),
        other => other.into(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CourseParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub course_code: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_course_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<Option<String>>,
    /// `feed`, `wiki`, `modules`, `syllabus` or `assignments`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub default_view: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub apply_assignment_group_weights: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub hide_final_grades: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub restrict_enrollments_to_course_dates: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub is_public: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub license: Option<Option<String>>,
    /// Update only: `offer`, `claim`, `conclude`, `delete` or `undelete`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub event: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CourseParams {
    #[serde(default)]
    pub course: CourseParamsFields,
    /// Create only: publish the course at once.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub offer: Option<bool>,
}

const VIEWS: &[&str] = &["feed", "wiki", "modules", "syllabus", "assignments"];

impl CourseParamsFields {
    fn validate(&self, current: Option<&CourseView>) -> Result<Option<CourseEvent>, ApiError> {
        let mut v = Validation::new();
        v.text("/course/name", self.name.as_deref(), false, 255);
        v.text("/course/course_code", self.course_code.as_deref(), false, 255);
        if let Some(Some(sis)) = &self.sis_course_id {
            v.identifier("/course/sis_course_id", Some(sis));
        }
        if let Some(Some(id)) = &self.integration_id {
            v.identifier("/course/integration_id", Some(id));
        }
        if let Some(Some(tz)) = &self.time_zone {
            validate_time_zone(&mut v, "/course/time_zone", Some(tz));
        }
        if let Some(view) = &self.default_view
            && !VIEWS.contains(&view.as_str())
        {
            v.add("/course/default_view", format!("must be one of {}", VIEWS.join(", ")));
        }
        let start = self.start_at.unwrap_or_else(|| current.and_then(|c| c.course.start_at));
        let end = self.end_at.unwrap_or_else(|| current.and_then(|c| c.course.end_at));
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            v.add("/course/end_at", "must not be before start_at");
        }
        let mut event = None;
        if let Some(raw) = &self.event {
            match (CourseEvent::parse(raw), current) {
                (None, _) => v.add("/course/event", "must be offer, claim, conclude, delete or undelete"),
                (Some(_), None) => v.add("/course/event", "is for updates; create with `offer=true` to publish"),
                (Some(e), Some(c)) => {
                    let from = CourseState::parse(&c.course.workflow_state).unwrap_or(CourseState::Unpublished);
                    match transition(from, e) {
                        Ok(_) => event = Some(e),
                        Err(why) => v.add("/course/event", why),
                    }
                }
            }
        }
        v.finish()?;
        Ok(event)
    }

    fn into_store(self, state: Option<CourseState>) -> CourseFields {
        CourseFields {
            name: self.name.map(|s| s.trim().to_owned()),
            course_code: self.course_code.map(|s| s.trim().to_owned()),
            sis_course_id: self.sis_course_id,
            integration_id: self.integration_id,
            start_at: self.start_at,
            end_at: self.end_at,
            time_zone: self.time_zone,
            default_view: self.default_view,
            apply_assignment_group_weights: self.apply_assignment_group_weights,
            hide_final_grades: self.hide_final_grades,
            restrict_enrollments_to_course_dates: self.restrict_enrollments_to_course_dates,
            is_public: self.is_public,
            license: self.license,
            state,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseListQuery {
    /// `unpublished`, `available`, `completed`, `deleted`; default: all but deleted.
    #[serde(default, rename = "state", deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub states: Vec<String>,
    /// Part of the name, course code or SIS id, ignoring case.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// Only published (`true`) or unpublished (`false`) courses.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub published: Option<bool>,
}

/// The courses of an account and its sub-accounts.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/courses", tag = "Courses",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), CourseListQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<CourseJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_account_courses(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseListQuery>,
) -> ApiResult<Paginated<CourseJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ViewCourse, Target::Account(&path))?;
    let mut states = Vec::new();
    for raw in &query.states {
        states.push(CourseState::parse(raw).ok_or_else(|| {
            ApiError::invalid_field("/state", format!("`{raw}` is not unpublished, available, completed or deleted"))
        })?);
    }
    let filter = CourseFilter {
        states,
        search_term: query.search_term.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        published: query.published,
    };
    let page = courses::list(state.store.read(), &caller.scope, &account, &filter, &pagination.request).await?;
    Ok(Paginated::new(page.map(|c| render(&CourseView { course: c, account_path: path.clone() }, &caller)), pagination))
}

/// Creates a course in an account (unpublished unless `offer=true`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/courses", tag = "Courses",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`")),
    request_body(content((CourseParams = "application/json"), (CourseParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_course(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(params): Params<CourseParams>,
) -> ApiResult<Created<CourseJson>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ManageCourse, Target::Account(&path))?;
    let fields = params.course;
    fields.validate(None)?;
    if fields.sis_course_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, Target::Account(&path))?;
    }
    let initial = params.offer.unwrap_or(false).then_some(CourseState::Available);
    let store_fields = fields.into_store(initial);
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { courses::create(txn, &scope, &account, store_fields, actor).await }))
        .await?;
    let location = format!("{}/api/v1/courses/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render(&CourseView { course: created, account_path: path }, &caller) })
}

/// One course, by id, `sis_course_id:X` or `external_id:X`; a deleted course is not found.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    responses((status = 200, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_course(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<CourseJson>> {
    let view = resolve(&state, &caller, &id, false).await?;
    caller
        .require(Permission::ViewCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    Ok(Json(render(&view, &caller)))
}

/// Updates a course; `course[event]` moves it through Canvas's states. Returns the whole course.
#[utoipa::path(put, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    request_body(content((CourseParams = "application/json"), (CourseParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = CourseJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_course(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<CourseParams>,
) -> ApiResult<Json<CourseJson>> {
    // Only `undelete` may address a deleted course.
    let undeleting = params.course.event.as_deref() == Some("undelete");
    let view = resolve(&state, &caller, &id, undeleting).await?;
    let target = Target::Course { course_id: view.course.id, account: &view.account_path };
    caller.require(Permission::ManageCourse, target)?;
    let fields = params.course;
    let event = fields.validate(Some(&view))?;
    if fields.sis_course_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, target)?;
    }
    let from = CourseState::parse(&view.course.workflow_state).unwrap_or(CourseState::Unpublished);
    let next =
        event.map(|e| transition(from, e)).transpose().map_err(|why| ApiError::invalid_field("/course/event", why))?;
    let store_fields = fields.into_store(next);
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.course.clone();
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { courses::update(txn, &scope, &current, store_fields, actor).await }))
        .await?;
    Ok(Json(render(&CourseView { course: updated, ..view }, &caller)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeleteCourseParams {
    /// `delete` or `conclude` (required).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub event: Option<String>,
}

/// Deletes (`event=delete`) or concludes (`event=conclude`) a course; answers `{"delete": true}` or
/// `{"conclude": true}` as Canvas does.
#[utoipa::path(delete, path = "/api/v1/courses/{id}", tag = "Courses",
    params(("id" = String, Path, description = "Course id, `sis_course_id:X` or `external_id:X`")),
    request_body(content((DeleteCourseParams = "application/x-www-form-urlencoded"), (DeleteCourseParams = "application/json"))),
    responses((status = 200, description = "`{\"delete\": true}` or `{\"conclude\": true}`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_course(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<DeleteCourseParams>,
) -> ApiResult<Json<Value>> {
    let view = resolve(&state, &caller, &id, false).await?;
    caller
        .require(Permission::ManageCourse, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    let (event, key) = match params.event.as_deref() {
        Some("delete") => (CourseEvent::Delete, "delete"),
        Some("conclude") => (CourseEvent::Conclude, "conclude"),
        _ => return Err(ApiError::invalid_field("/event", "must be `delete` or `conclude`")),
    };
    let from = CourseState::parse(&view.course.workflow_state).unwrap_or(CourseState::Unpublished);
    let next = transition(from, event).map_err(|why| ApiError::invalid_field("/event", why))?;
    let fields = CourseFields { state: Some(next), ..CourseFields::default() };
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.course;
    state
        .store
        .write(move |txn| Box::pin(async move { courses::update(txn, &scope, &current, fields, actor).await }))
        .await?;
    Ok(Json(json!({ key: true })))
}
