//! The server under test: a release `assay serve` the bench starts on a fresh database (SQLite in a temporary
//! directory by default, or the PostgreSQL database given), or one already running at a URL. Provisioning that
//! has no HTTP form (the first school and its administrator's token, candidate tokens) uses the same binary's
//! `assay admin` commands on the same database, as an operator would.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

use crate::client::Http;

/// Where the server is and how to reach its database.
pub struct Target {
    pub http: Http,
    pub database_url: String,
    pub backend: &'static str,
    assay_bin: PathBuf,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

/// The `assay` binary beside this one (both are built into the same `target/<profile>/`), unless given.
pub fn default_assay_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    // Bench binaries built by `cargo test` live one level down, in `deps/`.
    for candidate in [dir.join("assay"), dir.join("..").join("assay")] {
        if candidate.is_file() {
            return candidate;
        }
    }
    dir.join("assay")
}

pub fn backend_of(database_url: &str) -> &'static str {
    if database_url.starts_with("postgres") { "postgres" } else { "sqlite" }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Target {
    /// Starts `assay serve` on `database_url` (a fresh SQLite file when none), with rate limits off (the bench
    /// is one client address hammering one server on purpose).
    pub async fn start(assay_bin: PathBuf, database_url: Option<String>, in_flight: usize) -> anyhow::Result<Target> {
        if !assay_bin.is_file() {
            bail!(
                "{} not found: build it with `cargo build --release -p assay` or pass --assay-bin",
                assay_bin.display()
            );
        }
        let dir = tempfile::tempdir()?;
        let database_url = match database_url {
            Some(url) => url,
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        let port = free_port()?;
        let child = Command::new(&assay_bin)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url", &database_url])
            .args(["--rate-limit-enabled", "false", "--log-level", "warn"])
            .args(["--db-max-connections", "16"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", assay_bin.display()))?;
        let http = Http::new(&format!("http://127.0.0.1:{port}"), in_flight);
        let target = Target {
            http,
            backend: backend_of(&database_url),
            database_url,
            assay_bin,
            child: Some(child),
            _dir: Some(dir),
        };
        target.wait_ready(Duration::from_secs(120)).await?;
        Ok(target)
    }

    /// A server someone else runs; `database_url` is its database (for the admin commands and the checks).
    pub async fn existing(
        url: &str,
        assay_bin: PathBuf,
        database_url: String,
        in_flight: usize,
    ) -> anyhow::Result<Target> {
        let target = Target {
            http: Http::new(url, in_flight),
            backend: backend_of(&database_url),
            database_url,
            assay_bin,
            child: None,
            _dir: None,
        };
        target.wait_ready(Duration::from_secs(10)).await?;
        Ok(target)
    }

    async fn wait_ready(&self, within: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(reply) = self.http.get("/api/diagnostics/version", None).await
                && reply.ok()
            {
                return Ok(());
            }
            if started.elapsed() > within {
                bail!("the server at {} did not answer within {within:?}", self.http.base());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `assay admin …` on the server's database and returns what it printed.
    pub async fn admin(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.assay_bin)
            .arg("admin")
            .args(["--database-url", &self.database_url])
            .args(args)
            .output()
            .await?;
        if !output.status.success() {
            bail!("assay admin {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8(output.stdout)?)
    }

    /// Stops the server the bench started.
    pub async fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}
