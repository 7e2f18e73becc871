//! Rubrics (Canvas `rubrics_controller.rb`, `rubrics_api_controller.rb`): a course's rubrics and the one an
//! assignment is graded with.
//!
//! - `POST /api/v1/courses/:course_id/rubrics` with `rubric[title]`, `rubric[criteria][n][description|points|
//!   long_description|criterion_use_range|ignore_for_scoring|id]`, `rubric[criteria][n][ratings][m][description|
//!   points|long_description|id]`, `rubric[free_form_criterion_comments]`, `rubric[hide_score_total]`, and
//!   `rubric_association[association_type]=Assignment`, `rubric_association[association_id]`,
//!   `rubric_association[use_for_grading]` to grade an assignment with it (an assignment has one rubric; a new
//!   association replaces the old; a `Course` association only files the rubric in the course, where it is
//!   anyway). Answers `{"rubric": …, "rubric_association": …}` as Canvas does.
//! - `PUT …/rubrics/:id` (same parameters; only what is named changes, and `rubric[criteria]` replaces every
//!   criterion), `DELETE …/rubrics/:id` (answers the rubric; the assessments already given stay),
//!   `GET …/rubrics[/:id]` (`include[]=associations`).
//!
//! Graders assess with `rubric_assessment[criterion_id][points|rating_id|comments]` on the submission grade call;
//! a rubric used for grading sets the score to its total. Everything here needs `manage_grades` or
//! `manage_content` on the course (Canvas's `manage_rubrics`).

use std::collections::HashMap;

use assay_domain::{
    Code, IdRef,
    grading::rubric::{Criteria, CriterionInput, RatingInput},
    policy::{Permission, Target},
};
use assay_store::{
    StoreError, assignments,
    courses::CourseView,
    entity::{rubric, rubric_association},
    rubrics::{self, AssociationInput, RubricFields},
};
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::courses;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::{PathParams, id_ref},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_rubrics, create_rubric)).routes(routes!(
        show_rubric,
        update_rubric,
        delete_rubric
    ))
}

// ---- JSON ----

#[derive(Debug, Serialize, ToSchema)]
pub struct RubricRatingJson {
    pub id: String,
    pub description: String,
    pub long_description: Option<String>,
    pub points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RubricCriterionJson {
    pub id: String,
    pub description: String,
    pub long_description: Option<String>,
    pub points: f64,
    pub criterion_use_range: bool,
    pub ignore_for_scoring: bool,
    pub ratings: Vec<RubricRatingJson>,
}

/// The rubric an assignment is graded with (Canvas `RubricAssociation`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricAssociationJson {
    pub id: i64,
    pub rubric_id: i64,
    /// `Assignment`.
    pub association_type: String,
    pub association_id: i64,
    pub use_for_grading: bool,
    pub hide_score_total: bool,
    pub purpose: String,
}

/// A rubric (Canvas `Rubric`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricJson {
    pub id: i64,
    pub title: String,
    pub context_id: i64,
    pub context_type: &'static str,
    pub course_id: i64,
    pub points_possible: f64,
    pub reusable: bool,
    pub read_only: bool,
    pub free_form_criterion_comments: bool,
    pub hide_score_total: bool,
    /// The criteria, with their ratings (Canvas calls this `data`).
    pub data: Vec<RubricCriterionJson>,
    /// `include[]=associations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associations: Option<Vec<RubricAssociationJson>>,
    pub workflow_state: String,
}

/// What create and update answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RubricWithAssociationJson {
    pub rubric: RubricJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric_association: Option<RubricAssociationJson>,
}

pub fn render_criteria(criteria: &Criteria) -> Vec<RubricCriterionJson> {
    criteria
        .0
        .iter()
        .map(|c| RubricCriterionJson {
            id: c.id.clone(),
            description: c.description.clone(),
            long_description: c.long_description.clone(),
            points: c.points,
            criterion_use_range: c.criterion_use_range,
            ignore_for_scoring: c.ignore_for_scoring,
            ratings: c
                .ratings
                .iter()
                .map(|r| RubricRatingJson {
                    id: r.id.clone(),
                    description: r.description.clone(),
                    long_description: r.long_description.clone(),
                    points: r.points,
                })
                .collect(),
        })
        .collect()
}

