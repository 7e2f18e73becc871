//! The one error type of the HTTP surfaces and its one mapping to a response. Everything that can go wrong in a
//! handler converts into `ApiError` (`?` works on store errors, parameter errors, validation failures), and the
//! wire shape comes from the error-code table in `assay_domain::Code`.

use assay_domain::{Code, FieldError};
use assay_store::StoreError;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    /// What went wrong, for a person reading it.
    pub message: String,
    /// One entry per invalid field (422) or per failing element; empty otherwise.
    pub fields: Vec<FieldError>,
    /// Sent as `WWW-Authenticate` with 401s for missing or bad credentials.
    pub challenge: Option<String>,
    /// Seconds to send as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), fields: Vec::new(), challenge: None, retry_after: None }
    }

    pub fn not_found(code: Code) -> Self {
        ApiError::new(code, "The specified resource does not exist.")
    }

    pub fn unauthorized() -> Self {
        ApiError::new(Code::Unauthorized, "user not authorized to perform that action")
    }

    pub fn unauthenticated(challenge: String, message: &str) -> Self {
        ApiError { challenge: Some(challenge), ..ApiError::new(Code::Unauthenticated, message) }
    }

    pub fn bad_request(code: Code, message: impl Into<String>, pointer: Option<String>) -> Self {
        let message = message.into();
        let fields = pointer.map(|pointer| vec![FieldError { pointer, message: message.clone() }]).unwrap_or_default();
        ApiError { fields, ..ApiError::new(code, message) }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        ApiError { fields, ..ApiError::new(Code::ValidationFailed, "The request has invalid fields.") }
    }

    pub fn invalid_field(pointer: &str, message: impl Into<String>) -> Self {
        ApiError::invalid(vec![FieldError { pointer: pointer.to_owned(), message: message.into() }])
    }

    pub fn internal() -> Self {
        ApiError::new(
            Code::Internal,
            "An unexpected error occurred. It has been logged with this response's request id.",
        )
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(fields: Vec<FieldError>) -> Self {
        ApiError::invalid(fields)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::not_found(Code::NotFound),
            StoreError::Conflict { field } => ApiError {
                fields: vec![FieldError {
                    pointer: format!("/{field}"),
                    message: format!("`{field}` is already in use"),
                }],
                ..ApiError::new(Code::Conflict, format!("`{field}` is already in use by another object in this school"))
            },
            StoreError::BadBookmark(why) => ApiError::bad_request(
                Code::InvalidPagination,
                format!("`page` holds a bookmark this list cannot use: {why}"),
                Some("/page".into()),
            ),
            StoreError::Busy { message } => ApiError::new(Code::Conflict, message),
            StoreError::Invalid { field, message } => ApiError::invalid_field(&format!("/{field}"), message),
            StoreError::InvalidItem { field, message } => ApiError::invalid_field(&format!("/{field}"), message),
            StoreError::Unavailable(_) => {
                tracing::error!(error = %err, "database unavailable");
                ApiError {
                    retry_after: Some(5),
                    ..ApiError::new(Code::Unavailable, "The database is not reachable; retry shortly.")
                }
            }
            StoreError::Database(_) | StoreError::Migration(_) => {
                tracing::error!(error = %err, "store failure");
                ApiError::internal()
            }
        }
    }
}

/// The error body: `{"errors":[…]}`, plus Canvas's top-level `status` on 401s.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `unauthenticated` or `unauthorized` on 401s, as Canvas sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorItem {
    /// The HTTP status, as a string (JSON:API).
    pub status: String,
    /// Stable machine-readable code; see the error table in the docs.
    pub code: &'static str,
    pub title: &'static str,
    pub message: String,
    /// What specifically was wrong with this field or element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
    pub links: ErrorLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorSource {
    /// JSON pointer to the offending field of the request, e.g. `/user/name`.
    pub pointer: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorLinks {
    /// Where the code is documented.
    pub about: String,
}

impl ApiError {
    pub fn body(&self) -> ErrorBody {
        let item = |detail: Option<String>, pointer: Option<String>| ErrorItem {
            status: self.code.status().to_string(),
            code: self.code.as_str(),
            title: self.code.title(),
            message: self.message.clone(),
            detail,
            source: pointer.map(|pointer| ErrorSource { pointer }),
            links: ErrorLinks { about: format!("/api/docs#error-{}", self.code.as_str()) },
        };
        let errors = if self.fields.is_empty() {
            vec![item(None, None)]
        } else {
            self.fields.iter().map(|f| item(Some(f.message.clone()), Some(f.pointer.clone()))).collect()
        };
        let status = match self.code {
            Code::Unauthenticated => Some("unauthenticated"),
            Code::Unauthorized => Some("unauthorized"),
            _ => None,
        };
        ErrorBody { status, errors }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(code = %self.code, message = %self.message, "request failed");
        } else {
            tracing::debug!(code = %self.code, message = %self.message, "request refused");
        }
        let mut response = (status, Json(self.body())).into_response();
        if let Some(challenge) = &self.challenge
            && let Ok(value) = HeaderValue::from_str(challenge)
        {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
