//! AB Connect partners: managed on the native surface by the school's root administrators, and authenticating
//! `/rest/v4.1` requests with HMAC-SHA256 signatures (`specs/abconnect.md` §4). The tests sign requests the way
//! an AB client does, with their own HMAC code, not the server's.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::{Res, TestApp},
};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The message of §4.2: `expires[\nuser][\nMETHOD][\nresource]`, earlier optional fields as empty lines when a
/// later one is present.
fn message(expires: i64, user: Option<&str>, method: Option<&str>, resource: Option<&str>) -> String {
    let mut fields = vec![expires.to_string(), user.unwrap_or_default().to_owned()];
    fields.extend(method.map(str::to_owned));
    fields.extend(resource.map(str::to_owned));
    while fields.len() > 1 && fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    fields.join("\n")
}

fn sign(key: &str, message: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A URL-encoded query string of the given parameters.
fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    serializer.finish()
}

/// A partner as its creator sees it.
struct Creds {
    id: i64,
    partner_id: String,
    key: String,
}

impl Creds {
    /// The auth parameters of a request signed for `user`/`method`/`resource`, expiring at `expires`.
    fn signed(&self, expires: i64, user: Option<&str>, method: Option<&str>, resource: Option<&str>) -> String {
        let signature = sign(&self.key, &message(expires, user, method, resource));
        let expires = expires.to_string();
        let mut pairs = vec![("partner.id", self.partner_id.as_str()), ("auth.expires", &expires)];
        pairs.push(("auth.signature", &signature));
        if let Some(user) = user {
            pairs.push(("user.id", user));
        }
        query(&pairs)
    }
}

