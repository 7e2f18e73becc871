//! A candidate's side of a test attempt over the Canvas quiz-submission API: start, read the questions, save
//! answers (each with a client sequence number), submit.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::client::{Http, Reply};

/// An attempt as the candidate holds it.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub id: i64,
    pub attempt: i64,
    pub validation_token: String,
}

/// A question as the candidate sees it, with the answer the bench gives.
#[derive(Clone, Debug)]
pub struct Shown {
    pub id: i64,
    pub answer: Value,
}

pub async fn start(http: &Http, token: &str, course_id: i64, quiz_id: i64) -> anyhow::Result<(Reply, Option<Attempt>)> {
    let reply = http
        .post(&format!("/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions"), Some(token), json!({}))
        .await?;
    if !reply.ok() {
        return Ok((reply, None));
    }
    let body = reply.json()?;
    let qs = &body["quiz_submissions"][0];
    let attempt = Attempt {
        id: qs["id"].as_i64().context("no attempt id")?,
        attempt: qs["attempt"].as_i64().context("no attempt number")?,
        validation_token: qs["validation_token"].as_str().context("no validation token")?.to_owned(),
    };
    Ok((reply, Some(attempt)))
}

/// The answer the bench gives to a shown question: the first choice, or a fixed text or number.
fn answer_for(question: &Value) -> anyhow::Result<Value> {
    let first_choice = || question["answers"][0]["id"].clone();
    Ok(match question["question_type"].as_str().unwrap_or_default() {
        "multiple_choice_question" | "true_false_question" => first_choice(),
        "multiple_answers_question" => json!([first_choice()]),
        "short_answer_question" => json!("red"),
        "numerical_question" => json!(41),
        other => bail!("the bench test has no {other}"),
    })
}

pub async fn questions(http: &Http, token: &str, attempt: &Attempt) -> anyhow::Result<(Reply, Vec<Shown>)> {
    let reply = http.get(&format!("/api/v1/quiz_submissions/{}/questions", attempt.id), Some(token)).await?;
    if !reply.ok() {
        return Ok((reply, Vec::new()));
    }
    let body = reply.json()?;
    let mut shown = Vec::new();
    for q in body["quiz_submission_questions"].as_array().context("no questions")? {
        shown.push(Shown { id: q["id"].as_i64().context("a question without id")?, answer: answer_for(q)? });
    }
    Ok((reply, shown))
}

/// Saves one answer with sequence number `seq`.
pub async fn save(http: &Http, token: &str, attempt: &Attempt, question: &Shown, seq: i64) -> anyhow::Result<Reply> {
    http.post(
        &format!("/api/v1/quiz_submissions/{}/questions", attempt.id),
        Some(token),
        json!({
            "attempt": attempt.attempt,
            "validation_token": attempt.validation_token,
            "seq": seq,
            "quiz_questions": [{"id": question.id, "answer": question.answer}],
        }),
    )
    .await
}

pub async fn complete(
    http: &Http,
    token: &str,
    course_id: i64,
    quiz_id: i64,
    attempt: &Attempt,
) -> anyhow::Result<Reply> {
    http.post(
        &format!("/api/v1/courses/{course_id}/quizzes/{quiz_id}/submissions/{}/complete", attempt.id),
        Some(token),
        json!({"attempt": attempt.attempt, "validation_token": attempt.validation_token}),
    )
    .await
}
