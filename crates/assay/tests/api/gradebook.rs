//! The gradebook: enrollments' `grades` (current and final score with group weights, drop rules, never-drop,
//! `omit_from_final_grade`, excused, missing, unpublished assignments, posted vs unposted, who sees what) and the
//! gradebook CSV export.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::TestApp,
    seed::{self, Grade},
};

async fn group(t: &TestApp, course: i64, name: &str, weight: &str) -> i64 {
    let res = t
        .post(&format!("/api/v1/courses/{course}/assignment_groups"))
        .form(&[("name", name), ("group_weight", weight)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// The `grades` of `user`'s student enrollment in a course's enrollment list, as the caller (`token`) sees it.
async fn grades_of(t: &TestApp, course: i64, user: i64, token: Option<&str>) -> Value {
    let mut req = t.get(&format!("/api/v1/courses/{course}/enrollments?type[]=StudentEnrollment&per_page=100"));
    if let Some(token) = token {
        req = req.token(token);
    }
    let res = req.send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let enrollment = res.body.as_array().unwrap().iter().find(|e| e["user_id"] == user).cloned();
    enrollment
        .unwrap_or_else(|| panic!("no enrollment of {user} in {}", res.body))
        .get("grades")
        .cloned()
        .unwrap_or(Value::Null)
}

fn scores(grades: &Value) -> (Value, Value, Value, Value) {
    (
        grades["current_score"].clone(),
        grades["final_score"].clone(),
        grades["unposted_current_score"].clone(),
        grades["unposted_final_score"].clone(),
    )
}

/// Homework (40%, drop the lowest, never drop hw1) and exams (60%); Ada has posted homework, an unposted exam, an
/// excused exam, a score on an omitted assignment and one on an unpublished assignment.
struct Weighted {
    course: i64,
    ada: (i64, String),
    bob: (i64, String),
    homework: i64,
    hw: [i64; 3],
    exam: i64,
}

async fn weighted_course(t: &TestApp) -> Weighted {
    let course = seed::course(t, "Statistics").await;
    let homework = group(t, course, "Homework", "40").await;
    let exams = group(t, course, "Exams", "60").await;
    let res = t
        .put(&format!("/api/v1/courses/{course}"))
        .form(&[("course[apply_assignment_group_weights]", "true")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut hw = [0; 3];
    for (i, slot) in hw.iter_mut().enumerate() {
        *slot = seed::assignment(
            t,
            course,
            json!({"name": format!("HW{}", i + 1), "points_possible": 10, "assignment_group_id": homework}),
        )
        .await;
    }
    let bonus = seed::assignment(
        t,
        course,
        json!({"name": "Bonus", "points_possible": 5, "assignment_group_id": homework, "omit_from_final_grade": true}),
    )
    .await;
    let exam =
        seed::assignment(t, course, json!({"name": "Midterm", "points_possible": 100, "assignment_group_id": exams}))
            .await;
    let draft = seed::assignment(
        t,
        course,
        json!({"name": "Final (draft)", "points_possible": 100, "assignment_group_id": exams, "published": false}),
    )
    .await;
    let essay =
        seed::assignment(t, course, json!({"name": "Essay", "points_possible": 10, "assignment_group_id": exams}))
            .await;
    let res = t
        .put(&format!("/api/v1/courses/{course}/assignment_groups/{homework}"))
        .form(&[("rules[drop_lowest]", "1".to_owned()), ("rules[never_drop][]", hw[0].to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ada = seed::person(t, course, "Ada Lovelace", "StudentEnrollment").await;
    let bob = seed::person(t, course, "Bob Babbage", "StudentEnrollment").await;
    for (assignment, grade) in [
        (hw[0], Grade::posted(5.0)),
        (hw[1], Grade::posted(9.0)),
        (hw[2], Grade::posted(2.0)),
        (bonus, Grade::posted(5.0)),
        (exam, Grade::hidden(80.0)),
        (draft, Grade::posted(100.0)),
        (essay, Grade { excused: true, posted: true, ..Grade::default() }),
    ] {
        seed::grade(t, course, assignment, ada.0, grade).await;
    }
    seed::grade(t, course, hw[1], bob.0, Grade::posted(10.0)).await;
    Weighted { course, ada, bob, homework, hw, exam }
}

backend_test!(weights_drop_rules_and_posting_shape_the_enrollment_grades, |t| {
    let w = weighted_course(&t).await;
    // Homework keeps hw1 (never dropped, 5/10) and hw2 (9/10), dropping hw3 (2/10): 70%. The midterm is not
    // posted, the essay is excused, the bonus is omitted and the draft unpublished, so exams count for nothing
    // yet: current = 70 (homework alone, weights rescaled). Final: the midterm counts 0 → 0.4·70 + 0.6·0 = 28.
    // Unposted (graders): the midterm's 80 counts → 0.4·70 + 0.6·80 = 76, current and final.
    let grades = grades_of(&t, w.course, w.ada.0, None).await;
    assert_eq!(scores(&grades), (json!(70.0), json!(28.0), json!(76.0), json!(76.0)), "{grades}");
    assert_eq!(grades["html_url"], format!("{}/courses/{}/grades/{}", t.base, w.course, w.ada.0));
    assert_eq!((grades["current_grade"].clone(), grades["final_grade"].clone()), (Value::Null, Value::Null));

    // The student sees posted numbers only, and no unposted fields at all.
    let own = grades_of(&t, w.course, w.ada.0, Some(&w.ada.1)).await;
    assert_eq!((own["current_score"].clone(), own["final_score"].clone()), (json!(70.0), json!(28.0)));
    assert!(own.get("unposted_current_score").is_none() && own.get("unposted_final_score").is_none(), "{own}");
    // Nor anyone else's grades.
    assert_eq!(grades_of(&t, w.course, w.bob.0, Some(&w.ada.1)).await, Value::Null);
    // Their own enrollments list across courses shows the same.
    let res = t.get(&format!("/api/v1/users/{}/enrollments", w.ada.0)).token(&w.ada.1).send().await;
    assert_eq!(res.body[0]["grades"]["current_score"], json!(70.0), "{}", res.body);

    // Bob: 10/10 on hw2, nothing else graded: current 100; final: homework 10/30 → dropping keeps hw1 (never) and
    // hw2: 10/20 = 50% (the lowest of hw2, hw3 is hw3's 0), exams 0 → 0.4·50 = 20.
    let bob = grades_of(&t, w.course, w.bob.0, None).await;
    assert_eq!(scores(&bob), (json!(100.0), json!(20.0), json!(100.0), json!(20.0)), "{bob}");

    // Posting the midterm (the grading API's job; seeded here) shows it to the student.
    seed::grade(&t, w.course, w.exam, w.ada.0, Grade::posted(80.0)).await;
    let own = grades_of(&t, w.course, w.ada.0, Some(&w.ada.1)).await;
    assert_eq!((own["current_score"].clone(), own["final_score"].clone()), (json!(76.0), json!(76.0)));

    // Without weights: all points together. Homework 14/20 kept, midterm 80/100 → 94/120.
    let res = t
        .put(&format!("/api/v1/courses/{}", w.course))
        .form(&[("course[apply_assignment_group_weights]", "false")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let grades = grades_of(&t, w.course, w.ada.0, None).await;
    assert_eq!(grades["current_score"], json!(78.33), "{grades}");

    // Without drop rules hw3 counts: (5+9+2+80)/130.
    let res = t
        .put(&format!("/api/v1/courses/{}/assignment_groups/{}", w.course, w.homework))
        .json(&json!({"rules": {}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let grades = grades_of(&t, w.course, w.ada.0, None).await;
    assert_eq!(grades["current_score"], json!(73.85), "{grades}");

    // A course that hides final grades hides them from students, not from graders.
    let res =
        t.put(&format!("/api/v1/courses/{}/settings", w.course)).form(&[("hide_final_grades", "true")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let own = grades_of(&t, w.course, w.ada.0, Some(&w.ada.1)).await;
    assert_eq!((own["current_score"].clone(), own["final_score"].clone()), (Value::Null, Value::Null), "{own}");
    assert_eq!(grades_of(&t, w.course, w.ada.0, None).await["current_score"], json!(73.85));
});

backend_test!(missing_excused_and_ungraded_work_in_current_and_final, |t| {
    let course = seed::course(&t, "Chemistry").await;
    let a: Vec<i64> = futures::future::join_all(
        (1..=5).map(|i| seed::assignment(&t, course, json!({"name": format!("Lab {i}"), "points_possible": 10}))),
    )
    .await;
    let (cleo, cleo_token) = seed::person(&t, course, "Cleo Curie", "StudentEnrollment").await;
    seed::grade(&t, course, a[0], cleo, Grade::posted(8.0)).await;
    // Missing without a score: ungraded (left out of current, 0 in final).
    seed::grade(&t, course, a[1], cleo, Grade { missing: true, ..Grade::default() }).await;
    // Missing with the missing policy's score: graded work.
    seed::grade(&t, course, a[2], cleo, Grade { missing: true, posted: true, ..Grade::posted(0.0) }).await;
    seed::grade(&t, course, a[3], cleo, Grade { excused: true, posted: true, ..Grade::default() }).await;
    // Handed in and waiting for a grader: its provisional score does not count yet.
    seed::grade(&t, course, a[4], cleo, Grade { pending_review: true, posted: true, ..Grade::posted(10.0) }).await;
    // current: (8 + 0) / 20 = 40; final: 8 / 40 = 20.
    let grades = grades_of(&t, course, cleo, Some(&cleo_token)).await;
    assert_eq!(
        (grades["current_score"].clone(), grades["final_score"].clone()),
        (json!(40.0), json!(20.0)),
        "{grades}"
    );
    // A course with nothing graded has no current score.
    let (dan, _) = seed::person(&t, course, "Dan Dalton", "StudentEnrollment").await;
    let grades = grades_of(&t, course, dan, None).await;
    assert_eq!(scores(&grades), (Value::Null, json!(0.0), Value::Null, json!(0.0)), "{grades}");
    // Teachers see no grades object of their own; students' grades show in the people list's enrollments.
    let (teacher, teacher_token) = seed::person(&t, course, "Tess Teacher", "TeacherEnrollment").await;
    let res = t
        .get(&format!("/api/v1/courses/{course}/users?include[]=enrollments&per_page=100"))
        .token(&teacher_token)
        .send()
        .await;
    let people = res.body.as_array().unwrap();
    let enrollment_of = |id: i64| people.iter().find(|p| p["id"] == id).unwrap()["enrollments"][0].clone();
    assert!(enrollment_of(teacher).get("grades").is_none());
    assert_eq!(enrollment_of(cleo)["grades"]["unposted_current_score"], json!(40.0));
});

/// Parses CSV text into rows of cells (the export quotes cells with commas).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

backend_test!(the_gradebook_exports_one_row_per_student, |t| {
    let w = weighted_course(&t).await;
    let path = format!("/api/v1/courses/{}/gradebook_export.csv", w.course);
    let (status, headers, bytes) = t.get(&path).send_bytes().await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(headers["content-disposition"].to_str().unwrap().contains("attachment"));
    let rows = parse_csv(&String::from_utf8(bytes).unwrap());
    let header = &rows[0];
    let column =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} in {header:?}"));
    assert_eq!(&header[..4], ["Student", "ID", "SIS User ID", "Section"]);
    assert!(!header.iter().any(|h| h == "Current Grade"), "letters only with a grading scheme: {header:?}");
    // Published assignments only, in course order (group position, position).
    let names: Vec<&str> = header[4..].iter().take_while(|h| !h.contains("Score")).map(String::as_str).collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("Final (draft)")), "{names:?}");
    assert_eq!(names[0], format!("HW1 ({})", w.hw[0]));
    assert_eq!(rows[1][0], "Points Possible");
    assert_eq!(rows[1][column(&format!("Midterm ({})", w.exam))], "100");
    // One row per student, by sortable name (Babbage before Lovelace).
    assert_eq!(rows.len(), 4, "{rows:?}");
    let (bob, ada) = (&rows[2], &rows[3]);
    assert_eq!(
        (ada[0].as_str(), ada[1].clone(), ada[2].as_str()),
        ("Ada Lovelace", w.ada.0.to_string(), "SIS-Ada-Lovelace")
    );
    assert_eq!(bob[0], "Bob Babbage");
    assert_eq!(ada[3], "Statistics");
    // The teacher's export shows every grade, posted or not; excused is EX; ungraded is empty.
    assert_eq!(ada[column(&format!("Midterm ({})", w.exam))], "80");
    assert_eq!(ada[column(&format!("HW3 ({})", w.hw[2]))], "2");
    assert!(ada.contains(&"EX".to_owned()));
    assert_eq!(bob[column(&format!("HW1 ({})", w.hw[0]))], "");
    assert_eq!(ada[column("Homework Current Score")], "70");
    assert_eq!(ada[column("Exams Current Score")], "");
    assert_eq!(ada[column("Exams Unposted Current Score")], "80");
    assert_eq!((ada[column("Current Score")].as_str(), ada[column("Unposted Current Score")].as_str()), ("70", "76"));
    assert_eq!((ada[column("Final Score")].as_str(), ada[column("Unposted Final Score")].as_str()), ("28", "76"));
    assert_eq!(bob[column("Final Score")], "20");

    // Students may not export; another course's teacher neither.
    let res = t.get(&path).token(&w.ada.1).send().await;
    res.assert_error(401, "unauthorized");
    let other = seed::course(&t, "Other").await;
    let (_, other_teacher) = seed::person(&t, other, "Olga Other", "TeacherEnrollment").await;
    t.get(&path).token(&other_teacher).send().await.assert_error(401, "unauthorized");
    // A TA exports too, without SIS ids (no read_sis).
    let (_, ta) = seed::person(&t, w.course, "Tom Assistant", "TaEnrollment").await;
    let (status, _, bytes) = t.get(&path).token(&ta).send_bytes().await;
    assert_eq!(status, StatusCode::OK);
    let rows = parse_csv(&String::from_utf8(bytes).unwrap());
    assert_eq!(rows[3][2], "");
    // A name a spreadsheet would run as a formula is escaped.
    let (_, _) = seed::person(&t, w.course, "=HYPERLINK(1)", "StudentEnrollment").await;
    let (_, _, bytes) = t.get(&path).send_bytes().await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'=HYPERLINK(1)") && !text.contains(",=HYPERLINK"), "{text}");
});

backend_test!(a_quiz_grade_follows_the_grading_scheme_the_late_policy_and_the_post_policy, |t| {
    let course = seed::course(&t, "Quizzed").await;
    let res = t
        .post(&format!("/api/v1/courses/{course}/grading_standards"))
        .json(&json!({"title": "Bands", "grading_scheme_entry": [
            {"name": "A", "value": 90}, {"name": "B", "value": 50}, {"name": "C", "value": 0}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let bands = res.body["id"].as_i64().unwrap();
    let res = t
        .put(&format!("/api/v1/courses/{course}"))
        .form(&[("course[grading_standard_id]", bands.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // 10% off per hour late; the quiz was due 90 minutes ago (two started hours).
    let res = t
        .post(&format!("/api/v1/courses/{course}/late_policy"))
        .form(&[
            ("late_policy[late_submission_deduction_enabled]", "true"),
            ("late_policy[late_submission_deduction]", "10"),
            ("late_policy[late_submission_interval]", "hour"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let due = (chrono::Utc::now() - chrono::TimeDelta::minutes(90)).to_rfc3339();
    let settings = json!({"title": "Late quiz", "quiz_type": "assignment", "allowed_attempts": -1,
        "scoring_policy": "keep_latest", "due_at": due});
    let (quiz, assignment, _) = seed::quiz_with(&t, course, settings, &[5.0, 5.0]).await;
    let assignment = assignment.unwrap();
    let res = t
        .put(&format!("/api/v1/courses/{course}/assignments/{assignment}"))
        .json(&json!({"assignment": {"grading_type": "letter_grade"}}))
        .send()
        .await;
    assert_eq!((res.status, &res.body["grading_type"]), (StatusCode::OK, &json!("letter_grade")), "{}", res.body);
    let (ada, ada_token) = seed::person(&t, course, "Ada Lovelace", "StudentEnrollment").await;
    seed::sit(&t, &ada_token, course, quiz, &[seed::Pick::Right, seed::Pick::Wrong], true).await;

    // 5 of 10 entered ("B" in the course's bands), less 2 hours × 10% of 10 points: 3 kept, a "C".
    let res = t.get(&format!("/api/v1/courses/{course}/assignments/{assignment}/submissions/{}", ada)).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let sub = &res.body;
    assert_eq!(
        (&sub["entered_score"], &sub["entered_grade"], &sub["points_deducted"], &sub["score"], &sub["grade"]),
        (&json!(5.0), &json!("B"), &json!(2.0), &json!(3.0), &json!("C")),
        "{sub}"
    );
    assert_eq!((&sub["late"], &sub["workflow_state"]), (&json!(true), &json!("graded")), "{sub}");
    // Posted automatically, with the event that says so; the enrollment's grade carries the course letter.
    assert!(sub["posted_at"].is_string(), "{sub}");
    // (Events are listed once the sequencer has numbered them.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let events = t.get("/api/v1/events?type=result.posted&per_page=100").send().await;
        if events.body.as_array().unwrap().iter().any(|e| e["subject_id"] == sub["id"]) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no result.posted for the quiz's submission: {}", events.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let grades = grades_of(&t, course, ada, Some(&ada_token)).await;
    assert_eq!(
        (&grades["current_score"], &grades["current_grade"], &grades["final_grade"]),
        (&json!(30.0), &json!("C"), &json!("C")),
        "{grades}"
    );
    let grades = grades_of(&t, course, ada, None).await;
    assert_eq!(grades["unposted_current_grade"], json!("C"), "{grades}");

    // The gradebook export adds the letters when the course has a scheme.
    let (_, _, bytes) = t.get(&format!("/api/v1/courses/{course}/gradebook_export.csv")).send_bytes().await;
    let rows = parse_csv(&String::from_utf8(bytes).unwrap());
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    let row = rows.iter().find(|r| r[1] == ada.to_string()).unwrap();
    assert_eq!((row[column("Current Score")].as_str(), row[column("Current Grade")].as_str()), ("30", "C"));
    assert_eq!(row[column("Unposted Final Grade")], "C");
});
