//! `GET /api/v1/accounts/:account_id/permissions?permissions[]=…`: what the caller may do in an account, as
//! the policy module decides it (Canvas §2.5).

use std::collections::BTreeMap;

use assay_domain::policy::{Permission, Target};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::accounts;
use crate::{
    AppState,
    auth::Caller,
    error::{ApiResult, ErrorBody},
    params::{Params, de},
    path::PathParams,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(account_permissions))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PermissionQuery {
    /// Permission names, e.g. `manage_account_settings`, `read_sis`; none: every permission Assay knows.
    /// Unknown names answer `false`.
    #[serde(default, deserialize_with = "de::string_list")]
    #[param(value_type = Option<Vec<String>>)]
    pub permissions: Vec<String>,
}

/// Whether the caller holds each permission in the account.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/permissions", tag = "Accounts",
    params(("account_id" = String, Path, description = "Account id, `self` or `sis_account_id:X`"), PermissionQuery),
    responses((status = 200, description = "`{\"permission_name\": true|false, …}`", body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("access_token" = [])))]
async fn account_permissions(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(account_id): PathParams<String>,
    Params(query): Params<PermissionQuery>,
) -> ApiResult<Json<BTreeMap<String, bool>>> {
    let account = accounts::resolve(&state, &caller, &account_id).await?;
    let path = account.account_path();
    let names: Vec<String> = if query.permissions.is_empty() {
        Permission::ALL.iter().map(|p| p.as_str().to_owned()).collect()
    } else {
        query.permissions
    };
    Ok(Json(
        names
            .into_iter()
            .take(100)
            .map(|name| {
                let allowed = Permission::parse(&name).is_some_and(|p| caller.may(p, Target::Account(&path)));
                (name, allowed)
            })
            .collect(),
    ))
}
