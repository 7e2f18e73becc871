//! Grading: `posted_grade` in every grading type, grading standards (course, account, assignment), excusing,
//! the late policy (deductions, the floor, missing scores, re-application), rubrics, posting and hiding results,
//! section-limited graders, and bad input refused with nothing changed.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::TestApp,
    submissions::{assignment, course, event_types, member, pointers, student},
};

fn sub_path(c: i64, a: i64, user: i64) -> String {
    format!("/api/v1/courses/{c}/assignments/{a}/submissions/{user}")
}

async fn grade(t: &TestApp, c: i64, a: i64, user: i64, form: &[(&str, &str)]) -> crate::harness::Res {
    t.put(&sub_path(c, a, user)).form(form).send().await
}

async fn submit_text(t: &TestApp, c: i64, a: i64, token: &str) {
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions"))
        .token(token)
        .form(&[("submission[submission_type]", "online_text_entry"), ("submission[body]", "My work")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}

fn score_grade(res: &crate::harness::Res) -> (Value, Value) {
    (res.body["score"].clone(), res.body["grade"].clone())
}

backend_test!(posted_grades_work_in_every_grading_type, |t| {
    let c = course(&t, "Grades").await;
    let (s, _) = student(&t, c, "Sam Student").await;
    let points = assignment(&t, c, json!({"grading_type": "points"})).await;
    let percent = assignment(&t, c, json!({"grading_type": "percent"})).await;
    let letter = assignment(&t, c, json!({"grading_type": "letter_grade", "points_possible": 100})).await;
    let pass_fail = assignment(&t, c, json!({"grading_type": "pass_fail", "points_possible": 5})).await;
    let zero_pass_fail = assignment(&t, c, json!({"grading_type": "pass_fail", "points_possible": 0})).await;
    let ungraded = assignment(&t, c, json!({"grading_type": "not_graded"})).await;
    for (a, posted, score, text) in [
        (points, "8.5", json!(8.5), json!("8.5")),
        (points, "85%", json!(8.5), json!("8.5")),
        (percent, "70%", json!(7.0), json!("70%")),
        (percent, "7", json!(7.0), json!("70%")),
        (letter, "B+", json!(87.0), json!("B+")),
        (letter, "95", json!(95.0), json!("A")),
        (letter, "b-", json!(80.0), json!("B-")),
        (pass_fail, "complete", json!(5.0), json!("complete")),
        (pass_fail, "incomplete", json!(0.0), json!("incomplete")),
        (pass_fail, "pass", json!(5.0), json!("complete")),
        (zero_pass_fail, "complete", json!(0.0), json!("complete")),
    ] {
        let res = grade(&t, c, a, s, &[("submission[posted_grade]", posted)]).await;
        assert_eq!(res.status, StatusCode::OK, "{posted}: {}", res.body);
        assert_eq!(score_grade(&res), (score.clone(), text.clone()), "{posted}");
        assert_eq!((&res.body["entered_score"], &res.body["entered_grade"]), (&score, &text), "{posted}");
        assert_eq!(res.body["workflow_state"], "graded");
        assert!(res.body["graded_at"].is_string() && res.body["grader_id"].is_i64());
    }
    // Bad grades are refused with the field named, and the grade stays as it was.
    for (a, posted) in [(points, "B"), (letter, "Z+"), (points, "NaN"), (ungraded, "5"), (percent, "lots%")] {
        let before = t.get(&sub_path(c, a, s)).send().await.body;
        let res = grade(&t, c, a, s, &[("submission[posted_grade]", posted)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{posted}: {}", res.body);
        assert_eq!(pointers(&res), ["/submission/posted_grade"], "{posted}");
        assert_eq!(t.get(&sub_path(c, a, s)).send().await.body, before, "{posted} changed nothing");
    }
    // JSON bodies work as well as forms; an empty grade clears it.
    let res = t.put(&sub_path(c, points, s)).json(&json!({"submission": {"posted_grade": ""}})).send().await;
    assert_eq!(score_grade(&res), (Value::Null, Value::Null));
    assert_eq!(res.body["workflow_state"], "unsubmitted");
    // The same grade again ("8.5" then "85%") is not a new grading: 9 gradings above, then the clearing.
    assert_eq!(event_types(&t, "submission.graded").await.len(), 10);
    let res = t.get(&format!("{}?include[]=submission_history", sub_path(c, points, s))).send().await;
    let history: Vec<Value> =
        res.body["submission_history"].as_array().unwrap().iter().map(|v| v["score"].clone()).collect();
    assert_eq!(history, vec![json!(8.5), Value::Null], "each grading is a version");
});

backend_test!(grading_standards_choose_the_scheme_of_letter_and_gpa_grades, |t| {
    let c = course(&t, "Schemes").await;
    let (s, _) = student(&t, c, "Sam Student").await;
    let base = format!("/api/v1/courses/{c}/grading_standards");
    let res = t.post(&base).form(&[("title", "Merit")]).send().await;
    assert_eq!(pointers(&res), ["/grading_scheme_entry"]);
    let res = t
        .post(&base)
        .form(&[
            ("title", "Bad"),
            ("grading_scheme_entry[][name]", "Pass"),
            ("grading_scheme_entry[][value]", "50"),
            ("grading_scheme_entry[][name]", "Fail"),
            ("grading_scheme_entry[][value]", "150"),
        ])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/grading_scheme_entry/1/value"], "{}", res.body);
    let res = t
        .post(&base)
        .form(&[
            ("title", "Merit scale"),
            ("grading_scheme_entry[][name]", "Fail"),
            ("grading_scheme_entry[][value]", "0"),
            ("grading_scheme_entry[][name]", "Merit"),
            ("grading_scheme_entry[][value]", "75"),
            ("grading_scheme_entry[][name]", "Pass"),
            ("grading_scheme_entry[][value]", "50"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let merit = res.body["id"].as_i64().unwrap();
    assert_eq!(
        res.body["grading_scheme"],
        json!([{"name": "Merit", "value": 0.75}, {"name": "Pass", "value": 0.5}, {"name": "Fail", "value": 0.0}])
    );
    assert_eq!((&res.body["context_type"], &res.body["context_id"]), (&json!("Course"), &json!(c)));
    // An account standard, usable by every course of the school.
    let res = t
        .post("/api/v1/accounts/self/grading_standards")
        .json(&json!({"title": "GPA", "grading_scheme_entry": [
            {"name": "4.0", "value": 90}, {"name": "3.0", "value": 80}, {"name": "2.0", "value": 70}, {"name": "0.0", "value": 0}]}))
        .send()
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let gpa = res.body["id"].as_i64().unwrap();
    let listed: Vec<i64> =
        t.get(&base).send().await.body.as_array().unwrap().iter().map(|g| g["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![merit, gpa]);
    // The course's standard names letter grades of assignments without their own.
    let res =
        t.put(&format!("/api/v1/courses/{c}")).form(&[("course[grading_standard_id]", merit.to_string())]).send().await;
    assert_eq!((res.status, &res.body["grading_standard_id"]), (StatusCode::OK, &json!(merit)), "{}", res.body);
    let settings = t.get(&format!("/api/v1/courses/{c}/settings")).send().await.body;
    assert_eq!(
        (&settings["grading_standard_id"], &settings["grading_standard_enabled"]),
        (&json!(merit), &json!(true))
    );
    let letter = assignment(&t, c, json!({"grading_type": "letter_grade", "points_possible": 20})).await;
    let res = grade(&t, c, letter, s, &[("submission[posted_grade]", "Merit")]).await;
    assert_eq!(score_grade(&res), (json!(15.0), json!("Merit")), "{}", res.body);
    let res = grade(&t, c, letter, s, &[("submission[posted_grade]", "11")]).await;
    assert_eq!(score_grade(&res), (json!(11.0), json!("Pass")));
    // An assignment's own standard wins; GPA names that look like numbers are steps of the scheme.
    let gpa_assignment =
        assignment(&t, c, json!({"grading_type": "gpa_scale", "points_possible": 50, "grading_standard_id": gpa}))
            .await;
    let res = grade(&t, c, gpa_assignment, s, &[("submission[posted_grade]", "3.0")]).await;
    assert_eq!(score_grade(&res), (json!(40.0), json!("3.0")), "{}", res.body);
    // Another school's (or no) standard cannot be chosen.
    let other_course = course(&t, "Elsewhere").await;
    let res = t
        .post(&format!("/api/v1/courses/{other_course}/grading_standards"))
        .form(&[("title", "Other"), ("grading_scheme_entry[][name]", "X"), ("grading_scheme_entry[][value]", "0")])
        .send()
        .await;
    let foreign = res.body["id"].as_i64().unwrap();
    let res = t
        .put(&format!("/api/v1/courses/{c}"))
        .form(&[("course[grading_standard_id]", foreign.to_string())])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/course/grading_standard_id"]);
    let res = t.get(&format!("{base}/{foreign}")).send().await;
    res.assert_error(404, "grading_standard_not_found");
    // Renaming and deleting; deleted standards fall back to Canvas's default scheme.
    let res = t.put(&format!("{base}/{merit}")).form(&[("title", "Merit scale (2026)")]).send().await;
    assert_eq!(res.body["title"], "Merit scale (2026)");
    let res = t.put(&format!("/api/v1/accounts/self/grading_standards/{merit}")).form(&[("title", "x")]).send().await;
    res.assert_error(404, "grading_standard_not_found");
    let res = t.delete(&format!("{base}/{merit}")).send().await;
    assert_eq!(res.status, StatusCode::OK);
    let res = grade(&t, c, letter, s, &[("submission[posted_grade]", "19")]).await;
    assert_eq!(score_grade(&res), (json!(19.0), json!("A")));
    assert_eq!(
        event_types(&t, "grading_standard.").await,
        [
            "grading_standard.created",
            "grading_standard.created",
            "grading_standard.created",
            "grading_standard.updated",
            "grading_standard.deleted"
        ]
    );
    // A student reads the course's standards but does not change them.
    let (_, token) = student(&t, c, "Ann Other").await;
    assert_eq!(t.get(&base).token(&token).send().await.status, StatusCode::OK);
    let res = t
        .post(&base)
        .token(&token)
        .form(&[("title", "Mine"), ("grading_scheme_entry[][name]", "A"), ("grading_scheme_entry[][value]", "0")])
        .send()
        .await;
    res.assert_error(401, "unauthorized");
});

backend_test!(excusing_and_clearing_grades, |t| {
    let c = course(&t, "Excuses").await;
    let (s, token) = student(&t, c, "Sam Student").await;
    let a = assignment(&t, c, json!({"submission_types": ["online_text_entry"]})).await;
    submit_text(&t, c, a, &token).await;
    let res = grade(&t, c, a, s, &[("submission[posted_grade]", "6"), ("submission[excuse]", "true")]).await;
    assert_eq!(pointers(&res), ["/submission/excuse"]);
    let res = grade(&t, c, a, s, &[("submission[excuse]", "true")]).await;
    assert_eq!(
        (&res.body["excused"], &res.body["score"], &res.body["workflow_state"], &res.body["missing"]),
        (&json!(true), &Value::Null, &json!("graded"), &json!(false))
    );
    let res = grade(&t, c, a, s, &[("submission[posted_grade]", "6")]).await;
    assert_eq!((&res.body["excused"], &res.body["score"]), (&json!(false), &json!(6.0)), "a grade un-excuses");
    let res = grade(&t, c, a, s, &[("submission[posted_grade]", "")]).await;
    assert_eq!((&res.body["score"], &res.body["workflow_state"]), (&Value::Null, &json!("submitted")));
    // A resubmission after grading keeps the grade, which no longer matches the work.
    grade(&t, c, a, s, &[("submission[posted_grade]", "7")]).await;
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions"))
        .token(&token)
        .form(&[("submission[submission_type]", "online_text_entry"), ("submission[body]", "Better work")])
        .send()
        .await;
    assert_eq!(
        (
            &res.body["workflow_state"],
            &res.body["score"],
            &res.body["grade_matches_current_submission"],
            &res.body["attempt"]
        ),
        (&json!("submitted"), &json!(7.0), &json!(false), &json!(2))
    );
});

backend_test!(the_late_policy_deducts_late_grades_and_scores_missing_work, |t| {
    let c = course(&t, "Late").await;
    let (late_student, late_token) = student(&t, c, "Late Larry").await;
    let (absent, absent_token) = student(&t, c, "Absent Abby").await;
    let due = (chrono::Utc::now() - chrono::TimeDelta::hours(60)).to_rfc3339();
    let a =
        assignment(&t, c, json!({"submission_types": ["online_text_entry"], "points_possible": 100, "due_at": due}))
            .await;
    let future = (chrono::Utc::now() + chrono::TimeDelta::days(3)).to_rfc3339();
    let not_due =
        assignment(&t, c, json!({"name": "Later", "submission_types": ["online_text_entry"], "due_at": future})).await;
    submit_text(&t, c, a, &late_token).await;
    let policy_path = format!("/api/v1/courses/{c}/late_policy");
    let res = t.get(&policy_path).send().await;
    assert_eq!(
        (&res.body["late_policy"]["id"], &res.body["late_policy"]["missing_submission_deduction"]),
        (&Value::Null, &json!(100.0))
    );
    for (form, pointer) in [
        (vec![("late_policy[late_submission_deduction]", "120")], "/late_policy/late_submission_deduction"),
        (vec![("late_policy[late_submission_interval]", "week")], "/late_policy/late_submission_interval"),
        (vec![("late_policy[missing_submission_deduction]", "-1")], "/late_policy/missing_submission_deduction"),
    ] {
        let res = t.post(&policy_path).form(&form).send().await;
        assert_eq!(pointers(&res), [pointer], "{}", res.body);
    }
    // Graded before the policy: no deduction yet.
    let res = grade(&t, c, a, late_student, &[("submission[posted_grade]", "90")]).await;
    assert_eq!(
        (&res.body["score"], &res.body["points_deducted"], &res.body["late"]),
        (&json!(90.0), &Value::Null, &json!(true))
    );
    let res = t
        .post(&policy_path)
        .form(&[
            ("late_policy[late_submission_deduction_enabled]", "true"),
            ("late_policy[late_submission_deduction]", "10"),
            ("late_policy[late_submission_interval]", "day"),
            ("late_policy[late_submission_minimum_percent_enabled]", "true"),
            ("late_policy[late_submission_minimum_percent]", "50"),
            ("late_policy[missing_submission_deduction_enabled]", "true"),
            ("late_policy[missing_submission_deduction]", "80"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["late_policy"]["late_submission_interval"], "day");
    let res = t.post(&policy_path).form(&[("late_policy[late_submission_deduction]", "5")]).send().await;
    res.assert_error(409, "conflict");
    // The new policy applies to the grade already given: three started days late, 10% each.
    let res = t.get(&sub_path(c, a, late_student)).send().await;
    assert_eq!(
        (&res.body["entered_score"], &res.body["points_deducted"], &res.body["score"], &res.body["grade"]),
        (&json!(90.0), &json!(30.0), &json!(60.0), &json!("60"))
    );
    // The floor: a late score never drops below 50%; one already below it loses nothing.
    let res = grade(&t, c, a, late_student, &[("submission[posted_grade]", "55")]).await;
    assert_eq!((&res.body["score"], &res.body["points_deducted"]), (&json!(50.0), &json!(5.0)));
    let res = grade(&t, c, a, late_student, &[("submission[posted_grade]", "40")]).await;
    assert_eq!((&res.body["score"], &res.body["points_deducted"]), (&json!(40.0), &Value::Null));
    // Missing work gets the missing score when read; work not yet due does not.
    let res = t.get(&sub_path(c, a, absent)).send().await;
    assert_eq!(
        (
            &res.body["missing"],
            &res.body["score"],
            &res.body["grade"],
            &res.body["workflow_state"],
            &res.body["grader_id"]
        ),
        (&json!(true), &json!(20.0), &json!("20"), &json!("graded"), &Value::Null)
    );
    let res = t.get(&sub_path(c, not_due, absent)).send().await;
    assert_eq!((&res.body["missing"], &res.body["score"]), (&json!(false), &Value::Null));
    // A grader's decisions: extended (no deduction), late with an override of the time late.
    let res = grade(
        &t,
        c,
        a,
        late_student,
        &[("submission[posted_grade]", "90"), ("submission[late_policy_status]", "extended")],
    )
    .await;
    assert_eq!((&res.body["score"], &res.body["late"]), (&json!(90.0), &json!(false)));
    let res = grade(&t, c, a, late_student, &[("submission[seconds_late_override]", "3600")]).await;
    assert_eq!(pointers(&res), ["/submission/seconds_late_override"], "only with late");
    let res = grade(
        &t,
        c,
        a,
        late_student,
        &[("submission[late_policy_status]", "late"), ("submission[seconds_late_override]", "3600")],
    )
    .await;
    assert_eq!(
        (&res.body["score"], &res.body["seconds_late"], &res.body["points_deducted"]),
        (&json!(80.0), &json!(3600), &json!(10.0))
    );
    // Changing the policy re-applies it (204, as Canvas).
    let res = t
        .req(reqwest::Method::PATCH, &policy_path)
        .form(&[("late_policy[late_submission_deduction]", "5"), ("late_policy[missing_submission_deduction]", "100")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.body);
    assert_eq!(t.get(&sub_path(c, a, late_student)).send().await.body["score"], json!(85.0));
    assert_eq!(t.get(&sub_path(c, a, absent)).send().await.body["score"], json!(0.0));
    // Handing the work in late replaces the missing score: it waits for a grader.
    submit_text(&t, c, a, &absent_token).await;
    let res = t.get(&sub_path(c, a, absent)).send().await;
    assert_eq!(
        (&res.body["missing"], &res.body["late"], &res.body["score"], &res.body["workflow_state"]),
        (&json!(false), &json!(true), &Value::Null, &json!("submitted"))
    );
    let res = t
        .req(reqwest::Method::PATCH, &policy_path)
        .form(&[("late_policy[late_submission_interval]", "fortnight")])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/late_policy/late_submission_interval"]);
    // Work handed in elsewhere (a quiz attempt writes its score straight into the submission) keeps its score:
    // the missing score's mark means nothing once something is handed in.
    let (quizzed, _) = student(&t, c, "Quiz Quentin").await;
    assert_eq!(t.get(&sub_path(c, a, quizzed)).send().await.body["score"], json!(0.0));
    {
        use assay_store::entity::submission;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        submission::Entity::update_many()
            .col_expr(submission::Column::SubmittedAt, Expr::val(Some(chrono::Utc::now())))
            .col_expr(submission::Column::Score, Expr::val(Some(77.0)))
            .col_expr(submission::Column::WorkflowState, Expr::val("graded"))
            .filter(submission::Column::AssignmentId.eq(a))
            .filter(submission::Column::UserId.eq(quizzed))
            .exec(t.store().read())
            .await
            .unwrap();
    }
    let res = t.get(&sub_path(c, a, quizzed)).send().await;
    assert_eq!((&res.body["score"], &res.body["missing"]), (&json!(77.0), &json!(false)), "{}", res.body);
    assert_eq!(event_types(&t, "late_policy.").await, ["late_policy.created", "late_policy.updated"]);
});

backend_test!(rubrics_assess_submissions_and_grade_when_used_for_grading, |t| {
    let c = course(&t, "Rubrics").await;
    let (s, token) = student(&t, c, "Sam Student").await;
    let a = assignment(&t, c, json!({"points_possible": 10})).await;
    let base = format!("/api/v1/courses/{c}/rubrics");
    let res = t.post(&base).form(&[("rubric[title]", "Essay rubric")]).send().await;
    assert_eq!(pointers(&res), ["/rubric/criteria"]);
    let res = t
        .post(&base)
        .form(&[
            ("rubric[title]", "Essay rubric"),
            ("rubric[criteria][0][description]", " "),
            ("rubric[criteria][0][points]", "5"),
        ])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/rubric/criteria/0/description"]);
    let res = grade(&t, c, a, s, &[("rubric_assessment[x][points]", "1")]).await;
    assert_eq!(pointers(&res), ["/rubric_assessment"], "no rubric yet");
    let res = t
        .post(&base)
        .form(&[
            ("rubric[title]", "Essay rubric"),
            ("rubric[criteria][0][description]", "Argument"),
            ("rubric[criteria][0][points]", "6"),
            ("rubric[criteria][0][ratings][0][description]", "Strong"),
            ("rubric[criteria][0][ratings][0][points]", "6"),
            ("rubric[criteria][0][ratings][1][description]", "Weak"),
            ("rubric[criteria][0][ratings][1][points]", "2"),
            ("rubric[criteria][1][description]", "Style"),
            ("rubric[criteria][1][points]", "4"),
            ("rubric_association[association_type]", "Assignment"),
            ("rubric_association[association_id]", &a.to_string()),
            ("rubric_association[use_for_grading]", "true"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let rubric = res.body["rubric"]["id"].as_i64().unwrap();
    assert_eq!(res.body["rubric"]["points_possible"], 10.0);
    assert_eq!(
        (&res.body["rubric_association"]["association_id"], &res.body["rubric_association"]["use_for_grading"]),
        (&json!(a), &json!(true))
    );
    let data = res.body["rubric"]["data"].clone();
    let argument = data[0]["id"].as_str().unwrap().to_owned();
    let style = data[1]["id"].as_str().unwrap().to_owned();
    let weak = data[0]["ratings"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(data[1]["ratings"].as_array().unwrap().len(), 2, "Full Marks / No Marks");
    // An assessment with a bad criterion changes nothing.
    let res = grade(
        &t,
        c,
        a,
        s,
        &[("rubric_assessment[nope][points]", "1"), (&format!("rubric_assessment[{style}][points]"), "3")],
    )
    .await;
    assert_eq!(pointers(&res), ["/rubric_assessment/nope"], "{}", res.body);
    let res = grade(&t, c, a, s, &[(&format!("rubric_assessment[{argument}][rating_id]"), "zzz")]).await;
    assert_eq!(pointers(&res), [format!("/rubric_assessment/{argument}/rating_id")]);
    assert_eq!(t.get(&sub_path(c, a, s)).send().await.body["score"], Value::Null);
    let res = grade(
        &t,
        c,
        a,
        s,
        &[
            (&format!("rubric_assessment[{argument}][rating_id]"), weak.as_str()),
            (&format!("rubric_assessment[{style}][points]"), "3.5"),
            (&format!("rubric_assessment[{style}][comments]"), "Clear"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(score_grade(&res), (json!(5.5), json!("5.5")));
    let res = t.get(&format!("{}?include[]=rubric_assessment", sub_path(c, a, s))).send().await;
    assert_eq!(res.body["rubric_assessment"][&argument], json!({"points": 2.0, "rating_id": weak, "comments": null}));
    assert_eq!(res.body["rubric_assessment"][&style]["comments"], "Clear");
    // A posted grade wins over the rubric; a rubric not used for grading leaves the score alone.
    let res =
        grade(&t, c, a, s, &[("submission[posted_grade]", "9"), (&format!("rubric_assessment[{style}][points]"), "1")])
            .await;
    assert_eq!(res.body["score"], 9.0);
    let res = t
        .put(&format!("{base}/{rubric}"))
        .form(&[
            ("rubric[title]", "Essay rubric v2"),
            ("rubric_association[association_id]", &a.to_string()),
            ("rubric_association[use_for_grading]", "false"),
        ])
        .send()
        .await;
    assert_eq!(
        (&res.body["rubric"]["title"], &res.body["rubric_association"]["use_for_grading"]),
        (&json!("Essay rubric v2"), &json!(false))
    );
    let res = grade(&t, c, a, s, &[(&format!("rubric_assessment[{argument}][points]"), "6")]).await;
    assert_eq!(res.body["score"], 9.0);
    let res = t.get(&format!("{base}/{rubric}?include[]=associations")).send().await;
    assert_eq!(res.body["associations"][0]["association_id"], a);
    // Students do not manage rubrics; deleting answers the rubric and leaves the list.
    let res = t.get(&base).token(&token).send().await;
    res.assert_error(401, "unauthorized");
    let res = t.delete(&format!("{base}/{rubric}")).send().await;
    assert_eq!((res.status, &res.body["workflow_state"]), (StatusCode::OK, &json!("deleted")));
    assert_eq!(t.get(&base).send().await.body, json!([]));
    let res = grade(&t, c, a, s, &[(&format!("rubric_assessment[{argument}][points]"), "6")]).await;
    assert_eq!(pointers(&res), ["/rubric_assessment"]);
    assert_eq!(
        event_types(&t, "rubric").await,
        [
            "rubric.created",
            "rubric_association.created",
            "rubric.updated",
            "rubric_association.updated",
            "rubric.deleted"
        ]
    );
});

backend_test!(manual_posting_keeps_grades_from_students_until_posted, |t| {
    let c = course(&t, "Posting").await;
    let (s, token) = student(&t, c, "Sam Student").await;
    let (other, other_token) = student(&t, c, "Ann Other").await;
    let a = assignment(&t, c, json!({"submission_types": ["online_text_entry"], "post_manually": true})).await;
    submit_text(&t, c, a, &token).await;
    let res = grade(&t, c, a, s, &[("submission[posted_grade]", "8"), ("comment[text_comment]", "Good work")]).await;
    assert_eq!((&res.body["score"], &res.body["posted_at"]), (&json!(8.0), &Value::Null));
    assert_eq!(res.body["submission_comments"][0]["comment"], "Good work");
    let mine = format!("{}?include[]=submission_comments&include[]=submission_history", sub_path(c, a, s));
    let res = t.get(&mine).token(&token).send().await;
    assert_eq!(
        (&res.body["score"], &res.body["grade"], &res.body["workflow_state"], &res.body["submission_comments"]),
        (&Value::Null, &Value::Null, &json!("submitted"), &json!([]))
    );
    assert!(res.body["submission_history"].as_array().unwrap().iter().all(|v| v["score"].is_null()));
    // The student may comment on their own submission, and sees their own comments.
    let res = t.put(&sub_path(c, a, s)).token(&token).form(&[("comment[text_comment]", "Thanks!")]).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["submission_comments"].as_array().unwrap().len(), 1);
    let res = t.post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions/post")).token(&token).send().await;
    res.assert_error(401, "unauthorized");
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions/post"))
        .form(&[("section_ids[]", "999999")])
        .send()
        .await;
    assert_eq!(pointers(&res), ["/section_ids"]);
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions/post"))
        .form(&[("user_ids[]", s.to_string())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["user_ids"], json!([s]));
    let res = t.get(&mine).token(&token).send().await;
    assert_eq!((&res.body["score"], &res.body["workflow_state"]), (&json!(8.0), &json!("graded")));
    assert_eq!(res.body["submission_comments"].as_array().unwrap().len(), 2);
    // Ann's result was not posted: a grade given now stays hidden from her.
    grade(&t, c, a, other, &[("submission[posted_grade]", "4")]).await;
    assert_eq!(t.get(&sub_path(c, a, other)).token(&other_token).send().await.body["score"], Value::Null);
    let res = t.post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions/hide")).send().await;
    assert_eq!(res.body["user_ids"], json!([s]));
    assert_eq!(t.get(&mine).token(&token).send().await.body["score"], Value::Null);
    let res = t
        .post(&format!("/api/v1/courses/{c}/assignments/{a}/submissions/post"))
        .form(&[("graded_only", "true")])
        .send()
        .await;
    assert_eq!(res.body["user_ids"].as_array().unwrap().len(), 2);
    assert_eq!(t.get(&sub_path(c, a, other)).token(&other_token).send().await.body["score"], json!(4.0));
    // Automatic posting: the grade is posted as it is given.
    let auto = assignment(&t, c, json!({"submission_types": ["online_text_entry"]})).await;
    let res = grade(&t, c, auto, s, &[("submission[posted_grade]", "3")]).await;
    assert!(res.body["posted_at"].is_string());
    assert_eq!(t.get(&sub_path(c, auto, s)).token(&token).send().await.body["score"], json!(3.0));
    assert_eq!(
        event_types(&t, "result.").await,
        ["result.posted", "result.hidden", "result.posted", "result.posted", "result.posted"]
    );
});

backend_test!(section_limited_graders_grade_their_section_only, |t| {
    let c = course(&t, "Sections").await;
    let section = |name: &'static str| {
        let t = &t;
        async move {
            let res =
                t.post(&format!("/api/v1/courses/{c}/sections")).form(&[("course_section[name]", name)]).send().await;
            res.body["id"].as_i64().unwrap()
        }
    };
    let (north, south) = (section("North").await, section("South").await);
    let (n_student, _) = member(&t, c, "StudentEnrollment", "Nora North", Some(north)).await;
    let (s_student, _) = member(&t, c, "StudentEnrollment", "Sid South", Some(south)).await;
    let ta = t.create_user("Tess TA", "tess@school.test", None).await["id"].as_i64().unwrap();
    let res = t
        .post(&format!("/api/v1/courses/{c}/enrollments"))
        .form(&[
            ("enrollment[user_id]", ta.to_string()),
            ("enrollment[type]", "TaEnrollment".to_owned()),
            ("enrollment[enrollment_state]", "active".to_owned()),
            ("enrollment[course_section_id]", north.to_string()),
            ("enrollment[limit_privileges_to_course_section]", "true".to_owned()),
        ])
        .send()
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    let ta_token = t.token_for(ta).await;
    let a = assignment(&t, c, json!({})).await;
    let res =
        t.put(&sub_path(c, a, n_student)).token(&ta_token).form(&[("submission[posted_grade]", "7")]).send().await;
    assert_eq!(res.body["score"], 7.0, "{}", res.body);
    let res =
        t.put(&sub_path(c, a, s_student)).token(&ta_token).form(&[("submission[posted_grade]", "7")]).send().await;
    res.assert_error(401, "unauthorized");
    let res = t.get(&format!("/api/v1/courses/{c}/assignments/{a}/submissions")).token(&ta_token).send().await;
    let users: Vec<i64> = res.body.as_array().unwrap().iter().map(|s| s["user_id"].as_i64().unwrap()).collect();
    assert_eq!(users, vec![n_student]);
    let res = t.get(&sub_path(c, a, s_student)).token(&ta_token).send().await;
    res.assert_error(401, "unauthorized");
});

/// Waits for a Progress to end; returns it.
async fn finished(t: &TestApp, progress: &Value) -> Value {
    let url = format!("/api/v1/progress/{}", progress["id"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let res = t.get(&url).send().await;
        if matches!(res.body["workflow_state"].as_str(), Some("completed" | "failed")) {
            return res.body;
        }
        assert!(std::time::Instant::now() < deadline, "the job did not end: {}", res.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

backend_test!(update_grades_grades_many_students_as_one_job, |t| {
    let c = course(&t, "Bulk").await;
    let (s1, _) = student(&t, c, "First Student").await;
    let (s2, _) = student(&t, c, "Second Student").await;
    let (s3, s3_token) = student(&t, c, "Third Student").await;
    let a = assignment(&t, c, json!({"grading_type": "letter_grade", "points_possible": 10})).await;
    let res = t
        .post(&format!("/api/v1/courses/{c}/rubrics"))
        .json(&json!({"rubric": {"title": "R", "criteria": [{"description": "Content", "points": 10}]},
                      "rubric_association": {"association_id": a, "use_for_grading": true}}))
        .send()
        .await;
    let criterion = res.body["rubric"]["data"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/courses/{c}/assignments/{a}/submissions/update_grades");
    let outsider = t.create_user("Out Sider", "out@school.test", None).await["id"].as_i64().unwrap();
    // Every entry is checked first: one problem anywhere queues nothing.
    let res = t
        .post(&path)
        .form(&[
            (format!("grade_data[{s1}][posted_grade]"), "B"),
            (format!("grade_data[{s2}][posted_grade]"), "Q+"),
            (format!("grade_data[{outsider}][posted_grade]"), "A"),
            (format!("grade_data[{s3}][rubric_assessment][nope][points]"), "3"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let mut found = pointers(&res);
    found.sort();
    let mut expected = vec![
        format!("/grade_data/{s2}/posted_grade"),
        format!("/grade_data/{outsider}"),
        format!("/grade_data/{s3}/rubric_assessment/nope"),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let res = t.post(&path).form(&[("grade_data[x][posted_grade]", "B")]).send().await;
    assert_eq!(pointers(&res), ["/grade_data/x"]);
    assert!(event_types(&t, "submission.graded").await.is_empty());
    let res = t.post(&path).token(&s3_token).form(&[(format!("grade_data[{s3}][posted_grade]"), "A")]).send().await;
    res.assert_error(401, "unauthorized");
    let grades = [
        (format!("grade_data[{s1}][posted_grade]"), "B".to_owned()),
        (format!("grade_data[{s1}][text_comment]"), "Well argued".to_owned()),
        (format!("grade_data[{s2}][excuse]"), "true".to_owned()),
        (format!("grade_data[{s3}][rubric_assessment][{criterion}][points]"), "9.4".to_owned()),
    ];
    let res = t.post(&path).form(&grades).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!((&res.body["tag"], &res.body["context_type"]), (&json!("submissions_update"), &json!("Course")));
    let done = finished(&t, &res.body).await;
    assert_eq!((&done["workflow_state"], &done["results"]["graded"]), (&json!("completed"), &json!(3)), "{done}");
    let sub = |user: i64| {
        let t = &t;
        async move { t.get(&format!("{}?include[]=submission_comments", sub_path(c, a, user))).send().await.body }
    };
    let first = sub(s1).await;
    assert_eq!((&first["grade"], &first["score"]), (&json!("B"), &json!(8.4)));
    assert_eq!(first["submission_comments"][0]["comment"], "Well argued");
    assert_eq!(sub(s2).await["excused"], true);
    assert_eq!((sub(s3).await["score"].clone(), sub(s3).await["grade"].clone()), (json!(9.4), json!("A")));
    // The same request again changes nothing: no new grades, no repeated comment.
    let res = t.post(&path).form(&grades).send().await;
    let done = finished(&t, &res.body).await;
    assert_eq!((&done["workflow_state"], &done["results"]["graded"]), (&json!("completed"), &json!(0)), "{done}");
    assert_eq!(sub(s1).await["submission_comments"].as_array().unwrap().len(), 1);
    assert_eq!(event_types(&t, "submission.graded").await.len(), 3);
});

backend_test!(the_worker_gives_missing_work_its_score_without_anyone_reading, |t| {
    let c = course(&t, "Unread").await;
    let (s, _) = student(&t, c, "Sam Student").await;
    let res = t
        .post(&format!("/api/v1/courses/{c}/late_policy"))
        .form(&[
            ("late_policy[missing_submission_deduction_enabled]", "true"),
            ("late_policy[missing_submission_deduction]", "50"),
        ])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Due before anyone looks: the policy was made before the assignment, and nobody lists its submissions.
    let due = (chrono::Utc::now() - chrono::TimeDelta::hours(1)).to_rfc3339();
    let a = assignment(&t, c, json!({"submission_types": ["online_text_entry"], "due_at": due})).await;
    let scope = assay_store::Scope::school(t.school.id);
    assert!(assay_store::submissions::find(t.store().read(), &scope, a, s).await.unwrap().is_none());
    assay_jobs::missing_work::sweep(t.store()).await;
    let row = assay_store::submissions::find(t.store().read(), &scope, a, s).await.unwrap().unwrap();
    assert_eq!((row.score, row.workflow_state.as_str(), row.missing_policy_applied), (Some(5.0), "graded", true));
    assert!(row.posted_at.is_some(), "posted automatically");
    // Sweeping again changes nothing.
    let graded = event_types(&t, "submission.graded").await.len();
    assay_jobs::missing_work::sweep(t.store()).await;
    assert_eq!(event_types(&t, "submission.graded").await.len(), graded);
});
