//! Builds what the scenarios need through the public API: a school, a published course, N candidates with
//! tokens, and a published test of 20 auto-scored questions of mixed types.

use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use crate::{
    client::{Body, Http},
    roster,
    server::Target,
};

/// One candidate: who they are and the token they sit the test with.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub user_id: i64,
    pub token: String,
}

/// Everything provisioned for a run.
pub struct World {
    pub school_id: i64,
    pub admin_token: String,
    pub course_id: i64,
    pub quiz_id: i64,
    pub candidates: Vec<Candidate>,
}

/// Expects a 2xx reply and returns its JSON.
pub fn expect_json(what: &str, reply: &crate::client::Reply) -> anyhow::Result<Value> {
    if !reply.ok() {
        bail!("{what}: {}", reply.describe());
    }
    reply.json()
}

/// A school with an administrator and the administrator's token (operator commands: there is no school yet to
/// call the API as).
pub async fn school(target: &Target) -> anyhow::Result<(i64, String)> {
    let name = format!("Bench School {}", chrono::Utc::now().format("%Y%m%d%H%M%S%f"));
    let out = target.admin(&["create-school", &name]).await?;
    let field = |key: &str| -> anyhow::Result<i64> {
        out.split_whitespace()
            .find_map(|part| part.strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("`{key}` missing from `{out}`"))
    };
    let (school_id, admin_id) = (field("school_id=")?, field("admin_user_id=")?);
    let token = target
        .admin(&["create-token", "--user", &admin_id.to_string(), "--expires-in-days", "1"])
        .await?
        .trim()
        .to_owned();
    Ok((school_id, token))
}

/// Posts a SIS import zip and waits for it to finish; returns the import's final JSON.
pub async fn sis_import(http: &Http, token: &str, school_id: i64, zip: Vec<u8>) -> anyhow::Result<Value> {
    let reply = http
        .send(
            Method::POST,
            &format!("/api/v1/accounts/{school_id}/sis_imports?import_type=instructure_csv&extension=zip"),
            Some(token),
            Body::Raw { content_type: "application/zip", bytes: Bytes::from(zip) },
        )
        .await?;
    let created = expect_json("posting the SIS import", &reply)?;
    let id = created["id"].as_i64().context("the SIS import has no id")?;
    loop {
        let reply = http.get(&format!("/api/v1/accounts/{school_id}/sis_imports/{id}"), Some(token)).await?;
        let import = expect_json("reading the SIS import", &reply)?;
        match import["workflow_state"].as_str() {
            Some("imported") => return Ok(import),
            Some("imported_with_messages" | "failed" | "failed_with_messages" | "aborted") => {
                bail!("the SIS import ended {}: {}", import["workflow_state"], import["processing_errors"])
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// The 20 questions of the bench test: choice, true/false, short answer, numerical and multiple answers.
fn questions() -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..6 {
        out.push(json!({"question_name": format!("Choice {i}"), "question_type": "multiple_choice_question",
            "question_text": format!("<p>Which is the letter number {i}?</p>"), "points_possible": 1,
            "answers": [{"answer_text": "A", "answer_weight": 100}, {"answer_text": "B", "answer_weight": 0},
                        {"answer_text": "C", "answer_weight": 0}, {"answer_text": "D", "answer_weight": 0}]}));
    }
    for i in 0..4 {
        out.push(json!({"question_name": format!("True or false {i}"), "question_type": "true_false_question",
            "question_text": format!("<p>{i} is even.</p>"), "points_possible": 1,
            "answers": [{"answer_text": "True", "answer_weight": if i % 2 == 0 { 100 } else { 0 }},
                        {"answer_text": "False", "answer_weight": if i % 2 == 0 { 0 } else { 100 }}]}));
    }
    for i in 0..4 {
        out.push(json!({"question_name": format!("Short answer {i}"), "question_type": "short_answer_question",
            "question_text": format!("<p>Name colour {i}.</p>"), "points_possible": 1,
            "answers": [{"answer_text": "red", "answer_weight": 100}, {"answer_text": "rouge", "answer_weight": 100}]}));
    }
    for i in 0..3 {
        out.push(json!({"question_name": format!("Number {i}"), "question_type": "numerical_question",
            "question_text": format!("<p>What is {i} + 40?</p>"), "points_possible": 2,
            "answers": [{"numerical_answer_type": "exact_answer", "answer_exact": 40 + i, "answer_error_margin": 0.5, "answer_weight": 100}]}));
    }
    for i in 0..3 {
        out.push(json!({"question_name": format!("Several {i}"), "question_type": "multiple_answers_question",
            "question_text": "<p>Which are prime?</p>", "points_possible": 2,
            "answers": [{"answer_text": "2", "answer_weight": 100}, {"answer_text": "3", "answer_weight": 100},
                        {"answer_text": "4", "answer_weight": 0}, {"answer_text": "9", "answer_weight": 0}]}));
    }
    out
}

/// School, course, candidates with tokens, and the published test.
pub async fn world(target: &Target, candidates: usize) -> anyhow::Result<World> {
    let http = &target.http;
    let (school_id, admin_token) = school(target).await?;
    let token = Some(admin_token.as_str());
    let sis_course_id = format!("BENCH-{school_id}");
    let course = expect_json(
        "creating the course",
        &http
            .post(
                &format!("/api/v1/accounts/{school_id}/courses"),
                token,
                json!({"course": {"name": "Bench course", "course_code": "BENCH", "sis_course_id": sis_course_id}, "offer": true}),
            )
            .await?,
    )?;
    let course_id = course["id"].as_i64().context("the course has no id")?;
    if candidates > 0 {
        sis_import(http, &admin_token, school_id, roster::candidates(&sis_course_id, candidates)?).await?;
    }
    let csv = target
        .admin(&["create-student-tokens", "--school", &school_id.to_string(), "--course", &course_id.to_string()])
        .await?;
    let mut issued = Vec::with_capacity(candidates);
    for line in csv.lines().skip(1) {
        let mut fields = line.split(',');
        let user_id = fields.next().and_then(|v| v.parse().ok()).context("a token line without a user id")?;
        let token = fields.nth(1).context("a token line without a token")?.to_owned();
        issued.push(Candidate { user_id, token });
    }
    if issued.len() != candidates {
        bail!("{} candidate tokens for {candidates} candidates", issued.len());
    }

    let quiz = expect_json(
        "creating the test",
        &http
            .post(
                &format!("/api/v1/courses/{course_id}/quizzes"),
                token,
                json!({"quiz": {"title": "Bench test", "quiz_type": "assignment", "allowed_attempts": 1, "shuffle_answers": true}}),
            )
            .await?,
    )?;
    let quiz_id = quiz["id"].as_i64().context("the test has no id")?;
    for question in questions() {
        expect_json(
            "adding a question",
            &http
                .post(
                    &format!("/api/v1/courses/{course_id}/quizzes/{quiz_id}/questions"),
                    token,
                    json!({"question": question}),
                )
                .await?,
        )?;
    }
    expect_json(
        "publishing the test",
        &http
            .put(&format!("/api/v1/courses/{course_id}/quizzes/{quiz_id}"), token, json!({"quiz": {"published": true}}))
            .await?,
    )?;
    Ok(World { school_id, admin_token, course_id, quiz_id, candidates: issued })
}
