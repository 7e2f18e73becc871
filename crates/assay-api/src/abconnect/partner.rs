//! `GET /rest/v4.1/partner`: who the signature authenticates. A probe for client developers to check their
//! signing code before the standards endpoints exist, and the smallest endpoint that exercises authentication.

use assay_store::partners;
use axum::{
    Json,
    extract::{RawQuery, State},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::{self, AuthQuery, Partner},
    error::{AbErrorBody, AbResult},
};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_partner))
}

/// A JSON:API document holding the authenticated partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDocument {
    pub data: PartnerResource,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerResource {
    /// Always `partners`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The public `partner.id`.
    pub id: String,
    pub attributes: PartnerAttributes,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerAttributes {
    pub name: String,
    /// The signed `user.id`, or null.
    pub user_id: Option<String>,
    /// What the signature is limited to; null fields mean "any".
    pub signature_scope: SignatureScopeJson,
    /// When the signature stops working (`auth.expires`).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureScopeJson {
    /// The one method the signature allows (`GET`, …), or null for any.
    pub method: Option<String>,
    /// The one resource the signature allows (`standards`, …), or null for any.
    pub resource: Option<String>,
}

/// The partner a signed request authenticates as, with the scope of its signature.
#[utoipa::path(get, path = "/rest/v4.1/partner", tag = "AB Connect", operation_id = "abconnect_show_partner",
    params(AuthQuery),
    responses((status = 200, body = PartnerDocument),
              (status = 401, body = AbErrorBody, description = "A missing, malformed, expired or wrong signature; \
                  `source.parameter` names the query parameter at fault"),
              (status = "default", body = AbErrorBody, description = "Any error, in the AB Connect error shape")))]
async fn show_partner(
    State(state): State<AppState>,
    partner: Partner,
    RawQuery(query): RawQuery,
) -> AbResult<Json<PartnerDocument>> {
    // The `Partner` contract has no room for the expiry; it was verified with the rest, so it reads cleanly.
    let expires = auth::auth_params(query.as_deref())?.expires;
    let row = partners::find(state.store.read(), &partner.scope(), partner.id).await?;
    Ok(Json(PartnerDocument {
        data: PartnerResource {
            kind: "partners",
            id: partner.partner_id,
            attributes: PartnerAttributes {
                name: row.name,
                user_id: partner.user_id,
                signature_scope: SignatureScopeJson { method: partner.method_scope, resource: partner.resource_scope },
                expires_at: chrono::DateTime::from_timestamp(expires, 0),
            },
        },
    }))
}
