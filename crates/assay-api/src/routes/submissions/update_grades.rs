//! `POST /api/v1/courses/:course_id/assignments/:assignment_id/submissions/update_grades` (Canvas
//! `submissions_api#bulk_update`): `grade_data[user_id][posted_grade|excuse|late_policy_status|
//! seconds_late_override|text_comment]` and `grade_data[user_id][rubric_assessment][criterion_id][points|
//! rating_id|comments]` for many students at once. Every entry is checked before anything is queued (422 with a
//! pointer per problem, nothing queued); then the grades run as one background job, all or nothing, and the
//! answer is its Progress (`GET /api/v1/progress/:id`).

use assay_store::{
    jobs, rubrics,
    submissions::{
        self,
        bulk::{self, GradeEntry, UPDATE_GRADES_JOB, UpdateGradesJob},
        rules,
    },
};
use axum::{Json, extract::State, http::HeaderMap};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{assessment_inputs, course_target, reach, require_grader};
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    params::{Params, de},
    path::PathParams,
    routes::{
        assignments::{Viewer, resolve_assignment},
        progress::{ProgressJson, render as render_progress},
    },
};
use assay_domain::policy::Permission;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateGradesParams {
    /// `{user_id: {posted_grade, excuse, late_policy_status, seconds_late_override, text_comment,
    /// rubric_assessment: {criterion_id: {points, rating_id, comments}}}}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub grade_data: Option<Value>,
}

fn text(fields: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Reads `grade_data` into entries, by user; malformed values are 422s at their pointer.
fn entries(raw: &Value) -> ApiResult<Vec<GradeEntry>> {
    let Value::Object(by_user) = raw else {
        return Err(ApiError::invalid_field("/grade_data", "must map user ids to their grades"));
    };
    if by_user.is_empty() {
        return Err(ApiError::invalid_field("/grade_data", "name at least one student"));
    }
    let mut out = Vec::with_capacity(by_user.len());
    for (key, item) in by_user {
        let pointer = format!("/grade_data/{key}");
        let user_id: i64 =
            key.trim().parse().map_err(|_| ApiError::invalid_field(&pointer, format!("`{key}` is not a user id")))?;
        let Value::Object(fields) = item else {
            return Err(ApiError::invalid_field(&pointer, "must be an object of grade fields"));
        };
        let excuse = match fields.get("excuse") {
            None => None,
            Some(v) => Some(
                de::parse_bool(v)
                    .ok_or_else(|| ApiError::invalid_field(&format!("{pointer}/excuse"), "must be true or false"))?,
            ),
        };
        let seconds_late_override = match fields.get("seconds_late_override") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(v) => Some(Some(
                match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    ApiError::invalid_field(&format!("{pointer}/seconds_late_override"), "must be a number of seconds")
                })?,
            )),
        };
        let rubric_assessment = fields
            .get("rubric_assessment")
            .map(|r| assessment_inputs(r, &format!("{pointer}/rubric_assessment")))
            .transpose()?;
        out.push(GradeEntry {
            user_id,
            posted_grade: text(fields, "posted_grade"),
            excuse,
            late_policy_status: text(fields, "late_policy_status"),
            seconds_late_override,
            rubric_assessment,
            text_comment: text(fields, "text_comment"),
        });
    }
    Ok(out)
}

/// Grades many students of an assignment as a background job; answers its Progress.
#[utoipa::path(post, path = "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/update_grades", tag = "Submissions",
    params(("course_id" = String, Path, description = "Course id or `sis_course_id:X`"), ("assignment_id" = String, Path, description = "Assignment id or `sis_assignment_id:X`")),
    request_body(content((UpdateGradesParams = "application/x-www-form-urlencoded"), (UpdateGradesParams = "application/json"))),
    responses((status = 200, body = ProgressJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
pub(super) async fn update_grades(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams((course_id, assignment_id)): PathParams<(String, String)>,
    Params(params): Params<UpdateGradesParams>,
) -> ApiResult<Json<ProgressJson>> {
    let reach = reach(&state, &caller, &course_id).await?;
    caller.require(Permission::ManageGrades, course_target(&reach.view))?;
    let a = resolve_assignment(&state, &caller, &reach.view, &Viewer::Staff, &assignment_id).await?;
    let raw = params.grade_data.ok_or_else(|| ApiError::invalid_field("/grade_data", "is required"))?;
    let entries = entries(&raw)?;
    // Everything is checked now, so a request with any problem queues nothing; the job checks again when it runs.
    let read = state.store.read();
    let grading = rules::for_assignment(read, &caller.scope, &reach.view.course, &reach.account_ids(), &a).await?;
    let rubric = rubrics::for_assignment(read, &caller.scope, a.id).await?;
    let users: Vec<i64> = entries.iter().map(|e| e.user_id).collect();
    let assigned = rules::assigned(read, &caller.scope, reach.view.course.id, std::slice::from_ref(&a), Some(&users))
        .await?
        .remove(&a.id)
        .unwrap_or_default();
    let sections = submissions::list::sections_of(read, &caller.scope, reach.view.course.id, &users).await?;
    let mut problems = Vec::new();
    for entry in &entries {
        let at = |field: &str| {
            if field.is_empty() {
                format!("/grade_data/{}", entry.user_id)
            } else {
                format!("/grade_data/{}/{field}", entry.user_id)
            }
        };
        if !assigned.iter().any(|(u, _)| *u == entry.user_id) {
            problems.push(assay_domain::FieldError {
                pointer: at(""),
                message: "not a student this assignment is assigned to".to_owned(),
            });
            continue;
        }
        require_grader(&caller, &reach.view, sections.get(&entry.user_id).map(Vec::as_slice).unwrap_or_default())?;
        let current = submissions::find(read, &caller.scope, a.id, entry.user_id).await?;
        let status = current.and_then(|c| c.late_policy_status);
        let checked = bulk::comment_of(entry)
            .map_err(|p| vec![p])
            .and_then(|_| bulk::check(entry, &grading, rubric.as_ref(), status.as_deref()).map(|_| ()));
        if let Err(found) = checked {
            problems.extend(
                found.into_iter().map(|p| assay_domain::FieldError { pointer: at(&p.field), message: p.message }),
            );
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let payload =
        serde_json::to_value(UpdateGradesJob { course_id: reach.view.course.id, assignment_id: a.id, entries })
            .map_err(|_| ApiError::internal())?;
    let new = jobs::NewJob {
        kind: UPDATE_GRADES_JOB,
        context_type: "Course",
        context_id: reach.view.course.id,
        user_id: caller.user_id(),
        payload,
    };
    let scope = caller.scope;
    let (_, progress) =
        state.store.write(move |txn| Box::pin(async move { jobs::enqueue(txn, &scope, new).await })).await?;
    Ok(Json(render_progress(&progress, &state.base_url.resolve(&headers))))
}
