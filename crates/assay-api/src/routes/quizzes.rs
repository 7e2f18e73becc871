//! Tests as Canvas classic quizzes (canvas-lms `quizzes_api`, `quiz_questions`, `quiz_groups`,
//! `quiz_extensions`; `specs/canvas.md` §3.10) and Inspera's test search and contributors:
//!
//! - `GET/POST /api/v1/courses/:course_id/quizzes` (search by `search_term`, `state[]`, and windows on the dates:
//!   `due_after`/`due_before`, `unlock_after`/`unlock_before`, `lock_after`/`lock_before`),
//!   `GET/PUT/DELETE …/quizzes/:id`, `POST …/quizzes/:id/reorder`;
//! - `GET/POST …/quizzes/:quiz_id/questions`, `GET/PUT/DELETE …/questions/:id` (Canvas question JSON, see
//!   `canvas_question`); a question sent with `question[quiz_group_id]` joins that group's pool;
//! - `POST …/quizzes/:quiz_id/groups`, `GET/PUT/DELETE …/groups/:id`, `POST …/groups/:id/reorder`;
//! - `POST …/quizzes/:quiz_id/extensions`;
//! - `GET/POST/DELETE …/quizzes/:quiz_id/contributors` (`edit` contributors may change the test, `grade`
//!   contributors may grade it);
//! - `GET /api/v1/accounts/:account_id/tests`: the same search across an account's courses and its
//!   sub-accounts', for administrators and reviewers.
//!
//! Every `…/courses/:course_id/quizzes…` endpoint is also served as `…/courses/:course_id/tests…`, and `quiz[…]`
//! bodies may say `test[…]` (see `crate::test_vocabulary`).
//!
//! Course managers (and `edit` contributors) change tests; students see published tests only, never their
//! questions or answer keys (delivery shows questions through attempts), and never the access code.

use assay_domain::{
    Code, FieldError, Validation,
    attempt::{Extend, RegradePolicy},
    policy::{Permission, QuizRole, Target},
    question::QuestionBody,
};
use assay_store::{
    attempts,
    courses::CourseView,
    entity::{quiz, quiz_contributor, quiz_extension, quiz_group},
    question_banks,
    questions::{NewQuestion, QuestionChange},
    quizzes::{self, ExtensionInput, GroupFields, Placed, PlacementChange, QuizFields, QuizFilter, Slot, Summary},
};
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, courses};
use crate::{
    AppState,
    auth::Caller,
    canvas_question::{self, CanvasQuestionJson},
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_quizzes, create_quiz))
        .routes(routes!(show_quiz, update_quiz, delete_quiz))
        .routes(routes!(reorder_quiz))
        .routes(routes!(list_questions, create_question))
        .routes(routes!(show_question, update_question, delete_question))
        .routes(routes!(create_groups))
        .routes(routes!(show_group, update_group, delete_group))
        .routes(routes!(reorder_group))
        .routes(routes!(set_extensions))
        .routes(routes!(list_contributors, add_contributor, remove_contributor))
        .routes(routes!(search_account_tests))
}

pub const QUIZ_TYPES: &[&str] = &["assignment", "practice_quiz", "graded_survey", "survey"];
pub const SCORING_POLICIES: &[&str] = &["keep_highest", "keep_latest", "keep_average"];
pub const HIDE_RESULTS: &[&str] = &["always", "until_after_last_attempt"];

// ---- Loading and permissions ---------------------------------------------------------------------------------

/// A quiz with its course and the caller's contributor role on it.
pub struct QuizCtx {
    pub course: CourseView,
    pub quiz: quiz::Model,
    pub contributor: Option<QuizRole>,
}

impl QuizCtx {
    pub fn target(&self) -> Target<'_> {
        Target::Quiz {
            course_id: self.course.course.id,
            account: &self.course.account_path,
            contributor: self.contributor,
        }
    }
}

fn not_found(err: assay_store::StoreError, code: Code) -> ApiError {
    match err {
        assay_store::StoreError::NotFound => ApiError::not_found(code),
        other => other.into(),
    }
}

/// Loads a quiz the caller may see: those who neither author nor grade it see it only once published.
pub async fn load(state: &AppState, caller: &Caller, course_raw: &str, quiz_id: i64) -> ApiResult<QuizCtx> {
    let course = courses::resolve(state, caller, course_raw, false).await?;
    let quiz = quizzes::find_current(&state.store, &caller.scope, course.course.id, quiz_id)
        .await
        .map_err(|e| not_found(e, Code::QuizNotFound))?;
    let contributor = match caller.user_id() {
        Some(user) => quizzes::contributor_role_current(&state.store, &caller.scope, quiz.id, user)
            .await?
            .and_then(|r| QuizRole::parse(&r)),
        None => None,
    };
    let ctx = QuizCtx { course, quiz, contributor };
    caller.require(Permission::ViewCourse, ctx.target())?;
    if ctx.quiz.workflow_state != quizzes::AVAILABLE && !may_see_keys(caller, &ctx) {
        return Err(ApiError::not_found(Code::QuizNotFound));
    }
    Ok(ctx)
}

/// Whether the caller may read questions and answer keys: those who author or grade the test.
fn may_see_keys(caller: &Caller, ctx: &QuizCtx) -> bool {
    caller.may(Permission::ManageCourse, ctx.target()) || caller.may(Permission::ManageGrades, ctx.target())
}

fn require_keys(caller: &Caller, ctx: &QuizCtx) -> ApiResult<()> {
    if may_see_keys(caller, ctx) { Ok(()) } else { Err(ApiError::unauthorized()) }
}

// ---- Quiz JSON -------------------------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizPermissions {
    pub read: bool,
    pub submit: bool,
    pub create: bool,
    pub manage: bool,
    pub read_statistics: bool,
    pub review_grades: bool,
    pub update: bool,
}

/// A quiz (Canvas's Quiz object).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizJson {
    pub id: i64,
    pub title: String,
    pub html_url: String,
    pub description: String,
    pub quiz_type: String,
    pub assignment_id: Option<i64>,
    pub assignment_group_id: Option<i64>,
    pub time_limit: Option<i32>,
    pub shuffle_answers: bool,
    /// Assay: draw the fixed questions in a random order per attempt.
    pub shuffle_questions: bool,
    pub hide_results: Option<String>,
    pub show_correct_answers: bool,
    pub show_correct_answers_last_attempt: bool,
    pub show_correct_answers_at: Option<chrono::DateTime<chrono::Utc>>,
    pub hide_correct_answers_at: Option<chrono::DateTime<chrono::Utc>>,
    pub one_time_results: bool,
    pub scoring_policy: String,
    pub allowed_attempts: i32,
    pub one_question_at_a_time: bool,
    pub question_count: i64,
    pub points_possible: f64,
    pub cant_go_back: bool,
    /// Only for those who manage the quiz.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub access_code: Option<Option<String>>,
    pub has_access_code: bool,
    pub ip_filter: Option<String>,
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub unlock_at: Option<chrono::DateTime<chrono::Utc>>,
    pub published: bool,
    pub unpublishable: bool,
    pub locked_for_user: bool,
    pub question_types: Vec<String>,
    pub permissions: QuizPermissions,
}

