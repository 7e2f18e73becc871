//! Quiz statistics (Canvas's shape: difficulty, discrimination, answer distribution, point-biserials, submission
//! statistics; latest attempts or all of them) and per-candidate results, over seeded attempts whose values are
//! worked out by hand below.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    backend_test,
    harness::TestApp,
    seed::{self, Pick},
};

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-6)
}

/// Ada (4 of 4), Bob (3), Cleo (1) and Dan (0) finished the latest attempts; Ada also has an earlier attempt
/// (0) and Eve an attempt in progress. Questions: Q1 and Q2 worth 1, Q3 worth 2. Sat through the delivery API.
struct Sat {
    course: i64,
    quiz: i64,
    questions: Vec<i64>,
    choices: Vec<Vec<String>>,
    people: Vec<(i64, String)>,
    ada_attempts: (i64, i64),
}

async fn sat(t: &TestApp) -> Sat {
    use Pick::{Blank, Right, Wrong};
    let course = seed::course(t, "Mechanics").await;
    let (quiz, _, questions) = seed::quiz(t, course, "Forces", &[1.0, 1.0, 2.0]).await;
    let mut choices = Vec::new();
    for q in &questions {
        choices.push(seed::choice_ids(t, *q).await);
    }
    let mut people = Vec::new();
    for name in ["Ada Lovelace", "Bob Babbage", "Cleo Curie", "Dan Dalton", "Eve Euler"] {
        people.push(seed::person(t, course, name, "StudentEnrollment").await);
    }
    let first = seed::sit(t, &people[0].1, course, quiz, &[Wrong, Wrong, Wrong], true).await;
    let second = seed::sit(t, &people[0].1, course, quiz, &[Right, Right, Right], true).await;
    seed::sit(t, &people[1].1, course, quiz, &[Right, Wrong, Right], true).await;
    seed::sit(t, &people[2].1, course, quiz, &[Right, Wrong, Wrong], true).await;
    seed::sit(t, &people[3].1, course, quiz, &[Wrong, Blank, Wrong], true).await;
    seed::sit(t, &people[4].1, course, quiz, &[Right, Blank, Blank], false).await;
    Sat { course, quiz, questions, choices, people, ada_attempts: (first, second) }
}

