//! Assay's load generator. It provisions its own data through the public API, runs scenarios against a server
//! it starts (or one given by URL), and reports every figure also as a ratio to the same server's trivial
//! endpoint measured in the same run (the ceiling), so numbers from different machines can be compared.
//!
//! Scenarios: `ceiling`, `reads`, `storm`, `autosave`, `import` (see `scenarios/`). `run` is the whole bench;
//! the binary is a command line around it, and the API test suite runs a tiny storm through it.

pub mod client;
pub mod provision;
pub mod report;
pub mod roster;
pub mod scenarios;
pub mod server;
pub mod stats;
pub mod verify;

use std::{path::PathBuf, time::Duration};

use indicatif::{ProgressBar, ProgressStyle};

use crate::{
    report::{Report, ScenarioReport},
    scenarios::Measured,
    server::Target,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    Ceiling,
    Reads,
    Storm,
    Autosave,
    Import,
}

impl Scenario {
    pub const STANDARD: &'static [Scenario] =
        &[Scenario::Ceiling, Scenario::Reads, Scenario::Storm, Scenario::Autosave, Scenario::Import];
}

/// What to run and against what.
#[derive(Clone, Debug)]
pub struct Options {
    pub scenarios: Vec<Scenario>,
    /// Candidates per storm; one storm per value.
    pub storm_n: Vec<usize>,
    pub autosave_n: usize,
    pub autosave_interval: Duration,
    pub autosave_duration: Duration,
    /// Clients of the closed-loop scenarios (ceiling, reads).
    pub workers: usize,
    pub timed_duration: Duration,
    pub import_users: usize,
    pub import_courses: usize,
    pub import_per_course: usize,
    /// A database for the server the bench starts (default: a fresh SQLite file), or the database of `url`.
    pub database_url: Option<String>,
    /// A server that is already running (needs `database_url`).
    pub url: Option<String>,
    pub assay_bin: PathBuf,
    pub in_flight: usize,
    pub out_dir: Option<PathBuf>,
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            scenarios: Scenario::STANDARD.to_vec(),
            storm_n: vec![1_000, 10_000],
            autosave_n: 1_000,
            autosave_interval: Duration::from_millis(100),
            autosave_duration: Duration::from_secs(60),
            workers: 64,
            timed_duration: Duration::from_secs(10),
            import_users: 50_000,
            import_courses: 200,
            import_per_course: 1_000,
            database_url: None,
            url: None,
            assay_bin: server::default_assay_bin(),
            in_flight: 1_024,
            out_dir: None,
            progress: true,
        }
    }
}

fn bar(options: &Options, len: Option<u64>, what: &str) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    let template = if len.is_some() {
        "{msg:<24} [{bar:40}] {pos}/{len} {elapsed}"
    } else {
        "{msg:<24} {spinner} {pos} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn scenario_report(name: &str, n: usize, measured: Measured, ceiling: Option<f64>) -> ScenarioReport {
    let requests = measured.recorder.requests();
    let throughput = if measured.seconds > 0.0 { requests as f64 / measured.seconds } else { 0.0 };
    ScenarioReport {
        scenario: name.to_owned(),
        n,
        seconds: measured.seconds,
        requests,
        errors: measured.recorder.errors(),
        throughput_per_second: throughput,
        ratio_to_ceiling: ceiling.filter(|c| *c > 0.0).map(|c| throughput / c),
        calls: measured.recorder.summary(measured.seconds),
        checks: measured.checks,
        error_samples: measured.recorder.samples.clone(),
    }
}

/// Runs the chosen scenarios and returns the report (also written to `out_dir` when set).
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let target = match (&options.url, &options.database_url) {
        (Some(url), Some(db)) => {
            Target::existing(url, options.assay_bin.clone(), db.clone(), options.in_flight).await?
        }
        (Some(_), None) => {
            anyhow::bail!("--url needs --database-url: the bench provisions tokens and checks results there")
        }
        (None, db) => Target::start(options.assay_bin.clone(), db.clone(), options.in_flight).await?,
    };
    let result = run_on(options, &target).await;
    target.stop().await;
    let report = result?;
    if let Some(dir) = &options.out_dir {
        report::write(&report, dir)?;
    }
    Ok(report)
}

async fn run_on(options: &Options, target: &Target) -> anyhow::Result<Report> {
    let mut report = Report {
        git_revision: git_revision(),
        started_at: chrono::Utc::now().to_rfc3339(),
        backend: target.backend.to_owned(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        scenarios: Vec::new(),
    };
    let http = &target.http;
    let wants = |s: Scenario| options.scenarios.contains(&s);
    let mut ceiling = None;
    if wants(Scenario::Ceiling) {
        let bar = bar(options, None, "ceiling");
        let measured = scenarios::timed::run(
            http,
            options.workers,
            options.timed_duration,
            |_| vec![scenarios::timed::Step { call: "version", path: "/api/diagnostics/version".into(), token: None }],
            &bar,
        )
        .await;
        bar.finish_and_clear();
        let r = scenario_report("ceiling", options.workers, measured, None);
        ceiling = Some(r.throughput_per_second);
        report.scenarios.push(ScenarioReport { ratio_to_ceiling: Some(1.0), ..r });
    }
    if wants(Scenario::Reads) {
        let world = provision::world(target, options.workers).await?;
        let bar = bar(options, None, "reads");
        let measured = scenarios::reads::run(http, &world, options.workers, options.timed_duration, &bar).await?;
        bar.finish_and_clear();
        report.scenarios.push(scenario_report("reads", options.workers, measured, ceiling));
    }
    if wants(Scenario::Storm) {
        for &n in &options.storm_n {
            let world = provision::world(target, n).await?;
            let bar = bar(options, Some(n as u64), &format!("storm n={n}"));
            let measured = scenarios::storm::run(http, &target.database_url, &world, &bar).await?;
            bar.finish_and_clear();
            report.scenarios.push(scenario_report("storm", n, measured, ceiling));
        }
    }
    if wants(Scenario::Autosave) {
        let world = provision::world(target, options.autosave_n).await?;
        let bar = bar(options, None, "autosave");
        let measured = scenarios::autosave::run(
            http,
            &target.database_url,
            &world,
            options.autosave_interval,
            options.autosave_duration,
            &bar,
        )
        .await?;
        bar.finish_and_clear();
        report.scenarios.push(scenario_report("autosave", options.autosave_n, measured, ceiling));
    }
    if wants(Scenario::Import) {
        let bar = bar(options, None, "import");
        let measured =
            scenarios::import::run(target, options.import_users, options.import_courses, options.import_per_course)
                .await?;
        bar.finish_and_clear();
        report.scenarios.push(scenario_report("import", options.import_users, measured, None));
    }
    Ok(report)
}
