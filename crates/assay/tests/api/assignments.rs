//! Assignments: assignment groups (positions, weights, rules, delete with `move_assignments_to`), assignments
//! (CRUD, validation, soft delete, duplicate, events), overrides (precedence, effective dates, absent vs null),
//! what students see, bulk date updates, extensions and effective due dates.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn user(t: &TestApp, name: &str, login: &str) -> i64 {
    t.create_user(name, login, None).await["id"].as_i64().unwrap()
}

/// Enrolls `user` as an active student of `section` (or the course's default section).
async fn enroll_student(t: &TestApp, course: i64, section: Option<i64>, user: i64) {
    let mut form = vec![
        ("enrollment[user_id]", user.to_string()),
        ("enrollment[type]", "StudentEnrollment".to_owned()),
        ("enrollment[enrollment_state]", "active".to_owned()),
    ];
    if let Some(s) = section {
        form.push(("enrollment[course_section_id]", s.to_string()));
    }
    let res = t.post(&format!("/api/v1/courses/{course}/enrollments")).form(&form).send().await;
    assert!(res.status.is_success(), "{}", res.body);
}

async fn section(t: &TestApp, course: i64, name: &str) -> i64 {
    let res =
        t.post(&format!("/api/v1/courses/{course}/sections")).form(&[("course_section[name]", name)]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn assignment(t: &TestApp, course: i64, body: Value) -> Value {
    let res =
        t.post(&format!("/api/v1/courses/{course}/assignments")).json(&json!({ "assignment": body })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

fn ids(res: &crate::harness::Res) -> Vec<i64> {
    res.body.as_array().unwrap_or_else(|| panic!("{}", res.body)).iter().map(|v| v["id"].as_i64().unwrap()).collect()
}

fn pointers(res: &crate::harness::Res) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Polls a Progress until it is completed or failed.
async fn wait_progress(t: &TestApp, id: i64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = t.get(&format!("/api/v1/progress/{id}")).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        if matches!(res.body["workflow_state"].as_str(), Some("completed" | "failed")) {
            return res.body;
        }
        assert!(std::time::Instant::now() < deadline, "progress {id} did not finish: {}", res.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Runs SQL on the test's database (to look at the job table, or to play a worker that died).
async fn sql(t: &TestApp, statement: &str) -> Vec<sea_orm::QueryResult> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = t.store().read();
    conn.query_all_raw(Statement::from_string(conn.get_database_backend(), statement.to_owned())).await.expect("sql")
}

async fn job_count(t: &TestApp) -> i64 {
    sql(t, "SELECT COUNT(*) AS n FROM jobs").await[0].try_get::<i64>("", "n").unwrap()
}

async fn event_types(t: &TestApp, prefix: &str) -> Vec<String> {
    let res = t.get("/api/v1/events?per_page=100").send().await;
    res.body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .filter(|ty| ty.starts_with(prefix))
        .collect()
}

backend_test!(assignment_groups_are_ordered_weighted_and_deleted_like_canvas, |t| {
    let c = course(&t, "Algebra").await;
    let base = format!("/api/v1/courses/{c}/assignment_groups");
    let hw = t.post(&base).form(&[("name", "Homework"), ("group_weight", "40")]).send().await;
    assert_eq!(hw.status, StatusCode::CREATED, "{}", hw.body);
    assert_eq!((hw.body["position"].as_i64(), hw.body["group_weight"].as_f64()), (Some(1), Some(40.0)));
    assert_eq!(hw.body["rules"], json!({}));
    let exams = t
        .post(&base)
        .form(&[("name", "Exams"), ("rules[drop_lowest]", "1"), ("rules[never_drop][]", "7")])
        .send()
        .await;
    assert_eq!(exams.body["rules"], json!({"drop_lowest": 1, "never_drop": [7]}), "{}", exams.body);
    // A group placed first pushes the others down.
    let quizzes =
        t.post(&base).json(&json!({"name": "Quizzes", "position": 1, "rules": {"drop_highest": 2}})).send().await;
    assert_eq!(quizzes.body["position"], 1);
    let (hw, exams, quizzes) =
        (hw.body["id"].as_i64().unwrap(), exams.body["id"].as_i64().unwrap(), quizzes.body["id"].as_i64().unwrap());
    let list = t.get(&base).send().await;
    assert_eq!(ids(&list), vec![quizzes, hw, exams]);
    assert_eq!(list.body[2]["position"], 3);
    // PUT answers the full group.
    let res = t.put(&format!("{base}/{exams}")).form(&[("position", "1"), ("group_weight", "60")]).send().await;
    assert_eq!((res.body["name"].as_str(), res.body["position"].as_i64()), (Some("Exams"), Some(1)), "{}", res.body);
    assert_eq!(ids(&t.get(&base).send().await), vec![exams, quizzes, hw]);
    // Bad input.
    let res = t.post(&base).form(&[("name", "X"), ("group_weight", "heavy"), ("rules[drop_worst]", "1")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(pointers(&res), vec!["/group_weight", "/rules/drop_worst"]);
    // include[]=assignments.
    let a1 = assignment(&t, c, json!({"name": "HW 1", "assignment_group_id": hw})).await;
    let a2 = assignment(&t, c, json!({"name": "HW 2", "assignment_group_id": hw})).await;
    let a3 = assignment(&t, c, json!({"name": "Midterm", "assignment_group_id": exams})).await;
    let res = t.get(&format!("{base}?include[]=assignments")).send().await;
    let names: Vec<Vec<&str>> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["assignments"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(names, vec![vec!["Midterm"], vec![], vec!["HW 1", "HW 2"]]);
    let res = t.get(&format!("{base}/{hw}/assignments")).send().await;
    assert_eq!(ids(&res), vec![a1["id"].as_i64().unwrap(), a2["id"].as_i64().unwrap()]);
    // Delete moving the assignments, then delete with them.
    let res = t.delete(&format!("{base}/{hw}")).form(&[("move_assignments_to", exams.to_string())]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let moved = t.get(&format!("{base}/{exams}/assignments")).send().await;
    assert_eq!(ids(&moved), vec![a3["id"].as_i64().unwrap(), a1["id"].as_i64().unwrap(), a2["id"].as_i64().unwrap()]);
    assert_eq!(moved.body[2]["position"], 3);
    t.get(&format!("{base}/{hw}")).send().await.assert_error(404, "assignment_group_not_found");
    let res = t.delete(&format!("{base}/{exams}")).form(&[("move_assignments_to", "999999")]).send().await;
    res.assert_error(422, "validation_failed");
    let res = t.delete(&format!("{base}/{exams}")).send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(ids(&t.get(&format!("/api/v1/courses/{c}/assignments")).send().await), Vec::<i64>::new());
    let events = event_types(&t, "assignment").await;
    assert_eq!(events.iter().filter(|e| *e == "assignment.deleted").count(), 3, "{events:?}");
    assert_eq!(events.iter().filter(|e| *e == "assignment_group.deleted").count(), 2);
    assert!(events.contains(&"assignment_group.updated".to_owned()));
});

backend_test!(assignments_are_created_listed_updated_and_deleted, |t| {
    let c = course(&t, "Chemistry").await;
    let base = format!("/api/v1/courses/{c}/assignments");
    // Form encoding, as canvasapi sends it; the course gets an "Assignments" group.
    let res = t
        .post(&base)
        .form(&[
            ("assignment[name]", "Lab report"),
            ("assignment[points_possible]", "25.5"),
            ("assignment[submission_types][]", "online_upload"),
            ("assignment[submission_types][]", "online_url"),
            ("assignment[allowed_extensions][]", ".PDF"),
            ("assignment[due_at]", "2030-03-01T23:59:00Z"),
            ("assignment[description]", "<p onclick=\"x()\">Write <script>alert(1)</script>it</p>"),
            ("assignment[published]", "true"),
            ("assignment[sis_assignment_id]", "CHEM-LAB-1"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let a = res.body.clone();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(res.header("location").unwrap(), t.url(&format!("{base}/{id}")));
    assert_eq!(a["grading_type"], "points");
    assert_eq!(a["points_possible"], 25.5);
    assert_eq!(a["submission_types"], json!(["online_upload", "online_url"]));
    assert_eq!(a["allowed_extensions"], json!(["pdf"]));
    assert_eq!(a["description"], "<p>Write it</p>");
    assert_eq!((a["published"].as_bool(), a["workflow_state"].as_str()), (Some(true), Some("published")));
    assert_eq!(a["allowed_attempts"], -1);
    assert_eq!(a["course_id"], c);
    assert_eq!(a["sis_assignment_id"], "CHEM-LAB-1");
    assert_eq!(a["has_overrides"], false);
    assert_eq!(a["due_at"], "2030-03-01T23:59:00Z");
    let groups = t.get(&format!("/api/v1/courses/{c}/assignment_groups")).send().await;
    assert_eq!(groups.body[0]["name"], "Assignments");
    assert_eq!(a["assignment_group_id"], groups.body[0]["id"]);
    // By SIS id, and the SIS id is unique in the school.
    assert_eq!(t.get(&format!("{base}/sis_assignment_id:CHEM-LAB-1")).send().await.body["id"], id);
    let dup =
        t.post(&base).form(&[("assignment[name]", "X"), ("assignment[sis_assignment_id]", "CHEM-LAB-1")]).send().await;
    dup.assert_error(409, "conflict");
    // Position ordering: a new assignment at position 1 goes first.
    let first = assignment(&t, c, json!({"name": "Safety quiz", "position": 1})).await;
    let later = assignment(&t, c, json!({"name": "Alpha", "due_at": "2030-01-01T00:00:00Z"})).await;
    let (first, later) = (first["id"].as_i64().unwrap(), later["id"].as_i64().unwrap());
    assert_eq!(ids(&t.get(&base).send().await), vec![first, id, later]);
    assert_eq!(ids(&t.get(&format!("{base}?order_by=name")).send().await), vec![later, id, first]);
    assert_eq!(ids(&t.get(&format!("{base}?order_by=due_at")).send().await), vec![later, id, first]);
    assert_eq!(ids(&t.get(&format!("{base}?search_term=LAB")).send().await), vec![id]);
    assert_eq!(
        ids(&t.get(&format!("{base}?assignment_ids[]={first}&assignment_ids[]={later}")).send().await),
        vec![first, later]
    );
    assert_eq!(ids(&t.get(&format!("{base}?bucket=undated")).send().await), vec![first]);
    assert_eq!(ids(&t.get(&format!("{base}?bucket=future")).send().await), vec![first, id, later]);
    t.get(&format!("{base}?bucket=someday")).send().await.assert_error(422, "validation_failed");
    // PUT answers the full object; only what is sent changes.
    let res = t
        .put(&format!("{base}/{id}"))
        .form(&[("assignment[name]", "Lab report 1"), ("assignment[grading_type]", "pass_fail")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["name"].as_str(), res.body["grading_type"].as_str()),
        (Some("Lab report 1"), Some("pass_fail"))
    );
    assert_eq!(res.body["points_possible"], 25.5);
    assert_eq!(res.body["submission_types"], json!(["online_upload", "online_url"]));
    // Validation: every problem, with a pointer.
    let res = t
        .post(&base)
        .json(&json!({"assignment": {
            "grading_type": "vibes", "submission_types": ["carrier_pigeon"], "points_possible": -1,
            "due_at": "2030-02-01T00:00:00Z", "lock_at": "2030-01-01T00:00:00Z"}}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(
        pointers(&res),
        vec![
            "/assignment/name",
            "/assignment/grading_type",
            "/assignment/submission_types",
            "/assignment/points_possible",
            "/assignment/lock_at"
        ]
    );
    let res = t.put(&format!("{base}/{id}")).form(&[("assignment[unlock_at]", "2031-01-01T00:00:00Z")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(pointers(&res), vec!["/assignment/unlock_at"]);
    let res = t
        .put(&format!("{base}/{id}"))
        .form(&[("assignment[submission_types][]", "online_quiz"), ("assignment[submission_types][]", "on_paper")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let res = t.put(&format!("{base}/{id}")).form(&[("assignment[assignment_group_id]", "999999")]).send().await;
    res.assert_error(422, "validation_failed");
    // Duplicate: "<name> Copy", unpublished, right after the original.
    let res = t.post(&format!("{base}/{id}/duplicate")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["name"], "Lab report 1 Copy");
    assert_eq!((res.body["published"].as_bool(), res.body["original_assignment_id"].as_i64()), (Some(false), Some(id)));
    assert_eq!(res.body["original_assignment_name"], "Lab report 1");
    assert!(res.body["sis_assignment_id"].is_null());
    let copy = res.body["id"].as_i64().unwrap();
    assert_eq!(ids(&t.get(&base).send().await), vec![first, id, copy, later]);
    // Soft delete: answered, hidden, 404, SIS id freed.
    let res = t.delete(&format!("{base}/{id}")).send().await;
    assert_eq!((res.status, res.body["workflow_state"].as_str()), (StatusCode::OK, Some("deleted")));
    t.get(&format!("{base}/{id}")).send().await.assert_error(404, "assignment_not_found");
    assert_eq!(ids(&t.get(&base).send().await), vec![first, copy, later]);
    assignment(&t, c, json!({"name": "Reuse", "sis_assignment_id": "CHEM-LAB-1"})).await;
    let events = event_types(&t, "assignment.").await;
    for kind in ["assignment.created", "assignment.updated", "assignment.duplicated", "assignment.deleted"] {
        assert!(events.contains(&kind.to_owned()), "{kind} missing from {events:?}");
    }
});

backend_test!(overrides_decide_each_students_dates_and_visibility, |t| {
    let c = course(&t, "Physics").await;
    let s1 = section(&t, c, "Morning").await;
    let s2 = section(&t, c, "Evening").await;
    let sam = user(&t, "Sam Student", "sam@school.test").await;
    let pat = user(&t, "Pat Pupil", "pat@school.test").await;
    let outsider = user(&t, "Olly Outsider", "olly@school.test").await;
    enroll_student(&t, c, Some(s1), sam).await;
    enroll_student(&t, c, Some(s2), sam).await;
    enroll_student(&t, c, Some(s1), pat).await;
    let set = t.post(&format!("/api/v1/courses/{c}/group_categories")).form(&[("name", "Labs")]).send().await;
    let set = set.body["id"].as_i64().unwrap();
    let grp = t.post(&format!("/api/v1/group_categories/{set}/groups")).form(&[("name", "Team A")]).send().await;
    let grp = grp.body["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/groups/{grp}/memberships")).form(&[("user_id", sam.to_string())]).send().await;
    let a = assignment(
        &t,
        c,
        json!({"name": "Project", "published": true, "group_category_id": set,
               "unlock_at": "2030-01-01T00:00:00Z", "due_at": "2030-01-10T00:00:00Z", "lock_at": "2030-01-20T00:00:00Z",
               "assignment_overrides": [{"course_section_id": s1, "due_at": "2030-01-12T00:00:00Z"}]}),
    )
    .await;
    let aid = a["id"].as_i64().unwrap();
    assert_eq!(a["has_overrides"], true);
    assert_eq!(a["overrides"][0]["title"], "Morning");
    let overrides = format!("/api/v1/courses/{c}/assignments/{aid}/overrides");
    let res = t
        .post(&overrides)
        .form(&[
            ("assignment_override[course_section_id]", s2.to_string()),
            ("assignment_override[due_at]", "2030-01-15T00:00:00Z".into()),
            ("assignment_override[unlock_at]", "2030-01-05T00:00:00Z".into()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let section_two = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["course_section_id"], s2);
    assert!(res.body.get("lock_at").is_none() && res.body.get("student_ids").is_none(), "{}", res.body);
    let res = t
        .post(&overrides)
        .form(&[
            ("assignment_override[group_id]", grp.to_string()),
            ("assignment_override[due_at]", "2030-01-11T00:00:00Z".into()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["title"], "Team A");
    // Ad hoc: students win the choice over a section also named; lock_at overridden to none.
    let res = t
        .post(&overrides)
        .json(&json!({"assignment_override": {"student_ids": [sam], "course_section_id": s1, "title": "Sam", "lock_at": null}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!((res.body["student_ids"].clone(), res.body.get("course_section_id")), (json!([sam]), None));
    assert!(res.body["lock_at"].is_null() && res.body.get("due_at").is_none(), "{}", res.body);
    let adhoc = res.body["id"].as_i64().unwrap();
    // Bad overrides.
    let res = t.post(&overrides).form(&[("assignment_override[due_at]", "2030-01-11T00:00:00Z")]).send().await;
    res.assert_error(422, "validation_failed");
    let res = t
        .post(&overrides)
        .form(&[
            ("assignment_override[student_ids][]", outsider.to_string()),
            ("assignment_override[title]", "O".into()),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(pointers(&res), vec!["/assignment_override/student_ids"]);
    let res = t
        .post(&overrides)
        .form(&[
            ("assignment_override[student_ids][]", sam.to_string()),
            ("assignment_override[title]", "again".into()),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let res = t.post(&overrides).form(&[("assignment_override[course_section_id]", s1.to_string())]).send().await;
    res.assert_error(422, "validation_failed");
    let res = t
        .post(&overrides)
        .form(&[
            ("assignment_override[course_section_id]", s2.to_string()),
            ("assignment_override[due_at]", "2031-01-01T00:00:00Z".into()),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    // Sam: the latest due date of his section and group overrides, the earliest unlock, no lock at all.
    let sam_token = t.token_for(sam).await;
    let pat_token = t.token_for(pat).await;
    let mine =
        t.get(&format!("/api/v1/courses/{c}/assignments/{aid}?include[]=all_dates")).token(&sam_token).send().await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["due_at"], "2030-01-15T00:00:00Z");
    assert_eq!(mine.body["unlock_at"], "2030-01-05T00:00:00Z");
    assert!(mine.body["lock_at"].is_null());
    assert!(mine.body.get("overrides").is_none());
    assert_eq!(mine.body["all_dates"].as_array().unwrap().len(), 4, "{}", mine.body["all_dates"]);
    // Pat only has the morning section; the teacher sees the base dates.
    let pats = t.get(&format!("/api/v1/courses/{c}/assignments/{aid}")).token(&pat_token).send().await;
    assert_eq!(
        (pats.body["due_at"].as_str(), pats.body["lock_at"].as_str()),
        (Some("2030-01-12T00:00:00Z"), Some("2030-01-20T00:00:00Z"))
    );
    let staff =
        t.get(&format!("/api/v1/courses/{c}/assignments/{aid}?include[]=all_dates&include[]=overrides")).send().await;
    assert_eq!(staff.body["due_at"], "2030-01-10T00:00:00Z");
    assert_eq!(staff.body["overrides"].as_array().unwrap().len(), 4);
    assert_eq!(staff.body["all_dates"][0]["base"], true);
    let own = t
        .get(&format!("/api/v1/courses/{c}/assignments/{aid}?override_assignment_dates=false"))
        .token(&sam_token)
        .send()
        .await;
    assert_eq!(own.body["due_at"], "2030-01-10T00:00:00Z");
    // Effective due dates for every student.
    let res = t.get(&format!("/api/v1/courses/{c}/effective_due_dates")).send().await;
    assert_eq!(res.body[aid.to_string()][sam.to_string()]["due_at"], "2030-01-15T00:00:00Z", "{}", res.body);
    assert_eq!(res.body[aid.to_string()][pat.to_string()]["due_at"], "2030-01-12T00:00:00Z");
    t.get(&format!("/api/v1/courses/{c}/effective_due_dates"))
        .token(&sam_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    // PUT is a full replacement: due_at left out is no longer overridden; null overrides to none.
    let res = t.put(&format!("{overrides}/{section_two}")).form(&[("assignment_override[lock_at]", "")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.get("due_at").is_none() && res.body.get("unlock_at").is_none(), "{}", res.body);
    assert!(res.body["lock_at"].is_null() && res.body.get("lock_at").is_some());
    let mine = t.get(&format!("/api/v1/courses/{c}/assignments/{aid}")).token(&sam_token).send().await;
    assert_eq!(mine.body["due_at"], "2030-01-12T00:00:00Z");
    let res = t
        .put(&format!("{overrides}/{adhoc}"))
        .json(&json!({"assignment_override": {"student_ids": [pat], "due_at": "2030-01-18T00:00:00Z"}}))
        .send()
        .await;
    assert_eq!(
        (res.body["student_ids"].clone(), res.body["title"].as_str()),
        (json!([pat]), Some("Sam")),
        "{}",
        res.body
    );
    // Redirects, list, delete.
    let res = t.get(&format!("/api/v1/sections/{s2}/assignments/{aid}/override")).send().await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert!(res.header("location").unwrap().ends_with(&format!("{overrides}/{section_two}")));
    let res = t.get(&format!("/api/v1/groups/{grp}/assignments/{aid}/override")).send().await;
    assert_eq!(res.status, StatusCode::FOUND);
    let res = t.get(&format!("/api/v1/sections/{s1}/assignments/{aid}/override")).send().await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(t.get(&overrides).send().await.body.as_array().unwrap().len(), 4);
    let res = t.delete(&format!("{overrides}/{adhoc}")).send().await;
    assert_eq!((res.status, res.body["id"].as_i64()), (StatusCode::OK, Some(adhoc)));
    t.get(&format!("{overrides}/{adhoc}")).send().await.assert_error(404, "assignment_override_not_found");
    t.get(&overrides).token(&sam_token).send().await.assert_error(401, "unauthorized");
    // assignment[assignment_overrides] on PUT synchronises the list.
    let res = t
        .put(&format!("/api/v1/courses/{c}/assignments/{aid}"))
        .json(&json!({"assignment": {"assignment_overrides": [{"id": section_two, "due_at": "2030-01-16T00:00:00Z"}, {"student_ids": [sam], "title": "Sam again"}]}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let list = t.get(&overrides).send().await;
    assert_eq!(list.body.as_array().unwrap().len(), 2, "{}", list.body);
    assert_eq!(list.body[0]["due_at"], "2030-01-16T00:00:00Z");
    let events = event_types(&t, "assignment_override").await;
    for kind in ["assignment_override.created", "assignment_override.updated", "assignment_override.deleted"] {
        assert!(events.contains(&kind.to_owned()), "{kind} missing from {events:?}");
    }
});

backend_test!(students_see_only_published_assignments_assigned_to_them, |t| {
    let c = course(&t, "History").await;
    let s1 = section(&t, c, "North").await;
    let sam = user(&t, "Sam Student", "sam@school.test").await;
    let pat = user(&t, "Pat Pupil", "pat@school.test").await;
    enroll_student(&t, c, Some(s1), sam).await;
    enroll_student(&t, c, None, pat).await;
    let (sam_token, pat_token) = (t.token_for(sam).await, t.token_for(pat).await);
    let open = assignment(&t, c, json!({"name": "Open", "published": true})).await["id"].as_i64().unwrap();
    let draft = assignment(&t, c, json!({"name": "Draft"})).await["id"].as_i64().unwrap();
    let only_north = assignment(
        &t,
        c,
        json!({"name": "North only", "published": true, "only_visible_to_overrides": true,
               "assignment_overrides": [{"course_section_id": s1}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let base = format!("/api/v1/courses/{c}/assignments");
    assert_eq!(ids(&t.get(&base).send().await), vec![open, draft, only_north]);
    assert_eq!(ids(&t.get(&base).token(&sam_token).send().await), vec![open, only_north]);
    assert_eq!(ids(&t.get(&base).token(&pat_token).send().await), vec![open]);
    t.get(&format!("{base}/{draft}")).token(&sam_token).send().await.assert_error(404, "assignment_not_found");
    t.get(&format!("{base}/{only_north}")).token(&pat_token).send().await.assert_error(404, "assignment_not_found");
    let res = t.get(&format!("{base}/{only_north}?include[]=assignment_visibility")).send().await;
    assert_eq!(res.body["assignment_visibility"], json!([sam]));
    let res = t.get(&format!("{base}/{open}?include[]=assignment_visibility")).send().await;
    assert_eq!(res.body["assignment_visibility"], json!([sam, pat]));
    // Students read, never write.
    t.post(&base)
        .token(&sam_token)
        .form(&[("assignment[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.put(&format!("{base}/{open}"))
        .token(&sam_token)
        .form(&[("assignment[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.delete(&format!("{base}/{draft}")).token(&sam_token).send().await.assert_error(401, "unauthorized");
    let groups =
        t.get(&format!("/api/v1/courses/{c}/assignment_groups?include[]=assignments")).token(&pat_token).send().await;
    assert_eq!(groups.body[0]["assignments"].as_array().unwrap().len(), 1, "{}", groups.body);
    // The effective due dates leave out students an assignment is not for.
    let res = t.get(&format!("/api/v1/courses/{c}/effective_due_dates?assignment_ids[]={only_north}")).send().await;
    assert_eq!(
        res.body,
        json!({ only_north.to_string(): { sam.to_string(): {"due_at": null, "grading_period_id": null, "in_closed_grading_period": false}}})
    );
});

backend_test!(
    bulk_update_extensions_and_long_lists,
    // 105 assignments are created back to back, faster than the default per-address window allows.
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| {
        let c = course(&t, "Art").await;
        let s1 = section(&t, c, "Studio").await;
        let sam = user(&t, "Sam Student", "sam@school.test").await;
        enroll_student(&t, c, Some(s1), sam).await;
        let a = assignment(&t, c, json!({"name": "Sketch", "due_at": "2030-01-10T00:00:00Z", "lock_at": "2030-01-20T00:00:00Z",
        "assignment_overrides": [{"course_section_id": s1, "due_at": "2030-01-12T00:00:00Z", "lock_at": "2030-01-25T00:00:00Z"}]})).await;
        let b = assignment(&t, c, json!({"name": "Paint", "due_at": "2030-02-10T00:00:00Z"})).await;
        let (aid, bid) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
        let oid = a["overrides"][0]["id"].as_i64().unwrap();
        let url = format!("/api/v1/courses/{c}/assignments/bulk_update");
        // Any bad date: nothing changes, every problem is named.
        let bad = json!([
            {"id": aid, "all_dates": [{"base": true, "due_at": "2030-01-30T00:00:00Z"}]},
            {"id": 999999, "all_dates": [{"base": true, "due_at": null}]}
        ]);
        let res = t.put(&url).json(&bad).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(pointers(&res), vec!["/0/lock_at", "/1/id"]);
        assert_eq!(
            t.get(&format!("/api/v1/courses/{c}/assignments/{aid}")).send().await.body["due_at"],
            "2030-01-10T00:00:00Z"
        );
        let good = json!([
            {"id": aid, "all_dates": [{"base": true, "due_at": "2030-01-11T00:00:00Z"}, {"id": oid, "due_at": null}]},
            {"id": bid, "all_dates": [{"base": true, "due_at": null, "unlock_at": "2030-01-01T00:00:00Z"}]}
        ]);
        let res = t.put(&url).json(&good).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(
            (res.body["workflow_state"].as_str(), res.body["tag"].as_str()),
            (Some("queued"), Some("assignment_bulk_update"))
        );
        let done = wait_progress(&t, res.body["id"].as_i64().unwrap()).await;
        assert_eq!((done["workflow_state"].as_str(), &done["results"]), (Some("completed"), &json!({"updated": 2})));
        let a = t.get(&format!("/api/v1/courses/{c}/assignments/{aid}?include[]=overrides")).send().await.body;
        assert_eq!(
            (a["due_at"].as_str(), a["lock_at"].as_str()),
            (Some("2030-01-11T00:00:00Z"), Some("2030-01-20T00:00:00Z"))
        );
        assert!(a["overrides"][0]["due_at"].is_null() && a["overrides"][0]["lock_at"] == "2030-01-25T00:00:00Z", "{a}");
        let b = t.get(&format!("/api/v1/courses/{c}/assignments/{bid}")).send().await.body;
        assert!(b["due_at"].is_null() && b["unlock_at"] == "2030-01-01T00:00:00Z");
        // Extensions.
        let ext = format!("/api/v1/courses/{c}/assignments/{aid}/extensions");
        let res =
            t.post(&ext).json(&json!({"assignment_extensions": [{"user_id": sam, "extra_attempts": 2}]})).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(
            res.body,
            json!({"assignment_extensions": [{"assignment_id": aid, "user_id": sam, "extra_attempts": 2}]})
        );
        let res = t
            .post(&ext)
            .form(&[
                ("assignment_extensions[][user_id]", sam.to_string()),
                ("assignment_extensions[][extra_attempts]", "3".into()),
            ])
            .send()
            .await;
        assert_eq!(res.body["assignment_extensions"][0]["extra_attempts"], 3, "{}", res.body);
        let res = t
            .post(&ext)
            .json(&json!({"assignment_extensions": [{"user_id": t.school.admin_id, "extra_attempts": 1}]}))
            .send()
            .await;
        res.assert_error(400, "bad_request");
        let quiz = assignment(&t, c, json!({"name": "Quiz", "submission_types": ["online_quiz"]})).await["id"]
            .as_i64()
            .unwrap();
        let res = t
            .post(&format!("/api/v1/courses/{c}/assignments/{quiz}/extensions"))
            .json(&json!({"assignment_extensions": [{"user_id": sam, "extra_attempts": 1}]}))
            .send()
            .await;
        res.assert_error(400, "bad_request");
        let events = event_types(&t, "assignment_extension").await;
        assert_eq!(events, vec!["assignment_extension.created", "assignment_extension.updated"]);
        // A list longer than a page walks by bookmark.
        for i in 0..105 {
            let res = t
                .post(&format!("/api/v1/courses/{c}/assignments"))
                .form(&[("assignment[name]", format!("Item {i:03}"))])
                .send()
                .await;
            assert_eq!(res.status, StatusCode::CREATED);
        }
        let mut seen = Vec::new();
        let mut next = Some(format!("/api/v1/courses/{c}/assignments?per_page=50&order_by=name"));
        while let Some(path) = next {
            let res = t.get(&path.replace(&t.base, "")).send().await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            seen.extend(res.body.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()));
            next = res.link("next");
        }
        assert_eq!(seen.len(), 108);
        let mut sorted = seen.clone();
        sorted.sort_by_key(|s| s.to_lowercase());
        assert_eq!(seen, sorted);
    }
);

backend_test!(batch_overrides_are_created_listed_and_updated_all_or_nothing, |t| {
    let c = course(&t, "Music").await;
    let s1 = section(&t, c, "Choir").await;
    let s2 = section(&t, c, "Band").await;
    let sam = user(&t, "Sam Student", "sam@school.test").await;
    let pat = user(&t, "Pat Pupil", "pat@school.test").await;
    enroll_student(&t, c, Some(s1), sam).await;
    enroll_student(&t, c, Some(s2), pat).await;
    let a = assignment(
        &t,
        c,
        json!({"name": "Scales", "due_at": "2030-01-10T00:00:00Z", "lock_at": "2030-01-20T00:00:00Z"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = assignment(&t, c, json!({"name": "Recital"})).await["id"].as_i64().unwrap();
    let batch = format!("/api/v1/courses/{c}/assignments/overrides");
    let created_events = || async { event_types(&t, "assignment_override").await };
    // Rails array-of-hash form: a new item starts when a key repeats.
    let res = t
        .post(&batch)
        .form(&[
            ("assignment_overrides[][assignment_id]", a.to_string()),
            ("assignment_overrides[][student_ids][]", sam.to_string()),
            ("assignment_overrides[][title]", "Sam".into()),
            ("assignment_overrides[][due_at]", "2030-01-12T00:00:00Z".into()),
            ("assignment_overrides[][assignment_id]", b.to_string()),
            ("assignment_overrides[][course_section_id]", s2.to_string()),
            ("assignment_overrides[][due_at]", "2030-02-01T00:00:00Z".into()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let list = res.body.as_array().unwrap();
    assert_eq!(list.len(), 2, "{}", res.body);
    assert_eq!((list[0]["assignment_id"].as_i64(), &list[0]["student_ids"]), (Some(a), &json!([sam])));
    assert_eq!((list[0]["title"].as_str(), list[0]["due_at"].as_str()), (Some("Sam"), Some("2030-01-12T00:00:00Z")));
    assert_eq!((list[1]["assignment_id"].as_i64(), list[1]["course_section_id"].as_i64()), (Some(b), Some(s2)));
    assert_eq!(list[1]["title"], "Band");
    let (o1, o2) = (list[0]["id"].as_i64().unwrap(), list[1]["id"].as_i64().unwrap());
    assert_eq!(created_events().await, vec!["assignment_override.created", "assignment_override.created"]);

    // One bad item refuses the whole batch, pointing at the item; nothing is written.
    let events_before = t.event_count().await;
    for (items, pointer) in [
        // The third item's students need a title (found while writing: the first two are rolled back).
        (
            json!([{"assignment_id": a, "course_section_id": s1}, {"assignment_id": b, "course_section_id": s1},
                   {"assignment_id": a, "student_ids": [pat]}]),
            "/assignment_overrides/2/title",
        ),
        // Two items for the same section of one assignment.
        (
            json!([{"assignment_id": b, "course_section_id": s1}, {"assignment_id": b, "course_section_id": s1}]),
            "/assignment_overrides/1/course_section_id",
        ),
        // Sam already has an override of `a`.
        (json!([{"assignment_id": a, "student_ids": [sam], "title": "Again"}]), "/assignment_overrides/0/student_ids"),
        (
            json!([{"assignment_id": a, "course_section_id": s1, "due_at": "2030-01-25T00:00:00Z"}]),
            "/assignment_overrides/0/lock_at",
        ),
        (json!([{"assignment_id": 999999, "course_section_id": s1}]), "/assignment_overrides/0/assignment_id"),
        (json!([{"course_section_id": s1}]), "/assignment_overrides/0/assignment_id"),
        (
            json!([{"assignment_id": a, "course_section_id": s1}, {"assignment_id": b, "course_section_id": s1, "due_at": "soon"}]),
            "/assignment_overrides/1/due_at",
        ),
        (json!([{"assignment_id": a}]), "/assignment_overrides/0"),
        (json!([]), "/assignment_overrides"),
    ] {
        let res = t.post(&batch).json(&json!({ "assignment_overrides": items })).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(pointers(&res), vec![pointer], "{items}: {}", res.body);
    }
    assert_eq!(t.event_count().await, events_before, "a refused batch recorded events");
    let of_a = t.get(&format!("/api/v1/courses/{c}/assignments/{a}/overrides")).send().await;
    assert_eq!(ids(&of_a), vec![o1]);
    let of_b = t.get(&format!("/api/v1/courses/{c}/assignments/{b}/overrides")).send().await;
    assert_eq!(ids(&of_b), vec![o2]);

    // Batch retrieve: in the order asked, null for what is not there.
    let res = t
        .get(&format!(
            "{batch}?assignment_overrides[][id]={o2}&assignment_overrides[][assignment_id]={b}\
             &assignment_overrides[][id]={o1}&assignment_overrides[][assignment_id]={a}\
             &assignment_overrides[][id]={o2}&assignment_overrides[][assignment_id]={a}"
        ))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body[0]["id"].as_i64(), res.body[1]["id"].as_i64()), (Some(o2), Some(o1)), "{}", res.body);
    assert!(res.body[2].is_null() && res.body.as_array().unwrap().len() == 3, "{}", res.body);
    let res = t.get(&format!("{batch}?assignment_overrides[][id]={o1}")).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(pointers(&res), vec!["/assignment_overrides/0/assignment_id"]);

    // Batch update: each item replaces its override's dates; one bad item changes nothing.
    let res = t
        .put(&batch)
        .json(&json!({"assignment_overrides": [
            {"id": o1, "assignment_id": a, "due_at": "2030-01-14T00:00:00Z"},
            {"id": o2, "assignment_id": b, "due_at": "2030-03-01T00:00:00Z"},
            {"id": 999999, "assignment_id": b, "due_at": null}]}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(pointers(&res), vec!["/assignment_overrides/2/id"]);
    let res = t.put(&batch).json(&json!({"assignment_overrides": [{"assignment_id": a, "due_at": null}]})).send().await;
    assert_eq!(pointers(&res), vec!["/assignment_overrides/0/id"]);
    let one = t.get(&format!("/api/v1/courses/{c}/assignments/{a}/overrides/{o1}")).send().await;
    assert_eq!(one.body["due_at"], "2030-01-12T00:00:00Z");
    let res = t
        .put(&batch)
        .json(&json!({"assignment_overrides": [
            {"id": o1, "assignment_id": a, "due_at": "2030-01-14T00:00:00Z", "title": "Sam S."},
            {"id": o2, "assignment_id": b, "due_at": null, "unlock_at": "2030-01-01T00:00:00Z"}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body[0]["title"].as_str(), res.body[0]["due_at"].as_str()),
        (Some("Sam S."), Some("2030-01-14T00:00:00Z"))
    );
    assert_eq!(res.body[0]["student_ids"], json!([sam]), "an ad-hoc override keeps its students: {}", res.body);
    assert!(res.body[1]["due_at"].is_null() && res.body[1]["unlock_at"] == "2030-01-01T00:00:00Z", "{}", res.body);
    let effective = t.get(&format!("/api/v1/courses/{c}/effective_due_dates")).send().await.body;
    assert_eq!(effective[a.to_string()][sam.to_string()]["due_at"], "2030-01-14T00:00:00Z");
    assert!(effective[b.to_string()][pat.to_string()]["due_at"].is_null(), "{effective}");
    let updates = created_events().await.into_iter().filter(|e| e == "assignment_override.updated").count();
    assert_eq!(updates, 2);

    // Students do not use the batch endpoints.
    let student_token = t.token_for(sam).await;
    t.get(&format!("{batch}?assignment_overrides[][id]={o1}&assignment_overrides[][assignment_id]={a}"))
        .token(&student_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.post(&batch)
        .token(&student_token)
        .json(&json!({"assignment_overrides": [{"assignment_id": b, "course_section_id": s1}]}))
        .send()
        .await
        .assert_error(401, "unauthorized");
});

backend_test!(bulk_update_is_a_background_job_all_or_nothing_and_safe_to_rerun, |t| {
    let c = course(&t, "Drama").await;
    let s1 = section(&t, c, "Stage").await;
    let a = assignment(
        &t,
        c,
        json!({"name": "Monologue", "due_at": "2030-01-10T00:00:00Z", "lock_at": "2030-01-20T00:00:00Z",
        "assignment_overrides": [{"course_section_id": s1, "due_at": "2030-01-12T00:00:00Z"}]}),
    )
    .await;
    let b = assignment(&t, c, json!({"name": "Dialogue", "due_at": "2030-02-10T00:00:00Z"})).await;
    let (aid, bid, oid) =
        (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap(), a["overrides"][0]["id"].as_i64().unwrap());
    let url = format!("/api/v1/courses/{c}/assignments/bulk_update");
    // Bad requests are refused whole, before anything is queued.
    for (body, pointers_wanted) in [
        (json!([{"id": aid, "all_dates": [{"base": true, "due_at": "2030-01-30T00:00:00Z"}]}]), vec!["/0/lock_at"]),
        (json!([{"id": bid, "all_dates": [{"base": true, "due_at": "tomorrow"}]}]), vec!["/0/all_dates/0/due_at"]),
        (json!([{"id": aid, "all_dates": [{"id": 999999, "due_at": null}]}]), vec!["/0/all_dates"]),
        (json!([{"all_dates": []}, {"id": bid}]), vec!["/0/id", "/1/all_dates"]),
    ] {
        let res = t.put(&url).json(&body).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(pointers(&res), pointers_wanted, "{body}");
    }
    t.put(&url).body("application/json", "[{").send().await.assert_error(400, "malformed_json");
    assert_eq!(job_count(&t).await, 0, "a refused bulk update was queued");

    // A good one is queued, then run by the worker: queued → completed, every date applied.
    let good = json!([
        {"id": aid, "all_dates": [{"base": true, "due_at": "2030-01-11T00:00:00Z"}, {"id": oid, "due_at": "2030-01-13T00:00:00Z"}]},
        {"id": bid, "all_dates": [{"base": true, "due_at": null}]}
    ]);
    let res = t.put(&url).json(&good).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body["workflow_state"].as_str(), res.body["completion"].as_f64()), (Some("queued"), Some(0.0)));
    assert_eq!((res.body["context_type"].as_str(), res.body["context_id"].as_i64()), (Some("Course"), Some(c)));
    let progress = res.body["id"].as_i64().unwrap();
    assert!(res.body["url"].as_str().unwrap().ends_with(&format!("/api/v1/progress/{progress}")));
    let done = wait_progress(&t, progress).await;
    assert_eq!((done["workflow_state"].as_str(), done["completion"].as_f64()), (Some("completed"), Some(100.0)));
    assert_eq!(done["results"], json!({"updated": 2}));
    // `a`'s due date, its override's, `b`'s.
    let dates = |t: &TestApp| {
        let (a_url, b_url) = (
            t.get(&format!("/api/v1/courses/{c}/assignments/{aid}?include[]=overrides")),
            t.get(&format!("/api/v1/courses/{c}/assignments/{bid}")),
        );
        async move {
            let (a, b) = (a_url.send().await.body, b_url.send().await.body);
            (a["due_at"].clone(), a["overrides"][0]["due_at"].clone(), b["due_at"].clone())
        }
    };
    let applied = (json!("2030-01-11T00:00:00Z"), json!("2030-01-13T00:00:00Z"), Value::Null);
    assert_eq!(dates(&t).await, applied);
    let state = sql(&t, "SELECT workflow_state, ended_at FROM jobs").await;
    assert_eq!(state[0].try_get::<String>("", "workflow_state").unwrap(), "completed");
    let updates = event_types(&t, "assignment").await;
    assert_eq!(updates.iter().filter(|e| *e == "assignment.updated").count(), 2, "{updates:?}");
    assert_eq!(updates.iter().filter(|e| *e == "assignment_override.updated").count(), 1, "{updates:?}");

    // A worker that died mid-run leaves the job to run again: running it again changes nothing more.
    // (The Progress first: the worker may take the job the moment it is queued.)
    sql(&t, "UPDATE progress SET workflow_state = 'running' WHERE tag = 'assignment_bulk_update'").await;
    sql(&t, "UPDATE jobs SET workflow_state = 'queued', ended_at = NULL").await;
    let done = wait_progress(&t, progress).await;
    assert_eq!(done["workflow_state"], "completed");
    assert_eq!(dates(&t).await, applied);

    // When the course changed before the job ran so that a date no longer fits, the job fails and changes nothing.
    let res = t
        .put(&format!("/api/v1/courses/{c}/assignments/{bid}"))
        .json(&json!({"assignment": {"due_at": "2030-02-10T00:00:00Z"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = t
        .put(&url)
        .json(&json!([
            {"id": bid, "all_dates": [{"base": true, "due_at": "2030-03-01T00:00:00Z"}]},
            {"id": aid, "all_dates": [{"base": true, "due_at": "2030-01-15T00:00:00Z"}]}
        ]))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let second = res.body["id"].as_i64().unwrap();
    let done = wait_progress(&t, second).await;
    assert_eq!(done["workflow_state"], "completed");
    // Replay the second job after `a` gained a lock date before the dates it sets.
    let res = t
        .put(&format!("/api/v1/courses/{c}/assignments/{aid}"))
        .json(&json!({"assignment": {"due_at": "2030-01-11T00:00:00Z", "lock_at": "2030-01-12T00:00:00Z"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let before = dates(&t).await;
    let events_before = t.event_count().await;
    sql(&t, &format!("UPDATE progress SET workflow_state = 'queued' WHERE id = {second}")).await;
    sql(&t, &format!("UPDATE jobs SET workflow_state = 'queued', ended_at = NULL WHERE progress_id = {second}")).await;
    let failed = wait_progress(&t, second).await;
    assert_eq!(failed["workflow_state"], "failed", "{failed}");
    assert_eq!(failed["results"]["errors"][0]["pointer"], "/1/lock_at", "{failed}");
    assert_eq!(dates(&t).await, before, "a failed job changed dates");
    assert_eq!(t.event_count().await, events_before, "a failed job recorded events");
    // Students may not start one.
    let sam = user(&t, "Sam Student", "sam@school.test").await;
    enroll_student(&t, c, None, sam).await;
    let token = t.token_for(sam).await;
    t.put(&url).token(&token).json(&good).send().await.assert_error(401, "unauthorized");
    assert_eq!(job_count(&t).await, 2);
});
