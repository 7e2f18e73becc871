//! The exam-start storm: N candidates released by one barrier at the same instant each start their attempt,
//! fetch the questions, save 20 answers (each acknowledged durably) and submit. Afterwards the database is read
//! directly to check that every attempt exists, every acknowledged answer was kept, and every attempt was scored.

use std::{collections::HashMap, sync::Arc, time::Instant};

use indicatif::ProgressBar;
use serde_json::json;
use tokio::sync::Barrier;

use super::{Measured, attempt};
use crate::{client::Http, provision::World, stats::Recorder, verify};

struct Outcome {
    recorder: Recorder,
    /// (attempt id, question id) → the highest acknowledged sequence number.
    acked: Vec<(i64, i64, i64)>,
    attempt_id: Option<i64>,
    submitted: bool,
}

async fn candidate(http: Http, world: Arc<(i64, i64)>, token: String, barrier: Arc<Barrier>) -> Outcome {
    let (course_id, quiz_id) = *world;
    let mut out = Outcome { recorder: Recorder::default(), acked: Vec::new(), attempt_id: None, submitted: false };
    barrier.wait().await;
    let attempt = match attempt::start(&http, &token, course_id, quiz_id).await {
        Ok((reply, Some(a))) => {
            out.recorder.ok("start", reply.micros);
            a
        }
        Ok((reply, None)) => {
            out.recorder.error("start", reply.describe());
            return out;
        }
        Err(e) => {
            out.recorder.error("start", format!("{e:#}"));
            return out;
        }
    };
    out.attempt_id = Some(attempt.id);
    let shown = match attempt::questions(&http, &token, &attempt).await {
        Ok((reply, shown)) if reply.ok() => {
            out.recorder.ok("questions", reply.micros);
            shown
        }
        Ok((reply, _)) => {
            out.recorder.error("questions", reply.describe());
            return out;
        }
        Err(e) => {
            out.recorder.error("questions", format!("{e:#}"));
            return out;
        }
    };
    for (i, question) in shown.iter().enumerate() {
        let seq = i as i64 + 1;
        match attempt::save(&http, &token, &attempt, question, seq).await {
            Ok(reply) if reply.ok() => {
                out.recorder.ok("answer", reply.micros);
                out.acked.push((attempt.id, question.id, seq));
            }
            Ok(reply) => out.recorder.error("answer", reply.describe()),
            Err(e) => out.recorder.error("answer", format!("{e:#}")),
        }
    }
    match attempt::complete(&http, &token, course_id, quiz_id, &attempt).await {
        Ok(reply) if reply.ok() => {
            out.recorder.ok("submit", reply.micros);
            out.submitted = true;
        }
        Ok(reply) => out.recorder.error("submit", reply.describe()),
        Err(e) => out.recorder.error("submit", format!("{e:#}")),
    }
    out
}

pub async fn run(http: &Http, database_url: &str, world: &World, bar: &ProgressBar) -> anyhow::Result<Measured> {
    let n = world.candidates.len();
    let barrier = Arc::new(Barrier::new(n + 1));
    let ids = Arc::new((world.course_id, world.quiz_id));
    let mut tasks = Vec::with_capacity(n);
    for c in &world.candidates {
        let (http, ids, token, barrier, bar) =
            (http.clone(), ids.clone(), c.token.clone(), barrier.clone(), bar.clone());
        tasks.push(tokio::spawn(async move {
            let out = candidate(http, ids, token, barrier).await;
            bar.inc(1);
            out
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut recorder = Recorder::default();
    let mut acked = HashMap::new();
    let (mut attempts, mut submitted) = (Vec::new(), 0usize);
    for task in tasks {
        let out = task.await?;
        recorder.merge(out.recorder);
        for (a, q, seq) in out.acked {
            acked.insert((a, q), seq);
        }
        attempts.extend(out.attempt_id);
        submitted += usize::from(out.submitted);
    }
    let seconds = started.elapsed().as_secs_f64();
    let check = verify::attempts(database_url, world.quiz_id, &attempts, &acked).await?;
    Ok(Measured {
        recorder,
        seconds,
        checks: json!({
            "candidates": n,
            "attempts_started": attempts.len(),
            "attempts_submitted": submitted,
            "answers_acknowledged": acked.len(),
            "attempts_in_database": check.attempts_found,
            "attempts_scored": check.attempts_scored,
            "answers_lost": check.answers_lost,
            "lost_examples": check.lost_examples,
        }),
    })
}
