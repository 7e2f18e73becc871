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
