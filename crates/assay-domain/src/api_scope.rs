//! Canvas endpoint scopes: `url:<METHOD>|<path>`, e.g. `url:GET|/api/v1/accounts/:account_id/users`. A scoped
//! credential may call exactly the endpoints its scopes name. Parameter names do not matter (`:id`, `{user_id}`
//! and `:user_id` are the same position), so a scope matches the route template the router matched.

/// A parsed scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiScope {
    pub method: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
}

fn segments(path: &str) -> Vec<Segment> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with(':') || (s.starts_with('{') && s.ends_with('}')) {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

impl ApiScope {
    /// Parses `url:GET|/api/v1/…`. The method is one of GET, POST, PUT, PATCH, DELETE.
    pub fn parse(scope: &str) -> Option<ApiScope> {
        let rest = scope.strip_prefix("url:")?;
        let (method, path) = rest.split_once('|')?;
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method) || !path.starts_with("/api/") {
            return None;
        }
        Some(ApiScope { method: method.to_owned(), segments: segments(path) })
    }

    /// The scope of an endpoint from its method and route template (`/api/v1/users/{id}`).
    pub fn for_route(method: &str, template: &str) -> ApiScope {
        let method = if method == "HEAD" { "GET" } else { method };
        ApiScope { method: method.to_owned(), segments: segments(template) }
    }
}

/// Whether `scopes` (as stored) allow calling `method` on the route `template`. Unparseable scopes allow nothing.
pub fn allows(scopes: &[String], method: &str, template: &str) -> bool {
    let wanted = ApiScope::for_route(method, template);
    scopes.iter().filter_map(|s| ApiScope::parse(s)).any(|s| s == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_match_route_templates_whatever_the_parameter_names() {
        let scopes =
            vec!["url:GET|/api/v1/accounts/:account_id/users".to_owned(), "url:PUT|/api/v1/users/:id".to_owned()];
        assert!(allows(&scopes, "GET", "/api/v1/accounts/{account_id}/users"));
        assert!(allows(&scopes, "HEAD", "/api/v1/accounts/{id}/users"));
        assert!(allows(&scopes, "PUT", "/api/v1/users/{id}"));
        assert!(!allows(&scopes, "GET", "/api/v1/users/{id}"));
        assert!(!allows(&scopes, "POST", "/api/v1/accounts/{account_id}/users"));
        assert!(!allows(&scopes, "GET", "/api/v1/accounts/{account_id}"));
        assert!(!allows(&scopes, "GET", "/api/v1/users/self"), "a literal segment is not a parameter");
        assert!(!allows(&["garbage".to_owned()], "GET", "/api/v1/accounts"));
    }

    #[test]
    fn parses_only_well_formed_scopes() {
        assert!(ApiScope::parse("url:GET|/api/v1/courses").is_some());
        for bad in ["GET|/api/v1/x", "url:FETCH|/api/v1/x", "url:GET|/etc/passwd", "url:GET", ""] {
            assert!(ApiScope::parse(bad).is_none(), "{bad}");
        }
    }
}
