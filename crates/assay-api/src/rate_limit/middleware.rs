//! The rate-limit middleware: every routed request except diagnostics is checked before its handler runs, and
//! every response says where the client stands (`RateLimit-*` as in the IETF draft and Ans, Canvas's
//! `X-Rate-Limit-Remaining`). Refusals are 429s in the one error shape, with `Retry-After`.

use std::net::{IpAddr, SocketAddr};

use assay_domain::Code;
use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{Check, RateSubject, gcra::header_seconds};
use crate::{AppState, error::ApiError};

/// Monitoring must see the server even while a client floods it.
const EXEMPT_PREFIX: &str = "/api/diagnostics/";

pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
pub const X_RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");

/// Mounted as a `route_layer`, so `MatchedPath` names the endpoint and unrouted requests never reach it. Any
/// `RateSubject` must already be in the request's extensions (the authentication layer runs first).
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limiter = &state.limiter;
    if !limiter.config().enabled || req.uri().path().starts_with(EXEMPT_PREFIX) {
        return next.run(req).await;
    }
    let client = client_ip(&req, state.base_url.trust_proxy);
    let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_else(|| req.uri().path());
    let endpoint = format!("{} {route}", req.method());
    let verdict = limiter.check_request(client, &endpoint, req.extensions().get::<RateSubject>()).await;
    if let Some(tripped) = verdict.tripped() {
        return refusal(tripped);
    }
    let mut response = next.run(req).await;
    if let Some(reported) = verdict.reported() {
        put_headers(response.headers_mut(), reported);
    }
    response
}

/// The 429: the one error shape, saying which limit tripped, with `Retry-After` and that limit's headers.
fn refusal(tripped: &Check) -> Response {
    let retry_after = tripped.decision.retry_after.map(header_seconds).unwrap_or(1).max(1);
    tracing::debug!(target: "assay::security", limit = %tripped.describe(), retry_after, "rate limited");
    let error = ApiError {
        retry_after: Some(retry_after),
        ..ApiError::new(Code::RateLimited, format!("Rate Limit Exceeded: {}.", tripped.describe()))
    };
    let mut response = error.into_response();
    put_headers(response.headers_mut(), tripped);
    response
}

fn put_headers(headers: &mut HeaderMap, check: &Check) {
    let d = &check.decision;
    headers.insert(RATELIMIT_LIMIT, HeaderValue::from(d.limit));
    headers.insert(RATELIMIT_REMAINING, HeaderValue::from(d.remaining));
    headers.insert(RATELIMIT_RESET, HeaderValue::from(header_seconds(d.reset_after)));
    headers.insert(X_RATE_LIMIT_REMAINING, HeaderValue::from(d.remaining));
}

/// The client's address: the peer, or behind a proxy we trust, the address that proxy saw. That is the last
/// `X-Forwarded-For` entry, the one our proxy appended: entries before it come from the client and can say
/// anything, so keying on the first one would let every request pick its own bucket.
pub fn client_ip(req: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy && let Some(forwarded) = forwarded_for(req.headers()) {
        return Some(forwarded);
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

/// `client_ip` from a handler's request parts (the IP filters of tests).
pub fn client_ip_of_parts(parts: &axum::http::request::Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy && let Some(forwarded) = forwarded_for(&parts.headers) {
        return Some(forwarded);
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    // Several X-Forwarded-For headers form one list, in order.
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last_hop = last_header.to_str().ok()?.rsplit(',').next()?.trim();
    parse_ip(last_hop)
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>().ok().or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(peer: &str, forwarded: &[&str]) -> Request {
        let mut req = Request::builder().uri("/api/v1/users/self").body(Body::empty()).unwrap();
        for value in forwarded {
            req.headers_mut().append("x-forwarded-for", value.parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        req
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise() {
        let req = request("10.0.0.9:4000", &["203.0.113.7"]);
        assert_eq!(client_ip(&req, false), Some("10.0.0.9".parse().unwrap()));
        assert_eq!(client_ip(&req, true), Some("203.0.113.7".parse().unwrap()));
        // The proxy appends the address it saw; what the client wrote before it is ignored.
        let spoofed = request("10.0.0.9:4000", &["1.1.1.1, 2.2.2.2", "198.51.100.4"]);
        assert_eq!(client_ip(&spoofed, true), Some("198.51.100.4".parse().unwrap()));
        let ports = request("10.0.0.9:4000", &["[2001:db8::5]:443"]);
        assert_eq!(client_ip(&ports, true), Some("2001:db8::5".parse().unwrap()));
        // Garbage falls back to the peer.
        let garbage = request("10.0.0.9:4000", &["unknown"]);
        assert_eq!(client_ip(&garbage, true), Some("10.0.0.9".parse().unwrap()));
        let bare = Request::builder().body(Body::empty()).unwrap();
        assert_eq!(client_ip(&bare, true), None);
    }
}
