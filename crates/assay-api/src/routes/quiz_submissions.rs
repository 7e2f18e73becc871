//! Sitting tests: Canvas's Quiz Submissions and Quiz Submission Questions APIs.
//!
//! - `GET/POST /api/v1/courses/:course_id/quizzes/:quiz_id/submissions` (list: a student's own attempts, every
//!   attempt for graders; POST starts or resumes the caller's attempt), `GET …/submissions/:id`,
//!   `GET …/quizzes/:quiz_id/submission` (the caller's latest attempt), `POST …/submissions/:id/complete`,
//!   `PUT …/submissions/:id` (graders: per-question `score`/`comment`, `fudge_points`), `GET …/submissions/:id/time`;
//! - `GET/POST /api/v1/quiz_submissions/:id/questions` (the attempt's questions as its candidate sees them, never
//!   with answer keys; answering), `PUT …/questions/:question_id/flag|unflag`.
//!
//! Starting is checked here, on the server: the caller is a student of the course, the quiz is published and
//! open for them (unlock and lock dates with overrides and quiz extensions), the access code, the IP filter and
//! the attempts left. Answers carry the attempt's `validation_token`, and an optional client sequence number
//! (`quiz_questions[][seq]` or `seq`): a save with a lower `seq` than the one stored never replaces it. Every save
//! is committed before the response. Answers after the deadline are refused (`attempt_closed`); the worker
//! submits attempts whose deadline passed.

use std::{collections::HashMap, net::IpAddr};

use assay_domain::{
    Code, FieldError, IdRef,
    assignment::{self as rules, Dates},
    attempt::{self, Availability, DrawnQuestion},
    policy::Permission,
};
use assay_store::{
    assignments::{self, OverrideView},
    attempts::{self, AnswerSave, GradeChange, SaveOutcome, StartOutcome, StartRules},
    delivered_versions::Version,
    entity::{quiz_answer, quiz_submission, submission},
    quizzes, submissions,
};
use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::quizzes::{QuizCtx, load};
use crate::{
    AppState,
    auth::Caller,
    canvas_answer,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attempts, start_attempt))
        .routes(routes!(show_attempt, grade_attempt))
        .routes(routes!(current_attempt))
        .routes(routes!(complete_attempt))
        .routes(routes!(attempt_time))
        .routes(routes!(list_questions, answer_questions))
        .routes(routes!(flag_question))
        .routes(routes!(unflag_question))
}

// ---- Loading and permissions -----------------------------------------------------------------------------------

/// An attempt with its quiz, and how the caller stands to it.
struct AttemptCtx {
    quiz: QuizCtx,
    attempt: quiz_submission::Model,
    /// The caller took it (graders see it too, but do not change it as a candidate would).
    owner: bool,
}

fn not_found() -> ApiError {
    ApiError::not_found(Code::QuizSubmissionNotFound)
}

fn is_grader(caller: &Caller, ctx: &QuizCtx) -> bool {
    caller.may(Permission::ViewAllGrades, ctx.target())
}

/// Who may see an attempt: the student who took it and the quiz's graders; for anyone else it does not exist.
fn attempt_ctx(caller: &Caller, quiz: QuizCtx, attempt: quiz_submission::Model) -> ApiResult<AttemptCtx> {
    if attempt.quiz_id != quiz.quiz.id {
        return Err(not_found());
    }
    let owner = caller.user_id() == Some(attempt.user_id);
    let grader = is_grader(caller, &quiz);
    if !owner && !grader {
        return Err(not_found());
    }
    Ok(AttemptCtx { quiz, attempt, owner })
}

