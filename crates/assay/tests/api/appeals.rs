//! Appeals and explanations: the state machine (register, withdraw, resolve, reject; closed appeals never move),
//! one open appeal per result and question, who may do what (a student cannot appeal another's result or a
//! hidden one, graders answer), a resolution regrading the result (with a version), explanations with and
//! without an appeal, their visibility and export, and the events.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::TestApp,
    seed::{self, Grade, Pick},
};

/// The event types recorded so far that start with `prefix` (waiting for the sequencer to number them).
async fn event_types(t: &TestApp, prefix: &str, expected: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let res = t.get("/api/v1/events?per_page=100").send().await;
        let types: Vec<String> = res
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .filter(|ty| ty.starts_with(prefix))
            .collect();
        if types.len() >= expected || std::time::Instant::now() > deadline {
            return types;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn versions_of(t: &TestApp, submission_id: i64) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    assay_store::entity::submission_version::Entity::find()
        .filter(assay_store::entity::submission_version::Column::SubmissionId.eq(submission_id))
        .all(t.store().read())
        .await
        .unwrap()
        .len()
}

backend_test!(appeals_move_from_open_to_one_final_state, |t| {
    let course = seed::course(&t, "History").await;
    let essay = seed::assignment(&t, course, json!({"name": "Essay", "points_possible": 10})).await;
    let (ada, ada_token) = seed::person(&t, course, "Ada Lovelace", "StudentEnrollment").await;
    let (bob, bob_token) = seed::person(&t, course, "Bob Babbage", "StudentEnrollment").await;
    let (_, teacher) = seed::person(&t, course, "Tess Teacher", "TeacherEnrollment").await;
    let result = format!("/api/v1/courses/{course}/assignments/{essay}/submissions/{ada}");
    let appeals = format!("{result}/appeals");
    let reason = [("appeal[reason]", "Paragraph 3 answers the question.")];

    // A hidden result cannot be appealed: it looks like no result at all.
    let submission = seed::grade(&t, course, essay, ada, Grade::hidden(6.0)).await;
    t.post(&appeals).token(&ada_token).form(&reason).send().await.assert_error(409, "result_not_appealable");
    seed::grade(&t, course, essay, ada, Grade::posted(6.0)).await;
    // A reason is required.
    let res = t.post(&appeals).token(&ada_token).form(&[("appeal[reason]", "  ")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/appeal/reason");
    // Another student may not appeal Ada's result, nor read its appeals; nor appeal their own ungraded one.
    t.post(&appeals).token(&bob_token).form(&reason).send().await.assert_error(401, "unauthorized");
    t.get(&appeals).token(&bob_token).send().await.assert_error(401, "unauthorized");
    let bob_appeals = format!("/api/v1/courses/{course}/assignments/{essay}/submissions/{bob}/appeals");
    t.post(&bob_appeals).token(&bob_token).form(&reason).send().await.assert_error(409, "result_not_appealable");
    // A per-question appeal needs a quiz attempt behind the result.
    let res =
        t.post(&appeals).token(&ada_token).form(&[("appeal[reason]", "Q1"), ("appeal[question_id]", "1")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/appeal/question_id");

    // Registered: open, with the score it disputes.
    let res = t
        .post(&format!("/api/v1/courses/{course}/assignments/{essay}/submissions/self/appeals"))
        .token(&ada_token)
        .form(&reason)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let first = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location").unwrap(), format!("{}{appeals}/{first}", t.base));
    assert_eq!(
        (res.body["workflow_state"].clone(), res.body["score_before"].clone(), res.body["user_id"].clone()),
        (json!("open"), json!(6.0), json!(ada))
    );
    assert_eq!((res.body["question_id"].clone(), res.body["explanation"].clone()), (Value::Null, Value::Null));
    // One open appeal per result.
    t.post(&appeals).token(&ada_token).form(&reason).send().await.assert_error(409, "appeal_already_open");

    // Graders see the open appeals of the course; students may not list them.
    let open = t.get(&format!("/api/v1/courses/{course}/appeals?workflow_state[]=open")).token(&teacher).send().await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    assert_eq!(open.body.as_array().unwrap().len(), 1);
    assert_eq!(open.body[0]["id"], first);
    t.get(&format!("/api/v1/courses/{course}/appeals"))
        .token(&ada_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    let res = t.get(&format!("/api/v1/courses/{course}/appeals?workflow_state[]=pending")).token(&teacher).send().await;
    res.assert_error(422, "validation_failed");

    // The candidate withdraws ("redraws") it; a closed appeal never moves again.
    let res = t.post(&format!("{appeals}/{first}/withdraw")).token(&ada_token).send().await;
    assert_eq!((res.status, res.body["workflow_state"].clone()), (StatusCode::OK, json!("withdrawn")), "{}", res.body);
    assert_eq!(res.body["closed_by_id"], ada);
    t.post(&format!("{appeals}/{first}/withdraw")).token(&ada_token).send().await.assert_error(409, "appeal_closed");
    let answer = [("appeal[score]", "8"), ("appeal[explanation]", "Paragraph 3 does answer it.")];
    t.post(&format!("{appeals}/{first}/resolve"))
        .token(&teacher)
        .form(&answer)
        .send()
        .await
        .assert_error(409, "appeal_closed");

    // A new appeal, resolved: the candidate may not answer it; a grader must give a score and an explanation.
    let res = t.post(&appeals).token(&ada_token).form(&reason).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let second = res.body["id"].as_i64().unwrap();
    t.post(&format!("{appeals}/{second}/resolve"))
        .token(&ada_token)
        .form(&answer)
        .send()
        .await
        .assert_error(401, "unauthorized");
    let res =
        t.post(&format!("{appeals}/{second}/resolve")).token(&teacher).form(&[("appeal[score]", "-1")]).send().await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/appeal/score", "/appeal/explanation"]);
    assert_eq!(versions_of(&t, submission).await, 2);
    let res = t.post(&format!("{appeals}/{second}/resolve")).token(&teacher).form(&answer).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["workflow_state"].clone(), res.body["score_before"].clone(), res.body["score_after"].clone()),
        (json!("resolved"), json!(6.0), json!(8.0))
    );
    assert_eq!(res.body["explanation"]["body"], "Paragraph 3 does answer it.");
    assert_eq!(res.body["explanation"]["appeal_id"], second);
    // The result took the new score, with a new version in its history; the gradebook follows.
    assert_eq!(versions_of(&t, submission).await, 3);
    let found = assay_store::submissions::find(t.store().read(), &assay_store::Scope::school(t.school.id), essay, ada)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.score, found.grade.as_deref(), found.workflow_state.as_str()), (Some(8.0), Some("8"), "graded"));
    let grades = t.get(&format!("/api/v1/users/{ada}/enrollments")).token(&ada_token).send().await;
    assert_eq!(grades.body[0]["grades"]["current_score"], json!(80.0), "{}", grades.body);

    // A third, rejected: the result stands.
    let res = t.post(&appeals).token(&ada_token).form(&reason).send().await;
    let third = res.body["id"].as_i64().unwrap();
    let res =
        t.post(&format!("{appeals}/{third}/reject")).token(&teacher).form(&[("appeal[explanation]", "")]).send().await;
    res.assert_error(422, "validation_failed");
    let res = t
        .post(&format!("{appeals}/{third}/reject"))
        .token(&teacher)
        .form(&[("appeal[explanation]", "8 is the grade the rubric gives.")])
        .send()
        .await;
    assert_eq!((res.status, res.body["workflow_state"].clone()), (StatusCode::OK, json!("rejected")), "{}", res.body);
    assert_eq!(res.body["score_after"], Value::Null);
    t.post(&format!("{appeals}/{third}/withdraw")).token(&ada_token).send().await.assert_error(409, "appeal_closed");

    // The candidate reads their appeals, with the answers.
    let mine = t.get(&appeals).token(&ada_token).send().await;
    let states: Vec<&str> =
        mine.body.as_array().unwrap().iter().map(|a| a["workflow_state"].as_str().unwrap()).collect();
    assert_eq!(states, ["withdrawn", "resolved", "rejected"]);
    assert_eq!(mine.body[2]["explanation"]["body"], "8 is the grade the rubric gives.");
    let one = t.get(&format!("{appeals}/{second}")).token(&ada_token).send().await;
    assert_eq!(one.body["score_after"], 8.0);
    t.get(&format!("{appeals}/{second}")).token(&bob_token).send().await.assert_error(401, "unauthorized");
    t.get(&format!("{appeals}/999999")).token(&ada_token).send().await.assert_error(404, "appeal_not_found");
    let closed = t
        .get(&format!("/api/v1/courses/{course}/appeals?workflow_state[]=resolved&workflow_state[]=rejected"))
        .token(&teacher)
        .send()
        .await;
    assert_eq!(closed.body.as_array().unwrap().len(), 2);

    // Another school sees nothing.
    let other = t.create_school("School B").await;
    t.get(&appeals).token(&other.admin_token).send().await.assert_error(404, "course_not_found");
    t.post(&format!("{appeals}/{third}/withdraw"))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "course_not_found");

    let appeal_events = event_types(&t, "appeal.", 6).await;
    assert_eq!(
        appeal_events,
        [
            "appeal.registered",
            "appeal.withdrawn",
            "appeal.registered",
            "appeal.resolved",
            "appeal.registered",
            "appeal.rejected"
        ]
    );
    assert_eq!(event_types(&t, "explanation.", 2).await.len(), 2);
    assert_eq!(event_types(&t, "submission.graded", 1).await.len(), 1);
});

backend_test!(quiz_questions_are_appealed_one_at_a_time, |t| {
    let course = seed::course(&t, "Physics").await;
    let (quiz, assignment, questions) = seed::quiz(&t, course, "Mechanics", &[2.0, 3.0]).await;
    let (ada, ada_token) = seed::person(&t, course, "Ada Lovelace", "StudentEnrollment").await;
    // Right on Q1, wrong on Q2: a posted 2 of 5 (the quiz posts its grades automatically).
    let attempt = seed::sit(&t, &ada_token, course, quiz, &[Pick::Right, Pick::Wrong], true).await;
    let appeals = format!("/api/v1/courses/{course}/assignments/{assignment}/submissions/{ada}/appeals");
    let on =
        |q: i64| vec![("appeal[reason]", "My answer is right.".to_owned()), ("appeal[question_id]", q.to_string())];
    let res = t.post(&appeals).token(&ada_token).form(&on(questions[1])).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (res.body["question_id"].clone(), res.body["quiz_submission_id"].clone()),
        (json!(questions[1]), json!(attempt))
    );
    // One open appeal per question; another question, or the whole attempt, may be appealed alongside.
    t.post(&appeals).token(&ada_token).form(&on(questions[1])).send().await.assert_error(409, "appeal_already_open");
    let res = t.post(&appeals).token(&ada_token).form(&on(questions[0])).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let res = t.post(&appeals).token(&ada_token).form(&[("appeal[reason]", "All of it.")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    // A question the attempt did not show is refused.
    let res = t.post(&appeals).token(&ada_token).form(&on(questions[1] + 1000)).send().await;
    res.assert_error(422, "validation_failed");
    // A question's explanation names it too.
    let res = t
        .post(&format!("/api/v1/courses/{course}/assignments/{assignment}/submissions/{ada}/explanations"))
        .form(&[("explanation[body]", "Q2 wanted SI units."), ("explanation[question_id]", &questions[1].to_string())])
        .send()
        .await;
    assert_eq!(
        (res.status, res.body["question_id"].clone()),
        (StatusCode::CREATED, json!(questions[1])),
        "{}",
        res.body
    );
});

/// Parses the CSV of an export (cells with commas are quoted).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
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

backend_test!(explanations_are_written_read_once_posted_and_exported, |t| {
    let course = seed::course(&t, "Latin").await;
    let posted = seed::assignment(&t, course, json!({"name": "Translation", "points_possible": 20})).await;
    let hidden = seed::assignment(&t, course, json!({"name": "Oral exam", "points_possible": 10})).await;
    let (ada, ada_token) = seed::person(&t, course, "Ada Lovelace", "StudentEnrollment").await;
    let (_, ta) = seed::person(&t, course, "Tom Assistant", "TaEnrollment").await;
    let result = |a: i64| format!("/api/v1/courses/{course}/assignments/{a}/submissions/{ada}/explanations");
    // Nothing to explain before a grade.
    let body = [("explanation[body]", "Good use of the ablative, \"mostly\".")];
    t.post(&result(posted)).token(&ta).form(&body).send().await.assert_error(409, "result_not_appealable");
    seed::grade(&t, course, posted, ada, Grade::posted(15.0)).await;
    seed::grade(&t, course, hidden, ada, Grade::hidden(9.0)).await;
    // Students do not write explanations; graders must write something.
    t.post(&result(posted)).token(&ada_token).form(&body).send().await.assert_error(401, "unauthorized");
    let res = t.post(&result(posted)).token(&ta).form(&[("explanation[body]", "")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/explanation/body");
    let res = t.post(&result(posted)).token(&ta).form(&body).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let explanation = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location").unwrap(), format!("{}{}/{explanation}", t.base, result(posted)));
    assert_eq!((res.body["appeal_id"].clone(), res.body["question_id"].clone()), (Value::Null, Value::Null));
    let res = t.post(&result(hidden)).token(&ta).form(&[("explanation[body]", "=cmd|' /C calc'!A0")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let hidden_explanation = res.body["id"].as_i64().unwrap();

    // The candidate reads the posted result's explanation, not the hidden one's.
    let mine = t.get(&result(posted)).token(&ada_token).send().await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1, "{}", mine.body);
    assert_eq!(mine.body[0]["body"], "Good use of the ablative, \"mostly\".");
    let res = t.get(&format!("{}/{explanation}", result(posted))).token(&ada_token).send().await;
    assert_eq!(res.body["id"], explanation);
    assert_eq!(t.get(&result(hidden)).token(&ada_token).send().await.body, json!([]));
    let res = t.get(&format!("{}/{hidden_explanation}", result(hidden))).token(&ada_token).send().await;
    res.assert_error(404, "explanation_not_found");
    assert_eq!(t.get(&result(hidden)).token(&ta).send().await.body.as_array().unwrap().len(), 1);

    // The export: JSON (filterable by assignment) and CSV, for graders only.
    let all = t.get(&format!("/api/v1/courses/{course}/explanations")).token(&ta).send().await;
    assert_eq!(all.body.as_array().unwrap().len(), 2);
    let one = t.get(&format!("/api/v1/courses/{course}/explanations?assignment_id={hidden}")).token(&ta).send().await;
    assert_eq!(one.body.as_array().unwrap().len(), 1);
    assert_eq!(one.body[0]["id"], hidden_explanation);
    t.get(&format!("/api/v1/courses/{course}/explanations"))
        .token(&ada_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    let path = format!("/api/v1/courses/{course}/explanations.csv");
    let (status, headers, bytes) = t.get(&path).send_bytes().await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let rows = csv_rows(&String::from_utf8(bytes).unwrap());
    assert_eq!(rows.len(), 3, "{rows:?}");
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    assert_eq!(rows[1][column("assignment_name")], "Translation");
    assert_eq!(rows[1][column("user_name")], "Ada Lovelace");
    assert_eq!(rows[1][column("sis_user_id")], "SIS-Ada-Lovelace");
    assert_eq!(rows[1][column("author_name")], "Tom Assistant");
    assert_eq!(rows[1][column("explanation")], "Good use of the ablative, \"mostly\".");
    // A cell a spreadsheet would run is escaped.
    assert_eq!(rows[2][column("explanation")], "'=cmd|' /C calc'!A0");
    let (status, _, _) = t.get(&path).token(&ada_token).send_bytes().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});
