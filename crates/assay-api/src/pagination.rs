//! List pagination on the wire: `page` + `per_page` (alias `limit`) in, JSON array + `Link`, `Current-Page`,
//! `Page-Items`, `Total-Pages`, `Total-Count` out.
//!
//! `next` links carry an opaque bookmark (`page=bookmark:…`, the key of the last row served) so that walking a
//! list costs the same on every page, however deep; `page=N` also works and skips rows. Every link is absolute
//! and repeats the request's own parameters, minus `access_token` (Canvas does not echo credentials).

use assay_domain::Code;
use assay_store::{Page, PageRequest, Position};
use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderValue, request::Parts},
    response::{IntoResponse, Response},
};
use base64::Engine;
use serde::Serialize;

use crate::{AppState, error::ApiError};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;
/// Larger requests are served as `MAX_PER_PAGE` (Canvas scripts often ask for 1000); beyond this they are
/// refused as nonsense.
pub const MAX_REQUESTABLE_PER_PAGE: u64 = 1000;
const BOOKMARK: &str = "bookmark:";

/// The pagination parameters every list takes (documentation only; `Pagination` reads them).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageQuery {
    /// 1-based page number, or the opaque `bookmark:…` value of a `next` link.
    page: Option<String>,
    /// Items per page: default 20, at most 100 (values up to 1000 are served as 100).
    per_page: Option<u64>,
    /// Alias of `per_page`.
    limit: Option<u64>,
}

/// The page a list request asks for, with what is needed to link to its neighbours.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub request: PageRequest,
    /// 1-based number of the requested page.
    pub page_number: u64,
    base_url: String,
    path: String,
    /// The request's query parameters other than `page` and `access_token`, in their original order.
    kept_query: Vec<(String, String)>,
}

fn invalid(message: impl Into<String>, pointer: &str) -> ApiError {
    ApiError::bad_request(Code::InvalidPagination, message, Some(pointer.to_owned()))
}

fn parse_count(raw: &str, name: &str) -> Result<u64, ApiError> {
    match raw.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(invalid(format!("`{name}` must be a positive integer, not `{raw}`"), &format!("/{name}"))),
    }
}

impl Pagination {
    /// Reads `page`, `per_page` and `limit` from a query string.
    pub fn from_query(query: Option<&str>, base_url: String, path: String) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        let value = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let per_page = match value("per_page").or_else(|| value("limit")) {
            None => DEFAULT_PER_PAGE,
            Some(raw) => {
                let n = parse_count(raw, if value("per_page").is_some() { "per_page" } else { "limit" })?;
                if n > MAX_REQUESTABLE_PER_PAGE {
                    return Err(invalid(
                        format!(
                            "`per_page` may be at most {MAX_PER_PAGE} (larger values up to {MAX_REQUESTABLE_PER_PAGE} are served as {MAX_PER_PAGE})"
                        ),
                        "/per_page",
                    ));
                }
                n.min(MAX_PER_PAGE)
            }
        };
        let (page_number, position, total_hint) = match value("page") {
            None => (1, Position::Offset(0), None),
            Some(raw) if raw.starts_with(BOOKMARK) => decode_bookmark(&raw[BOOKMARK.len()..])?,
            Some(raw) => {
                let n = parse_count(raw, "page")?;
                let skip = (n - 1)
                    .checked_mul(per_page)
                    .filter(|skip| *skip <= i64::MAX as u64)
                    .ok_or_else(|| invalid("`page` is out of range", "/page"))?;
                (n, Position::Offset(skip), None)
            }
        };
        let kept_query = pairs.into_iter().filter(|(k, _)| k != "page" && k != "access_token").collect();
        Ok(Pagination {
            request: PageRequest { position, per_page, total_hint },
            page_number,
            base_url,
            path,
            kept_query,
        })
    }

    fn link(&self, page: &str) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.kept_query {
            serializer.append_pair(k, v);
        }
        serializer.append_pair("page", page);
        format!("{}{}?{}", self.base_url, self.path, serializer.finish())
    }

    fn current_link(&self) -> String {
        match &self.request.position {
            Position::After(key) => {
                self.link(&encode_bookmark(self.page_number, self.request.total_hint.flatten(), key))
            }
            Position::Offset(_) => self.link(&self.page_number.to_string()),
        }
    }

    /// The headers for a served page.
    pub fn headers<T>(&self, page: &Page<T>) -> Vec<(&'static str, String)> {
        let per_page = self.request.per_page;
        let mut links = vec![format!("<{}>; rel=\"current\"", self.current_link())];
        if page.has_more
            && let Some(key) = &page.last_key
        {
            links.push(format!(
                "<{}>; rel=\"next\"",
                self.link(&encode_bookmark(self.page_number + 1, page.total, key))
            ));
        }
        if self.page_number > 1 {
            links.push(format!("<{}>; rel=\"prev\"", self.link(&(self.page_number - 1).to_string())));
        }
        links.push(format!("<{}>; rel=\"first\"", self.link("1")));
        let mut headers = vec![("current-page", self.page_number.to_string()), ("page-items", per_page.to_string())];
        if let Some(total) = page.total {
            let pages = total.div_ceil(per_page).max(1);
            links.push(format!("<{}>; rel=\"last\"", self.link(&pages.to_string())));
            headers.push(("total-pages", pages.to_string()));
            headers.push(("total-count", total.to_string()));
        }
        headers.push(("link", links.join(",")));
        headers
    }
}