async fn load_in_quiz(state: &AppState, caller: &Caller, course: &str, quiz_id: i64, id: i64) -> ApiResult<AttemptCtx> {
    let quiz = load(state, caller, course, quiz_id).await?;
    let attempt = attempts::find(state.store.read(), &caller.scope, id).await.map_err(|e| match e {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    attempt_ctx(caller, quiz, attempt)
}

/// An attempt by its own id (`/quiz_submissions/:id`): a caller who may not see it gets 404.
async fn load_by_id(state: &AppState, caller: &Caller, id: i64) -> ApiResult<AttemptCtx> {
    let attempt = attempts::find(state.store.read(), &caller.scope, id).await.map_err(|e| match e {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    let quiz = match load(state, caller, &attempt.course_id.to_string(), attempt.quiz_id).await {
        Ok(q) => q,
        Err(e) if e.code.status() == 401 || e.code.status() == 404 => return Err(not_found()),
        Err(e) => return Err(e),
    };
    attempt_ctx(caller, quiz, attempt)
}

/// The caller's address, as the rate limiter sees it (the proxy's view when the proxy is trusted).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::rate_limit::middleware::client_ip_of_parts(parts, state.base_url.trust_proxy)))
    }
}

/// The unlock and lock dates that apply to a student: the quiz's assignment's, with the student's overrides.
async fn student_dates(state: &AppState, caller: &Caller, ctx: &QuizCtx, user_id: i64) -> ApiResult<Dates> {
    let quiz = &ctx.quiz;
    let own = Dates { unlock_at: quiz.unlock_at, due_at: quiz.due_at, lock_at: quiz.lock_at };
    let Some(assignment_id) = quiz.assignment_id else { return Ok(own) };
    let read = state.store.read();
    let assignment = match assignments::find(read, &caller.scope, ctx.course.course.id, &IdRef::Id(assignment_id)).await
    {
        Ok(a) => a,
        Err(assay_store::StoreError::NotFound) => return Ok(own),
        Err(other) => return Err(other.into()),
    };
    let overrides: Vec<rules::Override> = assignments::overrides::of_assignment(read, &caller.scope, assignment_id)
        .await?
        .iter()
        .map(OverrideView::rule)
        .collect();
    // Where the student stands (sections, groups) matters only to overrides; most assignments have none.
    let place = if overrides.is_empty() {
        None
    } else {
        assignments::student_place(read, &caller.scope, ctx.course.course.id, user_id).await?
    };
    let applicable = match &place {
        Some(place) => rules::applicable(&overrides, place),
        None => Vec::new(),
    };
    Ok(rules::effective_dates(&assignments::dates(&assignment), &applicable))
}

// ---- JSON ------------------------------------------------------------------------------------------------------

/// One attempt (Canvas's QuizSubmission).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizSubmissionJson {
    pub id: i64,
    pub quiz_id: i64,
    pub quiz_version: i32,
    pub user_id: i64,
    pub submission_id: Option<i64>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The deadline: the earlier of start + time limit + extra time and the lock date (with extensions).
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub attempt: i32,
    pub extra_attempts: i32,
    pub extra_time: i32,
    pub manually_unlocked: bool,
    /// Seconds.
    pub time_spent: i64,
    /// The attempt's score (hidden from the student while results are hidden or not posted).
    pub score: Option<f64>,
    pub score_before_regrade: Option<f64>,
    /// The score that counts by the quiz's scoring policy.
    pub kept_score: Option<f64>,
    pub fudge_points: f64,
    pub has_seen_results: bool,
    /// `untaken` (in progress), `pending_review` or `complete`.
    pub workflow_state: String,
    pub overdue_and_needs_submission: bool,
    /// Assay: the server submitted it because its deadline passed.
    pub overdue: bool,
    pub quiz_points_possible: f64,
    /// Only for the student taking it, while it is in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_token: Option<String>,
    pub html_url: String,
    pub result_url: String,
}

/// What rendering attempts needs beyond the rows.
struct RenderCtx<'a> {
    caller: &'a Caller,
    quiz: &'a QuizCtx,
    base: String,
    extra_attempts: HashMap<i64, i32>,
    /// The quiz's submissions of the users shown, by user.
    submissions: HashMap<i64, submission::Model>,
    post_manually: bool,
}