fn render_quiz(caller: &Caller, ctx: &QuizCtx, summary: Summary, base: &str) -> QuizJson {
    let q = &ctx.quiz;
    let manage = caller.may(Permission::ManageCourse, ctx.target());
    let now = chrono::Utc::now();
    let locked = !manage && (q.unlock_at.is_some_and(|t| t > now) || q.lock_at.is_some_and(|t| t < now));
    QuizJson {
        id: q.id,
        title: q.title.clone(),
        html_url: format!("{base}/courses/{}/quizzes/{}", q.course_id, q.id),
        description: q.description.clone(),
        quiz_type: q.quiz_type.clone(),
        assignment_id: q.assignment_id,
        assignment_group_id: q.assignment_group_id,
        time_limit: q.time_limit,
        shuffle_answers: q.shuffle_answers,
        shuffle_questions: q.shuffle_questions,
        hide_results: q.hide_results.clone(),
        show_correct_answers: q.show_correct_answers,
        show_correct_answers_last_attempt: q.show_correct_answers_last_attempt,
        show_correct_answers_at: q.show_correct_answers_at,
        hide_correct_answers_at: q.hide_correct_answers_at,
        one_time_results: q.one_time_results,
        scoring_policy: q.scoring_policy.clone(),
        allowed_attempts: q.allowed_attempts,
        one_question_at_a_time: q.one_question_at_a_time,
        question_count: summary.question_count,
        points_possible: summary.points_possible,
        cant_go_back: q.cant_go_back,
        access_code: manage.then(|| q.access_code.clone()),
        has_access_code: q.access_code.is_some(),
        ip_filter: q.ip_filter.clone(),
        due_at: q.due_at,
        lock_at: q.lock_at,
        unlock_at: q.unlock_at,
        published: q.workflow_state == quizzes::AVAILABLE,
        unpublishable: true,
        locked_for_user: locked,
        question_types: summary.question_types,
        permissions: QuizPermissions {
            read: true,
            submit: caller.may(Permission::Submit, ctx.target()),
            create: caller.may(
                Permission::ManageCourse,
                Target::Course { course_id: ctx.course.course.id, account: &ctx.course.account_path },
            ),
            manage,
            read_statistics: caller.may(Permission::ViewAllGrades, ctx.target()),
            review_grades: caller.may(Permission::ManageGrades, ctx.target()),
            update: manage,
        },
    }
}

async fn quiz_json(state: &AppState, caller: &Caller, ctx: &QuizCtx, headers: &HeaderMap) -> ApiResult<QuizJson> {
    let summary = quizzes::summary(state.store.read(), &caller.scope, ctx.quiz.id).await?;
    Ok(render_quiz(caller, ctx, summary, &state.base_url.resolve(headers)))
}

// ---- Quiz parameters -------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QuizParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub quiz_type: Option<String>,
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub assignment_group_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub time_limit: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub shuffle_answers: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub shuffle_questions: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub hide_results: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub show_correct_answers: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub show_correct_answers_last_attempt: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub show_correct_answers_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub hide_correct_answers_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub one_time_results: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub scoring_policy: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub allowed_attempts: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub one_question_at_a_time: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub cant_go_back: Option<bool>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub access_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_string")]
    #[schema(value_type = Option<String>)]
    pub ip_filter: Option<Option<String>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub lock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::nullable_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub unlock_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub published: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QuizParams {
    /// Also accepted as `test` (Assay's native vocabulary).
    #[serde(default, alias = "test")]
    pub quiz: QuizParamsFields,
}

fn valid_ip_filter(filter: &str) -> bool {
    filter.split(',').map(str::trim).all(|part| {
        let (addr, prefix) = part.split_once('/').unwrap_or((part, ""));
        addr.parse::<std::net::IpAddr>().is_ok() && (prefix.is_empty() || prefix.parse::<u8>().is_ok_and(|p| p <= 128))
    })
}

impl QuizParamsFields {
    fn validate(&self, current: Option<&quiz::Model>) -> Result<(), ApiError> {
        let mut v = Validation::new();
        v.text("/quiz/title", self.title.as_deref(), false, 255);
        if let Some(t) = &self.quiz_type
            && !QUIZ_TYPES.contains(&t.as_str())
        {
            v.add("/quiz/quiz_type", format!("must be one of {}", QUIZ_TYPES.join(", ")));
        }
        if let Some(p) = &self.scoring_policy
            && !SCORING_POLICIES.contains(&p.as_str())
        {
            v.add("/quiz/scoring_policy", format!("must be one of {}", SCORING_POLICIES.join(", ")));
        }
        if let Some(Some(h)) = &self.hide_results
            && !HIDE_RESULTS.contains(&h.as_str())
        {
            v.add("/quiz/hide_results", "must be always, until_after_last_attempt or null");
        }
        if let Some(Some(limit)) = self.time_limit
            && !(1..=100_000).contains(&limit)
        {
            v.add("/quiz/time_limit", "must be a positive number of minutes (or null for no limit)");
        }
        if let Some(a) = self.allowed_attempts
            && !(a == -1 || (1..=1000).contains(&a))
        {
            v.add("/quiz/allowed_attempts", "must be -1 (unlimited) or from 1 to 1000");
        }
        v.text("/quiz/access_code", self.access_code.clone().flatten().as_deref(), false, 255);
        if let Some(Some(ip)) = &self.ip_filter
            && !valid_ip_filter(ip)
        {
            v.add("/quiz/ip_filter", "must be IP addresses or CIDR ranges separated by commas");
        }
        let pick = |sent: Option<Option<chrono::DateTime<chrono::Utc>>>,
                    old: fn(&quiz::Model) -> Option<chrono::DateTime<chrono::Utc>>| {
            sent.unwrap_or_else(|| current.and_then(old))
        };
        let unlock = pick(self.unlock_at, |q| q.unlock_at);
        let due = pick(self.due_at, |q| q.due_at);
        let lock = pick(self.lock_at, |q| q.lock_at);
        if let (Some(u), Some(d)) = (unlock, due)
            && d < u
        {
            v.add("/quiz/due_at", "must not be before unlock_at");
        }
        if let (Some(d), Some(l)) = (due, lock)
            && l < d
        {
            v.add("/quiz/lock_at", "must not be before due_at");
        }
        if let (Some(u), Some(l)) = (unlock, lock)
            && l < u
        {
            v.add("/quiz/lock_at", "must not be before unlock_at");
        }
        let show = pick(self.show_correct_answers_at, |q| q.show_correct_answers_at);
        let hide = pick(self.hide_correct_answers_at, |q| q.hide_correct_answers_at);
        if let (Some(s), Some(h)) = (show, hide)
            && h < s
        {
            v.add("/quiz/hide_correct_answers_at", "must not be before show_correct_answers_at");
        }
        Ok(v.finish()?)
    }