pub fn render_association(a: &rubric_association::Model) -> RubricAssociationJson {
    RubricAssociationJson {
        id: a.id,
        rubric_id: a.rubric_id,
        association_type: a.association_type.clone(),
        association_id: a.association_id,
        use_for_grading: a.use_for_grading,
        hide_score_total: a.hide_score_total,
        purpose: a.purpose.clone(),
    }
}

pub fn render(r: &rubric::Model, associations: Option<&[rubric_association::Model]>) -> RubricJson {
    RubricJson {
        id: r.id,
        title: r.title.clone(),
        context_id: r.course_id,
        context_type: "Course",
        course_id: r.course_id,
        points_possible: r.points_possible,
        reusable: false,
        read_only: false,
        free_form_criterion_comments: r.free_form_criterion_comments,
        hide_score_total: r.hide_score_total,
        data: render_criteria(&rubrics::criteria(r)),
        associations: associations.map(|list| list.iter().map(render_association).collect()),
        workflow_state: r.workflow_state.clone(),
    }
}

// ---- parameters ----

/// `rubric[...]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RubricFieldsParams {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub title: Option<String>,
    /// A list (or a hash keyed by index) of criteria: `description`, `points`, `long_description`,
    /// `criterion_use_range`, `ignore_for_scoring`, `id` (kept on update), and `ratings` (a list or hash of
    /// `description`, `points`, `long_description`, `id`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub criteria: Option<Value>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub free_form_criterion_comments: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub hide_score_total: Option<bool>,
}

/// `rubric_association[...]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RubricAssociationParams {
    /// `Assignment` (grade an assignment with the rubric) or `Course`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub association_type: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub association_id: Option<String>,
    /// The rubric's assessments set the submission's score.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub use_for_grading: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub hide_score_total: Option<bool>,
    /// `grading` or `bookmark`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub purpose: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RubricParams {
    #[serde(default)]
    pub rubric: RubricFieldsParams,
    #[serde(default)]
    pub rubric_association: Option<RubricAssociationParams>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RubricQuery {
    /// `associations`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

/// A list parameter sent as an array or as a hash keyed by index.
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

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number field: absent → `Ok(None)`; present but not a finite number → `Err`.
fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<f64>, ()> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::Number(n)) => n.as_f64().filter(|f| f.is_finite()).map(Some).ok_or(()),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()).map(Some).ok_or(()),
        Some(_) => Err(()),
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(de::parse_bool).unwrap_or(false)
}

fn parse_criteria(raw: &Value) -> ApiResult<Criteria> {
    let base = "/rubric/criteria";
    let list = items(raw).ok_or_else(|| ApiError::invalid_field(base, "must be a list of criteria"))?;
    let mut inputs = Vec::with_capacity(list.len());
    let mut bad = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let Value::Object(obj) = item else {
            bad.push(assay_domain::FieldError { pointer: format!("{base}/{i}"), message: "must be an object".into() });
            continue;
        };
        let points = number(obj, "points").unwrap_or_else(|()| {
            bad.push(assay_domain::FieldError {
                pointer: format!("{base}/{i}/points"),
                message: "must be a number".into(),
            });
            None
        });
        let mut ratings = Vec::new();
        if let Some(raw_ratings) = obj.get("ratings") {
            match items(raw_ratings) {
                Some(list) => {
                    for (j, rating) in list.iter().enumerate() {
                        let Value::Object(r) = rating else {
                            bad.push(assay_domain::FieldError {
                                pointer: format!("{base}/{i}/ratings/{j}"),
                                message: "must be an object".into(),
                            });
                            continue;
                        };
                        let points = number(r, "points").unwrap_or_else(|()| {
                            bad.push(assay_domain::FieldError {
                                pointer: format!("{base}/{i}/ratings/{j}/points"),
                                message: "must be a number".into(),
                            });
                            None
                        });
                        ratings.push(RatingInput {
                            id: text(r, "id").filter(|s| !s.trim().is_empty()),
                            description: text(r, "description"),
                            long_description: text(r, "long_description").filter(|s| !s.is_empty()),
                            points,
                        });
                    }
                }
                None => bad.push(assay_domain::FieldError {
                    pointer: format!("{base}/{i}/ratings"),
                    message: "must be a list of ratings".into(),
                }),
            }
        }
        inputs.push(CriterionInput {
            id: text(obj, "id").filter(|s| !s.trim().is_empty()),
            description: text(obj, "description"),
            long_description: text(obj, "long_description").filter(|s| !s.is_empty()),
            points,
            criterion_use_range: flag(obj, "criterion_use_range"),
            ignore_for_scoring: flag(obj, "ignore_for_scoring"),
            ratings,
        });
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad));
    }
    Criteria::build(inputs).map_err(|problems| {
        ApiError::invalid(
            problems
                .into_iter()
                .map(|p| assay_domain::FieldError {
                    pointer: if p.at.is_empty() { base.to_owned() } else { format!("{base}/{}", p.at) },
                    message: p.message,
                })
                .collect(),
        )
    })
}

