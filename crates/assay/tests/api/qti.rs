//! QTI through the API: content migrations (`qti_converter`) importing packages made by the real text2qti (from
//! PyPI, pinned in crates/assay-qti/tests/text2qti/requirements.txt; the test makes its own virtualenv the first
//! time it runs, and a missing Python or PyPI is a failure, not a skip), their Progress and migration issues, and
//! quiz and bank export, round-tripped.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use assay_domain::question::{QuestionBody, sanitize_body};
use assay_qti::{Entry, Package, read_package};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

const TEXT2QTI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../assay-qti/tests/text2qti");

/// The virtualenv's `text2qti` (the same one the assay-qti tests use), installed once per test run.
fn text2qti() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let requirements = Path::new(TEXT2QTI).join("requirements.txt");
        let pinned = std::fs::read_to_string(&requirements).expect("requirements");
        let version =
            pinned.lines().find_map(|l| l.trim().strip_prefix("text2qti==")).expect("a pinned version").to_owned();
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("text2qti-{version}-venv"));
        let bin = venv.join("bin");
        let ready = |bin: &Path| {
            Command::new(bin.join("python"))
                .args(["-c", &format!("import text2qti.version as v, sys; sys.exit(v.__version__ != '{version}')")])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ready(&bin) {
            let status =
                Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 must be installed");
            assert!(status.success(), "creating the virtualenv failed");
            let out = Command::new(bin.join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements)
                .output()
                .expect("pip");
            assert!(out.status.success(), "installing text2qti failed: {}", String::from_utf8_lossy(&out.stderr));
            assert!(ready(&bin), "text2qti {version} is not importable after installing it");
        }
        bin.join("text2qti")
    })
}

/// The coverage quiz (every type text2qti produces) as text2qti writes it.
fn text2qti_package() -> Vec<u8> {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("text2qti-api-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        std::fs::write(dir.join("dot.png"), b"\x89PNG\r\n\x1a\nnot really an image").expect("image");
        std::fs::copy(Path::new(TEXT2QTI).join("quiz.md"), dir.join("quiz.md")).expect("quiz source");
        let out = Command::new(text2qti()).arg(dir.join("quiz.md")).current_dir(&dir).output().expect("text2qti");
        assert!(out.status.success(), "text2qti failed: {}", String::from_utf8_lossy(&out.stderr));
        let zip = std::fs::read(dir.join("quiz.zip")).expect("quiz.zip");
        std::fs::remove_dir_all(&dir).ok();
        zip
    })
    .clone()
}