    fn into_store(self) -> QuizFields {
        QuizFields {
            title: self.title.map(|t| t.trim().to_owned()),
            description: self.description.map(|d| canvas_question::sanitize_html(&d)),
            quiz_type: self.quiz_type,
            assignment_group_id: self.assignment_group_id,
            time_limit: self.time_limit.map(|t| t.map(|m| i32::try_from(m).unwrap_or(i32::MAX))),
            allowed_attempts: self.allowed_attempts.map(|a| i32::try_from(a).unwrap_or(1)),
            scoring_policy: self.scoring_policy,
            shuffle_answers: self.shuffle_answers,
            shuffle_questions: self.shuffle_questions,
            one_question_at_a_time: self.one_question_at_a_time,
            cant_go_back: self.cant_go_back,
            show_correct_answers: self.show_correct_answers,
            show_correct_answers_at: self.show_correct_answers_at,
            hide_correct_answers_at: self.hide_correct_answers_at,
            show_correct_answers_last_attempt: self.show_correct_answers_last_attempt,
            one_time_results: self.one_time_results,
            hide_results: self.hide_results,
            access_code: self.access_code,
            ip_filter: self.ip_filter,
            due_at: self.due_at,
            unlock_at: self.unlock_at,
            lock_at: self.lock_at,
            published: self.published,
        }
    }
}

/// Publishing needs every group to be able to draw what it picks.
async fn check_draws(state: &AppState, caller: &Caller, quiz_id: i64, pointer: &str) -> ApiResult<()> {
    let mut errors = Vec::new();
    for g in quizzes::groups(state.store.read(), &caller.scope, quiz_id).await? {
        let size = quizzes::pool_size(state.store.read(), &caller.scope, &g).await?;
        if u64::try_from(g.pick_count).unwrap_or(0) > size {
            errors.push(FieldError {
                pointer: pointer.to_owned(),
                message: format!(
                    "question group {} ({}) picks {} question(s) but its {} has {size}",
                    g.id,
                    g.name,
                    g.pick_count,
                    if g.bank_id.is_some() { "bank" } else { "pool" }
                ),
            });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// Inspera's test search: the filters of a course's test list and of an account's.
#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct QuizListParams {
    /// Part of the title, case-insensitive.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub search_term: Option<String>,
    /// `published` (or `available`), `unpublished`.
    #[serde(default, rename = "state[]", alias = "state", deserialize_with = "de::string_list")]
    pub state: Vec<String>,
    /// Due at or after this time (ISO 8601); tests without a due date are left out.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub due_after: Option<String>,
    /// Due at or before this time.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub due_before: Option<String>,
    /// Opening (`unlock_at`) at or after this time; tests open from the start are left out.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub unlock_after: Option<String>,
    /// Open by this time: `unlock_at` at or before it, or no `unlock_at`.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub unlock_before: Option<String>,
    /// Still open at this time: `lock_at` at or after it, or no `lock_at`.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub lock_after: Option<String>,
    /// Closing (`lock_at`) at or before this time; tests that never close are left out.
    #[serde(default, deserialize_with = "de::opt_string")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub lock_before: Option<String>,
}

impl QuizListParams {
    /// The store filter, for a caller who may (`sees_unpublished`) or may not see unpublished tests. Unreadable
    /// states or times, and a window whose end is before its start: 422 with a pointer to the parameter.
    pub fn filter(&self, sees_unpublished: bool) -> ApiResult<QuizFilter> {
        let mut v = Validation::new();
        let mut states = Vec::new();
        for (i, s) in self.state.iter().enumerate() {
            match s.as_str() {
                "published" | "available" => states.push(quizzes::AVAILABLE.to_owned()),
                "unpublished" => states.push(quizzes::UNPUBLISHED.to_owned()),
                _ => v.add(format!("/state/{i}"), "must be published or unpublished"),
            }
        }
        if !sees_unpublished {
            // Students see published tests only: asking for unpublished ones alone finds nothing.
            let unpublished_only = !states.is_empty() && states.iter().all(|s| s == quizzes::UNPUBLISHED);
            states =
                if unpublished_only { vec![quizzes::DELETED.to_owned()] } else { vec![quizzes::AVAILABLE.to_owned()] };
        }
        let mut time = |name: &str, raw: &Option<String>| -> Option<chrono::DateTime<chrono::Utc>> {
            let raw = raw.as_deref().map(str::trim).filter(|r| !r.is_empty())?;
            let parsed = de::parse_time(raw);
            if parsed.is_none() {
                v.add(format!("/{name}"), format!("`{raw}` is not an ISO 8601 time such as 2026-01-31T23:59:00Z"));
            }
            parsed
        };
        let filter = QuizFilter {
            search_term: self.search_term.clone().filter(|s| !s.trim().is_empty()),
            states,
            due_after: time("due_after", &self.due_after),
            due_before: time("due_before", &self.due_before),
            unlock_after: time("unlock_after", &self.unlock_after),
            unlock_before: time("unlock_before", &self.unlock_before),
            lock_after: time("lock_after", &self.lock_after),
            lock_before: time("lock_before", &self.lock_before),
        };
        for (from, to, pointer) in [
            (filter.due_after, filter.due_before, "/due_before"),
            (filter.unlock_after, filter.unlock_before, "/unlock_before"),
            (filter.lock_after, filter.lock_before, "/lock_before"),
        ] {
            if let (Some(from), Some(to)) = (from, to)
                && to < from
            {
                v.add(pointer, "must not be before the start of its window");
            }
        }
        v.finish()?;
        Ok(filter)
    }
}

/// Renders a page of quizzes for the caller, each with its course's permissions and the caller's contributor role.
pub(crate) async fn render_quizzes(
    state: &AppState,
    caller: &Caller,
    quizzes_found: &[quiz::Model],
    course_of: impl Fn(i64) -> Option<CourseView>,
    base: &str,
) -> ApiResult<Vec<QuizJson>> {
    let mut items = Vec::with_capacity(quizzes_found.len());
    for quiz in quizzes_found {
        let course = course_of(quiz.course_id).ok_or_else(|| ApiError::not_found(Code::CourseNotFound))?;
        let contributor = match caller.user_id() {
            Some(user) => quizzes::contributor_role_current(&state.store, &caller.scope, quiz.id, user)
                .await?
                .and_then(|r| QuizRole::parse(&r)),
            None => None,
        };
        let ctx = QuizCtx { course, quiz: quiz.clone(), contributor };
        let summary = quizzes::summary(state.store.read(), &caller.scope, quiz.id).await?;
        items.push(render_quiz(caller, &ctx, summary, base));
    }
    Ok(items)
}

// ---- Quiz handlers ---------------------------------------------------------------------------------------------

/// The course's quizzes (students: published ones). Inspera's test search: `search_term` (title), `state[]`
/// (`published`, `unpublished`), and time windows on the due, unlock and lock dates.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), QuizListParams, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<QuizJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_quizzes(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams(course_id): crate::path::PathParams<String>,
    pagination: Pagination,
    Params(params): Params<QuizListParams>,
) -> ApiResult<Paginated<QuizJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    let target = Target::Course { course_id: course.course.id, account: &course.account_path };
    caller.require(Permission::ViewCourse, target)?;
    let filter = params.filter(caller.may(Permission::ManageCourse, target))?;
    let page = quizzes::list(state.store.read(), &caller.scope, course.course.id, &filter, &pagination.request).await?;
    let base = state.base_url.resolve(&headers);
    let items = render_quizzes(&state, &caller, &page.items, |_| Some(course.clone()), &base).await?;
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// The account-wide filter of the test search, on top of [`QuizListParams`].
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountTestQuery {
    /// Only this course's tests (id or `sis_course_id:X`); it must be within the account.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub course_id: Option<String>,
}

/// A test found by the account-wide search: the quiz with its course.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestSearchJson {
    #[serde(flatten)]
    pub quiz: QuizJson,
    pub course_id: i64,
}

