//! Accounts and sub-accounts (Canvas §2.1), sis-id lookups, permissions and isolation between schools.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_test;

backend_test!(an_admin_reads_and_updates_their_school, |t| {
    let res = t.get("/api/v1/accounts/self").send().await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["id"], t.school.id);
    assert_eq!(res.body["name"], "School A");
    assert_eq!(res.body["parent_account_id"], json!(null));
    assert_eq!(res.body["root_account_id"], json!(null));
    assert_eq!(res.body["workflow_state"], "active");
    assert_eq!(res.body["uuid"].as_str().unwrap().len(), 40);
    let res = t.get("/api/v1/accounts").send().await;
    assert_eq!(
        res.body.as_array().unwrap().iter().map(|a| a["id"].clone()).collect::<Vec<_>>(),
        vec![json!(t.school.id)]
    );

    let res = t
        .put(&format!("/api/v1/accounts/{}", t.school.id))
        .form(&[("account[name]", "School A Renamed"), ("account[default_time_zone]", "America/Denver")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["name"], "School A Renamed");
    assert_eq!(res.body["default_time_zone"], "America/Denver");
    // PUT changes only what it names.
    let res = t.put("/api/v1/accounts/self").json(&json!({"account": {"default_storage_quota_mb": 900}})).send().await;
    assert_eq!(
        (res.body["name"].as_str(), res.body["default_storage_quota_mb"].as_i64()),
        (Some("School A Renamed"), Some(900))
    );
    // A root account has no SIS id (Canvas).
    t.put("/api/v1/accounts/self")
        .form(&[("account[sis_account_id]", "ROOT")])
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(sub_accounts_nest_and_are_found_by_sis_and_external_id, |t| {
    let res = t
        .post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "Faculty of Science"), ("account[sis_account_id]", "SCI/1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let sci = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/accounts/{sci}", t.base).as_str()));
    assert_eq!(res.body["root_account_id"], t.school.id);
    let res = t
        .post("/api/v1/accounts/sis_account_id:SCI%2F1/sub_accounts")
        .json(&json!({"account": {"name": "Physics", "external_id": "PHY"}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let phy = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["parent_account_id"], sci);
    assert_eq!(res.body["sis_account_id"], "PHY");

    for path in ["sis_account_id:PHY", "external_id:PHY", &phy.to_string()] {
        let res = t.get(&format!("/api/v1/accounts/{path}")).send().await;
        assert_eq!(res.body["id"], phy, "{path}");
    }
    let direct = t.get("/api/v1/accounts/self/sub_accounts").send().await;
    assert_eq!(direct.body.as_array().unwrap().len(), 1);
    let all = t.get("/api/v1/accounts/self/sub_accounts?recursive=true").send().await;
    assert_eq!(
        all.body.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![sci, phy]
    );

    // Duplicate SIS ids conflict, and the failed change leaves no trace.
    let before = t.event_count().await;
    let res = t
        .post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "Dup"), ("account[sis_account_id]", "PHY")])
        .send()
        .await;
    res.assert_error(409, "conflict");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/sis_account_id");
    assert_eq!(t.get("/api/v1/accounts/self/sub_accounts?recursive=1").send().await.body.as_array().unwrap().len(), 2);
    assert_eq!(t.event_count().await, before);
});

backend_test!(accounts_move_and_delete_with_canvas_rules, |t| {
    let make = |name: &'static str, parent: String| {
        let req = t.post(&format!("/api/v1/accounts/{parent}/sub_accounts")).form(&[("account[name]", name)]);
        async move { req.send().await.body["id"].as_i64().unwrap() }
    };
    let a = make("A", "self".into()).await;
    let b = make("B", a.to_string()).await;
    let c = make("C", "self".into()).await;
    // Moving an account below its own sub-account would make a cycle.
    t.put(&format!("/api/v1/accounts/{a}"))
        .form(&[("account[parent_account_id]", b.to_string())])
        .send()
        .await
        .assert_error(422, "validation_failed");
    let res =
        t.put(&format!("/api/v1/accounts/{a}")).form(&[("account[parent_account_id]", c.to_string())]).send().await;
    assert_eq!(res.body["parent_account_id"], c, "{}", res.body);
    let under_c = t.get(&format!("/api/v1/accounts/{c}/sub_accounts?recursive=true")).send().await;
    assert_eq!(
        under_c.body.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![a, b]
    );

    t.delete(&format!("/api/v1/accounts/{c}/sub_accounts/{a}")).send().await.assert_error(409, "conflict");
    let res = t.delete(&format!("/api/v1/accounts/{a}/sub_accounts/{b}")).send().await;
    assert_eq!((res.status, res.body["workflow_state"].as_str()), (StatusCode::OK, Some("deleted")));
    t.get(&format!("/api/v1/accounts/{b}")).send().await.assert_error(404, "account_not_found");
    // B is not C's child: the pair in the path must match.
    t.delete(&format!("/api/v1/accounts/{c}/sub_accounts/{b}")).send().await.assert_error(404, "account_not_found");
});

