//! Tenant isolation, for every routed endpoint: the list comes from the OpenAPI document, so a new endpoint is
//! covered the day it is added — and if it takes a path id this test cannot fill with another school's object,
//! the test fails until someone says which object that is.
//!
//! For each secured operation: without a credential → 401; as another school's administrator, aimed at School
//! A's objects → 404; and School A's data and event feed are unchanged afterwards.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{backend_test, harness::TestApp};

/// School A's objects, one per kind of path id.
struct Fixtures {
    ids: BTreeMap<&'static str, String>,
}

impl Fixtures {
    async fn create(t: &TestApp) -> Fixtures {
        let mut ids = BTreeMap::new();
        let sub = t
            .post("/api/v1/accounts/self/sub_accounts")
            .form(&[("account[name]", "A branch"), ("account[sis_account_id]", "A-BR")])
            .send()
            .await;
        ids.insert("account", sub.body["id"].to_string());
        let user = t.create_user_with_password("Alice A", "alice@a.test", "Alice-Pass-1").await;
        ids.insert("user", user.to_string());
        let user_token = t.token_for(user).await;
        let token = t
            .post("/api/v1/users/self/tokens")
            .token(&user_token)
            .form(&[("token[purpose]", "A's script")])
            .send()
            .await;
        ids.insert("token", token.body["id"].to_string());
        let key =
            t.post("/api/v1/accounts/self/developer_keys").form(&[("developer_key[name]", "A's key")]).send().await;
        ids.insert("developer_key", key.body["id"].to_string());
        let api_key = t.post("/api/v1/accounts/self/api_keys").form(&[("api_key[name]", "A's grader")]).send().await;
        ids.insert("api_key", api_key.body["id"].to_string());
        t.post(&format!("/api/v1/users/{user}/api_key")).send().await;
        let logins = t.get(&format!("/api/v1/users/{user}/logins")).send().await;
        ids.insert("login", logins.body[0]["id"].to_string());
        let course = t
            .post("/api/v1/accounts/self/courses")
            .form(&[("course[name]", "A's course"), ("course[sis_course_id]", "A-C1")])
            .send()
            .await;
        ids.insert("course", course.body["id"].to_string());
        let section = t
            .post(&format!("/api/v1/courses/{}/sections", course.body["id"]))
            .form(&[("course_section[name]", "A's section")])
            .send()
            .await;
        ids.insert("section", section.body["id"].to_string());
        let enrollment = t
            .post(&format!("/api/v1/sections/{}/enrollments", section.body["id"]))
            .form(&[("enrollment[user_id]", user.to_string().as_str()), ("enrollment[enrollment_state]", "invited")])
            .send()
            .await;
        assert_eq!(enrollment.status, StatusCode::CREATED, "{}", enrollment.body);
        ids.insert("enrollment", enrollment.body["id"].to_string());
        let course_id = &course.body["id"];
        let group_category = t
            .post(&format!("/api/v1/courses/{course_id}/group_categories"))
            .form(&[("name", "A's group set"), ("sis_group_category_id", "A-GC1")])
            .send()
            .await;
        ids.insert("group_category", group_category.body["id"].to_string());
        let group = t
            .post(&format!("/api/v1/group_categories/{}/groups", group_category.body["id"]))
            .form(&[("name", "A's group"), ("sis_group_id", "A-G1")])
            .send()
            .await;
        ids.insert("group", group.body["id"].to_string());
        // A group member must be enrolled in the course.
        let enrolled = t
            .post(&format!("/api/v1/courses/{course_id}/enrollments"))
            .form(&[
                ("enrollment[user_id]", user.to_string()),
                ("enrollment[type]", "StudentEnrollment".to_owned()),
                ("enrollment[enrollment_state]", "active".to_owned()),
            ])
            .send()
            .await;
        assert!(enrolled.body["id"].is_i64(), "enrollment fixture: {}", enrolled.body);
        let membership = t
            .post(&format!("/api/v1/groups/{}/memberships", group.body["id"]))
            .form(&[("user_id", user.to_string())])
            .send()
            .await;
        ids.insert("membership", membership.body["id"].to_string());
        let assignment_group = t
            .post(&format!("/api/v1/courses/{course_id}/assignment_groups"))
            .form(&[("name", "A's assignment group")])
            .send()
            .await;
        ids.insert("assignment_group", assignment_group.body["id"].to_string());
        let assignment = t
            .post(&format!("/api/v1/courses/{course_id}/assignments"))
            .form(&[
                ("assignment[name]", "A's assignment".to_owned()),
                ("assignment[published]", "true".to_owned()),
                ("assignment[group_category_id]", group_category.body["id"].to_string()),
                ("assignment[assignment_group_id]", assignment_group.body["id"].to_string()),
            ])
            .send()
            .await;
        assert_eq!(assignment.status, StatusCode::CREATED, "{}", assignment.body);
        ids.insert("assignment", assignment.body["id"].to_string());
        // Alice's graded, posted result on it, appealed and explained.
        let assignment_id = assignment.body["id"].as_i64().unwrap();
        crate::seed::grade(t, course_id.as_i64().unwrap(), assignment_id, user, crate::seed::Grade::posted(1.0)).await;
        let result = format!("/api/v1/courses/{course_id}/assignments/{assignment_id}/submissions/{user}");
        let appeal = t.post(&format!("{result}/appeals")).form(&[("appeal[reason]", "A's appeal")]).send().await;
        assert_eq!(appeal.status, StatusCode::CREATED, "{}", appeal.body);
        ids.insert("appeal", appeal.body["id"].to_string());
        let explanation =
            t.post(&format!("{result}/explanations")).form(&[("explanation[body]", "A's explanation")]).send().await;
        assert_eq!(explanation.status, StatusCode::CREATED, "{}", explanation.body);
        ids.insert("explanation", explanation.body["id"].to_string());
        let assignment_path = format!("/api/v1/courses/{course_id}/assignments/{}", assignment.body["id"]);
        for target in [
            ("assignment_override[group_id]", group.body["id"].to_string()),
            ("assignment_override[course_section_id]", section.body["id"].to_string()),
        ] {
            let created = t
                .post(&format!("{assignment_path}/overrides"))
                .form(&[target, ("assignment_override[due_at]", "2030-01-01T12:00:00Z".to_owned())])
                .send()
                .await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
            ids.insert("override", created.body["id"].to_string());
        }
        // Alice hands in a file for the assignment (students see published courses only); a grader grades it with a
        // rubric, and the course has a grading standard and a late policy.
        let res = t.put(&format!("/api/v1/courses/{course_id}")).form(&[("course[event]", "offer")]).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let res = t
            .put(&assignment_path)
            .form(&[("assignment[submission_types][]", "online_upload"), ("assignment[points_possible]", "10")])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let upload = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(b"A's answer".as_slice()).file_name("answer.txt"));
        let file = t
            .post(&format!("{assignment_path}/submissions/self/files"))
            .token(&user_token)
            .multipart(upload)
            .send()
            .await;
        assert_eq!(file.status, StatusCode::CREATED, "{}", file.body);
        ids.insert("submission_file", file.body["id"].to_string());
        let submitted = t
            .post(&format!("{assignment_path}/submissions"))
            .token(&user_token)
            .form(&[
                ("submission[submission_type]", "online_upload".to_owned()),
                ("submission[file_ids][]", file.body["id"].to_string()),
            ])
            .send()
            .await;
        assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
        let rubric = t
            .post(&format!("/api/v1/courses/{course_id}/rubrics"))
            .form(&[
                ("rubric[title]", "A's rubric".to_owned()),
                ("rubric[criteria][0][description]", "A's criterion".to_owned()),
                ("rubric[criteria][0][points]", "10".to_owned()),
                ("rubric_association[association_id]", assignment.body["id"].to_string()),
                ("rubric_association[use_for_grading]", "true".to_owned()),
            ])
            .send()
            .await;
        assert_eq!(rubric.status, StatusCode::OK, "{}", rubric.body);
        ids.insert("rubric", rubric.body["rubric"]["id"].to_string());
        let graded = t
            .put(&format!("{assignment_path}/submissions/{user}"))
            .form(&[("submission[posted_grade]", "7"), ("comment[text_comment]", "A's feedback")])
            .send()
            .await;
        assert_eq!(graded.status, StatusCode::OK, "{}", graded.body);
        let standard = t
            .post(&format!("/api/v1/courses/{course_id}/grading_standards"))
            .form(&[
                ("title", "A's scheme"),
                ("grading_scheme_entry[][name]", "A's pass"),
                ("grading_scheme_entry[][value]", "0"),
            ])
            .send()
            .await;
        assert_eq!(standard.status, StatusCode::CREATED, "{}", standard.body);
        ids.insert("grading_standard", standard.body["id"].to_string());
        let policy = t
            .post(&format!("/api/v1/courses/{course_id}/late_policy"))
            .form(&[("late_policy[late_submission_deduction_enabled]", "true")])
            .send()
            .await;
        assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);
        let partner = t.post("/api/v1/accounts/self/partners").form(&[("partner[name]", "A's partner")]).send().await;
        assert_eq!(partner.status, StatusCode::CREATED, "{}", partner.body);
        ids.insert("partner", partner.body["id"].to_string());
        let term = t
            .post("/api/v1/accounts/self/terms")
            .form(&[("enrollment_term[name]", "A's term"), ("enrollment_term[sis_term_id]", "A-T1")])
            .send()
            .await;
        assert_eq!(term.status, StatusCode::CREATED, "{}", term.body);
        ids.insert("term", term.body["id"].to_string());
        let import = t
            .post("/api/v1/accounts/self/sis_imports?extension=csv")
            .body("text/csv", "term_id,name,status\nA-T2,A's imported term,active\n")
            .send()
            .await;
        assert_eq!(import.status, StatusCode::OK, "{}", import.body);
        ids.insert("sis_import", import.body["id"].to_string());
        ids.insert("progress", import.body["progress_id"].to_string());
        crate::sis_imports::wait(t, import.body["id"].as_i64().unwrap()).await;
        let quiz = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes"))
            .form(&[("quiz[title]", "A's quiz"), ("quiz[access_code]", "A-SECRET")])
            .send()
            .await;
        assert_eq!(quiz.status, StatusCode::CREATED, "{}", quiz.body);
        ids.insert("quiz", quiz.body["id"].to_string());
        let quiz_group = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes/{}/groups", quiz.body["id"]))
            .form(&[("quiz_groups[][name]", "A's pool"), ("quiz_groups[][pick_count]", "1")])
            .send()
            .await;
        assert_eq!(quiz_group.status, StatusCode::CREATED, "{}", quiz_group.body);
        ids.insert("quiz_group", quiz_group.body["quiz_groups"][0]["id"].to_string());
        let quiz_question = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes/{}/questions", quiz.body["id"]))
            .form(&[
                ("question[question_name]", "A's question"),
                ("question[question_type]", "essay_question"),
                ("question[question_text]", "Explain."),
            ])
            .send()
            .await;
        assert_eq!(quiz_question.status, StatusCode::CREATED, "{}", quiz_question.body);
        ids.insert("quiz_question", quiz_question.body["id"].to_string());
        // An attempt: the user (a student of the course, once it is published) sits a published quiz.
        let offered = t.put(&format!("/api/v1/courses/{course_id}")).form(&[("course[event]", "offer")]).send().await;
        assert_eq!(offered.status, StatusCode::OK, "{}", offered.body);
        let sat = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes"))
            .form(&[("quiz[title]", "A's sat quiz")])
            .send()
            .await;
        let sat_id = sat.body["id"].clone();
        let sat_question = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes/{sat_id}/questions"))
            .form(&[
                ("question[question_name]", "A's sat question"),
                ("question[question_type]", "essay_question"),
                ("question[question_text]", "Argue."),
            ])
            .send()
            .await;
        assert_eq!(sat_question.status, StatusCode::CREATED, "{}", sat_question.body);
        let published = t
            .put(&format!("/api/v1/courses/{course_id}/quizzes/{sat_id}"))
            .form(&[("quiz[published]", "true")])
            .send()
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        let attempt = t
            .post(&format!("/api/v1/courses/{course_id}/quizzes/{sat_id}/submissions"))
            .token(&user_token)
            .send()
            .await;
        assert_eq!(attempt.status, StatusCode::CREATED, "{}", attempt.body);
        ids.insert("sat_quiz", sat_id.to_string());
        ids.insert("quiz_submission", attempt.body["quiz_submissions"][0]["id"].to_string());
        let bank = t
            .post(&format!("/api/v1/courses/{course_id}/question_banks"))
            .form(&[("question_bank[title]", "A's bank"), ("question_bank[external_id]", "A-BANK")])
            .send()
            .await;
        assert_eq!(bank.status, StatusCode::CREATED, "{}", bank.body);
        ids.insert("question_bank", bank.body["id"].to_string());
        let question = t
            .post(&format!("/api/v1/question_banks/{}/questions", bank.body["id"]))
            .form(&[
                ("question[question_name]", "A's bank question"),
                ("question[question_type]", "essay_question"),
                ("question[question_text]", "Discuss."),
            ])
            .send()
            .await;
        assert_eq!(question.status, StatusCode::CREATED, "{}", question.body);
        ids.insert("question", question.body["id"].to_string());
        // A QTI import, with an issue (the question gives no points).
        let qti = r#"<questestinterop><assessment ident="a" title="A's quiz"><section ident="root_section">