/// Inspera's test search across an account: the tests (published or not) of every course of the account and of
/// its sub-accounts, by id, with the course filters: `search_term` (title), `state[]`, `course_id`, and time
/// windows on the due, unlock and lock dates. For those who manage or grade the account's courses
/// (administrators, reviewers).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/tests", tag = "Tests",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), QuizListParams, AccountTestQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<TestSearchJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn search_account_tests(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams(account_id): crate::path::PathParams<String>,
    pagination: Pagination,
    Params(raw): Params<Map<String, Value>>,
) -> ApiResult<Paginated<TestSearchJson>> {
    let account = super::accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    caller.require(Permission::ViewCourse, Target::Account(&path))?;
    if !caller.may(Permission::ManageCourse, Target::Account(&path))
        && !caller.may(Permission::ManageGrades, Target::Account(&path))
    {
        return Err(ApiError::unauthorized());
    }
    let search: QuizListParams = crate::params::from_tree(raw.clone())?;
    let narrow: AccountTestQuery = crate::params::from_tree(raw)?;
    let filter = search.filter(true)?;
    let course_id = match narrow.course_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => {
            let not_here = || ApiError::invalid_field("/course_id", format!("`{raw}` is not a course of this account"));
            let id =
                assay_domain::IdRef::parse(raw, "course", assay_store::courses::ID_PREFIXES).map_err(|_| not_here())?;
            let course = match assay_store::courses::find(state.store.read(), &caller.scope, &id, false).await {
                Ok(course) => course,
                Err(assay_store::StoreError::NotFound) => return Err(not_here()),
                Err(other) => return Err(other.into()),
            };
            if !course.account_path.is_within(&path) {
                return Err(not_here());
            }
            Some(course.course.id)
        }
    };
    let within = quizzes::SearchIn::Account { account: &account, course_id };
    let page = quizzes::search(state.store.read(), &caller.scope, within, &filter, &pagination.request).await?;
    let mut courses_by_id: std::collections::HashMap<i64, CourseView> = std::collections::HashMap::new();
    for quiz in &page.items {
        if let std::collections::hash_map::Entry::Vacant(slot) = courses_by_id.entry(quiz.course_id) {
            let id = assay_domain::IdRef::Id(quiz.course_id);
            slot.insert(assay_store::courses::find(state.store.read(), &caller.scope, &id, true).await?);
        }
    }
    let base = state.base_url.resolve(&headers);
    let rendered = render_quizzes(&state, &caller, &page.items, |id| courses_by_id.get(&id).cloned(), &base).await?;
    let items = rendered
        .into_iter()
        .zip(&page.items)
        .map(|(quiz, found)| TestSearchJson { quiz, course_id: found.course_id })
        .collect();
    Ok(Paginated::new(page.with_items(items), pagination))
}

/// Creates a quiz (`quiz[title]`, `quiz[quiz_type]`, `quiz[time_limit]`, …; unpublished unless
/// `quiz[published]`).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((QuizParams = "application/json"), (QuizParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = QuizJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_quiz(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams(course_id): crate::path::PathParams<String>,
    Params(params): Params<QuizParams>,
) -> ApiResult<Created<QuizJson>> {
    let course = courses::resolve(&state, &caller, &course_id, false).await?;
    caller.require(
        Permission::ManageCourse,
        Target::Course { course_id: course.course.id, account: &course.account_path },
    )?;
    params.quiz.validate(None)?;
    let fields = params.quiz.into_store();
    let (scope, actor, course_id) = (caller.scope, caller.actor(), course.course.id);
    let created = state
        .store
        .write(move |txn| Box::pin(async move { quizzes::create(txn, &scope, course_id, fields, actor).await }))
        .await?;
    let ctx = QuizCtx { course, quiz: created, contributor: None };
    let body = quiz_json(&state, &caller, &ctx, &headers).await?;
    let location =
        format!("{}/api/v1/courses/{}/quizzes/{}", state.base_url.resolve(&headers), ctx.course.course.id, ctx.quiz.id);
    Ok(Created { location, body })
}

/// One quiz.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = QuizJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_quiz(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams((course_id, id)): crate::path::PathParams<(String, i64)>,
) -> ApiResult<Json<QuizJson>> {
    let ctx = load(&state, &caller, &course_id, id).await?;
    Ok(Json(quiz_json(&state, &caller, &ctx, &headers).await?))
}

