//! Results for the gradebook, appeals and statistics tests. Quiz attempts are sat through the delivery API.
//! Grades on other assignments are written straight through the store by [`grade`]: the gradebook, appeals and
//! statistics tests need exact states in one step (posted or hidden per submission, `pending_review` on work that
//! is not a quiz, a grade with no submission) that the grading API reaches only through longer workflows, which
//! `grading.rs` and `submissions.rs` test on their own.

use assay_store::{Scope, entity::submission, submissions};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// A grade to give.
#[derive(Debug, Clone, Copy, Default)]
pub struct Grade {
    pub score: Option<f64>,
    pub excused: bool,
    /// Posted to the student.
    pub posted: bool,
    /// Handed in, waiting for a grader.
    pub pending_review: bool,
    /// Marked missing (`late_policy_status: missing`).
    pub missing: bool,
}

impl Grade {
    /// A posted score.
    pub fn posted(score: f64) -> Grade {
        Grade { score: Some(score), posted: true, ..Grade::default() }
    }

    /// A score not posted yet.
    pub fn hidden(score: f64) -> Grade {
        Grade { score: Some(score), ..Grade::default() }
    }
}

fn scope(t: &TestApp) -> Scope {
    Scope::school(t.school.id)
}

/// Gives `user` a grade on an assignment of `course` (creating the submission); returns the submission id.
pub async fn grade(t: &TestApp, course: i64, assignment: i64, user: i64, grade: Grade) -> i64 {
    let scope = scope(t);
    t.store()
        .write(move |txn| {
            Box::pin(async move {
                let found = submissions::find_or_create(txn, &scope, course, assignment, user).await?;
                let now = assay_store::now();
                let mut row = found.into_active_model();
                let state = match (grade.pending_review, grade.score.is_some() || grade.excused) {
                    (true, _) => submissions::PENDING_REVIEW,
                    (false, true) => submissions::GRADED,
                    (false, false) => submissions::UNSUBMITTED,
                };
                row.workflow_state = Set(state.to_owned());
                row.score = Set(grade.score);
                row.entered_score = Set(grade.score);
                row.grade = Set(grade.score.map(|s| s.to_string()));
                row.entered_grade = Set(grade.score.map(|s| s.to_string()));
                row.excused = Set(grade.excused);
                row.graded_at = Set(grade.score.map(|_| now));
                row.posted_at = Set(grade.posted.then_some(now));
                row.late_policy_status = Set(grade.missing.then(|| "missing".to_owned()));
                row.updated_at = Set(now);
                let saved: submission::Model = row.update(txn).await?;
                submissions::record_version(txn, &saved).await?;
                Ok(saved.id)
            })
        })
        .await
        .expect("seed a grade")
}

/// What a candidate does with one question of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Right,
    Wrong,
    Blank,
}

/// Sits a quiz made by [`quiz`] through the delivery API as the candidate holding `token`: starts an attempt,
/// answers each question in order (`Right`, `Wrong`, or leaves it blank) and submits, unless `submit` is false
/// (the attempt stays in progress). Returns the attempt's id. Scoring and the kept result are delivery's.
pub async fn sit(t: &TestApp, token: &str, course: i64, quiz: i64, picks: &[Pick], submit: bool) -> i64 {
    let res = t
        .post(&format!("/api/v1/courses/{course}/quizzes/{quiz}/submissions"))
        .token(token)
        .json(&json!({}))
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    let attempt = res.body["quiz_submissions"][0].clone();
    let id = attempt["id"].as_i64().expect("attempt id");
    let res = t.get(&format!("/api/v1/quiz_submissions/{id}/questions")).token(token).send().await;
    assert_eq!(res.status, reqwest::StatusCode::OK, "{}", res.body);
    let questions = res.body["quiz_submission_questions"].as_array().expect("questions").clone();
    assert_eq!(questions.len(), picks.len(), "one pick per question");
    let items: Vec<Value> = questions
        .iter()
        .zip(picks)
        .filter(|(_, pick)| **pick != Pick::Blank)
        .map(|(q, pick)| {
            let text = if *pick == Pick::Right { "Right" } else { "Wrong" };
            let option = q["answers"].as_array().expect("answers").iter().find(|a| a["text"] == text).expect("option");
            json!({"id": q["id"], "answer": option["id"]})
        })
        .collect();
    let res = t
        .post(&format!("/api/v1/quiz_submissions/{id}/questions"))
        .token(token)
        .json(&json!({"attempt": attempt["attempt"], "validation_token": attempt["validation_token"], "quiz_questions": items}))
        .send()
        .await;
    assert_eq!(res.status, reqwest::StatusCode::OK, "{}", res.body);
    if submit {
        let res = t
            .post(&format!("/api/v1/courses/{course}/quizzes/{quiz}/submissions/{id}/complete"))
            .token(token)
            .json(&json!({"attempt": attempt["attempt"], "validation_token": attempt["validation_token"]}))
            .send()
            .await;
        assert_eq!(res.status, reqwest::StatusCode::OK, "{}", res.body);
    }
    id
}

