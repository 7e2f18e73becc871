//! The `assay` binary: configuration precedence, migrations, provisioning, the demo, graceful shutdown.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use reqwest::StatusCode;

use crate::harness::{Db, TestApp, TestDb};

fn assay() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ASSAY_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

type Banner = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// Starts `assay serve` with `args`; returns the process and its stdout, line by line (keep it open: the server
/// writes to it).
fn spawn_serve(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, Banner) {
    let mut child = assay()
        .current_dir(dir)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn assay serve");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    (child, lines)
}

/// Sends SIGTERM and returns whether the server exited cleanly.
async fn terminate(child: std::process::Child) -> bool {
    let mut child = child;
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    tokio::task::spawn_blocking(move || child.wait().map(|s| s.success()).unwrap_or(false)).await.unwrap_or(false)
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run assay");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn configuration_layers_flags_over_environment_over_file_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assay.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:7001\"\nlog_level = \"debug\"\nmax_body_bytes = 2048\n").unwrap();
    let show = |env: &[(&str, &str)], flags: &[&str]| {
        let mut cmd = assay();
        cmd.current_dir(dir.path()).arg("config").args(flags);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (ok, out, err) = run(&mut cmd);
        assert!(ok, "{err}");
        out
    };
    // Defaults (./assay.toml in the working directory is read when present).
    let empty = tempfile::tempdir().unwrap();
    let (ok, out, _) = run(assay().current_dir(empty.path()).arg("config"));
    assert!(
        ok && out.contains("bind = \"127.0.0.1:8080\"") && out.contains("database_url = \"sqlite://assay.db\""),
        "{out}"
    );
    // The file overrides defaults.
    let out = show(&[], &[]);
    assert!(
        out.contains("bind = \"127.0.0.1:7001\"")
            && out.contains("log_level = \"debug\"")
            && out.contains("max_body_bytes = 2048"),
        "{out}"
    );
    // The environment overrides the file.
    let out = show(&[("ASSAY_BIND", "127.0.0.1:7002")], &[]);
    assert!(out.contains("bind = \"127.0.0.1:7002\"") && out.contains("log_level = \"debug\""), "{out}");
    // Flags override the environment.
    let out = show(&[("ASSAY_BIND", "127.0.0.1:7002")], &["--bind", "127.0.0.1:7003"]);
    assert!(out.contains("bind = \"127.0.0.1:7003\""), "{out}");
    // --config names another file; a password in the database URL is never printed.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "database_url = \"postgres://assay:s3cret@db.internal/assay\"\n").unwrap();
    let out = show(&[], &["--config", other.to_str().unwrap()]);
    assert!(out.contains("postgres://assay:***@db.internal/assay") && !out.contains("s3cret"), "{out}");
    // Bad values are refused with a clear message.
    let (ok, _, err) = run(assay().current_dir(dir.path()).args(["config", "--bind", "nowhere"]));
    assert!(!ok && err.contains("bind"), "{err}");
    std::fs::write(&other, "bnid = \"typo\"\n").unwrap();
    let (ok, _, err) = run(assay().current_dir(dir.path()).args(["config", "--config", other.to_str().unwrap()]));
    assert!(!ok && err.contains("bnid"), "{err}");
    let (ok, _, err) = run(assay().current_dir(dir.path()).args(["config", "--config", "missing.toml"]));
    assert!(!ok && err.contains("missing.toml"), "{err}");
    // Rate limit windows are parsed and checked; a Redis password is never printed either.
    let out = show(
        &[("ASSAY_REDIS_URL", "redis://:s3cret@cache.internal:6379/2")],
        &["--rate-limit-ip-endpoint", "minute=10, second=2"],
    );
    assert!(
        out.contains("rate_limit_ip_endpoint = \"minute=10, second=2\"")
            && out.contains("redis_url = \"redis://:***@cache.internal:6379/2\"")
            && !out.contains("s3cret"),
        "{out}"
    );
    let (ok, _, err) = run(assay().current_dir(dir.path()).args(["config", "--rate-limit-ip-endpoint", "fortnight=3"]));
    assert!(!ok && err.contains("rate_limit_ip_endpoint") && err.contains("fortnight"), "{err}");
    // Every option is documented in `serve --help`.
    let (_, help, _) = run(assay().args(["serve", "--help"]));
    for option in [
        "--bind",
        "--database-url",
        "--public-url",
        "--trust-proxy",
        "--max-body-bytes",
        "--request-timeout-secs",
        "--db-max-connections",
        "--log-format",
        "--log-level",
        "--rate-limit-enabled",
        "--rate-limit-school-per-minute",
        "--rate-limit-credential-per-second",
        "--rate-limit-credential-burst",
        "--rate-limit-ip-endpoint",
        "--rate-limit-login-failures-per-15min",
        "--redis-url",
        "--redis-key-prefix",
        "ASSAY_REDIS_URL",
        "--demo",
        "--config",
        "ASSAY_DATABASE_URL",
    ] {
        assert!(help.contains(option), "{option} missing from serve --help");
    }
}

