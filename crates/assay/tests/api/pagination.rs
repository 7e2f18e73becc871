//! Pagination: headers, links that carry every parameter, proxies, and deep pages that cost what the first does.

use reqwest::StatusCode;

use crate::{backend_test, harness::Db};

async fn seed_users(t: &crate::harness::TestApp, n: usize) {
    for i in 0..n {
        let res = t
            .post("/api/v1/accounts/self/users")
            .form(&[("user[name]", format!("Pupil {i:03}")), ("pseudonym[unique_id]", format!("p{i}@x.test"))])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
}

backend_test!(headers_and_links_walk_a_whole_list, |t| {
    seed_users(&t, 24).await;
    let first = t
        .get("/api/v1/accounts/self/users?search_term=pupil&per_page=10&include[]=email&include[]=avatar_url")
        .send()
        .await;
    assert_eq!(first.body.as_array().unwrap().len(), 10);
    for (name, value) in [("current-page", "1"), ("page-items", "10"), ("total-pages", "3"), ("total-count", "24")] {
        assert_eq!(first.header(name), Some(value), "{name}");
    }
    assert!(first.link("prev").is_none());
    assert!(first.link("first").unwrap().contains("page=1"));
    assert!(first.link("last").unwrap().contains("page=3"));
    let mut names: Vec<String> = Vec::new();
    let mut next =
        Some(t.url("/api/v1/accounts/self/users?search_term=pupil&per_page=10&include[]=email&include[]=avatar_url"));
    let mut pages = 0;
    while let Some(url) = next {
        assert!(url.starts_with(&format!("{}/api/v1/", t.base)), "links are absolute on the client's base URL: {url}");
        // Each link carries every original parameter, so a client can follow it as is.
        for kept in ["search_term=pupil", "per_page=10", "include%5B%5D=email", "include%5B%5D=avatar_url"] {
            assert!(pages == 0 || url.contains(kept), "{kept} missing from {url}");
        }
        let res = t.get(url.trim_start_matches(&t.base)).send().await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        pages += 1;
        assert_eq!(res.header("current-page"), Some(pages.to_string().as_str()));
        // Later pages reuse the first page's count, carried in the bookmark.
        assert_eq!(res.header("total-count"), Some("24"));
        names.extend(res.body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()));
        next = res.link("next");
        if pages > 1 {
            assert!(res.link("prev").unwrap().contains(&format!("page={}", pages - 1)));
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..24).map(|i| format!("Pupil {i:03}")).collect();
    assert_eq!(names, expected);
    // Numbered pages work too; `limit` is an alias of `per_page`.
    let res = t.get("/api/v1/accounts/self/users?search_term=pupil&limit=10&page=3").send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 4);
    assert_eq!(res.header("page-items"), Some("10"));
    let res = t.get("/api/v1/accounts/self/users?search_term=pupil&page=9").send().await;
    assert_eq!(res.body.as_array().unwrap().len(), 0);
    // The default page size is 20; large ones are capped at 100, absurd ones refused.
    assert_eq!(t.get("/api/v1/accounts/self/users").send().await.header("page-items"), Some("20"));
    assert_eq!(t.get("/api/v1/accounts/self/users?per_page=500").send().await.header("page-items"), Some("100"));
    for bad in [
        "per_page=0",
        "per_page=-3",
        "per_page=ten",
        "per_page=100000",
        "limit=1e9",
        "page=0",
        "page=bookmark:garbage",
        "page=bookmark:WzEsIm5vdC1hbi1pZCJd",
    ] {
        t.get(&format!("/api/v1/accounts/self/users?{bad}")).send().await.assert_error(400, "invalid_pagination");
    }
});

