//! Who is calling. Every authenticated handler takes a `Caller`: resolving it checks the credential, loads the
//! principal's roles once, enforces the credential's endpoint scopes, and fixes the tenant scope every store
//! call of the request uses.
//!
//! Credentials on the native surface:
//! - `Authorization: Bearer <token>` (or Canvas's `access_token` parameter): personal tokens, OAuth tokens from
//!   the token endpoints, and tokens exchanged for a user's API key. They act as their user, limited by scopes.
//! - `Authorization: Api-Key <prefix>.<secret>` (Momotor): bound to an account or course, with reviewer rights
//!   and no user behind it.

use assay_domain::{
    account::AccountPath,
    api_scope,
    policy::{self, AccountRole, Grants, Permission, Target},
};
use assay_store::{
    Scope, api_keys,
    entity::{api_key, user},
    events::Actor,
    tokens::{self, Refusal, TokenKind},
};
use axum::{
    extract::{FromRequestParts, MatchedPath},
    http::request::Parts,
};

use crate::{AppState, error::ApiError, rate_limit::RateSubject};

const REALM: &str = "assay";

/// What authenticated the request.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A user, through a bearer token.
    User {
        user: user::Model,
        token_id: i64,
        kind: TokenKind,
        /// The endpoints the token may call; `None` means all the user's rights.
        scopes: Option<Vec<String>>,
    },
    /// An `Api-Key`, bound to an account (or one course).
    ApiKey { key: api_key::Model },
}

/// An authenticated request's principal.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub scope: Scope,
    pub grants: Grants,
}

impl Caller {
    /// The user behind the request, if any (API keys have none).
    pub fn user(&self) -> Option<&user::Model> {
        match &self.principal {
            Principal::User { user, .. } => Some(user),
            Principal::ApiKey { .. } => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user().map(|u| u.id)
    }

    /// The user behind the request, for endpoints that act as a person (tokens, `self`). API keys are refused,
    /// as Momotor refuses its user-interface endpoints to them.
    pub fn require_user(&self) -> Result<&user::Model, ApiError> {
        self.user().ok_or_else(no_user)
    }

    /// The token the request authenticated with, for endpoints that act on it (logging out).
    pub fn require_token(&self) -> Result<i64, ApiError> {
        match &self.principal {
            Principal::User { token_id, .. } => Ok(*token_id),
            Principal::ApiKey { .. } => Err(no_user()),
        }
    }

    /// A stable name for the credential (rate limits, logs).
    pub fn credential_key(&self) -> String {
        match &self.principal {
            Principal::User { token_id, .. } => format!("token:{token_id}"),
            Principal::ApiKey { key } => format!("api_key:{}", key.id),
        }
    }

    /// Asks the policy module; refuses with Canvas's 401 `unauthorized` when it says no.
    pub fn require(&self, permission: Permission, target: Target<'_>) -> Result<(), ApiError> {
        if policy::allows(&self.grants, permission, target) {
            Ok(())
        } else {
            tracing::info!(target: "assay::security", credential = %self.credential_key(), permission = permission.as_str(), "denied");
            Err(ApiError::unauthorized())
        }
    }

    pub fn may(&self, permission: Permission, target: Target<'_>) -> bool {
        policy::allows(&self.grants, permission, target)
    }

    pub fn actor(&self) -> Actor {
        Actor { user_id: self.user_id() }
    }
}

fn no_user() -> ApiError {
    ApiError::new(
        assay_domain::Code::Unauthorized,
        "This endpoint needs a user's credential; an API key cannot call it.",
    )
}

/// The credential a request presents.
enum Presented {
    Bearer(String),
    ApiKey(String),
}

fn refused(challenge: String) -> ApiError {
    ApiError::unauthenticated(challenge, "Invalid access token.")
}

fn presented(parts: &Parts) -> Result<Option<Presented>, ApiError> {
    let mut values = parts.headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let first = values.next();
    if first.is_some() && values.next().is_some() {
        return Err(refused(format!(
            "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"send one Authorization header\""
        )));
    }
    if let Some(value) = first {
        let value = value.to_str().unwrap_or_default().trim();
        let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
        let credential = credential.trim();
        if credential.is_empty() {
            return Err(refused(format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"use Authorization: Bearer <token>\""
            )));
        }
        return if scheme.eq_ignore_ascii_case("bearer") {
            Ok(Some(Presented::Bearer(credential.to_owned())))
        } else if scheme.eq_ignore_ascii_case("api-key") {
            Ok(Some(Presented::ApiKey(credential.to_owned())))
        } else {
            Err(refused(format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"use Authorization: Bearer <token> or Api-Key <key>\""
            )))
        };
    }
    let from_query = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "access_token").map(|(_, v)| v.into_owned())
    });
    Ok(from_query.map(Presented::Bearer))
}