<item ident="q" title="A's question"><presentation><material><mattext>Write</mattext></material>
<response_str ident="r"><render_fib/></response_str></presentation></item></section></assessment></questestinterop>"#;
        let migration = t
            .post(&format!("/api/v1/courses/{course_id}/content_migrations?migration_type=qti_converter"))
            .body("application/xml", qti)
            .send()
            .await;
        assert_eq!(migration.status, StatusCode::OK, "{}", migration.body);
        let migration_id = migration.body["id"].as_i64().unwrap();
        let migration_url = format!("/api/v1/courses/{course_id}/content_migrations/{migration_id}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let res = t.get(&migration_url).send().await;
            if res.body["workflow_state"] == "completed" {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the QTI fixture did not import: {}", res.body);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        ids.insert("content_migration", migration_id.to_string());
        let issues = t.get(&format!("{migration_url}/migration_issues")).send().await;
        ids.insert("migration_issue", issues.body[0]["id"].to_string());
        for (kind, id) in &ids {
            assert!(id.parse::<i64>().is_ok(), "fixture {kind} was not created: {id}");
        }
        ids.insert("school", t.school.id.to_string());
        Fixtures { ids }
    }

    /// Fills a route template with School A's objects: `{account_id}` is A's school (or, for sub-account routes,
    /// the branch), and `{id}`/`{user_id}` are named by the collection they follow.
    fn fill(&self, template: &str) -> Result<String, String> {
        let segments: Vec<&str> = template.split('/').collect();
        let mut out = Vec::with_capacity(segments.len());
        for (i, segment) in segments.iter().enumerate() {
            if !(segment.starts_with('{') && segment.ends_with('}')) {
                out.push(segment.to_string());
                continue;
            }
            let collection = if i > 0 { segments[i - 1] } else { "" };
            let in_quiz = template.contains("/quizzes/") || template.contains("/tests/");
            let kind = match (*segment, collection) {
                ("{quiz_id}", _) => "quiz",
                ("{question_id}", _) => "question",
                (_, "quizzes") | (_, "tests") => "quiz",
                (_, "groups") if in_quiz => "quiz_group",
                (_, "questions") if in_quiz => "quiz_question",
                (_, "submissions") if in_quiz => "quiz_submission",
                (_, "quiz_submissions") => "quiz_submission",
                (_, "question_banks") => "question_bank",
                ("{account_id}", _) => "school",
                ("{user_id}", _) => "user",
                ("{course_id}", _) => "course",
                ("{section_id}", _) | ("{course_section_id}", _) => "section",
                ("{assignment_id}", _) => "assignment",
                ("{assignment_group_id}", _) => "assignment_group",
                (_, "accounts") | (_, "sub_accounts") => "account",
                (_, "users") => "user",
                (_, "tokens") => "token",
                (_, "developer_keys") => "developer_key",
                (_, "api_keys") => "api_key",
                (_, "logins") => "login",
                (_, "partners") => "partner",
                (_, "courses") => "course",
                (_, "sections") => "section",
                (_, "terms") => "term",
                (_, "enrollments") => "enrollment",
                (_, "group_categories") => "group_category",
                (_, "groups") => "group",
                (_, "memberships") => "membership",
                (_, "sis_imports") => "sis_import",
                (_, "progress") => "progress",
                (_, "assignments") => "assignment",
                (_, "overrides") => "override",
                ("{content_migration_id}", _) | (_, "content_migrations") => "content_migration",
                (_, "migration_issues") => "migration_issue",
                (_, "files") => "submission_file",
                (_, "rubrics") => "rubric",
                (_, "grading_standards") => "grading_standard",
                (_, "appeals") => "appeal",
                (_, "explanations") => "explanation",
                _ => return Err(format!("{template}: no School A fixture for {segment} after `{collection}`")),
            };
            out.push(self.ids[kind].clone());
        }
        Ok(out.join("/"))
    }
}