impl RenderCtx<'_> {
    /// Whether the caller may see this attempt's score: graders always; the student once the quiz shows results
    /// and, for a graded quiz, once its grade is posted.
    fn shows_score(&self, a: &quiz_submission::Model) -> bool {
        if is_grader(self.caller, self.quiz) {
            return true;
        }
        if self.quiz.quiz.hide_results.as_deref() == Some("always") {
            return false;
        }
        match self.quiz.quiz.assignment_id {
            None => true,
            Some(_) => !self.post_manually || self.submissions.get(&a.user_id).is_some_and(|s| s.posted_at.is_some()),
        }
    }

    fn render(&self, a: &quiz_submission::Model) -> QuizSubmissionJson {
        let now = chrono::Utc::now();
        let shows = self.shows_score(a);
        let until = a.finished_at.unwrap_or_else(|| a.end_at.map_or(now, |end| end.min(now)));
        let (course, quiz) = (self.quiz.course.course.id, a.quiz_id);
        QuizSubmissionJson {
            id: a.id,
            quiz_id: a.quiz_id,
            quiz_version: 1,
            user_id: a.user_id,
            submission_id: a.submission_id,
            started_at: a.started_at,
            finished_at: a.finished_at,
            end_at: a.end_at,
            attempt: a.attempt,
            extra_attempts: self.extra_attempts.get(&a.user_id).copied().unwrap_or(0),
            extra_time: a.extra_time,
            manually_unlocked: a.manually_unlocked,
            time_spent: (until - a.started_at).num_seconds().max(0),
            score: a.score.filter(|_| shows),
            score_before_regrade: None,
            kept_score: self.submissions.get(&a.user_id).and_then(|s| s.score).filter(|_| shows),
            fudge_points: a.fudge_points,
            has_seen_results: false,
            workflow_state: a.workflow_state.clone(),
            overdue_and_needs_submission: a.workflow_state == attempts::UNTAKEN && a.end_at.is_some_and(|e| e <= now),
            overdue: a.overdue,
            quiz_points_possible: a.points_possible,
            validation_token: (self.caller.user_id() == Some(a.user_id) && a.workflow_state == attempts::UNTAKEN)
                .then(|| a.validation_token.clone()),
            html_url: format!("{}/courses/{course}/quizzes/{quiz}/submissions/{}", self.base, a.id),
            result_url: format!("{}/courses/{course}/quizzes/{quiz}/history?quiz_submission_id={}", self.base, a.id),
        }
    }
}

async fn render_ctx<'a>(
    state: &AppState,
    caller: &'a Caller,
    quiz: &'a QuizCtx,
    headers: &HeaderMap,
    users: &[i64],
) -> ApiResult<RenderCtx<'a>> {
    let read = state.store.read();
    let mut extra_attempts = HashMap::new();
    let mut subs = HashMap::new();
    let mut post_manually = false;
    if let Some(assignment_id) = quiz.quiz.assignment_id {
        post_manually = assignments::find(read, &caller.scope, quiz.course.course.id, &IdRef::Id(assignment_id))
            .await
            .map(|a| a.post_manually)
            .unwrap_or(false);
    }
    let mut seen = Vec::new();
    for user in users {
        if seen.contains(user) {
            continue;
        }
        seen.push(*user);
        if let Some(ext) = quizzes::extension_of(read, &caller.scope, quiz.quiz.id, *user).await? {
            extra_attempts.insert(*user, ext.extra_attempts);
        }
        if let Some(assignment_id) = quiz.quiz.assignment_id
            && let Some(s) = submissions::find(read, &caller.scope, assignment_id, *user).await?
        {
            subs.insert(*user, s);
        }
    }
    Ok(RenderCtx {
        caller,
        quiz,
        base: state.base_url.resolve(headers),
        extra_attempts,
        submissions: subs,
        post_manually,
    })
}

/// `{"quiz_submissions": [QuizSubmission]}`, Canvas's envelope for one attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizSubmissionsJson {
    pub quiz_submissions: Vec<QuizSubmissionJson>,
}

async fn one(
    state: &AppState,
    caller: &Caller,
    quiz: &QuizCtx,
    headers: &HeaderMap,
    a: &quiz_submission::Model,
) -> ApiResult<QuizSubmissionsJson> {
    let ctx = render_ctx(state, caller, quiz, headers, &[a.user_id]).await?;
    Ok(QuizSubmissionsJson { quiz_submissions: vec![ctx.render(a)] })
}

// ---- Attempts ------------------------------------------------------------------------------------------------

