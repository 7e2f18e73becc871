//! Appeals and grade explanations (Inspera: "register or redraw appeals", "register or export explanations"), on
//! a candidate's result on an assignment (`…/assignments/:assignment_id/submissions/:user_id`, `user_id` an id,
//! `self` or `sis_user_id:X`):
//!
//! - `GET/POST …/submissions/:user_id/appeals`: the result's appeals; register one (`appeal[reason]`, and
//!   `appeal[question_id]` to appeal one question of the quiz attempt behind the result). The candidate registers
//!   on their own posted result; a grader may register on a candidate's behalf (an integration relaying it).
//! - `GET …/appeals/:id`; `POST …/appeals/:id/withdraw` (Inspera's "redraw": the candidate, or a grader on their
//!   behalf); `POST …/appeals/:id/resolve` (graders: `appeal[score]`, the new score of the whole result before any
//!   late deduction, and `appeal[explanation]`); `POST …/appeals/:id/reject` (graders: `appeal[explanation]`).
//! - `GET /api/v1/courses/:course_id/appeals` (graders): the course's appeals, filtered by `workflow_state[]`
//!   (`open`, `resolved`, `rejected`, `withdrawn`; default all), `assignment_id`, `user_id`; oldest first.
//! - `GET/POST …/submissions/:user_id/explanations`, `GET …/explanations/:id`: explanations of the result; graders write them
//!   (`explanation[body]`, `explanation[question_id]`), the candidate reads them once the result is posted.
//! - `GET /api/v1/courses/:course_id/explanations` (JSON list, `assignment_id`) and
//!   `GET /api/v1/courses/:course_id/explanations.csv` (everything, as CSV): the export, for graders.
//!
//! Graders are those with `manage_grades` (writing) or `view_all_grades` (reading) on the candidate's section.

use std::collections::HashMap;

use assay_domain::{
    Code, Validation,
    appeal::{self, AppealAction, AppealState, ResultState},
    policy::{self, Permission},
};
use assay_store::{
    PageRequest, Position, StoreError,
    appeals::{self, Answer, AppealFilter, ExplanationFilter, NewAppeal, NewExplanation},
    courses::CourseView,
    entity::{appeal as appeal_row, assignment, grade_explanation, submission},
    results, submissions,
};
use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    Created,
    assignments::{course_target, resolve_assignment, viewer},
    courses, gradebook, users,
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
        .routes(routes!(list_result_appeals, register_appeal))
        .routes(routes!(show_appeal))
        .routes(routes!(withdraw_appeal))
        .routes(routes!(resolve_appeal))
        .routes(routes!(reject_appeal))
        .routes(routes!(list_course_appeals))
        .routes(routes!(list_result_explanations, create_explanation))
        .routes(routes!(show_explanation))
        .routes(routes!(list_course_explanations))
        .routes(routes!(export_explanations))
}

// ---- JSON -----------------------------------------------------------------------------------------------------

/// A grader's explanation of a candidate's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationJson {
    pub id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    /// The candidate.
    pub user_id: i64,
    pub submission_id: i64,
    /// The question explained (its id in the quiz attempt); null for the whole result.
    pub question_id: Option<i64>,
    /// The appeal this explanation answered, if any.
    pub appeal_id: Option<i64>,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn render_explanation(e: &grade_explanation::Model) -> ExplanationJson {
    ExplanationJson {
        id: e.id,
        course_id: e.course_id,
        assignment_id: e.assignment_id,
        user_id: e.user_id,
        submission_id: e.submission_id,
        question_id: e.question_id,
        appeal_id: e.appeal_id,
        author_id: e.author_id,
        body: e.body.clone(),
        created_at: e.created_at,
    }
}

