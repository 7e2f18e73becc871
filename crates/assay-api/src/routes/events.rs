//! The event feed: `GET /api/v1/events?since_seq=N`, every recorded state change of the caller's school in
//! commit order. Webhooks read the same outbox.

use assay_domain::policy::{Permission, Target};
use assay_store::{accounts, entity::event, events};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    auth::Caller,
    error::{ApiError, ApiResult, ErrorBody},
    pagination::{Paginated, Pagination},
    params::{Params, de},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

/// A recorded state change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    /// Stable id of the event (deliveries of the same event carry the same id).
    pub id: i64,
    /// Position in the school's feed; strictly increasing in commit order.
    pub seq: i64,
    /// e.g. `account.created`, `user.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// The user whose request caused the change; null for the command line and background work.
    pub actor_user_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The subject after the change; updates also carry `changes: {field: [before, after]}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

fn render(e: event::Model) -> EventJson {
    EventJson {
        id: e.id,
        seq: e.seq.unwrap_or_default(),
        event_type: e.event_type,
        subject_type: e.subject_type,
        subject_id: e.subject_id,
        actor_user_id: e.actor_user_id,
        created_at: e.created_at,
        payload: e.payload,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only events after this position (default 0: from the start).
    #[serde(default, deserialize_with = "de::opt_i64")]
    #[param(value_type = Option<i64>)]
    pub since_seq: Option<i64>,
    /// Only events of this type, e.g. `user.created`.
    #[serde(default, deserialize_with = "de::opt_string", rename = "type")]
    pub event_type: Option<String>,
}

/// The school's events in commit order (school administrators).
#[utoipa::path(get, path = "/api/v1/events", tag = "Events",
    params(EventQuery, crate::pagination::PageQuery),
    responses((status = 200, body = Vec<EventJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    pagination: Pagination,
    Params(query): Params<EventQuery>,
) -> ApiResult<Paginated<EventJson>> {
    let school = accounts::find(state.store.read(), &caller.scope, &assay_domain::IdRef::Current).await?;
    caller.require(Permission::ViewEvents, Target::Account(&school.account_path()))?;
    let since = query.since_seq.unwrap_or(0);
    if since < 0 {
        return Err(ApiError::invalid_field("/since_seq", "must be 0 or more"));
    }
    // Number whatever committed since the background sequencer last ran, so a caller sees its own changes.
    events::sequence_pending(&state.store).await?;
    let page = events::list(state.store.read(), &caller.scope, since, query.event_type.as_deref(), &pagination.request)
        .await?;
    Ok(Paginated::new(page.map(render), pagination))
}