/// The quiz's attempts: graders see everyone's, a student their own. `{"quiz_submissions": [...]}`.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), crate::pagination::PageQuery),
    responses((status = 200, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_attempts(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id)): PathParams<(String, i64)>,
    pagination: Pagination,
) -> ApiResult<Paginated<QuizSubmissionJson>> {
    let quiz = load(&state, &caller, &course_id, quiz_id).await?;
    let only = if is_grader(&caller, &quiz) {
        None
    } else {
        // Someone who is neither grader nor a user (an API key) has no attempts of their own.
        Some(caller.user_id().unwrap_or(0))
    };
    let page = attempts::list(state.store.read(), &caller.scope, quiz.quiz.id, only, &pagination.request).await?;
    let users: Vec<i64> = page.items.iter().map(|a| a.user_id).collect();
    let ctx = render_ctx(&state, &caller, &quiz, &headers, &users).await?;
    let page = page.map(|a| ctx.render(&a));
    Ok(Paginated { page, pagination, root_key: Some("quiz_submissions") })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StartParams {
    /// The quiz's access code, when it has one.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub access_code: Option<String>,
}

/// Starts the caller's attempt, or returns the one in progress (a retry or a second device gets the same
/// attempt: 200; a new attempt: 201). Students only; the quiz's access code, IP filter, dates and attempts are
/// enforced here.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    request_body(content((StartParams = "application/json"), (StartParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionsJson), (status = 201, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn start_attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    ClientIp(ip): ClientIp,
    PathParams((course_id, quiz_id)): PathParams<(String, i64)>,
    Params(params): Params<StartParams>,
) -> ApiResult<Response> {
    let quiz = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::Submit, quiz.target())?;
    let user_id = caller.require_user()?.id;
    let read = state.store.read();
    if !quizzes::is_student(read, &caller.scope, quiz.course.course.id, user_id).await? {
        return Err(ApiError::unauthorized());
    }
    if quiz.quiz.workflow_state != quizzes::AVAILABLE {
        return Err(ApiError::new(Code::QuizLocked, "The quiz is not published."));
    }
    if !attempt::access_code_matches(quiz.quiz.access_code.as_deref(), params.access_code.as_deref()) {
        return Err(ApiError::bad_request(
            Code::InvalidAccessCode,
            "The access code is missing or wrong.",
            Some("/access_code".into()),
        ));
    }
    if let Some(filter) = quiz.quiz.ip_filter.as_deref().filter(|f| !f.trim().is_empty())
        && !ip.is_some_and(|ip| attempt::ip_allowed(filter, ip))
    {
        return Err(ApiError::new(Code::IpNotAllowed, "This quiz cannot be taken from your address."));
    }
    let extension = quizzes::extension_of(read, &caller.scope, quiz.quiz.id, user_id).await?;
    let (extra_attempts, extra_time, unlocked, extension_end) = extension
        .as_ref()
        .map_or((0, 0, false, None), |e| (e.extra_attempts, e.extra_time, e.manually_unlocked, e.end_at));
    let dates = student_dates(&state, &caller, &quiz, user_id).await?;
    let closes_at = attempt::closing(dates.lock_at, extension_end, unlocked);
    match attempt::may_start(chrono::Utc::now(), dates.unlock_at, closes_at, unlocked) {
        Availability::Open => {}
        Availability::NotYetOpen => return Err(ApiError::new(Code::QuizLocked, "The quiz is not unlocked yet.")),
        Availability::Closed => {
            return Err(ApiError::new(Code::QuizLocked, "The quiz is locked: its lock date has passed."));
        }
    }
    let rules = StartRules {
        allowed_attempts: quiz.quiz.allowed_attempts,
        extra_attempts,
        time_limit: quiz.quiz.time_limit,
        extra_time,
        closes_at,
        manually_unlocked: unlocked,
    };
    // A retry, a double click or a second device finds the attempt in progress without waiting for the writer.
    let now = assay_store::now();
    let resumed = attempts::of_user(read, &caller.scope, quiz.quiz.id, user_id)
        .await?
        .into_iter()
        .find(|a| attempts::is_open(a, now));
    let outcome = match resumed {
        Some(open) => StartOutcome::Resumed(open),
        None => {
            let prepared = quizzes::composition(read, &caller.scope, quiz.quiz.id).await?;
            let (scope, actor, quiz_row) = (caller.scope, caller.actor(), quiz.quiz.clone());
            state
                .store
                .write_grouped(move |txn| {
                    Box::pin(async move {
                        attempts::start(txn, &scope, &quiz_row, user_id, &rules, Some(prepared), actor).await
                    })
                })
                .await?
        }
    };
    let (status, attempt) = match outcome {
        StartOutcome::Started(a) => (StatusCode::CREATED, a),
        StartOutcome::Resumed(a) => (StatusCode::OK, a),
        StartOutcome::NoAttemptsLeft => {
            return Err(ApiError::new(Code::AttemptsExhausted, "Every allowed attempt at this quiz has been used."));
        }
    };
    let body = one(&state, &caller, &quiz, &headers, &attempt).await?;
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::CREATED {
        let location = format!(
            "{}/api/v1/courses/{}/quizzes/{}/submissions/{}",
            state.base_url.resolve(&headers),
            quiz.course.course.id,
            quiz.quiz.id,
            attempt.id
        );
        if let Ok(value) = axum::http::HeaderValue::from_str(&location) {
            response.headers_mut().insert(axum::http::header::LOCATION, value);
        }
    }
    Ok(response)
}

