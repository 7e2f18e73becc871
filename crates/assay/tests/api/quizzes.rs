//! Tests (Canvas classic quizzes): settings, composition (fixed questions, pool groups, bank groups) and the
//! points and question count derived from it, reorder, search, what students may see, extensions,
//! contributors, bad input and events.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn enroll(t: &TestApp, course: i64, user: i64, kind: &str) {
    let res = t
        .post(&format!("/api/v1/courses/{course}/enrollments"))
        .form(&[
            ("enrollment[user_id]", user.to_string()),
            ("enrollment[type]", kind.to_owned()),
            ("enrollment[enrollment_state]", "active".to_owned()),
        ])
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
}

async fn person(t: &TestApp, name: &str, login: &str) -> (i64, String) {
    let id = t.create_user(name, login, None).await["id"].as_i64().unwrap();
    (id, t.token_for(id).await)
}

async fn quiz(t: &TestApp, course: i64, body: Value) -> Value {
    let res = t.post(&format!("/api/v1/courses/{course}/quizzes")).json(&json!({ "quiz": body })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

async fn question(t: &TestApp, course: i64, quiz: i64, body: Value) -> Value {
    let res = t
        .post(&format!("/api/v1/courses/{course}/quizzes/{quiz}/questions"))
        .json(&json!({ "question": body }))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

fn mc(name: &str, points: f64) -> Value {
    json!({"question_name": name, "question_type": "multiple_choice_question", "question_text": "<p>Pick</p>",
        "points_possible": points,
        "answers": [{"answer_text": "Right", "answer_weight": 100}, {"answer_text": "Wrong", "answer_weight": 0}]})
}

backend_test!(quizzes_are_composed_of_fixed_questions_and_groups_with_derived_points, |t| {
    let c = course(&t, "Chemistry").await;
    let q = quiz(
        &t,
        c,
        json!({"title": "Midterm", "description": "<p>Good luck</p>", "quiz_type": "assignment", "time_limit": 60,
            "allowed_attempts": 2, "scoring_policy": "keep_latest", "shuffle_answers": true, "one_question_at_a_time": true,
            "cant_go_back": true, "hide_results": "until_after_last_attempt", "access_code": "sesame",
            "ip_filter": "10.0.0.0/8", "due_at": "2030-01-10T12:00:00Z", "unlock_at": "2030-01-01T00:00:00Z"}),
    )
    .await;
    let id = q["id"].as_i64().unwrap();
    assert_eq!(q["title"], "Midterm");
    assert_eq!(q["time_limit"], 60);
    assert_eq!(q["allowed_attempts"], 2);
    assert_eq!(q["scoring_policy"], "keep_latest");
    assert_eq!(q["access_code"], "sesame");
    assert_eq!(q["published"], false);
    assert_eq!((q["points_possible"].as_f64(), q["question_count"].as_i64()), (Some(0.0), Some(0)));
    assert!(q["html_url"].as_str().unwrap().ends_with(&format!("/courses/{c}/quizzes/{id}")));

    let fixed = question(&t, c, id, mc("Q1", 2.0)).await;
    assert_eq!(fixed["question_type"], "multiple_choice_question");
    assert_eq!(fixed["answers"][0]["answer_weight"], 100.0);
    question(&t, c, id, json!({"question_name": "Essay", "question_type": "essay_question", "question_text": "Discuss.", "points_possible": 5}))
        .await;
    // A pool group: its questions come with question[quiz_group_id].
    let res = t
        .post(&format!("/api/v1/courses/{c}/quizzes/{id}/groups"))
        .form(&[
            ("quiz_groups[][name]", "Pool"),
            ("quiz_groups[][pick_count]", "1"),
            ("quiz_groups[][question_points]", "3"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let pool = res.body["quiz_groups"][0]["id"].as_i64().unwrap();
    for n in ["P1", "P2"] {
        let mut body = mc(n, 1.0);
        body["quiz_group_id"] = json!(pool);
        assert_eq!(question(&t, c, id, body).await["quiz_group_id"], pool);
    }
    // A bank group draws from a bank.
    let bank =
        t.post(&format!("/api/v1/courses/{c}/question_banks")).form(&[("question_bank[title]", "Bank")]).send().await;
    let bank = bank.body["id"].as_i64().unwrap();
    for n in ["B1", "B2", "B3"] {
        let res = t
            .post(&format!("/api/v1/question_banks/{bank}/questions"))
            .json(&json!({"question": mc(n, 1.0)}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    let res = t
        .post(&format!("/api/v1/courses/{c}/quizzes/{id}/groups"))
        .json(&json!({"quiz_groups": [{"name": "From bank", "pick_count": 2, "question_points": 1.5, "assessment_question_bank_id": bank}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let bank_group = res.body["quiz_groups"][0]["id"].as_i64().unwrap();
    assert_eq!(res.body["quiz_groups"][0]["assessment_question_bank_id"], bank);

    let shown = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await;
    // 2 + 5 fixed, 1 × 3 from the pool, 2 × 1.5 from the bank.
    assert_eq!(shown.body["points_possible"], 13.0, "{}", shown.body);
    assert_eq!(shown.body["question_count"], 5);
    let types = shown.body["question_types"].as_array().unwrap();
    assert!(types.contains(&json!("essay_question")) && types.contains(&json!("multiple_choice_question")));

    // The questions list: fixed and pooled, in quiz order.
    let list = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}/questions")).send().await;
    let names: Vec<&str> = list.body.as_array().unwrap().iter().map(|q| q["question_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Q1", "Essay", "P1", "P2"]);

    // Reorder: the bank group first, then the essay, the rest after in their order.
    let essay = list.body[1]["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{c}/quizzes/{id}/reorder"))
        .form(&[
            ("order[][id]", bank_group.to_string()),
            ("order[][type]", "group".to_owned()),
            ("order[][id]", essay.to_string()),
            ("order[][type]", "question".to_owned()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.body);
    let list = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}/questions")).send().await;
    let names: Vec<&str> = list.body.as_array().unwrap().iter().map(|q| q["question_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Essay", "Q1", "P1", "P2"]);
    let g = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}/groups/{bank_group}")).send().await;
    assert_eq!(g.body["position"], 1);

    // Group reorder and update; a pool question edited in place.
    let p2 = list.body[3]["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{c}/quizzes/{id}/groups/{pool}/reorder"))
        .form(&[("order[][id]", p2.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.body);
    let list = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}/questions")).send().await;
    assert_eq!(list.body[2]["question_name"], "P2");
    let res = t
        .put(&format!("/api/v1/courses/{c}/quizzes/{id}/groups/{pool}"))
        .form(&[("quiz_groups[][question_points]", "4"), ("quiz_groups[][name]", "Pool A")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["quiz_groups"][0]["name"], "Pool A");
    let res = t
        .put(&format!("/api/v1/courses/{c}/quizzes/{id}/questions/{p2}"))
        .form(&[("question[question_name]", "P2 renamed"), ("question[points_possible]", "9")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["question_name"].as_str(), res.body["points_possible"].as_f64()),
        (Some("P2 renamed"), Some(9.0))
    );
    assert_eq!(res.body["answers"].as_array().unwrap().len(), 2, "answers are kept when not sent");
    assert_eq!(res.body["version"], 1);
    let shown = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await;
    assert_eq!(shown.body["points_possible"], 14.0, "pooled questions count through their group");

    // Deleting the pool group deletes its questions; deleting a fixed question drops its points.
    let res = t.delete(&format!("/api/v1/courses/{c}/quizzes/{id}/groups/{pool}")).send().await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = t.delete(&format!("/api/v1/courses/{c}/quizzes/{id}/questions/{essay}")).send().await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}/questions/{essay}")).send().await;
    res.assert_error(404, "question_not_found");
    let shown = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await;
    assert_eq!((shown.body["points_possible"].as_f64(), shown.body["question_count"].as_i64()), (Some(5.0), Some(3)));

    // Publish, edit, delete.
    let res = t
        .put(&format!("/api/v1/courses/{c}/quizzes/{id}"))
        .form(&[("quiz[published]", "true"), ("quiz[title]", "Final")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body["published"].as_bool(), res.body["title"].as_str()), (Some(true), Some("Final")));
    let res = t.delete(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["title"], "Final");
    t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await.assert_error(404, "quiz_not_found");
});

backend_test!(quiz_search_by_title_state_and_due_dates, |t| {
    let c = course(&t, "History").await;
    let a = quiz(&t, c, json!({"title": "Rome quiz", "due_at": "2030-03-01T00:00:00Z", "published": true})).await["id"]
        .as_i64()
        .unwrap();
    let b =
        quiz(&t, c, json!({"title": "Greece quiz", "due_at": "2030-05-01T00:00:00Z"})).await["id"].as_i64().unwrap();
    let ids = |res: &crate::harness::Res| -> Vec<i64> {
        res.body
            .as_array()
            .unwrap_or_else(|| panic!("{}", res.body))
            .iter()
            .map(|q| q["id"].as_i64().unwrap())
            .collect()
    };
    let base = format!("/api/v1/courses/{c}/quizzes");
    assert_eq!(ids(&t.get(&base).send().await), [a, b]);
    assert_eq!(ids(&t.get(&format!("{base}?search_term=GREECE")).send().await), [b]);
    assert_eq!(ids(&t.get(&format!("{base}?state[]=published")).send().await), [a]);
    assert_eq!(ids(&t.get(&format!("{base}?state[]=unpublished")).send().await), [b]);
    assert_eq!(ids(&t.get(&format!("{base}?due_after=2030-04-01T00:00:00Z")).send().await), [b]);
    assert_eq!(ids(&t.get(&format!("{base}?due_before=2030-04-01T00:00:00Z")).send().await), [a]);
    t.get(&format!("{base}?state[]=maybe")).send().await.assert_error(422, "validation_failed");
});

backend_test!(students_see_published_quizzes_only_and_never_questions_or_access_codes, |t| {
    let c = course(&t, "Physics").await;
    let (student, student_token) = person(&t, "Stu Dent", "stu@school.test").await;
    enroll(&t, c, student, "StudentEnrollment").await;
    let (teacher, teacher_token) = person(&t, "Tea Cher", "tea@school.test").await;
    enroll(&t, c, teacher, "TeacherEnrollment").await;
    let open = quiz(&t, c, json!({"title": "Open", "access_code": "sesame"})).await["id"].as_i64().unwrap();
    question(&t, c, open, mc("Q", 1.0)).await;
    let hidden = quiz(&t, c, json!({"title": "Hidden"})).await["id"].as_i64().unwrap();
    let res = t.put(&format!("/api/v1/courses/{c}/quizzes/{open}")).form(&[("quiz[published]", "true")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    let list = t.get(&format!("/api/v1/courses/{c}/quizzes")).token(&student_token).send().await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let seen: Vec<i64> = list.body.as_array().unwrap().iter().map(|q| q["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, [open]);
    assert!(list.body[0].get("access_code").is_none(), "{}", list.body);
    assert_eq!(list.body[0]["has_access_code"], true);
    assert_eq!(list.body[0]["permissions"]["manage"], false);
    assert_eq!(list.body[0]["points_possible"], 1.0);
    let none = t.get(&format!("/api/v1/courses/{c}/quizzes?state[]=unpublished")).token(&student_token).send().await;
    assert_eq!(none.body, json!([]));
    t.get(&format!("/api/v1/courses/{c}/quizzes/{hidden}"))
        .token(&student_token)
        .send()
        .await
        .assert_error(404, "quiz_not_found");
    let one = t.get(&format!("/api/v1/courses/{c}/quizzes/{open}")).token(&student_token).send().await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(!one.body.to_string().contains("sesame"));
    for path in [
        format!("/api/v1/courses/{c}/quizzes/{open}/questions"),
        format!("/api/v1/courses/{c}/quizzes/{open}/contributors"),
    ] {
        t.get(&path).token(&student_token).send().await.assert_error(401, "unauthorized");
    }
    let qid =
        t.get(&format!("/api/v1/courses/{c}/quizzes/{open}/questions")).send().await.body[0]["id"].as_i64().unwrap();
    t.get(&format!("/api/v1/courses/{c}/quizzes/{open}/questions/{qid}"))
        .token(&student_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.put(&format!("/api/v1/courses/{c}/quizzes/{open}"))
        .token(&student_token)
        .form(&[("quiz[title]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.post(&format!("/api/v1/courses/{c}/quizzes"))
        .token(&student_token)
        .form(&[("quiz[title]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.get(&format!("/api/v1/courses/{c}/question_banks"))
        .token(&student_token)
        .send()
        .await
        .assert_error(401, "unauthorized");

    // Teachers see everything, including the access code and unpublished quizzes.
    let list = t.get(&format!("/api/v1/courses/{c}/quizzes")).token(&teacher_token).send().await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    assert_eq!(list.body[0]["access_code"], "sesame");
    let res = t.get(&format!("/api/v1/courses/{c}/quizzes/{open}/questions")).token(&teacher_token).send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body[0]["answers"][0]["answer_weight"], 100.0);
});

backend_test!(contributors_edit_or_grade_one_quiz, |t| {
    let c = course(&t, "Biology").await;
    let q = quiz(&t, c, json!({"title": "Cells"})).await["id"].as_i64().unwrap();
    let other = quiz(&t, c, json!({"title": "Plants"})).await["id"].as_i64().unwrap();
    let (editor, editor_token) = person(&t, "Ed Itor", "ed@school.test").await;
    let (grader, grader_token) = person(&t, "Gra Der", "gra@school.test").await;
    let base = format!("/api/v1/courses/{c}/quizzes/{q}/contributors");
    for (user, role) in [(editor, "edit"), (grader, "grade")] {
        let res = t.post(&base).form(&[("user_id", user.to_string()), ("role", role.to_owned())]).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.body["role"], role);
    }
    let list = t.get(&base).send().await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);

    // The editor changes this quiz and its questions, not the other one, and cannot add contributors.
    let res = t
        .put(&format!("/api/v1/courses/{c}/quizzes/{q}"))
        .token(&editor_token)
        .form(&[("quiz[title]", "Cells 2")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = t
        .post(&format!("/api/v1/courses/{c}/quizzes/{q}/questions"))
        .token(&editor_token)
        .json(&json!({"question": mc("Mitosis", 1.0)}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    t.put(&format!("/api/v1/courses/{c}/quizzes/{other}"))
        .token(&editor_token)
        .form(&[("quiz[title]", "x")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.post(&base)
        .token(&editor_token)
        .form(&[("user_id", grader.to_string())])
        .send()
        .await
        .assert_error(401, "unauthorized");
    // The grader reads the questions (to grade) but changes nothing.
    let res = t.get(&format!("/api/v1/courses/{c}/quizzes/{q}/questions")).token(&grader_token).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    t.put(&format!("/api/v1/courses/{c}/quizzes/{q}"))
        .token(&grader_token)
        .form(&[("quiz[title]", "x")])
        .send()
        .await
        .assert_error(401, "unauthorized");

    // Removing the editor takes the right away.
    let res = t.delete(&format!("{base}?user_id={editor}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    t.put(&format!("/api/v1/courses/{c}/quizzes/{q}"))
        .token(&editor_token)
        .form(&[("quiz[title]", "x")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.delete(&format!("{base}?user_id={editor}")).send().await.assert_error(404, "not_found");
    t.post(&base)
        .form(&[("user_id", grader.to_string()), ("role", "own".to_owned())])
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(quiz_extensions_per_student, |t| {
    let c = course(&t, "Maths").await;
    let q = quiz(&t, c, json!({"title": "Algebra", "time_limit": 30})).await["id"].as_i64().unwrap();
    let (student, _) = person(&t, "Stu", "stu@school.test").await;
    enroll(&t, c, student, "StudentEnrollment").await;
    let (outsider, _) = person(&t, "Out", "out@school.test").await;
    let url = format!("/api/v1/courses/{c}/quizzes/{q}/extensions");
    let res = t
        .post(&url)
        .json(&json!({"quiz_extensions": [{"user_id": student, "extra_attempts": 2, "extra_time": 20, "manually_unlocked": true}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let e = &res.body["quiz_extensions"][0];
    assert_eq!(
        (e["user_id"].as_i64(), e["extra_attempts"].as_i64(), e["extra_time"].as_i64()),
        (Some(student), Some(2), Some(20))
    );
    assert_eq!(e["manually_unlocked"], true);
    assert!(e["end_at"].is_null());
    // Again: the same row changes; extend_from_now sets an end.
    let res = t
        .post(&url)
        .form(&[
            ("quiz_extensions[][user_id]", student.to_string()),
            ("quiz_extensions[][extend_from_now]", "20".to_owned()),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let e = &res.body["quiz_extensions"][0];
    assert_eq!(e["extra_attempts"], 2);
    let end = chrono::DateTime::parse_from_rfc3339(e["end_at"].as_str().unwrap()).unwrap();
    assert!((end.timestamp() - chrono::Utc::now().timestamp() - 1200).abs() < 60);
    let res = t
        .post(&url)
        .form(&[
            ("quiz_extensions[][user_id]", student.to_string()),
            ("quiz_extensions[][extend_from_end_at]", "10".to_owned()),
        ])
        .send()
        .await;
    let later =
        chrono::DateTime::parse_from_rfc3339(res.body["quiz_extensions"][0]["end_at"].as_str().unwrap()).unwrap();
    assert_eq!(later - end, chrono::TimeDelta::minutes(10));

    for (body, pointer) in [
        (json!({"quiz_extensions": [{"user_id": outsider}]}), "/quiz_extensions/0/user_id"),
        (json!({"quiz_extensions": [{"extra_time": 5}]}), "/quiz_extensions/0/user_id"),
        (
            json!({"quiz_extensions": [{"user_id": student, "extra_attempts": 5000}]}),
            "/quiz_extensions/0/extra_attempts",
        ),
        (
            json!({"quiz_extensions": [{"user_id": student, "extend_from_now": 5, "extend_from_end_at": 5}]}),
            "/quiz_extensions/0/extend_from_end_at",
        ),
        (json!({}), "/quiz_extensions"),
    ] {
        let res = t.post(&url).json(&body).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], pointer, "{}", res.body);
    }
});

backend_test!(bad_quiz_input_is_refused_with_pointers, |t| {
    let c = course(&t, "Art").await;
    for (body, pointer) in [
        (json!({"title": "x", "time_limit": 0}), "/quiz/time_limit"),
        (json!({"title": "x", "time_limit": -5}), "/quiz/time_limit"),
        (json!({"title": "x", "scoring_policy": "keep_best"}), "/quiz/scoring_policy"),
        (json!({"title": "x", "quiz_type": "exam"}), "/quiz/quiz_type"),
        (json!({"title": "x", "allowed_attempts": 0}), "/quiz/allowed_attempts"),
        (json!({"title": "x", "hide_results": "sometimes"}), "/quiz/hide_results"),
        (json!({"title": "x", "ip_filter": "not-an-ip"}), "/quiz/ip_filter"),
        (json!({"title": "x", "due_at": "2030-01-01T00:00:00Z", "lock_at": "2029-01-01T00:00:00Z"}), "/quiz/lock_at"),
    ] {
        let res = t.post(&format!("/api/v1/courses/{c}/quizzes")).json(&json!({ "quiz": body })).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], pointer, "{}", res.body);
    }
    let q = quiz(&t, c, json!({"title": "Ok", "description": "<p>Hi</p><script>alert(1)</script>"})).await;
    assert!(!q["description"].as_str().unwrap().contains("script"), "{}", q["description"]);
    let q = q["id"].as_i64().unwrap();
    let questions = format!("/api/v1/courses/{c}/quizzes/{q}/questions");
    for (body, pointer) in [
        (json!({"question_type": "riddle_question"}), "/question/question_type"),
        (json!({"question_name": "no type"}), "/question/question_type"),
        (
            json!({"question_type": "numerical_question", "answers": [{"numerical_answer_type": "range_answer", "start": 1}]}),
            "/question/answers/0/start",
        ),
        (
            json!({"question_type": "matching_question", "answers": [{"answer_match_left": "a"}]}),
            "/question/answers/0/answer_match_right",
        ),
        (
            json!({"question_type": "essay_question", "question_text": "Discuss.", "quiz_group_id": 999999}),
            "/question/quiz_group_id",
        ),
        (
            json!({"question_type": "multiple_choice_question", "question_text": "Pick", "answers": [{"answer_text": "a", "answer_weight": 0}, {"answer_text": "b", "answer_weight": 0}]}),
            "/question/answer/choices",
        ),
        (
            json!({"question_type": "essay_question", "question_text": "Discuss.", "points_possible": -1}),
            "/question/points_possible",
        ),
    ] {
        let res = t.post(&questions).json(&json!({ "question": body })).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], pointer, "{}", res.body);
    }
    // A group may not draw more than its bank holds; publishing checks pools.
    let bank =
        t.post(&format!("/api/v1/courses/{c}/question_banks")).form(&[("question_bank[title]", "Small")]).send().await;
    let bank = bank.body["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/question_banks/{bank}/questions"))
        .json(&json!({"question": mc("only", 1.0)}))
        .send()
        .await;
    let groups = format!("/api/v1/courses/{c}/quizzes/{q}/groups");
    let res = t
        .post(&groups)
        .json(&json!({"quiz_groups": [{"name": "g", "pick_count": 2, "assessment_question_bank_id": bank}]}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/quiz_groups/0/pick_count");
    let res = t.post(&groups).json(&json!({"quiz_groups": [{"name": "g", "question_points": -1}]})).send().await;
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/quiz_groups/0/question_points", "{}", res.body);
    let res = t.post(&groups).json(&json!({"quiz_groups": [{"name": "pool", "pick_count": 3}]})).send().await;
    assert_eq!(res.status, StatusCode::CREATED);
    let res = t.put(&format!("/api/v1/courses/{c}/quizzes/{q}")).form(&[("quiz[published]", "true")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/quiz/published");
    // Deleting a bank a group draws from is refused.
    let res = t
        .post(&groups)
        .json(&json!({"quiz_groups": [{"name": "g", "pick_count": 1, "assessment_question_bank_id": bank}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    t.delete(&format!("/api/v1/question_banks/{bank}")).send().await.assert_error(409, "conflict");
});

backend_test!(quiz_changes_are_events, |t| {
    let c = course(&t, "Events").await;
    let q = quiz(&t, c, json!({"title": "E"})).await["id"].as_i64().unwrap();
    let qq = question(&t, c, q, mc("Q", 1.0)).await["id"].as_i64().unwrap();
    let res =
        t.post(&format!("/api/v1/courses/{c}/quizzes/{q}/groups")).form(&[("quiz_groups[][name]", "G")]).send().await;
    let g = res.body["quiz_groups"][0]["id"].as_i64().unwrap();
    t.put(&format!("/api/v1/courses/{c}/quizzes/{q}")).form(&[("quiz[title]", "E2")]).send().await;
    t.put(&format!("/api/v1/courses/{c}/quizzes/{q}/questions/{qq}"))
        .form(&[("question[question_name]", "Q2")])
        .send()
        .await;
    t.delete(&format!("/api/v1/courses/{c}/quizzes/{q}/groups/{g}")).send().await;
    t.delete(&format!("/api/v1/courses/{c}/quizzes/{q}")).send().await;
    let res = t.get("/api/v1/events?per_page=100").send().await;
    let kinds: Vec<&str> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .filter(|k| k.starts_with("quiz") || k.starts_with("question"))
        .collect();
    for expected in [
        "quiz.created",
        "question.created",
        "quiz_group.created",
        "quiz.updated",
        "question.updated",
        "quiz_group.deleted",
        "quiz.deleted",
    ] {
        assert!(kinds.contains(&expected), "{expected} missing from {kinds:?}");
    }
});

backend_test!(graded_quizzes_own_an_online_quiz_assignment, |t| {
    let c = course(&t, "Graded").await;
    let q = quiz(&t, c, json!({"title": "Test 1", "due_at": "2030-02-01T10:00:00Z", "allowed_attempts": 3})).await;
    let id = q["id"].as_i64().unwrap();
    let assignment = q["assignment_id"].as_i64().expect("a graded quiz has an assignment");
    assert!(q["assignment_group_id"].is_i64(), "{q}");
    question(&t, c, id, mc("Q1", 4.0)).await;
    let a = t.get(&format!("/api/v1/courses/{c}/assignments/{assignment}")).send().await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["submission_types"], json!(["online_quiz"]));
    assert_eq!((a.body["quiz_id"].as_i64(), a.body["points_possible"].as_f64()), (Some(id), Some(4.0)));
    assert_eq!((a.body["name"].as_str(), a.body["allowed_attempts"].as_i64()), (Some("Test 1"), Some(3)));
    assert_eq!(a.body["due_at"], "2030-02-01T10:00:00Z");
    let res = t
        .put(&format!("/api/v1/courses/{c}/quizzes/{id}"))
        .form(&[("quiz[title]", "Test one"), ("quiz[published]", "true")])
        .send()
        .await;
    assert_eq!(res.body["assignment_id"], assignment);
    let a = t.get(&format!("/api/v1/courses/{c}/assignments/{assignment}")).send().await;
    assert_eq!((a.body["name"].as_str(), a.body["published"].as_bool()), (Some("Test one"), Some(true)));
    // A practice quiz has no assignment; turning a graded quiz into one deletes it.
    let practice = quiz(&t, c, json!({"title": "Practice", "quiz_type": "practice_quiz"})).await;
    assert!(practice["assignment_id"].is_null());
    let res =
        t.put(&format!("/api/v1/courses/{c}/quizzes/{id}")).form(&[("quiz[quiz_type]", "practice_quiz")]).send().await;
    assert!(res.body["assignment_id"].is_null(), "{}", res.body);
    t.get(&format!("/api/v1/courses/{c}/assignments/{assignment}"))
        .send()
        .await
        .assert_error(404, "assignment_not_found");
});

backend_test!(tests_are_quizzes_in_assays_own_vocabulary, |t| {
    let c = course(&t, "Geography").await;
    let tests = format!("/api/v1/courses/{c}/tests");
    // `test[...]` is read wherever `quiz[...]` is, in forms and in JSON.
    let created = t.post(&tests).form(&[("test[title]", "Capitals"), ("test[time_limit]", "30")]).send().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!((created.body["title"].as_str(), created.body["time_limit"].as_i64()), (Some("Capitals"), Some(30)));
    let id = created.body["id"].as_i64().unwrap();
    let res = t.put(&format!("{tests}/{id}")).json(&json!({"test": {"title": "World capitals"}})).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["title"], "World capitals");
    // The same object through either path, and the Canvas path sees what the native one changed.
    let native = t.get(&format!("{tests}/{id}")).send().await;
    let canvas = t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await;
    assert_eq!(native.status, StatusCode::OK, "{}", native.body);
    assert_eq!(native.body, canvas.body);
    // Questions and groups hang off the native path too.
    let res = t.post(&format!("{tests}/{id}/questions")).json(&json!({"question": mc("Paris", 2.0)})).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let question = res.body["id"].as_i64().unwrap();
    assert_eq!(t.get(&format!("{tests}/{id}")).send().await.body["points_possible"], 2.0);
    let res = t.get(&format!("{tests}/{id}/questions/{question}")).send().await;
    assert_eq!((res.status, res.body["question_name"].as_str()), (StatusCode::OK, Some("Paris")), "{}", res.body);
    let res = t
        .post(&format!("{tests}/{id}/groups"))
        .form(&[("test_groups[][name]", "Pool"), ("test_groups[][pick_count]", "1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["quiz_groups"][0]["name"], "Pool");
    // Bad input answers as on the Canvas path.
    let res = t.post(&tests).json(&json!({"test": {"title": "x", "time_limit": 0}})).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/quiz/time_limit");
    // Lists, with `Link`s in the vocabulary the client used.
    for i in 0..2 {
        quiz(&t, c, json!({"title": format!("Extra {i}")})).await;
    }
    let res = t.get(&format!("{tests}?per_page=2")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body.as_array().unwrap().len(), 2);
    let next = res.link("next").unwrap();
    assert!(next.contains(&format!("/api/v1/courses/{c}/tests?")), "{next}");
    let rest = t.get(&next.replace(&t.base, "")).send().await;
    assert_eq!(rest.body.as_array().unwrap().len(), 1, "{}", rest.body);
    // Delete, then both paths agree it is gone; a path that only starts like `tests` is not a test route.
    assert_eq!(t.delete(&format!("{tests}/{id}")).send().await.status, StatusCode::OK);
    t.get(&format!("{tests}/{id}")).send().await.assert_error(404, "quiz_not_found");
    t.get(&format!("/api/v1/courses/{c}/quizzes/{id}")).send().await.assert_error(404, "quiz_not_found");
    t.get(&format!("/api/v1/courses/{c}/testsuite")).send().await.assert_error(404, "route_not_found");
});

backend_test!(account_test_search_spans_sub_accounts_and_filters, |t| {
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Science")]).send().await;
    let sub = sub.body["id"].as_i64().unwrap();
    let res = t.post(&format!("/api/v1/accounts/{sub}/courses")).form(&[("course[name]", "Biology")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let bio = res.body["id"].as_i64().unwrap();
    let art = course(&t, "Art").await;
    let cells = quiz(
        &t,
        bio,
        json!({"title": "Cells", "published": true, "due_at": "2030-03-01T00:00:00Z",
        "unlock_at": "2030-02-01T00:00:00Z", "lock_at": "2030-03-02T00:00:00Z"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let genes =
        quiz(&t, bio, json!({"title": "Genes", "due_at": "2030-06-01T00:00:00Z"})).await["id"].as_i64().unwrap();
    let colour =
        quiz(&t, art, json!({"title": "Colour theory", "published": true, "unlock_at": "2030-05-01T00:00:00Z"})).await
            ["id"]
            .as_i64()
            .unwrap();
    let ids = |res: &crate::harness::Res| -> Vec<i64> {
        res.body
            .as_array()
            .unwrap_or_else(|| panic!("{}", res.body))
            .iter()
            .map(|q| q["id"].as_i64().unwrap())
            .collect()
    };
    let root = "/api/v1/accounts/self/tests";
    let all = t.get(root).send().await;
    assert_eq!(ids(&all), [cells, genes, colour]);
    assert_eq!(all.body[0]["course_id"], bio);
    assert_eq!(all.body[2]["course_id"], art);
    assert_eq!(all.body[0]["title"], "Cells");
    assert_eq!(all.body[0]["published"], true);
    // A sub-account sees its own courses only.
    assert_eq!(ids(&t.get(&format!("/api/v1/accounts/{sub}/tests")).send().await), [cells, genes]);
    for (query, want) in [
        ("search_term=GEN", vec![genes]),
        ("state[]=published", vec![cells, colour]),
        ("state[]=unpublished", vec![genes]),
        (&format!("course_id={art}"), vec![colour]),
        ("due_after=2030-04-01T00:00:00Z", vec![genes]),
        ("due_before=2030-04-01T00:00:00Z", vec![cells]),
        ("unlock_after=2030-04-01T00:00:00Z", vec![colour]),
        ("unlock_before=2030-04-01T00:00:00Z", vec![cells, genes]),
        ("lock_before=2030-04-01T00:00:00Z", vec![cells]),
        ("lock_after=2030-04-01T00:00:00Z", vec![genes, colour]),
        ("search_term=e&state[]=published&due_before=2030-12-31T00:00:00Z", vec![cells]),
    ] {
        assert_eq!(ids(&t.get(&format!("{root}?{query}")).send().await), want, "{query}");
    }
    // Keyset pages.
    let first = t.get(&format!("{root}?per_page=2")).send().await;
    assert_eq!(ids(&first), [cells, genes]);
    let next = first.link("next").unwrap();
    assert_eq!(ids(&t.get(&next.replace(&t.base, "")).send().await), [colour]);
    // Bad filters: 422 naming the parameter.
    for (query, pointer) in [
        ("due_after=soon", "/due_after"),
        ("lock_before=2030-13-01", "/lock_before"),
        ("due_after=2030-05-01T00:00:00Z&due_before=2030-01-01T00:00:00Z", "/due_before"),
        ("state[]=archived", "/state/0"),
        (&format!("course_id={}", art + 1000), "/course_id"),
    ] {
        let res = t.get(&format!("{root}?{query}")).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], pointer, "{query}: {}", res.body);
    }
    // A course outside the sub-account is not one of its courses.
    let res = t.get(&format!("/api/v1/accounts/{sub}/tests?course_id={art}")).send().await;
    res.assert_error(422, "validation_failed");
    // Students and teachers do not search the account; another school does not see it at all.
    let (student, student_token) = person(&t, "Stu Dent", "stu@school.test").await;
    enroll(&t, bio, student, "StudentEnrollment").await;
    t.get(root).token(&student_token).send().await.assert_error(401, "unauthorized");
    let (teacher, teacher_token) = person(&t, "Tea Cher", "tea@school.test").await;
    enroll(&t, bio, teacher, "TeacherEnrollment").await;
    t.get(root).token(&teacher_token).send().await.assert_error(401, "unauthorized");
    let other = t.create_school("School B").await;
    t.get(&format!("/api/v1/accounts/{}/tests", t.school.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "account_not_found");
    let res = t.get("/api/v1/accounts/self/tests").token(&other.admin_token).send().await;
    assert_eq!((res.status, res.body.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{}", res.body);
});
