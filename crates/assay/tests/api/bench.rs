//! The load generator in CI: it must build, and a tiny storm (N = 20) through the real `assay` binary must end
//! with no errors, every attempt scored and no acknowledged answer lost, on SQLite and PostgreSQL. Speed is not
//! checked here (benchmarks are not tests); `assay-bench` measures it.

use std::time::Duration;

use assay_bench::{Options, Scenario};

use crate::harness::{Db, TestDb};

async fn tiny_storm(db: Db) {
    let Some(test_db) = TestDb::create(db).await else { return };
    let options = Options {
        scenarios: vec![Scenario::Storm],
        storm_n: vec![20],
        database_url: Some(test_db.url.clone()),
        assay_bin: env!("CARGO_BIN_EXE_assay").into(),
        in_flight: 32,
        timed_duration: Duration::from_secs(1),
        progress: false,
        out_dir: None,
        ..Options::default()
    };
    let report = assay_bench::run(&options).await;
    test_db.drop_db().await;
    let report = report.expect("the bench runs");
    let storm = &report.scenarios[0];
    assert_eq!(storm.scenario, "storm");
    assert_eq!(storm.errors, 0, "{:?}", storm.error_samples);
    assert_eq!(storm.checks["attempts_started"], 20, "{}", storm.checks);
    assert_eq!(storm.checks["attempts_scored"], 20, "{}", storm.checks);
    assert_eq!(storm.checks["answers_acknowledged"], 20 * 20, "{}", storm.checks);
    assert_eq!(storm.checks["answers_lost"], 0, "{}", storm.checks);
    let calls: Vec<&str> = storm.calls.iter().map(|c| c.call.as_str()).collect();
    assert_eq!(calls, ["answer", "questions", "start", "submit"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_storm_loses_nothing_on_sqlite() {
    tiny_storm(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_storm_loses_nothing_on_postgres() {
    tiny_storm(Db::Postgres).await;
}