/// One attempt: its student's or, for graders, anyone's.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id, id)): PathParams<(String, i64, i64)>,
) -> ApiResult<Json<QuizSubmissionsJson>> {
    let ctx = load_in_quiz(&state, &caller, &course_id, quiz_id, id).await?;
    Ok(Json(one(&state, &caller, &ctx.quiz, &headers, &ctx.attempt).await?))
}

/// The caller's latest attempt at the quiz (`{"quiz_submissions": []}` when there is none).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submission", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    responses((status = 200, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn current_attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id)): PathParams<(String, i64)>,
) -> ApiResult<Json<QuizSubmissionsJson>> {
    let quiz = load(&state, &caller, &course_id, quiz_id).await?;
    let user_id = caller.require_user()?.id;
    let mine = attempts::of_user(state.store.read(), &caller.scope, quiz.quiz.id, user_id).await?;
    match mine.last() {
        Some(latest) => Ok(Json(one(&state, &caller, &quiz, &headers, latest).await?)),
        None => Ok(Json(QuizSubmissionsJson { quiz_submissions: Vec::new() })),
    }
}

/// `attempt` and `validation_token`, which every change a student makes to an attempt carries.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AttemptToken {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub attempt: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub validation_token: Option<String>,
}

/// Only the student who took the attempt changes it, with its token and (if sent) its attempt number.
fn check_token(ctx: &AttemptCtx, sent: &AttemptToken) -> ApiResult<()> {
    if !ctx.owner {
        return Err(ApiError::unauthorized());
    }
    let token_ok = sent.validation_token.as_deref().is_some_and(|t| {
        use subtle::ConstantTimeEq;
        bool::from(t.as_bytes().ct_eq(ctx.attempt.validation_token.as_bytes()))
    });
    if !token_ok {
        return Err(ApiError::bad_request(
            Code::InvalidValidationToken,
            "The validation_token is missing or does not belong to this attempt.",
            Some("/validation_token".into()),
        ));
    }
    if let Some(n) = sent.attempt
        && n != i64::from(ctx.attempt.attempt)
    {
        return Err(closed(&format!("Attempt {n} is not the attempt in progress ({}).", ctx.attempt.attempt)));
    }
    Ok(())
}

fn closed(message: &str) -> ApiError {
    ApiError::new(Code::AttemptClosed, message)
}

fn closed_attempt(a: &quiz_submission::Model) -> ApiError {
    if a.overdue {
        closed("The attempt's deadline has passed; it was submitted with the answers saved before it.")
    } else {
        closed("The attempt has been submitted and takes no more answers.")
    }
}

/// Submits the attempt: every answer is scored now (essays and uploads wait for a grader: `pending_review`) and
/// the kept score goes to the quiz's submission.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}/complete", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    request_body(content((AttemptToken = "application/json"), (AttemptToken = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn complete_attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id, id)): PathParams<(String, i64, i64)>,
    Params(params): Params<AttemptToken>,
) -> ApiResult<Json<QuizSubmissionsJson>> {
    let ctx = load_in_quiz(&state, &caller, &course_id, quiz_id, id).await?;
    check_token(&ctx, &params)?;
    if ctx.attempt.workflow_state != attempts::UNTAKEN {
        return Err(closed_attempt(&ctx.attempt));
    }
    let (scope, actor, attempt_id) = (caller.scope, caller.actor(), ctx.attempt.id);
    let how = if attempts::is_open(&ctx.attempt, assay_store::now()) {
        attempts::Finish::Submitted
    } else {
        attempts::Finish::Overdue
    };
    let finished = state
        .store
        .write_grouped(move |txn| Box::pin(async move { attempts::finish(txn, &scope, attempt_id, how, actor).await }))
        .await?;
    Ok(Json(one(&state, &caller, &ctx.quiz, &headers, &finished).await?))
}

