//! Closed-loop load for a fixed time: `workers` clients each send their next request as soon as the last one
//! answered. Used for the ceiling and for reads.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use indicatif::ProgressBar;

use super::Measured;
use crate::{client::Http, stats::Recorder};

/// One request of a closed loop: the call's name, a path, the token to send.
pub struct Step {
    pub call: &'static str,
    pub path: String,
    pub token: Option<String>,
}

/// Runs `workers` loops for `duration`; worker `w` cycles through `plan(w)`.
pub async fn run(
    http: &Http,
    workers: usize,
    duration: Duration,
    plan: impl Fn(usize) -> Vec<Step>,
    bar: &ProgressBar,
) -> Measured {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(workers);
    for w in 0..workers {
        let steps = Arc::new(plan(w));
        let http = http.clone();
        let bar = bar.clone();
        tasks.push(tokio::spawn(async move {
            let mut recorder = Recorder::default();
            let mut i = 0usize;
            while Instant::now() < deadline {
                let step = &steps[i % steps.len()];
                i += 1;
                match http.get(&step.path, step.token.as_deref()).await {
                    Ok(reply) if reply.ok() => recorder.ok(step.call, reply.micros),
                    Ok(reply) => recorder.error(step.call, reply.describe()),
                    Err(e) => recorder.error(step.call, format!("{e:#}")),
                }
                if i.is_multiple_of(256) {
                    bar.inc(256);
                }
            }
            recorder
        }));
    }
    let mut recorder = Recorder::default();
    for task in tasks {
        if let Ok(r) = task.await {
            recorder.merge(r);
        }
    }
    Measured { recorder, seconds: started.elapsed().as_secs_f64(), checks: serde_json::json!({"workers": workers}) }
}
