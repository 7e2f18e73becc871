//! The wire conventions every endpoint shares: media types, the error shape, credentials, limits, request ids.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backend_test;

backend_test!(unsupported_media_types_get_415_and_change_nothing, |t| {
    let before = t.event_count().await;
    for (ct, body) in [("text/plain", "account[name]=X"), ("application/xml", "<account/>"), ("not a mime", "x")] {
        let res = t.post("/api/v1/accounts/self/sub_accounts").body(ct, body).send().await;
        res.assert_error(415, "unsupported_media_type");
    }
    // A body without any Content-Type is refused too, on every method including DELETE.
    let res = t
        .req(Method::DELETE, "/api/v1/accounts/self/sub_accounts/1")
        .body("application/octet-stream", "x")
        .send()
        .await;
    res.assert_error(415, "unsupported_media_type");
    assert_eq!(t.event_count().await, before);
});

backend_test!(json_form_and_multipart_bodies_are_equivalent, |t| {
    let via_json = t
        .post("/api/v1/accounts/self/sub_accounts")
        .json(&json!({"account": {"name": "Via JSON", "sis_account_id": "J1"}}))
        .send()
        .await;
    assert_eq!(via_json.status, StatusCode::CREATED, "{}", via_json.body);
    let via_form = t
        .post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "Via form"), ("account[sis_account_id]", "F1")])
        .send()
        .await;
    assert_eq!(via_form.status, StatusCode::CREATED, "{}", via_form.body);
    let form =
        reqwest::multipart::Form::new().text("account[name]", "Via multipart").text("account[sis_account_id]", "M1");
    let via_multipart = t.post("/api/v1/accounts/self/sub_accounts").multipart(form).send().await;
    assert_eq!(via_multipart.status, StatusCode::CREATED, "{}", via_multipart.body);
    for (res, name, sis) in
        [(&via_json, "Via JSON", "J1"), (&via_form, "Via form", "F1"), (&via_multipart, "Via multipart", "M1")]
    {
        assert_eq!(res.body["name"], name);
        assert_eq!(res.body["sis_account_id"], sis);
        assert_eq!(res.body["parent_account_id"], t.school.id);
    }
    // Nested keys in the query string of a PUT merge with the body.
    let id = via_form.body["id"].as_i64().unwrap();
    let res = t
        .put(&format!("/api/v1/accounts/{id}?account[default_time_zone]=Europe/Amsterdam"))
        .form(&[("account[name]", "Renamed")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (res.body["name"].as_str(), res.body["default_time_zone"].as_str()),
        (Some("Renamed"), Some("Europe/Amsterdam"))
    );
    // Canvas booleans arrive as strings in forms and as literals in JSON.
    let res = t.get("/api/v1/accounts/self/sub_accounts?recursive=t").send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 3);
});

backend_test!(malformed_input_gets_400_with_a_pointer, |t| {
    let before = t.event_count().await;
    let res =
        t.post("/api/v1/accounts/self/sub_accounts").body("application/json", "{\"account\": {\"name\": ").send().await;
    res.assert_error(400, "malformed_json");
    let res = t.post("/api/v1/accounts/self/sub_accounts").body("application/json", "[1,2]").send().await;
    res.assert_error(400, "bad_request");
    let res = t
        .post("/api/v1/accounts/self/sub_accounts")
        .json(&json!({"account": {"name": "X", "default_storage_quota_mb": "lots"}}))
        .send()
        .await;
    res.assert_error(400, "bad_request");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/account/default_storage_quota_mb");
    let res = t.post("/api/v1/accounts/self/sub_accounts").json(&json!({"account": {"name": ["a", "b"]}})).send().await;
    res.assert_error(400, "bad_request");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/account/name");
    let res = t
        .post("/api/v1/accounts/self/sub_accounts")
        .body("application/x-www-form-urlencoded", "account=1&account[name]=x")
        .send()
        .await;
    res.assert_error(400, "malformed_parameters");
    // DELETE bodies are parsed like any other.
    let res = t.delete("/api/v1/accounts/self/sub_accounts/999").body("application/json", "{oops").send().await;
    res.assert_error(400, "malformed_json");
    for bad in ["/api/v1/accounts/abc", "/api/v1/accounts/-1", "/api/v1/accounts/sis_course_id:X", "/api/v1/users/1.5"]
    {
        t.get(bad).send().await.assert_error(400, "invalid_id");
    }
    assert_eq!(t.event_count().await, before);
});