/// Changes a quiz; only the fields sent change. Publishing checks that every group can draw what it picks.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/quizzes/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    request_body(content((QuizParams = "application/json"), (QuizParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_quiz(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams((course_id, id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<QuizParams>,
) -> ApiResult<Json<QuizJson>> {
    let mut ctx = load(&state, &caller, &course_id, id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    params.quiz.validate(Some(&ctx.quiz))?;
    if params.quiz.published == Some(true) {
        check_draws(&state, &caller, ctx.quiz.id, "/quiz/published").await?;
    }
    let fields = params.quiz.into_store();
    let (scope, actor, current) = (caller.scope, caller.actor(), ctx.quiz.clone());
    ctx.quiz = state
        .store
        .write(move |txn| Box::pin(async move { quizzes::update(txn, &scope, &current, fields, actor).await }))
        .await?;
    Ok(Json(quiz_json(&state, &caller, &ctx, &headers).await?))
}

/// Deletes a quiz; answers with the quiz as it was.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/quizzes/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    responses((status = 200, body = QuizJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_quiz(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams((course_id, id)): crate::path::PathParams<(String, i64)>,
) -> ApiResult<Json<QuizJson>> {
    let ctx = load(&state, &caller, &course_id, id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let body = quiz_json(&state, &caller, &ctx, &headers).await?;
    let (scope, actor, current) = (caller.scope, caller.actor(), ctx.quiz.clone());
    state.store.write(move |txn| Box::pin(async move { quizzes::delete(txn, &scope, &current, actor).await })).await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OrderEntry {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub id: Option<i64>,
    /// `question` (default) or `group`.
    #[serde(default, rename = "type", deserialize_with = "de::opt_string")]
    pub kind: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OrderParams {
    #[serde(default)]
    pub order: Vec<OrderEntry>,
}

fn slots(order: &[OrderEntry], groups_allowed: bool) -> ApiResult<Vec<Slot>> {
    if order.is_empty() {
        return Err(ApiError::invalid_field("/order", "is required: a list of {id, type}"));
    }
    order
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = e.id.ok_or_else(|| ApiError::invalid_field(&format!("/order/{i}/id"), "is required"))?;
            match e.kind.as_deref().unwrap_or("question") {
                "question" => Ok(Slot::Question(id)),
                "group" if groups_allowed => Ok(Slot::Group(id)),
                _ => Err(ApiError::invalid_field(
                    &format!("/order/{i}/type"),
                    if groups_allowed { "must be question or group" } else { "must be question" },
                )),
            }
        })
        .collect()
}

/// Orders the quiz's fixed questions and groups (`order[][id]`, `order[][type]` = `question` | `group`).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{id}/reorder", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path)),
    request_body(content((OrderParams = "application/json"), (OrderParams = "application/x-www-form-urlencoded"))),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn reorder_quiz(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<OrderParams>,
) -> ApiResult<StatusCode> {
    let ctx = load(&state, &caller, &course_id, id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let order = slots(&params.order, true)?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    state
        .store
        .write(move |txn| Box::pin(async move { quizzes::reorder(txn, &scope, &quiz, None, &order, actor).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Quiz questions --------------------------------------------------------------------------------------------

/// A question of a quiz (Canvas's QuizQuestion): the Canvas question fields with its place in the quiz.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizQuestionJson {
    pub id: i64,
    pub quiz_id: i64,
    pub quiz_group_id: Option<i64>,
    pub position: i32,
    pub assessment_question_id: Option<i64>,
    /// Assay: the version of the question this content is.
    pub version: i32,
    #[serde(flatten)]
    pub question: CanvasQuestionJson,
}

fn render_question(p: &Placed) -> QuizQuestionJson {
    QuizQuestionJson {
        id: p.placement.id,
        quiz_id: p.placement.quiz_id,
        quiz_group_id: p.placement.quiz_group_id,
        position: p.placement.position,
        assessment_question_id: p.question.question.bank_id.map(|_| p.question.question.id),
        version: p.question.version.version,
        question: canvas_question::to_canvas(&p.question.body),
    }
}

/// `question[...]`: Canvas question fields (`question_name`, `question_type`, `question_text`,
/// `points_possible`, `answers[]`, …), plus `quiz_group_id` and `position`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QuestionParams {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub question: Map<String, Value>,
    /// Assay's name for Canvas's `question[regrade_option]`: `regrade[policy]`.
    #[serde(default)]
    pub regrade: RegradeParams,
}

/// How attempts already given a question are rescored when its answer key changes: `full_credit`,
/// `current_correct_only` or `current_and_previous_correct` (none, or `no_regrade`: they keep their scores).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RegradeParams {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub policy: Option<String>,
}

/// The regrade policy a question change asks for (`question[regrade_option]` or `regrade[policy]`).
fn regrade_policy(params: &QuestionParams) -> ApiResult<Option<RegradePolicy>> {
    let (pointer, sent) = match params.question.get("regrade_option") {
        Some(v) => ("/question/regrade_option", v.as_str().map(str::to_owned)),
        None => ("/regrade/policy", params.regrade.policy.clone()),
    };
    match sent.as_deref().map(str::trim) {
        None | Some("" | "no_regrade") => Ok(None),
        Some(name) => RegradePolicy::parse(name).map(Some).ok_or_else(|| {
            ApiError::invalid_field(
                pointer,
                "must be full_credit, current_correct_only, current_and_previous_correct or no_regrade",
            )
        }),
    }
}

/// Reads `quiz_group_id` and `position` from the question fields.
fn placement_fields(fields: &Map<String, Value>) -> ApiResult<(Option<Option<i64>>, Option<i32>)> {
    let int = |key: &str| -> ApiResult<Option<Option<i64>>> {
        match fields.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(Some(n.as_i64())),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(Some(s.trim().parse().ok())),
            Some(other) => {
                Err(ApiError::invalid_field(&format!("/question/{key}"), format!("must be an integer, found {other}")))
            }
        }
    };
    let group = int("quiz_group_id")?;
    let position = int("position")?.flatten().map(|p| i32::try_from(p).unwrap_or(i32::MAX));
    Ok((group, position))
}

async fn check_group(state: &AppState, caller: &Caller, quiz_id: i64, group: Option<Option<i64>>) -> ApiResult<()> {
    if let Some(Some(g)) = group {
        let found = quizzes::find_group(state.store.read(), &caller.scope, quiz_id, g).await;
        match found {
            Ok(group) if group.bank_id.is_some() => {
                return Err(ApiError::invalid_field(
                    "/question/quiz_group_id",
                    "this group draws from a question bank; add the question to the bank instead",
                ));
            }
            Ok(_) => {}
            Err(assay_store::StoreError::NotFound) => {
                return Err(ApiError::invalid_field("/question/quiz_group_id", "is not a group of this quiz"));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// The quiz's questions (fixed and in groups' pools), with answer keys: authors and graders only.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), crate::pagination::PageQuery),
    responses((status = 200, body = Vec<QuizQuestionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_questions(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    pagination: Pagination,
) -> ApiResult<Paginated<QuizQuestionJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    require_keys(&caller, &ctx)?;
    let placed = quizzes::placed(state.store.read(), &caller.scope, ctx.quiz.id).await?;
    let groups = quizzes::groups(state.store.read(), &caller.scope, ctx.quiz.id).await?;
    // Fixed questions and groups' pools in quiz order: a pool follows its group's position.
    let group_pos: std::collections::HashMap<i64, i32> = groups.iter().map(|g| (g.id, g.position)).collect();
    let mut rendered: Vec<((i32, i32, i64), QuizQuestionJson)> = placed
        .iter()
        .map(|p| {
            let key = match p.placement.quiz_group_id {
                Some(g) => (group_pos.get(&g).copied().unwrap_or(i32::MAX), p.placement.position, p.placement.id),
                None => (p.placement.position, 0, p.placement.id),
            };
            (key, render_question(p))
        })
        .collect();
    rendered.sort_by_key(|(k, _)| *k);
    let items: Vec<QuizQuestionJson> = rendered.into_iter().map(|(_, q)| q).collect();
    Ok(Paginated::from_vec(items, pagination))
}

/// Adds a question to the quiz (fixed, or into a group's pool with `question[quiz_group_id]`).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    request_body(content((QuestionParams = "application/json"), (QuestionParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = QuizQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_question(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<QuestionParams>,
) -> ApiResult<Created<QuizQuestionJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let (group, position) = placement_fields(&params.question)?;
    let body = canvas_question::from_canvas(&params.question, "/question")?;
    let body = canvas_question::prepare(body, "/question")?;
    check_group(&state, &caller, ctx.quiz.id, group).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let new = NewQuestion { body, tags: Vec::new(), external_id: None, position: None };
    let placed = state
        .store
        .write(move |txn| {
            Box::pin(
                async move { quizzes::add_question(txn, &scope, &quiz, group.flatten(), position, new, actor).await },
            )
        })
        .await?;
    let location = format!(
        "{}/api/v1/courses/{}/quizzes/{}/questions/{}",
        state.base_url.resolve(&headers),
        ctx.course.course.id,
        ctx.quiz.id,
        placed.placement.id
    );
    Ok(Created { location, body: render_question(&placed) })
}

async fn load_question(state: &AppState, caller: &Caller, ctx: &QuizCtx, id: i64) -> ApiResult<Placed> {
    quizzes::find_placed(state.store.read(), &caller.scope, ctx.quiz.id, id)
        .await
        .map_err(|e| not_found(e, Code::QuestionNotFound))
}

/// One question of the quiz, with its answer key: authors and graders only.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = QuizQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_question(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
) -> ApiResult<Json<QuizQuestionJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    require_keys(&caller, &ctx)?;
    let placed = load_question(&state, &caller, &ctx, id).await?;
    Ok(Json(render_question(&placed)))
}

/// Changes a question; the fields sent are laid over the current ones. A question already delivered to a
/// candidate gets a new version (attempts keep theirs), unless `question[regrade_option]` (or `regrade[policy]`)
/// asks to regrade them: `full_credit`, `current_correct_only` or `current_and_previous_correct` rescore the
/// attempts given an older version, update the students' submissions and record the regrade.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    request_body(content((QuestionParams = "application/json"), (QuestionParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizQuestionJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_question(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
    Params(params): Params<QuestionParams>,
) -> ApiResult<Json<QuizQuestionJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let current = load_question(&state, &caller, &ctx, id).await?;
    let (group, position) = placement_fields(&params.question)?;
    let regrade = regrade_policy(&params)?;
    let body: Option<QuestionBody> = if canvas_question::names_content(&params.question) {
        let merged = canvas_question::merge_canvas(&current.question.body, &params.question, "/question")?;
        Some(canvas_question::prepare(merged, "/question")?)
    } else {
        None
    };
    check_group(&state, &caller, ctx.quiz.id, group).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let change = QuestionChange { body, ..QuestionChange::default() };
    let placed = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let previous_version = current.question.version.id;
                let placed = quizzes::update_question(
                    txn,
                    &scope,
                    &quiz,
                    &current,
                    PlacementChange { group, position },
                    change,
                    actor,
                )
                .await?;
                // A delivered question whose content changed got a new version: attempts given an older one are
                // rescored in this transaction, by the policy asked for.
                if let Some(policy) = regrade
                    && placed.question.version.id != previous_version
                {
                    attempts::regrade_question(
                        txn,
                        &scope,
                        &quiz,
                        placed.question.question.id,
                        &placed.question.version,
                        policy,
                        actor,
                    )
                    .await?;
                }
                Ok(placed)
            })
        })
        .await?;
    Ok(Json(render_question(&placed)))
}