/// A grader's changes to one attempt: `quiz_submissions[][attempt]`, `[fudge_points]`, and per question
/// `[questions][<question id>][score]` / `[comment]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GradeParams {
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub quiz_submissions: Value,
}

fn list_of(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Object(map) if map.keys().all(|k| k.parse::<usize>().is_ok()) => {
            let mut entries: Vec<(usize, &Value)> =
                map.iter().filter_map(|(k, v)| Some((k.parse().ok()?, v))).collect();
            entries.sort_by_key(|(i, _)| *i);
            entries.into_iter().map(|(_, v)| v.clone()).collect()
        }
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite() && x.abs() <= 1_000_000.0)
}

/// Scores and comments an attempt by hand (graders). Answers that waited for a grader get their points here;
/// once none waits the attempt is `complete` and the quiz's submission is graded.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    request_body(content((GradeParams = "application/json"), (GradeParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn grade_attempt(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, quiz_id, id)): PathParams<(String, i64, i64)>,
    Params(params): Params<GradeParams>,
) -> ApiResult<Json<QuizSubmissionsJson>> {
    let ctx = load_in_quiz(&state, &caller, &course_id, quiz_id, id).await?;
    caller.require(Permission::ManageGrades, ctx.quiz.target())?;
    if ctx.attempt.workflow_state == attempts::UNTAKEN {
        return Err(ApiError::new(Code::Conflict, "The attempt is still in progress; grade it once it is submitted."));
    }
    let draw = attempts::drawn(&ctx.attempt)?;
    let entries = list_of(&params.quiz_submissions);
    let Some(entry) = entries.first().and_then(Value::as_object) else {
        return Err(ApiError::invalid_field("/quiz_submissions", "must hold one attempt's changes"));
    };
    let mut errors = Vec::new();
    if let Some(n) = entry.get("attempt").filter(|v| !v.is_null())
        && number(n) != Some(f64::from(ctx.attempt.attempt))
    {
        errors.push(FieldError {
            pointer: "/quiz_submissions/0/attempt".into(),
            message: format!("is not this attempt's number ({})", ctx.attempt.attempt),
        });
    }
    let fudge = match entry.get("fudge_points").filter(|v| !is_empty(v)) {
        None => None,
        Some(v) => match number(v) {
            Some(x) => Some(x),
            None => {
                errors.push(FieldError {
                    pointer: "/quiz_submissions/0/fudge_points".into(),
                    message: "must be a number".into(),
                });
                None
            }
        },
    };
    let mut changes = Vec::new();
    if let Some(questions) = entry.get("questions") {
        let Some(map) = questions.as_object() else {
            return Err(ApiError::invalid_field(
                "/quiz_submissions/0/questions",
                "must be an object keyed by question id",
            ));
        };
        for (key, change) in map {
            let pointer = format!("/quiz_submissions/0/questions/{key}");
            let Some(question_id) = key.parse::<i64>().ok().filter(|q| draw.iter().any(|d| d.question_id == *q)) else {
                errors.push(FieldError { pointer, message: "is not a question of this attempt".into() });
                continue;
            };
            let score = match change.get("score").filter(|v| !is_empty(v)) {
                None => None,
                Some(v) => match number(v) {
                    Some(x) => Some(x),
                    None => {
                        errors.push(FieldError {
                            pointer: format!("{pointer}/score"),
                            message: "must be a number".into(),
                        });
                        None
                    }
                },
            };
            let comment = change.get("comment").and_then(|c| c.as_str()).map(crate::canvas_question::sanitize_html);
            changes.push(GradeChange { question_id, score, comment });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let (scope, actor, attempt_id) = (caller.scope, caller.actor(), ctx.attempt.id);
    let graded = state
        .store
        .write(move |txn| {
            Box::pin(async move { attempts::grade(txn, &scope, attempt_id, &changes, fudge, actor).await })
        })
        .await?;
    Ok(Json(one(&state, &caller, &ctx.quiz, &headers, &graded).await?))
}

fn is_empty(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())
}

/// `end_at` and the seconds left (`time_left`, null without a deadline).
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeJson {
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
    pub time_left: Option<i64>,
}

/// The attempt's deadline and the seconds left before it.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}/time", tag = "Quiz Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = TimeJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn attempt_time(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, quiz_id, id)): PathParams<(String, i64, i64)>,
) -> ApiResult<Json<TimeJson>> {
    let ctx = load_in_quiz(&state, &caller, &course_id, quiz_id, id).await?;
    let now = chrono::Utc::now();
    let time_left = ctx
        .attempt
        .end_at
        .map(|end| if ctx.attempt.workflow_state == attempts::UNTAKEN { (end - now).num_seconds().max(0) } else { 0 });
    Ok(Json(TimeJson { end_at: ctx.attempt.end_at, time_left }))
}

