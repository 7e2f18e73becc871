//! QTI 1.2 export (Canvas flavour), answered at once as a zip:
//! - `GET /api/v1/courses/:course_id/quizzes/:id/qti`: the quiz with its settings, questions and groups; a group
//!   that draws from a bank brings that bank along (as Canvas course exports do), so the package imports whole.
//! - `GET /api/v1/question_banks/:id/qti`: one bank.
//!
//! The package is what `POST …/content_migrations` (`qti_converter`) reads back, and what Canvas's QTI import and
//! text2qti-style readers read; calculated questions carry Canvas answer sets generated from Assay's own draw.
//! What Canvas cannot read as written (Assay's ordering questions; a calculated question whose formula could not
//! be evaluated for any draw) is said in `X-Assay-Warning` response headers, one per warning.
//! Exports carry answer keys, so they need what changing the quiz or the bank needs (`manage_course` on the
//! course or, for an account's bank, on the account; a quiz's edit contributors too).

use assay_domain::{
    Code, IdRef,
    policy::{Permission, QuizRole, Target},
};
use assay_qti::{Assessment, Bank, Entry, Group, Item, Package, Settings, write_package};
use assay_store::{
    Scope, StoreError,
    entity::{question_bank, quiz},
    question_banks,
    questions::{self, QuestionView},
    quizzes,
};
use axum::{
    body::Body,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::courses;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_quiz)).routes(routes!(export_bank))
}

fn item_of(view: &QuestionView) -> Item {
    let ident = match view.question.bank_id {
        Some(_) => format!("assay_question_{}", view.question.id),
        None => format!("assay_quiz_question_{}", view.question.id),
    };
    Item { ident, canvas_type: Some(view.question.question_type.clone()), bank_item_ref: None, body: view.body.clone() }
}

fn bank_ident(id: i64) -> String {
    format!("assay_bank_{id}")
}

async fn bank_of(state: &AppState, scope: &Scope, bank: &question_bank::Model) -> Result<Bank, StoreError> {
    let rows = questions::in_bank(state.store.read(), scope, bank.id).await?;
    let views = questions::with_current(state.store.read(), rows).await?;
    Ok(Bank { ident: bank_ident(bank.id), title: bank.title.clone(), items: views.iter().map(item_of).collect() })
}

fn settings_of(q: &quiz::Model) -> Settings {
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    Settings {
        time_limit: q.time_limit.map(i64::from),
        allowed_attempts: Some(i64::from(q.allowed_attempts)),
        shuffle_answers: Some(q.shuffle_answers),
        scoring_policy: Some(q.scoring_policy.clone()),
        quiz_type: Some(q.quiz_type.clone()),
        points_possible: None,
        show_correct_answers: Some(q.show_correct_answers),
        show_correct_answers_last_attempt: Some(q.show_correct_answers_last_attempt),
        hide_results: q.hide_results.clone(),
        one_question_at_a_time: Some(q.one_question_at_a_time),
        cant_go_back: Some(q.cant_go_back),
        one_time_results: Some(q.one_time_results),
        anonymous_submissions: None,
        access_code: q.access_code.clone(),
        ip_filter: q.ip_filter.clone(),
        due_at: time(q.due_at),
        unlock_at: time(q.unlock_at),
        lock_at: time(q.lock_at),
        published: Some(q.workflow_state == quizzes::AVAILABLE),
    }
}

/// A zip response, with the writer's warnings as headers.
fn zip_response(package: &Package, file_name: &str) -> ApiResult<Response> {
    let written = write_package(package).map_err(|err| {
        tracing::error!(error = %err, "writing a QTI package failed");
        ApiError::internal()
    })?;
    let mut response = Response::new(Body::from(written.bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    for warning in &written.warnings {
        // Header values are visible ASCII: anything else (a title's accents) becomes '?'.
        let text: String =
            warning.to_string().chars().map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' }).collect();
        if let Ok(v) = HeaderValue::from_str(&text) {
            headers.append("x-assay-warning", v);
        }
    }
    Ok(response)
}

/// A quiz as a QTI 1.2 package (zip).
#[utoipa::path(get, path = "/api/v1/courses/{course_id}/quizzes/{id}/qti", tag = "Content migrations",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("id" = i64, Path, description = "Quiz id")),
    responses((status = 200, description = "The QTI package (application/zip); `X-Assay-Warning` headers name what Canvas will not read as written", content_type = "application/zip"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn export_quiz(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((course_id, id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    let view = courses::resolve(&state, &caller, &course_id, false).await?;
    let not_found = || ApiError::not_found(Code::QuizNotFound);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let scope = caller.scope;
    let found = quizzes::find(state.store.read(), &scope, view.course.id, id).await.map_err(|err| match err {
        StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    let contributor = match caller.user_id() {
        Some(user) => quizzes::contributor_role(state.store.read(), &scope, found.id, user)
            .await?
            .as_deref()
            .and_then(QuizRole::parse),
        None => None,
    };
    caller.require(
        Permission::ManageCourse,
        Target::Quiz { course_id: view.course.id, account: &view.account_path, contributor },
    )?;

    let mut banks: Vec<Bank> = Vec::new();
    let mut entries = Vec::new();
    for item in quizzes::composition(state.store.read(), &scope, found.id).await? {
        match item {
            quizzes::Item::Fixed(placed) => entries.push(Entry::Item(item_of(&placed.question))),
            quizzes::Item::Group { group, pool } => {
                let bank_ref = match group.bank_id {
                    Some(bank_id) => {
                        if !banks.iter().any(|b| b.ident == bank_ident(bank_id)) {
                            let bank = question_banks::find(state.store.read(), &scope, &IdRef::Id(bank_id)).await?;
                            banks.push(bank_of(&state, &scope, &bank).await?);
                        }
                        Some(bank_ident(bank_id))
                    }
                    None => None,
                };
                entries.push(Entry::Group(Group {
                    ident: format!("assay_group_{}", group.id),
                    title: group.name.clone(),
                    pick_count: u32::try_from(group.pick_count).unwrap_or(0),
                    points_per_item: Some(group.question_points),
                    items: if bank_ref.is_some() { Vec::new() } else { pool.iter().map(item_of).collect() },
                    bank_ref,
                }));
            }
        }
    }
    let assessment = Assessment {
        ident: format!("assay_quiz_{}", found.id),
        title: found.title.clone(),
        description: Some(found.description.clone()).filter(|d| !d.trim().is_empty()),
        settings: settings_of(&found),
        entries,
    };
    let package = Package { assessments: vec![assessment], banks, warnings: Vec::new() };
    zip_response(&package, &format!("quiz-{}-qti.zip", found.id))
}

/// A question bank as a QTI 1.2 package (zip).
#[utoipa::path(get, path = "/api/v1/question_banks/{id}/qti", tag = "Content migrations",
    params(("id" = i64, Path, description = "Question bank id")),
    responses((status = 200, description = "The QTI package (application/zip)", content_type = "application/zip"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn export_bank(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found(Code::QuestionBankNotFound);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let scope = caller.scope;
    let bank = question_banks::find(state.store.read(), &scope, &IdRef::Id(id)).await.map_err(|err| match err {
        StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    if !super::question_banks::may_manage_bank(&state, &caller, &bank).await? {
        return Err(ApiError::unauthorized());
    }
    let package =
        Package { assessments: Vec::new(), banks: vec![bank_of(&state, &scope, &bank).await?], warnings: vec![] };
    zip_response(&package, &format!("question-bank-{}-qti.zip", bank.id))
}
