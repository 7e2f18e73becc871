//! Reads the server's database directly after a run: did every acknowledged write survive?

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Database, Statement};

pub struct AttemptCheck {
    pub attempts_found: usize,
    pub attempts_scored: usize,
    pub answers_lost: usize,
    pub lost_examples: Vec<String>,
}

/// Checks the attempts of `quiz_id` against what the clients were told: every attempt id they got exists,
/// is submitted and scored, and every acknowledged answer is stored with at least the acknowledged sequence number.
pub async fn attempts(
    database_url: &str,
    quiz_id: i64,
    attempt_ids: &[i64],
    acked: &HashMap<(i64, i64), i64>,
) -> anyhow::Result<AttemptCheck> {
    let db = Database::connect(database_url).await?;
    let backend = db.get_database_backend();
    // Ids are integers the bench itself parsed, so they are inlined rather than bound.
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, workflow_state, score FROM quiz_submissions WHERE quiz_id = {quiz_id}"),
        ))
        .await?;
    let mut found = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let state: String = row.try_get("", "workflow_state")?;
        let score: Option<f64> = row.try_get("", "score")?;
        found.insert(id, (state, score));
    }
    let attempts_found = attempt_ids.iter().filter(|id| found.contains_key(id)).count();
    let attempts_scored = attempt_ids
        .iter()
        .filter(|id| found.get(id).is_some_and(|(state, score)| state == "complete" && score.is_some()))
        .count();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT a.quiz_submission_id, a.question_id, a.seq, a.answer FROM quiz_answers a \
                 JOIN quiz_submissions s ON s.id = a.quiz_submission_id WHERE s.quiz_id = {quiz_id}"
            ),
        ))
        .await?;
    let mut stored = HashMap::new();
    for row in rows {
        let key: (i64, i64) = (row.try_get("", "quiz_submission_id")?, row.try_get("", "question_id")?);
        let seq: i64 = row.try_get("", "seq")?;
        let answer: Option<String> = row.try_get("", "answer")?;
        stored.insert(key, (seq, answer.is_some()));
    }
    let mut lost = Vec::new();
    for (key, seq) in acked {
        match stored.get(key) {
            Some((stored_seq, true)) if stored_seq >= seq => {}
            other => {
                lost.push(format!("attempt {} question {}: acknowledged seq {seq}, stored {other:?}", key.0, key.1))
            }
        }
    }
    db.close().await?;
    Ok(AttemptCheck {
        attempts_found,
        attempts_scored,
        answers_lost: lost.len(),
        lost_examples: lost.into_iter().take(10).collect(),
    })
}