/// Resolves the request's credential, if it presents one.
pub async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(credential) = presented(parts)? else { return Ok(None) };
    let caller = match credential {
        Presented::Bearer(secret) => {
            let token_hash = assay_store::secrets::hash(&secret);
            let generation = state.store.generation();
            if let Some(known) = state.callers.get(&token_hash, generation) {
                return Ok(Some(known));
            }
            let authenticated = match tokens::authenticate(&state.store, &secret).await? {
                Ok(found) => found,
                Err(refusal) => {
                    let description = match refusal {
                        Refusal::Unknown => "the access token is not valid",
                        Refusal::Expired => "the access token expired",
                        Refusal::Revoked => "the access token was revoked",
                        Refusal::KeyChanged => {
                            "the developer key that issued the token was deleted or changed its scopes"
                        }
                    };
                    tracing::info!(target: "assay::security", reason = description, "credential refused");
                    return Err(refused(format!(
                        "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""
                    )));
                }
            };
            let scope = Scope::school(authenticated.user.root_account_id);
            let grants = assay_store::accounts::grants_for(state.store.read(), &scope, authenticated.user.id).await?;
            let expires_at = authenticated.token.expires_at;
            let caller = Caller {
                principal: Principal::User {
                    token_id: authenticated.token.id,
                    kind: authenticated.kind,
                    scopes: authenticated.scopes,
                    user: authenticated.user,
                },
                scope,
                grants,
            };
            state.callers.keep(token_hash, caller.clone(), generation, expires_at);
            caller
        }
        Presented::ApiKey(credential) => {
            let Some(key) = api_keys::authenticate(&state.store, &credential).await? else {
                tracing::info!(target: "assay::security", "API key refused");
                return Err(refused(format!(
                    "Api-Key realm=\"{REALM}\", error=\"invalid_token\", error_description=\"the API key is not valid\""
                )));
            };
            let scope = Scope::school(key.root_account_id);
            let account = assay_store::accounts::find_unscoped(state.store.read(), key.account_id).await?;
            let grants = match key.course_id {
                None => Grants {
                    user_id: None,
                    account_roles: vec![(account.account_path(), AccountRole::Reviewer)],
                    course_roles: vec![],
                },
                Some(course_id) => Grants {
                    user_id: None,
                    account_roles: vec![],
                    course_roles: vec![policy::CourseGrant::new(course_id, policy::CourseRole::Reviewer)],
                },
            };
            Caller { principal: Principal::ApiKey { key }, scope, grants }
        }
    };
    Ok(Some(caller))
}

/// Endpoints every credential may call whatever its scopes: revoking itself (logging out).
const SCOPE_EXEMPT: &[(&str, &str)] = &[("DELETE", "/login/oauth2/token")];