/// Removes a question from the quiz.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_question(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
) -> ApiResult<StatusCode> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let current = load_question(&state, &caller, &ctx, id).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    state
        .store
        .write(move |txn| Box::pin(async move { quizzes::remove_question(txn, &scope, &quiz, &current, actor).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Groups ----------------------------------------------------------------------------------------------------

/// A question group (Canvas's QuizGroup).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizGroupJson {
    pub id: i64,
    pub quiz_id: i64,
    pub name: String,
    pub pick_count: i32,
    pub question_points: f64,
    pub assessment_question_bank_id: Option<i64>,
    pub position: i32,
}

fn render_group(g: &quiz_group::Model) -> QuizGroupJson {
    QuizGroupJson {
        id: g.id,
        quiz_id: g.quiz_id,
        name: g.name.clone(),
        pick_count: g.pick_count,
        question_points: g.question_points,
        assessment_question_bank_id: g.bank_id,
        position: g.position,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizGroupsJson {
    pub quiz_groups: Vec<QuizGroupJson>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroupParamsFields {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub pick_count: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub question_points: Option<f64>,
    #[serde(default, deserialize_with = "de::nullable_i64")]
    #[schema(value_type = Option<i64>)]
    pub assessment_question_bank_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub position: Option<i64>,
}

/// `quiz_groups[][name|pick_count|question_points|assessment_question_bank_id]` (the first entry is used).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GroupParams {
    /// Also accepted as `test_groups`.
    #[serde(default, alias = "test_groups")]
    pub quiz_groups: Vec<GroupParamsFields>,
}

/// Checks a group's fields; with a bank, that the caller may use it and it holds enough questions.
async fn group_fields(
    state: &AppState,
    caller: &Caller,
    params: GroupParams,
    current: Option<&quiz_group::Model>,
    published: bool,
) -> ApiResult<GroupFields> {
    let f = params.quiz_groups.into_iter().next().unwrap_or_default();
    let mut v = Validation::new();
    v.text("/quiz_groups/0/name", f.name.as_deref(), false, 255);
    if let Some(p) = f.pick_count
        && !(0..=1000).contains(&p)
    {
        v.add("/quiz_groups/0/pick_count", "must be from 0 to 1000");
    }
    if let Some(p) = f.question_points
        && !(0.0..=1_000_000.0).contains(&p)
    {
        v.add("/quiz_groups/0/question_points", "must not be negative");
    }
    v.finish()?;
    let bank_id = f.assessment_question_bank_id.unwrap_or_else(|| current.and_then(|g| g.bank_id));
    let pick = f.pick_count.unwrap_or_else(|| current.map_or(1, |g| i64::from(g.pick_count)));
    if let Some(bank) = bank_id {
        let found = question_banks::find(state.store.read(), &caller.scope, &assay_domain::IdRef::Id(bank)).await;
        let bank = match found {
            Ok(b) => b,
            Err(assay_store::StoreError::NotFound) => {
                return Err(ApiError::invalid_field(
                    "/quiz_groups/0/assessment_question_bank_id",
                    "is not a question bank",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        if !super::question_banks::may_manage_bank(state, caller, &bank).await? {
            return Err(ApiError::invalid_field(
                "/quiz_groups/0/assessment_question_bank_id",
                "is not a question bank you may use",
            ));
        }
        let counts = question_banks::question_counts(state.store.read(), &caller.scope, &[bank.id]).await?;
        let size = counts.get(&bank.id).copied().unwrap_or(0);
        if u64::try_from(pick).unwrap_or(0) > size {
            return Err(ApiError::invalid_field(
                "/quiz_groups/0/pick_count",
                format!("picks {pick} question(s) but the bank has {size}"),
            ));
        }
    } else if let Some(g) = current
        && published
    {
        let size = quizzes::pool_size(state.store.read(), &caller.scope, g).await?;
        if u64::try_from(pick).unwrap_or(0) > size {
            return Err(ApiError::invalid_field(
                "/quiz_groups/0/pick_count",
                format!("picks {pick} question(s) but the group's pool has {size}"),
            ));
        }
    }
    Ok(GroupFields {
        name: f.name.map(|n| n.trim().to_owned()),
        pick_count: f.pick_count.map(|p| i32::try_from(p).unwrap_or(0)),
        question_points: f.question_points,
        bank_id: f.assessment_question_bank_id,
        position: f.position.map(|p| i32::try_from(p).unwrap_or(i32::MAX)),
    })
}

async fn load_group(state: &AppState, caller: &Caller, ctx: &QuizCtx, id: i64) -> ApiResult<quiz_group::Model> {
    quizzes::find_group(state.store.read(), &caller.scope, ctx.quiz.id, id)
        .await
        .map_err(|e| not_found(e, Code::QuizGroupNotFound))
}

/// Creates a question group: a pool of its own (add questions with `question[quiz_group_id]`), or drawing from a
/// bank (`assessment_question_bank_id`). Answers `{"quiz_groups": [group]}`.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 201, body = QuizGroupsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Created<QuizGroupsJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let fields = group_fields(&state, &caller, params, None, false).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let group = state
        .store
        .write(move |txn| Box::pin(async move { quizzes::create_group(txn, &scope, &quiz, fields, actor).await }))
        .await?;
    let location = format!(
        "{}/api/v1/courses/{}/quizzes/{}/groups/{}",
        state.base_url.resolve(&headers),
        ctx.course.course.id,
        ctx.quiz.id,
        group.id
    );
    Ok(Created { location, body: QuizGroupsJson { quiz_groups: vec![render_group(&group)] } })
}

/// One question group.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = QuizGroupJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_group(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
) -> ApiResult<Json<QuizGroupJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    require_keys(&caller, &ctx)?;
    Ok(Json(render_group(&load_group(&state, &caller, &ctx, id).await?)))
}

/// Changes a question group. Answers `{"quiz_groups": [group]}`.
#[utoipa::path(put, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    request_body(content((GroupParams = "application/json"), (GroupParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizGroupsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
    Params(params): Params<GroupParams>,
) -> ApiResult<Json<QuizGroupsJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let current = load_group(&state, &caller, &ctx, id).await?;
    let published = ctx.quiz.workflow_state == quizzes::AVAILABLE;
    let fields = group_fields(&state, &caller, params, Some(&current), published).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let group = state
        .store
        .write(move |txn| {
            Box::pin(async move { quizzes::update_group(txn, &scope, &quiz, &current, fields, actor).await })
        })
        .await?;
    Ok(Json(QuizGroupsJson { quiz_groups: vec![render_group(&group)] }))
}

/// Deletes a question group and the questions of its pool.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
) -> ApiResult<StatusCode> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let current = load_group(&state, &caller, &ctx, id).await?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    state
        .store
        .write(move |txn| Box::pin(async move { quizzes::delete_group(txn, &scope, &quiz, &current, actor).await }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Orders the questions of a group's pool (`order[][id]`, `order[][type]=question`).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}/reorder", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), ("id" = i64, Path)),
    request_body(content((OrderParams = "application/json"), (OrderParams = "application/x-www-form-urlencoded"))),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn reorder_group(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id, id)): crate::path::PathParams<(String, i64, i64)>,
    Params(params): Params<OrderParams>,
) -> ApiResult<StatusCode> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageCourse, ctx.target())?;
    let group = load_group(&state, &caller, &ctx, id).await?;
    let order = slots(&params.order, false)?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    state
        .store
        .write(move |txn| {
            Box::pin(async move { quizzes::reorder(txn, &scope, &quiz, Some(&group), &order, actor).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Extensions ------------------------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizExtensionJson {
    pub quiz_id: i64,
    pub user_id: i64,
    pub extra_attempts: i32,
    pub extra_time: i32,
    pub manually_unlocked: bool,
    pub end_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizExtensionsJson {
    pub quiz_extensions: Vec<QuizExtensionJson>,
}

fn render_extension(e: &quiz_extension::Model) -> QuizExtensionJson {
    QuizExtensionJson {
        quiz_id: e.quiz_id,
        user_id: e.user_id,
        extra_attempts: e.extra_attempts,
        extra_time: e.extra_time,
        manually_unlocked: e.manually_unlocked,
        end_at: e.end_at,
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExtensionParamsFields {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub extra_attempts: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub extra_time: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub manually_unlocked: Option<bool>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub extend_from_now: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub extend_from_end_at: Option<i64>,
}

/// `quiz_extensions[][user_id|extra_attempts|extra_time|manually_unlocked|extend_from_now|extend_from_end_at]`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExtensionParams {
    #[serde(default)]
    pub quiz_extensions: Vec<ExtensionParamsFields>,
}

/// Grants students extra attempts, extra time per attempt, a manual unlock or a later end (spec §3.10).
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/extensions", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    request_body(content((ExtensionParams = "application/json"), (ExtensionParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = QuizExtensionsJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn set_extensions(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<ExtensionParams>,
) -> ApiResult<Json<QuizExtensionsJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    caller.require(Permission::ManageGrades, ctx.target())?;
    if params.quiz_extensions.is_empty() {
        return Err(ApiError::invalid_field("/quiz_extensions", "is required: a list of extensions"));
    }
    let mut v = Validation::new();
    let mut inputs = Vec::with_capacity(params.quiz_extensions.len());
    let now = assay_store::now();
    for (i, e) in params.quiz_extensions.iter().enumerate() {
        let at = |f: &str| format!("/quiz_extensions/{i}/{f}");
        let Some(user_id) = e.user_id else {
            v.add(at("user_id"), "is required");
            continue;
        };
        if !quizzes::is_student(state.store.read(), &caller.scope, ctx.course.course.id, user_id).await? {
            v.add(at("user_id"), "is not a student of this course");
            continue;
        }
        let range = |v: &mut Validation, value: Option<i64>, field: &str, max: i64| {
            if let Some(n) = value
                && !(0..=max).contains(&n)
            {
                v.add(at(field), format!("must be from 0 to {max}"));
            }
        };
        range(&mut v, e.extra_attempts, "extra_attempts", 1000);
        range(&mut v, e.extra_time, "extra_time", 10080);
        range(&mut v, e.extend_from_now, "extend_from_now", 1440);
        range(&mut v, e.extend_from_end_at, "extend_from_end_at", 1440);
        let end_at = match (e.extend_from_now, e.extend_from_end_at) {
            (Some(_), Some(_)) => {
                v.add(at("extend_from_end_at"), "cannot be combined with extend_from_now");
                None
            }
            (Some(minutes), None) => Some(Some(now + chrono::TimeDelta::minutes(minutes))),
            (None, Some(minutes)) => {
                let read = state.store.read();
                let existing = quizzes::extension_of(read, &caller.scope, ctx.quiz.id, user_id).await?;
                let sitting = attempts::of_user(read, &caller.scope, ctx.quiz.id, user_id)
                    .await?
                    .iter()
                    .any(|a| a.workflow_state == attempts::UNTAKEN && a.end_at.is_some());
                match existing.and_then(|x| x.end_at) {
                    Some(end) => Some(Some(end + chrono::TimeDelta::minutes(minutes))),
                    // Only the attempt in progress has an end to move.
                    None if sitting => None,
                    None => {
                        v.add(at("extend_from_end_at"), "the student has no end time to extend; use extend_from_now");
                        None
                    }
                }
            }
            (None, None) => None,
        };
        let extend = match (e.extend_from_now, e.extend_from_end_at) {
            (Some(minutes), None) => Some(Extend::FromNow(minutes)),
            (None, Some(minutes)) => Some(Extend::FromEnd(minutes)),
            _ => None,
        };
        inputs.push(ExtensionInput {
            user_id,
            extra_attempts: e.extra_attempts.map(|n| i32::try_from(n).unwrap_or(0)),
            extra_time: e.extra_time.map(|n| i32::try_from(n).unwrap_or(0)),
            manually_unlocked: e.manually_unlocked,
            end_at,
            extend,
        });
    }
    v.finish()?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let saved = state
        .store
        .write(move |txn| Box::pin(async move { quizzes::set_extensions(txn, &scope, &quiz, inputs, actor).await }))
        .await?;
    Ok(Json(QuizExtensionsJson { quiz_extensions: saved.iter().map(render_extension).collect() }))
}

// ---- Contributors ----------------------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorJson {
    pub quiz_id: i64,
    pub user_id: i64,
    /// `edit` or `grade`.
    pub role: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn render_contributor(c: &quiz_contributor::Model) -> ContributorJson {
    ContributorJson { quiz_id: c.quiz_id, user_id: c.user_id, role: c.role.clone(), created_at: c.created_at }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ContributorParams {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub user_id: Option<i64>,
    /// `edit` (default) or `grade`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub role: Option<String>,
}

/// Who may edit or grade the test besides the course's teachers.
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    responses((status = 200, body = Vec<ContributorJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_contributors(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
) -> ApiResult<Json<Vec<ContributorJson>>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    require_keys(&caller, &ctx)?;
    let list = quizzes::contributors(state.store.read(), &caller.scope, ctx.quiz.id).await?;
    Ok(Json(list.iter().map(render_contributor).collect()))
}

fn course_manager(caller: &Caller, ctx: &QuizCtx) -> ApiResult<()> {
    caller.require(
        Permission::ManageCourse,
        Target::Course { course_id: ctx.course.course.id, account: &ctx.course.account_path },
    )
}

/// Makes a user of the school a contributor (`user_id`, `role` = `edit` | `grade`), or changes their role.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path)),
    request_body(content((ContributorParams = "application/json"), (ContributorParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = ContributorJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn add_contributor(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<ContributorParams>,
) -> ApiResult<Json<ContributorJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    course_manager(&caller, &ctx)?;
    let user_id = params.user_id.ok_or_else(|| ApiError::invalid_field("/user_id", "is required"))?;
    let role = params.role.unwrap_or_else(|| "edit".to_owned());
    let role = QuizRole::parse(&role).ok_or_else(|| ApiError::invalid_field("/role", "must be edit or grade"))?;
    match assay_store::users::find(state.store.read(), &caller.scope, &assay_domain::IdRef::Id(user_id), 0).await {
        Ok(_) => {}
        Err(assay_store::StoreError::NotFound) => {
            return Err(ApiError::invalid_field("/user_id", "is not a user of this school"));
        }
        Err(other) => return Err(other.into()),
    }
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let saved = state
        .store
        .write(move |txn| {
            Box::pin(async move { quizzes::set_contributor(txn, &scope, &quiz, user_id, role.as_str(), actor).await })
        })
        .await?;
    Ok(Json(render_contributor(&saved)))
}

#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct RemoveContributorParams {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub user_id: Option<i64>,
}

/// Removes a contributor (`user_id`); answers with the contributor as it was.
#[utoipa::path(delete, path = "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors", tag = "Quizzes",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("quiz_id" = i64, Path), RemoveContributorParams),
    responses((status = 200, body = ContributorJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn remove_contributor(
    State(state): State<AppState>,
    caller: Caller,
    crate::path::PathParams((course_id, quiz_id)): crate::path::PathParams<(String, i64)>,
    Params(params): Params<RemoveContributorParams>,
) -> ApiResult<Json<ContributorJson>> {
    let ctx = load(&state, &caller, &course_id, quiz_id).await?;
    course_manager(&caller, &ctx)?;
    let user_id = params.user_id.ok_or_else(|| ApiError::invalid_field("/user_id", "is required"))?;
    let (scope, actor, quiz) = (caller.scope, caller.actor(), ctx.quiz.clone());
    let removed = state
        .store
        .write(move |txn| {
            Box::pin(async move { quizzes::remove_contributor(txn, &scope, &quiz, user_id, actor).await })
        })
        .await
        .map_err(|e| not_found(e, Code::NotFound))?;
    Ok(Json(render_contributor(&removed)))
}
