//! AB Connect request signatures (`specs/abconnect.md` §4). Every `/rest/v4.1` request carries `partner.id`,
//! `auth.expires` (Unix seconds), `auth.signature` and optionally `user.id` in its query string. The signature is
//! base64(HMAC-SHA256(key, message)) over one of
//!
//! - `expires[\nuser]`: any method, any resource;
//! - `expires\nuser\nMETHOD`: one method;
//! - `expires\nuser\nMETHOD\nresource`: one method on one resource (the first path segment after `/rest/v4.1/`).
//!
//! The request does not say which scope was signed, so the server recomputes every candidate for the request's
//! own method and resource; a signature made for another method or resource matches none of them.

use assay_store::{Scope, partners};
use axum::{
    extract::FromRequestParts,
    http::{Method, request::Parts},
};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::{AbError, AbResult};
use crate::AppState;

/// The path prefix of the AB Connect surface; the resource a signature may be scoped to follows it.
pub const API_PREFIX: &str = "/rest/v4.1/";

pub const PARTNER_ID: &str = "partner.id";
pub const AUTH_EXPIRES: &str = "auth.expires";
pub const AUTH_SIGNATURE: &str = "auth.signature";
pub const USER_ID: &str = "user.id";

/// How far a client's clock may run ahead of ours before `auth.expires` counts as beyond the partner's maximum
/// lifetime. Without it, a client that signs for exactly the maximum with a clock a second fast is refused.
pub const CLOCK_SKEW_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// What a verified signature was limited to. `None` means "any": an unrestricted signature has neither, a
/// method-scoped one only `method`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureScope {
    /// Upper-case, e.g. `GET`.
    pub method: Option<String>,
    /// Lower-case endpoint name, e.g. `standards`.
    pub resource: Option<String>,
}

impl SignatureScope {
    pub const UNRESTRICTED: SignatureScope = SignatureScope { method: None, resource: None };
}

/// A verified AB Connect partner: the principal of a `/rest/v4.1` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// The row id of the partner.
    pub id: i64,
    /// The school the partner belongs to; its data is all the partner can reach.
    pub root_account_id: i64,
    /// The public `partner.id`.
    pub partner_id: String,
    /// The signed `user.id`, when the signature names one.
    pub user_id: Option<String>,
    /// The method the signature was limited to (upper-case), or `None` for any.
    pub method_scope: Option<String>,
    /// The resource the signature was limited to (lower-case), or `None` for any.
    pub resource_scope: Option<String>,
}

impl Partner {
    /// The tenant scope of the partner's requests.
    pub fn scope(&self) -> Scope {
        Scope::school(self.root_account_id)
    }
}

/// The authentication parameters of a request's query string. Not `Debug`: the signature is a live credential
/// until it expires, and must not end up in logs.
pub struct AuthParams {
    pub partner_id: String,
    pub expires: i64,
    /// `None` when absent or empty.
    pub user_id: Option<String>,
    /// URL-decoded, as sent (spaces are turned back into `+` when it is verified).
    pub signature: String,
}

/// The authentication parameters as the OpenAPI document lists them (documentation only; `auth_params` reads
/// them).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthQuery {
    /// The partner id the school's administrator created (`POST /api/v1/accounts/{account_id}/partners`).
    #[serde(rename = "partner.id")]
    partner_id: String,
    /// When the signature expires, in seconds since the Unix epoch; at most the partner's `max_lifetime_secs`
    /// ahead.
    #[serde(rename = "auth.expires")]
    auth_expires: i64,
    /// base64(HMAC-SHA256(signing_key, message)), URL-encoded. The message is `expires[\nuser]`,
    /// `expires\nuser\nMETHOD` or `expires\nuser\nMETHOD\nresource` (fields joined by LF; an absent user is an
    /// empty line when a method follows).
    #[serde(rename = "auth.signature")]
    auth_signature: String,
    /// A partner-defined user; must be sent exactly when the signed message names one.
    #[serde(rename = "user.id")]
    user_id: Option<String>,
}

/// Reads the authentication parameters. Each may appear once: with two values, the one verified and the one a
/// handler reads could differ.
pub fn auth_params(query: Option<&str>) -> AbResult<AuthParams> {
    let names = [PARTNER_ID, AUTH_EXPIRES, AUTH_SIGNATURE, USER_ID];
    let mut values: [Option<String>; 4] = Default::default();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if let Some(i) = names.iter().position(|name| *name == key) {
            if values[i].is_some() {
                return Err(refuse(names[i], format!("`{}` was sent more than once.", names[i])));
            }
            values[i] = Some(value.into_owned());
        }
    }
    let [partner_id, expires, signature, user_id] = values;
    let required = |value: Option<String>, name: &'static str| {
        value.filter(|v| !v.is_empty()).ok_or_else(|| refuse(name, format!("The `{name}` parameter is required.")))
    };
    let partner_id = required(partner_id, PARTNER_ID)?;
    let expires = required(expires, AUTH_EXPIRES)?;
    let signature = required(signature, AUTH_SIGNATURE)?;
    let expires = expires.trim().parse::<i64>().map_err(|_| {
        refuse(AUTH_EXPIRES, "`auth.expires` must be an integer: the expiry in seconds since the Unix epoch.")
    })?;
    Ok(AuthParams { partner_id, expires, user_id: user_id.filter(|u| !u.is_empty()), signature })
}

