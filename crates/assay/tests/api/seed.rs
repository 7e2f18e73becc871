//! Results written straight through the store, for the gradebook, appeals and statistics tests: graded
//! submissions and finished quiz attempts. The grading and delivery APIs that will make these are built alongside;
//! every test that needs a result gets it from here, so moving to the public API is a change in this one file.

use assay_store::{
    Scope,
    entity::{quiz_answer, quiz_submission, submission},
    submissions,
};
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
    grade_attempt(t, course, assignment, user, grade, None).await
}

/// Gives a grade whose result is the quiz attempt `quiz_submission_id` (a quiz's kept attempt).
pub async fn grade_attempt(
    t: &TestApp,
    course: i64,
    assignment: i64,
    user: i64,
    grade: Grade,
    quiz_submission_id: Option<i64>,
) -> i64 {
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
                if quiz_submission_id.is_some() {
                    row.quiz_submission_id = Set(quiz_submission_id);
                    row.submission_type = Set(Some("online_quiz".to_owned()));
                    row.submitted_at = Set(Some(now));
                    row.attempt = Set(1);
                }
                row.updated_at = Set(now);
                let saved: submission::Model = row.update(txn).await?;
                submissions::record_version(txn, &saved).await?;
                Ok(saved.id)
            })
        })
        .await
        .expect("seed a grade")
}

/// One drawn question of an attempt.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub question_id: i64,
    pub points: f64,
    /// The candidate's response (JSON of `assay_domain::question::Response`), if any.
    pub response: Option<Value>,
    pub score: Option<f64>,
    /// `correct`, `partial`, `incorrect`.
    pub correct: Option<&'static str>,
}

/// A finished attempt (`complete`, or another `workflow_state`) of `user` at a quiz, with its answers; returns
/// the attempt's id. Question versions are the questions' current ones (1 for questions never edited).
pub async fn attempt(
    t: &TestApp,
    course: i64,
    quiz: i64,
    user: i64,
    number: i32,
    workflow_state: &'static str,
    questions: Vec<Drawn>,
) -> i64 {
    let scope = scope(t);
    let root = scope.root_account_id();
    t.store()
        .write(move |txn| {
            Box::pin(async move {
                let now = assay_store::now();
                let draw: Vec<Value> = questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| {
                        json!({"question_id": q.question_id, "question_version": 1, "points": q.points,
                            "quiz_group_id": null, "position": i + 1, "answer_order": []})
                    })
                    .collect();
                let score: f64 = questions.iter().filter_map(|q| q.score).sum();
                let row = quiz_submission::ActiveModel {
                    root_account_id: Set(root),
                    course_id: Set(course),
                    quiz_id: Set(quiz),
                    user_id: Set(user),
                    submission_id: Set(None),
                    attempt: Set(number),
                    workflow_state: Set(workflow_state.to_owned()),
                    seed: Set(i64::from(number)),
                    draw: Set(Value::Array(draw).to_string()),
                    validation_token: Set(format!("seed-{user}-{number}")),
                    started_at: Set(now - chrono::TimeDelta::minutes(30)),
                    end_at: Set(None),
                    finished_at: Set((workflow_state != "untaken").then_some(now)),
                    points_possible: Set(questions.iter().map(|q| q.points).sum()),
                    score: Set((workflow_state != "untaken").then_some(score)),
                    fudge_points: Set(0.0),
                    extra_time: Set(0),
                    manually_unlocked: Set(false),
                    overdue: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                for (i, q) in questions.into_iter().enumerate() {
                    quiz_answer::ActiveModel {
                        root_account_id: Set(root),
                        quiz_submission_id: Set(row.id),
                        question_id: Set(q.question_id),
                        answer: Set(q.response.map(|r| r.to_string())),
                        seq: Set(i as i64 + 1),
                        saved_at: Set(now),
                        flagged: Set(false),
                        score: Set(q.score),
                        correct: Set(q.correct.map(str::to_owned)),
                        comment: Set(None),
                        graded_by: Set(None),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?;
                }
                Ok(row.id)
            })
        })
        .await
        .expect("seed an attempt")
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

/// A published quiz of `course` (graded: it has an assignment) with multiple-choice questions worth `points`
/// each ("Right" correct, "Wrong" not); returns the quiz id, its assignment id and the questions' ids (the ids
/// attempts record, not the placements' ids) in order.
pub async fn quiz(t: &TestApp, course: i64, title: &str, points: &[f64]) -> (i64, i64, Vec<i64>) {
    let base = format!("/api/v1/courses/{course}/quizzes");
    let res = t.post(&base).json(&json!({"quiz": {"title": title, "quiz_type": "assignment"}})).send().await;
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
    let assignment = res.body["assignment_id"].as_i64().expect("a graded quiz has an assignment");
    (quiz, assignment, questions)
}

/// The choice ids of a multiple-choice question, in authored order.
pub async fn choice_ids(t: &TestApp, question_id: i64) -> Vec<String> {
    let view = assay_store::questions::find(t.store().read(), &scope(t), question_id).await.expect("question");
    match view.body.answer {
        assay_domain::question::AnswerModel::MultipleChoice { choices } => choices.into_iter().map(|c| c.id).collect(),
        other => panic!("not a multiple-choice question: {other:?}"),
    }
}
