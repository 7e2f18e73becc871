//! Courses: creation the canvasapi way, lookups, Canvas's state machine, filters, and course-bound API keys.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backend_test;

backend_test!(courses_are_created_found_and_filtered_like_canvas, |t| {
    // canvasapi's Account.create_course sends `account_id` in the body too.
    let res = t
        .post("/api/v1/accounts/self/courses")
        .form(&[
            ("course[name]", "Algebra I"),
            ("course[course_code]", "ALG1"),
            ("course[sis_course_id]", "ALG/2026"),
            ("account_id", &t.school.id.to_string()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let algebra = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/courses/{algebra}", t.base).as_str()));
    for (key, value) in [
        ("name", json!("Algebra I")),
        ("course_code", json!("ALG1")),
        ("workflow_state", json!("unpublished")),
        ("account_id", json!(t.school.id)),
        ("root_account_id", json!(t.school.id)),
        ("sis_course_id", json!("ALG/2026")),
        ("default_view", json!("modules")),
    ] {
        assert_eq!(res.body[key], value, "{key}");
    }
    let res = t.post("/api/v1/accounts/self/courses").json(&json!({"course": {"name": "Biology", "start_at": "2026-09-01T08:00:00", "end_at": "2027-06-30T17:00:00Z"}, "offer": true})).send().await;
    let biology = res.body["id"].as_i64().unwrap();
    assert_eq!(
        (res.body["workflow_state"].as_str(), res.body["start_at"].as_str()),
        (Some("available"), Some("2026-09-01T08:00:00Z"))
    );
    assert_eq!(res.body["course_code"], "Biology", "the code defaults to the name");
    for path in [
        format!("/api/v1/courses/{algebra}"),
        "/api/v1/courses/sis_course_id:ALG%2F2026".into(),
        "/api/v1/courses/external_id:ALG%2F2026".into(),
    ] {
        assert_eq!(t.get(&path).send().await.body["id"], algebra, "{path}");
    }
    let ids = |res: crate::harness::Res| {
        res.body.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(ids(t.get("/api/v1/accounts/self/courses").send().await), vec![algebra, biology]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/courses?published=true").send().await), vec![biology]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/courses?state[]=unpublished").send().await), vec![algebra]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/courses?search_term=alg").send().await), vec![algebra]);
    t.get("/api/v1/accounts/self/courses?state[]=sleeping").send().await.assert_error(422, "validation_failed");
    // Bad input.
    let res = t.post("/api/v1/accounts/self/courses").json(&json!({"course": {"name": "X", "start_at": "2027-01-01", "end_at": "2026-01-01", "default_view": "tv", "time_zone": "Nowhere"}})).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 3, "{}", res.body);
    t.post("/api/v1/accounts/self/courses")
        .form(&[("course[name]", "Dup"), ("course[sis_course_id]", "ALG/2026")])
        .send()
        .await
        .assert_error(409, "conflict");
    t.get("/api/v1/courses/9999").send().await.assert_error(404, "course_not_found");
    // Students may not create or see courses they are not in.
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    t.post("/api/v1/accounts/self/courses")
        .token(&token)
        .form(&[("course[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.get(&format!("/api/v1/courses/{algebra}")).token(&token).send().await.assert_error(401, "unauthorized");
});

backend_test!(courses_move_through_canvas_states, |t| {
    let id = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "History")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let event = |e: &'static str| {
        let req = t.put(&format!("/api/v1/courses/{id}")).form(&[("course[event]", e)]);
        async move { req.send().await }
    };
    let res = event("offer").await;
    assert_eq!(
        (res.body["workflow_state"].as_str(), res.body["name"].as_str()),
        (Some("available"), Some("History")),
        "PUT returns the full course"
    );
    assert_eq!(event("claim").await.body["workflow_state"], "unpublished");
    assert_eq!(event("conclude").await.body["workflow_state"], "completed");
    event("undelete").await.assert_error(422, "validation_failed");
    event("hibernate").await.assert_error(422, "validation_failed");
    // DELETE answers Canvas's {"delete": true}; a deleted course is gone until undeleted.
    let res = t.delete(&format!("/api/v1/courses/{id}")).form(&[("event", "delete")]).send().await;
    assert_eq!(res.body, json!({"delete": true}));
    t.get(&format!("/api/v1/courses/{id}")).send().await.assert_error(404, "course_not_found");
    assert_eq!(t.get("/api/v1/accounts/self/courses").send().await.body, json!([]));
    assert_eq!(t.get("/api/v1/accounts/self/courses?state[]=deleted").send().await.body[0]["id"], id);
    assert_eq!(event("undelete").await.body["workflow_state"], "unpublished");
    let res = t.delete(&format!("/api/v1/courses/{id}")).form(&[("event", "conclude")]).send().await;
    assert_eq!(res.body, json!({"conclude": true}));
    t.delete(&format!("/api/v1/courses/{id}")).send().await.assert_error(422, "validation_failed");
    let kinds: Vec<String> = t
        .get("/api/v1/events?type=course.updated&per_page=100")
        .send()
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["payload"]["changes"]["workflow_state"][1].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["available", "unpublished", "completed", "deleted", "unpublished", "completed"]);
});

backend_test!(course_bound_api_keys_review_one_course_only, |t| {
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Informatics")]).send().await.body
        ["id"]
        .as_i64()
        .unwrap();
    let course = t
        .post(&format!("/api/v1/accounts/{sub}/courses"))
        .form(&[("course[name]", "Programming 1"), ("course[sis_course_id]", "PROG1")])
        .send()
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let other =
        t.post(&format!("/api/v1/accounts/{sub}/courses")).form(&[("course[name]", "Programming 2")]).send().await.body
            ["id"]
            .as_i64()
            .unwrap();
    let outside =
        t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Elsewhere")]).send().await.body["id"]
            .as_i64()
            .unwrap();
    let res = t
        .post(&format!("/api/v1/accounts/{sub}/api_keys"))
        .form(&[("api_key[name]", "Momotor PROG1"), ("api_key[course_id]", "sis_course_id:PROG1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["course_id"], course);
    let key = res.body["key"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let req = t.anonymous(Method::GET, &path).header("authorization", &format!("Api-Key {key}"));
        async move { req.send().await }
    };
    let res = get(format!("/api/v1/courses/{course}")).await;
    assert_eq!((res.status, res.body["sis_course_id"].as_str()), (StatusCode::OK, Some("PROG1")), "{}", res.body);
    for path in [
        format!("/api/v1/courses/{other}"),
        format!("/api/v1/accounts/{sub}"),
        format!("/api/v1/accounts/{sub}/courses"),
    ] {
        get(path).await.assert_error(401, "unauthorized");
    }
    let res = t
        .anonymous(Method::PUT, &format!("/api/v1/courses/{course}"))
        .header("authorization", &format!("Api-Key {key}"))
        .form(&[("course[name]", "Renamed")])
        .send()
        .await;
    res.assert_error(401, "unauthorized");
    // A key can only be bound to a course of its own account.
    let res = t
        .post(&format!("/api/v1/accounts/{sub}/api_keys"))
        .form(&[("api_key[name]", "x"), ("api_key[course_id]", outside.to_string().as_str())])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    t.post(&format!("/api/v1/accounts/{sub}/api_keys"))
        .form(&[("api_key[name]", "x"), ("api_key[course_id]", "424242")])
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(sections_belong_to_courses_and_are_found_by_sis_id, |t| {
    let course = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Chemistry")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{course}/sections"))
        .form(&[("course_section[name]", "Group A"), ("course_section[sis_section_id]", "CHEM-A")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let a = res.body["id"].as_i64().unwrap();
    assert_eq!((res.body["course_id"].as_i64(), res.body["sis_section_id"].as_str()), (Some(course), Some("CHEM-A")));
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/sections/{a}", t.base).as_str()));
    let b =
        t.post(&format!("/api/v1/courses/{course}/sections")).json(&json!({"course_section": {}})).send().await.body;
    assert_eq!(b["name"], "Chemistry", "the name defaults to the course's");
    assert_eq!(t.get("/api/v1/sections/sis_section_id:CHEM-A").send().await.body["id"], a);
    let listed: Vec<i64> = t
        .get(&format!("/api/v1/courses/{course}/sections"))
        .send()
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![a, b["id"].as_i64().unwrap()]);
    let res = t
        .put(&format!("/api/v1/sections/{a}"))
        .form(&[
            ("course_section[name]", "Group Alpha"),
            ("course_section[start_at]", "2026-09-01"),
            ("course_section[end_at]", "2026-08-01"),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let res = t.put(&format!("/api/v1/sections/{a}")).form(&[("course_section[name]", "Group Alpha")]).send().await;
    assert_eq!(res.body["name"], "Group Alpha");
    t.post(&format!("/api/v1/courses/{course}/sections"))
        .form(&[("course_section[sis_section_id]", "CHEM-A")])
        .send()
        .await
        .assert_error(409, "conflict");
    let res = t.delete(&format!("/api/v1/sections/{a}")).send().await;
    assert_eq!(res.status, StatusCode::OK);
    t.get(&format!("/api/v1/sections/{a}")).send().await.assert_error(404, "section_not_found");
    // The SIS id is free again once its section is deleted.
    let res = t
        .post(&format!("/api/v1/courses/{course}/sections"))
        .form(&[("course_section[sis_section_id]", "CHEM-A")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    // A deleted course takes its sections out of sight.
    t.delete(&format!("/api/v1/courses/{course}")).form(&[("event", "delete")]).send().await;
    t.get("/api/v1/sections/sis_section_id:CHEM-A").send().await.assert_error(404, "section_not_found");
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    let other = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Other")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    t.post(&format!("/api/v1/courses/{other}/sections"))
        .token(&token)
        .form(&[("course_section[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
});

/// The ids of a list response.
fn ids(res: &crate::harness::Res) -> Vec<i64> {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// Every id of a list, following `next` links from `path` (which should ask for a small `per_page`).
async fn walk(t: &crate::harness::TestApp, path: &str, token: Option<&str>) -> Vec<i64> {
    let mut all = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let mut req = t.get(path.trim_start_matches(&t.base));
        if let Some(token) = token {
            req = req.token(token);
        }
        let res = req.send().await;
        all.extend(ids(&res));
        next = res.link("next");
        assert!(all.len() < 100, "the walk does not end");
    }
    all
}

async fn create_course(t: &crate::harness::TestApp, account: &str, form: &[(&str, &str)]) -> i64 {
    let res = t.post(&format!("/api/v1/accounts/{account}/courses")).form(form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn create_term(t: &crate::harness::TestApp, form: &[(&str, &str)]) -> i64 {
    let res = t.post("/api/v1/accounts/self/terms").form(form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// Enrolls a user through the enrollment API (the one place these tests create enrollments).
async fn enroll(t: &crate::harness::TestApp, course: i64, user: i64, kind: &str) {
    let res = t
        .post(&format!("/api/v1/courses/{course}/enrollments"))
        .form(&[
            ("enrollment[user_id]", user.to_string().as_str()),
            ("enrollment[type]", kind),
            ("enrollment[enrollment_state]", "active"),
        ])
        .send()
        .await;
    assert!(res.status.is_success(), "enrolling {user} as {kind} in {course}: {} {}", res.status, res.body);
}

backend_test!(course_settings_have_canvas_defaults_and_are_checked, |t| {
    let course = create_course(&t, "self", &[("course[name]", "Physics")]).await;
    let path = format!("/api/v1/courses/{course}/settings");
    let res = t.get(&path).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for (key, value) in [
        ("allow_final_grade_override", json!(false)),
        ("allow_student_discussion_topics", json!(true)),
        ("allow_student_forum_attachments", json!(true)),
        ("allow_student_discussion_editing", json!(true)),
        ("allow_student_organized_groups", json!(true)),
        ("allow_student_discussion_reporting", json!(true)),
        ("allow_student_anonymous_discussion_topics", json!(false)),
        ("filter_speed_grader_by_student_group", json!(false)),
        ("grading_standard_enabled", json!(false)),
        ("grading_standard_id", json!(null)),
        ("hide_final_grades", json!(false)),
        ("hide_distribution_graphs", json!(false)),
        ("hide_sections_on_course_users_page", json!(false)),
        ("lock_all_announcements", json!(false)),
        ("usage_rights_required", json!(false)),
        ("restrict_student_past_view", json!(false)),
        ("restrict_student_future_view", json!(false)),
        ("show_announcements_on_home_page", json!(false)),
        ("home_page_announcement_limit", json!(3)),
        ("syllabus_course_summary", json!(true)),
        ("homeroom_course", json!(false)),
        ("default_due_time", json!("23:59:59")),
        ("conditional_release", json!(false)),
    ] {
        assert_eq!(res.body[key], value, "{key}");
    }
    assert_eq!(res.body.as_object().unwrap().len(), 23, "{}", res.body);
    let defaults = res.body.clone();
    // Canvas clients send settings as top-level form fields; unknown names are ignored.
    let res = t
        .put(&path)
        .form(&[
            ("hide_final_grades", "true"),
            ("lock_all_announcements", "1"),
            ("home_page_announcement_limit", "5"),
            ("default_due_time", "08:30:00"),
            ("grading_standard_id", "77"),
            ("not_a_setting", "x"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (
            &res.body["hide_final_grades"],
            &res.body["lock_all_announcements"],
            &res.body["home_page_announcement_limit"],
            &res.body["default_due_time"],
            &res.body["grading_standard_id"],
        ),
        (&json!(true), &json!(true), &json!(5), &json!("08:30:00"), &json!(null))
    );
    assert!(res.body.get("not_a_setting").is_none());
    assert_eq!(t.get(&path).send().await.body, res.body, "GET shows what PUT stored");
    assert_eq!(t.get(&format!("/api/v1/courses/{course}")).send().await.body["hide_final_grades"], true);
    // JSON bodies work too, and change only what they name.
    let res = t.put(&path).json(&json!({"default_due_time": "inherit", "syllabus_course_summary": false})).send().await;
    assert_eq!(
        (&res.body["default_due_time"], &res.body["syllabus_course_summary"], &res.body["lock_all_announcements"]),
        (&json!("inherit"), &json!(false), &json!(true))
    );
    let changes = &t.get("/api/v1/events?type=course.updated").send().await.body;
    let last = changes.as_array().unwrap().last().unwrap();
    assert_eq!(last["payload"]["changes"]["settings"][1]["default_due_time"], "inherit", "{last}");
    // Bad values name their setting, and nothing is written.
    let before = t.get(&path).send().await.body;
    let res = t
        .put(&path)
        .form(&[
            ("hide_final_grades", "false"),
            ("usage_rights_required", "perhaps"),
            ("home_page_announcement_limit", "-2"),
            ("default_due_time", "25:61:00"),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/usage_rights_required", "/home_page_announcement_limit", "/default_due_time"]);
    assert_eq!(t.get(&path).send().await.body, before, "a refused PUT changes nothing");
    // Reading needs the course, changing needs to manage it.
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    t.get(&path).token(&token).send().await.assert_error(401, "unauthorized");
    t.put(&path).token(&token).form(&[("hide_final_grades", "false")]).send().await.assert_error(401, "unauthorized");
    t.get("/api/v1/courses/424242/settings").send().await.assert_error(404, "course_not_found");
    assert_ne!(defaults, before);
});

backend_test!(courses_belong_to_terms_of_their_school, |t| {
    let fall = create_term(
        &t,
        &[
            ("enrollment_term[name]", "Fall 2026"),
            ("enrollment_term[sis_term_id]", "F26"),
            ("enrollment_term[start_at]", "2026-09-01T00:00:00Z"),
            ("enrollment_term[end_at]", "2027-01-31T00:00:00Z"),
        ],
    )
    .await;
    let spring = create_term(&t, &[("enrollment_term[name]", "Spring 2027")]).await;
    let res = t
        .post("/api/v1/accounts/self/courses")
        .form(&[("course[name]", "Optics"), ("course[term_id]", "sis_term_id:F26")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["enrollment_term_id"], fall);
    let optics = res.body["id"].as_i64().unwrap();
    let res = t.get(&format!("/api/v1/courses/{optics}?include[]=term")).send().await;
    assert_eq!(
        res.body["term"],
        json!({"id": fall, "name": "Fall 2026", "start_at": "2026-09-01T00:00:00Z", "end_at": "2027-01-31T00:00:00Z"})
    );
    assert!(t.get(&format!("/api/v1/courses/{optics}")).send().await.body.get("term").is_none(), "only on request");
    let res = t.put(&format!("/api/v1/courses/{optics}")).json(&json!({"course": {"term_id": spring}})).send().await;
    assert_eq!(res.body["enrollment_term_id"], spring, "{}", res.body);
    // No term: Assay has no "Default Term", so the id is null.
    let untermed = create_course(&t, "self", &[("course[name]", "Loose")]).await;
    let res = t.get(&format!("/api/v1/courses/{untermed}?include[]=term")).send().await;
    assert_eq!((&res.body["enrollment_term_id"], &res.body["term"]), (&json!(null), &json!(null)));
    let res = t.put(&format!("/api/v1/courses/{optics}")).form(&[("course[term_id]", "")]).send().await;
    assert_eq!(res.body["enrollment_term_id"], json!(null));
    // Unknown, deleted, malformed and another school's terms are refused on the field.
    let deleted = create_term(&t, &[("enrollment_term[name]", "Gone")]).await;
    t.delete(&format!("/api/v1/accounts/self/terms/{deleted}")).send().await;
    let other = t.create_school("School B").await;
    let theirs = t
        .post("/api/v1/accounts/self/terms")
        .token(&other.admin_token)
        .form(&[("enrollment_term[name]", "B's term")])
        .send()
        .await
        .body["id"]
        .to_string();
    for bad in ["424242", deleted.to_string().as_str(), "sis_term_id:NOPE", "self", "F26", theirs.as_str()] {
        let res = t
            .post("/api/v1/accounts/self/courses")
            .form(&[("course[name]", "X"), ("course[term_id]", bad)])
            .send()
            .await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], "/course/term_id", "{bad}: {}", res.body);
        let res = t.put(&format!("/api/v1/courses/{optics}")).form(&[("course[term_id]", bad)]).send().await;
        res.assert_error(422, "validation_failed");
    }
    assert_eq!(
        ids(&t.get("/api/v1/accounts/self/courses").send().await),
        vec![optics, untermed],
        "refused creations left nothing behind"
    );
    assert_eq!(t.get(&format!("/api/v1/courses/{optics}")).send().await.body["enrollment_term_id"], json!(null));
});

backend_test!(account_course_lists_filter_sort_and_include_like_canvas, |t| {
    let fall = create_term(
        &t,
        &[
            ("enrollment_term[name]", "Fall"),
            ("enrollment_term[sis_term_id]", "FALL"),
            ("enrollment_term[start_at]", "2020-09-01T00:00:00Z"),
            ("enrollment_term[end_at]", "2020-12-31T00:00:00Z"),
        ],
    )
    .await;
    let sub =
        t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Science")]).send().await.body["id"]
            .as_i64()
            .unwrap();
    let sub_s = sub.to_string();
    let fall_s = fall.to_string();
    let biology = create_course(
        &t,
        &sub_s,
        &[("course[name]", "Biology"), ("course[sis_course_id]", "B-1"), ("course[term_id]", &fall_s)],
    )
    .await;
    let algebra = create_course(
        &t,
        "self",
        &[
            ("course[name]", "Algebra"),
            ("course[sis_course_id]", "C-1"),
            ("course[start_at]", "2026-01-10T00:00:00Z"),
            ("course[end_at]", "2026-06-30T00:00:00Z"),
            ("offer", "true"),
        ],
    )
    .await;
    let chemistry = create_course(&t, &sub_s, &[("course[name]", "Chemistry")]).await;
    let drama = create_course(&t, "self", &[("course[name]", "Drama"), ("course[sis_course_id]", "A-1")]).await;
    t.delete(&format!("/api/v1/courses/{drama}")).form(&[("event", "delete")]).send().await;
    let list = |query: &str| {
        let req = t.get(&format!("/api/v1/accounts/self/courses?{query}"));
        async move { ids(&req.send().await) }
    };
    assert_eq!(list("").await, vec![biology, algebra, chemistry]);
    // Terms by id or SIS id.
    assert_eq!(list(&format!("enrollment_term_id={fall}")).await, vec![biology]);
    assert_eq!(list("enrollment_term_id=sis_term_id:FALL").await, vec![biology]);
    for bad in ["424242", "sis_term_id:NOPE", "junk"] {
        let res = t.get(&format!("/api/v1/accounts/self/courses?enrollment_term_id={bad}")).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], "/enrollment_term_id");
    }
    // Canvas's state names: created and claimed are unpublished; all includes deleted.
    assert_eq!(list("state[]=created").await, vec![biology, chemistry]);
    assert_eq!(list("state[]=claimed&state[]=available").await, vec![biology, algebra, chemistry]);
    assert_eq!(list("state[]=all").await, vec![biology, algebra, chemistry, drama]);
    t.get("/api/v1/accounts/self/courses?state[]=archived").send().await.assert_error(422, "validation_failed");
    // Dates: the course's own, else its term's; a course with neither always matches.
    assert_eq!(list("starts_before=2026-02-01T00:00:00Z").await, vec![biology, algebra, chemistry]);
    assert_eq!(list("starts_before=2025-01-01").await, vec![biology, chemistry]);
    assert_eq!(list("ends_after=2026-03-01T00:00:00Z").await, vec![algebra, chemistry]);
    assert_eq!(list("ends_after=2026-07-01").await, vec![chemistry]);
    t.get("/api/v1/accounts/self/courses?starts_before=someday").send().await.assert_error(400, "bad_request");
    // Sub-accounts.
    assert_eq!(list(&format!("by_subaccounts[]={sub}")).await, vec![biology, chemistry]);
    assert_eq!(
        list(&format!("by_subaccounts[]={sub}&by_subaccounts[]={}", t.school.id)).await,
        vec![biology, algebra, chemistry]
    );
    assert_eq!(ids(&t.get(&format!("/api/v1/accounts/{sub}/courses")).send().await), vec![biology, chemistry]);
    t.get(&format!("/api/v1/accounts/{sub}/courses?by_subaccounts[]={}", t.school.id))
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get("/api/v1/accounts/self/courses?by_subaccounts[]=424242").send().await.assert_error(422, "validation_failed");
    // Without enrollments anywhere, with_enrollments=false keeps all and true none.
    assert_eq!(list("with_enrollments=false").await, vec![biology, algebra, chemistry]);
    assert_eq!(list("with_enrollments=true").await, Vec::<i64>::new());
    assert_eq!(list("enrollment_type[]=teacher").await, Vec::<i64>::new());
    t.get("/api/v1/accounts/self/courses?enrollment_type[]=principal")
        .send()
        .await
        .assert_error(422, "validation_failed");
    // Sorting, walked a page at a time so the keyset follows the sort.
    assert_eq!(
        walk(&t, "/api/v1/accounts/self/courses?sort=course_name&per_page=1", None).await,
        vec![algebra, biology, chemistry]
    );
    assert_eq!(
        walk(&t, "/api/v1/accounts/self/courses?sort=course_name&order=desc&per_page=2", None).await,
        vec![chemistry, biology, algebra]
    );
    assert_eq!(
        walk(&t, "/api/v1/accounts/self/courses?sort=sis_course_id&per_page=1&state[]=all", None).await,
        vec![chemistry, drama, biology, algebra],
        "no SIS id sorts first"
    );
    assert_eq!(
        walk(&t, "/api/v1/accounts/self/courses?sort=course_status&order=desc&per_page=1", None).await,
        vec![chemistry, biology, algebra]
    );
    assert_eq!(
        walk(&t, "/api/v1/accounts/self/courses?order=desc&per_page=2", None).await,
        vec![chemistry, algebra, biology]
    );
    t.get("/api/v1/accounts/self/courses?sort=teacher").send().await.assert_error(422, "validation_failed");
    t.get("/api/v1/accounts/self/courses?order=sideways").send().await.assert_error(422, "validation_failed");
    // include[] on lists.
    let res = t
        .get("/api/v1/accounts/self/courses?include[]=term&include[]=concluded&include[]=account&include[]=total_students&include[]=teachers&include[]=syllabus_body&include[]=sections&include[]=permissions")
        .send()
        .await;
    let bio = &res.body[0];
    assert_eq!(bio["term"]["name"], "Fall");
    assert_eq!(bio["concluded"], true, "its term ended in 2020");
    assert_eq!(res.body[1]["concluded"], false);
    assert_eq!(res.body[1]["term"], json!(null));
    assert_eq!((bio["account"]["id"].as_i64(), bio["account"]["name"].as_str()), (Some(sub), Some("Science")));
    assert_eq!(
        (&bio["total_students"], &bio["teachers"], &bio["syllabus_body"]),
        (&json!(0), &json!([]), &json!(null))
    );
    assert!(bio.get("sections").is_none() && bio.get("permissions").is_none(), "not offered on account lists: {bio}");
    assert_eq!(bio["sis_course_id"], "B-1", "administrators read SIS ids");
});

// Enrollments come from `POST /api/v1/courses/:id/enrollments`; course roles (permissions, SIS ids) from them.
backend_test!(users_list_their_courses_through_enrollments, |t| {
    let teacher = t.create_user("Tess Teacher", "tess@a.test", None).await["id"].as_i64().unwrap();
    let student = t.create_user("Stu Student", "stu@a.test", None).await["id"].as_i64().unwrap();
    let outsider = t.create_user("Otto", "otto@a.test", None).await["id"].as_i64().unwrap();
    let term = create_term(&t, &[("enrollment_term[name]", "Year")]).await.to_string();
    let draft = create_course(
        &t,
        "self",
        &[("course[name]", "Draft"), ("course[sis_course_id]", "D-1"), ("course[term_id]", &term)],
    )
    .await;
    let live = create_course(&t, "self", &[("course[name]", "Live"), ("offer", "true")]).await;
    let gone = create_course(&t, "self", &[("course[name]", "Gone"), ("offer", "true")]).await;
    let empty = create_course(&t, "self", &[("course[name]", "Empty"), ("offer", "true")]).await;
    enroll(&t, draft, teacher, "TeacherEnrollment").await;
    enroll(&t, draft, student, "StudentEnrollment").await;
    enroll(&t, live, student, "StudentEnrollment").await;
    enroll(&t, live, teacher, "TeacherEnrollment").await;
    enroll(&t, live, teacher, "ObserverEnrollment").await;
    enroll(&t, gone, teacher, "TeacherEnrollment").await;
    t.delete(&format!("/api/v1/courses/{gone}")).form(&[("event", "delete")]).send().await;
    let teacher_token = t.token_for(teacher).await;
    let student_token = t.token_for(student).await;
    let mine = |token: &str, query: &str| {
        let req = t.get(&format!("/api/v1/courses?{query}")).token(token);
        async move { req.send().await }
    };
    // A student sees published courses only; a teacher also unpublished ones; deleted courses are gone.
    assert_eq!(ids(&mine(&student_token, "").await), vec![live]);
    assert_eq!(ids(&mine(&teacher_token, "").await), vec![draft, live]);
    assert_eq!(ids(&mine(&student_token, "state[]=unpublished").await), vec![draft]);
    assert_eq!(ids(&mine(&student_token, "state[]=created&state[]=available").await), vec![draft, live]);
    assert_eq!(ids(&mine(&teacher_token, "state[]=deleted").await), vec![gone]);
    assert_eq!(ids(&mine(&teacher_token, "enrollment_type=observer").await), vec![live]);
    assert_eq!(ids(&mine(&teacher_token, "enrollment_type=student").await), Vec::<i64>::new());
    assert_eq!(ids(&mine(&teacher_token, "enrollment_state=active").await), vec![draft, live]);
    assert_eq!(ids(&mine(&teacher_token, "enrollment_state=completed").await), Vec::<i64>::new());
    assert_eq!(ids(&mine(&teacher_token, "enrollment_state=invited_or_pending").await), Vec::<i64>::new());
    mine(&teacher_token, "state[]=asleep").await.assert_error(422, "validation_failed");
    mine(&teacher_token, "enrollment_type=principal").await.assert_error(422, "validation_failed");
    mine(&teacher_token, "enrollment_state=dormant").await.assert_error(422, "validation_failed");
    assert_eq!(walk(&t, "/api/v1/courses?per_page=1", Some(&teacher_token)).await, vec![draft, live]);
    // Each course carries the user's enrollments in it, with Canvas's base role ids.
    let res =
        mine(&teacher_token, "include[]=total_students&include[]=teachers&include[]=sections&include[]=term").await;
    let live_json = &res.body[1];
    assert_eq!(
        live_json["enrollments"],
        json!([
            {"type": "teacher", "role": "TeacherEnrollment", "role_id": 4, "user_id": teacher, "enrollment_state": "active", "limit_privileges_to_course_section": false},
            {"type": "observer", "role": "ObserverEnrollment", "role_id": 7, "user_id": teacher, "enrollment_state": "active", "limit_privileges_to_course_section": false},
        ])
    );
    assert_eq!(live_json["total_students"], 1);
    assert_eq!(live_json["teachers"][0]["id"], teacher);
    assert_eq!(live_json["teachers"][0]["display_name"], "Tess Teacher");
    assert_eq!(live_json["teachers"][0]["html_url"], format!("{}/courses/{live}/users/{teacher}", t.base));
    assert_eq!(live_json["teachers"].as_array().unwrap().len(), 1, "a teacher is listed once");
    let sections = live_json["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0]["enrollment_role"], "TeacherEnrollment");
    assert_eq!(sections[0]["name"], "Live");
    assert_eq!(res.body[0]["term"]["name"], "Year");
    let res = mine(&student_token, "").await;
    assert_eq!(res.body[0]["enrollments"][0]["role_id"], 3);
    // SIS ids follow the caller's rights in each course.
    let res = mine(&student_token, "state[]=unpublished").await;
    assert!(res.body[0].get("sis_course_id").is_none(), "{}", res.body);
    assert_eq!(mine(&teacher_token, "").await.body[0]["sis_course_id"], "D-1");
    // Another user's courses: the user, or an administrator.
    let path = format!("/api/v1/users/{student}/courses");
    assert_eq!(ids(&t.get(&path).send().await), vec![live]);
    assert_eq!(ids(&t.get("/api/v1/users/self/courses").token(&student_token).send().await), vec![live]);
    t.get(&path).token(&teacher_token).send().await.assert_error(401, "unauthorized");
    t.get("/api/v1/users/424242/courses").send().await.assert_error(404, "user_not_found");
    assert_eq!(ids(&t.get(&format!("/api/v1/users/{outsider}/courses")).send().await), Vec::<i64>::new());
    // API keys have no courses of their own.
    let key = t.post("/api/v1/accounts/self/api_keys").form(&[("api_key[name]", "k")]).send().await.body["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in ["/api/v1/courses", "/api/v1/users/self/courses"] {
        t.anonymous(Method::GET, path)
            .header("authorization", &format!("Api-Key {key}"))
            .send()
            .await
            .assert_error(401, "unauthorized");
    }
    // Account lists filter by enrollments and count students in one go.
    let list = |query: &str| {
        let req = t.get(&format!("/api/v1/accounts/self/courses?{query}"));
        async move { ids(&req.send().await) }
    };
    assert_eq!(list("with_enrollments=true").await, vec![draft, live]);
    assert_eq!(list("with_enrollments=false").await, vec![empty]);
    assert_eq!(list("enrollment_type[]=observer").await, vec![live]);
    assert_eq!(list("enrollment_type[]=student&enrollment_type[]=designer").await, vec![draft, live]);
    let res = t.get("/api/v1/accounts/self/courses?include[]=total_students&include[]=teachers").send().await;
    let counts: Vec<i64> = res.body.as_array().unwrap().iter().map(|c| c["total_students"].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![1, 1, 0]);
    assert_eq!(res.body[2]["teachers"], json!([]));
    // The course's permissions for the caller.
    let res = t.get(&format!("/api/v1/courses/{live}?include[]=permissions")).token(&student_token).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let permissions = &res.body["permissions"];
    assert_eq!(
        (&permissions["participate_as_student"], &permissions["manage_content"], &permissions["read_sis"]),
        (&json!(true), &json!(false), &json!(false))
    );
    let res = t.get(&format!("/api/v1/courses/{live}?include[]=permissions")).send().await;
    assert_eq!(res.body["permissions"]["manage_content"], true);
});