/// The resource a request addresses: the first path segment after `/rest/v4.1/`, lower-cased (`assets` for
/// `/rest/v4.1/assets/{guid}/alignments`). Empty outside the surface.
pub fn resource_of(path: &str) -> String {
    path.strip_prefix(API_PREFIX).and_then(|rest| rest.split('/').next()).unwrap_or_default().to_ascii_lowercase()
}

fn hmac_sha256(key: &[u8], message: &str) -> Option<[u8; 32]> {
    // HMAC takes keys of any length; the error case cannot happen, but is not unwrapped.
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(message.as_bytes());
    Some(mac.finalize().into_bytes().into())
}

/// Standard base64 with or without padding. Clients that forget to URL-encode `+` send it as a space, which
/// form decoding produces; turning spaces back into `+` is harmless, as base64 has no spaces. A trailing line
/// break is dropped too: Perl's `encode_base64` appends one unless told not to.
fn decode_signature(signature_b64: &str) -> Option<[u8; 32]> {
    let restored = signature_b64.trim_end_matches(['\r', '\n']).replace(' ', "+");
    let bytes = base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT.decode(restored).ok()?;
    bytes.try_into().ok()
}

/// Checks `signature_b64` (base64, already URL-decoded) against every message a client may have signed for this
/// request, and returns the scope of the one that matches. `method` is the request's method, `resource` the
/// endpoint it addresses (see `resource_of`); `user` is `user.id` as sent.
///
/// Pure (no clock, no I/O): the caller checks `expires` against the time and the partner's maximum lifetime.
pub fn verify_signature(
    key: &[u8],
    expires: i64,
    user: Option<&str>,
    method: &str,
    resource: &str,
    signature_b64: &str,
) -> Option<SignatureScope> {
    let provided = decode_signature(signature_b64)?;
    let user = user.unwrap_or_default();
    let method = method.to_ascii_uppercase();
    let resource = resource.to_ascii_lowercase();
    let mut candidates = vec![(
        if user.is_empty() { expires.to_string() } else { format!("{expires}\n{user}") },
        SignatureScope::UNRESTRICTED,
    )];
    if !method.is_empty() {
        candidates.push((
            format!("{expires}\n{user}\n{method}"),
            SignatureScope { method: Some(method.clone()), resource: None },
        ));
        // A resource always comes with a method (§4.2: "all methods on one endpoint" is not a scope).
        if !resource.is_empty() {
            candidates.push((
                format!("{expires}\n{user}\n{method}\n{resource}"),
                SignatureScope { method: Some(method), resource: Some(resource) },
            ));
        }
    }
    // Every candidate is computed and compared in constant time, so neither the comparison nor the number of
    // HMACs computed tells a forger how close a guess came.
    let mut matched = None;
    for (message, scope) in candidates {
        let expected = hmac_sha256(key, &message)?;
        if bool::from(expected.ct_eq(&provided)) && matched.is_none() {
            matched = Some(scope);
        }
    }
    matched
}

/// A 401 in the AB shape, logged (reason and parameter only) for the security log.
fn refuse(parameter: &'static str, detail: impl Into<String>) -> AbError {
    let error = AbError::unauthorized(parameter, detail);
    tracing::info!(target: "assay::security", parameter, reason = %error.detail, "AB Connect signature refused");
    error
}

/// The method a signature must name: `HEAD` is served by the `GET` handler and reveals less, so a `GET`
/// signature covers it.
fn signed_method(method: &Method) -> &str {
    if method == Method::HEAD { Method::GET.as_str() } else { method.as_str() }
}

