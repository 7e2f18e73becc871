//! Compatibility is judged by the real client: the Python `canvasapi` library from PyPI drives a running Assay
//! over HTTP, on both backends. The test makes its own virtualenv under the target directory (installing the
//! pinned `canvasapi`) the first time it runs; a missing Python or PyPI is a failure, not a skip.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use crate::backend_test;

const REQUIREMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/canvasapi/requirements.txt");
const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/canvasapi");

/// The virtualenv's Python, created once per test run (both backends' tests share it).
fn python() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("canvasapi-venv");
        let python = venv.join("bin").join("python");
        let requirements = std::fs::read_to_string(REQUIREMENTS).expect("requirements");
        let pinned = requirements.trim().split("==").nth(1).expect("a pinned version").to_owned();
        let ready = |python: &Path| {
            Command::new(python)
                .args(["-c", &format!("import canvasapi, sys; sys.exit(canvasapi.__version__ != '{pinned}')")])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ready(&python) {
            let status =
                Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 must be installed");
            assert!(status.success(), "creating the virtualenv failed");
            let out = Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS])
                .output()
                .expect("pip");
            assert!(out.status.success(), "installing canvasapi failed: {}", String::from_utf8_lossy(&out.stderr));
            assert!(ready(&python), "canvasapi {pinned} is not importable after installing it");
        }
        python
    })
}

fn run_script(name: &str, env: &[(&str, String)]) {
    let python = python();
    let mut cmd = Command::new(python);
    cmd.arg(Path::new(SCRIPTS).join(name));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run python");
    assert!(
        out.status.success(),
        "{name} failed:\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `script` as School A's administrator, with a student (and the student's token) made for it.
async fn run_with_student(t: &crate::harness::TestApp, script: &'static str) {
    let student = t.create_user("Sam Student", "sam@school.test", None).await["id"].as_i64().unwrap();
    let student_token = t.token_for(student).await;
    let env = vec![
        ("ASSAY_BASE", t.base.clone()),
        ("ASSAY_TOKEN", t.school.admin_token.clone()),
        ("ASSAY_SCHOOL", t.school.id.to_string()),
        ("ASSAY_STUDENT_TOKEN", student_token),
        ("ASSAY_STUDENT_ID", student.to_string()),
    ];
    tokio::task::spawn_blocking(move || run_script(script, &env)).await.unwrap();
}

backend_test!(
    canvasapi_drives_accounts_users_courses_and_pagination,
    // The scripts provision a hundred users or more back to back from one address, faster than the default
    // per-address window (50 a second per endpoint) allows: a deployment that runs such scripts raises that window.
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| { run_with_student(&t, "accounts_users_courses.py").await }
);

backend_test!(
    canvasapi_drives_enrollments_and_course_users,
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| { run_with_student(&t, "rostering.py").await }
);

backend_test!(
    canvasapi_drives_quizzes_questions_groups_and_extensions,
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| { run_with_student(&t, "quizzes.py").await }
);

backend_test!(
    canvasapi_drives_assignments_groups_and_overrides,
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| { run_with_student(&t, "assignments.py").await }
);

backend_test!(
    canvasapi_drives_quiz_submissions,
    |config| { config.rate_limit_ip_endpoint = "minute=100000".into() },
    |t| { run_with_student(&t, "quiz_submissions.py").await }
);