/// A candidate's appeal of their result.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealJson {
    pub id: i64,
    pub course_id: i64,
    pub assignment_id: i64,
    /// The candidate.
    pub user_id: i64,
    pub submission_id: i64,
    /// The quiz attempt the result came from, when it did.
    pub quiz_submission_id: Option<i64>,
    /// The question appealed (its id in the attempt); null for the whole result.
    pub question_id: Option<i64>,
    /// `open`, `resolved`, `rejected` or `withdrawn`.
    pub workflow_state: String,
    pub reason: String,
    /// The result's score when the appeal was registered.
    pub score_before: Option<f64>,
    /// The result's score after a resolution.
    pub score_after: Option<f64>,
    /// Who resolved, rejected or withdrew it.
    pub closed_by_id: Option<i64>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The grader's explanation that answered it (resolved and rejected appeals).
    pub explanation: Option<ExplanationJson>,
}

fn render_appeal(a: &appeal_row::Model, explanation: Option<&grade_explanation::Model>) -> AppealJson {
    AppealJson {
        id: a.id,
        course_id: a.course_id,
        assignment_id: a.assignment_id,
        user_id: a.user_id,
        submission_id: a.submission_id,
        quiz_submission_id: a.quiz_submission_id,
        question_id: a.question_id,
        workflow_state: a.workflow_state.clone(),
        reason: a.reason.clone(),
        score_before: a.score_before,
        score_after: a.score_after,
        closed_by_id: a.closed_by_id,
        closed_at: a.closed_at,
        created_at: a.created_at,
        updated_at: a.updated_at,
        explanation: explanation.map(render_explanation),
    }
}

async fn render_appeals(state: &AppState, caller: &Caller, rows: &[appeal_row::Model]) -> ApiResult<Vec<AppealJson>> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let answers = appeals::answers_of(state.store.read(), &caller.scope, &ids).await?;
    Ok(rows.iter().map(|a| render_appeal(a, answers.get(&a.id))).collect())
}

// ---- Who is asking ---------------------------------------------------------------------------------------------

/// Whether `permission` in the course reaches the student `user_id` (a section-limited grader reaches the students
/// of their sections only).
async fn reaches(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    user_id: i64,
    permission: Permission,
) -> ApiResult<bool> {
    if !caller.may(permission, course_target(course)) {
        return Ok(false);
    }
    match policy::reachable_sections(&caller.grants, permission, course.course.id, &course.account_path) {
        None => Ok(true),
        Some(sections) => {
            let place =
                assay_store::assignments::student_place(state.store.read(), &caller.scope, course.course.id, user_id)
                    .await?;
            Ok(place.is_some_and(|p| p.section_ids.iter().any(|s| sections.contains(s))))
        }
    }
}

/// A candidate's result on an assignment, with what the caller may do to it.
struct ResultCtx {
    course: CourseView,
    assignment: assignment::Model,
    candidate_id: i64,
    submission: Option<submission::Model>,
    /// The caller is the candidate.
    is_candidate: bool,
    /// The caller may write grades for the candidate.
    may_grade: bool,
}

impl ResultCtx {
    fn path(&self, base: &str) -> String {
        format!(
            "{base}/api/v1/courses/{}/assignments/{}/submissions/{}",
            self.course.course.id, self.assignment.id, self.candidate_id
        )
    }

    /// The candidate acting on their own result (they must still take part in the course), or a grader.
    fn require_candidate_or_grader(&self, caller: &Caller) -> ApiResult<()> {
        if self.may_grade {
            return Ok(());
        }
        if self.is_candidate {
            return caller.require(Permission::Submit, course_target(&self.course));
        }
        Err(ApiError::unauthorized())
    }

    fn require_grader(&self) -> ApiResult<()> {
        if self.may_grade { Ok(()) } else { Err(ApiError::unauthorized()) }
    }

    /// The result, when it has a grade.
    fn graded(&self) -> Option<&submission::Model> {
        self.submission.as_ref().filter(|s| s.score.is_some() && s.workflow_state == submissions::GRADED)
    }
}

