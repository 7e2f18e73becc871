//! The event outbox: every change writes its event in the same transaction; the feed reads them in order.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_test;

backend_test!(changes_appear_in_the_feed_in_order, |t| {
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Arts")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    t.put(&format!("/api/v1/accounts/{sub}")).form(&[("account[name]", "Arts & Humanities")]).send().await;
    let user = t.create_user("Eve Event", "eve@a.test", None).await["id"].as_i64().unwrap();
    t.put(&format!("/api/v1/users/{user}")).form(&[("user[short_name]", "Eve")]).send().await;
    // An update that changes nothing records nothing.
    t.put(&format!("/api/v1/users/{user}")).form(&[("user[short_name]", "Eve")]).send().await;

    let res = t.get("/api/v1/events?per_page=100").send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let events = res.body.as_array().unwrap();
    let kinds: Vec<(&str, i64)> =
        events.iter().map(|e| (e["type"].as_str().unwrap(), e["subject_id"].as_i64().unwrap())).collect();
    // School A's creation (account + admin) comes first; the CLI wrote those with no actor.
    assert_eq!(
        kinds,
        vec![
            ("account.created", t.school.id),
            ("user.created", t.school.admin_id),
            ("account.created", sub),
            ("account.updated", sub),
            ("user.created", user),
            ("user.updated", user)
        ]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(events[0]["actor_user_id"], json!(null));
    assert_eq!(events[2]["actor_user_id"], t.school.admin_id);
    assert_eq!(events[3]["payload"]["changes"]["name"], json!(["Arts", "Arts & Humanities"]));
    assert_eq!(events[5]["payload"]["changes"]["short_name"], json!(["Eve Event", "Eve"]));

    let since = seqs[3];
    let res = t.get(&format!("/api/v1/events?since_seq={since}")).send().await;
    assert_eq!(
        res.body.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect::<Vec<_>>(),
        seqs[4..].to_vec()
    );
    let res = t.get("/api/v1/events?type=user.created").send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 2);
    t.get("/api/v1/events?since_seq=-1").send().await.assert_error(422, "validation_failed");
    t.get("/api/v1/events?since_seq=abc").send().await.assert_error(400, "bad_request");
});

backend_test!(each_school_sees_only_its_own_events, |t| {
    let other = t.create_school("School B").await;
    t.post("/api/v1/accounts/self/sub_accounts")
        .token(&other.admin_token)
        .form(&[("account[name]", "B-only")])
        .send()
        .await;
    let mine = t.get("/api/v1/events?per_page=100").send().await;
    assert!(mine.body.as_array().unwrap().iter().all(|e| e["payload"]["name"] != "B-only"));
    let theirs = t.get("/api/v1/events?per_page=100").token(&other.admin_token).send().await;
    assert_eq!(theirs.body.as_array().unwrap().len(), 3, "{}", theirs.body);
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    t.get("/api/v1/events").token(&token).send().await.assert_error(401, "unauthorized");
});

backend_test!(a_failed_change_writes_no_event, |t| {
    use assay_store::{Scope, StoreError, accounts, events::Actor};
    let before = t.event_count().await;
    // A change that records its event and then fails: the event is rolled back with it.
    let scope = Scope::school(t.school.id);
    let store = t.store().clone();
    let result: Result<(), StoreError> = store
        .write(move |txn| {
            Box::pin(async move {
                let school = accounts::find(txn, &scope, &assay_domain::IdRef::Current).await?;
                let new = accounts::NewAccount { name: "Doomed".into(), ..Default::default() };
                accounts::create_sub_account(txn, &scope, &school, new, Actor::system()).await?;
                Err(StoreError::Busy { message: "fail after the event was written".into() })
            })
        })
        .await;
    assert!(result.is_err());
    assert_eq!(t.event_count().await, before);
    assert_eq!(t.get("/api/v1/accounts/self/sub_accounts").send().await.body, json!([]));
    // A constraint violation in the API writes nothing either.
    t.post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "One"), ("account[sis_account_id]", "DUP")])
        .send()
        .await;
    let after_one = t.event_count().await;
    t.post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "Two"), ("account[sis_account_id]", "DUP")])
        .send()
        .await
        .assert_error(409, "conflict");
    assert_eq!(t.event_count().await, after_one);
});

backend_test!(events_committed_concurrently_are_never_skipped, |t| {
    // Readers following `since_seq` while writers commit must see every event exactly once.
    let writers: Vec<_> = (0..30)
        .map(|i| {
            tokio::spawn(
                t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", format!("Dept {i}"))]).send(),
            )
        })
        .collect();
    let mut seen = Vec::new();
    let mut since = 0;
    let mut done = false;
    while !done {
        done = writers.iter().all(|w| w.is_finished());
        let res = t.get(&format!("/api/v1/events?since_seq={since}&per_page=100")).send().await;
        for e in res.body.as_array().unwrap() {
            since = e["seq"].as_i64().unwrap();
            seen.push(e["id"].as_i64().unwrap());
        }
    }
    for w in writers {
        assert_eq!(w.await.unwrap().status, StatusCode::CREATED);
    }
    let res = t.get(&format!("/api/v1/events?since_seq={since}&per_page=100")).send().await;
    seen.extend(res.body.as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "an event was delivered twice");
    assert_eq!(seen.len(), 2 + 30, "an event was skipped");
});