backend_test!(validation_failures_get_422_with_one_error_per_field, |t| {
    let before = t.event_count().await;
    let res = t
        .post("/api/v1/accounts/self/sub_accounts")
        .json(&json!({"account": {"name": "  ", "default_time_zone": "Mars/Olympus", "default_storage_quota_mb": -5}}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/account/name", "/account/default_time_zone", "/account/default_storage_quota_mb"]);
    assert!(res.body["errors"][1]["detail"].as_str().unwrap().contains("Mars/Olympus"));
    assert_eq!(t.event_count().await, before);
});

backend_test!(credentials_are_checked_with_www_authenticate, |t| {
    let res = t.anonymous(Method::GET, "/api/v1/users/self").send().await;
    res.assert_error(401, "unauthenticated");
    assert_eq!(res.body["status"], "unauthenticated");
    assert_eq!(res.header("www-authenticate"), Some("Bearer realm=\"assay\""));
    for bad in ["Bearer assay_nope", "Bearer ", "Basic dXNlcjpwYXNz", "assay_nope"] {
        let res = t.anonymous(Method::GET, "/api/v1/users/self").header("authorization", bad).send().await;
        res.assert_error(401, "unauthenticated");
        assert!(res.header("www-authenticate").unwrap().starts_with("Bearer realm=\"assay\""), "{bad}");
    }
    // Two credentials are ambiguous: refused rather than guessed.
    let res = t.get("/api/v1/users/self").header("authorization", "Bearer assay_other").send().await;
    res.assert_error(401, "unauthenticated");
    // Canvas's access_token query parameter works too.
    let res =
        t.anonymous(Method::GET, &format!("/api/v1/users/self?access_token={}", t.school.admin_token)).send().await;
    assert_eq!(res.status, StatusCode::OK);
    // An expired token stops working at once and says why.
    let admin = assay::admin::find_user(t.store(), &t.school.admin_id.to_string(), None).await.unwrap();
    let expired = assay::admin::create_token(
        t.store(),
        admin,
        "short".into(),
        Some(chrono::Utc::now() - chrono::TimeDelta::seconds(1)),
    )
    .await
    .unwrap();
    let res = t.get("/api/v1/users/self").token(&expired).send().await;
    res.assert_error(401, "unauthenticated");
    assert!(res.header("www-authenticate").unwrap().contains("expired"), "{:?}", res.header("www-authenticate"));
});

backend_test!(unknown_routes_methods_and_ids_get_json_errors, |t| {
    t.get("/api/v1/nothing-here").send().await.assert_error(404, "route_not_found");
    t.req(Method::PATCH, "/api/v1/users/self").send().await.assert_error(405, "method_not_allowed");
    t.get("/api/v1/accounts/987654").send().await.assert_error(404, "account_not_found");
    t.get("/api/v1/users/987654").send().await.assert_error(404, "user_not_found");
    t.get("/api/v1/accounts/sis_account_id:nope").send().await.assert_error(404, "account_not_found");
    let res = t.get("/api/v1/users/987654").send().await;
    assert_eq!(res.body["errors"][0]["message"], "The specified resource does not exist.");
});

backend_test!(
    oversized_bodies_get_413,
    |c| {
        c.max_body_bytes = 4096;
    },
    |t| {
        let big = "x".repeat(10_000);
        let res = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", big.as_str())]).send().await;
        res.assert_error(413, "payload_too_large");
        // Without a Content-Length (chunked), the limit still holds while reading.
        let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(format!("account[name]={big}").into_bytes())]);
        let res = t
            .post("/api/v1/accounts/self/sub_accounts")
            .body("application/x-www-form-urlencoded", reqwest::Body::wrap_stream(stream))
            .send()
            .await;
        res.assert_error(413, "payload_too_large");
    }
);

backend_test!(a_panicking_handler_answers_500_and_the_server_lives_on, |t| {
    let res = t.get("/api/v1/test/panic").send().await;
    res.assert_error(500, "internal");
    assert!(!res.body.to_string().contains("deliberate"), "panic text must not leak: {}", res.body);
    let res = t.get("/api/v1/users/self").send().await;
    assert_eq!(res.status, StatusCode::OK);
});

backend_test!(every_response_has_a_request_id_and_json, |t| {
    for path in ["/api/v1/users/self", "/api/diagnostics/health", "/api/v1/nowhere"] {
        let res = t.get(path).send().await;
        assert_eq!(res.header("x-request-id").map(|v| v.len()), Some(36), "{path}");
        assert!(res.body.is_object() || res.body.is_array(), "{path}: {}", res.body);
    }
    // A client-chosen request id is echoed.
    let res = t.get("/api/v1/users/self").header("x-request-id", "trace-me-123").send().await;
    assert_eq!(res.header("x-request-id"), Some("trace-me-123"));
});

backend_test!(diagnostics_need_no_credentials, |t| {
    let res = t.anonymous(Method::GET, "/api/diagnostics/health").send().await;
    assert_eq!(res.status, StatusCode::OK);
    let expected = match t.db {
        crate::harness::Db::Sqlite => "sqlite",
        crate::harness::Db::Postgres => "postgres",
    };
    assert_eq!(res.body, json!({"status": "ok", "database": "ok", "backend": expected}));
    let res = t.anonymous(Method::GET, "/api/diagnostics/version").send().await;
    assert_eq!(res.body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(res.body["name"], "assay");
});

backend_test!(concurrent_writes_do_not_fail_with_busy, |t| {
    // SQLite allows one writer: concurrent write transactions must queue, not fail with SQLITE_BUSY.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let req = t
            .post("/api/v1/accounts/self/users")
            .form(&[("user[name]", format!("Student {i}")), ("pseudonym[unique_id]", format!("s{i}@x.test"))]);
        tasks.push(tokio::spawn(req.send()));
    }
    for task in tasks {
        let res = task.await.unwrap();
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    }
    let res = t.get("/api/v1/accounts/self/users?search_term=student&per_page=100").send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 40);
});

backend_test!(responses_are_hardened_and_never_cross_origin, |t| {
    let res = t.get("/api/v1/users/self").header("origin", "https://evil.example").send().await;
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(res.header(name), Some(value), "{name}");
    }
    assert!(res.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    assert!(res.header("access-control-allow-origin").is_none(), "no CORS: browsers keep other origins out");
    let preflight = t
        .req(Method::OPTIONS, "/api/v1/users/self")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await;
    assert!(preflight.header("access-control-allow-origin").is_none());
    assert!(preflight.status.is_client_error());
    // The docs script may be cached; API answers may not.
    let js = t.client.get(t.url("/api/docs/assets/rapidoc-9.3.8.min.js")).send().await.unwrap();
    assert!(js.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    // Oversized headers: 431 in the error shape.
    let big = "x".repeat(20_000);
    t.get("/api/v1/users/self").header("x-padding", &big).send().await.assert_error(431, "headers_too_large");
});