/// Loads a result: the candidate sees their own; graders (`view_all_grades` on the candidate) any; others get 401.
async fn load(
    state: &AppState,
    caller: &Caller,
    course_raw: &str,
    assignment_raw: &str,
    user_raw: &str,
) -> ApiResult<ResultCtx> {
    let course = courses::resolve(state, caller, course_raw, false).await?;
    let viewer = viewer(state, caller, &course).await?;
    let assignment = resolve_assignment(state, caller, &course, &viewer, assignment_raw).await?;
    let candidate = users::resolve(state, caller, user_raw).await?.user;
    let is_candidate = caller.user_id() == Some(candidate.id);
    let may_read = reaches(state, caller, &course, candidate.id, Permission::ViewAllGrades).await?;
    if !is_candidate && !may_read {
        return Err(ApiError::unauthorized());
    }
    let may_grade = reaches(state, caller, &course, candidate.id, Permission::ManageGrades).await?;
    let submission = submissions::find(state.store.read(), &caller.scope, assignment.id, candidate.id).await?;
    Ok(ResultCtx { course, assignment, candidate_id: candidate.id, submission, is_candidate, may_grade })
}

fn parse_id(raw: &str, code: Code) -> ApiResult<i64> {
    match id_ref(raw, "object", &[])? {
        assay_domain::IdRef::Id(id) => Ok(id),
        _ => Err(ApiError::not_found(code)),
    }
}

async fn load_appeal(state: &AppState, caller: &Caller, ctx: &ResultCtx, raw: &str) -> ApiResult<appeal_row::Model> {
    let id = parse_id(raw, Code::AppealNotFound)?;
    let Some(submission) = &ctx.submission else { return Err(ApiError::not_found(Code::AppealNotFound)) };
    appeals::find(state.store.read(), &caller.scope, submission.id, id).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::not_found(Code::AppealNotFound),
        other => other.into(),
    })
}

/// Checks that `question_id` is a question of the quiz attempt behind the result.
async fn check_question(
    state: &AppState,
    caller: &Caller,
    submission: &submission::Model,
    question_id: i64,
    pointer: &str,
) -> ApiResult<()> {
    let not_shown = || ApiError::invalid_field(pointer, "is not a question of the quiz attempt this result came from");
    let Some(attempt_id) = submission.quiz_submission_id else { return Err(not_shown()) };
    let attempt = match assay_store::attempts::find(state.store.read(), &caller.scope, attempt_id).await {
        Ok(attempt) => attempt,
        Err(StoreError::NotFound) => return Err(not_shown()),
        Err(other) => return Err(other.into()),
    };
    if results::draw_of(&attempt).iter().any(|d| d.question_id == question_id) { Ok(()) } else { Err(not_shown()) }
}

fn not_appealable() -> ApiError {
    ApiError::new(
        Code::ResultNotAppealable,
        "This result cannot be appealed: it has no grade yet, is not posted to the candidate, or is excused.",
    )
}

fn already_open() -> ApiError {
    ApiError::new(Code::AppealAlreadyOpen, "An appeal of this result (and question) is already open.")
}

fn closed(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::AppealClosed, message)
}

// ---- Parameters ------------------------------------------------------------------------------------------------

/// `appeal[…]` fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppealFields {
    /// Registering: why the candidate disagrees (required, at most 20,000 characters).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub reason: Option<String>,
    /// Registering: the question appealed (its id in the quiz attempt); absent for the whole result.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub question_id: Option<i64>,
    /// Resolving: the result's new score in points (before any late deduction).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub score: Option<f64>,
    /// Resolving or rejecting: the explanation for the candidate (required).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub explanation: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AppealParams {
    #[serde(default)]
    pub appeal: AppealFields,
}

/// `explanation[…]` fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExplanationFields {
    /// The explanation (required, at most 20,000 characters).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub body: Option<String>,
    /// The question explained (its id in the quiz attempt); absent for the whole result.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub question_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExplanationParams {
    #[serde(default)]
    pub explanation: ExplanationFields,
}

type ResultPath = (String, String, String);
type AppealPath = (String, String, String, String);

// ---- Appeals ---------------------------------------------------------------------------------------------------

