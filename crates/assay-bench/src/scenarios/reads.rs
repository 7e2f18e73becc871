//! Authenticated reads as a candidate: the course, a page of its assignments, and the questions of the
//! candidate's own open attempt.

use std::time::Duration;

use indicatif::ProgressBar;

use super::{Measured, attempt, timed};
use crate::{client::Http, provision::World};

pub async fn run(
    http: &Http,
    world: &World,
    workers: usize,
    duration: Duration,
    bar: &ProgressBar,
) -> anyhow::Result<Measured> {
    let mut plans = Vec::new();
    for c in world.candidates.iter().take(workers) {
        let (_, a) = attempt::start(http, &c.token, world.course_id, world.quiz_id).await?;
        let a = a.ok_or_else(|| anyhow::anyhow!("a reads candidate could not start an attempt"))?;
        let token = Some(c.token.clone());
        plans.push(vec![
            timed::Step { call: "course", path: format!("/api/v1/courses/{}", world.course_id), token: token.clone() },
            timed::Step {
                call: "assignments",
                path: format!("/api/v1/courses/{}/assignments?per_page=20", world.course_id),
                token: token.clone(),
            },
            timed::Step { call: "questions", path: format!("/api/v1/quiz_submissions/{}/questions", a.id), token },
        ]);
    }
    if plans.is_empty() {
        anyhow::bail!("reads needs at least one candidate");
    }
    let count = plans.len();
    Ok(timed::run(http, count, duration, |w| plans_take(&plans, w), bar).await)
}

fn plans_take(plans: &[Vec<timed::Step>], w: usize) -> Vec<timed::Step> {
    plans[w % plans.len()]
        .iter()
        .map(|s| timed::Step { call: s.call, path: s.path.clone(), token: s.token.clone() })
        .collect()
}