/// The binary against a database of this backend: migrate, provision, serve, demo, stop on SIGTERM.
async fn binary_round_trip(db: Db) {
    let Some(test_db) = TestDb::create(db).await else { return };
    let url = test_db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(assay().current_dir(dir.path()).args(["migrate", "--database-url", &url]));
    assert!(ok && out.contains("applied m20261123_000002_identity"), "{out}{err}");
    let (ok, out, _) = run(assay().current_dir(dir.path()).args(["migrate", "--database-url", &url]));
    assert!(ok && out.contains("database is up to date"), "{out}");

    // --demo on this empty database seeds a school and prints a working token.
    let (child, mut lines) = spawn_serve(dir.path(), &["--demo", "--bind", "127.0.0.1:0", "--database-url", &url]);
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("(shown once): ");
        banner.push(line);
        if done {
            break;
        }
    }
    let banner = banner.join("\n");
    let after = |marker: &str| -> String {
        let start = banner.find(marker).unwrap_or_else(|| panic!("{marker} missing from:\n{banner}")) + marker.len();
        banner[start..].split(|c: char| c.is_whitespace() || c == '\'').next().unwrap().to_owned()
    };
    let base = after(" on ");
    let token = after("(shown once): ");
    assert!(base.starts_with("http://127.0.0.1:") && token.starts_with("assay_"), "{banner}");
    let client = reqwest::Client::new();
    let me: serde_json::Value =
        client.get(format!("{base}/api/v1/users/self")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["name"], "Ada Admin");
    let users = client.get(format!("{base}/api/v1/accounts/self/users")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(users.headers()["total-count"], "33", "admin + 2 teachers + 30 students");
    let courses: serde_json::Value = client
        .get(format!("{base}/api/v1/accounts/self/courses"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(courses.as_array().map(Vec::len), Some(2), "{courses}");
    let intro = courses[0]["id"].as_i64().unwrap();
    let roster = client
        .get(format!("{base}/api/v1/courses/{intro}/enrollments?type[]=StudentEnrollment&per_page=100"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(roster.headers()["total-count"], "30", "every student takes the introduction");
    // Some students have already sat the introduction's test: their attempts are submitted and scored, and the
    // ones with an essay wait for a grader.
    let get = |url: String| {
        let request = client.get(url).bearer_auth(&token);
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let quizzes = get(format!("{base}/api/v1/courses/{intro}/quizzes")).await;
    let quiz = quizzes[0]["id"].as_i64().unwrap();
    let sat = get(format!("{base}/api/v1/courses/{intro}/quizzes/{quiz}/submissions?per_page=100")).await;
    let attempts = sat["quiz_submissions"].as_array().unwrap_or_else(|| panic!("{sat}"));
    assert_eq!(attempts.len(), 8, "{sat}");
    assert!(attempts.iter().all(|a| a["workflow_state"] == "pending_review" && a["score"].is_number()), "{sat}");
    // Every other printed credential works too.
    let works_as_admin = |bearer: String| {
        let req = client.get(format!("{base}/api/v1/users/self")).bearer_auth(bearer);
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["name"] == "Ada Admin" }
    };
    let form = |path: &str, fields: Vec<(&str, String)>| client.post(format!("{base}{path}")).form(&fields);
    let password =
        after("password grant:   curl -d grant_type=password -d username=admin@demo.assay.invalid -d password=");
    let res: serde_json::Value = form(
        "/api/token",
        vec![
            ("grant_type", "password".into()),
            ("username", "admin@demo.assay.invalid".into()),
            ("password", password),
        ],
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(works_as_admin(res["access_token"].as_str().unwrap().to_owned()).await, "password grant: {res}");
    let code = after("-H 'code: ");
    let res: serde_json::Value = client
        .post(format!("{base}/api/authenticate/token?grant_type=authorization_code&client_id={}", after("client_id=")))
        .header("code", code)
        .form(&[("x", "")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(works_as_admin(res["access_token"].as_str().unwrap().to_owned()).await, "API key exchange: {res}");
    let res: serde_json::Value = form(
        "/login/oauth2/token",
        vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", after("-d client_id=")),
            ("client_secret", after("-d client_secret=")),
        ],
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(works_as_admin(res["access_token"].as_str().unwrap().to_owned()).await, "client credentials: {res}");
    let res = client
        .get(format!("{base}/api/v1/accounts/self"))
        .header("authorization", format!("Api-Key {}", after("Api-Key ")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (partner, key) = (after("partner.id="), after(" key="));
    let expires = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).timestamp();
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(expires.to_string().as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let signature: String = url::form_urlencoded::byte_serialize(signature.as_bytes()).collect();
    let res = client
        .get(format!("{base}/rest/v4.1/partner?partner.id={partner}&auth.expires={expires}&auth.signature={signature}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    // SIGTERM stops it cleanly.
    assert!(terminate(child).await, "assay serve did not exit cleanly after SIGTERM");

    // admin create-school / create-token against the same database.
    let (ok, out, err) = run(assay().current_dir(dir.path()).args([
        "admin",
        "--database-url",
        &url,
        "create-school",
        "CLI School",
        "--admin-login",
        "root@cli.test",
    ]));
    assert!(ok, "{err}");
    let admin_id: i64 = out.trim().rsplit("admin_user_id=").next().unwrap().parse().unwrap();
    let (ok, token, err) = run(assay().current_dir(dir.path()).args([
        "admin",
        "--database-url",
        &url,
        "create-token",
        "--user",
        &admin_id.to_string(),
    ]));
    assert!(ok && token.trim().starts_with("assay_"), "{err}");
    let (ok, by_login, err) = run(assay().current_dir(dir.path()).args([
        "admin",
        "--database-url",
        &url,
        "create-token",
        "--user",
        "ROOT@cli.test",
        "--expires-in-days",
        "1",
    ]));
    assert!(ok && by_login.trim().starts_with("assay_"), "{err}");
    let (ok, _, err) = run(assay().current_dir(dir.path()).args([
        "admin",
        "--database-url",
        &url,
        "create-token",
        "--user",
        "nobody",
    ]));
    assert!(!ok && err.contains("no user"), "{err}");
    // A second --demo on a database with other schools keeps the demo school and issues a fresh token.
    let (child, lines) = spawn_serve(dir.path(), &["--demo", "--bind", "127.0.0.1:0", "--database-url", &url]);
    let mut saw_existing = false;
    for line in lines {
        let line = line.unwrap();
        saw_existing |= line.contains("already there");
        if line.contains("(shown once)") {
            break;
        }
    }
    assert!(terminate(child).await);
    assert!(saw_existing);
    test_db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_round_trip_sqlite() {
    binary_round_trip(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_round_trip_postgres() {
    binary_round_trip(Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_no_flags_creates_assay_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (child, mut lines) = spawn_serve(dir.path(), &["--bind", "127.0.0.1:0"]);
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("serving sqlite"), "{first}");
    assert!(dir.path().join("assay.db").exists());
    assert!(terminate(child).await);
    // WAL mode is on (the -wal file appears while serving; the journal mode is recorded in the file).
    let header = std::fs::read(dir.path().join("assay.db")).unwrap();
    assert_eq!((header[18], header[19]), (2, 2), "file format 2 = WAL");
}

async fn in_flight_requests_finish_on_stop(db: Db) {
    let Some(test_db) = TestDb::create(db).await else { return };
    let t = TestApp::start(db, &test_db.url, |_| {}).await;
    let slow = tokio::spawn(t.get("/api/v1/test/slow").send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (base, client) = (t.base.clone(), t.client.clone());
    t.stop().await;
    let res = slow.await.unwrap();
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["finished"], true);
    assert!(client.get(format!("{base}/api/diagnostics/health")).send().await.is_err(), "the listener is closed");
    test_db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_on_stop_sqlite() {
    in_flight_requests_finish_on_stop(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_on_stop_postgres() {
    in_flight_requests_finish_on_stop(Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_request_ids_and_never_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let (ok, out, err) = run(assay().args(["admin", "--database-url", &url, "create-school", "Log School"]));
    assert!(ok, "{err}");
    let admin = out.trim().rsplit("admin_user_id=").next().unwrap().to_owned();
    let (_, token, _) = run(assay().args(["admin", "--database-url", &url, "create-token", "--user", &admin]));
    let token = token.trim().to_owned();
    let log = dir.path().join("server.log");
    let mut child = assay()
        .env("RUST_LOG", "info")
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url, "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = lines.next().unwrap().unwrap().rsplit(" on ").next().unwrap().to_owned();
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{base}/api/v1/users/self?access_token={token}"))
        .header("x-request-id", "req-log-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client
        .get(format!("{base}/api/v1/users/self"))
        .bearer_auth(&token)
        .header("x-request-id", "req-log-2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    client.get(format!("{base}/api/v1/users/self")).bearer_auth("assay_wrong_secret").send().await.unwrap();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap().success());
    let text = std::fs::read_to_string(&log).unwrap();
    let secret = token.trim_start_matches("assay_");
    assert!(!text.contains(secret) && !text.contains("wrong_secret"), "a credential reached the log:\n{text}");
    for id in ["req-log-1", "req-log-2"] {
        let line = text
            .lines()
            .find(|l| l.contains(id) && l.contains("finished processing request"))
            .unwrap_or_else(|| panic!("no access log line for {id}:\n{text}"));
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(entry["fields"]["status"], 200);
    }
}
