//! Sustained autosave: every candidate holds an open attempt and saves an answer every `interval`, for
//! `duration`. Reports the achieved rate of acknowledged (durable) saves and their latency, then checks in the
//! database that the last acknowledged save of every question is the one stored.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use indicatif::ProgressBar;
use serde_json::json;
use tokio::time::MissedTickBehavior;

use super::{Measured, attempt};
use crate::{client::Http, provision::World, stats::Recorder, verify};

pub async fn run(
    http: &Http,
    database_url: &str,
    world: &World,
    interval: Duration,
    duration: Duration,
    bar: &ProgressBar,
) -> anyhow::Result<Measured> {
    // Everyone starts an attempt and reads the questions first; that is not part of what is measured.
    let mut open = Vec::with_capacity(world.candidates.len());
    for c in &world.candidates {
        let (_, a) = attempt::start(http, &c.token, world.course_id, world.quiz_id).await?;
        let a = a.ok_or_else(|| anyhow::anyhow!("an autosave candidate could not start"))?;
        let (_, shown) = attempt::questions(http, &c.token, &a).await?;
        open.push((c.token.clone(), a, Arc::new(shown)));
    }
    let started = Instant::now();
    let deadline = started + duration;
    let n = open.len().max(1) as u32;
    let mut tasks = Vec::with_capacity(open.len());
    for (i, (token, a, shown)) in open.into_iter().enumerate() {
        let (http, bar) = (http.clone(), bar.clone());
        // Candidates are spread evenly over one interval so the load is steady rather than in waves.
        let offset = interval * (i as u32) / n;
        tasks.push(tokio::spawn(async move {
            let mut recorder = Recorder::default();
            let mut acked: HashMap<i64, i64> = HashMap::new();
            tokio::time::sleep(offset).await;
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut seq = 0i64;
            while Instant::now() < deadline {
                ticker.tick().await;
                seq += 1;
                let question = &shown[(seq as usize) % shown.len()];
                match attempt::save(&http, &token, &a, question, seq).await {
                    Ok(reply) if reply.ok() => {
                        recorder.ok("save", reply.micros);
                        acked.insert(question.id, seq);
                        bar.inc(1);
                    }
                    Ok(reply) => recorder.error("save", reply.describe()),
                    Err(e) => recorder.error("save", format!("{e:#}")),
                }
            }
            (recorder, a.id, acked)
        }));
    }
    let mut recorder = Recorder::default();
    let mut acked = HashMap::new();
    let mut attempts = Vec::new();
    for task in tasks {
        let (r, attempt_id, mine) = task.await?;
        recorder.merge(r);
        attempts.push(attempt_id);
        for (question, seq) in mine {
            acked.insert((attempt_id, question), seq);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let check = verify::attempts(database_url, world.quiz_id, &attempts, &acked).await?;
    Ok(Measured {
        recorder,
        seconds,
        checks: json!({
            "candidates": world.candidates.len(),
            "interval_ms": interval.as_millis() as u64,
            "offered_saves_per_second": world.candidates.len() as f64 / interval.as_secs_f64(),
            "answers_lost": check.answers_lost,
            "lost_examples": check.lost_examples,
        }),
    })
}
