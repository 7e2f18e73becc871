//! Course sections (canvas-lms `sections_controller.rb`, `specs/canvas.md` §2.9): `GET/POST
//! /api/v1/courses/:course_id/sections`, `GET/PUT/DELETE /api/v1/sections/:id` (`sis_section_id:` ids).

use assay_domain::{
    Code, Validation,
    policy::{Permission, Target},
};
use assay_store::sections::{self, ID_PREFIXES, SectionFields, SectionView};
use axum::{Json, extract::State, http::HeaderMap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, courses};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::{PathParams, id_ref},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_sections, create_section)).routes(routes!(
        show_section,
        update_section,
        delete_section
    ))
}

/// A course section.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionJson {
    pub id: i64,
    pub name: String,
    pub course_id: i64,
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub restrict_enrollments_to_section_dates: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Cross-listing is not supported: always null.
    pub nonxlist_course_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_section_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<Option<String>>,
}

fn render(s: &assay_store::entity::course_section::Model, sis: bool) -> SectionJson {
    SectionJson {
        id: s.id,
        name: s.name.clone(),
        course_id: s.course_id,
        start_at: s.start_at,
        end_at: s.end_at,
        restrict_enrollments_to_section_dates: s.restrict_enrollments_to_section_dates,
        created_at: s.created_at,
        nonxlist_course_id: None,
        sis_section_id: sis.then(|| s.sis_section_id.clone()),
        integration_id: sis.then(|| s.integration_id.clone()),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SectionParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub sis_section_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub integration_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub restrict_enrollments_to_section_dates: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SectionParams {
    #[serde(default)]
    pub course_section: SectionParamsFields,
}

impl SectionParamsFields {
    fn validate(&self, current: Option<&assay_store::entity::course_section::Model>) -> Result<(), ApiError> {
        let mut v = Validation::new();
        v.text("/course_section/name", self.name.as_deref(), false, 255);
        if let Some(Some(sis)) = &self.sis_section_id {
            v.identifier("/course_section/sis_section_id", Some(sis));
        }
        if let Some(Some(id)) = &self.integration_id {
            v.identifier("/course_section/integration_id", Some(id));
        }
        let start = self.start_at.unwrap_or_else(|| current.and_then(|c| c.start_at));
        let end = self.end_at.unwrap_or_else(|| current.and_then(|c| c.end_at));
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            v.add("/course_section/end_at", "must not be before start_at");
        }
        Ok(v.finish()?)
    }

    fn into_store(self) -> SectionFields {
        SectionFields {
            name: self.name.map(|s| s.trim().to_owned()),
            sis_section_id: self.sis_section_id,
            integration_id: self.integration_id,
            start_at: self.start_at,
            end_at: self.end_at,
            restrict_enrollments_to_section_dates: self.restrict_enrollments_to_section_dates,
        }
    }
}

/// Finds an active section of the caller's school from a path id, or 404.
pub async fn resolve(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<SectionView> {
    let id = id_ref(raw, "section", ID_PREFIXES)?;
    sections::find(state.store.read(), &caller.scope, &id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => ApiError::not_found(Code::SectionNotFound),
        other => other.into(),
    })
}

fn may_read_sis(caller: &Caller, view: &assay_store::courses::CourseView) -> bool {
    caller.may(Permission::ReadSis, Target::Course { course_id: view.course.id, account: &view.account_path })
}

/// The sections of a course.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/sections", tag = "Sections",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<SectionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_sections(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
) -> ApiResult<Paginated<SectionJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ViewCourse,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    let sis = may_read_sis(&caller, &course);
    let page = sections::list(state.store.read(), &caller.scope, course.course.id, &pagination.request).await?;
    Ok(Paginated::new(page.map(|s| render(&s, sis)), pagination))
}

/// Creates a section (`course_section[name]`, default: the course's name).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/sections", tag = "Sections",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((SectionParams = "application/json"), (SectionParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = SectionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_section(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<SectionParams>,
) -> ApiResult<Created<SectionJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let target = Target::Course { course_id: course.course.id, account: &course.account_path };
    caller.require(Permission::ManageCourse, target)?;
    let fields = params.course_section;
    fields.validate(None)?;
    if fields.sis_section_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, target)?;
    }
    let sis = may_read_sis(&caller, &course);
    let scope = caller.scope;
    let actor = caller.actor();
    let store_fields = fields.into_store();
    let parent = course.course.clone();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { sections::create(txn, &scope, &parent, store_fields, actor).await }))
        .await?;
    let location = format!("{}/api/v1/sections/{}", state.base_url.resolve(&headers), created.id);
    Ok(Created { location, body: render(&created, sis) })
}

/// One section, by id or `sis_section_id:X`.
#[utoipa::path(get, path = "/api/v1/sections/{id}", tag = "Sections",
    params(("id" = String, Path, description = "Section id or `sis_section_id:X`")),
    responses((status = 200, body = SectionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_section(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<SectionJson>> {
    let view = resolve(&state, &caller, &id).await?;
    caller.require(
        Permission::ViewCourse,
        Target::Course { course_id: view.course.course.id, account: &view.course.account_path },
    )?;
    Ok(Json(render(&view.section, may_read_sis(&caller, &view.course))))
}

/// Updates a section; only the fields sent change.
#[utoipa::path(put, path = "/api/v1/sections/{id}", tag = "Sections",
    params(("id" = String, Path, description = "Section id or `sis_section_id:X`")),
    request_body(content((SectionParams = "application/json"), (SectionParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = SectionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_section(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<SectionParams>,
) -> ApiResult<Json<SectionJson>> {
    let view = resolve(&state, &caller, &id).await?;
    let target = Target::Course { course_id: view.course.course.id, account: &view.course.account_path };
    caller.require(Permission::ManageCourse, target)?;
    let fields = params.course_section;
    fields.validate(Some(&view.section))?;
    if fields.sis_section_id.is_some() || fields.integration_id.is_some() {
        caller.require(Permission::ManageSis, target)?;
    }
    let sis = may_read_sis(&caller, &view.course);
    let scope = caller.scope;
    let actor = caller.actor();
    let store_fields = fields.into_store();
    let current = view.section;
    let updated = state
        .store
        .write(move |txn| Box::pin(async move { sections::update(txn, &scope, &current, store_fields, actor).await }))
        .await?;
    Ok(Json(render(&updated, sis)))
}

/// Deletes a section.
#[utoipa::path(delete, path = "/api/v1/sections/{id}", tag = "Sections",
    params(("id" = String, Path, description = "Section id or `sis_section_id:X`")),
    responses((status = 200, body = SectionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_section(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<SectionJson>> {
    let view = resolve(&state, &caller, &id).await?;
    caller.require(
        Permission::ManageCourse,
        Target::Course { course_id: view.course.course.id, account: &view.course.account_path },
    )?;
    let sis = may_read_sis(&caller, &view.course);
    let scope = caller.scope;
    let actor = caller.actor();
    let current = view.section;
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { sections::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&deleted, sis)))
}
