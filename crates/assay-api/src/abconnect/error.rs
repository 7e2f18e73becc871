//! The AB Connect error shape (`specs/abconnect.md` §5.3), which differs from the native one: JSON:API errors
//! with the status as a string, a `title` and a `detail`, and `source.parameter` naming the offending query
//! parameter (or `source.pointer` for body problems). No `code`, no top-level `status`: AB clients read
//! `errors[].detail`. Served as `application/json; charset=utf-8`, as AB Connect does (§0), not as
//! `application/vnd.api+json`.

use assay_store::StoreError;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// An error on its way to an AB Connect client.
#[derive(Debug)]
pub struct AbError {
    pub status: StatusCode,
    /// What went wrong, for a person reading it. Never holds a key or an expected signature.
    pub detail: String,
    /// The query parameter at fault, e.g. `auth.signature`.
    pub parameter: Option<&'static str>,
    /// Seconds to send as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl AbError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        AbError { status, detail: detail.into(), parameter: None, retry_after: None }
    }

    /// A 401 blaming one query parameter.
    pub fn unauthorized(parameter: &'static str, detail: impl Into<String>) -> Self {
        AbError { parameter: Some(parameter), ..AbError::new(StatusCode::UNAUTHORIZED, detail) }
    }

    pub fn body(&self) -> AbErrorBody {
        AbErrorBody {
            errors: vec![AbErrorItem {
                status: self.status.as_u16().to_string(),
                title: self.status.canonical_reason().unwrap_or("Error"),
                detail: self.detail.clone(),
                source: self.parameter.map(|parameter| AbErrorSource { parameter: Some(parameter), pointer: None }),
            }],
        }
    }
}

impl From<StoreError> for AbError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => {
                tracing::error!(error = %err, "database unavailable");
                AbError {
                    retry_after: Some(5),
                    ..AbError::new(StatusCode::SERVICE_UNAVAILABLE, "The database is not reachable; retry shortly.")
                }
            }
            StoreError::NotFound => AbError::new(StatusCode::NOT_FOUND, "Entity not found"),
            other => {
                tracing::error!(error = %other, "store failure");
                AbError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An unexpected error occurred. It has been logged with this response's request id.",
                )
            }
        }
    }
}

/// The AB Connect error body: `{"errors":[{"status","title","detail","source":{"parameter"|"pointer"}}]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbErrorBody {
    pub errors: Vec<AbErrorItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbErrorItem {
    /// The HTTP status, as a string (JSON:API).
    pub status: String,
    /// The HTTP reason phrase, e.g. `Unauthorized`.
    pub title: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<AbErrorSource>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AbErrorSource {
    /// The query parameter that caused the error, e.g. `auth.expires`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'static str>,
    /// A JSON pointer into the request body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl IntoResponse for AbError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), detail = %self.detail, "AB Connect request failed");
        } else {
            tracing::debug!(status = self.status.as_u16(), detail = %self.detail, parameter = ?self.parameter, "AB Connect request refused");
        }
        // `Json` sends `application/json`; the charset middleware adds `; charset=utf-8`, the AB content type.
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type AbResult<T> = Result<T, AbError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_shape_is_ab_connects() {
        let body = serde_json::to_value(AbError::unauthorized("auth.signature", "bad").body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"errors":[{"status":"401","title":"Unauthorized","detail":"bad",
                                          "source":{"parameter":"auth.signature"}}]})
        );
    }
}
