//! The OpenAPI document covers every routed endpoint, and every documented endpoint is routed.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use crate::backend_test;

/// Every route of the server. Adding a route means adding it here, where later tests attach the expectations
/// (which permission, what another school sees) to it.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/diagnostics/health"),
    ("GET", "/api/diagnostics/version"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/assets/rapidoc-9.3.8.min.js"),
    ("GET", "/api/v1/accounts"),
    ("GET", "/api/v1/accounts/{id}"),
    ("PUT", "/api/v1/accounts/{id}"),
    ("GET", "/api/v1/accounts/{id}/sub_accounts"),
    ("POST", "/api/v1/accounts/{id}/sub_accounts"),
    ("DELETE", "/api/v1/accounts/{account_id}/sub_accounts/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/users"),
    ("POST", "/api/v1/accounts/{account_id}/users"),
    ("DELETE", "/api/v1/accounts/{account_id}/users/{id}"),
    ("GET", "/api/v1/users/self"),
    ("PUT", "/api/v1/users/self"),
    ("GET", "/api/v1/users/{id}"),
    ("PUT", "/api/v1/users/{id}"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/accounts/{account_id}/courses"),
    ("POST", "/api/v1/accounts/{account_id}/courses"),
    ("GET", "/api/v1/courses/{id}"),
    ("PUT", "/api/v1/courses/{id}"),
    ("DELETE", "/api/v1/courses/{id}"),
    ("GET", "/api/v1/courses"),
    ("GET", "/api/v1/users/{user_id}/courses"),
    ("GET", "/api/v1/courses/{course_id}/settings"),
    ("PUT", "/api/v1/courses/{course_id}/settings"),
    ("GET", "/api/v1/courses/{course_id}/sections"),
    ("POST", "/api/v1/courses/{course_id}/sections"),
    ("GET", "/api/v1/sections/{id}"),
    ("PUT", "/api/v1/sections/{id}"),
    ("DELETE", "/api/v1/sections/{id}"),
    ("GET", "/api/v1/courses/{course_id}/enrollments"),
    ("POST", "/api/v1/courses/{course_id}/enrollments"),
    ("GET", "/api/v1/sections/{section_id}/enrollments"),
    ("POST", "/api/v1/sections/{section_id}/enrollments"),
    ("GET", "/api/v1/users/{user_id}/enrollments"),
    ("GET", "/api/v1/accounts/{account_id}/enrollments/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/enrollments/{id}"),
    ("POST", "/api/v1/courses/{course_id}/enrollments/{id}/accept"),
    ("POST", "/api/v1/courses/{course_id}/enrollments/{id}/reject"),
    ("PUT", "/api/v1/courses/{course_id}/enrollments/{id}/reactivate"),
    ("GET", "/api/v1/courses/{course_id}/users"),
    ("GET", "/api/v1/courses/{course_id}/search_users"),
    ("GET", "/api/v1/courses/{course_id}/users/{id}"),
    ("GET", "/api/v1/courses/{course_id}/group_categories"),
    ("POST", "/api/v1/courses/{course_id}/group_categories"),
    ("GET", "/api/v1/group_categories/{id}"),
    ("PUT", "/api/v1/group_categories/{id}"),
    ("DELETE", "/api/v1/group_categories/{id}"),
    ("GET", "/api/v1/group_categories/{group_category_id}/groups"),
    ("POST", "/api/v1/group_categories/{group_category_id}/groups"),
    ("GET", "/api/v1/courses/{course_id}/groups"),
    ("GET", "/api/v1/groups/{id}"),
    ("PUT", "/api/v1/groups/{id}"),
    ("DELETE", "/api/v1/groups/{id}"),
    ("GET", "/api/v1/groups/{group_id}/memberships"),
    ("POST", "/api/v1/groups/{group_id}/memberships"),
    ("GET", "/api/v1/groups/{group_id}/memberships/{membership_id}"),
    ("PUT", "/api/v1/groups/{group_id}/memberships/{membership_id}"),
    ("DELETE", "/api/v1/groups/{group_id}/memberships/{membership_id}"),
    ("DELETE", "/api/v1/groups/{group_id}/users/{user_id}"),
    ("GET", "/api/v1/groups/{group_id}/users"),
    ("GET", "/api/v1/courses/{course_id}/assignment_groups"),
    ("POST", "/api/v1/courses/{course_id}/assignment_groups"),
    ("GET", "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}"),
    ("PUT", "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}"),
    ("DELETE", "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}"),
    ("GET", "/api/v1/courses/{course_id}/assignment_groups/{assignment_group_id}/assignments"),
    ("GET", "/api/v1/courses/{course_id}/assignments"),
    ("POST", "/api/v1/courses/{course_id}/assignments"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/assignments/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/assignments/{id}"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/duplicate"),
    ("PUT", "/api/v1/courses/{course_id}/assignments/bulk_update"),
    ("GET", "/api/v1/courses/{course_id}/assignments/overrides"),
    ("POST", "/api/v1/courses/{course_id}/assignments/overrides"),
    ("PUT", "/api/v1/courses/{course_id}/assignments/overrides"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/assignments/{assignment_id}/overrides/{id}"),
    // The tests twins of the quiz submission routes (derived from the quiz routes, see test_vocabulary.rs).
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/submission"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions/{id}"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions/{id}/time"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/submissions/{id}/complete"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}"),
    ("PUT", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/files"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/files/{id}"),
    ("POST", "/api/v1/submission_uploads/{id}"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/post"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/hide"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/update_grades"),
    ("GET", "/api/v1/courses/{course_id}/students/submissions"),
    ("GET", "/api/v1/courses/{course_id}/grading_standards"),
    ("POST", "/api/v1/courses/{course_id}/grading_standards"),
    ("GET", "/api/v1/courses/{course_id}/grading_standards/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/grading_standards/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/grading_standards/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/grading_standards"),
    ("POST", "/api/v1/accounts/{account_id}/grading_standards"),
    ("GET", "/api/v1/accounts/{account_id}/grading_standards/{id}"),
    ("PUT", "/api/v1/accounts/{account_id}/grading_standards/{id}"),
    ("DELETE", "/api/v1/accounts/{account_id}/grading_standards/{id}"),
    ("GET", "/api/v1/courses/{id}/late_policy"),
    ("POST", "/api/v1/courses/{id}/late_policy"),
    ("PATCH", "/api/v1/courses/{id}/late_policy"),
    ("GET", "/api/v1/courses/{course_id}/rubrics"),
    ("POST", "/api/v1/courses/{course_id}/rubrics"),
    ("GET", "/api/v1/courses/{course_id}/rubrics/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/rubrics/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/rubrics/{id}"),
    ("GET", "/api/v1/groups/{group_id}/assignments/{assignment_id}/override"),
    ("GET", "/api/v1/sections/{course_section_id}/assignments/{assignment_id}/override"),
    ("GET", "/api/v1/courses/{course_id}/effective_due_dates"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/extensions"),
    ("GET", "/api/v1/accounts/{account_id}/terms"),
    ("POST", "/api/v1/accounts/{account_id}/terms"),
    ("GET", "/api/v1/accounts/{account_id}/terms/{id}"),
    ("PUT", "/api/v1/accounts/{account_id}/terms/{id}"),
    ("DELETE", "/api/v1/accounts/{account_id}/terms/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/permissions"),
    ("GET", "/api/v1/users/{user_id}/user_generated_tokens"),
    ("POST", "/api/v1/users/{user_id}/tokens"),
    ("GET", "/api/v1/users/{user_id}/tokens/{id}"),
    ("PUT", "/api/v1/users/{user_id}/tokens/{id}"),
    ("DELETE", "/api/v1/users/{user_id}/tokens/{id}"),
    ("POST", "/api/token"),
    ("POST", "/api/authenticate/token"),
    ("POST", "/login/oauth2/token"),
    ("DELETE", "/login/oauth2/token"),
    ("GET", "/api/v1/accounts/{account_id}/developer_keys"),
    ("POST", "/api/v1/accounts/{account_id}/developer_keys"),
    ("PUT", "/api/v1/developer_keys/{id}"),
    ("DELETE", "/api/v1/developer_keys/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/api_keys"),
    ("POST", "/api/v1/accounts/{account_id}/api_keys"),
    ("DELETE", "/api/v1/accounts/{account_id}/api_keys/{id}"),
    ("GET", "/api/v1/users/{user_id}/api_key"),
    ("POST", "/api/v1/users/{user_id}/api_key"),
    ("DELETE", "/api/v1/users/{user_id}/api_key"),
    ("GET", "/api/v1/users/{user_id}/logins"),
    ("POST", "/api/v1/accounts/{account_id}/logins"),
    ("PUT", "/api/v1/accounts/{account_id}/logins/{id}"),
    ("DELETE", "/api/v1/users/{user_id}/logins/{id}"),
    ("GET", "/api/v1/accounts/{account_id}/partners"),
    ("POST", "/api/v1/accounts/{account_id}/partners"),
    ("GET", "/api/v1/accounts/{account_id}/partners/{id}"),
    ("DELETE", "/api/v1/accounts/{account_id}/partners/{id}"),
    ("GET", "/rest/v4.1/partner"),
    ("GET", "/api/v1/accounts/{account_id}/sis_imports"),
    ("POST", "/api/v1/accounts/{account_id}/sis_imports"),
    ("GET", "/api/v1/accounts/{account_id}/sis_imports/{id}"),
    ("POST", "/api/v1/accounts/{account_id}/bulk_enrollment"),
    ("GET", "/api/v1/progress/{id}"),
    ("GET", "/api/v1/courses/{course_id}/quizzes"),
    ("POST", "/api/v1/courses/{course_id}/quizzes"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/quizzes/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/quizzes/{id}"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{id}/reorder"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions/{id}"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/groups/{id}/reorder"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/extensions"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors"),
    ("DELETE", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/contributors"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submission"),
    ("POST", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}/complete"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{id}/time"),
    ("GET", "/api/v1/quiz_submissions/{id}/questions"),
    ("POST", "/api/v1/quiz_submissions/{id}/questions"),
    ("PUT", "/api/v1/quiz_submissions/{id}/questions/{question_id}/flag"),
    ("PUT", "/api/v1/quiz_submissions/{id}/questions/{question_id}/unflag"),
    ("GET", "/api/v1/accounts/{account_id}/question_banks"),
    ("POST", "/api/v1/accounts/{account_id}/question_banks"),
    ("GET", "/api/v1/courses/{course_id}/question_banks"),
    ("POST", "/api/v1/courses/{course_id}/question_banks"),
    ("GET", "/api/v1/question_banks/{id}"),
    ("PUT", "/api/v1/question_banks/{id}"),
    ("DELETE", "/api/v1/question_banks/{id}"),
    ("GET", "/api/v1/question_banks/{id}/questions"),
    ("POST", "/api/v1/question_banks/{id}/questions"),
    ("GET", "/api/v1/question_banks/{id}/questions/{question_id}"),
    ("PUT", "/api/v1/question_banks/{id}/questions/{question_id}"),
    ("DELETE", "/api/v1/question_banks/{id}/questions/{question_id}"),
    ("GET", "/api/v1/question_banks/{id}/questions/{question_id}/versions"),
    ("POST", "/api/v1/question_banks/{id}/questions/copy"),
    ("POST", "/api/v1/question_banks/{id}/questions/move"),
    ("GET", "/api/v1/courses/{course_id}/content_migrations"),
    ("POST", "/api/v1/courses/{course_id}/content_migrations"),
    ("GET", "/api/v1/courses/{course_id}/content_migrations/{id}"),
    ("POST", "/api/v1/courses/{course_id}/content_migrations/{id}/file"),
    ("GET", "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues"),
    ("GET", "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/content_migrations/{content_migration_id}/migration_issues/{id}"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{id}/qti"),
    ("GET", "/api/v1/question_banks/{id}/qti"),
    // Tests in Assay's vocabulary: each `/quizzes` route of a course has a `/tests` twin.
    ("GET", "/api/v1/courses/{course_id}/tests"),
    ("POST", "/api/v1/courses/{course_id}/tests"),
    ("GET", "/api/v1/courses/{course_id}/tests/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/tests/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/tests/{id}"),
    ("POST", "/api/v1/courses/{course_id}/tests/{id}/reorder"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/questions"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/questions"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/questions/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/tests/{quiz_id}/questions/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/tests/{quiz_id}/questions/{id}"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/groups"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/groups/{id}"),
    ("PUT", "/api/v1/courses/{course_id}/tests/{quiz_id}/groups/{id}"),
    ("DELETE", "/api/v1/courses/{course_id}/tests/{quiz_id}/groups/{id}"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/groups/{id}/reorder"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/extensions"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/contributors"),
    ("POST", "/api/v1/courses/{course_id}/tests/{quiz_id}/contributors"),
    ("DELETE", "/api/v1/courses/{course_id}/tests/{quiz_id}/contributors"),
    ("GET", "/api/v1/courses/{course_id}/tests/{id}/qti"),
    ("GET", "/api/v1/accounts/{account_id}/tests"),
    // Results: gradebook, appeals and explanations, quiz statistics and results.
    ("GET", "/api/v1/courses/{course_id}/gradebook_export.csv"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/withdraw"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/resolve"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/appeals/{id}/reject"),
    ("GET", "/api/v1/courses/{course_id}/appeals"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations"),
    ("POST", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations"),
    ("GET", "/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user_id}/explanations/{id}"),
    ("GET", "/api/v1/courses/{course_id}/explanations"),
    ("GET", "/api/v1/courses/{course_id}/explanations.csv"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/statistics"),
    ("GET", "/api/v1/courses/{course_id}/quizzes/{quiz_id}/results"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/statistics"),
    ("GET", "/api/v1/courses/{course_id}/tests/{quiz_id}/results"),
];

fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

backend_test!(every_route_is_documented_and_every_documented_route_is_served, |t| {
    let res = t.anonymous(Method::GET, "/api/openapi.json").send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body["openapi"].as_str().unwrap().starts_with("3.1"), "{}", res.body["openapi"]);
    assert_eq!(res.body["info"]["version"], env!("CARGO_PKG_VERSION"));
    let expected: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented(&res.body), expected, "the route inventory and the OpenAPI document disagree");
    assert!(res.body["components"]["securitySchemes"]["bearer"].is_object());

    // Every documented operation is actually routed: it never answers route_not_found or 405.
    for (method, path) in &expected {
        let concrete = path
            .replace("{account_id}", "self")
            .replace("{user_id}", "self")
            .replace("{course_id}", "1")
            .replace("{quiz_id}", "1")
            .replace("{question_id}", "1")
            .replace("{id}", "1");
        let res = t.req(Method::from_bytes(method.as_bytes()).unwrap(), &concrete).send().await;
        let code = res.body["errors"][0]["code"].as_str().unwrap_or_default();
        assert!(
            code != "route_not_found" && code != "method_not_allowed",
            "{method} {path} is documented but not routed: {}",
            res.body
        );
    }
});

backend_test!(the_docs_page_works_offline, |t| {
    let res = t.anonymous(Method::GET, "/api/docs").send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let html = res.body.as_str().unwrap();
    assert!(html.contains("/api/docs/assets/rapidoc-9.3.8.min.js") && html.contains("/api/openapi.json"));
    assert!(html.contains("id=\"error-course_not_found\"") || html.contains("id=\"error-account_not_found\""));
    for code in assay_domain::Code::ALL {
        assert!(html.contains(&format!("id=\"error-{}\"", code.as_str())), "{code} has no anchor on the docs page");
    }
    for external in ["https://", "http://"] {
        assert!(!html.contains(external), "the docs page must not load anything from another host");
    }
    let js = t.client.get(t.url("/api/docs/assets/rapidoc-9.3.8.min.js")).send().await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(js.bytes().await.unwrap().len() > 500_000);
});
