//! Users: creation with a login in one call, lookups by every id form, search, self-service, isolation.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_test;

backend_test!(users_are_created_with_a_login_the_canvasapi_way, |t| {
    // canvasapi's Account.create_user(pseudonym={...}, user={...}) sends exactly this form.
    let res = t
        .post("/api/v1/accounts/self/users")
        .form(&[
            ("pseudonym[unique_id]", "Ada@Example.org"),
            ("pseudonym[sis_user_id]", "S-100"),
            ("pseudonym[password]", "correct horse battery"),
            ("user[name]", "Ada King Lovelace"),
            ("communication_channel[type]", "email"),
            ("communication_channel[address]", "ada@example.org"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/users/{id}", t.base).as_str()));
    for (key, value) in [
        ("name", json!("Ada King Lovelace")),
        ("sortable_name", json!("Lovelace, Ada King")),
        ("short_name", json!("Ada King Lovelace")),
        ("first_name", json!("Ada King")),
        ("last_name", json!("Lovelace")),
        ("sis_user_id", json!("S-100")),
        ("external_id", json!("S-100")),
        ("login_id", json!("Ada@Example.org")),
        ("email", json!("ada@example.org")),
    ] {
        assert_eq!(res.body[key], value, "{key}: {}", res.body);
    }
    assert!(!res.body.to_string().contains("correct horse"), "the password must never be echoed");
    // The name defaults to the login when none is given.
    let res = t.post("/api/v1/accounts/self/users").json(&json!({"pseudonym": {"unique_id": "solo"}})).send().await;
    assert_eq!(res.body["name"], "solo");

    // Logins are unique per school ignoring case; SIS ids are unique per school.
    let before = t.event_count().await;
    t.post("/api/v1/accounts/self/users")
        .form(&[("user[name]", "Imposter"), ("pseudonym[unique_id]", "ADA@example.ORG")])
        .send()
        .await
        .assert_error(409, "conflict");
    t.post("/api/v1/accounts/self/users")
        .form(&[("user[name]", "Imposter"), ("pseudonym[unique_id]", "other"), ("pseudonym[sis_user_id]", "S-100")])
        .send()
        .await
        .assert_error(409, "conflict");
    let res = t
        .post("/api/v1/accounts/self/users")
        .form(&[
            ("pseudonym[unique_id]", "pw"),
            ("pseudonym[password]", "short"),
            ("communication_channel[address]", "not-an-email"),
        ])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<_> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].clone()).collect();
    assert_eq!(pointers, vec![json!("/communication_channel/address"), json!("/pseudonym/password")]);
    t.post("/api/v1/accounts/self/users")
        .json(&json!({"user": {}}))
        .send()
        .await
        .assert_error(422, "validation_failed");
    assert_eq!(t.event_count().await, before);
    // The same login and SIS id are fine in another school.
    let other = t.create_school("School B").await;
    let res = t
        .post("/api/v1/accounts/self/users")
        .token(&other.admin_token)
        .form(&[
            ("user[name]", "Other Ada"),
            ("pseudonym[unique_id]", "ada@example.org"),
            ("pseudonym[sis_user_id]", "S-100"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
});

backend_test!(users_are_found_by_every_id_form, |t| {
    let user = t.create_user("Grace Hopper", "grace@navy.test", Some("G/1")).await;
    let id = user["id"].as_i64().unwrap();
    for path in
        [id.to_string(), "sis_user_id:G%2F1".into(), "external_id:G%2F1".into(), "sis_login_id:GRACE@navy.test".into()]
    {
        let res = t.get(&format!("/api/v1/users/{path}")).send().await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        assert_eq!(res.body["id"], id, "{path}");
    }
    let res = t.get("/api/v1/users/self").send().await;
    assert_eq!(res.body["id"], t.school.admin_id);
    t.get("/api/v1/users/sis_user_id:missing").send().await.assert_error(404, "user_not_found");
});

backend_test!(user_lists_search_and_sort_like_canvas, |t| {
    for (name, login, sis) in
        [("Zed Alpha", "zed@x.test", "Z1"), ("Amy Zulu", "amy@x.test", "A1"), ("Bob Middle", "bob@x.test", "B1")]
    {
        t.create_user(name, login, Some(sis)).await;
    }
    let res = t.get("/api/v1/accounts/self/users").send().await;
    let names: Vec<&str> = res.body.as_array().unwrap().iter().map(|u| u["sortable_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Admin", "Alpha, Zed", "Middle, Bob", "Zulu, Amy"]);
    for (term, expected) in [
        ("zulu", vec!["Amy Zulu"]),
        ("BOB@", vec!["Bob Middle"]),
        ("z1", vec!["Zed Alpha"]),
        ("nobody", vec![]),
        ("%", vec![]),
        ("_", vec![]),
    ] {
        let res = t.get(&format!("/api/v1/accounts/self/users?search_term={}", urlencode(term))).send().await;
        let found: Vec<&str> = res.body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
        assert_eq!(found, expected, "search_term={term}");
    }
    // Users of a sub-account are listed there and in its ancestors, not in siblings.
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Sub")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    let sibling = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Sibling")]).send().await.body
        ["id"]
        .as_i64()
        .unwrap();
    let res = t.post(&format!("/api/v1/accounts/{sub}/users")).form(&[("user[name]", "Sub User")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(t.get(&format!("/api/v1/accounts/{sub}/users")).send().await.body.as_array().unwrap().len(), 1);
    assert_eq!(t.get(&format!("/api/v1/accounts/{sibling}/users")).send().await.body, json!([]));
    assert_eq!(t.get("/api/v1/accounts/self/users").send().await.body.as_array().unwrap().len(), 5);
});

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

backend_test!(users_edit_themselves_but_not_others_or_their_sis_ids, |t| {
    let me = t.create_user("Sam Student", "sam@a.test", Some("S1")).await;
    let other = t.create_user("Olly Other", "olly@a.test", Some("S2")).await;
    let token = t.token_for(me["id"].as_i64().unwrap()).await;
    let res = t.get("/api/v1/users/self").token(&token).send().await;
    assert_eq!(res.body["login_id"], "sam@a.test");
    assert!(res.body.get("sis_user_id").is_none(), "students do not see SIS ids: {}", res.body);
    let res = t
        .put("/api/v1/users/self")
        .token(&token)
        .form(&[("user[name]", "Samantha Student"), ("user[time_zone]", "Europe/Amsterdam")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["name"].as_str(), res.body["sortable_name"].as_str(), res.body["time_zone"].as_str()),
        (Some("Samantha Student"), Some("Student, Samantha"), Some("Europe/Amsterdam"))
    );
    t.put("/api/v1/users/self")
        .token(&token)
        .form(&[("user[sis_user_id]", "HACK")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    let other_id = other["id"].as_i64().unwrap();
    t.get(&format!("/api/v1/users/{other_id}")).token(&token).send().await.assert_error(401, "unauthorized");
    t.put(&format!("/api/v1/users/{other_id}"))
        .token(&token)
        .form(&[("user[name]", "Pwned")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.get("/api/v1/accounts/self/users").token(&token).send().await.assert_error(401, "unauthorized");
    // Admins change SIS ids; null clears one.
    let res = t
        .put(&format!("/api/v1/users/{other_id}"))
        .json(&json!({"user": {"sis_user_id": null, "email": "olly@a.test"}}))
        .send()
        .await;
    assert_eq!((res.body["sis_user_id"].clone(), res.body["email"].clone()), (json!(null), json!("olly@a.test")));
    t.put(&format!("/api/v1/users/{other_id}"))
        .json(&json!({"user": {"sis_user_id": "S1"}}))
        .send()
        .await
        .assert_error(409, "conflict");
    t.put(&format!("/api/v1/users/{other_id}"))
        .json(&json!({"user": {"time_zone": "Nowhere/Land", "locale": "x y"}}))
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(other_schools_cannot_see_or_change_users, |t| {
    let user = t.create_user("Private Person", "pp@a.test", Some("P1")).await;
    let id = user["id"].as_i64().unwrap();
    let other = t.create_school("School B").await;
    let before = t.event_count().await;
    for path in [
        format!("/api/v1/users/{id}"),
        "/api/v1/users/sis_user_id:P1".into(),
        "/api/v1/users/sis_login_id:pp@a.test".into(),
    ] {
        t.get(&path).token(&other.admin_token).send().await.assert_error(404, "user_not_found");
    }
    t.put(&format!("/api/v1/users/{id}"))
        .token(&other.admin_token)
        .form(&[("user[name]", "Changed")])
        .send()
        .await
        .assert_error(404, "user_not_found");
    t.get(&format!("/api/v1/accounts/{}/users", t.school.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "account_not_found");
    t.post(&format!("/api/v1/accounts/{}/users", t.school.id))
        .token(&other.admin_token)
        .form(&[("user[name]", "Implant")])
        .send()
        .await
        .assert_error(404, "account_not_found");
    let search = t.get("/api/v1/accounts/self/users?search_term=private").token(&other.admin_token).send().await;
    assert_eq!(search.body, json!([]));
    assert_eq!(t.get(&format!("/api/v1/users/{id}")).send().await.body["name"], "Private Person");
    assert_eq!(t.event_count().await, before);
});
