//! Submissions: students hand in text, URLs and uploaded files (attempts, double clicks, lock dates, overrides,
//! bad input), the lists and their pagination on a large-ish course, who sees whose submissions, history, and
//! the derived `late`, `missing` and `seconds_late`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

/// A published course of School A.
pub async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// A new user enrolled as an active `kind` (`StudentEnrollment`, `TeacherEnrollment`, …) of the course (in
/// `section` when given), with a token.
pub async fn member(t: &TestApp, course: i64, kind: &str, name: &str, section: Option<i64>) -> (i64, String) {
    let login = format!("{}-{}@school.test", name.to_lowercase().replace(' ', "."), course);
    let id = t.create_user(name, &login, None).await["id"].as_i64().unwrap();
    let mut form = vec![
        ("enrollment[user_id]", id.to_string()),
        ("enrollment[type]", kind.to_owned()),
        ("enrollment[enrollment_state]", "active".to_owned()),
    ];
    if let Some(s) = section {
        form.push(("enrollment[course_section_id]", s.to_string()));
    }
    let res = t.post(&format!("/api/v1/courses/{course}/enrollments")).form(&form).send().await;
    assert!(res.status.is_success(), "{}", res.body);
    (id, t.token_for(id).await)
}

pub async fn student(t: &TestApp, course: i64, name: &str) -> (i64, String) {
    member(t, course, "StudentEnrollment", name, None).await
}

