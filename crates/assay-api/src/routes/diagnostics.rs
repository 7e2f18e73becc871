//! Unauthenticated diagnostics for load balancers and monitoring (QS's Diagnostics group).

use assay_domain::Code;
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    error::{ApiError, ApiResult, ErrorBody},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(version))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
    /// `ok` when the database answered.
    pub database: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
}

/// Health: 200 when the server and its database answer, 503 otherwise.
#[utoipa::path(get, path = "/api/diagnostics/health", tag = "Diagnostics",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await.map_err(|err| {
        tracing::error!(error = %err, "health check: database unreachable");
        ApiError { retry_after: Some(5), ..ApiError::new(Code::Unavailable, "The database is not reachable.") }
    })?;
    Ok(Json(Health { status: "ok", database: "ok", backend: state.store.backend().name() }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    /// `assay`
    pub name: &'static str,
    /// The server's version (semver).
    pub version: &'static str,
    /// The native API version.
    pub api: &'static str,
}

/// The server's version.
#[utoipa::path(get, path = "/api/diagnostics/version", tag = "Diagnostics", responses((status = 200, body = Version)))]
async fn version() -> Json<Version> {
    Json(Version { name: "assay", version: env!("CARGO_PKG_VERSION"), api: "v1" })
}