/// What School A looks like through its own administrator's eyes (ignoring when things were last used).
async fn snapshot(t: &TestApp, f: &Fixtures) -> Vec<Value> {
    let user = &f.ids["user"];
    let mut seen = Vec::new();
    for path in [
        format!("/api/v1/accounts/{}", f.ids["account"]),
        "/api/v1/accounts/self".to_owned(),
        format!("/api/v1/users/{user}"),
        format!("/api/v1/users/{user}/user_generated_tokens"),
        format!("/api/v1/users/{user}/logins"),
        format!("/api/v1/users/{user}/api_key"),
        "/api/v1/accounts/self/developer_keys".to_owned(),
        "/api/v1/accounts/self/api_keys".to_owned(),
        "/api/v1/accounts/self/partners".to_owned(),
        "/api/v1/accounts/self/users?per_page=100".to_owned(),
        "/api/v1/accounts/self/sub_accounts?recursive=true".to_owned(),
        format!("/api/v1/courses/{}", f.ids["course"]),
        format!("/api/v1/courses/{}/sections", f.ids["course"]),
        format!("/api/v1/courses/{}/enrollments?state[]=invited&state[]=active&state[]=deleted", f.ids["course"]),
        format!("/api/v1/courses/{}/group_categories", f.ids["course"]),
        format!("/api/v1/courses/{}/groups", f.ids["course"]),
        format!("/api/v1/groups/{}/memberships", f.ids["group"]),
        format!("/api/v1/courses/{}/assignment_groups?include[]=assignments&include[]=overrides", f.ids["course"]),
        format!("/api/v1/courses/{}/assignments/{}/overrides", f.ids["course"], f.ids["assignment"]),
        format!("/api/v1/courses/{}/effective_due_dates", f.ids["course"]),
        format!(
            "/api/v1/courses/{}/students/submissions?student_ids[]=all&include[]=submission_comments&include[]=submission_history&include[]=rubric_assessment",
            f.ids["course"]
        ),
        format!("/api/v1/courses/{}/rubrics?include[]=associations", f.ids["course"]),
        format!("/api/v1/courses/{}/grading_standards", f.ids["course"]),
        format!("/api/v1/courses/{}/late_policy", f.ids["course"]),
        format!("/api/v1/courses/{}/appeals", f.ids["course"]),
        format!("/api/v1/courses/{}/explanations", f.ids["course"]),
        format!("/api/v1/courses/{}/enrollments?type[]=StudentEnrollment", f.ids["course"]),
        format!("/api/v1/courses/{}/content_migrations", f.ids["course"]),
        format!(
            "/api/v1/courses/{}/content_migrations/{}/migration_issues",
            f.ids["course"], f.ids["content_migration"]
        ),
        format!("/api/v1/quiz_submissions/{}/questions", f.ids["quiz_submission"]),
        "/api/v1/accounts/self/terms?workflow_state[]=all".to_owned(),
        "/api/v1/accounts/self/courses?state[]=unpublished&state[]=available&state[]=completed&state[]=deleted"
            .to_owned(),
    ] {
        let mut body = t.get(&path).send().await.body;
        strip(&mut body, "last_used_at");
        seen.push(body);
    }
    seen
}