/// Verifies a request's signature (§4.3) and returns the partner it authenticates. For a central
/// authentication middleware as much as for the extractor below.
pub async fn authenticate(state: &AppState, method: &Method, path: &str, query: Option<&str>) -> AbResult<Partner> {
    let params = auth_params(query)?;
    let now = chrono::Utc::now().timestamp();
    if params.expires < now {
        return Err(refuse(AUTH_EXPIRES, "The signature has expired: `auth.expires` lies in the past."));
    }
    let Some(partner) = partners::find_active_unscoped(state.store.read(), &params.partner_id).await? else {
        // Unknown and revoked partners get the same answer.
        return Err(refuse(PARTNER_ID, "`partner.id` does not name an active partner."));
    };
    if params.expires.saturating_sub(now) > partner.max_lifetime_secs.saturating_add(CLOCK_SKEW_SECS) {
        return Err(refuse(
            AUTH_EXPIRES,
            format!(
                "`auth.expires` lies too far ahead: this partner's signatures may be valid for at most {} seconds.",
                partner.max_lifetime_secs
            ),
        ));
    }
    let key = partner.signing_key.as_bytes();
    let method = signed_method(method);
    let resource = resource_of(path);
    let user = params.user_id.as_deref();
    let Some(scope) = verify_signature(key, params.expires, user, method, &resource, &params.signature) else {
        // Say which parameter is at fault when we can: a valid signature with an unsigned `user.id` added.
        if user.is_some() && verify_signature(key, params.expires, None, method, &resource, &params.signature).is_some()
        {
            return Err(refuse(USER_ID, "`user.id` is not part of the signed message; sign it or leave it out."));
        }
        return Err(refuse(
            AUTH_SIGNATURE,
            "The signature is invalid for this partner, expiry, user, method and resource.",
        ));
    };
    if let Err(err) = partners::touch_last_used(&state.store, &partner).await {
        // Bookkeeping only: a verified request is served even when the write fails.
        tracing::warn!(error = %err, partner_id = %partner.partner_id, "could not record partner last use");
    }
    Ok(Partner {
        id: partner.id,
        root_account_id: partner.root_account_id,
        partner_id: partner.partner_id,
        user_id: params.user_id,
        method_scope: scope.method,
        resource_scope: scope.resource,
    })
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = AbError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A central authentication middleware may have verified the request already.
        if let Some(partner) = parts.extensions.get::<Partner>() {
            return Ok(partner.clone());
        }
        let partner = authenticate(state, &parts.method, parts.uri.path(), parts.uri.query()).await?;
        parts.extensions.insert(partner.clone());
        Ok(partner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"ajk84Hjk93h59skaAJ8732";
    const EXPIRES: i64 = 1512570029;
    /// The documented signature of `"1512570029\n\nGET"` (§4.2).
    const DOCUMENTED: &str = "Sdcfa9xgRAUzQnlLik5nKj1ntqdB85jFYyFCkNxwD/M=";

    fn sign(key: &[u8], message: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key, message).unwrap())
    }

    fn get(method: &str) -> SignatureScope {
        SignatureScope { method: Some(method.into()), resource: None }
    }

    #[test]
    fn the_documented_test_vector_verifies_as_read_only() {
        assert_eq!(sign(KEY, "1512570029\n\nGET"), DOCUMENTED);
        assert_eq!(verify_signature(KEY, EXPIRES, None, "GET", "standards", DOCUMENTED), Some(get("GET")));
        // Method names are compared upper-case.
        assert_eq!(verify_signature(KEY, EXPIRES, None, "get", "standards", DOCUMENTED), Some(get("GET")));
        // Padding may be left out.
        assert_eq!(verify_signature(KEY, EXPIRES, None, "GET", "", DOCUMENTED.trim_end_matches('=')), Some(get("GET")));
        // Read-only means read-only, and the expiry and user are bound.
        for method in ["POST", "PATCH", "DELETE"] {
            assert_eq!(verify_signature(KEY, EXPIRES, None, method, "standards", DOCUMENTED), None, "{method}");
        }
        assert_eq!(verify_signature(KEY, EXPIRES + 1, None, "GET", "standards", DOCUMENTED), None);
        assert_eq!(verify_signature(KEY, EXPIRES, Some("bmarley"), "GET", "standards", DOCUMENTED), None);
        assert_eq!(verify_signature(b"another key", EXPIRES, None, "GET", "standards", DOCUMENTED), None);
    }

    #[test]
    fn the_documented_counter_examples_are_other_scopes() {
        // `"1512570029\nGET"` lacks the empty user line: not a GET signature.
        let no_user_line = "LgiGs/GY2hdPupyWkaH8Ks69GfDKRXciRNSiU1yP2SY=";
        assert_eq!(sign(KEY, "1512570029\nGET"), no_user_line);
        assert_eq!(verify_signature(KEY, EXPIRES, None, "GET", "standards", no_user_line), None);
        // `"1512570029"` is the unrestricted message: valid for every method and resource.
        let unrestricted = "Zy+Vh/+ur/sC9CsLfuLIIie1q58SiXrhD54mAWwZMic=";
        assert_eq!(sign(KEY, "1512570029"), unrestricted);
        for method in ["GET", "POST", "DELETE"] {
            assert_eq!(
                verify_signature(KEY, EXPIRES, None, method, "assets", unrestricted),
                Some(SignatureScope::UNRESTRICTED)
            );
        }
        // A client that did not URL-encode `+` sends spaces.
        let spaced = unrestricted.replace('+', " ");
        assert_eq!(verify_signature(KEY, EXPIRES, None, "GET", "", &spaced), Some(SignatureScope::UNRESTRICTED));
    }

    #[test]
    fn user_and_resource_scopes_bind() {
        let user_bound = sign(KEY, "1508419888\nbmarley");
        assert_eq!(
            verify_signature(KEY, 1508419888, Some("bmarley"), "POST", "assets", &user_bound),
            Some(SignatureScope::UNRESTRICTED)
        );
        // The user must be sent, and must be the signed one.
        assert_eq!(verify_signature(KEY, 1508419888, None, "GET", "standards", &user_bound), None);
        assert_eq!(verify_signature(KEY, 1508419888, Some("alice"), "GET", "standards", &user_bound), None);
        // A user that was not signed is refused.
        let unrestricted = sign(KEY, "1508419888");
        assert_eq!(verify_signature(KEY, 1508419888, Some("bmarley"), "GET", "standards", &unrestricted), None);

        let standards_only = sign(KEY, "1508419888\n\nGET\nstandards");
        assert_eq!(
            verify_signature(KEY, 1508419888, None, "GET", "standards", &standards_only),
            Some(SignatureScope { method: Some("GET".into()), resource: Some("standards".into()) })
        );
        assert!(verify_signature(KEY, 1508419888, None, "GET", "Standards", &standards_only).is_some());
        assert_eq!(verify_signature(KEY, 1508419888, None, "GET", "partner", &standards_only), None);
        assert_eq!(verify_signature(KEY, 1508419888, None, "POST", "standards", &standards_only), None);
        // Without a resource the resource-scoped message is not even a candidate.
        assert_eq!(verify_signature(KEY, 1508419888, None, "GET", "", &standards_only), None);
        // "All methods on one endpoint" is not a scope.
        let no_method = sign(KEY, "1508419888\n\n\nassets");
        assert_eq!(verify_signature(KEY, 1508419888, None, "GET", "assets", &no_method), None);
        assert_eq!(verify_signature(KEY, 1508419888, None, "", "assets", &no_method), None);

        let user_get = sign(KEY, "1508419888\nbmarley\nGET");
        assert_eq!(verify_signature(KEY, 1508419888, Some("bmarley"), "GET", "topics", &user_get), Some(get("GET")));
    }

    #[test]
    fn junk_signatures_are_refused() {
        for junk in ["", "not base64!", "AAAA", &"A".repeat(400), "Sdcfa9xgRAUzQnlLik5nKj1ntqdB85jFYyFCkNxwD/M=="] {
            assert_eq!(verify_signature(KEY, EXPIRES, None, "GET", "standards", junk), None, "{junk}");
        }
    }

    #[test]
    fn resources_are_the_first_segment_lower_cased() {
        assert_eq!(resource_of("/rest/v4.1/standards"), "standards");
        assert_eq!(resource_of("/rest/v4.1/Assets/ABC/alignments"), "assets");
        assert_eq!(resource_of("/rest/v4.1/predictions/queue-status/x"), "predictions");
        assert_eq!(resource_of("/rest/v4.1/"), "");
        assert_eq!(resource_of("/api/v1/accounts"), "");
    }

    #[test]
    fn auth_params_name_the_parameter_at_fault() {
        let fault = |q: &str| auth_params(Some(q)).err().and_then(|e| e.parameter);
        assert_eq!(fault("auth.expires=1&auth.signature=x"), Some(PARTNER_ID));
        assert_eq!(fault("partner.id=p&auth.signature=x"), Some(AUTH_EXPIRES));
        assert_eq!(fault("partner.id=p&auth.expires=1"), Some(AUTH_SIGNATURE));
        assert_eq!(fault("partner.id=p&auth.expires=soon&auth.signature=x"), Some(AUTH_EXPIRES));
        assert_eq!(fault("partner.id=p&auth.expires=1.5&auth.signature=x"), Some(AUTH_EXPIRES));
        assert_eq!(fault("partner.id=p&auth.expires=1&auth.signature=x&auth.signature=y"), Some(AUTH_SIGNATURE));
        assert_eq!(fault("partner.id=p&auth.expires=1&auth.signature=x&user.id=a&user.id=b"), Some(USER_ID));
        let ok = auth_params(Some("partner.id=p&auth.expires=12&auth.signature=a+b%2F%3D&user.id=")).unwrap();
        assert_eq!((ok.partner_id.as_str(), ok.expires, ok.user_id), ("p", 12, None));
        // Form decoding turns an unencoded `+` into a space; verification turns it back.
        assert_eq!(ok.signature, "a b/=");
    }
}
