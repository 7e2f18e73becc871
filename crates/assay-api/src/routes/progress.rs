//! Progress objects (Canvas §1.15): `GET /api/v1/progress/:id`, what clients poll while a background job (a SIS
//! import, a bulk enrollment, a content migration, a bulk date change of assignments) runs. A Progress is readable by the user who started the job and
//! by administrators of the account it runs in (for a course's job, by those who manage the course).

use assay_domain::{
    Code,
    policy::{Permission, Target},
};
use assay_store::{entity::progress, sis_imports};
use axum::{Json, extract::State, http::HeaderMap};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_progress))
}

/// The state of a background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressJson {
    pub id: i64,
    pub context_id: i64,
    pub context_type: String,
    pub user_id: Option<i64>,
    /// What kind of job: `sis_import`, `bulk_enrollment`, `content_migration`, `assignment_bulk_update`.
    pub tag: String,
    /// Percent done, 0 to 100.
    pub completion: f64,
    /// `queued`, `running`, `completed` or `failed`.
    pub workflow_state: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub message: Option<String>,
    /// What the job produced; omitted while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub results: Option<serde_json::Value>,
    /// This object's absolute URL, to poll.
    pub url: String,
}

pub fn render(p: &progress::Model, base_url: &str) -> ProgressJson {
    ProgressJson {
        id: p.id,
        context_id: p.context_id,
        context_type: p.context_type.clone(),
        user_id: p.user_id,
        tag: p.tag.clone(),
        completion: p.completion,
        workflow_state: p.workflow_state.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
        message: p.message.clone(),
        results: p.results.as_deref().and_then(|r| serde_json::from_str(r).ok()),
        url: format!("{base_url}/api/v1/progress/{}", p.id),
    }
}

/// A Progress object, by id.
#[utoipa::path(get, path = "/api/v1/progress/{id}", tag = "Progress",
    params(("id" = i64, Path, description = "Progress id")),
    responses((status = 200, body = ProgressJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn show_progress(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<ProgressJson>> {
    let not_found = || ApiError::not_found(Code::ProgressNotFound);
    let id: i64 = id.parse().map_err(|_| ApiError::new(Code::InvalidId, format!("`{id}` is not a progress id")))?;
    let found = sis_imports::find_progress(state.store.read(), &caller.scope, id).await.map_err(|err| match err {
        assay_store::StoreError::NotFound => not_found(),
        other => other.into(),
    })?;
    let own = found.user_id.is_some() && found.user_id == caller.user_id();
    if !own {
        if found.context_type == "Course" {
            // A course's job (a content migration, a bulk date change): for whoever manages the course.
            let view = assay_store::courses::find(
                state.store.read(),
                &caller.scope,
                &assay_domain::IdRef::Id(found.context_id),
                true,
            )
            .await
            .map_err(|_| not_found())?;
            caller.require(
                Permission::ManageCourse,
                Target::Course { course_id: view.course.id, account: &view.account_path },
            )?;
        } else {
            let account = assay_store::accounts::find(
                state.store.read(),
                &caller.scope,
                &assay_domain::IdRef::Id(found.context_id),
            )
            .await
            .map_err(|_| not_found())?;
            caller.require(Permission::ManageAccount, Target::Account(&account.account_path()))?;
        }
    }
    Ok(Json(render(&found, &state.base_url.resolve(&headers))))
}
