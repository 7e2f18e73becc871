//! Bulk provisioning: SIS imports (Canvas CSV, OneRoster CSV), their Progress, and bulk enrollment.

use std::io::Write;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{backend_test, harness::TestApp};

/// A zip of `files`.
pub fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        for (name, body) in files {
            zip.start_file(*name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// Polls the import until it ends (30 s at most); returns it.
pub async fn wait(t: &TestApp, id: i64) -> Value {
    wait_as(t, id, &t.school.admin_token).await
}

async fn wait_as(t: &TestApp, id: i64, token: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = t.get(&format!("/api/v1/accounts/self/sis_imports/{id}")).token(token).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let state = res.body["workflow_state"].as_str().unwrap().to_owned();
        if state != "created" && state != "importing" {
            return res.body;
        }
        assert!(std::time::Instant::now() < deadline, "import {id} did not finish: {}", res.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Polls a Progress until it is completed or failed.
async fn wait_progress(t: &TestApp, id: i64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = t.get(&format!("/api/v1/progress/{id}")).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        if matches!(res.body["workflow_state"].as_str(), Some("completed" | "failed")) {
            return res.body;
        }
        assert!(std::time::Instant::now() < deadline, "progress {id} did not finish: {}", res.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn import_zip(t: &TestApp, files: &[(&str, &str)]) -> Value {
    let res =
        t.post("/api/v1/accounts/self/sis_imports?extension=zip").body("application/zip", zip_of(files)).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    wait(t, res.body["id"].as_i64().unwrap()).await
}

async fn import_csv(t: &TestApp, csv: &str) -> Value {
    let res = t.post("/api/v1/accounts/self/sis_imports?extension=csv").body("text/csv", csv.to_owned()).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    wait(t, res.body["id"].as_i64().unwrap()).await
}

async fn scalar(t: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = t.store().read();
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql.to_owned()))
        .await
        .expect("query")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

async fn enrollment_state(t: &TestApp, user_sis: &str, course_sis: &str, kind: &str) -> Option<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = t.store().read();
    let sql = format!(
        "SELECT e.workflow_state AS s FROM enrollments e JOIN users u ON u.id = e.user_id \
         JOIN courses c ON c.id = e.course_id WHERE u.sis_user_id = '{user_sis}' AND c.sis_course_id = '{course_sis}' \
         AND e.type = '{kind}' AND e.root_account_id = {}",
        t.school.id
    );
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.expect("query")?;
    Some(row.try_get::<String>("", "s").expect("s"))
}

const ACCOUNTS: &str = "account_id,parent_account_id,name,status\nHUM,,Humanities,active\nENG,HUM,English,active\n";
const TERMS: &str = "term_id,name,status,start_date,end_date\nT1,Fall 2026,active,2026-09-01T00:00:00Z,2026-12-20\n";
const COURSES: &str = "course_id,short_name,long_name,account_id,term_id,status\n\
                       C1,ENG101,English 101,ENG,T1,active\n\
                       C2,HIS200,\"History 200: Rome, Greece\",HUM,,published\n";
const SECTIONS: &str = "section_id,course_id,name,status\nS1,C1,Section 1,active\n";
const USERS: &str = "user_id,login_id,first_name,last_name,email,status\n\
                     u1,alice,Alice,Archer,alice@example.test,active\n\
                     u2,bob,Bob,Baker,,active\n\
                     t1,tina,Tina,Teacher,tina@example.test,active\n";
const ENROLLMENTS: &str = "course_id,user_id,role,section_id,status\n\
                           C1,u1,student,S1,active\n\
                           C1,t1,teacher,S1,active\n\
                           C2,u2,student,,active\n\
                           C2,u1,observer,,inactive\n";

fn roster() -> Vec<(&'static str, &'static str)> {
    vec![
        ("accounts.csv", ACCOUNTS),
        ("terms.csv", TERMS),
        ("courses.csv", COURSES),
        ("sections.csv", SECTIONS),
        ("users.csv", USERS),
        ("enrollments.csv", ENROLLMENTS),
    ]
}

backend_test!(a_canvas_zip_provisions_a_school_and_a_second_run_changes_nothing, |t| {
    let first = import_zip(&t, &roster()).await;
    assert_eq!(first["workflow_state"], "imported", "{first}");
    assert_eq!(first["progress"], 100);
    assert_eq!(first["data"]["import_type"], "instructure_csv");
    let counts = &first["data"]["counts"];
    for (kind, n) in [("accounts", 2), ("terms", 1), ("courses", 2), ("sections", 1), ("users", 3), ("enrollments", 4)]
    {
        assert_eq!(counts[kind], n, "{kind}: {first}");
    }
    assert_eq!(first["statistics"]["Enrollment"]["created"], 4);
    assert_eq!(first["statistics"]["total_state_changes"], 2 + 1 + 2 + 1 + 3 + 4);
    assert_eq!(first["processing_errors"], serde_json::json!([]));
    assert_eq!(first["user"]["id"], t.school.admin_id);

    // The objects are there, reachable by their SIS ids, in the right places.
    let eng = t.get("/api/v1/accounts/sis_account_id:ENG").send().await;
    assert_eq!(eng.status, StatusCode::OK, "{}", eng.body);
    let hum = t.get("/api/v1/accounts/sis_account_id:HUM").send().await;
    assert_eq!(eng.body["parent_account_id"], hum.body["id"]);
    let c1 = t.get("/api/v1/courses/sis_course_id:C1").send().await;
    assert_eq!(c1.status, StatusCode::OK, "{}", c1.body);
    assert_eq!((c1.body["name"].as_str(), c1.body["course_code"].as_str()), (Some("English 101"), Some("ENG101")));
    assert_eq!(c1.body["account_id"], eng.body["id"]);
    assert_eq!(c1.body["workflow_state"], "unpublished");
    let c2 = t.get("/api/v1/courses/sis_course_id:C2").send().await;
    assert_eq!(c2.body["name"], "History 200: Rome, Greece");
    assert_eq!(c2.body["workflow_state"], "available");
    let alice = t.get("/api/v1/users/sis_user_id:u1").send().await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.body);
    assert_eq!(
        (alice.body["name"].as_str(), alice.body["sortable_name"].as_str()),
        (Some("Alice Archer"), Some("Archer, Alice"))
    );
    assert_eq!(alice.body["login_id"], "alice");
    let by_login = t.get("/api/v1/users/sis_login_id:ALICE").send().await;
    assert_eq!(by_login.body["id"], alice.body["id"]);
    let term = t.get("/api/v1/accounts/self/terms/sis_term_id:T1").send().await;
    assert_eq!(term.body["start_at"], "2026-09-01T00:00:00Z");
    assert_eq!(enrollment_state(&t, "u1", "C1", "StudentEnrollment").await.as_deref(), Some("active"));
    assert_eq!(enrollment_state(&t, "u1", "C2", "ObserverEnrollment").await.as_deref(), Some("inactive"));
    // C2's enrollments named no section: they joined its default section, made for them.
    let defaults = scalar(
        &t,
        &format!(
            "SELECT COUNT(*) AS n FROM course_sections s JOIN enrollments e ON e.course_section_id = s.id \
             WHERE s.default_section = {} AND s.course_id = {}",
            if t.db == crate::harness::Db::Postgres { "true" } else { "1" },
            c2.body["id"]
        ),
    )
    .await;
    assert_eq!(defaults, 2);
    let events_after_first = t.event_count().await;

    // The same file again: nothing changes, no event is recorded, the ids stay.
    let second = import_zip(&t, &roster()).await;
    assert_eq!(second["workflow_state"], "imported", "{second}");
    assert_eq!(second["statistics"]["total_state_changes"], 0, "{second}");
    assert_eq!(second["data"]["counts"]["enrollments"], 4);
    assert_eq!(t.event_count().await, events_after_first);
    let again = t.get("/api/v1/users/sis_user_id:u1").send().await;
    assert_eq!(again.body["id"], alice.body["id"]);
    assert_eq!(t.get("/api/v1/courses/sis_course_id:C1").send().await.body["id"], c1.body["id"]);
    assert_eq!(
        scalar(&t, &format!("SELECT COUNT(*) AS n FROM enrollments WHERE root_account_id = {}", t.school.id)).await,
        4
    );
    assert_eq!(
        scalar(&t, &format!("SELECT COUNT(*) AS n FROM users WHERE root_account_id = {}", t.school.id)).await,
        4
    );

    // The list shows both, newest first, wrapped as Canvas does.
    let list = t.get("/api/v1/accounts/self/sis_imports").send().await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let imports = list.body["sis_imports"].as_array().unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["id"], second["id"]);
    assert_eq!(imports[1]["id"], first["id"]);

    // The Progress of the import is complete, with an absolute URL.
    let progress = t.get(&format!("/api/v1/progress/{}", first["progress_id"])).send().await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.body);
    assert_eq!(progress.body["workflow_state"], "completed");
    assert_eq!(progress.body["completion"], 100.0);
    assert_eq!(progress.body["tag"], "sis_import");
    assert_eq!(progress.body["context_type"], "Account");
    assert_eq!(progress.body["url"], t.url(&format!("/api/v1/progress/{}", first["progress_id"])));
    assert_eq!(progress.body["results"]["sis_import_id"], first["id"]);
});

backend_test!(single_csv_files_are_accepted_raw_and_as_multipart, |t| {
    let raw = import_csv(&t, USERS).await;
    assert_eq!(raw["workflow_state"], "imported", "{raw}");
    assert_eq!(raw["data"]["supplied_batches"], serde_json::json!(["user"]));
    assert_eq!(raw["data"]["counts"]["users"], 3);
    let form = reqwest::multipart::Form::new()
        .text("import_type", "instructure_csv")
        .part("attachment", reqwest::multipart::Part::bytes(TERMS.as_bytes().to_vec()).file_name("terms.csv"));
    let res = t.post("/api/v1/accounts/self/sis_imports").multipart(form).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["workflow_state"], "created");
    let done = wait(&t, res.body["id"].as_i64().unwrap()).await;
    assert_eq!(done["data"]["counts"]["terms"], 1, "{done}");
    // A zip sent as multipart too.
    let form = reqwest::multipart::Form::new().part(
        "attachment",
        reqwest::multipart::Part::bytes(zip_of(&[
            ("sections.csv", SECTIONS),
            ("courses.csv", COURSES),
            ("accounts.csv", ACCOUNTS),
            ("terms.csv", TERMS),
        ]))
        .file_name("roster.zip"),
    );
    let res = t.post("/api/v1/accounts/self/sis_imports").multipart(form).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let done = wait(&t, res.body["id"].as_i64().unwrap()).await;
    assert_eq!(done["workflow_state"], "imported", "{done}");
    assert_eq!(done["data"]["counts"]["sections"], 1);
});