// ---- Questions ---------------------------------------------------------------------------------------------------

/// The attempt's questions and bodies (frozen versions), in the attempt's order.
struct Questions {
    draw: Vec<DrawnQuestion>,
    versions: HashMap<i64, Version>,
}

async fn questions_of(state: &AppState, attempt: &quiz_submission::Model) -> ApiResult<Questions> {
    let draw = attempts::drawn(attempt)?;
    let versions = attempts::shown_versions(&state.store, &draw).await?;
    Ok(Questions { draw, versions })
}

/// `{"quiz_submission_questions": [...]}`: each question as its candidate sees it (no answer keys), with the
/// answer saved and whether it is flagged.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizSubmissionQuestionsJson {
    #[schema(value_type = Vec<Object>)]
    pub quiz_submission_questions: Vec<Value>,
}

fn render_questions(
    attempt: &quiz_submission::Model,
    q: &Questions,
    answers: &HashMap<i64, quiz_answer::Model>,
    only: Option<&[i64]>,
) -> QuizSubmissionQuestionsJson {
    let items = q
        .draw
        .iter()
        .filter(|d| only.is_none_or(|ids| ids.contains(&d.question_id)))
        .filter_map(|d| {
            let body = &q.versions.get(&d.question_id)?.1;
            let body = attempts::as_drawn(body, d);
            let saved = answers.get(&d.question_id);
            let response = saved.and_then(attempts::response_of);
            Some(canvas_answer::candidate_question(
                &body,
                d,
                &attempts::variables(attempt, &body, d.question_id),
                response.as_ref(),
                saved.is_some_and(|a| a.flagged),
            ))
        })
        .collect();
    QuizSubmissionQuestionsJson { quiz_submission_questions: items }
}