/// A published course of School A; returns its id.
pub async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().expect("course id")
}

/// A user of School A enrolled (active) in `course` as `enrollment_type`; returns the user id and a token.
pub async fn person(t: &TestApp, course: i64, name: &str, enrollment_type: &str) -> (i64, String) {
    let handle: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    let login = format!("{handle}@school-a.test");
    let id = t.create_user(name, &login, Some(&format!("SIS-{}", name.replace(' ', "-")))).await["id"]
        .as_i64()
        .expect("user id");
    let res = t
        .post(&format!("/api/v1/courses/{course}/enrollments"))
        .form(&[
            ("enrollment[user_id]", id.to_string()),
            ("enrollment[type]", enrollment_type.to_owned()),
            ("enrollment[enrollment_state]", "active".to_owned()),
        ])
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    (id, t.token_for(id).await)
}

/// An assignment of `course` (JSON fields of `assignment[…]`, published unless they say otherwise); returns its id.
pub async fn assignment(t: &TestApp, course: i64, mut fields: Value) -> i64 {
    if fields.get("published").is_none() {
        fields["published"] = json!(true);
    }
    let res =
        t.post(&format!("/api/v1/courses/{course}/assignments")).json(&json!({ "assignment": fields })).send().await;
    assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().expect("assignment id")
}

/// A published quiz of `course` (graded: it has an assignment; any number of attempts, the latest kept) with
/// multiple-choice questions worth `points` each ("Right" correct, "Wrong" not); returns the quiz id, its
/// assignment id and the questions' ids (the ids attempts record, not the placements' ids) in order.
pub async fn quiz(t: &TestApp, course: i64, title: &str, points: &[f64]) -> (i64, i64, Vec<i64>) {
    let settings =
        json!({"title": title, "quiz_type": "assignment", "allowed_attempts": -1, "scoring_policy": "keep_latest"});
    let (quiz, assignment, questions) = quiz_with(t, course, settings, points).await;
    (quiz, assignment.expect("a graded quiz has an assignment"), questions)
}

/// A published quiz with these `quiz[…]` settings and multiple-choice questions worth `points`; returns its id,
/// its assignment's id (none for practice quizzes and surveys) and the questions' ids.
pub async fn quiz_with(t: &TestApp, course: i64, settings: Value, points: &[f64]) -> (i64, Option<i64>, Vec<i64>) {
    let base = format!("/api/v1/courses/{course}/quizzes");
    let res = t.post(&base).json(&json!({ "quiz": settings })).send().await;
    assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.body);
    let quiz = res.body["id"].as_i64().expect("quiz id");
    let mut questions = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let body = json!({"question": {"question_name": format!("Q{}", i + 1), "question_type": "multiple_choice_question",
            "question_text": "<p>Pick</p>", "points_possible": p,
            "answers": [{"answer_text": "Right", "answer_weight": 100}, {"answer_text": "Wrong", "answer_weight": 0}]}});
        let res = t.post(&format!("{base}/{quiz}/questions")).json(&body).send().await;
        assert_eq!(res.status, reqwest::StatusCode::CREATED, "{}", res.body);
        let placement = res.body["id"].as_i64().expect("placement id");
        let placed = assay_store::quizzes::find_placed(t.store().read(), &scope(t), quiz, placement)
            .await
            .expect("placed question");
        questions.push(placed.question.question.id);
    }
    let res = t.put(&format!("{base}/{quiz}")).json(&json!({"quiz": {"published": true}})).send().await;
    assert_eq!(res.status, reqwest::StatusCode::OK, "{}", res.body);
    (quiz, res.body["assignment_id"].as_i64(), questions)
}

/// The choice ids of a multiple-choice question, in authored order.
pub async fn choice_ids(t: &TestApp, question_id: i64) -> Vec<String> {
    let view = assay_store::questions::find(t.store().read(), &scope(t), question_id).await.expect("question");
    match view.body.answer {
        assay_domain::question::AnswerModel::MultipleChoice { choices } => choices.into_iter().map(|c| c.id).collect(),
        other => panic!("not a multiple-choice question: {other:?}"),
    }
}