fn fields(params: RubricFieldsParams, creating: bool) -> ApiResult<RubricFields> {
    let title = params.title.map(|t| t.trim().to_owned());
    match &title {
        None if creating => return Err(ApiError::invalid_field("/rubric/title", "is required")),
        Some(t) if t.is_empty() || t.chars().count() > 255 => {
            return Err(ApiError::invalid_field("/rubric/title", "must be 1 to 255 characters"));
        }
        _ => {}
    }
    let criteria = match &params.criteria {
        Some(raw) => Some(parse_criteria(raw)?),
        None if creating => return Err(ApiError::invalid_field("/rubric/criteria", "is required")),
        None => None,
    };
    Ok(RubricFields {
        title,
        criteria,
        free_form_criterion_comments: params.free_form_criterion_comments,
        hide_score_total: params.hide_score_total,
    })
}

/// The assignment association a request asks for (`None` for none or a `Course` bookmark).
async fn association(
    state: &AppState,
    caller: &Caller,
    view: &CourseView,
    params: Option<RubricAssociationParams>,
) -> ApiResult<Option<AssociationInput>> {
    let Some(p) = params else { return Ok(None) };
    match p.association_type.as_deref().unwrap_or("Assignment") {
        "Assignment" => {}
        "Course" => return Ok(None),
        _ => {
            return Err(ApiError::invalid_field(
                "/rubric_association/association_type",
                "must be Assignment or Course",
            ));
        }
    }
    if let Some(purpose) = p.purpose.as_deref()
        && !matches!(purpose, "grading" | "bookmark")
    {
        return Err(ApiError::invalid_field("/rubric_association/purpose", "must be grading or bookmark"));
    }
    let pointer = "/rubric_association/association_id";
    let Some(raw) = p.association_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(ApiError::invalid_field(pointer, "is required: the assignment to grade with this rubric"));
    };
    let id: i64 = raw.parse().map_err(|_| ApiError::invalid_field(pointer, format!("`{raw}` is not an id")))?;
    let a =
        assignments::find(state.store.read(), &caller.scope, view.course.id, &IdRef::Id(id)).await.map_err(|err| {
            match err {
                StoreError::NotFound => {
                    ApiError::invalid_field(pointer, format!("{id} is not an assignment of this course"))
                }
                other => other.into(),
            }
        })?;
    Ok(Some(AssociationInput {
        assignment_id: a.id,
        use_for_grading: p.use_for_grading.unwrap_or(false),
        hide_score_total: p.hide_score_total.unwrap_or(false),
    }))
}

// ---- handlers ----

async fn course_for(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<CourseView> {
    let view = courses::resolve(state, caller, raw, false).await?;
    let target = Target::Course { course_id: view.course.id, account: &view.account_path };
    if !caller.may(Permission::ManageCourse, target) {
        caller.require(Permission::ManageGrades, target)?;
    }
    Ok(view)
}

async fn rubric_of(state: &AppState, caller: &Caller, view: &CourseView, raw: &str) -> ApiResult<rubric::Model> {
    let IdRef::Id(id) = id_ref(raw, "rubric", &[])? else {
        return Err(ApiError::not_found(Code::RubricNotFound));
    };
    rubrics::find(state.store.read(), &caller.scope, view.course.id, id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::RubricNotFound),
        other => other.into(),
    })
}

