//! Tests in Assay's native vocabulary: every `/api/v1/courses/:course_id/quizzes…` endpoint (Canvas's classic
//! quiz surface) is also reachable as `/api/v1/courses/:course_id/tests…`, with the same behaviour and the same
//! JSON, and a body may name its root key `test[...]` wherever `quiz[...]` is read (a serde alias on the parameter
//! structs).
//!
//! How: a request path under `…/courses/:course_id/tests` is rewritten to `…/quizzes` in front of the router, and
//! the OpenAPI document gains each `/tests` path as a copy of its routed `/quizzes` twin, under the "Tests" tag.
//! Why this rather than a second set of routes:
//! - one code path: the same handlers, extractors and permission checks, and the same rate-limit and
//!   token-scope key (the matched route is the `/quizzes` one, so a token scoped to quizzes may use tests);
//! - nothing to keep in step: explicit routes would need a second `#[utoipa::path]` per handler, and a new quiz
//!   endpoint could be added without its twin. Here the twin exists the moment the `/quizzes` route does;
//! - the document stays truthful: its `/tests` paths are derived from the operations actually routed, and the
//!   route inventory test (`tests/api/openapi.rs`) calls each of them.
//!
//! What the client sees of the rewrite: nothing but the JSON it would get from `/quizzes`. List `Link` headers keep
//! the path the client called, since pagination reads `OriginalUri`; `html_url`s and `Location`s name the
//! canonical `/quizzes` URL, which always works.

use axum::{
    extract::{OriginalUri, Request},
    http::{Uri, uri::PathAndQuery},
};
use utoipa::openapi::{OpenApi, PathItem};

const COURSES: &str = "/api/v1/courses/";
const QUIZZES_TEMPLATE: &str = "/api/v1/courses/{course_id}/quizzes";
const TESTS_TEMPLATE: &str = "/api/v1/courses/{course_id}/tests";
/// The tag the `/tests` operations are listed under.
pub const TAG: &str = "Tests";

/// The `/quizzes` path a `/tests` path stands for; `None` for any other path.
pub fn canonical_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix(COURSES)?;
    let (course, tail) = rest.split_once('/')?;
    if course.is_empty() {
        return None;
    }
    let after = tail.strip_prefix("tests")?;
    if !(after.is_empty() || after.starts_with('/')) {
        return None;
    }
    Some(format!("{COURSES}{course}/quizzes{after}"))
}

/// Rewrites a `/tests` request to its `/quizzes` path, keeping the query and remembering the URI the client sent.
pub fn rewrite(mut req: Request) -> Request {
    let Some(path) = canonical_path(req.uri().path()) else { return req };
    let path_and_query = match req.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = req.uri().clone().into_parts();
    let Ok(path_and_query) = PathAndQuery::try_from(path_and_query) else { return req };
    parts.path_and_query = Some(path_and_query);
    let Ok(uri) = Uri::from_parts(parts) else { return req };
    if req.extensions().get::<OriginalUri>().is_none() {
        let original = OriginalUri(req.uri().clone());
        req.extensions_mut().insert(original);
    }
    *req.uri_mut() = uri;
    req
}

/// Adds to the document a `/tests` twin of every `/quizzes` path of a course: the same operations, tagged "Tests",
/// with operation ids made unique.
pub fn document_test_paths(document: &mut OpenApi) {
    let twins: Vec<(String, PathItem)> = document
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix(QUIZZES_TEMPLATE)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| (format!("{TESTS_TEMPLATE}{rest}"), as_test(item)))
        })
        .collect();
    for (path, item) in twins {
        document.paths.paths.insert(path, item);
    }
}

fn as_test(item: &PathItem) -> PathItem {
    let mut item = item.clone();
    for operation in
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
    {
        operation.tags = Some(vec![TAG.to_owned()]);
        operation.operation_id = operation.operation_id.take().map(|id| format!("{id}_as_test"));
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_courses_tests_paths_are_rewritten() {
        let cases = [
            ("/api/v1/courses/1/tests", Some("/api/v1/courses/1/quizzes")),
            (
                "/api/v1/courses/sis_course_id:X/tests/5/questions",
                Some("/api/v1/courses/sis_course_id:X/quizzes/5/questions"),
            ),
            ("/api/v1/courses/1/tests/", Some("/api/v1/courses/1/quizzes/")),
            ("/api/v1/courses/1/testsuite", None),
            ("/api/v1/courses//tests", None),
            ("/api/v1/courses/1/quizzes", None),
            ("/api/v1/accounts/1/tests", None),
            ("/api/v1/courses/1/assignments/tests", None),
        ];
        for (path, want) in cases {
            assert_eq!(canonical_path(path).as_deref(), want, "{path}");
        }
    }

    #[test]
    fn the_rewrite_keeps_the_query_and_the_original_uri() {
        let req = Request::builder().uri("/api/v1/courses/3/tests?search_term=a%20b").body(axum::body::Body::empty());
        let req = rewrite(req.unwrap());
        assert_eq!(req.uri().to_string(), "/api/v1/courses/3/quizzes?search_term=a%20b");
        assert_eq!(req.extensions().get::<OriginalUri>().unwrap().0.path(), "/api/v1/courses/3/tests");
        let untouched = rewrite(Request::builder().uri("/api/v1/courses/3").body(axum::body::Body::empty()).unwrap());
        assert_eq!(untouched.uri().path(), "/api/v1/courses/3");
        assert!(untouched.extensions().get::<OriginalUri>().is_none());
    }
}