backend_test!(non_admins_are_refused_and_other_schools_see_nothing, |t| {
    let student = t.create_user("Sam Student", "sam@a.test", Some("S1")).await;
    let student_token = t.token_for(student["id"].as_i64().unwrap()).await;
    let res = t.get("/api/v1/accounts/self").token(&student_token).send().await;
    res.assert_error(401, "unauthorized");
    assert_eq!(res.body["status"], "unauthorized");
    assert!(res.header("www-authenticate").is_none(), "a permission denial is not a credential problem");
    assert_eq!(t.get("/api/v1/accounts").token(&student_token).send().await.body, json!([]));
    t.post("/api/v1/accounts/self/sub_accounts")
        .token(&student_token)
        .form(&[("account[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");

    // Another school's administrator gets 404 for everything of School A, and nothing changes.
    let other = t.create_school("School B").await;
    let sub = t
        .post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "A-sub"), ("account[sis_account_id]", "ASUB")])
        .send()
        .await
        .body;
    let sub_id = sub["id"].as_i64().unwrap();
    let before = t.event_count().await;
    for path in [
        format!("/api/v1/accounts/{}", t.school.id),
        format!("/api/v1/accounts/{sub_id}"),
        "/api/v1/accounts/sis_account_id:ASUB".into(),
        format!("/api/v1/accounts/{sub_id}/sub_accounts"),
    ] {
        t.get(&path).token(&other.admin_token).send().await.assert_error(404, "account_not_found");
    }
    t.put(&format!("/api/v1/accounts/{sub_id}"))
        .token(&other.admin_token)
        .form(&[("account[name]", "Hijacked")])
        .send()
        .await
        .assert_error(404, "account_not_found");
    t.post(&format!("/api/v1/accounts/{sub_id}/sub_accounts"))
        .token(&other.admin_token)
        .form(&[("account[name]", "Implant")])
        .send()
        .await
        .assert_error(404, "account_not_found");
    t.delete(&format!("/api/v1/accounts/{}/sub_accounts/{sub_id}", t.school.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "account_not_found");
    assert_eq!(t.get(&format!("/api/v1/accounts/{sub_id}")).send().await.body["name"], "A-sub");
    assert_eq!(t.event_count().await, before);
    // School B's own view is its own school.
    assert_eq!(t.get("/api/v1/accounts/self").token(&other.admin_token).send().await.body["id"], other.id);
});

backend_test!(sub_account_admins_manage_only_their_branch, |t| {
    let branch =
        t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Branch")]).send().await.body["id"]
            .as_i64()
            .unwrap();
    let sibling = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Sibling")]).send().await.body
        ["id"]
        .as_i64()
        .unwrap();
    let user = t.create_user("Branch Admin", "ba@a.test", None).await["id"].as_i64().unwrap();
    {
        use assay_store::{Scope, accounts};
        let scope = Scope::school(t.school.id);
        let store = t.store().clone();
        store
            .write(move |txn| {
                Box::pin(async move {
                    let account = accounts::find(txn, &scope, &assay_domain::IdRef::Id(branch)).await?;
                    accounts::add_role(txn, &scope, &account, user, assay_domain::policy::AccountRole::AccountAdmin)
                        .await?;
                    Ok(())
                })
            })
            .await
            .unwrap();
    }
    let token = t.token_for(user).await;
    assert_eq!(t.get(&format!("/api/v1/accounts/{branch}")).token(&token).send().await.status, StatusCode::OK);
    let res = t
        .post(&format!("/api/v1/accounts/{branch}/sub_accounts"))
        .token(&token)
        .form(&[("account[name]", "Leaf")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    t.get(&format!("/api/v1/accounts/{sibling}")).token(&token).send().await.assert_error(401, "unauthorized");
    t.get("/api/v1/accounts/self").token(&token).send().await.assert_error(401, "unauthorized");
    t.get("/api/v1/events").token(&token).send().await.assert_error(401, "unauthorized");
    let listed = t.get("/api/v1/accounts").token(&token).send().await;
    assert_eq!(
        listed.body.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![branch]
    );
});