async fn create_partner(t: &TestApp, form: &[(&str, &str)]) -> Creds {
    let res = t.post("/api/v1/accounts/self/partners").form(form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    Creds {
        id: res.body["id"].as_i64().unwrap(),
        partner_id: res.body["partner_id"].as_str().unwrap().to_owned(),
        key: res.body["signing_key"].as_str().unwrap().to_owned(),
    }
}

async fn probe(t: &TestApp, query: &str) -> Res {
    t.anonymous(Method::GET, &format!("/rest/v4.1/partner?{query}")).send().await
}

/// Asserts a 401 in the AB Connect error shape blaming `parameter`.
fn assert_ab_401(res: &Res, parameter: &str) {
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    assert!(res.header("content-type").unwrap_or_default().starts_with("application/json"), "{:?}", res.headers);
    let errors = res.body["errors"].as_array().unwrap_or_else(|| panic!("no errors in {}", res.body));
    assert_eq!(errors.len(), 1, "{}", res.body);
    let error = &errors[0];
    assert_eq!(error["status"], "401", "{}", res.body);
    assert_eq!(error["title"], "Unauthorized");
    assert!(error["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", res.body);
    assert_eq!(error["source"], json!({"parameter": parameter}), "{}", res.body);
    // The AB shape, not the native one.
    assert!(error.get("code").is_none() && res.body.get("status").is_none(), "{}", res.body);
}

fn scope_of(res: &Res) -> Value {
    res.body["data"]["attributes"]["signature_scope"].clone()
}

backend_test!(school_admins_create_partners_and_see_the_key_once, |t| {
    let before = t.event_count().await;
    let res = t.post("/api/v1/accounts/self/partners").form(&[("partner[name]", "Standards sync")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("{}/api/v1/accounts/{}/partners/{id}", t.base, t.school.id).as_str())
    );
    let generated = res.body["partner_id"].as_str().unwrap();
    assert!(generated.starts_with("p_") && generated.len() == 14, "{generated}");
    let key = res.body["signing_key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 43, "32 random bytes, base64url");
    assert_eq!(res.body["max_lifetime_secs"], 86400);
    assert_eq!(res.body["workflow_state"], "active");
    assert_eq!(res.body["account_id"], t.school.id);
    assert_eq!(res.body["last_used_at"], json!(null));

    // A chosen id and lifetime; JSON bodies work as well as forms.
    let res = t
        .post("/api/v1/accounts/self/partners")
        .json(&json!({"partner": {"name": "Test account", "partner_id": "test_account", "max_lifetime_secs": 3600}}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (res.body["partner_id"].as_str(), res.body["max_lifetime_secs"].as_i64()),
        (Some("test_account"), Some(3600))
    );
    assert_ne!(res.body["signing_key"].as_str().unwrap(), key);

    // The key is never shown again: not in a read, not in a list, not in the event feed.
    let res = t.get(&format!("/api/v1/accounts/self/partners/{id}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["name"], "Standards sync");
    assert!(res.body.get("signing_key").is_none(), "{}", res.body);
    let res = t.get(&format!("/api/v1/accounts/{}/partners?per_page=1", t.school.id)).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body.as_array().unwrap().len(), 1);
    assert_eq!(res.header("total-count"), Some("2"));
    assert!(res.link("next").is_some());
    let all = t.get("/api/v1/accounts/self/partners").send().await;
    assert_eq!(
        all.body.as_array().unwrap().iter().map(|p| p["partner_id"].as_str().unwrap()).collect::<Vec<_>>(),
        vec![generated, "test_account"]
    );
    assert!(!all.body.to_string().contains(&key));
    assert_eq!(t.event_count().await, before + 2);
    let events = t.get("/api/v1/events?type=partner.created").send().await;
    assert_eq!(events.body.as_array().unwrap().len(), 2, "{}", events.body);
    assert_eq!(events.body[0]["payload"]["partner_id"], generated);
    assert!(!events.body.to_string().contains(&key), "the key reached the event feed");

    // Invalid fields get 422 naming each field; a taken partner id is a conflict; nothing is written.
    let before = t.event_count().await;
    let res = t
        .post("/api/v1/accounts/self/partners")
        .form(&[("partner[partner_id]", "has space"), ("partner[max_lifetime_secs]", "30")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, vec!["/partner/name", "/partner/partner_id", "/partner/max_lifetime_secs"]);
    t.post("/api/v1/accounts/self/partners")
        .form(&[("partner[name]", "Too long"), ("partner[max_lifetime_secs]", "604801")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.post("/api/v1/accounts/self/partners")
        .form(&[("partner[name]", "Bad"), ("partner[max_lifetime_secs]", "soon")])
        .send()
        .await
        .assert_error(400, "bad_request");
    let res = t
        .post("/api/v1/accounts/self/partners")
        .form(&[("partner[name]", "Dup"), ("partner[partner_id]", "test_account")])
        .send()
        .await;
    res.assert_error(409, "conflict");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/partner_id");
    assert_eq!(t.event_count().await, before);
    t.get("/api/v1/accounts/self/partners/999999").send().await.assert_error(404, "partner_not_found");
    t.get("/api/v1/accounts/self/partners/abc").send().await.assert_error(400, "invalid_id");
});

backend_test!(signed_requests_authenticate_in_every_scope, |t| {
    let p = create_partner(&t, &[("partner[name]", "Scopes")]).await;
    let exp = now() + 600;

    // Unrestricted.
    let res = probe(&t, &p.signed(exp, None, None, None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.header("content-type").unwrap().starts_with("application/json"));
    assert_eq!(res.body["data"]["type"], "partners");
    assert_eq!(res.body["data"]["id"], p.partner_id.as_str());
    assert_eq!(res.body["data"]["attributes"]["name"], "Scopes");
    assert_eq!(res.body["data"]["attributes"]["user_id"], json!(null));
    assert_eq!(scope_of(&res), json!({"method": null, "resource": null}));
    let expires_at = chrono::DateTime::from_timestamp(exp, 0).unwrap();
    let reported: chrono::DateTime<chrono::Utc> =
        res.body["data"]["attributes"]["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(reported, expires_at);

    // Bound to a user.
    let res = probe(&t, &p.signed(exp, Some("bmarley"), None, None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["data"]["attributes"]["user_id"], "bmarley");
    assert_eq!(scope_of(&res), json!({"method": null, "resource": null}));

    // Read-only (method-scoped), with and without a user.
    let res = probe(&t, &p.signed(exp, None, Some("GET"), None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(scope_of(&res), json!({"method": "GET", "resource": null}));
    let res = probe(&t, &p.signed(exp, Some("bmarley"), Some("GET"), None)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["data"]["attributes"]["user_id"], "bmarley");

    // Read-only on this one endpoint.
    let res = probe(&t, &p.signed(exp, None, Some("GET"), Some("partner"))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(scope_of(&res), json!({"method": "GET", "resource": "partner"}));

    // A signature for another endpoint or another method does not open this one.
    assert_ab_401(&probe(&t, &p.signed(exp, None, Some("GET"), Some("standards"))).await, "auth.signature");
    assert_ab_401(&probe(&t, &p.signed(exp, None, Some("POST"), None)).await, "auth.signature");
    assert_ab_401(&probe(&t, &p.signed(exp, None, Some("POST"), Some("partner"))).await, "auth.signature");

    // A client that forgot to URL-encode `+` (sent as a space) is understood.
    let (with_plus, plus_exp) = (exp..exp + 200)
        .map(|e| (sign(&p.key, &message(e, None, None, None)), e))
        .find(|(s, _)| s.contains('+'))
        .unwrap();
    let raw =
        format!("partner.id={}&auth.expires={plus_exp}&auth.signature={}", p.partner_id, with_plus.replace('=', "%3D"));
    let res = probe(&t, &raw).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // The native view records that the partner was used.
    let res = t.get(&format!("/api/v1/accounts/self/partners/{}", p.id)).send().await;
    assert!(res.body["last_used_at"].is_string(), "{}", res.body);
});

backend_test!(bad_signatures_get_401_in_the_ab_error_shape, |t| {
    let p = create_partner(&t, &[("partner[name]", "Refusals"), ("partner[max_lifetime_secs]", "3600")]).await;
    let exp = now() + 600;

    // Signed with the wrong key.
    let forged = Creds { id: p.id, partner_id: p.partner_id.clone(), key: "not the key".into() };
    let res = probe(&t, &forged.signed(exp, None, None, None)).await;
    assert_ab_401(&res, "auth.signature");
    assert!(!res.body.to_string().contains(&p.key), "the key leaked into an error");
    let expected = sign(&p.key, &message(exp, None, None, None));
    assert!(!res.body.to_string().contains(&expected), "the expected signature leaked into an error");

    // Expired, and too far ahead for this partner's 3600 s lifetime (beyond the 300 s clock-skew allowance).
    assert_ab_401(&probe(&t, &p.signed(now() - 10, None, None, None)).await, "auth.expires");
    assert_ab_401(&probe(&t, &p.signed(now() + 3600 + 301 + 60, None, None, None)).await, "auth.expires");
    assert_eq!(probe(&t, &p.signed(now() + 3600, None, None, None)).await.status, StatusCode::OK);

    // An unsigned user added to a valid signature; a user other than the signed one.
    let unrestricted = sign(&p.key, &message(exp, None, None, None));
    let exp_s = exp.to_string();
    let base = [("partner.id", p.partner_id.as_str()), ("auth.expires", exp_s.as_str())];
    let with = |extra: &[(&'static str, &'static str)], signature: &str| {
        let mut pairs = base.to_vec();
        pairs.push(("auth.signature", signature));
        pairs.extend_from_slice(extra);
        query(&pairs)
    };
    assert_ab_401(&probe(&t, &with(&[("user.id", "intruder")], &unrestricted)).await, "user.id");
    let for_alice = sign(&p.key, &message(exp, Some("alice"), None, None));
    assert_ab_401(&probe(&t, &with(&[("user.id", "mallory")], &for_alice)).await, "auth.signature");
    assert_ab_401(&probe(&t, &with(&[], &for_alice)).await, "auth.signature");
    assert_ab_401(&probe(&t, &with(&[], "not base64 at all")).await, "auth.signature");
    // The signature binds the expiry.
    let later = (exp + 1).to_string();
    let res = probe(
        &t,
        &query(&[("partner.id", &p.partner_id), ("auth.expires", &later), ("auth.signature", &unrestricted)]),
    )
    .await;
    assert_ab_401(&res, "auth.signature");

    // Missing, duplicated or malformed parameters name the parameter.
    let sig = unrestricted.as_str();
    let pid = p.partner_id.as_str();
    for (pairs, parameter) in [
        (vec![("auth.expires", exp_s.as_str()), ("auth.signature", sig)], "partner.id"),
        (vec![("partner.id", pid), ("auth.signature", sig)], "auth.expires"),
        (vec![("partner.id", pid), ("auth.expires", exp_s.as_str())], "auth.signature"),
        (vec![("partner.id", pid), ("auth.expires", "tomorrow"), ("auth.signature", sig)], "auth.expires"),
        (vec![("partner.id", "nobody"), ("auth.expires", exp_s.as_str()), ("auth.signature", sig)], "partner.id"),
        (
            vec![
                ("partner.id", pid),
                ("auth.expires", exp_s.as_str()),
                ("auth.signature", sig),
                ("auth.signature", sig),
            ],
            "auth.signature",
        ),
    ] {
        assert_ab_401(&probe(&t, &query(&pairs)).await, parameter);
    }
    assert_ab_401(&t.anonymous(Method::GET, "/rest/v4.1/partner").send().await, "partner.id");
    // A native bearer token is not an AB credential.
    assert_ab_401(&t.get("/rest/v4.1/partner").send().await, "partner.id");
});

backend_test!(a_signature_stops_working_when_it_expires, |t| {
    let p = create_partner(&t, &[("partner[name]", "Replay")]).await;
    let exp = now() + 2;
    let captured = p.signed(exp, None, Some("GET"), None);
    let res = probe(&t, &captured).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    while now() <= exp {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Replaying the captured URL after its expiry is refused.
    assert_ab_401(&probe(&t, &captured).await, "auth.expires");
});

backend_test!(revoked_partners_stop_working_immediately, |t| {
    let p = create_partner(&t, &[("partner[name]", "Revoked")]).await;
    let keep = create_partner(&t, &[("partner[name]", "Kept")]).await;
    let long_lived = p.signed(now() + 80_000, None, None, None);
    assert_eq!(probe(&t, &long_lived).await.status, StatusCode::OK);

    let before = t.event_count().await;
    let res = t.delete(&format!("/api/v1/accounts/self/partners/{}", p.id)).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["workflow_state"], "deleted");
    assert!(res.body.get("signing_key").is_none());
    assert_eq!(t.event_count().await, before + 1);
    let events = t.get("/api/v1/events?type=partner.deleted").send().await;
    assert_eq!(events.body[0]["subject_id"], p.id, "{}", events.body);

    assert_ab_401(&probe(&t, &long_lived).await, "partner.id");
    t.get(&format!("/api/v1/accounts/self/partners/{}", p.id)).send().await.assert_error(404, "partner_not_found");
    t.delete(&format!("/api/v1/accounts/self/partners/{}", p.id)).send().await.assert_error(404, "partner_not_found");
    assert_eq!(t.event_count().await, before + 1);
    let list = t.get("/api/v1/accounts/self/partners").send().await;
    assert_eq!(
        list.body.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![keep.id]
    );
    // The other partner is unaffected.
    assert_eq!(probe(&t, &keep.signed(now() + 60, None, None, None)).await.status, StatusCode::OK);
});

backend_test!(only_the_schools_root_admins_manage_its_partners, |t| {
    let p = create_partner(&t, &[("partner[name]", "School A's")]).await;

    // Another school's administrator sees nothing of School A's partners, and changes nothing.
    let other = t.create_school("School B").await;
    let before = t.event_count().await;
    let a = t.school.id;
    for path in [format!("/api/v1/accounts/{a}/partners"), format!("/api/v1/accounts/{a}/partners/{}", p.id)] {
        t.get(&path).token(&other.admin_token).send().await.assert_error(404, "account_not_found");
    }
    t.get(&format!("/api/v1/accounts/self/partners/{}", p.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "partner_not_found");
    t.delete(&format!("/api/v1/accounts/self/partners/{}", p.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "partner_not_found");
    t.delete(&format!("/api/v1/accounts/{a}/partners/{}", p.id))
        .token(&other.admin_token)
        .send()
        .await
        .assert_error(404, "account_not_found");
    t.post(&format!("/api/v1/accounts/{a}/partners"))
        .token(&other.admin_token)
        .form(&[("partner[name]", "Implant")])
        .send()
        .await
        .assert_error(404, "account_not_found");
    let theirs = t.get("/api/v1/accounts/self/partners").token(&other.admin_token).send().await;
    assert_eq!(theirs.body, json!([]));
    assert_eq!(t.event_count().await, before);
    assert_eq!(probe(&t, &p.signed(now() + 60, None, None, None)).await.status, StatusCode::OK);

    // A user who is not an administrator is refused, Canvas style.
    let student = t.create_user("Sam Student", "sam@a.test", None).await["id"].as_i64().unwrap();
    let student_token = t.token_for(student).await;
    let res = t.get("/api/v1/accounts/self/partners").token(&student_token).send().await;
    res.assert_error(401, "unauthorized");
    assert_eq!(res.body["status"], "unauthorized");
    t.get(&format!("/api/v1/accounts/self/partners/{}", p.id))
        .token(&student_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.post("/api/v1/accounts/self/partners")
        .token(&student_token)
        .form(&[("partner[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.delete(&format!("/api/v1/accounts/self/partners/{}", p.id))
        .token(&student_token)
        .send()
        .await
        .assert_error(401, "unauthorized");

    // Partners belong to the school: a sub-account has none, and its administrator may not manage the school's.
    let sub = t.post("/api/v1/accounts/self/sub_accounts").form(&[("account[name]", "Branch")]).send().await.body["id"]
        .as_i64()
        .unwrap();
    t.get(&format!("/api/v1/accounts/{sub}/partners")).send().await.assert_error(404, "account_not_found");
    let branch_admin = t.create_user("Branch Admin", "ba@a.test", None).await["id"].as_i64().unwrap();
    {
        use assay_store::{Scope, accounts};
        let scope = Scope::school(t.school.id);
        t.store()
            .clone()
            .write(move |txn| {
                Box::pin(async move {
                    let account = accounts::find(txn, &scope, &assay_domain::IdRef::Id(sub)).await?;
                    accounts::add_role(
                        txn,
                        &scope,
                        &account,
                        branch_admin,
                        assay_domain::policy::AccountRole::AccountAdmin,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
            .unwrap();
    }
    let branch_token = t.token_for(branch_admin).await;
    for path in ["/api/v1/accounts/self/partners".to_owned(), format!("/api/v1/accounts/{sub}/partners")] {
        t.get(&path).token(&branch_token).send().await.assert_error(401, "unauthorized");
    }
});
