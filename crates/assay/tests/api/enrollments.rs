//! Enrollments: creating them in courses and sections, Canvas's state machine, list filters, the people of a
//! course, bad input that changes nothing, and the permissions enrollments grant.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{backend_test, harness::TestApp};

async fn course(t: &TestApp, name: &str, publish: bool) -> i64 {
    let offer = if publish { "true" } else { "false" };
    let res = t.post("/api/v1/accounts/self/courses").form(&[("course[name]", name), ("offer", offer)]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn section(t: &TestApp, course: i64, name: &str) -> i64 {
    let res =
        t.post(&format!("/api/v1/courses/{course}/sections")).form(&[("course_section[name]", name)]).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn user(t: &TestApp, name: &str) -> i64 {
    let login = format!("{}@school.test", name.to_lowercase().replace(' ', "."));
    t.create_user(name, &login, None).await["id"].as_i64().unwrap()
}

/// Enrolls as the school's administrator; returns the enrollment.
async fn enroll(t: &TestApp, course: i64, user: i64, kind: &str, state: &str, extra: &[(&str, &str)]) -> Value {
    let user = user.to_string();
    let mut form = vec![
        ("enrollment[user_id]", user.as_str()),
        ("enrollment[type]", kind),
        ("enrollment[enrollment_state]", state),
    ];
    form.extend_from_slice(extra);
    let res = t.post(&format!("/api/v1/courses/{course}/enrollments")).form(&form).send().await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body
}

fn ids(body: &Value) -> Vec<i64> {
    body.as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

backend_test!(enrollments_are_created_in_courses_and_sections_and_listed_with_filters, |t| {
    let algebra = course(&t, "Algebra", true).await;
    let morning = section(&t, algebra, "Morning").await;
    let (ada, bob, cy) = (user(&t, "Ada Lovelace").await, user(&t, "Bob Boole").await, user(&t, "Cy Teacher").await);

    // No section named: the course's default section, made on first use and named after the course.
    let e_ada = enroll(&t, algebra, ada, "StudentEnrollment", "active", &[]).await;
    for (key, value) in [("type", "StudentEnrollment"), ("role", "StudentEnrollment"), ("enrollment_state", "active")] {
        assert_eq!(e_ada[key], value, "{key}");
    }
    assert_eq!(e_ada["course_id"], algebra);
    assert_eq!(e_ada["role_id"], 3);
    assert_eq!(e_ada["user"]["name"], "Ada Lovelace");
    assert_eq!(e_ada["grades"]["current_score"], Value::Null);
    assert_eq!(e_ada["html_url"], format!("{}/courses/{algebra}/users/{ada}", t.base));
    let default_section = e_ada["course_section_id"].as_i64().unwrap();
    let sections = t.get(&format!("/api/v1/courses/{algebra}/sections")).send().await;
    assert!(
        sections.body.as_array().unwrap().iter().any(|s| s["id"] == default_section && s["name"] == "Algebra"),
        "{}",
        sections.body
    );

    // In a named section, through the section route and through `course_section_id`; the default state is invited.
    let res = t
        .post(&format!("/api/v1/sections/{morning}/enrollments"))
        .form(&[("enrollment[user_id]", bob.to_string().as_str())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(
        (res.body["course_section_id"].as_i64(), res.body["enrollment_state"].as_str()),
        (Some(morning), Some("invited"))
    );
    assert_eq!(res.body["type"], "StudentEnrollment", "the type defaults to student");
    let e_bob = res.body;
    let e_cy = enroll(
        &t,
        algebra,
        cy,
        "TeacherEnrollment",
        "active",
        &[("enrollment[course_section_id]", morning.to_string().as_str())],
    )
    .await;
    assert_eq!(e_cy["course_section_id"], morning);

    // Asking again for the same enrollment returns it (200), and never demotes an active one.
    let again = t
        .post(&format!("/api/v1/courses/{algebra}/enrollments"))
        .form(&[("enrollment[user_id]", ada.to_string().as_str()), ("enrollment[type]", "StudentEnrollment")])
        .send()
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        (again.body["id"].clone(), again.body["enrollment_state"].as_str()),
        (e_ada["id"].clone(), Some("active"))
    );

    // Lists: by course, filtered by type, state and user; by section; by user.
    let all = t.get(&format!("/api/v1/courses/{algebra}/enrollments")).send().await;
    assert_eq!(
        ids(&all.body),
        vec![e_ada["id"].as_i64().unwrap(), e_bob["id"].as_i64().unwrap(), e_cy["id"].as_i64().unwrap()]
    );
    let teachers = t.get(&format!("/api/v1/courses/{algebra}/enrollments?type[]=TeacherEnrollment")).send().await;
    assert_eq!(ids(&teachers.body), vec![e_cy["id"].as_i64().unwrap()]);
    let by_role =
        t.get(&format!("/api/v1/courses/{algebra}/enrollments?role[]=StudentEnrollment&state[]=invited")).send().await;
    assert_eq!(ids(&by_role.body), vec![e_bob["id"].as_i64().unwrap()]);
    let of_ada = t.get(&format!("/api/v1/courses/{algebra}/enrollments?user_id={ada}")).send().await;
    assert_eq!(ids(&of_ada.body), vec![e_ada["id"].as_i64().unwrap()]);
    let in_morning = t.get(&format!("/api/v1/sections/{morning}/enrollments")).send().await;
    assert_eq!(ids(&in_morning.body), vec![e_bob["id"].as_i64().unwrap(), e_cy["id"].as_i64().unwrap()]);
    let ada_token = t.token_for(ada).await;
    let mine = t.get("/api/v1/users/self/enrollments").token(&ada_token).send().await;
    assert_eq!(ids(&mine.body), vec![e_ada["id"].as_i64().unwrap()]);
    let admin_view = t.get(&format!("/api/v1/users/{cy}/enrollments")).send().await;
    assert_eq!(ids(&admin_view.body), vec![e_cy["id"].as_i64().unwrap()]);
    let one = t.get(&format!("/api/v1/accounts/self/enrollments/{}", e_bob["id"])).send().await;
    assert_eq!(one.body["user_id"], bob);

    // Paging over a course's enrollments.
    let page = t.get(&format!("/api/v1/courses/{algebra}/enrollments?per_page=2")).send().await;
    assert_eq!(page.body.as_array().unwrap().len(), 2);
    let next = page.link("next").expect("a next link");
    let rest = t.get(next.strip_prefix(&t.base).unwrap()).send().await;
    assert_eq!(ids(&rest.body), vec![e_cy["id"].as_i64().unwrap()]);

    // SIS ids appear for those who may read them.
    assert!(e_ada.get("sis_user_id").is_some());
    assert!(mine.body[0].get("sis_user_id").is_none(), "a student does not see SIS ids");
});

backend_test!(enrollment_state_machine_follows_canvas, |t| {
    let course_id = course(&t, "Chemistry", true).await;
    let (ada, bob) = (user(&t, "Ada Lovelace").await, user(&t, "Bob Boole").await);
    let ada_token = t.token_for(ada).await;
    let bob_token = t.token_for(bob).await;
    let invited = enroll(&t, course_id, ada, "StudentEnrollment", "invited", &[]).await;
    let id = invited["id"].as_i64().unwrap();
    let base = format!("/api/v1/courses/{course_id}/enrollments/{id}");

    // Only the invited user answers the invitation; to anyone else it does not exist.
    t.post(&format!("{base}/accept")).token(&bob_token).send().await.assert_error(404, "enrollment_not_found");
    t.post(&format!("{base}/accept")).send().await.assert_error(404, "enrollment_not_found");
    let before = t.event_count().await;
    let res = t.post(&format!("{base}/accept")).token(&ada_token).send().await;
    assert_eq!((res.status, res.body["success"].as_bool()), (StatusCode::OK, Some(true)), "{}", res.body);
    assert_eq!(t.event_count().await, before + 1, "enrollment.accepted is recorded");
    t.post(&format!("{base}/accept")).token(&ada_token).send().await.assert_error(422, "validation_failed");

    // DELETE without a task concludes; deactivate, reactivate, delete.
    let res = t.delete(&base).send().await;
    assert_eq!(res.body["enrollment_state"], "completed", "{}", res.body);
    let res = t.put(&format!("{base}/reactivate")).send().await;
    assert_eq!(res.body["enrollment_state"], "active", "{}", res.body);
    let res = t.delete(&base).form(&[("task", "deactivate")]).send().await;
    assert_eq!(res.body["enrollment_state"], "inactive");
    t.delete(&base).form(&[("task", "inactivate")]).send().await.assert_error(422, "validation_failed");
    let res = t.put(&format!("{base}/reactivate")).send().await;
    assert_eq!(res.body["enrollment_state"], "active");
    t.put(&format!("{base}/reactivate")).send().await.assert_error(422, "validation_failed");
    t.delete(&base).form(&[("task", "obliterate")]).send().await.assert_error(422, "validation_failed");
    let res = t.delete(&base).form(&[("task", "delete")]).send().await;
    assert_eq!(res.body["enrollment_state"], "deleted");
    t.put(&format!("{base}/reactivate")).send().await.assert_error(422, "validation_failed");
    let listed = t.get(&format!("/api/v1/courses/{course_id}/enrollments")).send().await;
    assert_eq!(ids(&listed.body), Vec::<i64>::new(), "deleted enrollments leave the default list");
    let listed = t.get(&format!("/api/v1/courses/{course_id}/enrollments?state[]=deleted")).send().await;
    assert_eq!(ids(&listed.body), vec![id]);

    // Enrolling again revives the deleted enrollment (same row, no duplicate).
    let res = t
        .post(&format!("/api/v1/courses/{course_id}/enrollments"))
        .form(&[("enrollment[user_id]", ada.to_string().as_str()), ("enrollment[enrollment_state]", "active")])
        .send()
        .await;
    assert_eq!(
        (res.status, res.body["id"].as_i64(), res.body["enrollment_state"].as_str()),
        (StatusCode::OK, Some(id), Some("active"))
    );

    // Reject: invited → rejected, then nothing more but delete.
    let e = enroll(&t, course_id, bob, "ObserverEnrollment", "invited", &[]).await;
    let base = format!("/api/v1/courses/{course_id}/enrollments/{}", e["id"]);
    let res = t.post(&format!("{base}/reject")).token(&bob_token).send().await;
    assert_eq!(res.body["success"], true, "{}", res.body);
    let shown = t.get(&format!("/api/v1/accounts/self/enrollments/{}", e["id"])).send().await;
    assert_eq!(shown.body["enrollment_state"], "rejected");
    t.put(&format!("{base}/reactivate")).send().await.assert_error(422, "validation_failed");

    // An enrollment of another course is not found through this one.
    let other = course(&t, "Physics", true).await;
    t.delete(&format!("/api/v1/courses/{other}/enrollments/{id}"))
        .send()
        .await
        .assert_error(404, "enrollment_not_found");
});

backend_test!(bad_enrollments_are_refused_and_change_nothing, |t| {
    let course_id = course(&t, "History", true).await;
    let other_course = course(&t, "Geography", true).await;
    let foreign_section = section(&t, other_course, "Elsewhere").await;
    let ada = user(&t, "Ada Lovelace").await;
    let gone = user(&t, "Gone Person").await;
    let res = t.delete(&format!("/api/v1/accounts/self/users/{gone}")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let other_school = t.create_school("Other School").await;
    let ada_s = ada.to_string();
    let gone_s = gone.to_string();
    let foreign = foreign_section.to_string();
    let other_admin = other_school.admin_id.to_string();
    let before = t.event_count().await;
    for (form, field) in [
        (vec![("enrollment[user_id]", ada_s.as_str()), ("enrollment[type]", "WizardEnrollment")], "/enrollment/type"),
        (
            vec![("enrollment[user_id]", ada_s.as_str()), ("enrollment[enrollment_state]", "completed")],
            "/enrollment/enrollment_state",
        ),
        (vec![("enrollment[type]", "StudentEnrollment")], "/enrollment/user_id"),
        (vec![("enrollment[user_id]", gone_s.as_str())], "/enrollment/user_id"),
        (vec![("enrollment[user_id]", "999999")], "/enrollment/user_id"),
        (vec![("enrollment[user_id]", other_admin.as_str())], "/enrollment/user_id"),
        (
            vec![("enrollment[user_id]", ada_s.as_str()), ("enrollment[course_section_id]", foreign.as_str())],
            "/enrollment/course_section_id",
        ),
        (vec![("enrollment[user_id]", ada_s.as_str()), ("enrollment[role_id]", "99")], "/enrollment/role_id"),
        (
            vec![("enrollment[user_id]", ada_s.as_str()), ("enrollment[associated_user_id]", gone_s.as_str())],
            "/enrollment/associated_user_id",
        ),
        (
            vec![
                ("enrollment[user_id]", ada_s.as_str()),
                ("enrollment[type]", "ObserverEnrollment"),
                ("enrollment[associated_user_id]", gone_s.as_str()),
            ],
            "/enrollment/associated_user_id",
        ),
    ] {
        let res = t.post(&format!("/api/v1/courses/{course_id}/enrollments")).form(&form).send().await;
        res.assert_error(422, "validation_failed");
        assert!(res.body.to_string().contains(field), "{field}: {}", res.body);
    }
    // A concluded course takes no enrollments.
    t.put(&format!("/api/v1/courses/{course_id}")).form(&[("course[event]", "conclude")]).send().await;
    let res = t
        .post(&format!("/api/v1/courses/{course_id}/enrollments"))
        .form(&[("enrollment[user_id]", ada_s.as_str())])
        .send()
        .await;
    res.assert_error(422, "validation_failed");
    // Bad list filters are 400/422, not an empty list.
    t.get(&format!("/api/v1/courses/{other_course}/enrollments?type[]=Bogus"))
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get(&format!("/api/v1/courses/{other_course}/enrollments?state[]=bogus"))
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get(&format!("/api/v1/courses/{other_course}/users?enrollment_type[]=wizard"))
        .send()
        .await
        .assert_error(422, "validation_failed");
    // The only events since are the course's conclusion.
    assert_eq!(t.event_count().await, before + 1);
    let listed = t
        .get(&format!(
            "/api/v1/courses/{course_id}/enrollments?state[]=active&state[]=invited&state[]=inactive&state[]=deleted"
        ))
        .send()
        .await;
    assert_eq!(listed.body, serde_json::json!([]));
});

backend_test!(enrollments_drive_permissions, |t| {
    let algebra = course(&t, "Algebra", true).await;
    let biology = course(&t, "Biology", true).await;
    let drafts = course(&t, "Drafts", false).await;
    let north = section(&t, algebra, "North").await;
    let south = section(&t, algebra, "South").await;
    let (student, teacher, ta, stranger, fresh) = (
        user(&t, "Sam Student").await,
        user(&t, "Tess Teacher").await,
        user(&t, "Tom Assistant").await,
        user(&t, "Stan Stranger").await,
        user(&t, "Fred Fresh").await,
    );
    let (north_s, south_s) = (north.to_string(), south.to_string());
    enroll(&t, algebra, student, "StudentEnrollment", "active", &[("enrollment[course_section_id]", south_s.as_str())])
        .await;
    enroll(&t, drafts, student, "StudentEnrollment", "active", &[]).await;
    enroll(&t, algebra, teacher, "TeacherEnrollment", "active", &[]).await;
    enroll(
        &t,
        algebra,
        ta,
        "TaEnrollment",
        "active",
        &[
            ("enrollment[course_section_id]", north_s.as_str()),
            ("enrollment[limit_privileges_to_course_section]", "true"),
        ],
    )
    .await;
    enroll(&t, algebra, fresh, "StudentEnrollment", "active", &[("enrollment[course_section_id]", north_s.as_str())])
        .await;
    let [student_t, teacher_t, ta_t, stranger_t] =
        [t.token_for(student).await, t.token_for(teacher).await, t.token_for(ta).await, t.token_for(stranger).await];

    // A student sees their own published course and its people, and nothing else.
    assert_eq!(t.get(&format!("/api/v1/courses/{algebra}")).token(&student_t).send().await.status, StatusCode::OK);
    t.get(&format!("/api/v1/courses/{biology}")).token(&student_t).send().await.assert_error(401, "unauthorized");
    t.get(&format!("/api/v1/courses/{drafts}")).token(&student_t).send().await.assert_error(401, "unauthorized");
    t.get(&format!("/api/v1/courses/{algebra}")).token(&stranger_t).send().await.assert_error(401, "unauthorized");
    let roster = t.get(&format!("/api/v1/courses/{algebra}/users")).token(&student_t).send().await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    // A student cannot enroll anyone, nor change the course.
    t.post(&format!("/api/v1/courses/{algebra}/enrollments"))
        .token(&student_t)
        .form(&[("enrollment[user_id]", stranger.to_string().as_str())])
        .send()
        .await
        .assert_error(401, "unauthorized");
    t.put(&format!("/api/v1/courses/{algebra}"))
        .token(&student_t)
        .form(&[("course[name]", "Mine")])
        .send()
        .await
        .assert_error(401, "unauthorized");

    // A teacher manages their course's enrollments, not another course's.
    let res = t
        .post(&format!("/api/v1/courses/{algebra}/enrollments"))
        .token(&teacher_t)
        .form(&[("enrollment[user_id]", stranger.to_string().as_str()), ("enrollment[enrollment_state]", "active")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    t.post(&format!("/api/v1/courses/{biology}/enrollments"))
        .token(&teacher_t)
        .form(&[("enrollment[user_id]", stranger.to_string().as_str())])
        .send()
        .await
        .assert_error(401, "unauthorized");

    // A TA limited to the North section sees North's people only, and cannot look into South.
    let seen = t.get(&format!("/api/v1/courses/{algebra}/enrollments")).token(&ta_t).send().await;
    let users: Vec<i64> = seen.body.as_array().unwrap().iter().map(|e| e["user_id"].as_i64().unwrap()).collect();
    assert_eq!(users, vec![ta, fresh], "{}", seen.body);
    let people = t.get(&format!("/api/v1/courses/{algebra}/search_users")).token(&ta_t).send().await;
    let names: Vec<&str> = people.body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Tom Assistant", "Fred Fresh"], "by sortable name");
    t.get(&format!("/api/v1/sections/{south}/enrollments")).token(&ta_t).send().await.assert_error(401, "unauthorized");
    assert_eq!(
        t.get(&format!("/api/v1/sections/{north}/enrollments")).token(&ta_t).send().await.status,
        StatusCode::OK
    );

    // A concluded teacher still reads the course but changes nothing.
    let mine = t.get(&format!("/api/v1/courses/{algebra}/enrollments?user_id={teacher}")).send().await;
    t.delete(&format!("/api/v1/courses/{algebra}/enrollments/{}", mine.body[0]["id"])).send().await;
    assert_eq!(
        t.get(&format!("/api/v1/courses/{algebra}/enrollments")).token(&teacher_t).send().await.status,
        StatusCode::OK
    );
    t.post(&format!("/api/v1/courses/{algebra}/enrollments"))
        .token(&teacher_t)
        .form(&[("enrollment[user_id]", fresh.to_string().as_str())])
        .send()
        .await
        .assert_error(401, "unauthorized");

    // Another user's enrollments are the admin's business, not a student's.
    t.get(&format!("/api/v1/users/{teacher}/enrollments"))
        .token(&student_t)
        .send()
        .await
        .assert_error(401, "unauthorized");
});

backend_test!(course_users_are_searched_filtered_and_carry_enrollments, |t| {
    let course_id = course(&t, "Art", true).await;
    let (ada, bob, cy) = (user(&t, "Ada Lovelace").await, user(&t, "Bob Boole").await, user(&t, "Cy Teacher").await);
    enroll(&t, course_id, ada, "StudentEnrollment", "active", &[]).await;
    enroll(&t, course_id, bob, "StudentEnrollment", "invited", &[]).await;
    enroll(&t, course_id, cy, "TeacherEnrollment", "active", &[]).await;
    let names = |body: &Value| -> Vec<String> {
        body.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect()
    };
    let all = t.get(&format!("/api/v1/courses/{course_id}/users")).send().await;
    assert_eq!(names(&all.body), vec!["Bob Boole", "Ada Lovelace", "Cy Teacher"], "by sortable name");
    assert!(all.body[0].get("enrollments").is_none());
    let students = t.get(&format!("/api/v1/courses/{course_id}/search_users?enrollment_type[]=student")).send().await;
    assert_eq!(names(&students.body), vec!["Bob Boole", "Ada Lovelace"]);
    let active = t
        .get(&format!("/api/v1/courses/{course_id}/search_users?enrollment_type[]=student&enrollment_state[]=active"))
        .send()
        .await;
    assert_eq!(names(&active.body), vec!["Ada Lovelace"]);
    let found = t.get(&format!("/api/v1/courses/{course_id}/search_users?search_term=lovel")).send().await;
    assert_eq!(names(&found.body), vec!["Ada Lovelace"]);
    let picked = t.get(&format!("/api/v1/courses/{course_id}/users?user_ids[]={cy}&user_ids[]={bob}")).send().await;
    assert_eq!(names(&picked.body), vec!["Bob Boole", "Cy Teacher"]);
    let with = t
        .get(&format!("/api/v1/courses/{course_id}/users?include[]=enrollments&enrollment_type[]=teacher"))
        .send()
        .await;
    assert_eq!(with.body[0]["enrollments"][0]["type"], "TeacherEnrollment", "{}", with.body);
    assert_eq!(with.body[0]["enrollments"].as_array().unwrap().len(), 1);
    let one = t.get(&format!("/api/v1/courses/{course_id}/users/{bob}?include[]=enrollments")).send().await;
    assert_eq!(one.body["enrollments"][0]["enrollment_state"], "invited", "{}", one.body);
    let outsider = user(&t, "Out Sider").await;
    t.get(&format!("/api/v1/courses/{course_id}/users/{outsider}")).send().await.assert_error(404, "user_not_found");
    t.get(&format!("/api/v1/courses/{course_id}/users?user_ids[]=abc"))
        .send()
        .await
        .assert_error(422, "validation_failed");
});

backend_test!(leaving_a_course_leaves_its_groups, |t| {
    let course_id = course(&t, "Drama", true).await;
    let (ada, bob) = (user(&t, "Ada Lovelace").await, user(&t, "Bob Boole").await);
    let e_ada = enroll(&t, course_id, ada, "StudentEnrollment", "active", &[]).await;
    enroll(&t, course_id, bob, "StudentEnrollment", "active", &[]).await;
    let set = t.post(&format!("/api/v1/courses/{course_id}/group_categories")).form(&[("name", "Casts")]).send().await;
    let group =
        t.post(&format!("/api/v1/group_categories/{}/groups", set.body["id"])).form(&[("name", "Cast A")]).send().await;
    let members = format!("/api/v1/groups/{}/memberships", group.body["id"]);
    for person in [ada, bob] {
        let res = t.post(&members).form(&[("user_id", person.to_string())]).send().await;
        assert!(res.status.is_success(), "{}", res.body);
    }
    // Concluding keeps the person in the course's history, and in their group.
    t.delete(&format!("/api/v1/courses/{course_id}/enrollments/{}", e_ada["id"])).send().await;
    let listed = t.get(&members).send().await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.body);
    // Deleting the last enrollment takes them out of the course's groups.
    let res = t
        .delete(&format!("/api/v1/courses/{course_id}/enrollments/{}", e_ada["id"]))
        .form(&[("task", "delete")])
        .send()
        .await;
    assert_eq!(res.body["enrollment_state"], "deleted");
    let listed = t.get(&members).send().await;
    let left: Vec<i64> = listed.body.as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect();
    assert_eq!(left, vec![bob]);
});

backend_test!(enrollments_accept_sis_ids_everywhere, |t| {
    let res = t
        .post("/api/v1/accounts/self/courses")
        .form(&[("course[name]", "Latin"), ("course[sis_course_id]", "LAT-1"), ("offer", "true")])
        .send()
        .await;
    let course_id = res.body["id"].as_i64().unwrap();
    let res = t
        .post("/api/v1/courses/sis_course_id:LAT-1/sections")
        .form(&[("course_section[name]", "Rome"), ("course_section[sis_section_id]", "LAT-1-ROME")])
        .send()
        .await;
    let rome = res.body["id"].as_i64().unwrap();
    let ada = t.create_user("Ada Lovelace", "ada@school.test", Some("S-ADA")).await["id"].as_i64().unwrap();
    let res = t
        .post("/api/v1/courses/sis_course_id:LAT-1/enrollments")
        .form(&[
            ("enrollment[user_id]", "sis_user_id:S-ADA"),
            ("enrollment[course_section_id]", "sis_section_id:LAT-1-ROME"),
            ("enrollment[enrollment_state]", "active"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!((res.body["user_id"].as_i64(), res.body["course_section_id"].as_i64()), (Some(ada), Some(rome)));
    assert_eq!(
        (res.body["sis_course_id"].as_str(), res.body["sis_section_id"].as_str(), res.body["sis_user_id"].as_str()),
        (Some("LAT-1"), Some("LAT-1-ROME"), Some("S-ADA"))
    );
    let listed = t.get("/api/v1/sections/sis_section_id:LAT-1-ROME/enrollments").send().await;
    assert_eq!(ids(&listed.body), vec![res.body["id"].as_i64().unwrap()]);
    let listed = t.get("/api/v1/users/sis_user_id:S-ADA/enrollments").send().await;
    assert_eq!(listed.body[0]["course_id"], course_id);
    let listed = t.get("/api/v1/courses/sis_course_id:LAT-1/enrollments?user_id=sis_user_id:S-ADA").send().await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    // A SIS id nobody has matches nothing (a filter), and is refused where it names who to enroll.
    let listed = t.get("/api/v1/courses/sis_course_id:LAT-1/enrollments?user_id=sis_user_id:NOBODY").send().await;
    assert_eq!(listed.body, serde_json::json!([]));
    t.post("/api/v1/courses/sis_course_id:LAT-1/enrollments")
        .form(&[("enrollment[user_id]", "sis_user_id:NOBODY")])
        .send()
        .await
        .assert_error(422, "validation_failed");
    t.get("/api/v1/courses/sis_course_id:NOPE/enrollments").send().await.assert_error(404, "course_not_found");
});