/// The appeals of a candidate's result, oldest first (the candidate, and graders).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AppealJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_result_appeals(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id)): PathParams<ResultPath>,
    pagination: Pagination,
) -> ApiResult<Paginated<AppealJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    let Some(submission) = &ctx.submission else {
        return Ok(Paginated::from_vec(Vec::new(), pagination));
    };
    let filter = AppealFilter { submission_id: Some(submission.id), ..AppealFilter::default() };
    let page = appeals::list(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let items = render_appeals(&state, &caller, &page.items).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// Registers an appeal of a posted result (the candidate; or a grader on the candidate's behalf). 409
/// `result_not_appealable` when the result has no grade, is not posted or is excused; 409 `appeal_already_open`
/// when an appeal of the same result and question is open.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`")),
    request_body(content((AppealParams = "application/x-www-form-urlencoded"), (AppealParams = "application/json"))),
    responses((status = 201, body = AppealJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn register_appeal(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id)): PathParams<ResultPath>,
    Params(params): Params<AppealParams>,
) -> ApiResult<Created<AppealJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    ctx.require_candidate_or_grader(&caller)?;
    let reason = appeal::check_text(params.appeal.reason.as_deref())
        .map_err(|message| ApiError::invalid_field("/appeal/reason", message))?;
    let submission = ctx
        .submission
        .clone()
        .filter(|s| {
            appeal::appealable(ResultState {
                graded: s.score.is_some() && s.workflow_state == submissions::GRADED,
                posted: s.posted_at.is_some(),
                excused: s.excused,
            })
        })
        .ok_or_else(not_appealable)?;
    if let Some(question_id) = params.appeal.question_id {
        check_question(&state, &caller, &submission, question_id, "/appeal/question_id").await?;
    }
    if appeals::open_on(state.store.read(), &caller.scope, submission.id, params.appeal.question_id).await?.is_some() {
        return Err(already_open());
    }
    let new = NewAppeal {
        quiz_submission_id: submission.quiz_submission_id,
        question_id: params.appeal.question_id,
        submission,
        reason,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created = state
        .store
        .write(move |txn| Box::pin(async move { appeals::register(txn, &scope, new, actor).await }))
        .await
        .map_err(|err| match err {
            StoreError::Conflict { field: "appeal" } => already_open(),
            other => other.into(),
        })?;
    let base = state.base_url.resolve(&headers);
    Ok(Created { location: format!("{}/appeals/{}", ctx.path(&base), created.id), body: render_appeal(&created, None) })
}

/// One appeal of a candidate's result.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), ("id" = i64, Path, description = "Appeal id")),
    responses((status = 200, body = AppealJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_appeal(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id, id)): PathParams<AppealPath>,
) -> ApiResult<Json<AppealJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    let found = load_appeal(&state, &caller, &ctx, &id).await?;
    let mut rendered = render_appeals(&state, &caller, &[found]).await?;
    rendered.pop().map(Json).ok_or_else(ApiError::internal)
}

/// Closes an open appeal by `action`, after checking who may and what the answer must hold.
async fn act(
    state: &AppState,
    caller: &Caller,
    path: AppealPath,
    action: AppealAction,
    fields: AppealFields,
) -> ApiResult<Json<AppealJson>> {
    let (course_id, assignment_id, user_id, id) = path;
    let ctx = load(state, caller, &course_id, &assignment_id, &user_id).await?;
    if action.by_candidate() {
        ctx.require_candidate_or_grader(caller)?
    } else {
        ctx.require_grader()?
    }
    let found = load_appeal(state, caller, &ctx, &id).await?;
    let answer = if action.by_candidate() {
        None
    } else {
        let mut v = Validation::new();
        let new_score = if action == AppealAction::Resolve {
            appeal::check_score(fields.score).map_err(|m| v.add("/appeal/score", m)).ok()
        } else {
            None
        };
        let explanation =
            appeal::check_text(fields.explanation.as_deref()).map_err(|m| v.add("/appeal/explanation", m)).ok();
        v.finish().map_err(ApiError::invalid)?;
        Some(Answer { new_score, explanation: explanation.unwrap_or_default() })
    };
    let current = AppealState::parse(&found.workflow_state).unwrap_or(AppealState::Withdrawn);
    current.apply(action).map_err(|e| closed(e.to_string()))?;
    let scope = caller.scope;
    let actor = caller.actor();
    let done = state
        .store
        .write(move |txn| Box::pin(async move { appeals::close(txn, &scope, &found, action, answer, actor).await }))
        .await
        .map_err(|err| match err {
            StoreError::Busy { message } => closed(message),
            other => other.into(),
        })?;
    Ok(Json(render_appeal(&done.appeal, done.explanation.as_ref())))
}

