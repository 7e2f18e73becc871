//! Enrollment terms: Canvas's wrapped list, lookups by SIS id, soft delete, and the root-account rule.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_test;

backend_test!(terms_are_created_listed_updated_and_soft_deleted_like_canvas, |t| {
    let res = t
        .post("/api/v1/accounts/self/terms")
        .form(&[
            ("enrollment_term[name]", "Spring 2027"),
            ("enrollment_term[start_at]", "2027-01-06T08:00:00Z"),
            ("enrollment_term[end_at]", "2027-05-16T05:00:00Z"),
            ("enrollment_term[sis_term_id]", "Sp2027"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let spring = res.body["id"].as_i64().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("{}/api/v1/accounts/{}/terms/{spring}", t.base, t.school.id).as_str())
    );
    for (key, value) in [
        ("name", json!("Spring 2027")),
        ("start_at", json!("2027-01-06T08:00:00Z")),
        ("end_at", json!("2027-05-16T05:00:00Z")),
        ("workflow_state", json!("active")),
        ("sis_term_id", json!("Sp2027")),
        ("integration_id", json!(null)),
    ] {
        assert_eq!(res.body[key], value, "{key}");
    }
    assert!(res.body["created_at"].is_string());
    let fall = t
        .post(&format!("/api/v1/accounts/{}/terms", t.school.id))
        .json(&json!({"enrollment_term": {"name": "Fall 2027"}}))
        .send()
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    // The list is wrapped in `enrollment_terms`, as Canvas does.
    let ids = |res: crate::harness::Res| {
        res.body["enrollment_terms"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    let res = t.get("/api/v1/accounts/self/terms").send().await;
    assert!(res.body.is_object(), "{}", res.body);
    assert_eq!(ids(res), vec![spring, fall]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/terms?per_page=1").send().await), vec![spring]);
    for path in
        [format!("/api/v1/accounts/self/terms/{spring}"), "/api/v1/accounts/self/terms/sis_term_id:Sp2027".into()]
    {
        assert_eq!(t.get(&path).send().await.body["id"], spring, "{path}");
    }
    // Update: PUT returns the whole term.
    let res = t
        .put(&format!("/api/v1/accounts/self/terms/{spring}"))
        .form(&[("enrollment_term[name]", "Spring '27"), ("enrollment_term[end_at]", "2027-06-01T00:00:00Z")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["name"].as_str(), res.body["end_at"].as_str(), res.body["sis_term_id"].as_str()),
        (Some("Spring '27"), Some("2027-06-01T00:00:00Z"), Some("Sp2027"))
    );
    // Delete returns the term, now deleted; it is gone from the default list and from lookups.
    let res = t.delete(&format!("/api/v1/accounts/self/terms/{fall}")).send().await;
    assert_eq!((res.status, res.body["workflow_state"].as_str()), (StatusCode::OK, Some("deleted")), "{}", res.body);
    assert_eq!(res.body["name"], "Fall 2027");
    t.get(&format!("/api/v1/accounts/self/terms/{fall}")).send().await.assert_error(404, "not_found");
    assert_eq!(ids(t.get("/api/v1/accounts/self/terms").send().await), vec![spring]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/terms?workflow_state[]=deleted").send().await), vec![fall]);
    assert_eq!(ids(t.get("/api/v1/accounts/self/terms?workflow_state[]=all").send().await), vec![spring, fall]);
    t.get("/api/v1/accounts/self/terms?workflow_state[]=sleeping").send().await.assert_error(422, "validation_failed");
    let kinds: Vec<String> = t
        .get("/api/v1/events?per_page=100")
        .send()
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_owned))
        .filter(|k| k.starts_with("term."))
        .collect();
    assert_eq!(kinds, ["term.created", "term.created", "term.updated", "term.deleted"]);
});

backend_test!(terms_reject_bad_input_duplicates_sub_accounts_and_non_admins, |t| {
    let res = t
        .post("/api/v1/accounts/self/terms")
        .form(&[("enrollment_term[name]", "Winter"), ("enrollment_term[sis_term_id]", "W1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let winter = res.body["id"].as_i64().unwrap();
    t.post("/api/v1/accounts/self/terms")
        .form(&[("enrollment_term[name]", "Winter again"), ("enrollment_term[sis_term_id]", "W1")])
        .send()
        .await
        .assert_error(409, "conflict");
    // Missing name, end before start, blank sis id.
    let res = t
        .post("/api/v1/accounts/self/terms")
        .json(&json!({"enrollment_term": {"start_at": "2027-02-01", "end_at": "2027-01-01", "sis_term_id": " "}}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 3, "{}", res.body);
    let long = "x".repeat(256);
    t.post("/api/v1/accounts/self/terms")
        .form(&[("enrollment_term[name]", long.as_str())])
        .send()
        .await
        .assert_error(422, "validation_failed");
    // An update is checked against the stored dates.
    t.put(&format!("/api/v1/accounts/self/terms/{winter}"))
        .form(&[
            ("enrollment_term[start_at]", "2027-03-01T00:00:00Z"),
            ("enrollment_term[end_at]", "2027-02-01T00:00:00Z"),
        ])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.put(&format!("/api/v1/accounts/self/terms/{winter}"))
        .form(&[("enrollment_term[name]", "")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get("/api/v1/accounts/self/terms/9999").send().await.assert_error(404, "not_found");
    // Terms live on the root account: a sub-account is refused with a message naming the school.
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Branch")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let res = t.post(&format!("/api/v1/accounts/{sub}/terms")).form(&[("enrollment_term[name]", "Nope")]).send().await;
    res.assert_error(422, "validation_failed");
    assert!(res.body.to_string().contains(&t.school.id.to_string()), "{}", res.body);
    t.get(&format!("/api/v1/accounts/{sub}/terms")).send().await.assert_error(422, "validation_failed");
    // A student may not change terms.
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    t.post("/api/v1/accounts/self/terms")
        .token(&token)
        .form(&[("enrollment_term[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.put(&format!("/api/v1/accounts/self/terms/{winter}"))
        .token(&token)
        .form(&[("enrollment_term[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.delete(&format!("/api/v1/accounts/self/terms/{winter}"))
        .token(&token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(t.get(&format!("/api/v1/accounts/self/terms/{winter}")).send().await.body["name"], "Winter");
});
