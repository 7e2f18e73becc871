//! Assay's HTTP surfaces: the routers, the wire conventions every endpoint shares (parameters, pagination,
//! errors, authentication), and the OpenAPI document generated from the handlers.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented)]
// Tests may unwrap: a failing test should stop at the failure.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod abconnect;
pub mod auth;
pub mod base_url;
pub mod canvas_answer;
pub mod canvas_question;
pub mod docs_page;
pub mod error;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod params;
pub mod path;
pub mod rate_limit;
pub mod routes;
pub mod test_vocabulary;

use std::sync::Arc;

use assay_store::Store;
use axum::{Router, extract::DefaultBodyLimit, http::HeaderName};
use tower_http::{
    LatencyUnit,
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

pub use base_url::BaseUrlPolicy;
pub use middleware::Limits;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub base_url: Arc<BaseUrlPolicy>,
    pub limits: Arc<Limits>,
    /// The rate limiter every request passes through (and the login endpoints ask).
    pub limiter: Arc<rate_limit::RateLimiter>,
    /// Schools' own rate limits, cached briefly.
    pub school_limits: Arc<auth::SchoolLimits>,
    /// Callers recently authenticated by bearer tokens.
    pub callers: Arc<assay_store::read_cache::ReadCache<String, auth::Caller>>,
    /// The OpenAPI document, set once the router is built.
    pub openapi: Arc<std::sync::OnceLock<utoipa::openapi::OpenApi>>,
}

impl AppState {
    pub fn new(store: Store, base_url: BaseUrlPolicy, limits: Limits, limiter: rate_limit::RateLimiter) -> Self {
        AppState {
            store,
            base_url: Arc::new(base_url),
            limits: Arc::new(limits),
            limiter: Arc::new(limiter),
            school_limits: Arc::new(auth::SchoolLimits::default()),
            callers: Arc::default(),
            openapi: Arc::new(std::sync::OnceLock::new()),
        }
    }
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The OpenAPI document of the whole application, without serving it (for tests and `assay openapi`).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi::finish(routes::router().split_for_parts().1)
}

/// Builds the whole application: every surface, its middleware, and the OpenAPI document it serves.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// `app` plus `extra` routes behind the same middleware (tests use it to mount probes, e.g. a panicking handler).
pub fn app_with(state: AppState, extra: Router<AppState>) -> Router {
    let (api, document) = routes::router().split_for_parts();
    let api = api.merge(extra);
    // A route layer, so the limiter sees the matched route (`MatchedPath`) and unrouted requests cost nothing.
    // Route layers added later run earlier: the authentication layer that inserts `rate_limit::RateSubject` must
    // be added after this line, so that it runs before the limiter.
    let api = api.route_layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::enforce));
    let api = api.route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::attach));
    let _ = state.openapi.set(openapi::finish(document));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let routed = api
        .fallback(middleware::route_not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .with_state(state.clone());
    // `/tests` paths become their `/quizzes` twins before routing (see `test_vocabulary`); the layers below see
    // the path the client sent.
    let routed = tower::ServiceBuilder::new().map_request(test_vocabulary::rewrite).service(routed);
    Router::new()
        .fallback_service(routed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::time_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::gate_bodies))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(axum::middleware::from_fn(middleware::json_charset))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::harden))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    // The path only: query strings can carry `access_token`.
                    let id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path(), user_id = tracing::field::Empty)
                })
                .on_request(())
                // One access-log line per request, inside the request's span (so it carries the request id).
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros))
                .on_failure(()),
        )
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
            axum::http::header::PROXY_AUTHORIZATION,
        ]))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
