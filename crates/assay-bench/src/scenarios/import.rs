//! The rostering bulk import: a whole school (default 50,000 users, 200 courses, 200,000 enrollments) as one
//! Canvas SIS zip, timed from the POST to the import's end, then the same zip again (which must change nothing).

use std::time::Instant;

use serde_json::json;

use super::Measured;
use crate::{provision, roster, server::Target, stats::Recorder};

pub async fn run(target: &Target, users: usize, courses: usize, per_course: usize) -> anyhow::Result<Measured> {
    let (school_id, token) = provision::school(target).await?;
    let zip = roster::school(users, courses, per_course)?;
    let bytes = zip.len();
    let mut recorder = Recorder::default();
    let started = Instant::now();
    let first = provision::sis_import(&target.http, &token, school_id, zip.clone()).await?;
    let first_seconds = started.elapsed().as_secs_f64();
    recorder.ok("import", (first_seconds * 1e6) as u64);
    let again = Instant::now();
    let second = provision::sis_import(&target.http, &token, school_id, zip).await?;
    let second_seconds = again.elapsed().as_secs_f64();
    recorder.ok("reimport", (second_seconds * 1e6) as u64);
    Ok(Measured {
        recorder,
        seconds: first_seconds,
        checks: json!({
            "users": users,
            "courses": courses,
            "enrollments": courses * per_course,
            "zip_bytes": bytes,
            "first_seconds": first_seconds,
            "second_seconds": second_seconds,
            "first_changes": first["statistics"]["total_state_changes"],
            "second_changes": second["statistics"]["total_state_changes"],
        }),
    })
}
