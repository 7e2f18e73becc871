//! A course's late policy (Canvas `late_policy_controller.rb`): `GET`, `POST` (one per course) and `PATCH
//! /api/v1/courses/:id/late_policy` with `late_policy[...]`. Creating or changing the policy re-applies it at once
//! to the grades already given (late deductions recomputed from what graders entered) and to missing submissions
//! (the missing score given or taken away), in the same transaction.
//!
//! Reading needs `read_course_content`; changing needs `manage_grades`. A course without a policy shows Canvas's
//! defaults (`id` null). `PATCH` answers 204 without a body, as Canvas does and as `canvasapi` checks.

use assay_domain::{
    Code,
    grading::{LateInterval, LatePolicy},
    policy::{Permission, Target},
};
use assay_store::{courses::CourseView, entity::late_policy, late_policies, submissions};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::courses;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_late_policy, create_late_policy, update_late_policy))
}

/// A late policy (Canvas `LatePolicy`); percentages are of an assignment's points.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatePolicyJson {
    /// Null while the course has no policy of its own (these are the defaults).
    pub id: Option<i64>,
    pub course_id: i64,
    pub missing_submission_deduction_enabled: bool,
    pub missing_submission_deduction: f64,
    pub late_submission_deduction_enabled: bool,
    pub late_submission_deduction: f64,
    /// `day` or `hour`.
    pub late_submission_interval: String,
    pub late_submission_minimum_percent_enabled: bool,
    pub late_submission_minimum_percent: f64,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LatePolicyBody {
    pub late_policy: LatePolicyJson,
}

fn render(course_id: i64, row: Option<&late_policy::Model>) -> LatePolicyBody {
    let p = row.map(late_policies::policy).unwrap_or_default();
    LatePolicyBody {
        late_policy: LatePolicyJson {
            id: row.map(|r| r.id),
            course_id,
            missing_submission_deduction_enabled: p.missing_submission_deduction_enabled,
            missing_submission_deduction: p.missing_submission_deduction,
            late_submission_deduction_enabled: p.late_submission_deduction_enabled,
            late_submission_deduction: p.late_submission_deduction,
            late_submission_interval: p.late_submission_interval.as_str().to_owned(),
            late_submission_minimum_percent_enabled: p.late_submission_minimum_percent_enabled,
            late_submission_minimum_percent: p.late_submission_minimum_percent,
            created_at: row.map(|r| r.created_at),
            updated_at: row.map(|r| r.updated_at),
        },
    }
}

/// `late_policy[...]`; on `PATCH` only what is named changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LatePolicyFields {
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub missing_submission_deduction_enabled: Option<bool>,
    /// Percent of the points a missing submission loses (0–100).
    #[serde(default, deserialize_with = "de::opt_f64")]
    #[schema(value_type = Option<f64>)]
    pub missing_submission_deduction: Option<f64>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub late_submission_deduction_enabled: Option<bool>,
    /// Percent of the points lost per started interval (0–100).
    #[serde(default, deserialize_with = "de::opt_f64")]
    #[schema(value_type = Option<f64>)]
    pub late_submission_deduction: Option<f64>,
    /// `day` or `hour`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub late_submission_interval: Option<String>,
    #[serde(default, deserialize_with = "de::opt_bool")]
    #[schema(value_type = Option<bool>)]
    pub late_submission_minimum_percent_enabled: Option<bool>,
    /// The lowest percent late deductions may bring a score to (0–100).
    #[serde(default, deserialize_with = "de::opt_f64")]
    #[schema(value_type = Option<f64>)]
    pub late_submission_minimum_percent: Option<f64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LatePolicyParams {
    #[serde(default)]
    pub late_policy: LatePolicyFields,
}