async fn new_course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").json(&json!({"course": {"name": name}})).send().await;
    assert!(res.status.is_success(), "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// Starts a migration with the package as a multipart file part.
async fn start(t: &TestApp, course: i64, zip: Vec<u8>, fields: &[(&str, &str)]) -> Value {
    let mut form = reqwest::multipart::Form::new().text("migration_type", "qti_converter");
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part("file", reqwest::multipart::Part::bytes(zip).file_name("quiz.zip"));
    let res = t.post(&format!("/api/v1/courses/{course}/content_migrations")).multipart(form).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
}

/// Polls the migration's Progress until it ends; returns the migration.
async fn finish(t: &TestApp, course: i64, migration: &Value) -> Value {
    let progress_url = migration["progress_url"].as_str().unwrap();
    let progress_path = &progress_url[progress_url.find("/api/").unwrap()..];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = t.get(progress_path).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        if matches!(res.body["workflow_state"].as_str(), Some("completed" | "failed")) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "migration did not finish: {}", res.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let id = migration["id"].as_i64().unwrap();
    let res = t.get(&format!("/api/v1/courses/{course}/content_migrations/{id}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
}

async fn import(t: &TestApp, course: i64, zip: Vec<u8>, fields: &[(&str, &str)]) -> Value {
    let started = start(t, course, zip, fields).await;
    assert_eq!(started["workflow_state"], "pre_processed", "{started}");
    finish(t, course, &started).await
}

async fn issues(t: &TestApp, course: i64, migration: &Value) -> Vec<Value> {
    let id = migration["id"].as_i64().unwrap();
    let res = t.get(&format!("/api/v1/courses/{course}/content_migrations/{id}/migration_issues")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body.as_array().unwrap().clone()
}

async fn export(t: &TestApp, path: &str) -> Vec<u8> {
    let (status, headers, bytes) = t.get(path).send_bytes().await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers.get("content-type").unwrap(), "application/zip");
    bytes
}

/// A question of a test, with its group's pick count and points when it is in one.
type Placed = (QuestionBody, Option<(u32, Option<f64>)>);

/// Every question of a package's first assessment, groups' included, in order.
fn questions(package: &Package) -> Vec<Placed> {
    let mut out = Vec::new();
    for entry in &package.assessments[0].entries {
        match entry {
            Entry::Item(i) => out.push((i.body.clone(), None)),
            Entry::Group(g) => {
                out.extend(g.items.iter().map(|i| (i.body.clone(), Some((g.pick_count, g.points_per_item)))))
            }
        }
    }
    out
}

fn ids(migration: &Value, key: &str) -> Vec<i64> {
    migration["results"][key].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect()
}

backend_test!(a_text2qti_package_imports_exports_and_round_trips, |t| {
    let course = new_course(&t, "Physics").await;
    let source = text2qti_package();
    let migration = import(&t, course, source.clone(), &[]).await;
    assert_eq!(migration["workflow_state"], "completed", "{migration}");
    assert_eq!(migration["migration_type"], "qti_converter");
    assert!(migration["finished_at"].is_string());

    // What text2qti wrote that Assay does not carry is said: the image file, and the essay's reference to it.
    let found = issues(&t, course, &migration).await;
    assert_eq!(migration["migration_issues_count"], found.len(), "{migration}");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|i| i["issue_type"] == "warning" && i["workflow_state"] == "active"));
    assert!(found.iter().any(|i| i["description"].as_str().unwrap().contains("images/dot.png")), "{found:#?}");

    // One quiz and one bank, with every question, answer and point value of the package.
    let quiz_ids = ids(&migration, "quiz_ids");
    let bank_ids = ids(&migration, "question_bank_ids");
    assert_eq!((quiz_ids.len(), bank_ids.len()), (1, 1), "{migration}");
    assert_eq!(migration["results"]["questions_imported"], 13);
    let original = read_package(&source).unwrap();
    let expected: Vec<_> = questions(&original).into_iter().map(|(body, group)| (sanitize_body(body), group)).collect();
    let exported = export(&t, &format!("/api/v1/courses/{course}/quizzes/{}/qti", quiz_ids[0])).await;
    let quiz = read_package(&exported).expect("the export reads");
    assert_eq!(quiz.assessments.len(), 1);
    assert_eq!(quiz.assessments[0].title, "Assay coverage quiz");
    let settings = &quiz.assessments[0].settings;
    assert_eq!(
        (
            settings.shuffle_answers,
            settings.one_question_at_a_time,
            settings.cant_go_back,
            settings.show_correct_answers
        ),
        (Some(true), Some(true), Some(true), Some(false))
    );
    assert_eq!(settings.published, Some(false), "imported quizzes are unpublished");
    assert_eq!(questions(&quiz), expected);
    // The quizzes and banks API sees the same: 11 fixed items (the text region among them) and a group of 1 at 3
    // points.
    let res = t.get(&format!("/api/v1/courses/{course}/quizzes/{}", quiz_ids[0])).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["title"], "Assay coverage quiz");
    assert_eq!(res.body["published"], false);
    assert_eq!(res.body["question_count"], 12, "{}", res.body);
    assert_eq!(res.body["points_possible"], 20.0, "{}", res.body);
    let res = t.get(&format!("/api/v1/question_banks/{}/questions?per_page=100", bank_ids[0])).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let listed: Vec<(String, f64)> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["question_type"].as_str().unwrap().to_owned(), q["points_possible"].as_f64().unwrap()))
        .collect();
    let expected_types: Vec<(String, f64)> =
        expected.iter().map(|(b, _)| (b.answer.question_type().canvas_name().to_owned(), b.points_possible)).collect();
    assert_eq!(listed, expected_types);
    let bank = read_package(&export(&t, &format!("/api/v1/question_banks/{}/qti", bank_ids[0])).await).unwrap();
    assert_eq!(bank.banks[0].title, "Assay coverage quiz");
    let bank_bodies: Vec<QuestionBody> = bank.banks[0].items.iter().map(|i| i.body.clone()).collect();
    assert_eq!(bank_bodies, expected.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>());

    // Round trip: the export imports again to the same questions, answers and points, and nothing to report but
    // the image reference the question text still holds.
    let again = import(&t, course, exported.clone(), &[]).await;
    assert_eq!(again["workflow_state"], "completed", "{again}");
    let again_issues = issues(&t, course, &again).await;
    assert_eq!(again_issues.len(), 1, "{again_issues:#?}");
    let second = ids(&again, "quiz_ids")[0];
    assert_ne!(second, quiz_ids[0]);
    let re_exported =
        read_package(&export(&t, &format!("/api/v1/courses/{course}/quizzes/{second}/qti")).await).unwrap();
    assert_eq!(questions(&re_exported), questions(&quiz));
    assert_eq!(re_exported.assessments[0].settings, quiz.assessments[0].settings);

    // The list, newest first.
    let res = t.get(&format!("/api/v1/courses/{course}/content_migrations")).send().await;
    let listed: Vec<i64> = res.body.as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![again["id"].as_i64().unwrap(), migration["id"].as_i64().unwrap()]);
});