/// The course's rubrics, by id (`include[]=associations`).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/rubrics", tag = "Rubrics",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), RubricQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<RubricJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_rubrics(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<RubricQuery>,
) -> ApiResult<Paginated<RubricJson>> {
    let view = course_for(&state, &caller, &course_id).await?;
    let page = rubrics::list(state.store.read(), &caller.scope, view.course.id, &pagination.request).await?;
    let associations = if query.include.iter().any(|i| i == "associations") {
        let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
        Some(rubrics::associations_of(state.store.read(), &caller.scope, &ids).await?)
    } else {
        None
    };
    let items = page
        .items
        .iter()
        .map(|r| {
            render(
                r,
                associations
                    .as_ref()
                    .map(|a: &HashMap<i64, Vec<_>>| a.get(&r.id).map(Vec::as_slice).unwrap_or_default()),
            )
        })
        .collect();
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// One rubric (`include[]=associations`).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/rubrics/{id}", tag = "Rubrics",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path), RubricQuery),
    responses((status = 200, body = RubricJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_rubric(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(query): Params<RubricQuery>,
) -> ApiResult<Json<RubricJson>> {
    let view = course_for(&state, &caller, &course_id).await?;
    let found = rubric_of(&state, &caller, &view, &id).await?;
    let associations = if query.include.iter().any(|i| i == "associations") {
        Some(
            rubrics::associations_of(state.store.read(), &caller.scope, &[found.id])
                .await?
                .remove(&found.id)
                .unwrap_or_default(),
        )
    } else {
        None
    };
    Ok(Json(render(&found, associations.as_deref())))
}

/// Creates a rubric in the course, optionally grading an assignment with it.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/rubrics", tag = "Rubrics",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((RubricParams = "application/json"), (RubricParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = RubricWithAssociationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_rubric(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(params): Params<RubricParams>,
) -> ApiResult<Json<RubricWithAssociationJson>> {
    let view = course_for(&state, &caller, &course_id).await?;
    let fields = fields(params.rubric, true)?;
    let association = association(&state, &caller, &view, params.rubric_association).await?;
    let (scope, actor, course_id) = (caller.scope, caller.actor(), view.course.id);
    let (created, association) = state
        .store
        .write(move |txn| {
            Box::pin(async move { rubrics::create(txn, &scope, course_id, fields, association, actor).await })
        })
        .await?;
    Ok(Json(RubricWithAssociationJson {
        rubric: render(&created, None),
        rubric_association: association.as_ref().map(render_association),
    }))
}

/// Changes a rubric (what is named), optionally grading an assignment with it.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/rubrics/{id}", tag = "Rubrics",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    request_body(content((RubricParams = "application/json"), (RubricParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = RubricWithAssociationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_rubric(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
    Params(params): Params<RubricParams>,
) -> ApiResult<Json<RubricWithAssociationJson>> {
    let view = course_for(&state, &caller, &course_id).await?;
    let current = rubric_of(&state, &caller, &view, &id).await?;
    let fields = fields(params.rubric, false)?;
    let association = association(&state, &caller, &view, params.rubric_association).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    let (updated, association) = state
        .store
        .write(move |txn| {
            Box::pin(async move { rubrics::update(txn, &scope, &current, fields, association, actor).await })
        })
        .await?;
    Ok(Json(RubricWithAssociationJson {
        rubric: render(&updated, None),
        rubric_association: association.as_ref().map(render_association),
    }))
}

/// Deletes a rubric and detaches it from the assignments it graded; answers the rubric.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/rubrics/{id}", tag = "Rubrics",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = RubricJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_rubric(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Json<RubricJson>> {
    let view = course_for(&state, &caller, &course_id).await?;
    let current = rubric_of(&state, &caller, &view, &id).await?;
    let (scope, actor) = (caller.scope, caller.actor());
    let deleted = state
        .store
        .write(move |txn| Box::pin(async move { rubrics::delete(txn, &scope, &current, actor).await }))
        .await?;
    Ok(Json(render(&deleted, None)))
}
