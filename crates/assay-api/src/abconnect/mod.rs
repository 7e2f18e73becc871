//! The AB Connect (Academic Benchmarks) REST API v4.1 surface under `/rest/v4.1` (`specs/abconnect.md`): its
//! request signatures, its error shape, and its endpoints. Requests are signed by partners (HMAC over a shared
//! key) rather than carrying bearer tokens; a partner belongs to one school and is managed on the native surface
//! (`routes::partners`).

pub mod auth;
pub mod error;
pub mod partner;

use utoipa_axum::router::OpenApiRouter;

pub use auth::{Partner, SignatureScope, verify_signature};
pub use error::{AbError, AbResult};

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(partner::router())
}