/// `bookmark:` + base64url of `[page number, total or null, key…]`. The total is the count the walk's first page
/// made, so later pages need not count again (a snapshot: rows added since then show up, the total does not).
fn encode_bookmark(page_number: u64, total: Option<u64>, key: &[serde_json::Value]) -> String {
    let mut payload = vec![serde_json::json!(page_number), serde_json::json!(total)];
    payload.extend(key.iter().cloned());
    let json = serde_json::Value::Array(payload).to_string();
    format!("{BOOKMARK}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
}

type Decoded = (u64, Position, Option<Option<u64>>);

fn decode_bookmark(encoded: &str) -> Result<Decoded, ApiError> {
    let bad = || invalid("`page` holds a bookmark this server did not issue", "/page");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).map_err(|_| bad())?;
    let serde_json::Value::Array(items) = serde_json::from_slice(&bytes).map_err(|_| bad())? else {
        return Err(bad());
    };
    let [page, total, key @ ..] = items.as_slice() else { return Err(bad()) };
    if key.is_empty() || key.len() > 8 || !key.iter().all(|v| v.is_string() || v.is_i64()) {
        return Err(bad());
    }
    let page_number = page.as_u64().filter(|n| *n >= 1).ok_or_else(bad)?;
    let total = match total {
        serde_json::Value::Null => None,
        other => Some(other.as_u64().ok_or_else(bad)?),
    };
    Ok((page_number, Position::After(key.to_vec()), Some(total)))
}

impl FromRequestParts<AppState> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let base = state.base_url.resolve(&parts.headers);
        // The path the client called (`OriginalUri`), so `Link`s of a rewritten request (`/tests`) keep it.
        let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |o| o.0.path());
        Pagination::from_query(parts.uri.query(), base, path.to_owned())
    }
}

/// A page of a list, rendered as a JSON array (or an object with one key holding it) plus pagination headers.
pub struct Paginated<T> {
    pub page: Page<T>,
    pub pagination: Pagination,
    /// Canvas wraps a few lists in an object, e.g. `{"enrollment_terms":[…]}`.
    pub root_key: Option<&'static str>,
}

impl<T> Paginated<T> {
    pub fn new(page: Page<T>, pagination: Pagination) -> Self {
        Paginated { page, pagination, root_key: None }
    }

    /// A page of a short list held in memory (a quiz's questions), keyed by each item's index in the list.
    pub fn from_vec(items: Vec<T>, pagination: Pagination) -> Self {
        let start = match &pagination.request.position {
            Position::Offset(skip) => usize::try_from(*skip).unwrap_or(usize::MAX),
            Position::After(key) => key
                .first()
                .and_then(serde_json::Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .map_or(0, |i| i.saturating_add(1)),
        };
        let per_page = usize::try_from(pagination.request.per_page).unwrap_or(usize::MAX);
        let total = items.len();
        let end = start.saturating_add(per_page).min(total);
        let page_items: Vec<T> = items.into_iter().skip(start).take(per_page).collect();
        let last_key = (end > start).then(|| vec![serde_json::json!(end - 1)]);
        let page = Page { items: page_items, has_more: end < total, total: Some(total as u64), last_key };
        Paginated { page, pagination, root_key: None }
    }
}

impl<T: Serialize> IntoResponse for Paginated<T> {
    fn into_response(self) -> Response {
        let headers = self.pagination.headers(&self.page);
        let body = match self.root_key {
            None => Json(serde_json::to_value(&self.page.items).unwrap_or_default()).into_response(),
            Some(key) => Json(serde_json::json!({ key: self.page.items })).into_response(),
        };
        let mut response = body;
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Pagination, ApiError> {
        Pagination::from_query(Some(q), "http://h".into(), "/api/v1/x".into())
    }

    #[test]
    fn defaults_and_limits() {
        let p = parse("").unwrap();
        assert_eq!((p.request.per_page, p.page_number), (DEFAULT_PER_PAGE, 1));
        assert_eq!(parse("limit=7").unwrap().request.per_page, 7);
        assert_eq!(parse("per_page=500").unwrap().request.per_page, MAX_PER_PAGE);
        for bad in [
            "per_page=0",
            "per_page=-1",
            "per_page=abc",
            "per_page=1001",
            "per_page=99999999999999999999999",
            "page=0",
            "page=x",
            "page=bookmark:zz",
            "page=99999999999999999&per_page=100",
        ] {
            let err = parse(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(err.code, Code::InvalidPagination, "{bad}");
        }
    }

    #[test]
    fn links_keep_parameters_and_drop_credentials() {
        let p = parse("include[]=a&include[]=b&search_term=x&access_token=secret&page=2&per_page=10").unwrap();
        let page =
            Page { items: vec![1, 2], has_more: true, total: Some(35), last_key: Some(vec![serde_json::json!(20)]) };
        let headers = p.headers(&page);
        let link = &headers.iter().find(|(k, _)| *k == "link").unwrap().1;
        assert!(!link.contains("secret"));
        assert!(link.contains("include%5B%5D=a&include%5B%5D=b&search_term=x&per_page=10"));
        assert!(link.contains("rel=\"next\"") && link.contains("rel=\"prev\"") && link.contains("rel=\"last\""));
        assert!(headers.contains(&("total-pages", "4".into())));
        let next = link.split(',').find(|l| l.contains("rel=\"next\"")).unwrap();
        let url = next.trim_start_matches('<').split('>').next().unwrap();
        let again = parse(url.split_once('?').unwrap().1).unwrap();
        assert_eq!(again.page_number, 3);
        assert_eq!(again.request.position, Position::After(vec![serde_json::json!(20)]));
    }
}