backend_test!(statistics_report_difficulty_discrimination_and_distribution, |t| {
    let s = sat(&t).await;
    let path = format!("/api/v1/courses/{}/quizzes/{}/statistics", s.course, s.quiz);
    let res = t.get(&path).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let stats = &res.body["quiz_statistics"][0];
    assert_eq!(stats["id"], s.quiz.to_string());
    assert_eq!(
        (stats["includes_all_versions"].clone(), stats["multiple_attempts_exist"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(stats["points_possible"], 4.0);
    let questions = stats["question_statistics"].as_array().unwrap();
    assert_eq!(questions.len(), 3);
    let ids: Vec<String> = s.questions.iter().map(i64::to_string).collect();
    assert_eq!(questions.iter().map(|q| q["id"].as_str().unwrap()).collect::<Vec<_>>(), ids);

    // Totals of the latest attempts: 4, 3, 1, 0.
    // Q1 right for the first three: p = 0.75; r = cov / (σx σy) = 2 / √(0.75 · 10) ≈ 0.7303.
    let q1 = &questions[0];
    assert_eq!(q1["question_type"], "multiple_choice_question");
    assert!(close(&q1["difficulty_index"], 0.75), "{q1}");
    assert!(close(&q1["discrimination_index"], 2.0 / 7.5f64.sqrt()), "{q1}");
    assert_eq!((q1["correct_student_count"].clone(), q1["incorrect_student_count"].clone()), (json!(3), json!(1)));
    assert!(close(&q1["correct_student_ratio"], 0.75));
    // Q2: only Ada right, Dan left it blank: p = 0.25, the same r.
    let q2 = &questions[1];
    assert!(close(&q2["difficulty_index"], 0.25), "{q2}");
    assert!(close(&q2["discrimination_index"], 2.0 / 7.5f64.sqrt()));
    assert_eq!((q2["participant_count"].clone(), q2["answered_student_count"].clone()), (json!(4), json!(3)));
    let distribution: Vec<(Value, Value, Value)> = q2["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["text"].clone(), a["responses"].clone(), a["correct"].clone()))
        .collect();
    assert_eq!(
        distribution,
        [
            (json!("Right"), json!(1), json!(true)),
            (json!("Wrong"), json!(2), json!(false)),
            (json!("No Answer"), json!(1), Value::Null)
        ]
    );
    assert_eq!(q2["answers"][0]["id"].to_string().trim_matches('"'), s.choices[1][0]);
    // Picking Q2's right answer: only Ada (4) vs 3, 1, 0 → r = (4 − 4/3)/√2.5 · √(1/4 · 3/4) ≈ 0.7303; the wrong
    // one (Bob 3, Cleo 1 vs Ada 4, Dan 0): both groups average 2 → r = 0.
    let biserials = q2["point_biserials"].as_array().unwrap();
    assert!(close(&biserials[0]["point_biserial"], (4.0 - 4.0 / 3.0) / 2.5f64.sqrt() * (0.1875f64).sqrt()));
    assert_eq!((biserials[0]["correct"].clone(), biserials[0]["distractor"].clone()), (json!(true), json!(false)));
    assert!(close(&biserials[1]["point_biserial"], 0.0));
    // Q3 (2 points) right for Ada and Bob: p = 0.5, r = 3 / √10.
    let q3 = &questions[2];
    assert!(close(&q3["difficulty_index"], 0.5));
    assert!(close(&q3["discrimination_index"], 3.0 / 10f64.sqrt()));
    assert_eq!(q3["points_possible"], 2.0);

    let totals = &stats["submission_statistics"];
    assert_eq!(totals["unique_count"], 4);
    assert!(
        close(&totals["score_average"], 2.0) && close(&totals["score_high"], 4.0) && close(&totals["score_low"], 0.0)
    );
    assert!(close(&totals["score_stdev"], 2.5f64.sqrt()));
    assert!(close(&totals["correct_count_average"], 1.5) && close(&totals["incorrect_count_average"], 1.5));
    assert_eq!(totals["scores"], json!({"0": 1, "25": 1, "75": 1, "100": 1}));
    assert!(totals["duration_average"].as_f64().is_some_and(|d| (0.0..600.0).contains(&d)), "{totals}");

    // Every attempt: Ada's first (0, all wrong) counts too.
    let all = t.get(&format!("{path}?all_versions=true")).send().await;
    let all = &all.body["quiz_statistics"][0];
    assert_eq!(
        (all["includes_all_versions"].clone(), all["submission_statistics"]["unique_count"].clone()),
        (json!(true), json!(5))
    );
    assert!(close(&all["question_statistics"][0]["difficulty_index"], 0.6));

    // The same under Assay's vocabulary.
    let twin = t.get(&format!("/api/v1/courses/{}/tests/{}/statistics", s.course, s.quiz)).send().await;
    assert_eq!(twin.body["quiz_statistics"][0]["submission_statistics"]["unique_count"], 4, "{}", twin.body);

    // Graders only.
    let (_, student) = &s.people[0];
    t.get(&path).token(student).send().await.assert_error(401, "unauthorized");
    let (_, ta) = seed::person(&t, s.course, "Tom Assistant", "TaEnrollment").await;
    assert_eq!(t.get(&path).token(&ta).send().await.status, StatusCode::OK);
    t.get(&format!("/api/v1/courses/{}/quizzes/999999/statistics", s.course))
        .send()
        .await
        .assert_error(404, "quiz_not_found");
});

backend_test!(results_list_every_candidate_with_attempts_and_kept_scores, |t| {
    let s = sat(&t).await;
    let path = format!("/api/v1/courses/{}/quizzes/{}/results", s.course, s.quiz);
    let res = t.get(&format!("{path}?per_page=100")).send().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let items = res.body.as_array().unwrap();
    let users: Vec<i64> = items.iter().map(|i| i["user"]["id"].as_i64().unwrap()).collect();
    assert_eq!(users, s.people.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    let ada = &items[0];
    assert_eq!(ada["user"]["name"], "Ada Lovelace");
    assert_eq!(ada["user"]["sis_user_id"], "SIS-Ada-Lovelace");
    assert_eq!((ada["kept_score"].clone(), ada["kept_attempt"].clone()), (json!(4.0), json!(2)));
    assert!(ada["result"]["posted_at"].is_string());
    let attempts: Vec<(Value, Value)> =
        ada["attempts"].as_array().unwrap().iter().map(|a| (a["id"].clone(), a["score"].clone())).collect();
    assert_eq!(attempts, [(json!(s.ada_attempts.0), json!(0.0)), (json!(s.ada_attempts.1), json!(4.0))]);
    let scores: Vec<Value> = ada["questions"].as_array().unwrap().iter().map(|q| q["score"].clone()).collect();
    assert_eq!(scores, [json!(1.0), json!(1.0), json!(2.0)]);
    // Dan kept 0, with the blank question unanswered and worth nothing.
    let dan = &items[3];
    assert_eq!((dan["kept_score"].clone(), dan["kept_attempt"].clone()), (json!(0.0), json!(1)));
    assert_eq!(dan["questions"][1]["score"], 0.0);
    assert_eq!(dan["questions"][1]["answered"], false);
    assert_eq!(dan["questions"][1]["question_id"], s.questions[1]);
    // Eve is still sitting it.
    let eve = &items[4];
    assert_eq!(eve["attempts"][0]["workflow_state"], "untaken");
    assert_eq!((eve["kept_attempt"].clone(), eve["questions"].clone()), (Value::Null, json!([])));

    // Paginated, with links.
    let first = t.get(&format!("{path}?per_page=2")).send().await;
    assert_eq!(first.body.as_array().unwrap().len(), 2);
    let next = first.link("next").unwrap();
    let second = t.get(next.trim_start_matches(&t.base)).send().await;
    assert_eq!(second.body[0]["user"]["id"], s.people[2].0);

    // Graders only.
    t.get(&path).token(&s.people[1].1).send().await.assert_error(401, "unauthorized");

    // A practice quiz keeps no result: its kept score follows its scoring policy (the highest here).
    let settings = json!({"title": "Warm-up", "quiz_type": "practice_quiz", "allowed_attempts": -1, "scoring_policy": "keep_highest"});
    let (practice, assignment, _) = seed::quiz_with(&t, s.course, settings, &[1.0]).await;
    assert_eq!(assignment, None);
    seed::sit(&t, &s.people[1].1, s.course, practice, &[Pick::Right], true).await;
    seed::sit(&t, &s.people[1].1, s.course, practice, &[Pick::Wrong], true).await;
    let res = t.get(&format!("/api/v1/courses/{}/quizzes/{practice}/results", s.course)).send().await;
    let bob = &res.body[0];
    assert_eq!((bob["kept_score"].clone(), bob["result"].clone()), (json!(1.0), Value::Null), "{bob}");
    assert_eq!(bob["attempts"].as_array().unwrap().len(), 2);
});