impl LatePolicyFields {
    /// `base` with the named fields changed, checked.
    fn over(self, mut base: LatePolicy) -> ApiResult<LatePolicy> {
        let set = |slot: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        let set_f = |slot: &mut f64, v: Option<f64>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut base.missing_submission_deduction_enabled, self.missing_submission_deduction_enabled);
        set_f(&mut base.missing_submission_deduction, self.missing_submission_deduction);
        set(&mut base.late_submission_deduction_enabled, self.late_submission_deduction_enabled);
        set_f(&mut base.late_submission_deduction, self.late_submission_deduction);
        set(&mut base.late_submission_minimum_percent_enabled, self.late_submission_minimum_percent_enabled);
        set_f(&mut base.late_submission_minimum_percent, self.late_submission_minimum_percent);
        if let Some(raw) = &self.late_submission_interval {
            base.late_submission_interval = LateInterval::parse(raw.trim()).ok_or_else(|| {
                ApiError::invalid_field("/late_policy/late_submission_interval", "must be day or hour")
            })?;
        }
        base.validate()
            .map_err(|(field, message)| ApiError::invalid_field(&format!("/late_policy/{field}"), message))?;
        Ok(base)
    }
}

async fn course_for(state: &AppState, caller: &Caller, raw: &str, permission: Permission) -> ApiResult<CourseView> {
    let view = courses::resolve(state, caller, raw, false).await?;
    caller.require(permission, Target::Course { course_id: view.course.id, account: &view.account_path })?;
    Ok(view)
}

/// The course's late policy (Canvas's defaults, `id` null, while it has none).
#[utoipa::path(get, path = "/api/v1/courses/{id}/late_policy", tag = "Late policy",
    params(("id" = String, Path, description = "Course id or `sis_course_id:X`")),
    responses((status = 200, body = LatePolicyBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_late_policy(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<LatePolicyBody>> {
    let view = course_for(&state, &caller, &id, Permission::ViewCourse).await?;
    let row = late_policies::find(state.store.read(), &caller.scope, view.course.id).await?;
    Ok(Json(render(view.course.id, row.as_ref())))
}

/// Creates the course's late policy (409 when it has one) and applies it to the grades already given.
#[utoipa::path(post, path = "/api/v1/courses/{id}/late_policy", tag = "Late policy",
    params(("id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((LatePolicyParams = "application/json"), (LatePolicyParams = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = LatePolicyBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn create_late_policy(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<LatePolicyParams>,
) -> ApiResult<Json<LatePolicyBody>> {
    let view = course_for(&state, &caller, &id, Permission::ManageGrades).await?;
    let policy = params.late_policy.over(LatePolicy::default())?;
    let (scope, actor, course, accounts) = (caller.scope, caller.actor(), view.course.clone(), view.account_path.ids());
    let created = state
        .store
        .write(move |txn| {
            Box::pin(async move {
                let created = late_policies::create(txn, &scope, course.id, &policy, actor).await?;
                submissions::late::reapply(txn, &scope, &course, &accounts, actor).await?;
                Ok(created)
            })
        })
        .await?;
    Ok(Json(render(view.course.id, Some(&created))))
}

/// Changes what the request names in the course's late policy and re-applies it; 204 without a body.
#[utoipa::path(patch, path = "/api/v1/courses/{id}/late_policy", tag = "Late policy",
    params(("id" = String, Path, description = "Course id or `sis_course_id:X`")),
    request_body(content((LatePolicyParams = "application/json"), (LatePolicyParams = "application/x-www-form-urlencoded"))),
    responses((status = 204, description = "Changed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn update_late_policy(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    Params(params): Params<LatePolicyParams>,
) -> ApiResult<StatusCode> {
    let view = course_for(&state, &caller, &id, Permission::ManageGrades).await?;
    let current = late_policies::find(state.store.read(), &caller.scope, view.course.id)
        .await?
        .ok_or_else(|| ApiError::not_found(Code::LatePolicyNotFound))?;
    let policy = params.late_policy.over(late_policies::policy(&current))?;
    let (scope, actor, course, accounts) = (caller.scope, caller.actor(), view.course.clone(), view.account_path.ids());
    state
        .store
        .write(move |txn| {
            Box::pin(async move {
                late_policies::update(txn, &scope, &current, &policy, actor).await?;
                submissions::late::reapply(txn, &scope, &course, &accounts, actor).await?;
                Ok(())
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