/// A published assignment with these fields.
pub async fn assignment(t: &TestApp, course: i64, fields: Value) -> i64 {
    let mut body = json!({"name": "Essay", "published": true, "points_possible": 10});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res =
        t.post(&format!("/api/v1/courses/{course}/assignments")).json(&json!({ "assignment": body })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

pub fn pointers(res: &crate::harness::Res) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{} {}", res.status, res.body))
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Every item of a list, following `next` links (which must carry the filters), with `token`.
pub async fn walk(t: &TestApp, first: &str, token: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(t.url(first));
    while let Some(url) = next {
        let path = url.strip_prefix(&t.base).unwrap_or_else(|| panic!("{url} is not on {}", t.base)).to_owned();
        let res = t.get(&path).token(token).send().await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        items.extend(res.body.as_array().unwrap().iter().cloned());
        pages += 1;
        next = res.link("next");
        assert!(pages < 1000, "the walk does not end");
    }
    (items, pages)
}

pub async fn event_types(t: &TestApp, prefix: &str) -> Vec<String> {
    let (items, _) = walk(t, "/api/v1/events?per_page=100", &t.school.admin_token).await;
    items.iter().map(|e| e["type"].as_str().unwrap().to_owned()).filter(|ty| ty.starts_with(prefix)).collect()
}

fn path(c: i64, a: i64) -> String {
    format!("/api/v1/courses/{c}/assignments/{a}/submissions")
}

backend_test!(students_submit_text_urls_and_files_once_per_attempt, |t| {
    let c = course(&t, "Writing").await;
    let (sam, sam_token) = student(&t, c, "Sam Student").await;
    let (_ann, ann_token) = student(&t, c, "Ann Other").await;
    let a = assignment(
        &t,
        c,
        json!({"submission_types": ["online_text_entry", "online_url", "online_upload"], "allowed_attempts": 2,
               "allowed_extensions": ["txt", "pdf"]}),
    )
    .await;
    let submit = |form: Vec<(&'static str, String)>, token: String| {
        let t = &t;
        async move { t.post(&path(c, a)).token(&token).form(&form).send().await }
    };
    let text = || {
        vec![
            ("submission[submission_type]", "online_text_entry".to_owned()),
            ("submission[body]", "<p>My essay</p><script>alert(1)</script>".to_owned()),
        ]
    };
    let res = submit(text(), sam_token.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["body"], "<p>My essay</p>", "the HTML is sanitised");
    assert_eq!(
        (&res.body["attempt"], &res.body["workflow_state"], &res.body["submission_type"], &res.body["user_id"]),
        (&json!(1), &json!("submitted"), &json!("online_text_entry"), &json!(sam))
    );
    assert!(res.header("location").unwrap().ends_with(&format!("/submissions/{sam}")));
    let first_at = res.body["submitted_at"].clone();
    // A double click (the same work again at once) is the same submission, not another attempt.
    let res = submit(text(), sam_token.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((&res.body["attempt"], &res.body["submitted_at"]), (&json!(1), &first_at));
    // A different submission is the second attempt.
    let res = submit(
        vec![
            ("submission[submission_type]", "online_url".to_owned()),
            ("submission[url]", "example.com/my-essay".to_owned()),
            ("comment[text_comment]", "See the link".to_owned()),
        ],
        sam_token.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (&res.body["attempt"], &res.body["url"], &res.body["body"]),
        (&json!(2), &json!("http://example.com/my-essay"), &Value::Null)
    );
    assert_eq!(res.body["submission_comments"][0]["comment"], "See the link");
    // No attempts left.
    let res = submit(
        vec![
            ("submission[submission_type]", "online_url".to_owned()),
            ("submission[url]", "https://example.org".to_owned()),
        ],
        sam_token.clone(),
    )
    .await;
    res.assert_error(403, "no_attempts_left");
    // An extension gives one more: a file upload, Canvas's two steps.
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/extensions"))
        .json(&json!({"assignment_extensions": [{"user_id": sam, "extra_attempts": 1}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let files = format!("{}/self/files", path(c, a));
    let res = t.post(&files).token(&sam_token).form(&[("name", "essay.exe"), ("size", "5")]).send().await;
    assert_eq!(pointers(&res), ["/name"], "{}", res.body);
    let res = t
        .post(&files)
        .token(&sam_token)
        .form(&[("name", "essay.txt"), ("size", "11"), ("content_type", "text/plain")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let upload_url = res.body["upload_url"].as_str().unwrap().to_owned();
    let token = res.body["upload_params"]["upload_token"].as_str().unwrap().to_owned();
    let upload_path = upload_url.strip_prefix(&t.base).unwrap().to_owned();
    let part = |bytes: &'static [u8]| {
        reqwest::multipart::Form::new()
            .text("upload_token", token.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("essay.txt").mime_str("text/plain").unwrap())
    };
    let res = t
        .anonymous(Method::POST, &upload_path)
        .multipart(
            reqwest::multipart::Form::new()
                .text("upload_token", "wrong")
                .part("file", reqwest::multipart::Part::bytes(b"x".as_slice()).file_name("x.txt")),
        )
        .send()
        .await;
    res.assert_error(404, "submission_file_not_found");
    let res = t.anonymous(Method::POST, &upload_path).multipart(part(b"hello world")).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (&res.body["size"], &res.body["display_name"], &res.body["content-type"]),
        (&json!(11), &json!("essay.txt"), &json!("text/plain"))
    );
    let file_id = res.body["id"].as_i64().unwrap();
    let file_url = res.body["url"].as_str().unwrap().strip_prefix(&t.base).unwrap().to_owned();
    // The token is spent.
    let res = t.anonymous(Method::POST, &upload_path).multipart(part(b"again")).send().await;
    res.assert_error(404, "submission_file_not_found");
    // Ann cannot hand in Sam's file.
    let res = submit(
        vec![
            ("submission[submission_type]", "online_upload".to_owned()),
            ("submission[file_ids][]", file_id.to_string()),
        ],
        ann_token.clone(),
    )
    .await;
    assert_eq!(pointers(&res), ["/submission/file_ids"], "{}", res.body);
    let res = submit(
        vec![
            ("submission[submission_type]", "online_upload".to_owned()),
            ("submission[file_ids][]", file_id.to_string()),
        ],
        sam_token.clone(),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["attempt"], 3);
    assert_eq!(res.body["attachments"][0]["id"], file_id);
    // The student and graders download the file; other students do not.
    let (status, headers, bytes) = t.get(&file_url).send_bytes().await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, b"hello world".as_slice()));
    assert_eq!(headers["content-type"], "text/plain");
    let (status, _, _) = t.get(&file_url).token(&sam_token).send_bytes().await;
    assert_eq!(status, StatusCode::OK);
    let res = t.get(&file_url).token(&ann_token).send().await;
    res.assert_error(401, "unauthorized");
    // The history keeps every attempt.
    let res = t.get(&format!("{}/{sam}?include[]=submission_history", path(c, a))).send().await;
    let history = res.body["submission_history"].as_array().unwrap();
    assert_eq!(history.iter().map(|v| v["attempt"].as_i64().unwrap()).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(history[0]["submission_type"], "online_text_entry");
    assert_eq!(event_types(&t, "submission.submitted").await.len(), 3);
});

backend_test!(bad_submissions_are_refused_with_a_pointer_and_change_nothing, |t| {
    let c = course(&t, "Writing").await;
    let (sam, sam_token) = student(&t, c, "Sam Student").await;
    let a = assignment(&t, c, json!({"submission_types": ["online_url"]})).await;
    let submit = |form: &[(&str, &str)]| t.post(&path(c, a)).token(&sam_token).form(form).send();
    for (form, pointer) in [
        (vec![], "/submission/submission_type"),
        (vec![("submission[submission_type]", "online_quiz")], "/submission/submission_type"),
        (
            vec![("submission[submission_type]", "online_text_entry"), ("submission[body]", "x")],
            "/submission/submission_type",
        ),
        (
            vec![("submission[submission_type]", "online_url"), ("submission[url]", "javascript:alert(1)")],
            "/submission/url",
        ),
        (vec![("submission[submission_type]", "online_url")], "/submission/url"),
    ] {
        let res = submit(&form).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}: {}", res.body);
        assert_eq!(pointers(&res), [pointer], "{form:?}");
    }
    let text_only = assignment(&t, c, json!({"submission_types": ["online_text_entry"]})).await;
    let res = t
        .post(&path(c, text_only))
        .token(&sam_token)
        .form(&[("submission[submission_type]", "online_text_entry"), ("submission[body]", "<script>only</script>")])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/submission/body"], "a body that sanitises to nothing is empty");
    let res = t.get(&format!("{}/{sam}", path(c, a))).token(&sam_token).send().await;
    assert_eq!((&res.body["attempt"], &res.body["workflow_state"]), (&Value::Null, &json!("unsubmitted")));
    assert!(event_types(&t, "submission.submitted").await.is_empty());
    // Teachers do not submit; unpublished assignments are not there for students.
    let res = t
        .post(&path(c, a))
        .form(&[("submission[submission_type]", "online_url"), ("submission[url]", "https://e.org")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    let hidden = assignment(&t, c, json!({"submission_types": ["online_url"], "published": false})).await;
    let res = t
        .post(&path(c, hidden))
        .token(&sam_token)
        .form(&[("submission[submission_type]", "online_url"), ("submission[url]", "https://e.org")])
        .send()
        .await;
    res.assert_error(404, "assignment_not_found");
});

backend_test!(lock_dates_and_overrides_decide_when_work_is_taken, |t| {
    let c = course(&t, "Writing").await;
    let (_sam, sam_token) = student(&t, c, "Sam Student").await;
    let (ann, ann_token) = student(&t, c, "Ann Other").await;
    let past = (chrono::Utc::now() - chrono::TimeDelta::days(1)).to_rfc3339();
    let due = (chrono::Utc::now() - chrono::TimeDelta::days(2)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::TimeDelta::days(3)).to_rfc3339();
    let a = assignment(&t, c, json!({"submission_types": ["online_url"], "due_at": due, "lock_at": past})).await;
    let form = [("submission[submission_type]", "online_url"), ("submission[url]", "https://example.com")];
    let res = t.post(&path(c, a)).token(&sam_token).form(&form).send().await;
    res.assert_error(403, "assignment_locked");
    // An override gives Ann more time: her dates decide for her.
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/overrides"))
        .form(&[
            ("assignment_override[student_ids][]", ann.to_string()),
            ("assignment_override[title]", "Ann".to_owned()),
            ("assignment_override[due_at]", later.clone()),
            ("assignment_override[lock_at]", later.clone()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let res = t.post(&path(c, a)).token(&ann_token).form(&form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (&res.body["late"], &res.body["seconds_late"], &res.body["missing"]),
        (&json!(false), &json!(0), &json!(false))
    );
    let res = t.get(&format!("{}?include[]=user", path(c, a))).send().await;
    let sam_row = res.body.as_array().unwrap().iter().find(|s| s["user"]["name"] == "Sam Student").unwrap().clone();
    assert_eq!(
        (&sam_row["missing"], &sam_row["late"], &sam_row["workflow_state"]),
        (&json!(true), &json!(false), &json!("unsubmitted"))
    );
    assert!(sam_row["seconds_late"].as_i64().unwrap() >= 2 * 86_400 - 5);
    let ann_row = res.body.as_array().unwrap().iter().find(|s| s["user_id"] == ann).unwrap();
    assert_eq!(ann_row["cached_due_at"].as_str().map(|d| d[..16].to_owned()), Some(later[..16].to_owned()));
});

backend_test!(late_submissions_are_late_by_the_student_s_due_date, |t| {
    let c = course(&t, "Writing").await;
    let (sam, sam_token) = student(&t, c, "Sam Student").await;
    let due = (chrono::Utc::now() - chrono::TimeDelta::hours(3)).to_rfc3339();
    let a = assignment(&t, c, json!({"submission_types": ["online_text_entry"], "due_at": due})).await;
    let res = t
        .post(&path(c, a))
        .token(&sam_token)
        .form(&[("submission[submission_type]", "online_text_entry"), ("submission[body]", "Late work")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!((&res.body["late"], &res.body["missing"]), (&json!(true), &json!(false)));
    let seconds = res.body["seconds_late"].as_i64().unwrap();
    assert!((3 * 3600 - 60..=3 * 3600 + 60).contains(&seconds), "{seconds}");
    // A grader's decision wins over the dates.
    let res = t.put(&format!("{}/{sam}", path(c, a))).form(&[("submission[late_policy_status]", "none")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (&res.body["late"], &res.body["seconds_late"], &res.body["late_policy_status"]),
        (&json!(false), &json!(0), &json!("none"))
    );
});

backend_test!(lists_show_every_assigned_student_page_by_page, |t| {
    let c = course(&t, "Big course").await;
    let mut students = Vec::new();
    for i in 0..45 {
        let (id, token) = student(&t, c, &format!("Student {i:02}")).await;
        students.push((id, token));
    }
    let a1 = assignment(&t, c, json!({"name": "One", "submission_types": ["online_url"]})).await;
    let a2 = assignment(&t, c, json!({"name": "Two", "submission_types": ["online_url"]})).await;
    let a3 = assignment(&t, c, json!({"name": "Three", "submission_types": ["online_url"]})).await;
    let unpublished = assignment(&t, c, json!({"name": "Draft", "published": false})).await;
    for (id, token) in students.iter().take(7) {
        let res = t
            .post(&path(c, a2))
            .token(token)
            .form(&[
                ("submission[submission_type]", "online_url"),
                ("submission[url]", format!("https://e.org/{id}").as_str()),
            ])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    let res = t.get(&format!("/api/v1/courses/{c}/assignments/{a2}")).send().await;
    assert_eq!(
        (&res.body["needs_grading_count"], &res.body["has_submitted_submissions"], &res.body["unpublishable"]),
        (&json!(7), &json!(true), &json!(false))
    );
    // A student sees whether any work was handed in or graded, not how much waits for a grader.
    let learner = students[10].1.clone();
    let seen = |a: i64| t.get(&format!("/api/v1/courses/{c}/assignments/{a}")).token(&learner).send();
    let res = seen(a2).await;
    assert_eq!(
        (&res.body["has_submitted_submissions"], &res.body["graded_submissions_exist"]),
        (&json!(true), &json!(false))
    );
    assert!(res.body["needs_grading_count"].is_null(), "{}", res.body);
    assert_eq!(seen(a1).await.body["has_submitted_submissions"], json!(false));
    // Grading a student who handed nothing in leaves the count of work to grade as it was.
    let graded =
        t.put(&format!("{}/{}", path(c, a2), students[20].0)).form(&[("submission[posted_grade]", "5")]).send().await;
    assert_eq!(graded.status, StatusCode::OK, "{}", graded.body);
    assert_eq!(seen(a2).await.body["graded_submissions_exist"], json!(true));
    let res = t.get(&format!("/api/v1/courses/{c}/assignments/{a2}")).send().await;
    assert_eq!((&res.body["needs_grading_count"], &res.body["graded_submissions_exist"]), (&json!(7), &json!(true)));
    let admin = t.school.admin_token.clone();
    let (items, pages) = walk(&t, &format!("{}?per_page=10", path(c, a1)), &admin).await;
    assert_eq!(pages, 5);
    let users: BTreeSet<i64> = items.iter().map(|s| s["user_id"].as_i64().unwrap()).collect();
    assert_eq!(users, students.iter().map(|(id, _)| *id).collect::<BTreeSet<_>>());
    assert!(items.iter().all(|s| s["workflow_state"] == "unsubmitted" && s["assignment_id"] == a1));
    let user_order: Vec<i64> = items.iter().map(|s| s["user_id"].as_i64().unwrap()).collect();
    assert!(user_order.windows(2).all(|w| w[0] < w[1]), "by student");
    // Every student on every published assignment, by id, with the filters carried in the links.
    let (items, pages) =
        walk(&t, &format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all&per_page=20"), &admin).await;
    assert_eq!((items.len(), pages), (45 * 3, 7));
    let ids: BTreeSet<i64> = items.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 45 * 3, "no duplicates across pages");
    assert!(items.iter().all(|s| s["assignment_id"] != unpublished));
    assert_eq!(items.iter().filter(|s| s["assignment_id"] == a3).count(), 45);
    let (items, _) = walk(
        &t,
        &format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all&assignment_ids[]={a2}&workflow_state=submitted&per_page=3"),
        &admin,
    )
    .await;
    assert_eq!(items.len(), 7);
    let (items, _) = walk(
        &t,
        &format!(
            "/api/v1/courses/{c}/students/submissions?student_ids[]={}&student_ids[]={}&per_page=2",
            students[0].0, students[1].0
        ),
        &admin,
    )
    .await;
    assert_eq!(items.len(), 6);
    let since = (chrono::Utc::now() - chrono::TimeDelta::hours(1)).to_rfc3339();
    let res = t
        .get(&format!(
            "/api/v1/courses/{c}/students/submissions?student_ids[]=all&per_page=100&submitted_since={}",
            urlencode(&since)
        ))
        .send()
        .await;
    assert_eq!(res.body.as_array().unwrap().len(), 7, "{}", res.body);
    // Grouped: one entry per student, with their submissions.
    let (groups, pages) = walk(
        &t,
        &format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all&grouped=true&per_page=10"),
        &admin,
    )
    .await;
    assert_eq!((groups.len(), pages), (45, 5));
    assert!(groups.iter().all(|g| g["submissions"].as_array().unwrap().len() == 3 && g["section_id"].is_i64()));
    // A student sees their own only.
    let (mine, _) = walk(&t, &format!("/api/v1/courses/{c}/students/submissions"), &students[0].1).await;
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|s| s["user_id"] == students[0].0));
    let (mine, _) = walk(&t, &path(c, a2), &students[0].1).await;
    assert_eq!((mine.len(), &mine[0]["workflow_state"]), (1, &json!("submitted")));
    // Bad filters are refused with a pointer.
    let res = t.get(&format!("/api/v1/courses/{c}/students/submissions?student_ids[]=x")).send().await;
    assert_eq!(pointers(&res), ["/student_ids"]);
    let res =
        t.get(&format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all&workflow_state=bogus")).send().await;
    assert_eq!(pointers(&res), ["/workflow_state"]);
});

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

backend_test!(students_see_only_their_own_submissions_and_other_schools_nothing, |t| {
    let c = course(&t, "Writing").await;
    let (sam, sam_token) = student(&t, c, "Sam Student").await;
    let (ann, ann_token) = student(&t, c, "Ann Other").await;
    let a = assignment(&t, c, json!({"submission_types": ["online_text_entry"]})).await;
    let res = t
        .post(&path(c, a))
        .token(&ann_token)
        .form(&[("submission[submission_type]", "online_text_entry"), ("submission[body]", "Ann's secret answer")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let res = t.get(&format!("{}/{ann}", path(c, a))).token(&sam_token).send().await;
    res.assert_error(401, "unauthorized");
    let res = t.get(&format!("{}/self", path(c, a))).token(&sam_token).send().await;
    assert_eq!((res.status, &res.body["user_id"]), (StatusCode::OK, &json!(sam)));
    let res = t.get(&path(c, a)).token(&sam_token).send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 1);
    assert!(!res.body.to_string().contains("secret"));
    for url in [
        format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all"),
        format!("/api/v1/courses/{c}/students/submissions?student_ids[]={ann}"),
    ] {
        let res = t.get(&url).token(&sam_token).send().await;
        res.assert_error(401, "unauthorized");
    }
    let res =
        t.put(&format!("{}/{ann}", path(c, a))).token(&sam_token).form(&[("comment[text_comment]", "hi")]).send().await;
    res.assert_error(401, "unauthorized");
    let res = t
        .put(&format!("{}/{sam}", path(c, a)))
        .token(&sam_token)
        .form(&[("submission[posted_grade]", "10")])
        .send()
        .await;
    res.assert_error(401, "unauthorized");
    // Another school sees nothing of School A.
    let other = t.create_school("School B").await;
    for url in [
        path(c, a),
        format!("{}/{ann}", path(c, a)),
        format!("/api/v1/courses/{c}/students/submissions?student_ids[]=all"),
    ] {
        let res = t.get(&url).token(&other.admin_token).send().await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{url}: {}", res.body);
    }
    let res = t
        .put(&format!("{}/{ann}", path(c, a)))
        .token(&other.admin_token)
        .form(&[("submission[posted_grade]", "1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = t.get(&format!("{}/{ann}", path(c, a))).send().await;
    assert_eq!(res.body["score"], Value::Null, "nothing was graded");
    // A user who is not a student of the course has no submission.
    let outsider = t.create_user("Out Sider", "out@school.test", None).await["id"].as_i64().unwrap();
    let res = t.get(&format!("{}/{outsider}", path(c, a))).send().await;
    res.assert_error(404, "submission_not_found");
});