fn strip(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| strip(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip(v, key)),
        _ => {}
    }
}

/// A body that would be valid for most writes, so a 404 cannot hide behind a 400.
const PLAUSIBLE_FORM: &[(&str, &str)] = &[
    ("account[name]", "Hijacked"),
    ("user[name]", "Hijacked"),
    ("user[id]", "1"),
    ("pseudonym[unique_id]", "intruder"),
    ("token[purpose]", "intrusion"),
    ("developer_key[name]", "Hijacked"),
    ("api_key[name]", "Hijacked"),
    ("login[unique_id]", "intruder"),
    ("partner[name]", "Hijacked"),
    ("course[name]", "Hijacked"),
    ("course_section[name]", "Hijacked"),
    ("enrollment_term[name]", "Hijacked"),
    ("name", "Hijacked"),
    ("user_id", "1"),
    ("event", "delete"),
    ("appeal[reason]", "Hijacked"),
    ("appeal[score]", "0"),
    ("appeal[explanation]", "Hijacked"),
    ("explanation[body]", "Hijacked"),
];

backend_test!(
    another_school_gets_404_everywhere_and_changes_nothing,
    // The sweep calls every route back to back with one credential, faster than the default per-credential
    // burst allows.
    |config| {
        config.rate_limit_credential_per_second = 100_000;
        config.rate_limit_credential_burst = 100_000;
        config.rate_limit_school_per_minute = 1_000_000;
    },
    |t| {
        let fixtures = Fixtures::create(&t).await;
        let other = t.create_school("School B").await;
        let document = t.anonymous(Method::GET, "/api/openapi.json").send().await.body;
        let before = snapshot(&t, &fixtures).await;
        let events_before = t.event_count().await;
        let mut checked = 0;
        for (template, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let secured = operation.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
                if !secured || template.starts_with("/rest/") {
                    // Public endpoints (diagnostics, docs, token endpoints) hold no school's data; the AB Connect
                    // surface has its own partner credentials, covered in abconnect.rs.
                    continue;
                }
                let path = fixtures.fill(template).unwrap_or_else(|e| panic!("{e}"));
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                // Without a credential: 401 with a challenge.
                let res = t.anonymous(method.clone(), &path).send().await;
                assert_eq!(
                    res.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {template} without credentials: {}",
                    res.body
                );
                assert!(res.header("www-authenticate").is_some(), "{method} {template}");
                // As School B's administrator, at School A's objects: 404, unless the route only ever acts on the
                // caller's own objects (no School A id in it), where it must not show School A's data.
                let res = if method == Method::GET || method == Method::DELETE {
                    t.req(method.clone(), &path).token(&other.admin_token).send().await
                } else {
                    t.req(method.clone(), &path).token(&other.admin_token).form(PLAUSIBLE_FORM).send().await
                };
                let names_school_a = template.contains('{');
                if names_school_a {
                    assert_eq!(
                        res.status,
                        StatusCode::NOT_FOUND,
                        "{method} {template} as another school: {}",
                        res.body
                    );
                } else {
                    let text = res.body.to_string();
                    for marker in [
                        "alice@a.test",
                        "A branch",
                        "A's key",
                        "A's grader",
                        "A's partner",
                        "A's course",
                        "A's section",
                        "A's term",
                        "A's group",
                        "A's quiz",
                        "A's bank",
                        "A's question",
                        "A-SECRET",
                        "A's assignment",
                        "A's answer",
                        "A's feedback",
                        "A's rubric",
                        "A's scheme",
                        "School A",
                    ] {
                        assert!(
                            !text.contains(marker),
                            "{method} {template} showed School A's data to School B: {text}"
                        );
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 35, "only {checked} operations were checked");
        assert_eq!(t.event_count().await, events_before, "another school's requests changed School A");
        assert_eq!(snapshot(&t, &fixtures).await, before, "another school's requests changed School A's data");
    }
);
