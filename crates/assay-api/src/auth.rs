//! Who is calling. Every authenticated handler takes a `Caller`: resolving it checks the credential, loads the
//! user's roles once, and fixes the tenant scope every store call of the request uses.

use assay_domain::policy::{self, Grants, Permission, Target};
use assay_store::{
    Scope,
    entity::user,
    events::Actor,
    tokens::{self, Refusal},
};
use axum::{extract::FromRequestParts, http::request::Parts};

use crate::{AppState, error::ApiError};

const REALM: &str = "assay";

/// An authenticated request's principal.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: user::Model,
    pub token_id: i64,
    pub scope: Scope,
    pub grants: Grants,
}

impl Caller {
    /// Asks the policy module; refuses with Canvas's 401 `unauthorized` when it says no.
    pub fn require(&self, permission: Permission, target: Target<'_>) -> Result<(), ApiError> {
        if policy::allows(&self.grants, permission, target) {
            Ok(())
        } else {
            tracing::info!(target: "assay::security", user_id = self.user.id, permission = permission.as_str(), "denied");
            Err(ApiError::unauthorized())
        }
    }

    pub fn may(&self, permission: Permission, target: Target<'_>) -> bool {
        policy::allows(&self.grants, permission, target)
    }

    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id)
    }
}

/// The bearer credential of a request: the `Authorization` header, or Canvas's `access_token` query parameter.
fn presented_token(parts: &Parts) -> Result<Option<String>, ApiError> {
    let mut values = parts.headers.get_all(axum::http::header::AUTHORIZATION).iter();
    if let (Some(_), Some(_)) = (values.next(), values.next()) {
        return Err(ApiError::unauthenticated(
            format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"send one Authorization header\""
            ),
            "Invalid access token.",
        ));
    }
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default().trim();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(ApiError::unauthenticated(
                format!(
                    "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"use Authorization: Bearer <token>\""
                ),
                "Invalid access token.",
            ));
        }
        return Ok(Some(token.trim().to_owned()));
    }
    let from_query = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
    });
    Ok(from_query)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let Some(secret) = presented_token(parts)? else {
            return Err(ApiError::unauthenticated(format!("Bearer realm=\"{REALM}\""), "user authorization required"));
        };
        let (token, user) = match tokens::authenticate(&state.store, &secret).await? {
            Ok(found) => found,
            Err(refusal) => {
                let description = match refusal {
                    Refusal::Unknown => "the access token is not valid",
                    Refusal::Expired => "the access token expired",
                    Refusal::Revoked => "the access token was revoked",
                };
                tracing::info!(target: "assay::security", reason = description, "credential refused");
                return Err(ApiError::unauthenticated(
                    format!("Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""),
                    "Invalid access token.",
                ));
            }
        };
        let scope = Scope::school(user.root_account_id);
        let grants = assay_store::accounts::grants_for(state.store.read(), &scope, user.id).await?;
        let caller = Caller { user, token_id: token.id, scope, grants };
        tracing::Span::current().record("user_id", caller.user.id);
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_domain::Code;

    #[test]
    fn unauthenticated_errors_carry_a_challenge() {
        let err = ApiError::unauthenticated("Bearer realm=\"assay\"".into(), "x");
        assert_eq!(err.code, Code::Unauthenticated);
        assert!(err.challenge.is_some());
    }
}