backend_test!(rows_with_equal_sort_keys_are_neither_lost_nor_repeated_across_pages, |t| {
    // Seven users with the same sortable name straddle page boundaries: the keyset must use the id to break ties.
    for i in 0..7 {
        let res = t
            .post("/api/v1/accounts/self/users")
            .form(&[("user[name]", "Sam Same".to_owned()), ("pseudonym[unique_id]", format!("same{i}@x.test"))])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    let mut ids = Vec::new();
    let mut next = Some("/api/v1/accounts/self/users?search_term=same&per_page=3".to_owned());
    while let Some(path) = next {
        let res = t.get(path.trim_start_matches(&t.base)).send().await;
        ids.extend(res.body.as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()));
        next = res.link("next");
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((ids.len(), sorted.len()), (7, 7), "{ids:?}");
    assert_eq!(ids, sorted, "ties are broken by id");
    // A forged bookmark of the wrong shape or types is a 400, not a database error.
    use base64::Engine;
    for forged in
        ["[2,5,5]", "[2,null,5]", "[2,-1,\"a\",1]", "[2,\"a\",\"b\"]", "[2,\"a\"]", "[2,\"a\",1.5]", "[0,\"a\",1]"]
    {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
        t.get(&format!("/api/v1/accounts/self/users?page=bookmark:{b}"))
            .send()
            .await
            .assert_error(400, "invalid_pagination");
    }
});

backend_test!(links_never_echo_credentials, |t| {
    seed_users(&t, 3).await;
    let res = t
        .anonymous(
            reqwest::Method::GET,
            &format!("/api/v1/accounts/self/users?per_page=1&access_token={}", t.school.admin_token),
        )
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let link = res.header("link").unwrap();
    assert!(!link.contains(&t.school.admin_token) && !link.contains("access_token"), "{link}");
});

backend_test!(
    links_use_the_configured_public_url,
    |c| {
        c.public_url = Some("https://assay.example.edu".into());
    },
    |t| {
        seed_users(&t, 2).await;
        let res = t.get("/api/v1/accounts/self/users?per_page=1").send().await;
        assert!(res.link("next").unwrap().starts_with("https://assay.example.edu/api/v1/accounts/self/users?"));
        let created = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "X")]).send().await;
        assert!(created.header("location").unwrap().starts_with("https://assay.example.edu/api/v1/accounts/"));
    }
);

backend_test!(
    links_follow_forwarded_headers_only_when_trusted,
    |c| {
        c.trust_proxy = true;
    },
    |t| {
        seed_users(&t, 2).await;
        let res = t
            .get("/api/v1/accounts/self/users?per_page=1")
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "lms.school.test")
            .send()
            .await;
        assert!(res.link("next").unwrap().starts_with("https://lms.school.test/api/v1/"), "{:?}", res.link("next"));
    }
);

backend_test!(forwarded_headers_are_ignored_by_default, |t| {
    seed_users(&t, 2).await;
    let res = t.get("/api/v1/accounts/self/users?per_page=1").header("x-forwarded-host", "evil.test").send().await;
    assert!(res.link("next").unwrap().starts_with(&t.base));
});

