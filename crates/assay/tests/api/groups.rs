//! Course groups: group sets and groups (CRUD, validation, SIS ids, events), memberships (enrollment, one group
//! per set, limits, leaders), and what students may do on their own.
//!
//! Members must be enrolled in the course, so every test that adds a member enrolls people first through
//! `POST /api/v1/courses/:id/enrollments` (the `enroll` helper).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{backend_test, harness::TestApp};

async fn course(t: &TestApp, name: &str) -> i64 {
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", "true")]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// Enrolls `user` in `course` as `kind` (`StudentEnrollment`, …), active; returns the enrollment.
async fn enroll(t: &TestApp, course: i64, user: i64, kind: &str) -> Value {
    enroll_with(t, course, &[("enrollment[user_id]", user.to_string()), ("enrollment[type]", kind.to_owned())]).await
}

async fn enroll_with(t: &TestApp, course: i64, fields: &[(&str, String)]) -> Value {
    let mut form: Vec<(&str, String)> = fields.to_vec();
    form.push(("enrollment[enrollment_state]", "active".to_owned()));
    let res = t.post(&format!("/api/v1/courses/{course}/enrollments")).form(&form).send().await;
    assert!(res.status == StatusCode::CREATED || res.status == StatusCode::OK, "enroll: {} {}", res.status, res.body);
    assert!(res.body["id"].is_i64(), "{}", res.body);
    res.body
}

async fn user(t: &TestApp, name: &str, login: &str) -> i64 {
    t.create_user(name, login, None).await["id"].as_i64().unwrap()
}

async fn category(t: &TestApp, course: i64, form: &[(&str, &str)]) -> Value {
    let res = t.post(&format!("/api/v1/courses/{course}/group_categories")).form(form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

async fn group(t: &TestApp, category: i64, form: &[(&str, &str)]) -> Value {
    let res = t.post(&format!("/api/v1/group_categories/{category}/groups")).form(form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

/// The school's `group*` events, as (type, subject id).
async fn group_events(t: &TestApp) -> Vec<(String, i64)> {
    let res = t.get("/api/v1/events?per_page=100").send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("group"))
        .map(|e| (e["type"].as_str().unwrap().to_owned(), e["subject_id"].as_i64().unwrap()))
        .collect()
}

fn ids(res: &crate::harness::Res) -> Vec<i64> {
    res.body.as_array().unwrap_or_else(|| panic!("{}", res.body)).iter().map(|v| v["id"].as_i64().unwrap()).collect()
}

fn ev(kind: &str, id: i64) -> (String, i64) {
    (kind.to_owned(), id)
}

backend_test!(group_sets_and_groups_are_managed_like_canvas, |t| {
    let c = course(&t, "Biology").await;
    // Group sets.
    let res = t
        .post(&format!("/api/v1/courses/{c}/group_categories"))
        .form(&[
            ("name", "Lab teams"),
            ("self_signup", "enabled"),
            ("group_limit", "3"),
            ("auto_leader", "first"),
            ("sis_group_category_id", "GC-1"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let cat = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/group_categories/{cat}", t.base).as_str()));
    for (key, value) in [
        ("name", json!("Lab teams")),
        ("self_signup", json!("enabled")),
        ("group_limit", json!(3)),
        ("auto_leader", json!("first")),
        ("context_type", json!("Course")),
        ("course_id", json!(c)),
        ("role", json!(null)),
        ("groups_count", json!(0)),
        ("sis_group_category_id", json!("GC-1")),
    ] {
        assert_eq!(res.body[key], value, "{key}: {}", res.body);
    }
    let other_cat = category(&t, c, &[("name", "Projects")]).await["id"].as_i64().unwrap();
    assert_eq!(ids(&t.get(&format!("/api/v1/courses/{c}/group_categories")).send().await), vec![cat, other_cat]);
    assert_eq!(t.get("/api/v1/group_categories/sis_group_category_id:GC-1").send().await.body["id"], cat);
    let res = t
        .put(&format!("/api/v1/group_categories/{cat}"))
        .json(&json!({"name": "Lab groups", "self_signup": null, "group_limit": null}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (&res.body["name"], &res.body["self_signup"], &res.body["group_limit"]),
        (&json!("Lab groups"), &json!(null), &json!(null))
    );
    // Bad input: no partial writes.
    let res = t
        .post(&format!("/api/v1/courses/{c}/group_categories"))
        .form(&[("self_signup", "sometimes"), ("group_limit", "-2"), ("auto_leader", "oldest")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    let pointers: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["source"]["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/name", "/self_signup", "/auto_leader", "/group_limit"]);
    t.put(&format!("/api/v1/group_categories/{cat}"))
        .form(&[("group_limit", "0")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.post(&format!("/api/v1/courses/{c}/group_categories"))
        .form(&[("name", "Dup"), ("sis_group_category_id", "GC-1")])
        .send()
        .await
        .assert_error(409, "conflict");
    t.get("/api/v1/group_categories/999999").send().await.assert_error(404, "group_category_not_found");

    // Groups.
    let res = t
        .post(&format!("/api/v1/group_categories/{cat}/groups"))
        .form(&[("name", "Team 1"), ("description", "Bench A"), ("sis_group_id", "G-1"), ("max_membership", "4")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let g1 = res.body["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("{}/api/v1/groups/{g1}", t.base).as_str()));
    for (key, value) in [
        ("name", json!("Team 1")),
        ("description", json!("Bench A")),
        ("is_public", json!(false)),
        ("followed_by_user", json!(false)),
        ("join_level", json!("invitation_only")),
        ("members_count", json!(0)),
        ("max_membership", json!(4)),
        ("avatar_url", json!(null)),
        ("context_type", json!("Course")),
        ("course_id", json!(c)),
        ("role", json!(null)),
        ("group_category_id", json!(cat)),
        ("sis_group_id", json!("G-1")),
        ("leader", json!(null)),
    ] {
        assert_eq!(res.body[key], value, "{key}: {}", res.body);
    }
    let g2 =
        group(&t, cat, &[("name", "Team 2"), ("join_level", "parent_context_auto_join")]).await["id"].as_i64().unwrap();
    let g3 = group(&t, other_cat, &[("name", "Project X")]).await["id"].as_i64().unwrap();
    assert_eq!(ids(&t.get(&format!("/api/v1/group_categories/{cat}/groups")).send().await), vec![g1, g2]);
    assert_eq!(ids(&t.get(&format!("/api/v1/courses/{c}/groups")).send().await), vec![g1, g2, g3]);
    assert_eq!(t.get(&format!("/api/v1/group_categories/{cat}")).send().await.body["groups_count"], 2);
    assert_eq!(t.get("/api/v1/groups/sis_group_id:G-1").send().await.body["id"], g1);
    let res = t
        .put(&format!("/api/v1/groups/{g1}"))
        .form(&[("name", "Team One"), ("join_level", "parent_context_request"), ("max_membership", "")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        (&res.body["name"], &res.body["join_level"], &res.body["max_membership"]),
        (&json!("Team One"), &json!("parent_context_request"), &json!(null))
    );
    let res = t
        .post(&format!("/api/v1/group_categories/{cat}/groups"))
        .form(&[("name", "Bad"), ("join_level", "whenever"), ("max_membership", "-1")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 2, "{}", res.body);
    t.put(&format!("/api/v1/groups/{g2}")).form(&[("sis_group_id", "G-1")]).send().await.assert_error(409, "conflict");
    t.get("/api/v1/groups/999999").send().await.assert_error(404, "group_not_found");

    // Another school sees none of it.
    let other = t.create_school("School B").await;
    for path in [
        format!("/api/v1/groups/{g1}"),
        format!("/api/v1/group_categories/{cat}"),
        format!("/api/v1/group_categories/{cat}/groups"),
        format!("/api/v1/groups/{g1}/memberships"),
    ] {
        let res = t.get(&path).token(&other.admin_token).send().await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
    }

    // Deleting a group; deleting a set deletes its groups.
    let res = t.delete(&format!("/api/v1/groups/{g2}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    t.get(&format!("/api/v1/groups/{g2}")).send().await.assert_error(404, "group_not_found");
    let res = t.delete(&format!("/api/v1/group_categories/{cat}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    t.get(&format!("/api/v1/group_categories/{cat}")).send().await.assert_error(404, "group_category_not_found");
    t.get(&format!("/api/v1/groups/{g1}")).send().await.assert_error(404, "group_not_found");
    assert_eq!(ids(&t.get(&format!("/api/v1/courses/{c}/groups")).send().await), vec![g3]);
    // The SIS ids of deleted objects are free again.
    category(&t, c, &[("name", "Again"), ("sis_group_category_id", "GC-1")]).await;

    // A deleted course's groups are gone.
    let res = t.delete(&format!("/api/v1/courses/{c}")).form(&[("event", "delete")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    t.get(&format!("/api/v1/groups/{g3}")).send().await.assert_error(404, "group_not_found");
    t.get(&format!("/api/v1/group_categories/{other_cat}")).send().await.assert_error(404, "group_category_not_found");
    t.get(&format!("/api/v1/courses/{c}/groups")).send().await.assert_error(404, "course_not_found");

    let events = group_events(&t).await;
    for expected in [
        ev("group_category.created", cat),
        ev("group_category.updated", cat),
        ev("group_category.deleted", cat),
        ev("group.created", g1),
        ev("group.updated", g1),
        ev("group.deleted", g1),
        ev("group.deleted", g2),
    ] {
        assert!(events.contains(&expected), "{expected:?} missing from {events:?}");
    }
    // The refused requests recorded nothing.
    assert_eq!(events.iter().filter(|(k, _)| k == "group_category.created").count(), 3, "{events:?}");
    assert_eq!(events.iter().filter(|(k, _)| k == "group.created").count(), 3, "{events:?}");
});

backend_test!(memberships_need_an_enrollment_one_group_per_set_and_room, |t| {
    let c = course(&t, "Chemistry").await;
    let ann = user(&t, "Ann Able", "ann@a.test").await;
    let bob = user(&t, "Bob Baker", "bob@a.test").await;
    let cid = user(&t, "Cid Cole", "cid@a.test").await;
    let outsider = user(&t, "Out Sider", "out@a.test").await;
    for u in [ann, bob, cid] {
        enroll(&t, c, u, "StudentEnrollment").await;
    }
    let cat = category(&t, c, &[("name", "Teams"), ("group_limit", "2"), ("auto_leader", "first")]).await["id"]
        .as_i64()
        .unwrap();
    let g1 = group(&t, cat, &[("name", "Red")]).await["id"].as_i64().unwrap();
    let g2 = group(&t, cat, &[("name", "Blue"), ("max_membership", "1")]).await["id"].as_i64().unwrap();
    let join = |g: i64, u: String| {
        let t = &t;
        async move { t.post(&format!("/api/v1/groups/{g}/memberships")).form(&[("user_id", u)]).send().await }
    };

    let res = join(g1, ann.to_string()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ann_in_g1 = res.body["id"].as_i64().unwrap();
    for (key, value) in [
        ("group_id", json!(g1)),
        ("user_id", json!(ann)),
        ("workflow_state", json!("accepted")),
        ("moderator", json!(false)),
        ("just_created", json!(true)),
        ("sis_import_id", json!(null)),
    ] {
        assert_eq!(res.body[key], value, "{key}: {}", res.body);
    }
    // Joining again hands back the same membership.
    let res = join(g1, ann.to_string()).await;
    assert_eq!((res.body["id"].as_i64(), &res.body["just_created"]), (Some(ann_in_g1), &json!(false)));
    // The first member leads (auto_leader=first).
    let res = t.get(&format!("/api/v1/groups/{g1}")).send().await;
    assert_eq!(res.body["leader"]["id"], ann, "{}", res.body);
    assert_eq!(res.body["members_count"], 1);
    // One group per set.
    let res = join(g2, ann.to_string()).await;
    res.assert_error(409, "conflict");
    assert!(res.body["errors"][0]["message"].as_str().unwrap().contains("one group per set"), "{}", res.body);
    // Not enrolled: 422; unknown user: 404.
    let res = join(g1, outsider.to_string()).await;
    res.assert_error(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["source"]["pointer"], "/user_id");
    join(g1, "999999".into()).await.assert_error(404, "user_not_found");
    t.post(&format!("/api/v1/groups/{g1}/memberships")).send().await.assert_error(422, "validation_failed");
    // The set's group_limit (2) fills Red; Blue's own max_membership (1) wins over it.
    assert_eq!(join(g1, bob.to_string()).await.status, StatusCode::OK);
    let res = join(g1, cid.to_string()).await;
    res.assert_error(409, "conflict");
    assert!(res.body["errors"][0]["message"].as_str().unwrap().contains("full"), "{}", res.body);
    assert_eq!(join(g2, cid.to_string()).await.status, StatusCode::OK);
    let res = t.put(&format!("/api/v1/groups/{g2}")).form(&[("max_membership", "2")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // Listing.
    let res = t.get(&format!("/api/v1/groups/{g1}/memberships")).send().await;
    assert_eq!(
        res.body.as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![ann, bob]
    );
    let res = t.get(&format!("/api/v1/groups/{g1}/users")).send().await;
    assert_eq!(ids(&res), vec![ann, bob]);
    assert_eq!(res.body[0]["name"], "Ann Able");
    t.get(&format!("/api/v1/groups/{g1}/memberships?filter_states[]=gone"))
        .send()
        .await
        .assert_error(422, "validation_failed");
    assert_eq!(
        t.get(&format!("/api/v1/groups/{g1}/memberships?filter_states[]=requested")).send().await.body,
        json!([])
    );
    let res = t.get(&format!("/api/v1/groups/{g1}/memberships/{ann_in_g1}")).send().await;
    assert_eq!(res.body["user_id"], ann);
    t.get(&format!("/api/v1/groups/{g2}/memberships/{ann_in_g1}"))
        .send()
        .await
        .assert_error(404, "group_membership_not_found");

    // Moderators; only `accepted` may be set as a state.
    let res =
        t.put(&format!("/api/v1/groups/{g1}/memberships/{ann_in_g1}")).form(&[("moderator", "true")]).send().await;
    assert_eq!((res.status, &res.body["moderator"]), (StatusCode::OK, &json!(true)), "{}", res.body);
    t.put(&format!("/api/v1/groups/{g1}/memberships/{ann_in_g1}"))
        .form(&[("workflow_state", "invited")])
        .send()
        .await
        .assert_error(422, "validation_failed");

    // The leader leaves: the next member (first come) leads. Leaving frees a place in the set.
    let res = t.delete(&format!("/api/v1/groups/{g1}/users/{ann}")).send().await;
    assert_eq!((res.status, &res.body), (StatusCode::OK, &json!({"ok": true})));
    assert_eq!(t.get(&format!("/api/v1/groups/{g1}")).send().await.body["leader"]["id"], bob);
    t.get(&format!("/api/v1/groups/{g1}/memberships/{ann_in_g1}"))
        .send()
        .await
        .assert_error(404, "group_membership_not_found");
    assert_eq!(join(g2, ann.to_string()).await.status, StatusCode::OK);
    // Joining a group left earlier revives the same membership.
    t.delete(&format!("/api/v1/groups/{g2}/users/{ann}")).send().await;
    let res = join(g1, ann.to_string()).await;
    assert_eq!((res.body["id"].as_i64(), &res.body["just_created"]), (Some(ann_in_g1), &json!(true)), "{}", res.body);
    let res = t.delete(&format!("/api/v1/groups/{g1}/memberships/{ann_in_g1}")).send().await;
    assert_eq!(res.body, json!({"ok": true}));

    // Deleting the group ends its memberships.
    let bob_in_g1 = t.get(&format!("/api/v1/groups/{g1}/memberships")).send().await.body[0]["id"].as_i64().unwrap();
    t.delete(&format!("/api/v1/groups/{g1}")).send().await;
    let events = group_events(&t).await;
    for expected in [
        ev("group_membership.created", ann_in_g1),
        ev("group_membership.updated", ann_in_g1),
        ev("group_membership.deleted", ann_in_g1),
        ev("group_membership.deleted", bob_in_g1),
        ev("group.updated", g1),
    ] {
        assert!(events.contains(&expected), "{expected:?} missing from {events:?}");
    }
    // Bob, no longer in a group of the set, may join Blue.
    assert_eq!(join(g2, bob.to_string()).await.status, StatusCode::OK);
});

backend_test!(students_sign_themselves_up_only_where_the_set_allows_it, |t| {
    let c = course(&t, "Drama").await;
    let teacher = user(&t, "Tess Teacher", "tess@a.test").await;
    let sam = user(&t, "Sam Student", "sam@a.test").await;
    let kim = user(&t, "Kim Student", "kim@a.test").await;
    enroll(&t, c, teacher, "TeacherEnrollment").await;
    enroll(&t, c, sam, "StudentEnrollment").await;
    enroll(&t, c, kim, "StudentEnrollment").await;
    let (teacher_token, sam_token) = (t.token_for(teacher).await, t.token_for(sam).await);

    // Teachers manage groups.
    let res = t
        .post(&format!("/api/v1/courses/{c}/group_categories"))
        .token(&teacher_token)
        .form(&[("name", "Assigned")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let assigned = res.body["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/group_categories/{assigned}/groups"))
        .token(&teacher_token)
        .form(&[("name", "Cast")])
        .send()
        .await;
    let cast = res.body["id"].as_i64().unwrap();
    let open = category(&t, c, &[("name", "Open"), ("self_signup", "enabled")]).await["id"].as_i64().unwrap();
    let crew =
        group(&t, open, &[("name", "Crew"), ("join_level", "parent_context_auto_join")]).await["id"].as_i64().unwrap();
    let asking =
        group(&t, open, &[("name", "Lights"), ("join_level", "parent_context_request")]).await["id"].as_i64().unwrap();

    // Students see the course's groups but cannot change them.
    let res = t.get(&format!("/api/v1/courses/{c}/groups")).token(&sam_token).send().await;
    assert_eq!(ids(&res), vec![cast, crew, asking]);
    assert!(res.body[0].get("sis_group_id").is_none(), "students do not see SIS ids: {}", res.body);
    assert_eq!(
        t.get(&format!("/api/v1/group_categories/{open}")).token(&sam_token).send().await.status,
        StatusCode::OK
    );
    for res in [
        t.post(&format!("/api/v1/courses/{c}/group_categories"))
            .token(&sam_token)
            .form(&[("name", "Mine")])
            .send()
            .await,
        t.put(&format!("/api/v1/groups/{crew}")).token(&sam_token).form(&[("name", "Ours")]).send().await,
        t.delete(&format!("/api/v1/groups/{crew}")).token(&sam_token).send().await,
        t.delete(&format!("/api/v1/group_categories/{open}")).token(&sam_token).send().await,
        // Not a self sign-up set.
        t.post(&format!("/api/v1/groups/{cast}/memberships"))
            .token(&sam_token)
            .form(&[("user_id", "self")])
            .send()
            .await,
        // Someone else.
        t.post(&format!("/api/v1/groups/{crew}/memberships"))
            .token(&sam_token)
            .form(&[("user_id", kim.to_string())])
            .send()
            .await,
    ] {
        res.assert_error(401, "unauthorized");
    }

    // In a self sign-up set, students join and leave on their own.
    let res = t
        .post(&format!("/api/v1/groups/{crew}/memberships"))
        .token(&sam_token)
        .form(&[("user_id", "self")])
        .send()
        .await;
    assert_eq!((res.status, &res.body["workflow_state"]), (StatusCode::OK, &json!("accepted")), "{}", res.body);
    let mine = res.body["id"].as_i64().unwrap();
    let res = t.get(&format!("/api/v1/groups/{crew}/memberships/self")).token(&sam_token).send().await;
    assert_eq!(res.body["id"], mine);
    // Promoting oneself is managing.
    t.put(&format!("/api/v1/groups/{crew}/memberships/self"))
        .token(&sam_token)
        .form(&[("moderator", "true")])
        .send()
        .await
        .assert_error(401, "unauthorized");
    let res = t.delete(&format!("/api/v1/groups/{crew}/users/self")).token(&sam_token).send().await;
    assert_eq!((res.status, &res.body), (StatusCode::OK, &json!({"ok": true})), "{}", res.body);
    // A group that asks for requests takes a request.
    let res = t
        .post(&format!("/api/v1/groups/{asking}/memberships"))
        .token(&sam_token)
        .form(&[("user_id", sam.to_string())])
        .send()
        .await;
    assert_eq!(res.body["workflow_state"], "requested", "{}", res.body);
    let request = res.body["id"].as_i64().unwrap();
    assert_eq!(t.get(&format!("/api/v1/groups/{asking}")).send().await.body["members_count"], 0);
    let res = t
        .put(&format!("/api/v1/groups/{asking}/memberships/{request}"))
        .token(&teacher_token)
        .form(&[("workflow_state", "accepted")])
        .send()
        .await;
    assert_eq!(res.body["workflow_state"], "accepted", "{}", res.body);
    // A teacher placed Kim in Cast; Kim may not leave it alone (no self sign-up there).
    let res = t
        .post(&format!("/api/v1/groups/{cast}/memberships"))
        .token(&teacher_token)
        .form(&[("user_id", kim.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let kim_token = t.token_for(kim).await;
    t.delete(&format!("/api/v1/groups/{cast}/users/self"))
        .token(&kim_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
    // Nor remove Sam from Lights.
    t.delete(&format!("/api/v1/groups/{asking}/users/{sam}"))
        .token(&kim_token)
        .send()
        .await
        .assert_error(401, "unauthorized");
});

backend_test!(restricted_sign_up_keeps_a_group_within_one_section, |t| {
    let c = course(&t, "Music").await;
    let sec = |name: &'static str| {
        let t = &t;
        async move {
            t.post(&format!("/api/v1/courses/{c}/sections")).form(&[("course_section[name]", name)]).send().await.body
                ["id"]
                .as_i64()
                .unwrap()
        }
    };
    let (morning, evening) = (sec("Morning").await, sec("Evening").await);
    let amy = user(&t, "Amy", "amy@a.test").await;
    let ben = user(&t, "Ben", "ben@a.test").await;
    let cat_ = user(&t, "Cat", "cat@a.test").await;
    for (u, s) in [(amy, morning), (ben, evening), (cat_, morning)] {
        enroll_with(
            &t,
            c,
            &[
                ("enrollment[user_id]", u.to_string()),
                ("enrollment[type]", "StudentEnrollment".to_owned()),
                ("enrollment[course_section_id]", s.to_string()),
            ],
        )
        .await;
    }
    let set = category(&t, c, &[("name", "Bands"), ("self_signup", "restricted")]).await["id"].as_i64().unwrap();
    let band = group(&t, set, &[("name", "Quartet"), ("join_level", "parent_context_auto_join")]).await["id"]
        .as_i64()
        .unwrap();
    let amy_token = t.token_for(amy).await;
    let res = t
        .post(&format!("/api/v1/groups/{band}/memberships"))
        .token(&amy_token)
        .form(&[("user_id", "self")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ben_token = t.token_for(ben).await;
    let res = t
        .post(&format!("/api/v1/groups/{band}/memberships"))
        .token(&ben_token)
        .form(&[("user_id", "self")])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["errors"][0]["detail"].as_str().unwrap().contains("section"), "{}", res.body);
    let cat_token = t.token_for(cat_).await;
    let res = t
        .post(&format!("/api/v1/groups/{band}/memberships"))
        .token(&cat_token)
        .form(&[("user_id", "self")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
});

backend_test!(concurrent_joins_respect_the_limit_and_one_group_per_set, |t| {
    let c = course(&t, "Physics").await;
    let mut people = Vec::new();
    for i in 0..24 {
        let u = user(&t, &format!("P{i}"), &format!("p{i}@a.test")).await;
        enroll(&t, c, u, "StudentEnrollment").await;
        people.push(u);
    }
    let set = category(&t, c, &[("name", "Pairs"), ("group_limit", "2")]).await["id"].as_i64().unwrap();
    let g1 = group(&t, set, &[("name", "One")]).await["id"].as_i64().unwrap();
    let g2 = group(&t, set, &[("name", "Two")]).await["id"].as_i64().unwrap();
    // Twenty-four people race for the two places of One.
    let joins = people
        .iter()
        .map(|u| t.post(&format!("/api/v1/groups/{g1}/memberships")).form(&[("user_id", u.to_string())]).send());
    let results = futures::future::join_all(joins).await;
    let codes: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(codes.iter().filter(|&&c| c == 200).count(), 2, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == 409).count(), 22, "{codes:?}");
    assert_eq!(t.get(&format!("/api/v1/groups/{g1}")).send().await.body["members_count"], 2);
    // One person races into both groups of the set: one join wins.
    let loser = people.iter().copied().find(|u| !results.iter().any(|r| r.body["user_id"] == *u)).unwrap();
    let both = [g1, g2]
        .map(|g| t.post(&format!("/api/v1/groups/{g}/memberships")).form(&[("user_id", loser.to_string())]).send());
    let results = futures::future::join_all(both).await;
    let ok = results.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!(ok, 1, "{:?}", results.iter().map(|r| &r.body).collect::<Vec<_>>());
});