backend_test!(unreadable_uploads_are_refused_before_anything_runs, |t| {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("application/zip", b"PK\x03\x04 definitely not a zip".to_vec()),
        ("text/csv", b"colour,flavour\nred,sweet\n".to_vec()),
        ("application/zip", zip_of(&[("readme.txt", "no csv here")])),
    ];
    for (content_type, body) in cases {
        let res = t.post("/api/v1/accounts/self/sis_imports").body(content_type, body).send().await;
        res.assert_error(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["source"]["pointer"], "/attachment", "{}", res.body);
    }
    let res = t.post("/api/v1/accounts/self/sis_imports").body("text/csv", "").send().await;
    res.assert_error(422, "validation_failed");
    let res = t.post("/api/v1/accounts/self/sis_imports?import_type=ims_xml").body("text/csv", USERS).send().await;
    res.assert_error(422, "validation_failed");
    let res = t.post("/api/v1/accounts/self/sis_imports").body("image/png", "x").send().await;
    res.assert_error(415, "unsupported_media_type");
    // Nothing was queued.
    let list = t.get("/api/v1/accounts/self/sis_imports").send().await;
    assert_eq!(list.body["sis_imports"], serde_json::json!([]));
});

backend_test!(bad_rows_are_reported_and_good_rows_still_import, |t| {
    let users = "user_id,login_id,first_name,last_name,status\n\
                 u1,alice,Alice,Archer,active\n\
                 ,nobody,No,Id,active\n\
                 u1,alice2,Alice,Again,active\n\
                 u3,ALICE,Copy,Cat,active\n\
                 u4,dora,Dora,Day,suspended\n\
                 u5,eve,Eve,Evans,active,extra\n\
                 u6,fay,Fay,Field,active\n";
    let courses = "course_id,short_name,long_name,account_id,term_id,status,start_date\n\
                   C1,C1,Course 1,,,active,not-a-date\n\
                   C2,C2,Course 2,NOPE,,active,\n\
                   C3,C3,Course 3,,NOTERM,active,\n";
    let enrollments = "course_id,user_id,role,section_id,status\n\
                       C1,u1,student,,active\n\
                       C1,u6,wizard,,active\n\
                       C9,u6,student,,active\n\
                       C1,ghost,student,,active\n\
                       C1,u1,student,,active\n\
                       C1,u6,teacher,,active\n";
    let done =
        import_zip(&t, &[("users.csv", users), ("courses.csv", courses), ("enrollments.csv", enrollments)]).await;
    assert_eq!(done["workflow_state"], "imported_with_messages", "{done}");
    let errors: Vec<(String, String)> = done["processing_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_str().unwrap().to_owned(), e[1].as_str().unwrap().to_owned()))
        .collect();
    let has = |file: &str, text: &str| errors.iter().any(|(f, m)| f == file && m.contains(text));
    assert!(has("users.csv", "row 3: user_id is required"), "{errors:?}");
    assert!(has("users.csv", "row 4: duplicate user_id `u1`"), "{errors:?}");
    assert!(has("users.csv", "row 5: login_id `ALICE` is already in use"), "{errors:?}");
    assert!(has("users.csv", "row 6: unknown status `suspended`"), "{errors:?}");
    assert!(has("users.csv", "row 7: the row has 6 fields"), "{errors:?}");
    assert!(has("courses.csv", "row 3: account `NOPE` does not exist"), "{errors:?}");
    assert!(has("courses.csv", "row 4: term `NOTERM` does not exist"), "{errors:?}");
    assert!(has("enrollments.csv", "row 3: unknown role `wizard`"), "{errors:?}");
    assert!(has("enrollments.csv", "row 4: course `C9` does not exist"), "{errors:?}");
    assert!(has("enrollments.csv", "row 5: user `ghost` does not exist"), "{errors:?}");
    assert!(has("enrollments.csv", "row 6: duplicate enrollment"), "{errors:?}");
    let warnings = done["processing_warnings"].to_string();
    assert!(warnings.contains("bad date `not-a-date`"), "{warnings}");
    assert_eq!(done["data"]["counts"]["error_count"], errors.len());
    // The good rows are in.
    assert_eq!(done["data"]["counts"]["users"], 2);
    assert_eq!(t.get("/api/v1/users/sis_user_id:u6").send().await.status, StatusCode::OK);
    assert_eq!(t.get("/api/v1/users/sis_user_id:u3").send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/api/v1/courses/sis_course_id:C1").send().await.status, StatusCode::OK);
    assert_eq!(t.get("/api/v1/courses/sis_course_id:C2").send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(enrollment_state(&t, "u1", "C1", "StudentEnrollment").await.as_deref(), Some("active"));
    assert_eq!(enrollment_state(&t, "u6", "C1", "TeacherEnrollment").await.as_deref(), Some("active"));
});

backend_test!(status_deleted_removes_what_an_earlier_import_made, |t| {
    import_zip(&t, &roster()).await;
    let events_before = t.event_count().await;
    let deletes = "course_id,user_id,role,section_id,status\nC1,u1,student,S1,deleted\nC1,t1,teacher,S1,completed\n";
    let done = import_csv(&t, deletes).await;
    assert_eq!(done["statistics"]["Enrollment"]["deleted"], 1, "{done}");
    assert_eq!(done["statistics"]["Enrollment"]["concluded"], 1, "{done}");
    assert_eq!(enrollment_state(&t, "u1", "C1", "StudentEnrollment").await.as_deref(), Some("deleted"));
    assert_eq!(enrollment_state(&t, "t1", "C1", "TeacherEnrollment").await.as_deref(), Some("completed"));
    assert_eq!(t.event_count().await, events_before + 2);
    // A deleted user loses its enrollments; a deleted course is gone from the API.
    let done = import_csv(&t, "user_id,login_id,full_name,status\nu2,bob,Bob Baker,deleted\n").await;
    assert_eq!(done["statistics"]["Pseudonym"]["deleted"], 1, "{done}");
    assert_eq!(t.get("/api/v1/users/sis_user_id:u2").send().await.status, StatusCode::NOT_FOUND);
    assert_eq!(enrollment_state(&t, "u2", "C2", "StudentEnrollment").await.as_deref(), Some("deleted"));
    let done = import_csv(&t, "course_id,short_name,long_name,status\nC2,HIS200,History 200,deleted\n").await;
    assert_eq!(done["statistics"]["Course"]["deleted"], 1, "{done}");
    assert_eq!(t.get("/api/v1/courses/sis_course_id:C2").send().await.status, StatusCode::NOT_FOUND);
    // Deleting again changes nothing; reviving restores.
    let done = import_csv(&t, deletes).await;
    assert_eq!(done["statistics"]["total_state_changes"], 0, "{done}");
    let done = import_csv(&t, "course_id,user_id,role,section_id,status\nC1,u1,student,S1,active\n").await;
    assert_eq!(done["statistics"]["Enrollment"]["restored"], 1, "{done}");
    assert_eq!(enrollment_state(&t, "u1", "C1", "StudentEnrollment").await.as_deref(), Some("active"));
});

backend_test!(a_oneroster_zip_provisions_a_school, |t| {
    let files = [
        ("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\n"),
        (
            "orgs.csv",
            "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n\
             D1,,,District,district,,\n\
             S1,,,Springfield High,school,,D1\n",
        ),
        (
            "academicSessions.csv",
            "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n\
             AS1,,,Fall 2026,semester,2026-09-01,2026-12-20,,2027\n\
             GP1,,,Quarter 1,gradingPeriod,2026-09-01,2026-10-31,AS1,2027\n",
        ),
        (
            "courses.csv",
            "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId\nCO1,,,,Algebra,ALG,,S1\n",
        ),
        (
            "classes.csv",
            "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\n\
             CL1,,,Algebra - Period 1,,CO1,,scheduled,,S1,AS1\n",
        ),
        (
            "users.csv",
            "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email\n\
             US1,,,true,sam.student,,Sam,Student,,,sam@example.test\n\
             UT1,,,true,terry.teacher,,Terry,Teacher,,,terry@example.test\n\
             UA1,,,true,ada.admin,,Ada,Admin,,,ada@example.test\n",
        ),
        (
            "enrollments.csv",
            "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n\
             E1,,,CL1,S1,US1,student,,,\n\
             E2,,,CL1,S1,UT1,teacher,true,,\n\
             E3,,,CL1,S1,UA1,administrator,,,\n",
        ),
    ];
    let done = import_zip(&t, &files).await;
    assert_eq!(done["data"]["import_type"], "oneroster_csv", "{done}");
    assert_eq!(done["workflow_state"], "imported_with_messages", "{done}");
    let warnings = done["processing_warnings"].to_string();
    assert!(warnings.contains("grading period") && warnings.contains("administrator"), "{warnings}");
    assert_eq!(done["processing_errors"], serde_json::json!([]), "{done}");
    let school = t.get("/api/v1/accounts/sis_account_id:S1").send().await;
    assert_eq!(school.status, StatusCode::OK, "{}", school.body);
    assert_eq!(school.body["parent_account_id"], t.school.id, "the district is the root account itself");
    let class = t.get("/api/v1/courses/sis_course_id:CL1").send().await;
    assert_eq!(class.status, StatusCode::OK, "{}", class.body);
    assert_eq!(
        (class.body["name"].as_str(), class.body["course_code"].as_str()),
        (Some("Algebra - Period 1"), Some("ALG"))
    );
    assert_eq!(class.body["account_id"], school.body["id"]);
    let term = t.get("/api/v1/accounts/self/terms/sis_term_id:AS1").send().await;
    assert_eq!(class.body["enrollment_term_id"], term.body["id"]);
    let sam = t.get("/api/v1/users/sis_user_id:US1").send().await;
    assert_eq!((sam.body["name"].as_str(), sam.body["login_id"].as_str()), (Some("Sam Student"), Some("sam.student")));
    assert_eq!(enrollment_state(&t, "US1", "CL1", "StudentEnrollment").await.as_deref(), Some("active"));
    assert_eq!(enrollment_state(&t, "UT1", "CL1", "TeacherEnrollment").await.as_deref(), Some("active"));
    // Idempotent too.
    let again = import_zip(&t, &files).await;
    assert_eq!(again["statistics"]["total_state_changes"], 0, "{again}");
});

backend_test!(bulk_enrollment_enrolls_users_in_courses_as_a_job, |t| {
    let a = t.create_user("Ann Able", "ann@example.test", None).await["id"].as_i64().unwrap();
    let b = t.create_user("Ben Best", "ben@example.test", None).await["id"].as_i64().unwrap();
    let course = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Bulk 1")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let other = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", "Bulk 2")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let body =
        serde_json::json!({"user_ids": [a, b], "course_ids": [course, other], "enrollment_type": "TaEnrollment"});
    let res = t.post("/api/v1/accounts/self/bulk_enrollment").json(&body).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["tag"], "bulk_enrollment");
    let done = wait_progress(&t, res.body["id"].as_i64().unwrap()).await;
    assert_eq!(done["workflow_state"], "completed", "{done}");
    assert_eq!(done["results"]["statistics"]["Enrollment"]["created"], 4, "{done}");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM enrollments WHERE type = 'TaEnrollment' AND root_account_id = {}",
        t.school.id
    );
    assert_eq!(scalar(&t, &sql).await, 4);
    let events = t.event_count().await;
    let res = t.post("/api/v1/accounts/self/bulk_enrollment").json(&body).send().await;
    let done = wait_progress(&t, res.body["id"].as_i64().unwrap()).await;
    assert_eq!(done["results"]["statistics"]["total_state_changes"], 0, "{done}");
    assert_eq!(t.event_count().await, events);
    // Bulk enrollments are not SIS imports.
    assert_eq!(t.get("/api/v1/accounts/self/sis_imports").send().await.body["sis_imports"], serde_json::json!([]));
    // Bad input is refused whole.
    let res = t
        .post("/api/v1/accounts/self/bulk_enrollment")
        .json(&serde_json::json!({"user_ids": [a, 999_999], "course_ids": [course]}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/user_ids/1");
    let res = t
        .post("/api/v1/accounts/self/bulk_enrollment")
        .json(&serde_json::json!({"user_ids": [a], "course_ids": []}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let res = t
        .post("/api/v1/accounts/self/bulk_enrollment")
        .json(&serde_json::json!({"user_ids": [a], "course_ids": [course], "enrollment_type": "Boss"}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
});

backend_test!(only_administrators_import_and_other_schools_see_nothing, |t| {
    let done = import_zip(&t, &roster()).await;
    let id = done["id"].as_i64().unwrap();
    let progress = done["progress_id"].as_i64().unwrap();
    // A teacher and a student (enrolled by the import) may not import, list or read imports and progress.
    for sis in ["t1", "u1"] {
        let user = t.get(&format!("/api/v1/users/sis_user_id:{sis}")).send().await.body["id"].as_i64().unwrap();
        let token = t.token_for(user).await;
        t.post("/api/v1/accounts/self/sis_imports")
            .token(&token)
            .body("text/csv", USERS)
            .send()
            .await
            .assert_error(401, "unauthorized");
        t.get("/api/v1/accounts/self/sis_imports").token(&token).send().await.assert_error(401, "unauthorized");
        t.get(&format!("/api/v1/accounts/self/sis_imports/{id}"))
            .token(&token)
            .send()
            .await
            .assert_error(401, "unauthorized");
        t.get(&format!("/api/v1/progress/{progress}")).token(&token).send().await.assert_error(401, "unauthorized");
        t.post("/api/v1/accounts/self/bulk_enrollment")
            .token(&token)
            .json(&serde_json::json!({"user_ids": [user], "course_ids": [1]}))
            .send()
            .await
            .assert_error(401, "unauthorized");
    }
    // Another school's administrator finds none of it.
    let other = t.create_school("School B").await;
    let a = t.school.id;
    t.get(&format!("/api/v1/accounts/self/sis_imports/{id}"))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "sis_import_not_found");
    t.get(&format!("/api/v1/accounts/{a}/sis_imports/{id}"))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "account_not_found");
    t.get(&format!("/api/v1/progress/{progress}"))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "progress_not_found");
    t.post(&format!("/api/v1/accounts/{a}/sis_imports"))
        .token(&other.admin_token)
        .body("text/csv", USERS)
        .send()
        .await
        .assert_error(404, "account_not_found");
    // School B importing the same SIS ids gets its own objects.
    let res =
        t.post("/api/v1/accounts/self/sis_imports").token(&other.admin_token).body("text/csv", USERS).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let theirs = wait_as(&t, res.body["id"].as_i64().unwrap(), &other.admin_token).await;
    assert_eq!(theirs["workflow_state"], "imported", "{theirs}");
    assert_eq!(theirs["statistics"]["Pseudonym"]["created"], 3);
    let empty = t.get("/api/v1/accounts/self/sis_imports").token(&other.admin_token).send().await;
    assert_eq!(empty.body["sis_imports"].as_array().unwrap().len(), 1);
});