/// The attempt's questions as its candidate sees them: text, options in the attempt's order, the answer saved,
/// the flag. Never an answer key (no weights, accepted answers, feedback or formulas), for anyone.
#[utoipa::path(get, path = "/api/v1/quiz_submissions/{id}/questions", tag = "Quiz Submissions",
    params(("id" = i64, Path, description = "The attempt (quiz submission) id")),
    responses((status = 200, body = QuizSubmissionQuestionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_questions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<Json<QuizSubmissionQuestionsJson>> {
    let ctx = load_by_id(&state, &caller, id).await?;
    let q = questions_of(&state, &ctx.attempt).await?;
    let answers = attempts::answers(state.store.read(), ctx.attempt.id).await?;
    Ok(Json(render_questions(&ctx.attempt, &q, &answers, None)))
}

/// Answers: `attempt`, `validation_token`, `quiz_questions[][id]`, `quiz_questions[][answer]` (Canvas's answer
/// formats), and Assay's `quiz_questions[][seq]` (or one `seq` for all): a save is applied only when its `seq` is
/// higher than the stored one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnswerParams {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub attempt: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub validation_token: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub seq: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub quiz_questions: Value,
}

/// Saves answers to questions of the caller's attempt in progress; returns those questions as saved. Refused
/// with `attempt_closed` once the attempt is submitted or its deadline passed.
#[utoipa::path(post, path = "/api/v1/quiz_submissions/{id}/questions", tag = "Quiz Submissions",
    params(("id" = i64, Path, description = "The attempt (quiz submission) id")),
    request_body(content((AnswerParams = "application/json"), (AnswerParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionQuestionsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn answer_questions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    Params(params): Params<AnswerParams>,
) -> ApiResult<Json<QuizSubmissionQuestionsJson>> {
    let ctx = load_by_id(&state, &caller, id).await?;
    check_token(&ctx, &AttemptToken { attempt: params.attempt, validation_token: params.validation_token.clone() })?;
    if ctx.attempt.workflow_state != attempts::UNTAKEN {
        return Err(closed_attempt(&ctx.attempt));
    }
    let q = questions_of(&state, &ctx.attempt).await?;
    let mut saves = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in list_of(&params.quiz_questions).iter().enumerate() {
        let pointer = format!("/quiz_questions/{i}");
        let Some(map) = item.as_object() else {
            errors.push(FieldError { pointer, message: "must be an object with id and answer".into() });
            continue;
        };
        let question_id = map.get("id").and_then(number).map(|x| x as i64);
        let Some((question_id, body)) = question_id.and_then(|qid| q.versions.get(&qid).map(|v| (qid, &v.1))) else {
            errors.push(FieldError {
                pointer: format!("{pointer}/id"),
                message: "is not a question of this attempt".into(),
            });
            continue;
        };
        let seq = match map.get("seq").filter(|v| !is_empty(v)) {
            None => params.seq,
            Some(v) => match number(v).filter(|x| x.fract() == 0.0 && *x >= 0.0) {
                Some(x) => Some(x as i64),
                None => {
                    errors.push(FieldError {
                        pointer: format!("{pointer}/seq"),
                        message: "must be a whole number, 0 or more".into(),
                    });
                    continue;
                }
            },
        };
        match canvas_answer::read(body, map.get("answer").unwrap_or(&Value::Null), &format!("{pointer}/answer")) {
            Ok(response) => saves.push(AnswerSave { question_id, response, seq }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let asked: Vec<i64> = saves.iter().map(|s| s.question_id).collect();
    let (scope, attempt_id) = (caller.scope, ctx.attempt.id);
    // Autosaves are the one write every candidate makes every few seconds: they commit in groups.
    let outcome = state
        .store
        .write_grouped(move |txn| {
            Box::pin(async move { attempts::save_answers(txn, &scope, attempt_id, &saves).await })
        })
        .await?;
    match outcome {
        SaveOutcome::Saved(answers) => Ok(Json(render_questions(&ctx.attempt, &q, &answers, Some(&asked)))),
        SaveOutcome::Closed(a) => Err(closed_attempt(&a)),
    }
}

async fn set_flag(
    state: AppState,
    caller: Caller,
    id: i64,
    question_id: i64,
    sent: AttemptToken,
    flagged: bool,
) -> ApiResult<Json<QuizSubmissionQuestionsJson>> {
    let ctx = load_by_id(&state, &caller, id).await?;
    check_token(&ctx, &sent)?;
    if ctx.attempt.workflow_state != attempts::UNTAKEN {
        return Err(closed_attempt(&ctx.attempt));
    }
    let q = questions_of(&state, &ctx.attempt).await?;
    if !q.draw.iter().any(|d| d.question_id == question_id) {
        return Err(ApiError::not_found(Code::QuestionNotFound));
    }
    let (scope, attempt_id) = (caller.scope, ctx.attempt.id);
    let outcome = state
        .store
        .write(move |txn| {
            Box::pin(async move { attempts::set_flag(txn, &scope, attempt_id, question_id, flagged).await })
        })
        .await?;
    match outcome {
        SaveOutcome::Saved(answers) => Ok(Json(render_questions(&ctx.attempt, &q, &answers, Some(&[question_id])))),
        SaveOutcome::Closed(a) => Err(closed_attempt(&a)),
    }
}

/// Flags a question of the caller's attempt in progress, to come back to it.
#[utoipa::path(put, path = "/api/v1/quiz_submissions/{id}/questions/{question_id}/flag", tag = "Quiz Submissions",
    params(("id" = i64, Path, description = "The attempt (quiz submission) id"), ("question_id" = i64, Path)),
    request_body(content((AttemptToken = "application/json"), (AttemptToken = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionQuestionsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn flag_question(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(i64, i64)>,
    Params(params): Params<AttemptToken>,
) -> ApiResult<Json<QuizSubmissionQuestionsJson>> {
    set_flag(state, caller, id, question_id, params, true).await
}

/// Removes a question's flag.
#[utoipa::path(put, path = "/api/v1/quiz_submissions/{id}/questions/{question_id}/unflag", tag = "Quiz Submissions",
    params(("id" = i64, Path, description = "The attempt (quiz submission) id"), ("question_id" = i64, Path)),
    request_body(content((AttemptToken = "application/json"), (AttemptToken = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizSubmissionQuestionsJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn unflag_question(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, question_id)): PathParams<(i64, i64)>,
    Params(params): Params<AttemptToken>,
) -> ApiResult<Json<QuizSubmissionQuestionsJson>> {
    set_flag(state, caller, id, question_id, params, false).await
}