// A page deep in a 1,000,000-row list is found by an index seek, not by reading the rows before it.
backend_test!(deep_pages_cost_what_the_first_page_costs, |t| {
    use sea_orm::{ConnectionTrait, QueryTrait, Statement};
    let store = t.store();
    let backend = store.read().get_database_backend();
    let school = t.school.id;
    // Bulk-load the rows in SQL: a million API calls would test the loader, not the page.
    let generate = match t.db {
        Db::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) \
             INSERT INTO users (root_account_id, account_id, name, sortable_name, sort_key, short_name, workflow_state, created_at, updated_at) \
             SELECT {school}, {school}, 'Bulk ' || printf('%07d', i), 'Bulk ' || printf('%07d', i), 'bulk ' || printf('%07d', i), 'B', 'registered', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n"
        ),
        Db::Postgres => format!(
            "INSERT INTO users (root_account_id, account_id, name, sortable_name, sort_key, short_name, workflow_state, created_at, updated_at) \
             SELECT {school}, {school}, 'Bulk ' || lpad(i::text, 7, '0'), 'Bulk ' || lpad(i::text, 7, '0'), 'bulk ' || lpad(i::text, 7, '0'), 'B', 'registered', now(), now() FROM generate_series(1, 1000000) AS i"
        ),
    };
    store.read().execute_unprepared(&generate).await.unwrap();
    if t.db == Db::Postgres {
        store.read().execute_unprepared("ANALYZE users").await.unwrap();
    }

    // Walk to a page near the end through the API, by bookmark.
    let res = t.get("/api/v1/accounts/self/users?per_page=100").send().await;
    assert_eq!(res.header("total-count"), None, "a million rows are not counted on every page");
    assert_eq!(res.link("last"), None);
    let next = res.link("next").unwrap();
    // Forge the bookmark of row 999,900 the way the server encodes it: [page, sort_key, id].
    use base64::Engine;
    let last_id: i64 = {
        let row = store
            .read()
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT id FROM users WHERE sort_key = 'bulk 0999900'".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "id").unwrap()
    };
    let bookmark =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("[10000,null,\"bulk 0999900\",{last_id}]"));
    let deep = t.get(&format!("/api/v1/accounts/self/users?per_page=100&page=bookmark:{bookmark}")).send().await;
    assert_eq!(deep.status, StatusCode::OK, "{}", deep.body);
    let names: Vec<&str> = deep.body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"Bulk 0999901"));
    assert_eq!(names.len(), 100);
    assert_eq!(deep.header("current-page"), Some("10000"));
    assert!(next.contains("page=bookmark"));

    // The plan of that page: a seek into the (root_account_id, sort_key, id) index, bounded by the page size.
    let account = assay_store::accounts::find_unscoped(store.read(), school).await.unwrap();
    let scope = assay_store::Scope::school(school);
    let request = assay_store::PageRequest {
        position: assay_store::Position::After(vec![serde_json::json!("bulk 0999900"), serde_json::json!(last_id)]),
        per_page: 100,
        total_hint: Some(None),
    };
    let query = assay_store::page::ordered(
        assay_store::users::list_select(&scope, &account, None),
        "users",
        &assay_store::users::SORT,
        &request,
    )
    .unwrap();
    let sql = query.build(backend).to_string();
    match t.db {
        Db::Sqlite => {
            let rows = store
                .read()
                .query_all_raw(Statement::from_string(backend, format!("EXPLAIN QUERY PLAN {sql}")))
                .await
                .unwrap();
            let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "detail").unwrap()).collect();
            let plan = plan.join("\n");
            // SQLite seeks to the first sort key of the page through the index and stops after the page.
            assert!(
                plan.contains("SEARCH users USING INDEX ix_users_sort (root_account_id=? AND sort_key>?)"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN users") && !plan.contains("TEMP B-TREE"), "{plan}");
        }
        Db::Postgres => {
            let rows = store
                .read()
                .query_all_raw(Statement::from_string(backend, format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}")))
                .await
                .unwrap();
            let plan: serde_json::Value = rows[0].try_get::<serde_json::Value>("", "QUERY PLAN").unwrap();
            let text = plan.to_string();
            assert!(text.contains("\"Index Name\":\"ix_users_sort\""), "{text}");
            // The index scan reads only the rows it returns: the page plus one look-ahead row.
            fn max_rows(node: &serde_json::Value) -> i64 {
                let own = node.get("Actual Rows").and_then(|v| v.as_f64()).unwrap_or(0.0) as i64;
                let children = node
                    .get("Plans")
                    .and_then(|p| p.as_array())
                    .map(|ps| ps.iter().map(max_rows).max().unwrap_or(0))
                    .unwrap_or(0);
                own.max(children)
            }
            let rows_read = max_rows(&plan[0]["Plan"]);
            assert!(rows_read <= 101, "the deep page read {rows_read} rows: {text}");
        }
    }
});
