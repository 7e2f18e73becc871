//! The Submissions API (Canvas `submissions_api_controller.rb`, `submissions_controller.rb`):
//!
//! - `POST /api/v1/courses/:course_id/assignments/:assignment_id/submissions`: a student hands in
//!   `submission[submission_type]` = `online_text_entry` (`submission[body]`, HTML, sanitised), `online_url`
//!   (`submission[url]`) or `online_upload` (`submission[file_ids][]`, files uploaded first through
//!   `…/submissions/self/files`), with an optional `comment[text_comment]`. The assignment must take that type,
//!   be open for the student (their effective unlock and lock dates) and have an attempt left (`allowed_attempts`
//!   plus their extension's extra attempts). The same work sent again within a minute is the same submission
//!   (a double click does not spend an attempt).
//! - `GET …/assignments/:assignment_id/submissions[/:user_id]`, `GET /api/v1/courses/:course_id/students/submissions`
//!   (`student_ids[]` or `all`, `assignment_ids[]`, `grouped`, `workflow_state`, `submitted_since`,
//!   `graded_since`, `include[]` = `submission_history`, `submission_comments`, `rubric_assessment`, `user`,
//!   `assignment`). Graders (`view_all_grades`, within their sections when their role is limited to them) see
//!   every student's; others only their own, and of an unposted submission neither its grade nor the graders'
//!   comments and assessment. Asking for another student's submission without that right is a 401, as in
//!   Canvas. Each assigned student has a submission (`unsubmitted` until they hand something in).
//! - `PUT …/submissions/:user_id`: `submission[posted_grade]` (points `"8"`, percent `"80%"`, a scheme name
//!   `"B+"` for letter and GPA grades, `complete`/`incomplete` for pass/fail; empty clears),
//!   `submission[excuse]`, `submission[late_policy_status]` (`late`, `missing`, `extended`, `none`; empty: the
//!   dates decide), `submission[seconds_late_override]` (with `late`), `rubric_assessment[criterion_id][points|
//!   rating_id|comments]` (against the assignment's rubric; it sets the score when the rubric is used for
//!   grading and no `posted_grade` is sent), `comment[text_comment]`. Grading needs `manage_grades`; the student
//!   may comment on their own submission. The course's late policy takes its deduction from late grades.
//! - `POST …/submissions/post` and `…/submissions/hide` (`user_ids[]`, `section_ids[]`, `graded_only`): posting
//!   results under a manual post policy (`assignment[post_manually]`); with automatic posting a grade is posted
//!   as it is given. Events `result.posted` and `result.hidden`.
//! - `POST …/submissions/update_grades`: bulk grading as a background job (see `update_grades`).

mod files;
pub mod render;
mod update_grades;

use std::collections::{HashMap, HashSet};