/// Withdraws an open appeal (Inspera's "redraw"): the candidate, or a grader on the candidate's behalf. 409
/// `appeal_closed` when it is no longer open.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/withdraw", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), ("id" = i64, Path, description = "Appeal id")),
    responses((status = 200, body = AppealJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn withdraw_appeal(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(path): PathParams<AppealPath>,
) -> ApiResult<Json<AppealJson>> {
    act(&state, &caller, path, AppealAction::Withdraw, AppealFields::default()).await
}

/// Resolves an open appeal (graders): the result takes `appeal[score]` (points before any late deduction; a new
/// version of the submission is recorded) and the candidate gets `appeal[explanation]`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/resolve", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), ("id" = i64, Path, description = "Appeal id")),
    request_body(content((AppealParams = "application/x-www-form-urlencoded"), (AppealParams = "application/json"))),
    responses((status = 200, body = AppealJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn resolve_appeal(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(path): PathParams<AppealPath>,
    Params(params): Params<AppealParams>,
) -> ApiResult<Json<AppealJson>> {
    act(&state, &caller, path, AppealAction::Resolve, params.appeal).await
}

/// Rejects an open appeal (graders): the result stands and the candidate gets `appeal[explanation]`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/reject", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), ("id" = i64, Path, description = "Appeal id")),
    request_body(content((AppealParams = "application/x-www-form-urlencoded"), (AppealParams = "application/json"))),
    responses((status = 200, body = AppealJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn reject_appeal(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(path): PathParams<AppealPath>,
    Params(params): Params<AppealParams>,
) -> ApiResult<Json<AppealJson>> {
    act(&state, &caller, path, AppealAction::Reject, params.appeal).await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseAppealsQuery {
    /// `open`, `resolved`, `rejected`, `withdrawn` (any of them; default: all).
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub workflow_state: Vec<String>,
    /// Only this assignment's appeals.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub assignment_id: Option<i64>,
    /// Only this candidate's appeals.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub user_id: Option<i64>,
}

/// The appeals of a course, oldest first, for graders.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/appeals", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), CourseAppealsQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<AppealJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_appeals(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseAppealsQuery>,
) -> ApiResult<Paginated<AppealJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(Permission::ViewAllGrades, course_target(&course))?;
    let mut states = Vec::new();
    for raw in &query.workflow_state {
        states.push(AppealState::parse(raw).ok_or_else(|| {
            ApiError::invalid_field("/workflow_state", format!("`{raw}` is not open, resolved, rejected or withdrawn"))
        })?);
    }
    let filter = AppealFilter {
        course_id: Some(course.course.id),
        assignment_id: query.assignment_id,
        user_id: query.user_id,
        user_ids: gradebook::reachable_students(&state, &caller, &course, Permission::ViewAllGrades).await?,
        states,
        ..AppealFilter::default()
    };
    let page = appeals::list(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    let items = render_appeals(&state, &caller, &page.items).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

// ---- Explanations ----------------------------------------------------------------------------------------------

/// The explanations of a candidate's result, oldest first: graders see them all; the candidate sees them once the
/// result is posted (an empty list before).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<ExplanationJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_result_explanations(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id)): PathParams<ResultPath>,
    pagination: Pagination,
) -> ApiResult<Paginated<ExplanationJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    let is_grader = reaches(&state, &caller, &ctx.course, ctx.candidate_id, Permission::ViewAllGrades).await?;
    let visible = ctx.submission.as_ref().filter(|s| is_grader || s.posted_at.is_some());
    let Some(submission) = visible else { return Ok(Paginated::from_vec(Vec::new(), pagination)) };
    let filter = ExplanationFilter { submission_id: Some(submission.id), ..ExplanationFilter::default() };
    let page = appeals::explanations(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    Ok(Paginated::new(page.map(|e| render_explanation(&e)), pagination))
}

/// Writes an explanation of a graded result (graders), with or without an appeal.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`")),
    request_body(content((ExplanationParams = "application/x-www-form-urlencoded"), (ExplanationParams = "application/json"))),
    responses((status = 201, body = ExplanationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_explanation(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id)): PathParams<ResultPath>,
    Params(params): Params<ExplanationParams>,
) -> ApiResult<Created<ExplanationJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    ctx.require_grader()?;
    let body = appeal::check_text(params.explanation.body.as_deref())
        .map_err(|message| ApiError::invalid_field("/explanation/body", message))?;
    let submission = ctx.graded().cloned().ok_or_else(|| {
        ApiError::new(Code::ResultNotAppealable, "This result has no grade yet: there is nothing to explain.")
    })?;
    if let Some(question_id) = params.explanation.question_id {
        check_question(&state, &caller, &submission, question_id, "/explanation/question_id").await?;
    }
    let new = NewExplanation {
        course_id: submission.course_id,
        assignment_id: submission.assignment_id,
        submission_id: submission.id,
        user_id: submission.user_id,
        question_id: params.explanation.question_id,
        appeal_id: None,
        body,
    };
    let scope = caller.scope;
    let actor = caller.actor();
    let created =
        state.store.write(move |txn| Box::pin(async move { appeals::explain(txn, &scope, new, actor).await })).await?;
    let base = state.base_url.resolve(&headers);
    Ok(Created {
        location: format!("{}/explanations/{}", ctx.path(&base), created.id),
        body: render_explanation(&created),
    })
}

/// One explanation of a candidate's result (graders; the candidate once the result is posted).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations/{id}", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id"),
        ("user_id" = String, Path, description = "The candidate: an id, `self` or `sis_user_id:X`"), ("id" = i64, Path, description = "Explanation id")),
    responses((status = 200, body = ExplanationJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_explanation(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, assignment_id, user_id, id)): PathParams<AppealPath>,
) -> ApiResult<Json<ExplanationJson>> {
    let ctx = load(&state, &caller, &course_id, &assignment_id, &user_id).await?;
    let id = parse_id(&id, Code::ExplanationNotFound)?;
    let is_grader = reaches(&state, &caller, &ctx.course, ctx.candidate_id, Permission::ViewAllGrades).await?;
    let visible = ctx.submission.as_ref().filter(|s| is_grader || s.posted_at.is_some());
    let Some(submission) = visible else { return Err(ApiError::not_found(Code::ExplanationNotFound)) };
    let found = appeals::find_explanation(state.store.read(), &caller.scope, submission.id, id).await.map_err(
        |err| match err {
            StoreError::NotFound => ApiError::not_found(Code::ExplanationNotFound),
            other => other.into(),
        },
    )?;
    Ok(Json(render_explanation(&found)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseExplanationsQuery {
    /// Only this assignment's explanations.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub assignment_id: Option<i64>,
}

async fn course_explanation_filter(
    state: &AppState,
    caller: &Caller,
    course: &CourseView,
    assignment_id: Option<i64>,
) -> ApiResult<ExplanationFilter> {
    caller.require(Permission::ViewAllGrades, course_target(course))?;
    Ok(ExplanationFilter {
        course_id: Some(course.course.id),
        assignment_id,
        user_ids: gradebook::reachable_students(state, caller, course, Permission::ViewAllGrades).await?,
        ..ExplanationFilter::default()
    })
}

/// The explanations of a course's results, oldest first (the JSON export, for graders).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/explanations", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), CourseExplanationsQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<ExplanationJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_course_explanations(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    pagination: Pagination,
    Params(query): Params<CourseExplanationsQuery>,
) -> ApiResult<Paginated<ExplanationJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let filter = course_explanation_filter(&state, &caller, &course, query.assignment_id).await?;
    let page = appeals::explanations(state.store.read(), &caller.scope, &filter, &pagination.request).await?;
    Ok(Paginated::new(page.map(|e| render_explanation(&e)), pagination))
}

/// Every explanation of a course's results as CSV (for graders), oldest first. Columns: `id`, `assignment_id`,
/// `assignment_name`, `user_id`, `user_name`, `sis_user_id` (empty without `read_sis`), `question_id`,
/// `appeal_id`, `appeal_state`, `author_id`, `author_name`, `created_at`, `explanation`.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/explanations.csv", tag = "Appeals",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), CourseExplanationsQuery),
    responses((status = 200, description = "The explanations (text/csv)", content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn export_explanations(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(course_id): PathParams<String>,
    Params(query): Params<CourseExplanationsQuery>,
) -> ApiResult<Response> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let filter = course_explanation_filter(&state, &caller, &course, query.assignment_id).await?;
    let read = state.store.read();
    let mut all = Vec::new();
    let mut request = PageRequest { position: Position::Offset(0), per_page: 1000, total_hint: Some(None) };
    loop {
        let page = appeals::explanations(read, &caller.scope, &filter, &request).await?;
        all.extend(page.items);
        match (page.has_more, page.last_key) {
            (true, Some(key)) => request.position = Position::After(key),
            _ => break,
        }
    }
    let appeal_ids: Vec<i64> = all.iter().filter_map(|e| e.appeal_id).collect();
    let appeal_states: HashMap<i64, String> = appeals::by_ids(read, &caller.scope, &appeal_ids)
        .await?
        .into_iter()
        .map(|(id, a)| (id, a.workflow_state))
        .collect();
    let mut people: Vec<i64> = all.iter().map(|e| e.user_id).chain(all.iter().filter_map(|e| e.author_id)).collect();
    people.sort_unstable();
    people.dedup();
    let users = results::users_by_id(read, &caller.scope, &people).await?;
    let assignment_names = assay_store::assignments::names_by_id(
        read,
        &caller.scope,
        &all.iter().map(|e| e.assignment_id).collect::<Vec<_>>(),
    )
    .await?;
    let show_sis = caller.may(Permission::ReadSis, course_target(&course));
    let bytes = write_explanations(&all, &appeal_states, &users, &assignment_names, show_sis).map_err(|err| {
        tracing::error!(error = %err, "writing the explanations export failed");
        ApiError::internal()
    })?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"explanations-{}.csv\"", course.course.id)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

fn write_explanations(
    rows: &[grade_explanation::Model],
    appeal_states: &HashMap<i64, String>,
    users: &HashMap<i64, assay_store::entity::user::Model>,
    assignment_names: &HashMap<i64, String>,
    show_sis: bool,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id",
        "assignment_id",
        "assignment_name",
        "user_id",
        "user_name",
        "sis_user_id",
        "question_id",
        "appeal_id",
        "appeal_state",
        "author_id",
        "author_name",
        "created_at",
        "explanation",
    ])?;
    let optional = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
    for e in rows {
        let candidate = users.get(&e.user_id);
        let author = e.author_id.and_then(|id| users.get(&id));
        out.write_record([
            e.id.to_string(),
            e.assignment_id.to_string(),
            gradebook::text_cell(assignment_names.get(&e.assignment_id).map(String::as_str).unwrap_or_default()),
            e.user_id.to_string(),
            gradebook::text_cell(&candidate.map(|u| u.name.clone()).unwrap_or_default()),
            if show_sis {
                gradebook::text_cell(&candidate.and_then(|u| u.sis_user_id.clone()).unwrap_or_default())
            } else {
                String::new()
            },
            optional(e.question_id),
            optional(e.appeal_id),
            e.appeal_id.and_then(|id| appeal_states.get(&id).cloned()).unwrap_or_default(),
            optional(e.author_id),
            gradebook::text_cell(&author.map(|u| u.name.clone()).unwrap_or_default()),
            e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            gradebook::text_cell(&e.body),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
