//! Path parameters with errors in the one error shape.

use assay_domain::{Code, IdRef, id_ref::Prefixes};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like axum's `Path`, but a bad segment is a 400 in the error shape.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection| ApiError::new(Code::InvalidId, rejection.body_text()))
    }
}

/// Parses a path id for `resource`, answering 400 `invalid_id` for junk.
pub fn id_ref(raw: &str, resource: &'static str, prefixes: Prefixes) -> Result<IdRef, ApiError> {
    IdRef::parse(raw, resource, prefixes).map_err(|err| ApiError::new(Code::InvalidId, err.to_string()))
}