use assay_domain::{
    Code, IdRef,
    assignment::Dates,
    grading::{rubric::CriterionAssessmentInput, submission as submit_rules},
    policy::{self, Permission},
};
use assay_store::{
    Page, Position, StoreError, assignments,
    courses::CourseView,
    entity::{assignment, submission},
    rubrics,
    submissions::{
        self,
        bulk::{self, GradeEntry, Problem},
        comments,
        list::{Filter, Students},
        posting::{self, Selection},
        rules,
        submit::{NewSubmission, Refusal, Submitted, Work},
    },
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use self::render::{Includes, Renderer, SubmissionJson};
use super::{
    assignments::{Viewer, course_target, page_in_memory, resolve_assignment, seen, viewer},
    courses,
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
        .routes(routes!(list_assignment_submissions, create_submission))
        .routes(routes!(show_submission, update_submission))
        .routes(routes!(list_students_submissions))
        .routes(routes!(post_results))
        .routes(routes!(hide_results))
        .routes(routes!(update_grades::update_grades))
        .merge(files::router())
}

// ---- who is asking ----

/// A course as the caller reaches its submissions.
pub(crate) struct Reach {
    pub view: CourseView,
    /// Sees every student's submissions (within `sections` when limited to them).
    pub grader: bool,
    pub sections: Option<Vec<i64>>,
}

impl Reach {
    fn students(&self) -> Students {
        Students::All { sections: self.sections.clone() }
    }

    fn account_ids(&self) -> Vec<i64> {
        self.view.account_path.ids()
    }
}

pub(crate) async fn reach(state: &AppState, caller: &Caller, course_id: &str) -> ApiResult<Reach> {
    let view = courses::resolve(state, caller, course_id, false).await?;
    caller.require(Permission::ViewCourse, course_target(&view))?;
    let grader = caller.may(Permission::ViewAllGrades, course_target(&view));
    let sections = if grader {
        policy::reachable_sections(&caller.grants, Permission::ViewAllGrades, view.course.id, &view.account_path)
    } else {
        None
    };
    Ok(Reach { view, grader, sections })
}

/// The user a path names (`self`, an id or `sis_user_id:X`).
pub(crate) async fn path_user(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<i64> {
    let id = id_ref(raw, "user", assay_store::users::ID_PREFIXES)?;
    match id {
        IdRef::Id(id) => Ok(id),
        IdRef::Current => caller.require_user().map(|u| u.id),
        other => assay_store::users::find(state.store.read(), &caller.scope, &other, caller.user_id().unwrap_or(0))
            .await
            .map(|u| u.user.id)
            .map_err(|err| match err {
                StoreError::NotFound => ApiError::not_found(Code::UserNotFound),
                other => other.into(),
            }),
    }
}

/// Refuses (401, as Canvas) a caller who may not see `user_id`'s submissions.
fn may_see(caller: &Caller, reach: &Reach, user_id: i64, sections: &[i64]) -> ApiResult<()> {
    let own = caller.user_id() == Some(user_id);
    let reaches =
        reach.grader && reach.sections.as_ref().is_none_or(|limited| sections.iter().any(|s| limited.contains(s)));
    if own || reaches { Ok(()) } else { Err(ApiError::unauthorized()) }
}

/// Refuses a caller who may not grade a student in these sections.
fn require_grader(caller: &Caller, view: &CourseView, sections: &[i64]) -> ApiResult<()> {
    caller.require(Permission::ManageGrades, course_target(view))?;
    match policy::reachable_sections(&caller.grants, Permission::ManageGrades, view.course.id, &view.account_path) {
        Some(limited) if !sections.iter().any(|s| limited.contains(s)) => Err(ApiError::unauthorized()),
        _ => Ok(()),
    }
}

/// A student of the course and the dates an assignment has for them; 404 when the assignment is not theirs.
async fn student_dates(
    state: &AppState,
    caller: &Caller,
    view: &CourseView,
    a: &assignment::Model,
    user_id: i64,
) -> ApiResult<(assay_domain::assignment::StudentPlace, Dates)> {
    let place = assignments::student_place(state.store.read(), &caller.scope, view.course.id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found(Code::SubmissionNotFound))?;
    let own = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
    let dates = seen(a, &own, &Viewer::Student(Some(place.clone())))
        .ok_or_else(|| ApiError::not_found(Code::SubmissionNotFound))?;
    Ok((place, dates))
}

fn first_page(pagination: &Pagination) -> bool {
    pagination.request.position == Position::Offset(0)
}

// ---- rendering ----

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeQuery {
    /// submission_history, submission_comments, rubric_assessment, user, assignment.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

async fn renderer(
    state: &AppState,
    caller: &Caller,
    reach: &Reach,
    headers: &HeaderMap,
    assignment_list: Vec<assignment::Model>,
    rows: &[submission::Model],
    includes: Includes,
) -> ApiResult<Renderer> {
    let read = state.store.read();
    let scope = &caller.scope;
    let wanted: HashSet<i64> = rows.iter().map(|s| s.assignment_id).collect();
    let assignment_list: Vec<assignment::Model> =
        assignment_list.into_iter().filter(|a| wanted.contains(&a.id)).collect();
    let rules = rules::for_assignments(read, scope, &reach.view.course, &reach.account_ids(), &assignment_list).await?;
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let comments = if includes.comments { comments::of_submissions(read, scope, &ids).await? } else { HashMap::new() };
    let versions =
        if includes.history { submissions::list::versions_of(read, scope, &ids).await? } else { HashMap::new() };
    let mut user_ids: Vec<i64> = Vec::new();
    if includes.user {
        user_ids.extend(rows.iter().map(|s| s.user_id));
    }
    user_ids.extend(comments.values().flatten().filter_map(|c| c.author_id));
    user_ids.sort_unstable();
    user_ids.dedup();
    let users = assay_store::groups::users_by_id(read, scope, &user_ids).await?;
    Ok(Renderer {
        base: state.base_url.resolve(headers),
        now: assay_store::now(),
        grader: reach.grader,
        includes,
        assignments: assignment_list.into_iter().map(|a| (a.id, a)).collect(),
        rules,
        comments,
        versions,
        users,
    })
}

async fn render_one(
    state: &AppState,
    caller: &Caller,
    reach: &Reach,
    headers: &HeaderMap,
    a: &assignment::Model,
    sub: &submission::Model,
    includes: Includes,
) -> ApiResult<SubmissionJson> {
    let r = renderer(state, caller, reach, headers, vec![a.clone()], std::slice::from_ref(sub), includes).await?;
    Ok(r.render(sub))
}

// ---- submitting ----

/// `submission[...]` of a submit.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitFields {
    /// online_text_entry, online_url or online_upload.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub submission_type: Option<String>,
    /// HTML of a text entry (sanitised).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub url: Option<String>,
    /// Files uploaded through `…/submissions/self/files`.
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub file_ids: Option<Vec<String>>,
}

/// `comment[...]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommentFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub text_comment: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitParams {
    #[serde(default)]
    pub submission: SubmitFields,
    #[serde(default)]
    pub comment: CommentFields,
}

/// A comment's text: `None` when blank, 422 when too long.
fn comment_text(fields: &CommentFields) -> ApiResult<Option<String>> {
    let entry = GradeEntry { text_comment: fields.text_comment.clone(), ..GradeEntry::default() };
    bulk::comment_of(&entry).map_err(|p| problems_error(vec![p], single_pointer))
}

fn work_of(fields: &SubmitFields, allowed: &[String]) -> ApiResult<Work> {
    let pointer = "/submission/submission_type";
    let Some(kind) = fields.submission_type.as_deref().map(str::trim) else {
        return Err(ApiError::invalid_field(pointer, "is required: online_text_entry, online_url or online_upload"));
    };
    submit_rules::check_type(kind, allowed).map_err(|m| ApiError::invalid_field(pointer, m))?;
    Ok(match kind {
        "online_text_entry" => {
            let body = fields.body.as_deref().unwrap_or_default();
            if body.len() > submit_rules::MAX_BODY_BYTES {
                return Err(ApiError::invalid_field("/submission/body", "must be at most 1 MiB"));
            }
            let clean = assay_domain::html::sanitize(body);
            if clean.trim().is_empty() {
                return Err(ApiError::invalid_field("/submission/body", "a text entry needs a body"));
            }
            Work::TextEntry(clean)
        }
        "online_url" => Work::Url(
            submit_rules::normalize_url(fields.url.as_deref().unwrap_or_default())
                .map_err(|m| ApiError::invalid_field("/submission/url", m))?,
        ),
        _ => {
            let raw = fields.file_ids.clone().unwrap_or_default();
            let mut ids = Vec::with_capacity(raw.len());
            for item in raw.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
                let id: i64 = item.parse().map_err(|_| {
                    ApiError::invalid_field("/submission/file_ids", format!("`{item}` is not a file id"))
                })?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            if ids.is_empty() {
                return Err(ApiError::invalid_field("/submission/file_ids", "an upload needs at least one file"));
            }
            Work::Upload(ids)
        }
    })
}

/// The extra attempts a student's extension grants on an assignment.
async fn extra_attempts(state: &AppState, caller: &Caller, a: &assignment::Model, user_id: i64) -> ApiResult<i32> {
    Ok(assignments::extensions_of(state.store.read(), &caller.scope, a.id)
        .await?
        .iter()
        .find(|e| e.user_id == user_id)
        .map_or(0, |e| e.extra_attempts))
}

/// A student hands in work for an assignment (a new attempt).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), IncludeQuery),
    request_body(content((SubmitParams = "application/json"), (SubmitParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = SubmissionJson), (status = 200, description = "The same work again within a minute: the submission as it is", body = SubmissionJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_submission(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(params): Params<SubmitParams>,
) -> ApiResult<Response> {
    let reach = reach(&state, &caller, &course_id).await?;
    caller.require(Permission::Submit, course_target(&reach.view))?;
    let user_id = caller.require_user()?.id;
    let place = assignments::student_place(state.store.read(), &caller.scope, reach.view.course.id, user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let student = Viewer::Student(Some(place));
    let a = resolve_assignment(&state, &caller, &reach.view, &student, &assignment_id).await?;
    let own = assignments::overrides::of_assignment(state.store.read(), &caller.scope, a.id).await?;
    let dates = seen(&a, &own, &student).ok_or_else(|| ApiError::not_found(Code::AssignmentNotFound))?;
    let work = work_of(&params.submission, &assignments::submission_types(&a))?;
    let comment = comment_text(&params.comment)?;
    if !submit_rules::open_at(dates.unlock_at, dates.lock_at, assay_store::now()) {
        return Err(ApiError::new(
            Code::AssignmentLocked,
            "This assignment is locked: it does not take submissions now.",
        ));
    }
    let new = NewSubmission {
        course_id: reach.view.course.id,
        assignment_id: a.id,
        user_id,
        work,
        comment,
        due_at: dates.due_at,
        allowed_attempts: a.allowed_attempts,
        extra_attempts: extra_attempts(&state, &caller, &a, user_id).await?,
    };
    let (scope, actor) = (caller.scope, caller.actor());
    let outcome = state
        .store
        .write(move |txn| Box::pin(async move { submissions::submit::submit(txn, &scope, new, actor).await }))
        .await?;
    let (status, sub) = match outcome {
        Ok(Submitted::New(sub)) => (StatusCode::CREATED, sub),
        Ok(Submitted::Repeated(sub)) => (StatusCode::OK, sub),
        Err(Refusal::NoAttemptsLeft { allowed }) => {
            return Err(ApiError::new(
                Code::NoAttemptsLeft,
                format!("Every attempt is used: this assignment allows {allowed} for you."),
            ));
        }
        Err(Refusal::UnknownFiles(ids)) => {
            let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
            return Err(ApiError::invalid_field(
                "/submission/file_ids",
                format!("not files you uploaded for this assignment: {}", list.join(", ")),
            ));
        }
    };
    let includes = Includes { comments: true, ..Includes::default() };
    let body = render_one(&state, &caller, &reach, &headers, &a, &sub, includes).await?;
    let location = format!(
        "{}/api/v1/courses/{}/assignments/{}/submissions/{}",
        state.base_url.resolve(&headers),
        reach.view.course.id,
        a.id,
        user_id
    );
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::CREATED
        && let Ok(value) = axum::http::HeaderValue::from_str(&location)
    {
        response.headers_mut().insert(axum::http::header::LOCATION, value);
    }
    Ok(response)
}

// ---- reading ----

/// The submissions of an assignment: every assigned student's for graders, the caller's own otherwise; by
/// student.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), IncludeQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<SubmissionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_assignment_submissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    pagination: Pagination,
    Params(query): Params<IncludeQuery>,
) -> ApiResult<Paginated<SubmissionJson>> {
    let reach = reach(&state, &caller, &course_id).await?;
    let viewer = viewer(&state, &caller, &reach.view).await?;
    let a = resolve_assignment(&state, &caller, &reach.view, &viewer, &assignment_id).await?;
    let students = if reach.grader { reach.students() } else { Students::Only(caller.user_id().into_iter().collect()) };
    if first_page(&pagination) {
        let only = match &students {
            Students::Only(users) => Some(users.as_slice()),
            Students::All { .. } => None,
        };
        submissions::sync::sync(
            &state.store,
            &caller.scope,
            &reach.view.course,
            &reach.account_ids(),
            std::slice::from_ref(&a),
            only,
        )
        .await?;
    }
    let page = submissions::list::of_assignment(
        state.store.read(),
        &caller.scope,
        reach.view.course.id,
        a.id,
        &students,
        &pagination.request,
    )
    .await?;
    let includes = Includes::parse(&query.include);
    let r = renderer(&state, &caller, &reach, &headers, vec![a], &page.items, includes).await?;
    let items = page.items.iter().map(|s| r.render(s)).collect();
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// One student's submission on an assignment (`self` for the caller's own).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`"), IncludeQuery),
    responses((status = 200, body = SubmissionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_submission(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id, user)): PathParams<(String, String, String)>,
    Params(query): Params<IncludeQuery>,
) -> ApiResult<Json<SubmissionJson>> {
    let reach = reach(&state, &caller, &course_id).await?;
    let viewer = viewer(&state, &caller, &reach.view).await?;
    let a = resolve_assignment(&state, &caller, &reach.view, &viewer, &assignment_id).await?;
    let user_id = path_user(&state, &caller, &user).await?;
    if !reach.grader && caller.user_id() != Some(user_id) {
        return Err(ApiError::unauthorized());
    }
    let (place, _) = student_dates(&state, &caller, &reach.view, &a, user_id).await?;
    may_see(&caller, &reach, user_id, &place.section_ids)?;
    submissions::sync::sync(
        &state.store,
        &caller.scope,
        &reach.view.course,
        &reach.account_ids(),
        std::slice::from_ref(&a),
        Some(&[user_id]),
    )
    .await?;
    let sub = submissions::find(state.store.read(), &caller.scope, a.id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found(Code::SubmissionNotFound))?;
    Ok(Json(render_one(&state, &caller, &reach, &headers, &a, &sub, Includes::parse(&query.include)).await?))
}

/// Filters of `GET /courses/:id/students/submissions`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudentsSubmissionsQuery {
    /// Student ids, or `all`; default: the caller.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub student_ids: Vec<String>,
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub assignment_ids: Vec<String>,
    /// One object per student, with their submissions.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[param(value_type = Option<bool>)]
    pub grouped: Option<bool>,
    /// submitted, unsubmitted, graded or pending_review.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub workflow_state: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub submitted_since: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub graded_since: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// submission_history, submission_comments, rubric_assessment, user, assignment.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub include: Vec<String>,
}

/// A student's submissions (`grouped=true`).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupedSubmissionsJson {
    pub user_id: i64,
    pub section_id: Option<i64>,
    pub submissions: Vec<SubmissionJson>,
}

/// What a students/submissions list returns: submissions, or one group per student.
pub enum StudentsSubmissions {
    Flat(Paginated<SubmissionJson>),
    Grouped(Paginated<GroupedSubmissionsJson>),
}

impl IntoResponse for StudentsSubmissions {
    fn into_response(self) -> Response {
        match self {
            StudentsSubmissions::Flat(p) => p.into_response(),
            StudentsSubmissions::Grouped(p) => p.into_response(),
        }
    }
}

fn ids_of(raw: &[String], pointer: &str) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::new();
    for item in raw.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let id = item.parse::<i64>().map_err(|_| ApiError::invalid_field(pointer, format!("`{item}` is not an id")))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The submissions of many students on many assignments: a course's submissions by id (`grouped`: by student).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/students/submissions", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), StudentsSubmissionsQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<SubmissionJson>, description = "Submissions, or with `grouped=true` one GroupedSubmissions per student"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_students_submissions(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<StudentsSubmissionsQuery>,
) -> ApiResult<StudentsSubmissions> {
    let reach = reach(&state, &caller, &course_id).await?;
    if let Some(state) = &query.workflow_state
        && ![submit_rules::SUBMITTED, submit_rules::UNSUBMITTED, submit_rules::GRADED, submit_rules::PENDING_REVIEW]
            .contains(&state.as_str())
    {
        return Err(ApiError::invalid_field(
            "/workflow_state",
            "must be submitted, unsubmitted, graded or pending_review",
        ));
    }
    let all = query.student_ids.iter().any(|s| s.trim() == "all");
    let me = caller.user_id();
    let students = if all {
        if !reach.grader {
            return Err(ApiError::unauthorized());
        }
        reach.students()
    } else {
        let ids = ids_of(&query.student_ids, "/student_ids")?;
        let ids = if ids.is_empty() { me.into_iter().collect() } else { ids };
        if !reach.grader && ids.iter().any(|id| Some(*id) != me) {
            return Err(ApiError::unauthorized());
        }
        Students::Only(ids)
    };
    let wanted = ids_of(&query.assignment_ids, "/assignment_ids")?;
    let viewer = viewer(&state, &caller, &reach.view).await?;
    let mut visible = assignments::in_course(state.store.read(), &caller.scope, reach.view.course.id).await?;
    if !wanted.is_empty() {
        visible.retain(|a| wanted.contains(&a.id));
    }
    if !matches!(viewer, Viewer::Staff) {
        let ids: Vec<i64> = visible.iter().map(|a| a.id).collect();
        let overrides = assignments::overrides::of_assignments(state.store.read(), &caller.scope, &ids).await?;
        visible.retain(|a| seen(a, overrides.get(&a.id).map(Vec::as_slice).unwrap_or_default(), &viewer).is_some());
    }
    let assignment_ids: Vec<i64> = visible.iter().map(|a| a.id).collect();
    let only: Option<Vec<i64>> = match &students {
        Students::Only(ids) => Some(ids.clone()),
        Students::All { .. } => None,
    };
    if first_page(&pagination) {
        submissions::sync::sync(
            &state.store,
            &caller.scope,
            &reach.view.course,
            &reach.account_ids(),
            &visible,
            only.as_deref(),
        )
        .await?;
    }
    let includes = Includes::parse(&query.include);
    if query.grouped.unwrap_or(false) {
        let sections = match &students {
            Students::All { sections } => sections.clone(),
            Students::Only(_) => reach.sections.clone(),
        };
        let mut roster =
            submissions::list::students(state.store.read(), &caller.scope, reach.view.course.id, sections.as_deref())
                .await?;
        if let Some(only) = &only {
            roster.retain(|u| only.contains(u));
        }
        let page = page_in_memory(roster, |u| vec![serde_json::json!(u)], &pagination.request)?;
        let mut rows = submissions::list::of_students(
            state.store.read(),
            &caller.scope,
            reach.view.course.id,
            &page.items,
            &assignment_ids,
        )
        .await?;
        if let Some(state_filter) = &query.workflow_state {
            rows.retain(|s| &s.workflow_state == state_filter);
        }
        if let Some(Some(since)) = query.submitted_since {
            rows.retain(|s| s.submitted_at.is_some_and(|t| t > since));
        }
        if let Some(Some(since)) = query.graded_since {
            rows.retain(|s| s.graded_at.is_some_and(|t| t > since));
        }
        let sections_of =
            submissions::list::sections_of(state.store.read(), &caller.scope, reach.view.course.id, &page.items)
                .await?;
        let r = renderer(&state, &caller, &reach, &headers, visible, &rows, includes).await?;
        let mut by_user: HashMap<i64, Vec<SubmissionJson>> = HashMap::new();
        for row in &rows {
            by_user.entry(row.user_id).or_default().push(r.render(row));
        }
        let groups: Vec<GroupedSubmissionsJson> = page
            .items
            .iter()
            .map(|u| GroupedSubmissionsJson {
                user_id: *u,
                section_id: sections_of.get(u).and_then(|s| s.first().copied()),
                submissions: by_user.remove(u).unwrap_or_default(),
            })
            .collect();
        return Ok(StudentsSubmissions::Grouped(Paginated::new(page.with_items(groups), pagination)));
    }
    let filter = Filter {
        course_id: reach.view.course.id,
        students,
        assignment_ids,
        workflow_state: query.workflow_state.clone(),
        submitted_since: query.submitted_since.flatten(),
        graded_since: query.graded_since.flatten(),
    };
    let page: Page<submission::Model> =
        submissions::list::page(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let r = renderer(&state, &caller, &reach, &headers, visible, &page.items, includes).await?;
    let items = page.items.iter().map(|s| r.render(s)).collect();
    Ok(StudentsSubmissions::Flat(Paginated::new(page.with_items(items), pagination)))
}

// ---- grading ----

/// `submission[...]` of a grade.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GradeFields {
    /// Points (`8`), percent (`80%`), a scheme name (`B+`), `complete`/`incomplete`; empty clears the grade.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub posted_grade: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub excuse: Option<bool>,
    /// late, missing, extended or none; empty: the dates decide.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub late_policy_status: Option<String>,
    /// Seconds late, with `late_policy_status=late`.
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub seconds_late_override: Option<Option<i64>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GradeParams {
    #[serde(default)]
    pub submission: GradeFields,
    #[serde(default)]
    pub comment: CommentFields,
    /// `{criterion_id: {points, rating_id, comments}}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rubric_assessment: Option<Value>,
    /// As for reading.
    #[serde(default, deserialize_with = "de::string_list")]
    pub include: Vec<String>,
}

impl GradeFields {
    fn grades(&self) -> bool {
        self.posted_grade.is_some()
            || self.excuse.is_some()
            || self.late_policy_status.is_some()
            || self.seconds_late_override.is_some()
    }
}

fn assessment_inputs(
    raw: &Value,
    base: &str,
) -> ApiResult<std::collections::BTreeMap<String, CriterionAssessmentInput>> {
    let Value::Object(map) = raw else {
        return Err(ApiError::invalid_field(base, "must map criterion ids to {points, rating_id, comments}"));
    };
    let mut out = std::collections::BTreeMap::new();
    for (criterion, item) in map {
        let Value::Object(fields) = item else {
            return Err(ApiError::invalid_field(
                &format!("{base}/{criterion}"),
                "must be {points, rating_id, comments}",
            ));
        };
        let text = |key: &str| -> Option<String> {
            match fields.get(key)? {
                Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let points = match fields.get("points") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(
                match v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                }
                .filter(|f| f.is_finite())
                .ok_or_else(|| ApiError::invalid_field(&format!("{base}/{criterion}/points"), "must be a number"))?,
            ),
        };
        out.insert(
            criterion.clone(),
            CriterionAssessmentInput { points, rating_id: text("rating_id"), comments: text("comments") },
        );
    }
    Ok(out)
}

/// A grader's parameters for one student, as the store checks them.
fn entry_of(
    user_id: i64,
    fields: &GradeFields,
    comment: &CommentFields,
    rubric: Option<&Value>,
) -> ApiResult<GradeEntry> {
    Ok(GradeEntry {
        user_id,
        posted_grade: fields.posted_grade.clone(),
        excuse: fields.excuse,
        late_policy_status: fields.late_policy_status.clone(),
        seconds_late_override: fields.seconds_late_override,
        rubric_assessment: rubric.map(|raw| assessment_inputs(raw, "/rubric_assessment")).transpose()?,
        text_comment: comment.text_comment.clone(),
    })
}

/// Where a problem of a single grade call points.
fn single_pointer(field: &str) -> String {
    if field.starts_with("rubric_assessment") {
        format!("/{field}")
    } else if field == "text_comment" {
        "/comment/text_comment".to_owned()
    } else {
        format!("/submission/{field}")
    }
}

pub(crate) fn problems_error(problems: Vec<Problem>, pointer: impl Fn(&str) -> String) -> ApiError {
    ApiError::invalid(
        problems
            .into_iter()
            .map(|p| assay_domain::FieldError { pointer: pointer(&p.field), message: p.message })
            .collect(),
    )
}

/// Grades a student's submission and/or comments on it (the student may comment on their own).
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`"), ("user_id" = String, Path, description = "User id, `self` or `sis_user_id:X`")),
    request_body(content((GradeParams = "application/json"), (GradeParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = SubmissionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_submission(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id, user)): PathParams<(String, String, String)>,
    Params(params): Params<GradeParams>,
) -> ApiResult<Json<SubmissionJson>> {
    let reach = reach(&state, &caller, &course_id).await?;
    let viewer = viewer(&state, &caller, &reach.view).await?;
    let a = resolve_assignment(&state, &caller, &reach.view, &viewer, &assignment_id).await?;
    let user_id = path_user(&state, &caller, &user).await?;
    let grading = params.submission.grades() || params.rubric_assessment.is_some();
    let own = caller.user_id() == Some(user_id);
    if grading || !own {
        caller.require(Permission::ManageGrades, course_target(&reach.view))?;
    }
    let (place, dates) = student_dates(&state, &caller, &reach.view, &a, user_id).await?;
    if grading || !own {
        require_grader(&caller, &reach.view, &place.section_ids)?;
    }
    let entry = entry_of(user_id, &params.submission, &params.comment, params.rubric_assessment.as_ref())?;
    let comment = bulk::comment_of(&entry).map_err(|p| problems_error(vec![p], single_pointer))?;
    let rules =
        rules::for_assignment(state.store.read(), &caller.scope, &reach.view.course, &reach.account_ids(), &a).await?;
    let rubric = rubrics::for_assignment(state.store.read(), &caller.scope, a.id).await?;
    let current = submissions::find(state.store.read(), &caller.scope, a.id, user_id).await?;
    let status = current.and_then(|c| c.late_policy_status);
    let change = bulk::check(&entry, &rules, rubric.as_ref(), status.as_deref())
        .map_err(|problems| problems_error(problems, single_pointer))?;
    let (scope, actor, course_id, assignment_pk) = (caller.scope, caller.actor(), reach.view.course.id, a.id);
    let author = caller.user_id();
    let write_rules = rules.clone();
    let sub = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let sub = submissions::grade::grade(
                    txn,
                    &scope,
                    course_id,
                    assignment_pk,
                    user_id,
                    dates.due_at,
                    &write_rules,
                    change,
                    actor,
                )
                .await?;
                if let Some(text) = comment {
                    comments::add(txn, &scope, &sub, author, text, actor).await?;
                }
                Ok(sub)
            })
        })
        .await?;
    let mut includes = Includes::parse(&params.include);
    includes.comments = true;
    Ok(Json(render_one(&state, &caller, &reach, &headers, &a, &sub, includes).await?))
}

// ---- posting ----

/// Which results to post or hide.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PostParams {
    /// Only these students (default: everyone).
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub user_ids: Option<Vec<String>>,
    /// Only the students of these sections.
    #[serde(default, deserialize_with = "de::opt_string_list")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub section_ids: Option<Vec<String>>,
    /// Post only graded (or excused) submissions.
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub graded_only: Option<bool>,
}

/// What a post or hide changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedJson {
    pub assignment_id: i64,
    /// The students whose results it posted (or hid).
    pub user_ids: Vec<i64>,
    pub submission_ids: Vec<i64>,
    /// When they were posted (null for hide).
    pub posted_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn selection(state: &AppState, caller: &Caller, reach: &Reach, params: &PostParams) -> ApiResult<Selection> {
    let mut users: Option<Vec<i64>> = match &params.user_ids {
        Some(raw) => Some(ids_of(raw, "/user_ids")?),
        None => None,
    };
    if let Some(raw) = &params.section_ids {
        let sections = ids_of(raw, "/section_ids")?;
        for id in &sections {
            let found = assay_store::sections::find(state.store.read(), &caller.scope, &IdRef::Id(*id)).await;
            if !found.is_ok_and(|s| s.section.course_id == reach.view.course.id) {
                return Err(ApiError::invalid_field("/section_ids", format!("{id} is not a section of this course")));
            }
        }
        let in_sections =
            submissions::list::students(state.store.read(), &caller.scope, reach.view.course.id, Some(&sections))
                .await?;
        users = Some(match users {
            Some(named) => named.into_iter().filter(|u| in_sections.contains(u)).collect(),
            None => in_sections,
        });
    }
    if let Some(limited) = &reach.sections {
        let reachable =
            submissions::list::students(state.store.read(), &caller.scope, reach.view.course.id, Some(limited)).await?;
        users = Some(match users {
            Some(named) => named.into_iter().filter(|u| reachable.contains(u)).collect(),
            None => reachable,
        });
    }
    Ok(Selection { user_ids: users, graded_only: params.graded_only.unwrap_or(false) })
}

async fn post_or_hide(
    state: AppState,
    caller: Caller,
    course_id: String,
    assignment_id: String,
    params: PostParams,
    post: bool,
) -> ApiResult<Json<PostedJson>> {
    let reach = reach(&state, &caller, &course_id).await?;
    caller.require(Permission::ManageGrades, course_target(&reach.view))?;
    let a = resolve_assignment(&state, &caller, &reach.view, &Viewer::Staff, &assignment_id).await?;
    let selection = selection(&state, &caller, &reach, &params).await?;
    // Every assigned student has a row to post, so grades given later under a manual policy show at once.
    submissions::sync::sync(
        &state.store,
        &caller.scope,
        &reach.view.course,
        &reach.account_ids(),
        std::slice::from_ref(&a),
        selection.user_ids.as_deref(),
    )
    .await?;
    let (scope, actor, assignment_pk) = (caller.scope, caller.actor(), a.id);
    let changed = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                if post {
                    posting::post(txn, &scope, assignment_pk, &selection, actor).await
                } else {
                    posting::hide(txn, &scope, assignment_pk, &selection, actor).await
                }
            })
        })
        .await?;
    Ok(Json(PostedJson {
        assignment_id: a.id,
        user_ids: changed.iter().map(|s| s.user_id).collect(),
        submission_ids: changed.iter().map(|s| s.id).collect(),
        posted_at: if post { changed.first().and_then(|s| s.posted_at) } else { None },
    }))
}

/// Posts results to students (a manual post policy's "post grades"): the selected submissions not posted yet.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/post", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((PostParams = "application/json"), (PostParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = PostedJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn post_results(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(params): Params<PostParams>,
) -> ApiResult<Json<PostedJson>> {
    post_or_hide(state, caller, course_id, assignment_id, params, true).await
}

/// Hides results from students again: the selected submissions that are posted.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/hide", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((PostParams = "application/json"), (PostParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = PostedJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn hide_results(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(params): Params<PostParams>,
) -> ApiResult<Json<PostedJson>> {
    post_or_hide(state, caller, course_id, assignment_id, params, false).await
}
