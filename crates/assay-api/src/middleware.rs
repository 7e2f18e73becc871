//! Layers every request passes through: request ids, logging without secrets, the media-type and size gates,
//! the timeout, and turning panics and unrouted requests into the one error shape.

use std::{any::Any, time::Duration};

use assay_domain::Code;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{AppState, error::ApiError, params::body_kind};

/// Upload endpoints: their bodies may be as large as `Limits::max_import_bytes` and may be sent raw as a file
/// (`text/csv`, `application/zip`, `application/octet-stream`) besides the usual media types. The handler reads
/// the body itself, under the same limit.
pub fn is_upload(method: &Method, path: &str) -> bool {
    let under = |prefix: &str, accepts: &dyn Fn(&str) -> bool| {
        path.strip_prefix(prefix).is_some_and(|rest| {
            rest.split_once('/').is_some_and(|(id, tail)| !id.is_empty() && accepts(tail.trim_end_matches('/')))
        })
    };
    method == Method::POST
        && (under("/api/v1/accounts/", &|tail| tail == "sis_imports")
            || under("/api/v1/courses/", &|tail| {
                // A content migration with its package, or the package of one announced with pre_attachment.
                tail == "content_migrations"
                    || tail
                        .strip_prefix("content_migrations/")
                        .and_then(|t| t.strip_suffix("/file"))
                        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
            }))
}

/// Whether a `Content-Type` is a raw file an upload endpoint takes.
pub fn is_raw_file(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            matches!(
                (m.type_().as_str(), m.subtype().as_str()),
                ("text", "csv")
                    | ("text", "xml")
                    | ("application", "xml")
                    | ("application", "zip")
                    | ("application", "x-zip-compressed")
                    | ("application", "octet-stream")
                    | ("application", "csv")
            )
        })
}

/// Refuses bodies of unsupported media types (415) and oversized bodies announced by `Content-Length` (413)
/// before any handler reads them.
pub async fn gate_bodies(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let declared_length =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let chunked = req.headers().get(header::TRANSFER_ENCODING).is_some();
    let has_body = chunked || declared_length.is_some_and(|n| n > 0);
    let upload = is_upload(req.method(), req.uri().path());
    let limit = if upload { state.limits.max_import_bytes } else { state.limits.max_body_bytes };
    if let Some(n) = declared_length
        && n > limit as u64
    {
        let setting = if upload { "max_import_bytes" } else { "max_body_bytes" };
        return ApiError::new(
            Code::PayloadTooLarge,
            format!("The request body is {n} bytes; this server accepts at most {limit} here (`{setting}`)."),
        )
        .into_response();
    }
    if has_body && !(upload && is_raw_file(req.headers())) {
        match body_kind(req.headers()) {
            Err(err) => return err.into_response(),
            Ok(None) if req.method() != Method::GET && req.method() != Method::HEAD => {
                return ApiError::new(
                    Code::UnsupportedMediaType,
                    "A request with a body needs a Content-Type: application/json, application/x-www-form-urlencoded or multipart/form-data.",
                )
                .into_response();
            }
            Ok(_) => {}
        }
    }
    next.run(req).await
}

/// The most header bytes a request may carry (names and values together).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses requests whose headers exceed `MAX_HEADER_BYTES` (431), and adds the security headers every response
/// carries: no sniffing, no framing, no referrer, a same-origin content policy, and no caching of API answers
/// (they can hold tokens). No CORS headers are ever sent: browsers keep other origins out (QS's same-origin rule).
pub async fn harden(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let mut response = if header_bytes > MAX_HEADER_BYTES {
        ApiError::new(
            Code::HeadersTooLarge,
            format!("The request's headers take {header_bytes} bytes; at most {MAX_HEADER_BYTES} are accepted."),
        )
        .into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "cross-origin-resource-policy", "same-origin");
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    set(headers, "cache-control", "no-store");
    if state.base_url.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
        set(headers, "strict-transport-security", "max-age=31536000");
    }
    response
}

/// Answers 408 in the error shape when a request takes longer than allowed. Dropping the handler's future rolls
/// back any transaction it had open, so a timed-out request changes nothing.
pub async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.limits.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            Code::RequestTimeout,
            format!("The request took longer than {} seconds.", state.limits.request_timeout.as_secs()),
        )
        .into_response(),
    }
}

/// JSON bodies are UTF-8; say so, as QS does, so clients never guess.
pub async fn json_charset(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    if let Some(ct) = response.headers().get(header::CONTENT_TYPE)
        && ct.as_bytes() == b"application/json"
    {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
    response
}

/// A handler panic becomes a 500 in the error shape (and is logged); the connection stays up.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    tracing::error!(panic = detail, "handler panicked");
    ApiError::internal().into_response()
}

pub async fn route_not_found(req: Request) -> ApiError {
    ApiError::new(Code::RouteNotFound, format!("No endpoint is routed at {} {}.", req.method(), req.uri().path()))
}

pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(Code::MethodNotAllowed, format!("{} is not allowed on {}.", req.method(), req.uri().path()))
}

/// Limits that protect the server.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// The largest upload to the import endpoints (`POST /accounts/:id/sis_imports`): a whole school's roster.
    pub max_import_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 10 * 1024 * 1024,
            max_import_bytes: 500 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
        }
    }
}
