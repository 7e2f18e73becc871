//! Every way of authenticating, end to end: personal tokens, OAuth token endpoints (QS, Inspera, Canvas),
//! developer-key scopes, `Api-Key` credentials, logins and passwords, and the permissions endpoint.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

async fn works(t: &TestApp, token: &str) -> bool {
    t.get("/api/v1/users/self").token(token).send().await.status == StatusCode::OK
}

async fn refused_with_challenge(t: &TestApp, token: &str) -> String {
    let res = t.get("/api/v1/users/self").token(token).send().await;
    res.assert_error(401, "unauthenticated");
    res.header("www-authenticate").expect("WWW-Authenticate").to_owned()
}

backend_test!(personal_tokens_follow_the_canvas_lifecycle, |t| {
    let res = t
        .post("/api/v1/users/self/tokens")
        .form(&[("token[purpose]", "grading script"), ("token[expires_at]", "2099-01-01T00:00:00Z")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let secret = res.body["token"].as_str().unwrap().to_owned();
    let id = res.body["id"].as_i64().unwrap();
    let hint = res.body["token_hint"].as_str().unwrap().to_owned();
    assert_eq!(
        (res.body["workflow_state"].as_str(), res.body["purpose"].as_str()),
        (Some("active"), Some("grading script"))
    );
    assert!(secret.ends_with(&hint));
    assert!(works(&t, &secret).await);
    // The secret is shown once: never in lists or reads.
    let list = t.get("/api/v1/users/self/user_generated_tokens").send().await;
    assert!(list.body.as_array().unwrap().iter().all(|tok| tok.get("token").is_none()));
    assert!(!list.body.to_string().contains(&secret));
    assert_eq!(t.get(&format!("/api/v1/users/self/tokens/{hint}")).send().await.body["id"], id);
    // last_used_at is tracked.
    assert!(t.get(&format!("/api/v1/users/self/tokens/{id}")).send().await.body["last_used_at"].is_string());
    // Regenerating replaces the secret: the old one stops working at once.
    let res = t.put(&format!("/api/v1/users/self/tokens/{id}")).form(&[("token[regenerate]", "true")]).send().await;
    let regenerated = res.body["token"].as_str().unwrap().to_owned();
    assert!(!works(&t, &secret).await);
    assert!(works(&t, &regenerated).await);
    // Expired tokens get 401 with a challenge that says why.
    t.expire_token(&regenerated).await;
    assert!(refused_with_challenge(&t, &regenerated).await.contains("expired"));
    t.put(&format!("/api/v1/users/self/tokens/{id}"))
        .form(&[("token[regenerate]", "1")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    let res = t
        .put(&format!("/api/v1/users/self/tokens/{id}"))
        .form(&[("token[regenerate]", "1"), ("token[expires_at]", "2099-06-01")])
        .send()
        .await;
    let renewed = res.body["token"].as_str().unwrap().to_owned();
    assert!(works(&t, &renewed).await);
    // Deleted tokens stop working immediately.
    let res = t.delete(&format!("/api/v1/users/self/tokens/{id}")).send().await;
    assert_eq!(res.body["workflow_state"], "deleted");
    assert!(refused_with_challenge(&t, &renewed).await.contains("revoked"));
    t.get(&format!("/api/v1/users/self/tokens/{id}")).send().await.assert_error(404, "not_found");
    // Bad input.
    t.post("/api/v1/users/self/tokens")
        .form(&[("token[expires_at]", "yesterday")])
        .send()
        .await
        .assert_error(400, "bad_request");
    let res = t.post("/api/v1/users/self/tokens").form(&[("token[expires_at]", "2001-01-01")]).send().await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 2, "purpose missing and expiry in the past: {}", res.body);
});

backend_test!(tokens_an_admin_makes_for_others_wait_for_their_owner, |t| {
    let student = t.create_user("Sam Student", "sam@a.test", None).await["id"].as_i64().unwrap();
    let res =
        t.post(&format!("/api/v1/users/{student}/tokens")).form(&[("token[purpose]", "made by admin")]).send().await;
    assert_eq!(res.body["workflow_state"], "pending");
    let pending = res.body["token"].as_str().unwrap().to_owned();
    let id = res.body["id"].as_i64().unwrap();
    assert!(refused_with_challenge(&t, &pending).await.contains("revoked"));
    // The admin cannot activate it; the owner can.
    t.put(&format!("/api/v1/users/{student}/tokens/{id}"))
        .form(&[("token[activate]", "true")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    let own = t.token_for(student).await;
    let res =
        t.put(&format!("/api/v1/users/self/tokens/{id}")).token(&own).form(&[("token[activate]", "true")]).send().await;
    assert_eq!(res.body["workflow_state"], "active", "{}", res.body);
    assert!(works(&t, &pending).await);
    // A student cannot manage someone else's tokens.
    t.get(&format!("/api/v1/users/{}/user_generated_tokens", t.school.admin_id))
        .token(&own)
        .send()
        .await
        .assert_error(401, "unauthorized");
});

backend_test!(scoped_tokens_reach_only_their_endpoints, |t| {
    let res = t
        .post("/api/v1/users/self/tokens")
        .json(&json!({"token": {"purpose": "read users", "scopes": ["url:GET|/api/v1/users/:id", "url:GET|/api/v1/accounts/:account_id/users"]}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let scoped = res.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        t.get(&format!("/api/v1/users/{}", t.school.admin_id)).token(&scoped).send().await.status,
        StatusCode::OK
    );
    assert_eq!(t.get("/api/v1/accounts/self/users").token(&scoped).send().await.status, StatusCode::OK);
    // Not named by a scope: refused, without a credential challenge (the token itself is fine).
    for (method, path) in [
        (Method::GET, "/api/v1/accounts/self"),
        (Method::GET, "/api/v1/users/self"),
        (Method::POST, "/api/v1/accounts/self/users"),
    ] {
        let res = t.req(method, path).token(&scoped).send().await;
        res.assert_error(401, "unauthorized");
        assert!(res.header("www-authenticate").is_none());
        assert!(res.body["errors"][0]["message"].as_str().unwrap().contains("scopes"));
    }
    let res = t
        .post("/api/v1/users/self/tokens")
        .json(&json!({"token": {"purpose": "x", "scopes": ["url:GET|/api/v1/nowhere", "nonsense"]}}))
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 2);
});

backend_test!(the_password_grant_issues_expiring_tokens_qs_style, |t| {
    t.create_user_with_password("Quinn Student", "Quinn@School.test", "Correct-Horse-1").await;
    let res = t
        .anonymous(Method::POST, "/api/token")
        .form(&[("grant_type", "password"), ("username", "quinn@SCHOOL.test"), ("password", "Correct-Horse-1")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body["token_type"].as_str(), res.body["expires_in"].as_i64()), (Some("bearer"), Some(14400)));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let token = res.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(t.get("/api/v1/users/self").token(&token).send().await.body["name"], "Quinn Student");
    // The password is case-sensitive; errors are OAuth-shaped.
    for (user, pass) in [("quinn@school.test", "correct-horse-1"), ("nobody@school.test", "Correct-Horse-1")] {
        let res = t
            .anonymous(Method::POST, "/api/token")
            .form(&[("grant_type", "password"), ("username", user), ("password", pass)])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            res.body,
            json!({"error": "invalid_grant", "error_description": "The user name, password or account is invalid."})
        );
    }
    let res = t.anonymous(Method::POST, "/api/token").form(&[("grant_type", "client_credentials")]).send().await;
    assert_eq!(res.body["error"], "unsupported_grant_type");
    let res =
        t.anonymous(Method::POST, "/api/token").form(&[("grant_type", "password"), ("username", "x")]).send().await;
    assert_eq!(res.body["error"], "invalid_request");
    // Expiry is enforced: 401 with WWW-Authenticate, so clients know to fetch a new token.
    t.expire_token(&token).await;
    assert!(refused_with_challenge(&t, &token).await.contains("expired"));
});

backend_test!(user_api_keys_exchange_for_short_lived_tokens_inspera_style, |t| {
    let user = t.create_user("Ingrid Integration", "ingrid@a.test", None).await["id"].as_i64().unwrap();
    let res = t.post(&format!("/api/v1/users/{user}/api_key")).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let code = res.body["api_key"].as_str().unwrap().to_owned();
    let client_id = res.body["client_id"].as_str().unwrap().to_owned();
    assert!(t.get(&format!("/api/v1/users/{user}/api_key")).send().await.body.get("api_key").is_none());
    let exchange = |code: String, client: String, grant: &'static str| {
        let req = t
            .anonymous(Method::POST, &format!("/api/authenticate/token?grant_type={grant}&client_id={client}"))
            .header("code", &code)
            .body("application/x-www-form-urlencoded", "");
        async move { req.send().await }
    };
    let res = exchange(code.clone(), client_id.clone(), "authorization_code").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["expires_in"], 3600);
    let token = res.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(t.get("/api/v1/users/self").token(&token).send().await.body["id"], user);
    assert_eq!(exchange(code.clone(), "999999".into(), "authorization_code").await.body["error"], "invalid_grant");
    let res = exchange("assayc_wrong".into(), client_id.clone(), "authorization_code").await;
    assert_eq!((res.status, res.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_grant")));
    assert_eq!(exchange(code.clone(), client_id.clone(), "password").await.status, StatusCode::BAD_REQUEST);
    // Generating a new key revokes the old one; revoking leaves none.
    let fresh =
        t.post(&format!("/api/v1/users/{user}/api_key")).send().await.body["api_key"].as_str().unwrap().to_owned();
    assert_eq!(exchange(code, client_id.clone(), "authorization_code").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(exchange(fresh.clone(), client_id.clone(), "authorization_code").await.status, StatusCode::OK);
    t.delete(&format!("/api/v1/users/{user}/api_key")).send().await;
    assert_eq!(exchange(fresh, client_id, "authorization_code").await.status, StatusCode::UNAUTHORIZED);
    // Only user administrators generate keys.
    let token = t.token_for(user).await;
    t.post(&format!("/api/v1/users/{}/api_key", t.school.admin_id))
        .token(&token)
        .send()
        .await
        .assert_error(401, "unauthorized");
});

async fn oauth(t: &TestApp, form: &[(&str, &str)]) -> crate::harness::Res {
    t.anonymous(Method::POST, "/login/oauth2/token").form(form).send().await
}

backend_test!(developer_keys_issue_scoped_tokens_canvas_style, |t| {
    let res = t
        .post("/api/v1/accounts/self/developer_keys")
        .json(&json!({"developer_key": {"name": "SIS sync", "scopes": ["url:GET|/api/v1/accounts/:account_id/users", "url:GET|/api/v1/users/:id"], "require_scopes": true}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let client_id = res.body["client_id"].as_str().unwrap().to_owned();
    let secret = res.body["api_key"].as_str().unwrap().to_owned();
    let key_id = res.body["id"].as_i64().unwrap();
    assert!(t.get("/api/v1/accounts/self/developer_keys").send().await.body[0].get("api_key").is_none());

    // client_credentials: a token limited to the key's scopes, acting as the key's integration user.
    let res =
        oauth(&t, &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((res.body["token_type"].as_str(), res.body["expires_in"].as_i64()), (Some("Bearer"), Some(3600)));
    let cc = res.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(t.get("/api/v1/accounts/self/users").token(&cc).send().await.status, StatusCode::OK);
    t.get("/api/v1/accounts/self").token(&cc).send().await.assert_error(401, "unauthorized");
    // A narrower scope on request; a scope the key lacks is refused.
    let res = oauth(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "url:GET|/api/v1/users/:id"),
        ],
    )
    .await;
    let narrow = res.body["access_token"].as_str().unwrap().to_owned();
    t.get("/api/v1/accounts/self/users").token(&narrow).send().await.assert_error(401, "unauthorized");
    let res = oauth(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "url:GET|/api/v1/events"),
        ],
    )
    .await;
    assert_eq!(res.body["error"], "invalid_scope");
    // Wrong secret: invalid_client, 401; HTTP Basic works too.
    let res = oauth(
        &t,
        &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", "assayk_wrong")],
    )
    .await;
    assert_eq!((res.status, res.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let res = t
        .anonymous(Method::POST, "/login/oauth2/token")
        .header("authorization", &format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // password grant with a refresh token; refreshing rotates the access token.
    t.create_user_with_password("Rita Refresh", "rita@a.test", "Refresh-Me-9").await;
    let res = oauth(
        &t,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("username", "rita@a.test"),
            ("password", "Refresh-Me-9"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["user"]["name"], "Rita Refresh");
    let first = res.body["access_token"].as_str().unwrap().to_owned();
    let refresh = res.body["refresh_token"].as_str().unwrap().to_owned();
    let res = oauth(
        &t,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("refresh_token", &refresh),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.get("refresh_token").is_none(), "Canvas reuses the refresh token");
    let second = res.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        t.get(&format!("/api/v1/users/{}", t.school.admin_id)).token(&second).send().await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(refused_with_challenge(&t, &first).await.contains("not valid"));
    let res = oauth(
        &t,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("refresh_token", "assayr_nope"),
        ],
    )
    .await;
    assert_eq!(res.body["error"], "invalid_grant");
    assert_eq!(
        oauth(&t, &[("grant_type", "authorization_code"), ("client_id", &client_id), ("client_secret", &secret)])
            .await
            .body["error"],
        "unsupported_grant_type"
    );
    // DELETE /login/oauth2/token revokes the caller's own token (and its refresh token).
    let res = t.delete("/login/oauth2/token").token(&second).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(refused_with_challenge(&t, &second).await.contains("revoked"));
    assert_eq!(
        oauth(
            &t,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("refresh_token", &refresh)
            ]
        )
        .await
        .body["error"],
        "invalid_grant"
    );

    // Removing a scope from the key invalidates tokens that carry it (Canvas); deleting the key kills the rest.
    let res = t
        .put(&format!("/api/v1/developer_keys/{key_id}"))
        .json(&json!({"developer_key": {"scopes": ["url:GET|/api/v1/users/:id"]}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(refused_with_challenge(&t, &cc).await.contains("developer key"));
    assert_eq!(
        t.get(&format!("/api/v1/users/{}", t.school.admin_id)).token(&narrow).send().await.status,
        StatusCode::OK
    );
    t.delete(&format!("/api/v1/developer_keys/{key_id}")).send().await;
    t.get(&format!("/api/v1/users/{}", t.school.admin_id))
        .token(&narrow)
        .send()
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(
        oauth(&t, &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Keys live on the school's root account; scopes must name real endpoints.
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Sub")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    t.post(&format!("/api/v1/accounts/{sub}/developer_keys"))
        .form(&[("developer_key[name]", "x")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.post("/api/v1/accounts/self/developer_keys")
        .json(&json!({"developer_key": {"name": "x", "scopes": ["url:GET|/api/v1/nope"]}}))
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(api_keys_give_reviewer_rights_on_their_account_momotor_style, |t| {
    let sub = t
        .post("/api/v1/accounts/self/sub_accounts")
        .form(&[("account[name]", "Informatics"), ("account[sis_account_id]", "INF")])
        .send()
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    t.post(&format!("/api/v1/accounts/{sub}/users")).form(&[("user[name]", "Ivo Informatics")]).send().await;
    let res = t.post(&format!("/api/v1/accounts/{sub}/api_keys")).form(&[("api_key[name]", "Momotor")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let key = res.body["key"].as_str().unwrap().to_owned();
    let id = res.body["id"].as_i64().unwrap();
    assert!(key.starts_with(res.body["prefix"].as_str().unwrap()));
    assert!(t.get(&format!("/api/v1/accounts/{sub}/api_keys")).send().await.body[0].get("key").is_none());
    let with_key = |method: Method, path: String, key: String| {
        let req = t.anonymous(method, &path).header("authorization", &format!("Api-Key {key}"));
        async move { req.send().await }
    };
    // Reviewer rights: read the account and its users, SIS ids included.
    let res = with_key(Method::GET, format!("/api/v1/accounts/{sub}"), key.clone()).await;
    assert_eq!((res.status, res.body["sis_account_id"].as_str()), (StatusCode::OK, Some("INF")));
    assert_eq!(
        with_key(Method::GET, format!("/api/v1/accounts/{sub}/users"), key.clone())
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Nothing outside the account, nothing that changes it, nothing that needs a person.
    with_key(Method::GET, "/api/v1/accounts/self".into(), key.clone()).await.assert_error(401, "unauthorized");
    let res = t
        .anonymous(Method::PUT, &format!("/api/v1/accounts/{sub}"))
        .header("authorization", &format!("Api-Key {key}"))
        .form(&[("account[name]", "Hacked")])
        .send()
        .await;
    res.assert_error(401, "unauthorized");
    with_key(Method::GET, "/api/v1/users/self".into(), key.clone()).await.assert_error(401, "unauthorized");
    with_key(Method::GET, "/api/v1/events".into(), key.clone()).await.assert_error(401, "unauthorized");
    // A wrong secret, a malformed key, and a revoked key are refused with an Api-Key challenge.
    let (prefix, _) = key.split_once('.').unwrap();
    for bad in [format!("{prefix}.wrong"), "nodot".to_owned(), format!("zzzz.{}", key.split_once('.').unwrap().1)] {
        let res = with_key(Method::GET, format!("/api/v1/accounts/{sub}"), bad).await;
        res.assert_error(401, "unauthenticated");
        assert!(res.header("www-authenticate").unwrap().starts_with("Api-Key"));
    }
    t.delete(&format!("/api/v1/accounts/{sub}/api_keys/{id}")).send().await;
    with_key(Method::GET, format!("/api/v1/accounts/{sub}"), key).await.assert_error(401, "unauthenticated");
    t.post(&format!("/api/v1/accounts/{sub}/api_keys"))
        .form(&[("api_key[name]", "")])
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(users_have_several_logins_and_change_their_passwords, |t| {
    let user = t.create_user_with_password("Lena Login", "lena@a.test", "First-Pass-1").await;
    let res = t
        .post("/api/v1/accounts/self/logins")
        .form(&[
            ("user[id]", user.to_string().as_str()),
            ("login[unique_id]", "LENA2"),
            ("login[password]", "Second-Pass-2"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let second = res.body["id"].as_i64().unwrap();
    let logins = t.get(&format!("/api/v1/users/{user}/logins")).send().await;
    assert_eq!(
        logins.body.as_array().unwrap().iter().map(|l| l["unique_id"].clone()).collect::<Vec<_>>(),
        vec![json!("lena@a.test"), json!("LENA2")]
    );
    assert!(!logins.body.to_string().contains("Pass"));
    let grant = |login: &'static str, password: &'static str| {
        let req = t.anonymous(Method::POST, "/api/token").form(&[
            ("grant_type", "password"),
            ("username", login),
            ("password", password),
        ]);
        async move { req.send().await.status }
    };
    assert_eq!(grant("lena2", "Second-Pass-2").await, StatusCode::OK);
    // Users change their own password only with the old one; administrators reset it.
    let token = t.token_for(user).await;
    let res = t
        .put(&format!("/api/v1/accounts/self/logins/{second}"))
        .token(&token)
        .form(&[("login[password]", "Third-Pass-3")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let res = t
        .put(&format!("/api/v1/accounts/self/logins/{second}"))
        .token(&token)
        .form(&[("login[password]", "Third-Pass-3"), ("login[old_password]", "Second-Pass-2")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(grant("lena2", "Second-Pass-2").await, StatusCode::BAD_REQUEST);
    assert_eq!(grant("lena2", "Third-Pass-3").await, StatusCode::OK);
    let res = t
        .put(&format!("/api/v1/accounts/self/logins/{second}"))
        .form(&[("login[password]", "Admin-Reset-4")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(grant("lena2", "Admin-Reset-4").await, StatusCode::OK);
    // Login names are unique in the school, ignoring case.
    t.post("/api/v1/accounts/self/logins")
        .form(&[("user[id]", user.to_string().as_str()), ("login[unique_id]", "Lena@A.test")])
        .send()
        .await
        .assert_error(409, "conflict");
    let res = t.delete(&format!("/api/v1/users/{user}/logins/{second}")).send().await;
    assert_eq!(res.body["workflow_state"], "deleted");
    assert_eq!(grant("lena2", "Admin-Reset-4").await, StatusCode::BAD_REQUEST);
    // The name is free again once deleted.
    let res = t
        .post("/api/v1/accounts/self/logins")
        .form(&[("user[id]", user.to_string().as_str()), ("login[unique_id]", "lena2")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
});

backend_test!(the_permissions_endpoint_answers_from_the_policy, |t| {
    let res = t.get("/api/v1/accounts/self/permissions?permissions[]=manage_account_settings&permissions[]=read_sis&permissions[]=become_superhero").send().await;
    assert_eq!(res.body, json!({"manage_account_settings": true, "read_sis": true, "become_superhero": false}));
    let all = t.get("/api/v1/accounts/self/permissions").send().await;
    assert!(all.body.as_object().unwrap().values().all(|v| v == &Value::Bool(true)));
    let student = t.create_user("Sam", "sam@a.test", None).await["id"].as_i64().unwrap();
    let token = t.token_for(student).await;
    let res =
        t.get("/api/v1/accounts/self/permissions?permissions[]=manage_account_settings").token(&token).send().await;
    assert_eq!(res.body, json!({"manage_account_settings": false}));
});

backend_test!(
    failed_sign_ins_are_throttled_per_login,
    |c| {
        c.rate_limit_login_failures_per_15min = 3;
    },
    |t| {
        t.create_user_with_password("Tess Throttle", "tess@a.test", "Right-Pass-1").await;
        let attempt = |password: &'static str| {
            let req = t.anonymous(Method::POST, "/api/token").form(&[
                ("grant_type", "password"),
                ("username", "TESS@a.test"),
                ("password", password),
            ]);
            async move { req.send().await }
        };
        for _ in 0..3 {
            assert_eq!(attempt("wrong").await.status, StatusCode::BAD_REQUEST);
        }
        // The budget is spent: even the right password waits, and the answer says for how long.
        let res = attempt("Right-Pass-1").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
        assert!(res.body["error_description"].as_str().unwrap().contains("Rate Limit Exceeded"));
        assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
        // Other logins are not affected.
        t.create_user_with_password("Una Unaffected", "una@a.test", "Una-Pass-12").await;
        let res = t
            .anonymous(Method::POST, "/api/token")
            .form(&[("grant_type", "password"), ("username", "una@a.test"), ("password", "Una-Pass-12")])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK);
    }
);