backend_test!(settings_choose_the_bank_and_the_destination, |t| {
    let course = new_course(&t, "Chemistry").await;
    // Questions only, into a new bank with the name asked for.
    let m = import(
        &t,
        course,
        text2qti_package(),
        &[("settings[question_bank_name]", "Unit 3"), ("settings[destination]", "bank")],
    )
    .await;
    assert_eq!(m["workflow_state"], "completed", "{m}");
    assert_eq!(ids(&m, "quiz_ids"), Vec::<i64>::new());
    let bank = ids(&m, "question_bank_ids")[0];
    let package = read_package(&export(&t, &format!("/api/v1/question_banks/{bank}/qti")).await).unwrap();
    assert_eq!(package.banks[0].title, "Unit 3");
    assert_eq!(package.banks[0].items.len(), 13);
    assert!(issues(&t, course, &m).await.iter().any(|i| i["description"].as_str().unwrap().contains("destination")));

    // Into that existing bank: no new bank.
    let bank_id = bank.to_string();
    let m = import(&t, course, text2qti_package(), &[("settings[question_bank_id]", bank_id.as_str())]).await;
    assert_eq!(ids(&m, "question_bank_ids"), Vec::<i64>::new(), "{m}");
    let package = read_package(&export(&t, &format!("/api/v1/question_banks/{bank}/qti")).await).unwrap();
    assert_eq!(package.banks[0].items.len(), 26);

    // A bank of another course is refused before anything runs.
    let other = new_course(&t, "Other").await;
    let form = reqwest::multipart::Form::new()
        .text("migration_type", "qti_converter")
        .text("settings[question_bank_id]", bank_id.clone())
        .part("file", reqwest::multipart::Part::bytes(text2qti_package()).file_name("quiz.zip"));
    let res = t.post(&format!("/api/v1/courses/{other}/content_migrations")).multipart(form).send().await;
    res.assert_error(422, "validation_failed");
    let res = t
        .post(&format!("/api/v1/courses/{course}/content_migrations"))
        .json(&json!({"migration_type": "qti_converter", "settings": {"destination": "somewhere"}, "pre_attachment": {"name": "q.zip"}}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
});

backend_test!(a_package_can_be_uploaded_after_announcing_it, |t| {
    let course = new_course(&t, "Biology").await;
    let res = t
        .post(&format!("/api/v1/courses/{course}/content_migrations"))
        .json(&json!({"migration_type": "qti_converter", "pre_attachment": {"name": "quiz.zip", "size": 1234}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["workflow_state"], "pre_processing");
    let upload_url = res.body["pre_attachment"]["upload_url"].as_str().unwrap().to_owned();
    assert_eq!(res.body["pre_attachment"]["file_param"], "file");
    let path = &upload_url[upload_url.find("/api/").unwrap()..];
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(text2qti_package()).file_name("quiz.zip"));
    let uploaded = t.post(path).multipart(form).send().await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    assert_eq!(uploaded.body["workflow_state"], "pre_processed");
    assert!(uploaded.body.get("pre_attachment").is_none());
    let done = finish(&t, course, &uploaded.body).await;
    assert_eq!(done["workflow_state"], "completed", "{done}");
    // Its file is in: a second upload is a conflict.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(text2qti_package()).file_name("quiz.zip"));
    t.post(path).multipart(form).send().await.assert_error(409, "conflict");
});

backend_test!(bad_requests_and_broken_packages, |t| {
    let course = new_course(&t, "History").await;
    let url = format!("/api/v1/courses/{course}/content_migrations");
    // Refused before anything runs: no type, another importer, no package, an empty package.
    let res = t.post(&url).json(&json!({"pre_attachment": {"name": "q.zip"}})).send().await;
    res.assert_error(422, "validation_failed");
    let res = t.post(&url).json(&json!({"migration_type": "course_copy_importer"})).send().await;
    res.assert_error(422, "validation_failed");
    assert!(res.body.to_string().contains("not supported"), "{}", res.body);
    t.post(&url).json(&json!({"migration_type": "qti_converter"})).send().await.assert_error(422, "validation_failed");
    let res = t.post(&format!("{url}?migration_type=qti_converter")).body("application/zip", Vec::new()).send().await;
    res.assert_error(422, "validation_failed");

    // A package that is not a zip or QTI fails the migration, with the reason as an error issue; nothing is made.
    let res = t
        .post(&format!("{url}?migration_type=qti_converter"))
        .body("application/zip", b"PK\x03\x04 broken".to_vec())
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let failed = finish(&t, course, &res.body).await;
    assert_eq!(failed["workflow_state"], "failed", "{failed}");
    let found = issues(&t, course, &failed).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["issue_type"], "error");
    assert!(found[0]["error_message"].as_str().unwrap().contains("zip"), "{found:#?}");
    let progress = failed["progress_url"].as_str().unwrap();
    let progress = t.get(&progress[progress.find("/api/").unwrap()..]).send().await;
    assert_eq!(progress.body["workflow_state"], "failed");

    // A bare QTI document (raw XML) with one bad question among good ones: the good ones are imported.
    let doc = r#"<questestinterop><objectbank ident="b"><qtimetadata><qtimetadatafield><fieldlabel>bank_title</fieldlabel><fieldentry>Loose</fieldentry></qtimetadatafield></qtimetadata>
<item ident="ok" title="Fine"><itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>essay_question</fieldentry></qtimetadatafield><qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>2</fieldentry></qtimetadatafield></qtimetadata></itemmetadata><presentation><material><mattext texttype="text/html">Write</mattext></material></presentation></item>
<item ident="bad" title="No answers"><itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>multiple_choice_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata><presentation><material><mattext>Pick</mattext></material></presentation></item>
</objectbank></questestinterop>"#;
    let res = t.post(&format!("{url}?migration_type=qti_converter")).body("application/xml", doc).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let done = finish(&t, course, &res.body).await;
    assert_eq!(done["workflow_state"], "completed", "{done}");
    assert_eq!(done["results"]["questions_imported"], 1, "{done}");
    let found = issues(&t, course, &done).await;
    assert!(
        found.iter().any(|i| i["description"].as_str().unwrap().contains("\"No answers\" (bad) was not imported")),
        "{found:#?}"
    );

    // Issues can be resolved.
    let issue = found[0]["id"].as_i64().unwrap();
    let m = done["id"].as_i64().unwrap();
    let res =
        t.put(&format!("{url}/{m}/migration_issues/{issue}")).json(&json!({"workflow_state": "resolved"})).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["workflow_state"], "resolved");
    let res = t.get(&format!("{url}/{m}/migration_issues/{issue}")).send().await;
    assert_eq!(res.body["workflow_state"], "resolved");
    t.put(&format!("{url}/{m}/migration_issues/{issue}"))
        .json(&json!({"workflow_state": "gone"}))
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get(&format!("{url}/{m}/migration_issues/999999")).send().await.assert_error(404, "migration_issue_not_found");
    t.get(&format!("{url}/999999")).send().await.assert_error(404, "content_migration_not_found");
});

backend_test!(students_may_not_import_or_export, |t| {
    let course = new_course(&t, "Art").await;
    let m = import(&t, course, text2qti_package(), &[]).await;
    let quiz = ids(&m, "quiz_ids")[0];
    let bank = ids(&m, "question_bank_ids")[0];
    let student = t.create_user("Sam Student", "sam@school.test", None).await["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{course}/enrollments"))
        .form(&[
            ("enrollment[user_id]", student.to_string().as_str()),
            ("enrollment[type]", "StudentEnrollment"),
            ("enrollment[enrollment_state]", "active"),
        ])
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    let token = t.token_for(student).await;
    let id = m["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/courses/{course}/content_migrations"),
        format!("/api/v1/courses/{course}/content_migrations/{id}"),
        format!("/api/v1/courses/{course}/content_migrations/{id}/migration_issues"),
        format!("/api/v1/courses/{course}/quizzes/{quiz}/qti"),
        format!("/api/v1/question_banks/{bank}/qti"),
    ] {
        t.get(&path).token(&token).send().await.assert_error(401, "unauthorized");
    }
    let form = reqwest::multipart::Form::new()
        .text("migration_type", "qti_converter")
        .part("file", reqwest::multipart::Part::bytes(text2qti_package()).file_name("quiz.zip"));
    let res =
        t.post(&format!("/api/v1/courses/{course}/content_migrations")).token(&token).multipart(form).send().await;
    res.assert_error(401, "unauthorized");
    // Nor poll the course's Progress.
    let progress = m["progress_url"].as_str().unwrap();
    t.get(&progress[progress.find("/api/").unwrap()..]).token(&token).send().await.assert_error(401, "unauthorized");
});
