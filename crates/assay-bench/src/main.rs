//! `assay-bench`: runs the standard benchmark set (or the scenarios named) and writes the report.
//!
//! `cargo build --release -p assay -p assay-bench && target/release/assay-bench` runs everything on SQLite;
//! add `--database-url postgres://…` (an empty database) for PostgreSQL.

use std::{path::PathBuf, time::Duration};

use assay_bench::{Options, Scenario};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Assay's load generator: the exam-start storm and the API's hot paths, as ratios to the ceiling")]
struct Cli {
    /// Scenarios to run [default: all of them].
    #[arg(long, value_enum, value_delimiter = ',')]
    scenarios: Vec<Scenario>,
    /// Candidates per storm (one storm per value).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000usize, 10_000])]
    storm_n: Vec<usize>,
    /// Candidates saving answers in the autosave scenario.
    #[arg(long, default_value_t = 1_000)]
    autosave_n: usize,
    /// Milliseconds between one candidate's saves.
    #[arg(long, default_value_t = 100)]
    autosave_interval_ms: u64,
    /// How long the autosave scenario runs, in seconds.
    #[arg(long, default_value_t = 60)]
    autosave_seconds: u64,
    /// Clients of the ceiling and reads scenarios.
    #[arg(long, default_value_t = 64)]
    workers: usize,
    /// How long the ceiling and reads scenarios run, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value_t = 50_000)]
    import_users: usize,
    #[arg(long, default_value_t = 200)]
    import_courses: usize,
    #[arg(long, default_value_t = 1_000)]
    import_per_course: usize,
    /// The database of the server to start (an empty PostgreSQL database, say) [default: a fresh SQLite file].
    #[arg(long)]
    database_url: Option<String>,
    /// Bench a server that is already running at this URL instead (needs --database-url of its database).
    #[arg(long)]
    url: Option<String>,
    /// The `assay` binary [default: the one beside this binary].
    #[arg(long)]
    assay_bin: Option<PathBuf>,
    /// Requests in flight at most (the client's connection pool).
    #[arg(long, default_value_t = 1_024)]
    in_flight: usize,
    /// Where the JSON report and the charts go.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let options = Options {
        scenarios: if cli.scenarios.is_empty() { Scenario::STANDARD.to_vec() } else { cli.scenarios },
        storm_n: cli.storm_n,
        autosave_n: cli.autosave_n,
        autosave_interval: Duration::from_millis(cli.autosave_interval_ms),
        autosave_duration: Duration::from_secs(cli.autosave_seconds),
        workers: cli.workers,
        timed_duration: Duration::from_secs(cli.seconds),
        import_users: cli.import_users,
        import_courses: cli.import_courses,
        import_per_course: cli.import_per_course,
        database_url: cli.database_url,
        url: cli.url,
        assay_bin: cli.assay_bin.unwrap_or_else(assay_bench::server::default_assay_bin),
        in_flight: cli.in_flight,
        out_dir: Some(cli.out.clone()),
        progress: true,
    };
    let report = assay_bench::run(&options).await?;
    print!("{}", assay_bench::report::table(&report));
    println!("report and charts written to {}", cli.out.display());
    let failed: u64 = report.scenarios.iter().map(|s| s.errors).sum::<u64>()
        + report.scenarios.iter().filter_map(|s| s.checks["answers_lost"].as_u64()).sum::<u64>();
    if failed > 0 {
        anyhow::bail!("{failed} errors or lost answers");
    }
    Ok(())
}
