//! Sitting tests (Canvas quiz submissions): idempotent and concurrent starts, the frozen draw, answers saved in
//! sequence order, no answer key in anything a candidate sees, submitting and scoring, deadlines and the
//! automatic submit after a restart, scoring policies, regrade policies, manual grading, access code, IP filter,
//! dates and attempts, permissions and isolation; and the crash test (SIGKILL during autosaves).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::{Res, TestApp},
};

// ---- Setup -------------------------------------------------------------------------------------------------------

pub struct Class {
    pub course: i64,
    pub teacher: String,
    /// (user id, token)
    pub students: Vec<(i64, String)>,
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

static PEOPLE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

async fn person(t: &TestApp, name: &str) -> (i64, String) {
    let n = PEOPLE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = t.create_user(name, &format!("p{n}@school.test"), None).await["id"].as_i64().unwrap();
    (id, t.token_for(id).await)
}

pub async fn class(t: &TestApp, students: usize) -> Class {
    let res =
        t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Physics"), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let course = res.body["id"].as_i64().unwrap();
    let (teacher_id, teacher) = person(t, "Tess Teacher").await;
    enroll(t, course, teacher_id, "TeacherEnrollment").await;
    let mut list = Vec::new();
    for i in 0..students {
        let (id, token) = person(t, &format!("Student {i}")).await;
        enroll(t, course, id, "StudentEnrollment").await;
        list.push((id, token));
    }
    Class { course, teacher, students: list }
}

pub fn mc(name: &str, points: f64) -> Value {
    json!({"question_name": name, "question_type": "multiple_choice_question", "question_text": format!("<p>{name}?</p>"),
        "points_possible": points, "correct_comments": "Well done", "incorrect_comments": "No",
        "answers": [{"answer_text": "Right", "answer_weight": 100, "answer_comments": "because"},
                    {"answer_text": "Wrong", "answer_weight": 0}]})
}

fn essay(name: &str, points: f64) -> Value {
    json!({"question_name": name, "question_type": "essay_question", "question_text": "<p>Discuss.</p>", "points_possible": points})
}

fn numerical(name: &str) -> Value {
    json!({"question_name": name, "question_type": "numerical_question", "question_text": "<p>2 + 2?</p>", "points_possible": 1,
        "answers": [{"numerical_answer_type": "exact_answer", "exact": 4, "margin": 0}]})
}

/// A published quiz with these settings and questions; returns its id.
pub async fn quiz(t: &TestApp, course: i64, settings: Value, questions: &[Value]) -> i64 {
    let res = t.post(&format!("/api/v1/courses/{course}/quizzes")).json(&json!({ "quiz": settings })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    for q in questions {
        let res = t
            .post(&format!("/api/v1/courses/{course}/quizzes/{id}/questions"))
            .json(&json!({ "question": q }))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    let res = t
        .put(&format!("/api/v1/courses/{course}/quizzes/{id}"))
        .json(&json!({"quiz": {"published": true}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    id
}

pub async fn start(t: &TestApp, token: &str, course: i64, quiz: i64, body: Value) -> Res {
    t.post(&format!("/api/v1/courses/{course}/quizzes/{quiz}/submissions")).token(token).json(&body).send().await
}

/// Starts and returns the attempt JSON.
pub async fn started(t: &TestApp, token: &str, course: i64, quiz: i64) -> Value {
    let res = start(t, token, course, quiz, json!({})).await;
    assert!(res.status.is_success(), "{}", res.body);
    res.body["quiz_submissions"][0].clone()
}

async fn questions(t: &TestApp, token: &str, attempt: i64) -> Value {
    let res = t.get(&format!("/api/v1/quiz_submissions/{attempt}/questions")).token(token).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body["quiz_submission_questions"].clone()
}

/// The question named `name` in an attempt's questions.
fn named<'a>(questions: &'a Value, name: &str) -> &'a Value {
    questions.as_array().unwrap().iter().find(|q| q["question_name"] == name).unwrap_or_else(|| panic!("{name}"))
}

/// The id of the option with `text` of a choice question.
fn option(question: &Value, text: &str) -> Value {
    question["answers"].as_array().unwrap().iter().find(|a| a["text"] == text).unwrap()["id"].clone()
}

async fn answer(t: &TestApp, token: &str, attempt: &Value, items: Value) -> Res {
    t.post(&format!("/api/v1/quiz_submissions/{}/questions", attempt["id"]))
        .token(token)
        .json(&json!({"attempt": attempt["attempt"], "validation_token": attempt["validation_token"], "quiz_questions": items}))
        .send()
        .await
}

async fn complete(t: &TestApp, token: &str, course: i64, attempt: &Value) -> Res {
    t.post(&format!("/api/v1/courses/{course}/quizzes/{}/submissions/{}/complete", attempt["quiz_id"], attempt["id"]))
        .token(token)
        .json(&json!({"attempt": attempt["attempt"], "validation_token": attempt["validation_token"]}))
        .send()
        .await
}

/// Takes a whole attempt: start, pick `choice` on every multiple-choice question, submit. Returns the attempt.
async fn sit(t: &TestApp, token: &str, course: i64, quiz: i64, choice: &str) -> Value {
    let attempt = started(t, token, course, quiz).await;
    let qs = questions(t, token, attempt["id"].as_i64().unwrap()).await;
    let items: Vec<Value> = qs
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["question_type"] == "multiple_choice_question")
        .map(|q| json!({"id": q["id"], "answer": option(q, choice)}))
        .collect();
    let res = answer(t, token, &attempt, Value::Array(items)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = complete(t, token, course, &attempt).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body["quiz_submissions"][0].clone()
}

/// The student's submission on the quiz's assignment, as the store holds it.
async fn submission_of(t: &TestApp, course: i64, quiz: i64, user: i64) -> assay_store::entity::submission::Model {
    let shown = t.get(&format!("/api/v1/courses/{course}/quizzes/{quiz}")).send().await;
    let assignment = shown.body["assignment_id"].as_i64().expect("a graded quiz has an assignment");
    assay_store::submissions::find(t.store().read(), &assay_store::Scope::school(t.school.id), assignment, user)
        .await
        .unwrap()
        .expect("a submission")
}

/// Keys and values that would give an answer away.
fn assert_no_key(context: &str, body: &Value) {
    let text = body.to_string();
    for leak in [
        "\"correct\"",
        "weight",
        "\"accepted\"",
        "comments",
        "feedback",
        "formula",
        "tolerance",
        "margin",
        "\"exact\"",
        "approximate",
        "answer_match_right",
        "because",
        "Well done",
    ] {
        assert!(!text.contains(leak), "{context} leaks {leak}: {text}");
    }
}

async fn event_types(t: &TestApp) -> Vec<String> {
    use sea_orm::{EntityTrait, QueryOrder};
    assay_store::entity::event::Entity::find()
        .order_by_asc(assay_store::entity::event::Column::Id)
        .all(t.store().read())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

// ---- Starting -----------------------------------------------------------------------------------------------------

backend_test!(starting_is_idempotent_even_when_concurrent_and_freezes_the_draw, |t| {
    let c = class(&t, 2).await;
    let q = quiz(&t, c.course, json!({"title": "Unit 1", "time_limit": 30}), &[mc("Q1", 2.0), numerical("Sum")]).await;
    let (s0, s0_token) = c.students[0].clone();

    let first = start(&t, &s0_token, c.course, q, json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(
        first
            .header("location")
            .unwrap()
            .ends_with(&format!("/submissions/{}", first.body["quiz_submissions"][0]["id"]))
    );
    let attempt = first.body["quiz_submissions"][0].clone();
    assert_eq!((attempt["attempt"].as_i64(), attempt["workflow_state"].as_str()), (Some(1), Some("untaken")));
    assert_eq!(attempt["user_id"], s0);
    assert_eq!(attempt["quiz_points_possible"], 3.0);
    assert!(attempt["validation_token"].as_str().is_some_and(|v| v.len() > 20));
    // Deadline: start + 30 minutes.
    let started_at = chrono::DateTime::parse_from_rfc3339(attempt["started_at"].as_str().unwrap()).unwrap();
    let end_at = chrono::DateTime::parse_from_rfc3339(attempt["end_at"].as_str().unwrap()).unwrap();
    assert_eq!((end_at - started_at).num_minutes(), 30);
    assert_no_key("the start response", &first.body);

    // A retry, a double click, another device: the same attempt.
    let again = start(&t, &s0_token, c.course, q, json!({})).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["quiz_submissions"][0]["id"], attempt["id"]);
    assert_eq!(again.body["quiz_submissions"][0]["validation_token"], attempt["validation_token"]);

    // Concurrent starts by another student: one attempt, one 201.
    let s1_token = c.students[1].1.clone();
    let racers: Vec<_> = (0..6).map(|_| start(&t, &s1_token, c.course, q, json!({}))).collect();
    let results = futures::future::join_all(racers).await;
    let ids: std::collections::HashSet<i64> =
        results.iter().map(|r| r.body["quiz_submissions"][0]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| r.status == StatusCode::CREATED).count(), 1);
    let listed = t.get(&format!("/api/v1/courses/{}/quizzes/{q}/submissions", c.course)).token(&c.teacher).send().await;
    assert_eq!(listed.body["quiz_submissions"].as_array().unwrap().len(), 2, "{}", listed.body);

    // The candidate's view: the questions, never an answer key.
    let qs = questions(&t, &s0_token, attempt["id"].as_i64().unwrap()).await;
    assert_eq!(qs.as_array().unwrap().len(), 2);
    let q1 = named(&qs, "Q1");
    assert_eq!(q1["question_text"], "<p>Q1?</p>");
    assert_eq!(q1["answers"].as_array().unwrap().len(), 2);
    assert_no_key("the questions", &qs);

    // The draw is frozen: editing the question later changes nothing in this attempt.
    let placed = t.get(&format!("/api/v1/courses/{}/quizzes/{q}/questions", c.course)).send().await;
    let placement = placed.body[0]["id"].as_i64().unwrap();
    let res = t
        .put(&format!("/api/v1/courses/{}/quizzes/{q}/questions/{placement}", c.course))
        .json(&json!({"question": {"question_text": "<p>Changed</p>"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["version"], 2, "a delivered question gets a new version");
    let qs = questions(&t, &s0_token, attempt["id"].as_i64().unwrap()).await;
    assert_eq!(named(&qs, "Q1")["question_text"], "<p>Q1?</p>");

    // The current attempt and its time.
    let mine = t.get(&format!("/api/v1/courses/{}/quizzes/{q}/submission", c.course)).token(&s0_token).send().await;
    assert_eq!(mine.body["quiz_submissions"][0]["id"], attempt["id"]);
    let time = t
        .get(&format!("/api/v1/courses/{}/quizzes/{q}/submissions/{}/time", c.course, attempt["id"]))
        .token(&s0_token)
        .send()
        .await;
    let left = time.body["time_left"].as_i64().unwrap();
    assert!((1700..=1800).contains(&left), "{}", time.body);
    assert_eq!(time.body["end_at"], attempt["end_at"]);
    assert!(event_types(&t).await.iter().filter(|e| *e == "attempt.started").count() == 2);
});

// ---- Answers and scoring ---------------------------------------------------------------------------------------

backend_test!(answers_follow_their_sequence_numbers_and_score_on_submit, |t| {
    let c = class(&t, 1).await;
    let q = quiz(&t, c.course, json!({"title": "Unit 2"}), &[mc("Q1", 2.0), numerical("Sum")]).await;
    let token = c.students[0].1.clone();
    let attempt = started(&t, &token, c.course, q).await;
    let id = attempt["id"].as_i64().unwrap();
    let qs = questions(&t, &token, id).await;
    let (q1, sum) = (named(&qs, "Q1").clone(), named(&qs, "Sum").clone());
    let (right, wrong) = (option(&q1, "Right"), option(&q1, "Wrong"));

    // seq 5 arrives, then a stale retry with seq 3: the newer answer stays.
    let res = answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": right, "seq": 5}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["quiz_submission_questions"][0]["answer"], right);
    assert_no_key("the answer response", &res.body);
    let res = answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": wrong, "seq": 3}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["quiz_submission_questions"][0]["answer"], right, "a stale seq never wins");
    let res = answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": wrong, "seq": 5}])).await;
    assert_eq!(res.body["quiz_submission_questions"][0]["answer"], right, "an equal seq is a retry");
    // Canvas clients send no seq: arrival order.
    let form = t
        .post(&format!("/api/v1/quiz_submissions/{id}/questions"))
        .token(&token)
        .form(&[
            ("attempt", "1".to_owned()),
            ("validation_token", attempt["validation_token"].as_str().unwrap().to_owned()),
            ("quiz_questions[][id]", sum["id"].to_string()),
            ("quiz_questions[][answer]", "4".to_owned()),
        ])
        .send()
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.body["quiz_submission_questions"][0]["answer"], "4");

    // Flags.
    let flag = t
        .put(&format!("/api/v1/quiz_submissions/{id}/questions/{}/flag", sum["id"]))
        .token(&token)
        .json(&json!({"attempt": 1, "validation_token": attempt["validation_token"]}))
        .send()
        .await;
    assert_eq!(flag.status, StatusCode::OK, "{}", flag.body);
    assert_eq!(flag.body["quiz_submission_questions"][0]["flagged"], true);
    assert_eq!(named(&questions(&t, &token, id).await, "Sum")["answer"], "4", "a flag keeps the answer");

    // Bad input: a question not in the attempt, a choice that does not exist, a wrong token; nothing is written.
    let res =
        answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": wrong, "seq": 9}, {"id": 999999, "answer": 1}]))
            .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/quiz_questions/1/id");
    let res = answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": 424242}])).await;
    res.assert_error(422, "validation_failed");
    assert_eq!(named(&questions(&t, &token, id).await, "Q1")["answer"], right);
    let mut forged = attempt.clone();
    forged["validation_token"] = json!("forged");
    answer(&t, &token, &forged, json!([{"id": q1["id"], "answer": wrong}]))
        .await
        .assert_error(403, "invalid_validation_token");

    // Submit: scored now, and the kept score lands in the submission.
    let done = complete(&t, &token, c.course, &attempt).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let done = &done.body["quiz_submissions"][0];
    assert_eq!((done["workflow_state"].as_str(), done["score"].as_f64()), (Some("complete"), Some(3.0)), "{done}");
    assert!(done.get("validation_token").is_none());
    let sub = submission_of(&t, c.course, q, c.students[0].0).await;
    assert_eq!((sub.score, sub.grade.as_deref(), sub.workflow_state.as_str()), (Some(3.0), Some("3"), "graded"));
    assert_eq!(
        (sub.submission_type.as_deref(), sub.attempt, sub.quiz_submission_id),
        (Some("online_quiz"), 1, Some(id))
    );
    let events = event_types(&t).await;
    assert!(events.contains(&"attempt.submitted".to_owned()) && events.contains(&"submission.graded".to_owned()));

    // After submitting: no more answers, no second submit.
    answer(&t, &token, &attempt, json!([{"id": q1["id"], "answer": wrong}])).await.assert_error(409, "attempt_closed");
    complete(&t, &token, c.course, &attempt).await.assert_error(409, "attempt_closed");
    // One attempt allowed (the default): no second one.
    start(&t, &token, c.course, q, json!({})).await.assert_error(409, "attempts_exhausted");
});

backend_test!(essays_wait_for_a_grader_who_scores_and_comments_them, |t| {
    let c = class(&t, 1).await;
    let q = quiz(&t, c.course, json!({"title": "Essay"}), &[mc("Q1", 2.0), essay("Essay", 5.0)]).await;
    let (student, token) = c.students[0].clone();
    let attempt = started(&t, &token, c.course, q).await;
    let id = attempt["id"].as_i64().unwrap();
    let qs = questions(&t, &token, id).await;
    let (q1, ess) = (named(&qs, "Q1").clone(), named(&qs, "Essay").clone());
    let res = answer(
        &t,
        &token,
        &attempt,
        json!([{"id": q1["id"], "answer": option(&q1, "Right")}, {"id": ess["id"], "answer": "<p>Energy is conserved.</p><script>x()</script>"}]),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(named(&res.body["quiz_submission_questions"], "Essay")["answer"], "<p>Energy is conserved.</p>");
    let done = complete(&t, &token, c.course, &attempt).await.body["quiz_submissions"][0].clone();
    assert_eq!((done["workflow_state"].as_str(), done["score"].as_f64()), (Some("pending_review"), Some(2.0)));
    assert_eq!(submission_of(&t, c.course, q, student).await.workflow_state, "pending_review");

    // A student cannot grade.
    let path = format!("/api/v1/courses/{}/quizzes/{q}/submissions/{id}", c.course);
    let grade = json!({"quiz_submissions": [{"attempt": 1, "fudge_points": 0.5,
        "questions": {ess["id"].to_string(): {"score": 4, "comment": "Good, but cite Noether."}}}]});
    t.put(&path).token(&token).json(&grade).send().await.assert_error(401, "unauthorized");
    // Bad scores are refused with a pointer, nothing written.
    let bad = json!({"quiz_submissions": [{"questions": {ess["id"].to_string(): {"score": "lots"}}}]});
    let res = t.put(&path).token(&c.teacher).json(&bad).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(
        res.body["errors"][0]["source"]["pointer"],
        format!("/quiz_submissions/0/questions/{}/score", ess["id"])
    );

    let res = t.put(&path).token(&c.teacher).json(&grade).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let graded = &res.body["quiz_submissions"][0];
    assert_eq!((graded["workflow_state"].as_str(), graded["score"].as_f64()), (Some("complete"), Some(6.5)));
    assert_eq!(graded["fudge_points"], 0.5);
    let sub = submission_of(&t, c.course, q, student).await;
    assert_eq!((sub.workflow_state.as_str(), sub.score), ("graded", Some(6.5)));
    let answers = assay_store::attempts::answers(t.store().read(), id).await.unwrap();
    let essay_answer = answers.values().find(|a| a.comment.is_some()).unwrap();
    assert_eq!((essay_answer.score, essay_answer.comment.as_deref()), (Some(4.0), Some("Good, but cite Noether.")));
    // The student sees the score now (the quiz posts grades automatically).
    let mine = t.get(&path).token(&token).send().await;
    assert_eq!(mine.body["quiz_submissions"][0]["score"], 6.5, "{}", mine.body);
    assert_eq!(mine.body["quiz_submissions"][0]["kept_score"], 6.5);
});

backend_test!(every_scoring_policy_keeps_its_score_and_attempts_run_out, |t| {
    let c = class(&t, 1).await;
    let (student, token) = c.students[0].clone();
    // Attempts scoring 2, 0, 1 (two one-point questions): highest 2, latest 1, average 1.
    for (policy, kept) in [("keep_highest", 2.0), ("keep_latest", 1.0), ("keep_average", 1.0)] {
        let q = quiz(
            &t,
            c.course,
            json!({"title": policy, "allowed_attempts": 3, "scoring_policy": policy}),
            &[mc("A", 1.0), mc("B", 1.0)],
        )
        .await;
        let scores: Vec<f64> = {
            let mut out = Vec::new();
            for choice in ["Right", "Wrong"] {
                out.push(sit(&t, &token, c.course, q, choice).await["score"].as_f64().unwrap());
            }
            // The third attempt: one right, one wrong.
            let attempt = started(&t, &token, c.course, q).await;
            let qs = questions(&t, &token, attempt["id"].as_i64().unwrap()).await;
            let (a, b) = (named(&qs, "A").clone(), named(&qs, "B").clone());
            let res = answer(
                &t,
                &token,
                &attempt,
                json!([{"id": a["id"], "answer": option(&a, "Right")}, {"id": b["id"], "answer": option(&b, "Wrong")}]),
            )
            .await;
            assert_eq!(res.status, StatusCode::OK);
            out.push(
                complete(&t, &token, c.course, &attempt).await.body["quiz_submissions"][0]["score"].as_f64().unwrap(),
            );
            out
        };
        assert_eq!(scores, [2.0, 0.0, 1.0], "{policy}");
        assert_eq!(submission_of(&t, c.course, q, student).await.score, Some(kept), "{policy}");
        let listed = t.get(&format!("/api/v1/courses/{}/quizzes/{q}/submissions", c.course)).token(&token).send().await;
        assert!(listed.body["quiz_submissions"].as_array().unwrap().iter().all(|a| a["kept_score"] == kept));
        if policy == "keep_highest" {
            start(&t, &token, c.course, q, json!({})).await.assert_error(409, "attempts_exhausted");
            // An extra attempt through a quiz extension.
            let res = t
                .post(&format!("/api/v1/courses/{}/quizzes/{q}/extensions", c.course))
                .json(&json!({"quiz_extensions": [{"user_id": student, "extra_attempts": 1}]}))
                .send()
                .await;
            assert!(res.status.is_success(), "{}", res.body);
            let fourth = start(&t, &token, c.course, q, json!({})).await;
            assert_eq!(fourth.status, StatusCode::CREATED, "{}", fourth.body);
            assert_eq!(fourth.body["quiz_submissions"][0]["attempt"], 4);
            assert_eq!(fourth.body["quiz_submissions"][0]["extra_attempts"], 1);
        }
    }
});

backend_test!(every_regrade_policy_rescores_delivered_attempts, |t| {
    let c = class(&t, 3).await;
    let q = quiz(&t, c.course, json!({"title": "Regrade"}), &[mc("Q1", 2.0)]).await;
    // Student 0 answers Right, student 1 Wrong, student 2 nothing.
    let mut attempts = Vec::new();
    for (i, (_, token)) in c.students.iter().enumerate() {
        let attempt = started(&t, token, c.course, q).await;
        let qs = questions(&t, token, attempt["id"].as_i64().unwrap()).await;
        let q1 = named(&qs, "Q1").clone();
        if i < 2 {
            let pick = option(&q1, if i == 0 { "Right" } else { "Wrong" });
            assert_eq!(
                answer(&t, token, &attempt, json!([{"id": q1["id"], "answer": pick}])).await.status,
                StatusCode::OK
            );
        }
        attempts.push(complete(&t, token, c.course, &attempt).await.body["quiz_submissions"][0].clone());
    }
    let scores = |list: &[Value]| list.iter().map(|a| a["score"].as_f64().unwrap()).collect::<Vec<_>>();
    assert_eq!(scores(&attempts), [2.0, 0.0, 0.0]);
    let placement = t.get(&format!("/api/v1/courses/{}/quizzes/{q}/questions", c.course)).send().await.body[0].clone();
    let path = format!("/api/v1/courses/{}/quizzes/{q}/questions/{}", c.course, placement["id"]);
    let (right_id, wrong_id) = (placement["answers"][0]["id"].clone(), placement["answers"][1]["id"].clone());
    let key = |right_is_correct: bool| {
        json!([{"id": right_id, "answer_text": "Right", "answer_weight": if right_is_correct { 100 } else { 0 }},
               {"id": wrong_id, "answer_text": "Wrong", "answer_weight": if right_is_correct { 0 } else { 100 }}])
    };
    let students: Vec<i64> = c.students.iter().map(|s| s.0).collect();
    // A bad policy is refused before anything changes.
    let res =
        t.put(&path).json(&json!({"question": {"answers": key(false), "regrade_option": "generous"}})).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/question/regrade_option");

    // The key moves to "Wrong"; only the new answer counts.
    let res = t
        .put(&path)
        .json(&json!({"question": {"answers": key(false), "regrade_option": "current_correct_only"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(kept_scores(&t, c.course, q, students.clone()).await, [0.0, 2.0, 0.0]);
    // Back to "Right", either answer counts (previous points are kept).
    let res = t
        .put(&path)
        .json(&json!({"question": {"answers": key(true)}, "regrade": {"policy": "current_and_previous_correct"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(kept_scores(&t, c.course, q, students.clone()).await, [2.0, 2.0, 0.0]);
    // Full credit for everyone, answered or not.
    let res =
        t.put(&path).json(&json!({"question": {"answers": key(false), "regrade_option": "full_credit"}})).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(kept_scores(&t, c.course, q, students.clone()).await, [2.0, 2.0, 2.0]);
    // No regrade asked: the attempts keep their scores.
    let res = t.put(&path).json(&json!({"question": {"answers": key(true)}})).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(kept_scores(&t, c.course, q, students.clone()).await, [2.0, 2.0, 2.0]);

    // Every regrade is recorded.
    use sea_orm::{EntityTrait, QueryOrder};
    let recorded = assay_store::entity::quiz_regrade::Entity::find()
        .order_by_asc(assay_store::entity::quiz_regrade::Column::Id)
        .all(t.store().read())
        .await
        .unwrap();
    let policies: Vec<&str> = recorded.iter().map(|r| r.policy.as_str()).collect();
    assert_eq!(policies, ["current_correct_only", "current_and_previous_correct", "full_credit"]);
    assert_eq!(recorded[0].attempts_regraded, 3);
    assert_eq!(event_types(&t).await.iter().filter(|e| *e == "quiz.regraded").count(), 3);
    let attempt = t
        .get(&format!("/api/v1/courses/{}/quizzes/{q}/submissions/{}", c.course, attempts[2]["id"]))
        .token(&c.teacher)
        .send()
        .await;
    assert_eq!(attempt.body["quiz_submissions"][0]["score"], 2.0);
});

async fn kept_scores(t: &TestApp, course: i64, quiz: i64, students: Vec<i64>) -> Vec<f64> {
    let mut out = Vec::new();
    for s in students {
        out.push(submission_of(t, course, quiz, s).await.score.unwrap());
    }
    out
}

// ---- Deadlines ------------------------------------------------------------------------------------------------

backend_test!(deadlines_refuse_late_answers_and_overdue_attempts_are_submitted_after_a_restart, |t| {
    let c = class(&t, 2).await;
    let lock = chrono::Utc::now() + chrono::TimeDelta::seconds(4);
    let q =
        quiz(&t, c.course, json!({"title": "Timed", "lock_at": lock.to_rfc3339()}), &[mc("Q1", 1.0), mc("Q2", 1.0)])
            .await;
    let (saver, saver_token) = c.students[0].clone();
    let late_token = c.students[1].1.clone();
    let attempt = started(&t, &saver_token, c.course, q).await;
    let late = started(&t, &late_token, c.course, q).await;
    let end = chrono::DateTime::parse_from_rfc3339(attempt["end_at"].as_str().unwrap()).unwrap();
    assert!((end.timestamp() - lock.timestamp()).abs() <= 1, "the deadline is the lock date");
    let qs = questions(&t, &saver_token, attempt["id"].as_i64().unwrap()).await;
    let q1 = named(&qs, "Q1").clone();
    let res =
        answer(&t, &saver_token, &attempt, json!([{"id": q1["id"], "answer": option(&q1, "Right"), "seq": 1}])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // The server goes down and comes back after the deadline: the worker submits the attempt by itself, with
    // what was saved.
    let down = (lock - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(300);
    t.restart(down).await;
    // The other student's answer arrives after the deadline: refused.
    let lq = named(&questions(&t, &late_token, late["id"].as_i64().unwrap()).await, "Q2").clone();
    let res = answer(&t, &late_token, &late, json!([{"id": lq["id"], "answer": option(&lq, "Right")}])).await;
    res.assert_error(409, "attempt_closed");
    let path = format!("/api/v1/courses/{}/quizzes/{q}/submissions/{}", c.course, attempt["id"]);
    let mut shown = Value::Null;
    for _ in 0..50 {
        shown = t.get(&path).token(&c.teacher).send().await.body["quiz_submissions"][0].clone();
        if shown["workflow_state"] == "complete" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        (shown["workflow_state"].as_str(), shown["overdue"].as_bool()),
        (Some("complete"), Some(true)),
        "{shown}"
    );
    assert_eq!(shown["score"], 1.0);
    assert_eq!(shown["finished_at"], shown["end_at"], "it ended at its deadline");
    assert_eq!(submission_of(&t, c.course, q, saver).await.score, Some(1.0));
    // Nor can a new attempt start: the quiz is locked.
    let other = person(&t, "Newcomer").await;
    enroll(&t, c.course, other.0, "StudentEnrollment").await;
    start(&t, &other.1, c.course, q, json!({})).await.assert_error(403, "quiz_locked");
});

backend_test!(an_extension_moves_the_deadline_of_the_attempt_in_progress, |t| {
    let c = class(&t, 3).await;
    let lock = chrono::Utc::now() + chrono::TimeDelta::minutes(10);
    let timed = quiz(&t, c.course, json!({"title": "Timed", "time_limit": 30}), &[mc("Q1", 1.0)]).await;
    let closing = quiz(
        &t,
        c.course,
        json!({"title": "Closing", "time_limit": 30, "lock_at": lock.to_rfc3339()}),
        &[mc("Q1", 1.0)],
    )
    .await;
    let (ada, ada_token) = c.students[0].clone();
    let (bob, bob_token) = c.students[1].clone();
    let (cy, _) = c.students[2].clone();
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().timestamp();
    let extend = |quiz: i64, fields: Value| {
        let t = &t;
        async move {
            t.post(&format!("/api/v1/courses/{}/quizzes/{quiz}/extensions", c.course))
                .json(&json!({"quiz_extensions": [fields]}))
                .send()
                .await
        }
    };
    let shown = |quiz: i64, attempt: Value| {
        let t = &t;
        async move {
            let path = format!("/api/v1/courses/{}/quizzes/{quiz}/submissions/{}", c.course, attempt["id"]);
            t.get(&path).send().await.body["quiz_submissions"][0].clone()
        }
    };
    // 30 minutes, then 15 more granted while sitting: the deadline moves 15 minutes later at once.
    let attempt = started(&t, &ada_token, c.course, timed).await;
    let started_at = time(&attempt["started_at"]);
    assert_eq!(time(&attempt["end_at"]) - started_at, 30 * 60);
    let res = extend(timed, json!({"user_id": ada, "extra_time": 15})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let now = shown(timed, attempt.clone()).await;
    assert_eq!((time(&now["end_at"]) - started_at, &now["extra_time"]), (45 * 60, &json!(15)), "{now}");
    let res = extend(timed, json!({"user_id": ada, "extend_from_end_at": 10})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(time(&shown(timed, attempt.clone()).await["end_at"]) - started_at, 55 * 60);

    // The lock date cuts the attempt at 10 minutes: extra time cannot pass it, an explicit extension can.
    let attempt = started(&t, &bob_token, c.course, closing).await;
    assert!((time(&attempt["end_at"]) - lock.timestamp()).abs() <= 1, "{attempt}");
    extend(closing, json!({"user_id": bob, "extra_time": 20})).await;
    assert!((time(&shown(closing, attempt.clone()).await["end_at"]) - lock.timestamp()).abs() <= 1);
    let res = extend(closing, json!({"user_id": bob, "extend_from_now": 60})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let end = time(&shown(closing, attempt.clone()).await["end_at"]);
    assert!((end - (chrono::Utc::now() + chrono::TimeDelta::minutes(60)).timestamp()).abs() <= 5, "{end}");
    // A student neither sitting the quiz nor holding an end time has nothing to extend from.
    extend(closing, json!({"user_id": cy, "extend_from_end_at": 10})).await.assert_error(422, "validation_failed");
});

// ---- Access ---------------------------------------------------------------------------------------------------

backend_test!(access_code_ip_filter_dates_and_roles_are_enforced_on_the_server, |t| {
    let c = class(&t, 1).await;
    let (student, token) = c.students[0].clone();
    let coded = quiz(&t, c.course, json!({"title": "Coded", "access_code": "sesame"}), &[mc("Q1", 1.0)]).await;
    start(&t, &token, c.course, coded, json!({})).await.assert_error(403, "invalid_access_code");
    start(&t, &token, c.course, coded, json!({"access_code": "Sesame"})).await.assert_error(403, "invalid_access_code");
    assert_eq!(start(&t, &token, c.course, coded, json!({"access_code": "sesame"})).await.status, StatusCode::CREATED);

    let elsewhere = quiz(&t, c.course, json!({"title": "Lab only", "ip_filter": "10.0.0.0/8"}), &[mc("Q1", 1.0)]).await;
    start(&t, &token, c.course, elsewhere, json!({})).await.assert_error(403, "ip_not_allowed");
    let here =
        quiz(&t, c.course, json!({"title": "Here", "ip_filter": "10.0.0.0/8, 127.0.0.1"}), &[mc("Q1", 1.0)]).await;
    assert_eq!(start(&t, &token, c.course, here, json!({})).await.status, StatusCode::CREATED);

    let future = (chrono::Utc::now() + chrono::TimeDelta::days(2)).to_rfc3339();
    let later = quiz(&t, c.course, json!({"title": "Later", "unlock_at": future}), &[mc("Q1", 1.0)]).await;
    start(&t, &token, c.course, later, json!({})).await.assert_error(403, "quiz_locked");
    let past = (chrono::Utc::now() - chrono::TimeDelta::days(1)).to_rfc3339();
    let over = quiz(&t, c.course, json!({"title": "Over", "lock_at": past}), &[mc("Q1", 1.0)]).await;
    start(&t, &token, c.course, over, json!({})).await.assert_error(403, "quiz_locked");
    // An extension unlocks it for this student.
    let res = t
        .post(&format!("/api/v1/courses/{}/quizzes/{over}/extensions", c.course))
        .json(&json!({"quiz_extensions": [{"user_id": student, "manually_unlocked": true, "extra_time": 15}]}))
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    let res = start(&t, &token, c.course, over, json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["quiz_submissions"][0]["manually_unlocked"], true);

    // A teacher is not a candidate; an unpublished quiz does not exist for students.
    start(&t, &c.teacher, c.course, coded, json!({"access_code": "sesame"})).await.assert_error(401, "unauthorized");
    let res = t
        .post(&format!("/api/v1/courses/{}/quizzes", c.course))
        .json(&json!({"quiz": {"title": "Draft"}}))
        .send()
        .await;
    let draft = res.body["id"].as_i64().unwrap();
    start(&t, &token, c.course, draft, json!({})).await.assert_error(404, "quiz_not_found");
});

backend_test!(attempts_are_private_to_their_student_and_school, |t| {
    let c = class(&t, 2).await;
    let q = quiz(&t, c.course, json!({"title": "Private"}), &[mc("Q1", 1.0)]).await;
    let (_, mine) = c.students[0].clone();
    let (_, other) = c.students[1].clone();
    let attempt = started(&t, &mine, c.course, q).await;
    started(&t, &other, c.course, q).await;
    let id = attempt["id"].as_i64().unwrap();
    let show = format!("/api/v1/courses/{}/quizzes/{q}/submissions/{id}", c.course);
    // Another student: as if it did not exist.
    t.get(&show).token(&other).send().await.assert_error(404, "quiz_submission_not_found");
    t.get(&format!("/api/v1/quiz_submissions/{id}/questions"))
        .token(&other)
        .send()
        .await
        .assert_error(404, "quiz_submission_not_found");
    t.get(&format!("{show}/time")).token(&other).send().await.assert_error(404, "quiz_submission_not_found");
    answer(&t, &other, &attempt, json!([])).await.assert_error(404, "quiz_submission_not_found");
    complete(&t, &other, c.course, &attempt).await.assert_error(404, "quiz_submission_not_found");
    // Lists: a student sees their own, the teacher everyone's; the token only to its owner.
    let list = format!("/api/v1/courses/{}/quizzes/{q}/submissions", c.course);
    let own = t.get(&list).token(&other).send().await;
    assert_eq!(own.body["quiz_submissions"].as_array().unwrap().len(), 1);
    assert_ne!(own.body["quiz_submissions"][0]["id"], attempt["id"]);
    let all = t.get(&list).token(&c.teacher).send().await;
    assert_eq!(all.body["quiz_submissions"].as_array().unwrap().len(), 2);
    assert!(all.body["quiz_submissions"].as_array().unwrap().iter().all(|a| a.get("validation_token").is_none()));
    let seen = t.get(&show).token(&c.teacher).send().await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_no_key(
        "the questions a teacher reads",
        &t.get(&format!("/api/v1/quiz_submissions/{id}/questions")).token(&c.teacher).send().await.body,
    );
    // A teacher cannot answer for the student.
    answer(&t, &c.teacher, &attempt, json!([])).await.assert_error(401, "unauthorized");
    // Another school: 404 everywhere.
    let school_b = t.create_school("School B").await;
    t.get(&show).token(&school_b.admin_token).send().await.assert_error(404, "course_not_found");
    t.get(&format!("/api/v1/quiz_submissions/{id}/questions"))
        .token(&school_b.admin_token)
        .send()
        .await
        .assert_error(404, "quiz_submission_not_found");
});

// ---- Crash test -------------------------------------------------------------------------------------------------

mod crash {
    //! Concurrent autosaves against the real `assay` binary, killed with SIGKILL mid-load; after a restart on the
    //! same database every save that was acknowledged (2xx) is there with its value (or a later one).

    use std::{
        collections::HashMap,
        io::{BufRead, BufReader},
        process::{Command, Stdio},
        sync::{Arc, Mutex},
        time::{Duration, Instant},
    };

    use serde_json::{Value, json};

    use super::*;
    use crate::harness::{Db, TestDb};

    fn serve(url: &str) -> (std::process::Child, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
        for (key, _) in std::env::vars() {
            if key.starts_with("ASSAY_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd
            .env("RUST_LOG", "warn")
            .env("ASSAY_RATE_LIMIT_ENABLED", "false")
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", url])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn assay serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().expect("a banner").expect("banner line");
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first}"))
            .trim_end_matches(['.', ','])
            .to_owned();
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        (child, base)
    }

    async fn wait_ready(client: &reqwest::Client, base: &str) {
        for _ in 0..100 {
            if client.get(format!("{base}/api/diagnostics/health")).send().await.is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server at {base} did not come up");
    }

    async fn run(db: Db) {
        let Some(test_db) = TestDb::create(db).await else { return };
        // Set up through the in-process server: a class, a quiz with many questions, a started attempt.
        let t = TestApp::start(db, &test_db.url, |_| {}).await;
        let c = class(&t, 1).await;
        let names: Vec<String> = (0..12).map(|i| format!("S{i}")).collect();
        let short: Vec<Value> = names
            .iter()
            .map(|n| {
                json!({"question_name": n, "question_type": "short_answer_question", "question_text": "<p>?</p>",
                "points_possible": 1, "answers": [{"answer_text": "x", "answer_weight": 100}]})
            })
            .collect();
        let q = quiz(&t, c.course, json!({"title": "Crash"}), &short).await;
        let token = c.students[0].1.clone();
        let attempt = started(&t, &token, c.course, q).await;
        let id = attempt["id"].as_i64().unwrap();
        let question_ids: Vec<i64> =
            questions(&t, &token, id).await.as_array().unwrap().iter().map(|q| q["id"].as_i64().unwrap()).collect();
        t.stop().await;

        let (mut child, base) = serve(&test_db.url);
        let client = reqwest::Client::new();
        wait_ready(&client, &base).await;
        // Each writer owns a few questions and saves them with rising seqs; acknowledged saves are recorded.
        let acked: Arc<Mutex<HashMap<i64, i64>>> = Arc::new(Mutex::new(HashMap::new()));
        // Writers run until the server dies (bounded, should the kill not come).
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut writers = Vec::new();
        for w in 0..4usize {
            let (client, base, token, acked) = (client.clone(), base.clone(), token.clone(), acked.clone());
            let mine: Vec<i64> = question_ids.iter().copied().skip(w).step_by(4).collect();
            let validation = attempt["validation_token"].clone();
            writers.push(tokio::spawn(async move {
                let mut seq = 0i64;
                while Instant::now() < deadline {
                    seq += 1;
                    let items: Vec<Value> =
                        mine.iter().map(|q| json!({"id": q, "answer": format!("v{seq}"), "seq": seq})).collect();
                    let sent = client
                        .post(format!("{base}/api/v1/quiz_submissions/{id}/questions"))
                        .bearer_auth(&token)
                        .json(&json!({"attempt": 1, "validation_token": validation, "quiz_questions": items}))
                        .timeout(Duration::from_secs(2))
                        .send()
                        .await;
                    match sent {
                        Ok(res) if res.status().is_success() => {
                            let mut acked = acked.lock().unwrap();
                            for q in &mine {
                                acked.insert(*q, seq);
                            }
                        }
                        Ok(res) => panic!("a save was refused: {}", res.status()),
                        // The server is gone: nothing more can be acknowledged.
                        Err(_) => break,
                    }
                }
            }));
        }
        // Kill once every question has a few acknowledged saves, while more are in flight.
        let ready = Instant::now() + Duration::from_secs(10);
        while Instant::now() < ready {
            let acked = acked.lock().unwrap().clone();
            if acked.len() == question_ids.len() && acked.values().all(|s| *s >= 3) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        for w in writers {
            w.await.expect("writer");
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() == question_ids.len() && acked.values().all(|s| *s >= 3),
            "too few saves before the kill: {acked:?}"
        );

        // Restart on the same database: every acknowledged save is there.
        let (mut child, base) = serve(&test_db.url);
        wait_ready(&client, &base).await;
        let shown: Value = client
            .get(format!("{base}/api/v1/quiz_submissions/{id}/questions"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        for q in shown["quiz_submission_questions"].as_array().unwrap() {
            let qid = q["id"].as_i64().unwrap();
            let stored: i64 =
                q["answer"].as_str().and_then(|a| a.strip_prefix('v')).and_then(|s| s.parse().ok()).unwrap_or(0);
            let ack = acked.get(&qid).copied().unwrap_or(0);
            assert!(stored >= ack, "question {qid}: acknowledged v{ack}, stored {:?}", q["answer"]);
        }
        test_db.drop_db().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn acknowledged_autosaves_survive_sigkill_sqlite() {
        run(Db::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn acknowledged_autosaves_survive_sigkill_postgres() {
        run(Db::Postgres).await;
    }
}
