//! Request parameters, the Canvas way: the query string and the body (JSON, form or multipart, for every method
//! including DELETE) merged into one tree, Rails bracket keys nested, then read into a typed struct.

pub mod de;
mod rails;

use assay_domain::Code;
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{HeaderMap, header},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{AppState, error::ApiError};

pub use rails::ParamError;

/// Typed parameters from the query string and body.
pub struct Params<T>(pub T);

/// The media types a body may have; anything else is refused with 415 before a handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Multipart,
}

/// Classifies a request's `Content-Type`; `Err` for unsupported types.
pub fn body_kind(headers: &HeaderMap) -> Result<Option<BodyKind>, ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(None);
    };
    let unsupported = || {
        ApiError::new(
            Code::UnsupportedMediaType,
            "Send the body as application/json, application/x-www-form-urlencoded or multipart/form-data.",
        )
    };
    let mime: mime::Mime = value.to_str().map_err(|_| unsupported())?.parse().map_err(|_| unsupported())?;
    match (mime.type_(), mime.subtype(), mime.suffix()) {
        (mime::APPLICATION, mime::JSON, _) | (mime::APPLICATION, _, Some(mime::JSON)) => Ok(Some(BodyKind::Json)),
        (mime::APPLICATION, mime::WWW_FORM_URLENCODED, _) => Ok(Some(BodyKind::Form)),
        (mime::MULTIPART, mime::FORM_DATA, _) => Ok(Some(BodyKind::Multipart)),
        _ => Err(unsupported()),
    }
}

fn param_error(err: ParamError) -> ApiError {
    ApiError::bad_request(Code::MalformedParameters, err.to_string(), Some(key_pointer(&err.key)))
}

/// `a[b][]` → `/a/b`.
fn key_pointer(key: &str) -> String {
    let mut pointer = String::new();
    for part in key.split(['[', ']']).filter(|p| !p.is_empty()) {
        pointer.push('/');
        pointer.push_str(part);
    }
    pointer
}

/// The parameter tree of name/value pairs (the text fields of an upload's multipart body), Rails keys nested.
pub fn tree_from_pairs<'a, I: IntoIterator<Item = (&'a str, &'a str)>>(
    pairs: I,
) -> Result<Map<String, Value>, ApiError> {
    rails::parse_pairs(pairs).map_err(param_error)
}

/// The parameter tree of a query string.
pub fn query_tree(query: Option<&str>) -> Result<Map<String, Value>, ApiError> {
    match query {
        Some(q) => rails::parse_form(q).map_err(param_error),
        None => Ok(Map::new()),
    }
}

/// Merges `overlay` into `base` (the body's parameters over the query's).
pub fn merge_trees(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    rails::deep_merge(base, overlay);
}

/// Reads the merged parameter tree of a request.
pub async fn read_tree(req: Request, state: &AppState) -> Result<Map<String, Value>, ApiError> {
    let mut tree = match req.uri().query() {
        Some(query) => rails::parse_form(query).map_err(param_error)?,
        None => Map::new(),
    };
    let kind = body_kind(req.headers())?;
    let boundary = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(multer_boundary);
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(Code::PayloadTooLarge, "The request body is too large.")
        } else {
            ApiError::new(Code::BadRequest, format!("The request body could not be read: {rejection}"))
        }
    })?;
    if bytes.is_empty() {
        return Ok(tree);
    }
    let body = match kind {
        None => {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                "A request with a body needs a Content-Type: application/json, application/x-www-form-urlencoded or multipart/form-data.",
            ));
        }
        Some(BodyKind::Json) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(ApiError::new(Code::BadRequest, "The JSON body must be an object."));
            }
            Err(err) => {
                return Err(ApiError::new(Code::MalformedJson, format!("The body is not valid JSON: {err}")));
            }
        },
        Some(BodyKind::Form) => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ApiError::new(Code::BadRequest, "The form body is not valid UTF-8."))?;
            rails::parse_form(text).map_err(param_error)?
        }
        Some(BodyKind::Multipart) => {
            let boundary = boundary
                .ok_or_else(|| ApiError::new(Code::BadRequest, "The multipart body has no boundary parameter."))?;
            multipart_fields(bytes, boundary).await?
        }
    };
    rails::deep_merge(&mut tree, body);
    Ok(tree)
}

fn multer_boundary(content_type: &str) -> Option<String> {
    let mime: mime::Mime = content_type.parse().ok()?;
    mime.get_param(mime::BOUNDARY).map(|b| b.as_str().to_owned())
}

/// The text fields of a multipart body, nested like a form. File parts are for the upload endpoints of later
/// surfaces; here they are refused rather than silently dropped.
async fn multipart_fields(bytes: Bytes, boundary: String) -> Result<Map<String, Value>, ApiError> {
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let bad = |err: multer::Error| ApiError::new(Code::BadRequest, format!("The multipart body is malformed: {err}"));
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            return Err(ApiError::bad_request(
                Code::BadRequest,
                "This endpoint takes no file uploads.",
                Some(key_pointer(&name)),
            ));
        }
        let text = field.text().await.map_err(bad)?;
        pairs.push((name, text));
    }
    rails::parse_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(param_error)
}

/// Reads a typed value from a parameter tree; a value of the wrong type is a 400 naming the field.
pub fn from_tree<T: DeserializeOwned>(tree: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(tree)).map_err(|err| {
        let pointer = path_pointer(err.path());
        let inner = err.into_inner().to_string();
        ApiError::bad_request(
            Code::BadRequest,
            format!("Parameter `{}`: {inner}", pointer.trim_start_matches('/')),
            Some(pointer),
        )
    })
}

fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{key}")),
            Segment::Enum { variant } => pointer.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    pointer
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let tree = read_tree(req, state).await?;
        Ok(Params(from_tree(tree)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_from_keys() {
        assert_eq!(key_pointer("a[b][]"), "/a/b");
        assert_eq!(key_pointer("user[name]"), "/user/name");
    }

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert_eq!(body_kind(&h).ok(), Some(None));
        for (ct, kind) in [
            ("application/json", BodyKind::Json),
            ("application/json; charset=utf-8", BodyKind::Json),
            ("application/vnd.api+json", BodyKind::Json),
            ("application/x-www-form-urlencoded", BodyKind::Form),
            ("multipart/form-data; boundary=x", BodyKind::Multipart),
        ] {
            h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            assert_eq!(body_kind(&h).ok(), Some(Some(kind)), "{ct}");
        }
        for ct in ["text/plain", "application/xml", "garbage"] {
            h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            assert!(body_kind(&h).is_err(), "{ct}");
        }
    }
}
