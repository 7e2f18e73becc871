//! Question banks: CRUD with external ids, search by title and tag, questions with filters, versioning (a
//! delivered version is frozen and edits make a new one), copy and move between banks, permissions, events.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn bank(t: &TestApp, path: &str, body: Value) -> Value {
    let res = t.post(path).json(&json!({ "question_bank": body })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

async fn add(t: &TestApp, bank: i64, body: Value) -> Value {
    let res =
        t.post(&format!("/api/v1/question_banks/{bank}/questions")).json(&json!({ "question": body })).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

fn ids(res: &crate::harness::Res) -> Vec<i64> {
    res.body.as_array().unwrap_or_else(|| panic!("{}", res.body)).iter().map(|v| v["id"].as_i64().unwrap()).collect()
}

backend_test!(banks_are_managed_searched_and_addressed_by_external_id, |t| {
    let c = course(&t, "Geo").await;
    let a = bank(
        &t,
        &format!("/api/v1/courses/{c}/question_banks"),
        json!({"title": "Rivers", "external_id": "ANS-1", "tags": ["water", "europe"]}),
    )
    .await;
    let b = bank(&t, &format!("/api/v1/courses/{c}/question_banks"), json!({"title": "Mountains", "tags": ["europe"]}))
        .await;
    let acct = bank(&t, "/api/v1/accounts/self/question_banks", json!({"title": "Shared"})).await;
    assert_eq!((a["context_type"].as_str(), a["context_id"].as_i64()), (Some("Course"), Some(c)));
    assert_eq!(acct["context_type"], "Account");
    assert_eq!(a["tags"], json!(["water", "europe"]));
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let list = format!("/api/v1/courses/{c}/question_banks");
    assert_eq!(ids(&t.get(&list).send().await), [a, b]);
    assert_eq!(ids(&t.get(&format!("{list}?search_term=RIV")).send().await), [a]);
    assert_eq!(ids(&t.get(&format!("{list}?tag[]=europe")).send().await), [a, b]);
    assert_eq!(ids(&t.get(&format!("{list}?tag[]=europe&tag[]=water")).send().await), [a]);
    assert_eq!(ids(&t.get("/api/v1/accounts/self/question_banks").send().await), [acct["id"].as_i64().unwrap()]);
    let res = t.get("/api/v1/question_banks/external_id:ANS-1").send().await;
    assert_eq!(res.body["id"], a);
    let res = t
        .put(&format!("/api/v1/question_banks/{a}"))
        .form(&[("question_bank[title]", "Rivers and lakes"), ("question_bank[tags][]", "water")])
        .send()
        .await;
    assert_eq!((res.body["title"].as_str(), res.body["tags"].clone()), (Some("Rivers and lakes"), json!(["water"])));
    let res =
        t.post(&list).form(&[("question_bank[title]", "Dup"), ("question_bank[external_id]", "ANS-1")]).send().await;
    res.assert_error(409, "conflict");
    t.post(&list).form(&[("question_bank[title]", " ")]).send().await.assert_error(422, "validation_failed");
    let res = t.delete(&format!("/api/v1/question_banks/{b}")).send().await;
    assert_eq!((res.status, res.body["workflow_state"].as_str()), (StatusCode::OK, Some("deleted")));
    t.get(&format!("/api/v1/question_banks/{b}")).send().await.assert_error(404, "question_bank_not_found");

    // A teacher of another course may not see the bank.
    let other = course(&t, "Other").await;
    let teacher = t.create_user("T", "t@school.test", None).await["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{other}/enrollments"))
        .form(&[
            ("enrollment[user_id]", teacher.to_string()),
            ("enrollment[type]", "TeacherEnrollment".into()),
            ("enrollment[enrollment_state]", "active".into()),
        ])
        .send()
        .await;
    assert!(res.status.is_success());
    let token = t.token_for(teacher).await;
    t.get(&format!("/api/v1/question_banks/{a}")).token(&token).send().await.assert_error(401, "unauthorized");
    t.get("/api/v1/accounts/self/question_banks").token(&token).send().await.assert_error(401, "unauthorized");
});

backend_test!(bank_questions_filter_version_copy_and_move, |t| {
    let c = course(&t, "Lang").await;
    let a =
        bank(&t, &format!("/api/v1/courses/{c}/question_banks"), json!({"title": "A"})).await["id"].as_i64().unwrap();
    let b =
        bank(&t, &format!("/api/v1/courses/{c}/question_banks"), json!({"title": "B"})).await["id"].as_i64().unwrap();
    let q1 = add(&t, a, json!({"question_name": "Capital", "question_type": "short_answer_question", "question_text": "<p>Capital of <b>France</b>?</p>",
        "points_possible": 1, "answers": [{"answer_text": "Paris"}], "tags": ["geo"], "external_id": "Q-1"})).await;
    assert_eq!(q1["body"]["answer"]["accepted"], json!(["Paris"]));
    assert_eq!(q1["version"], 1);
    let q2 = add(
        &t,
        a,
        json!({"question_name": "Sum", "question_type": "numerical_question", "question_text": "2 + 2?", "points_possible": 2,
        "answers": [{"numerical_answer_type": "exact_answer", "exact": 4, "margin": 0}], "tags": ["maths"]}),
    )
    .await;
    // The native document is accepted too.
    let q3 = add(&t, a, json!({"body": {"name": "Essay", "text": "Why?", "points_possible": 3, "answer": {"type": "essay"}}, "tags": ["geo", "long"]})).await;
    assert_eq!(q3["question_type"], "essay_question");
    let (q1, q2, q3) = (q1["id"].as_i64().unwrap(), q2["id"].as_i64().unwrap(), q3["id"].as_i64().unwrap());
    let list = format!("/api/v1/question_banks/{a}/questions");
    assert_eq!(ids(&t.get(&list).send().await), [q1, q2, q3]);
    assert_eq!(
        ids(&t.get(&format!("{list}?question_type[]=numerical_question&question_type[]=essay_question")).send().await),
        [q2, q3]
    );
    assert_eq!(ids(&t.get(&format!("{list}?tag[]=geo")).send().await), [q1, q3]);
    assert_eq!(ids(&t.get(&format!("{list}?search_term=france")).send().await), [q1]);
    assert_eq!(ids(&t.get(&format!("{list}?search_term=sum")).send().await), [q2]);
    t.get(&format!("{list}?question_type[]=riddle")).send().await.assert_error(422, "validation_failed");
    assert_eq!(t.get(&format!("/api/v1/question_banks/{a}")).send().await.body["question_count"], 3);

    // Versioning: an undelivered version is edited in place; a delivered one is frozen and a new version made.
    let one = format!("{list}/{q1}");
    let res = t.put(&one).json(&json!({"question": {"points_possible": 2}})).send().await;
    assert_eq!(
        (res.body["version"].as_i64(), res.body["points_possible"].as_f64()),
        (Some(1), Some(2.0)),
        "{}",
        res.body
    );
    let versions = t.get(&format!("{one}/versions")).send().await;
    assert_eq!(versions.body.as_array().unwrap().len(), 1);
    let v1 = versions.body[0]["id"].as_i64().unwrap();
    let store = t.store().clone();
    store
        .write(move |txn| Box::pin(async move { assay_store::questions::mark_delivered(txn, &[v1]).await }))
        .await
        .unwrap();
    let res = t
        .put(&one)
        .json(&json!({"question": {"answers": [{"answer_text": "Paris"}, {"answer_text": "paris, france"}]}}))
        .send()
        .await;
    assert_eq!(res.body["version"], 2, "{}", res.body);
    let versions = t.get(&format!("{one}/versions")).send().await;
    let vs = versions.body.as_array().unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!((vs[0]["delivered"].as_bool(), vs[0]["answers"].as_array().unwrap().len()), (Some(true), 1));
    assert_eq!((vs[1]["delivered"].as_bool(), vs[1]["answers"].as_array().unwrap().len()), (Some(false), 2));
    // The delivered version stays readable by id for attempts.
    let kept = assay_store::questions::version(t.store().read(), v1).await.unwrap();
    assert_eq!(assay_store::questions::body_of(&kept).unwrap().points_possible, 2.0);
    // Tags alone do not make a version.
    let res = t.put(&one).json(&json!({"question": {"tags": ["geo", "capitals"]}})).send().await;
    assert_eq!((res.body["version"].as_i64(), res.body["tags"].clone()), (Some(2), json!(["geo", "capitals"])));

    // Copy keeps the source; move takes the question (with its versions) along.
    let res = t
        .post(&format!("/api/v1/question_banks/{a}/questions/copy"))
        .form(&[("question_ids[]", q2.to_string()), ("to_bank_id", b.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let copy = res.body[0]["id"].as_i64().unwrap();
    assert_ne!(copy, q2);
    assert_eq!(res.body[0]["bank_id"], b);
    let res = t
        .post(&format!("/api/v1/question_banks/{a}/questions/move"))
        .json(&json!({"question_ids": [q1], "to_bank_id": b}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body[0]["id"].as_i64(), res.body[0]["version"].as_i64()), (Some(q1), Some(2)));
    assert_eq!(ids(&t.get(&list).send().await), [q2, q3]);
    assert_eq!(ids(&t.get(&format!("/api/v1/question_banks/{b}/questions")).send().await), [copy, q1]);
    t.get(&one).send().await.assert_error(404, "question_not_found");
    let res = t
        .post(&format!("/api/v1/question_banks/{a}/questions/move"))
        .json(&json!({"question_ids": [q1], "to_bank_id": b}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/question_ids/0");
    let res = t
        .post(&format!("/api/v1/question_banks/{a}/questions/copy"))
        .json(&json!({"question_ids": [q2], "to_bank_id": 99999999}))
        .send()
        .await;
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/to_bank_id", "{}", res.body);

    // Delete.
    let res = t.delete(&format!("{list}/{q3}")).send().await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(ids(&t.get(&list).send().await), [q2]);

    let events = t.get("/api/v1/events?per_page=100").send().await;
    let kinds: Vec<&str> = events.body.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    for expected in
        ["question_bank.created", "question.created", "question.updated", "question.versioned", "question.deleted"]
    {
        assert!(kinds.contains(&expected), "{expected} missing from {kinds:?}");
    }
});