/// Refuses a scoped credential on an endpoint its scopes do not name (Canvas answers 401).
fn check_scopes(caller: &Caller, parts: &Parts) -> Result<(), ApiError> {
    let Principal::User { scopes: Some(scopes), .. } = &caller.principal else { return Ok(()) };
    let template = parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_else(|| parts.uri.path());
    let exempt = SCOPE_EXEMPT.iter().any(|(m, p)| *m == parts.method.as_str() && *p == template);
    if exempt || api_scope::allows(scopes, parts.method.as_str(), template) {
        Ok(())
    } else {
        tracing::info!(target: "assay::security", credential = %caller.credential_key(), route = template, "outside the token's scopes");
        Err(ApiError::new(
            assay_domain::Code::Unauthorized,
            format!("The token's scopes do not include {} {template}.", parts.method),
        ))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = match parts.extensions.get::<Caller>() {
            Some(caller) => caller.clone(),
            None => {
                let Some(caller) = resolve(parts, state).await? else {
                    return Err(ApiError::unauthenticated(
                        format!("Bearer realm=\"{REALM}\""),
                        "user authorization required",
                    ));
                };
                parts.extensions.insert(caller.clone());
                caller
            }
        };
        check_scopes(&caller, parts)?;
        if let Some(id) = caller.user_id() {
            tracing::Span::current().record("user_id", id);
        }
        Ok(caller)
    }
}

/// How long a school's own rate limit (`accounts.api_rate_limit_per_minute`) is remembered before it is read
/// again: a change takes effect within this time, and a request costs no extra query.
const SCHOOL_LIMIT_TTL: std::time::Duration = std::time::Duration::from_secs(1);

/// Per-school rate-limit overrides, read from the database at most once per `SCHOOL_LIMIT_TTL`.
#[derive(Default)]
pub struct SchoolLimits {
    cache: std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, Option<u32>)>>,
}

impl SchoolLimits {
    async fn get(&self, state: &AppState, school_id: i64) -> Option<u32> {
        let now = std::time::Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((read_at, limit)) = cache.get(&school_id)
            && now.duration_since(*read_at) < SCHOOL_LIMIT_TTL
        {
            return *limit;
        }
        let limit = assay_store::accounts::find_unscoped(state.store.read(), school_id)
            .await
            .ok()
            .and_then(|school| RateSubject::school_limit_from_column(school.api_rate_limit_per_minute));
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.retain(|_, (read_at, _)| now.duration_since(*read_at) < SCHOOL_LIMIT_TTL);
            }
            cache.insert(school_id, (now, limit));
        }
        limit
    }
}

/// Authenticates the request before the rate limiter and the handler run: a valid credential's principal is
/// kept in the request (the `Caller` and `Partner` extractors take it from there instead of checking again) and
/// a `RateSubject` names the school and credential whose budgets the request spends. A missing or bad
/// credential is not refused here: the handler's extractor refuses it, so public endpoints stay public.
pub async fn attach(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (mut parts, body) = req.into_parts();
    let subject = if parts.uri.path().starts_with(crate::abconnect::auth::API_PREFIX) {
        match crate::abconnect::auth::authenticate(&state, &parts.method, parts.uri.path(), parts.uri.query()).await {
            Ok(partner) => {
                let subject = (partner.root_account_id, format!("partner:{}", partner.id));
                parts.extensions.insert(partner);
                Some(subject)
            }
            Err(_) => None,
        }
    } else {
        match resolve(&parts, &state).await {
            Ok(Some(caller)) => {
                let subject = (caller.scope.root_account_id(), caller.credential_key());
                parts.extensions.insert(caller);
                Some(subject)
            }
            Ok(None) | Err(_) => None,
        }
    };
    if let Some((school_id, credential)) = subject {
        let school_limit_per_minute = state.school_limits.get(&state, school_id).await;
        parts.extensions.insert(RateSubject { school_id, school_limit_per_minute, credential });
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// The account path of the caller's school.
pub fn school_path(caller: &Caller) -> AccountPath {
    AccountPath::root(caller.scope.root_account_id())
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
