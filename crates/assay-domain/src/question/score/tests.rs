use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::question::formula::draw as draw_values;
use crate::question::model::{Blank, QuestionType};
use crate::question::samples::{self, body, strings};
use crate::question::validate::validate;

fn none() -> Draw {
    Draw::new()
}

fn s(body: &QuestionBody, response: Response) -> Score {
    score(body, Some(&response), &none())
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn correct(points: f64) -> Score {
    Score { points, outcome: Outcome::Correct }
}
fn partial(points: f64) -> Score {
    Score { points, outcome: Outcome::Partial }
}
fn incorrect() -> Score {
    Score { points: 0.0, outcome: Outcome::Incorrect }
}
fn unanswered() -> Score {
    Score { points: 0.0, outcome: Outcome::Unanswered }
}

#[test]
fn samples_are_valid_and_their_correct_responses_score_full() {
    for q in samples::all() {
        assert_eq!(validate(&q), Ok(()), "{:?}", q.answer.question_type());
        let draw = match &q.answer {
            AnswerModel::Calculated { variables, .. } => draw_values(variables, 42),
            _ => none(),
        };
        let t = q.answer.question_type();
        match correct_response(&q, &draw) {
            Some(r) => assert_eq!(score(&q, Some(&r), &draw), correct(q.points_possible), "{t:?}"),
            None => assert!(matches!(t, QuestionType::Essay | QuestionType::FileUpload | QuestionType::TextOnly)),
        }
    }
}

#[test]
fn multiple_choice_and_true_false() {
    let q = samples::multiple_choice();
    assert_eq!(s(&q, Response::Choice("b".into())), correct(2.0));
    assert_eq!(s(&q, Response::Choice("a".into())), incorrect());
    assert_eq!(s(&q, Response::Choice("nope".into())), incorrect());
    assert_eq!(s(&q, Response::Choice(" ".into())), unanswered());
    assert_eq!(score(&q, None, &none()), unanswered());
    assert_eq!(s(&q, Response::Choices(vec!["b".into()])), incorrect(), "wrong shape");
    let tf = body("?", 1.0, AnswerModel::TrueFalse { correct: false });
    assert_eq!(s(&tf, Response::Bool(false)), correct(1.0));
    assert_eq!(s(&tf, Response::Bool(true)), incorrect());
    assert_eq!(s(&tf, Response::Text("false".into())), incorrect());
}

#[test]
fn multiple_answers_canvas_rule() {
    // 2 correct (a, c) of 4, 3 points: each right pick +1.5, each wrong pick −1.5, floor 0.
    let q = samples::multiple_answers(PartialCredit::CorrectMinusIncorrect);
    let pick = |ids: &[&str]| s(&q, Response::Choices(strings(ids)));
    assert_eq!(pick(&["a", "c"]), correct(3.0));
    assert_eq!(pick(&["c", "a", "a"]), correct(3.0));
    assert_eq!(pick(&["a"]), partial(1.5));
    assert_eq!(pick(&["a", "c", "b"]), partial(1.5));
    assert_eq!(pick(&["a", "b"]), incorrect());
    assert_eq!(pick(&["b", "d"]), incorrect());
    assert_eq!(pick(&["a", "b", "c", "d"]), incorrect());
    assert_eq!(pick(&["a", "zzz"]), partial(1.5), "unknown ids are ignored");
    assert_eq!(pick(&[]), unanswered());

    let q = samples::multiple_answers(PartialCredit::AllOrNothing);
    let pick = |ids: &[&str]| s(&q, Response::Choices(strings(ids)));
    assert_eq!(pick(&["a", "c"]), correct(3.0));
    assert_eq!(pick(&["a"]), incorrect());
    assert_eq!(pick(&["a", "c", "d"]), incorrect());

    let q = samples::multiple_answers(PartialCredit::PerChoice);
    let pick = |ids: &[&str]| s(&q, Response::Choices(strings(ids)));
    assert_eq!(pick(&["a", "c"]), correct(3.0));
    assert_eq!(pick(&["a"]), partial(2.25));
    assert_eq!(pick(&["a", "b"]), partial(1.5));
    assert_eq!(pick(&["b", "d"]), incorrect());
}

#[test]
fn partial_points_are_rounded() {
    // A third of 1 point, and 0.1 + 0.2 style sums.
    let q = body(
        "[a] [b] [c]",
        1.0,
        AnswerModel::FillInMultipleBlanks {
            blanks: ["a", "b", "c"].iter().map(|id| Blank { id: (*id).into(), accepted: strings(&["x"]) }).collect(),
            text_match: TextMatch::default(),
        },
    );
    assert_eq!(s(&q, Response::Blanks(map(&[("a", "x")]))), partial(0.333333));
    assert_eq!(s(&q, Response::Blanks(map(&[("a", "x"), ("b", "x")]))), partial(0.666667));
    let mut q = samples::ordering();
    q.points_possible = 0.3;
    assert_eq!(s(&q, Response::Order(strings(&["i3", "i1", "x", "y"]))), partial(0.15));
}

#[test]
fn short_answer_text_matching() {
    let q = body(
        "?",
        1.0,
        AnswerModel::ShortAnswer { accepted: strings(&["Paris", "New  York"]), text_match: TextMatch::default() },
    );
    for ok in ["Paris", "paris", "  PARIS ", "new york", "New\tYork"] {
        assert_eq!(s(&q, Response::Text(ok.into())), correct(1.0), "{ok}");
    }
    for bad in ["Pari", "Paris!", "NewYork"] {
        assert_eq!(s(&q, Response::Text(bad.into())), incorrect(), "{bad}");
    }
    assert_eq!(s(&q, Response::Text("   ".into())), unanswered());
    let strict = body(
        "?",
        1.0,
        AnswerModel::ShortAnswer {
            accepted: strings(&["Paris"]),
            text_match: TextMatch { case_sensitive: true, normalize_whitespace: false },
        },
    );
    assert_eq!(s(&strict, Response::Text("Paris".into())), correct(1.0));
    assert_eq!(s(&strict, Response::Text("paris".into())), incorrect());
    assert_eq!(s(&strict, Response::Text(" Paris".into())), incorrect());
    assert!(text_matches("ÉCOLE", &strings(&["école"]), TextMatch::default()));
}

#[test]
fn blanks_and_dropdowns_per_blank() {
    let q = samples::fill_in_blanks();
    assert_eq!(s(&q, Response::Blanks(map(&[("c1", "Crimson"), ("c2", " blue ")]))), correct(2.0));
    assert_eq!(s(&q, Response::Blanks(map(&[("c1", "red"), ("c2", "green")]))), partial(1.0));
    assert_eq!(s(&q, Response::Blanks(map(&[("c1", "red"), ("c2", "")]))), partial(1.0));
    assert_eq!(s(&q, Response::Blanks(map(&[("c1", ""), ("c2", "")]))), unanswered());
    assert_eq!(s(&q, Response::Blanks(map(&[("zz", "red")]))), incorrect());
    assert_eq!(s(&q, Response::Matches(map(&[("c1", "red")]))), incorrect(), "wrong shape");

    let q = samples::dropdowns();
    assert_eq!(s(&q, Response::Blanks(map(&[("d1", "x"), ("d2", "z")]))), correct(1.0));
    assert_eq!(s(&q, Response::Blanks(map(&[("d1", "x"), ("d2", "x")]))), partial(0.5));
    assert_eq!(s(&q, Response::Blanks(map(&[("d1", "y")]))), incorrect());
}

#[test]
fn matching_per_pair() {
    let q = samples::matching();
    let full = map(&[("p1", "Paris"), ("p2", "Rome"), ("p3", "Rome")]);
    assert_eq!(s(&q, Response::Matches(full)), correct(3.0));
    assert_eq!(s(&q, Response::Matches(map(&[("p1", "Paris"), ("p2", "Berlin"), ("p3", "Rome ")]))), partial(2.0));
    assert_eq!(s(&q, Response::Matches(map(&[("p1", "Rome")]))), incorrect());
    assert_eq!(
        s(&q, Response::Matches(map(&[("p1", "paris")]))),
        incorrect(),
        "right-hand texts are picked, not typed"
    );
}

#[test]
fn ordering_by_position() {
    let q = samples::ordering(); // i3 i1 i4 i2, 4 points
    let order = |ids: &[&str]| s(&q, Response::Order(strings(ids)));
    assert_eq!(order(&["i3", "i1", "i4", "i2"]), correct(4.0));
    assert_eq!(order(&["i3", "i1", "i2", "i4"]), partial(2.0));
    assert_eq!(order(&["i1", "i4", "i2", "i3"]), incorrect(), "shifted by one: nothing in place");
    assert_eq!(order(&["i3"]), partial(1.0));
    assert_eq!(order(&["i3", "i1", "i4", "i2", "extra"]), correct(4.0));
    assert_eq!(order(&["i3", "i3", "i3", "i3"]), partial(1.0));
}

#[test]
fn numerical_answers() {
    let q = samples::numerical(); // 10 ± 0.5, [-3, -1], 1234.5678 to 3 significant digits
    let n = |typed: &str| s(&q, Response::Number(typed.into())).outcome;
    for ok in [
        "10", "9.5", "10.5", " +10.2 ", "1e1", "10,4", "-3", "-1", "−2", "-2.5", "1230", "1234", "1,234", "1.23e3",
        "1225",
    ] {
        assert_eq!(n(ok), Outcome::Correct, "{ok}");
    }
    for bad in
        ["9.49", "10.51", "-3.01", "-0.99", "1240", "1220", "abc", "10 apples", "inf", "NaN", "1..2", "1,2,3", "1,5.5"]
    {
        assert_eq!(n(bad), Outcome::Incorrect, "{bad}");
    }
    assert_eq!(n(""), Outcome::Unanswered);
    assert_eq!(s(&q, Response::Text("10".into())).outcome, Outcome::Incorrect, "wrong shape");
}

#[test]
fn number_parsing() {
    let cases: [(&str, Option<f64>); 16] = [
        ("42", Some(42.0)),
        (" -0.5 ", Some(-0.5)),
        ("+3", Some(3.0)),
        (".5", Some(0.5)),
        ("1e-3", Some(0.001)),
        ("1,5", Some(1.5)),
        ("-0,25", Some(-0.25)),
        ("1,234", Some(1234.0)),
        ("1,234,567.89", Some(1234567.89)),
        ("\u{2212}7", Some(-7.0)),
        ("12,34", Some(12.34)),
        ("1,23,456", None),
        ("1e999", None),
        ("infinity", None),
        ("0x10", None),
        ("", None),
    ];
    for (typed, expected) in cases {
        assert_eq!(parse_number(typed), expected, "{typed:?}");
    }
}

#[test]
fn significant_digits() {
    assert_eq!(round_significant(1234.5678, 3), 1230.0);
    assert_eq!(round_significant(0.00123456, 2), 0.0012);
    assert_eq!(round_significant(-987.0, 1), -1000.0);
    assert_eq!(round_significant(2.5, 1), 3.0);
    assert_eq!(round_significant(0.0, 3), 0.0);
    let p = NumericAnswer::Precision { value: 0.1 + 0.2, precision: 15 };
    assert!(numeric_matches(&p, 0.3));
}

#[test]
fn calculated_uses_the_draw() {
    let q = samples::calculated(); // x / y, ±0.01, 2 places
    let draw: Draw = [("x".to_owned(), 10.0), ("y".to_owned(), 3.0)].into_iter().collect();
    let c = |typed: &str| score(&q, Some(&Response::Number(typed.into())), &draw);
    assert_eq!(correct_response(&q, &draw), Some(Response::Number("3.33".into())));
    assert_eq!(c("3.33"), correct(2.0));
    assert_eq!(c("3.34"), correct(2.0));
    assert_eq!(c("3.3333333"), correct(2.0));
    assert_eq!(c("3.32"), correct(2.0));
    assert_eq!(c("3.31"), incorrect());
    assert_eq!(c("3.35"), incorrect());
    // Percent tolerance: 10% of 3.33.
    let mut pct = q.clone();
    if let AnswerModel::Calculated { tolerance, .. } = &mut pct.answer {
        *tolerance = Tolerance::Percent { value: 10.0 };
    }
    let p = |typed: &str| score(&pct, Some(&Response::Number(typed.into())), &draw).outcome;
    assert_eq!(p("3.0"), Outcome::Correct);
    assert_eq!(p("3.66"), Outcome::Correct);
    assert_eq!(p("2.9"), Outcome::Incorrect);
    // A draw the formula cannot use goes to a person, not to zero.
    let broken: Draw = [("x".to_owned(), 1.0), ("y".to_owned(), 0.0)].into_iter().collect();
    assert_eq!(score(&q, Some(&Response::Number("1".into())), &broken).outcome, Outcome::NeedsGrading);
    assert_eq!(score(&q, Some(&Response::Number("1".into())), &none()).outcome, Outcome::NeedsGrading);
    assert_eq!(correct_response(&q, &broken), None);
}

#[test]
fn manual_and_unscored_types() {
    let essay = body("?", 5.0, AnswerModel::Essay);
    assert_eq!(s(&essay, Response::Text("My essay".into())), Score { points: 0.0, outcome: Outcome::NeedsGrading });
    assert_eq!(s(&essay, Response::Text("".into())), unanswered());
    assert_eq!(s(&essay, Response::Files(vec![1])), incorrect(), "wrong shape");
    let upload = body("?", 5.0, AnswerModel::FileUpload { allowed_extensions: vec![] });
    assert_eq!(s(&upload, Response::Files(vec![7])), Score { points: 0.0, outcome: Outcome::NeedsGrading });
    assert_eq!(s(&upload, Response::Files(vec![])), unanswered());
    let text_only = body("", 3.0, AnswerModel::TextOnly);
    assert_eq!(score(&text_only, None, &none()), Score { points: 0.0, outcome: Outcome::NotScored });
    assert_eq!(s(&text_only, Response::Text("x".into())), Score { points: 0.0, outcome: Outcome::NotScored });
}

#[test]
fn invalid_questions_still_score_safely() {
    let empty =
        body("?", 1.0, AnswerModel::MultipleAnswers { choices: vec![], partial_credit: PartialCredit::default() });
    assert_eq!(s(&empty, Response::Choices(strings(&["a"]))), incorrect());
    let mut negative = samples::multiple_choice();
    negative.points_possible = -5.0;
    assert_eq!(s(&negative, Response::Choice("b".into())), correct(0.0));
    negative.points_possible = f64::NAN;
    assert_eq!(s(&negative, Response::Choice("b".into())), correct(0.0));
    let no_items = body("?", 1.0, AnswerModel::Ordering { items: vec![] });
    assert_eq!(s(&no_items, Response::Order(strings(&["a"]))), incorrect());
}

#[test]
fn outcomes_serialize_in_snake_case() {
    assert_eq!(serde_json::to_string(&Outcome::NeedsGrading).unwrap(), "\"needs_grading\"");
    assert_eq!(serde_json::to_value(correct(1.5)).unwrap(), serde_json::json!({"points": 1.5, "outcome": "correct"}));
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof!["[a-d]", "(c|p|d|i)[0-4]", ".{0,3}"]
}

fn any_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        id().prop_map(Response::Choice),
        any::<bool>().prop_map(Response::Bool),
        prop::collection::vec(id(), 0..6).prop_map(Response::Choices),
        ".{0,12}".prop_map(Response::Text),
        prop::collection::btree_map(id(), prop_oneof!["red|blue|x|z|y", ".{0,4}"], 0..4).prop_map(Response::Blanks),
        prop::collection::btree_map(id(), prop_oneof!["Paris|Rome|Berlin", ".{0,4}"], 0..4).prop_map(Response::Matches),
        prop::collection::vec(id(), 0..6).prop_map(Response::Order),
        prop_oneof!["-?[0-9]{1,4}([.,][0-9]{0,3})?", ".{0,8}"].prop_map(Response::Number),
        prop::collection::vec(any::<i64>(), 0..3).prop_map(Response::Files),
    ]
}

proptest! {
    #[test]
    fn score_is_total_and_bounded(
        index in 0usize..15, response in proptest::option::of(any_response()), seed in any::<u64>(),
    ) {
        let all = samples::all();
        let q = &all[index % all.len()];
        let draw = match &q.answer {
            AnswerModel::Calculated { variables, .. } => draw_values(variables, seed),
            _ => none(),
        };
        let got = score(q, response.as_ref(), &draw);
        prop_assert!(got.points >= 0.0 && got.points <= q.points_possible, "{got:?}");
        match got.outcome {
            Outcome::Correct => prop_assert_eq!(got.points, q.points_possible),
            Outcome::Partial => prop_assert!(got.points > 0.0 && got.points < q.points_possible),
            _ => prop_assert_eq!(got.points, 0.0),
        }
        if response.is_none() && q.answer.question_type() != QuestionType::TextOnly {
            prop_assert_eq!(got.outcome, Outcome::Unanswered);
        }
    }

    #[test]
    fn exact_answers_inside_the_margin_are_correct_and_outside_incorrect(
        value in -1e6f64..1e6, margin in 0f64..1e3, t in -1f64..=1.0, beyond in 1e-6f64..1e3,
    ) {
        let answer = NumericAnswer::Exact { value, margin };
        let inside = value + t * margin;
        prop_assert!(numeric_matches(&answer, inside), "{inside} within {value} ± {margin}");
        prop_assert!(numeric_matches(&answer, value + margin) && numeric_matches(&answer, value - margin));
        // Far enough out that float rounding cannot hide it.
        let out = margin + beyond.max(1e-8 * value.abs().max(margin).max(1.0));
        prop_assert!(!numeric_matches(&answer, value + out), "{} outside {value} ± {margin}", value + out);
        prop_assert!(!numeric_matches(&answer, value - out));
        // Through scoring and typed text too.
        let q = body("?", 1.0, AnswerModel::Numerical { answers: vec![answer] });
        prop_assert_eq!(s(&q, Response::Number(format_number(inside))).outcome, Outcome::Correct);
        prop_assert_eq!(s(&q, Response::Number(format_number(value + out))).outcome, Outcome::Incorrect);
    }

    #[test]
    fn range_bounds_are_inclusive(start in -1e6f64..1e6, width in 0f64..1e4, t in 0f64..=1.0, beyond in 1e-3f64..1e3) {
        let end = start + width;
        let answer = NumericAnswer::Range { start, end };
        prop_assert!(numeric_matches(&answer, start) && numeric_matches(&answer, end));
        prop_assert!(numeric_matches(&answer, start + t * width));
        prop_assert!(!numeric_matches(&answer, start - beyond));
        prop_assert!(!numeric_matches(&answer, end + beyond));
    }

    #[test]
    fn precision_accepts_the_value_and_its_rounding(value in -1e9f64..1e9, digits in 1u32..=15) {
        prop_assume!(value.abs() > 1e-9);
        let answer = NumericAnswer::Precision { value, precision: digits };
        prop_assert!(numeric_matches(&answer, value));
        prop_assert!(numeric_matches(&answer, round_significant(value, digits)));
        // A whole unit in the last kept digit away is wrong.
        let rounded = round_significant(value, digits);
        let unit = 10f64.powi(rounded.abs().log10().floor() as i32 + 1 - digits as i32);
        prop_assert!(!numeric_matches(&answer, rounded + 1.5 * unit.copysign(rounded)));
    }

    #[test]
    fn multiple_answers_credit_is_bounded_and_monotonic(
        correct_flags in prop::collection::vec(any::<bool>(), 2..8),
        picks in prop::collection::vec(any::<bool>(), 8),
        extra in 0usize..8,
        points in 0.5f64..100.0,
        rule in prop_oneof![
            Just(PartialCredit::CorrectMinusIncorrect),
            Just(PartialCredit::AllOrNothing),
            Just(PartialCredit::PerChoice),
        ],
    ) {
        prop_assume!(correct_flags.iter().any(|c| *c));
        let choices: Vec<_> =
            correct_flags.iter().enumerate().map(|(i, c)| samples::choice(&i.to_string(), *c)).collect();
        let n = choices.len();
        let q = body("?", points, AnswerModel::MultipleAnswers { choices, partial_credit: rule });
        let picked: Vec<String> = (0..n).filter(|i| picks[*i]).map(|i| i.to_string()).collect();
        let base = s(&q, Response::Choices(picked.clone()));
        prop_assert!(base.points >= 0.0 && base.points <= points);
        let extra = extra % n;
        let mut more = picked.clone();
        more.push(extra.to_string());
        let after = s(&q, Response::Choices(more));
        if base.outcome == Outcome::Unanswered {
            // Picking nothing is no answer, not a set of deliberate omissions (even under PerChoice).
            prop_assert_eq!(base.points, 0.0);
        } else if picks[extra] {
            prop_assert_eq!(after, base, "picking a choice twice changes nothing");
        } else if correct_flags[extra] && rule != PartialCredit::AllOrNothing {
            prop_assert!(after.points >= base.points, "a correct pick never lowers: {base:?} → {after:?}");
            if rule == PartialCredit::PerChoice {
                prop_assert!(after.points > base.points);
            }
        } else if !correct_flags[extra] {
            prop_assert!(after.points <= base.points, "a wrong pick never raises: {base:?} → {after:?}");
        }
        // The correct set always earns full points.
        let all_correct: Vec<String> = (0..n).filter(|i| correct_flags[*i]).map(|i| i.to_string()).collect();
        prop_assert_eq!(s(&q, Response::Choices(all_correct)), correct(points));
    }

    #[test]
    fn calculated_correct_response_scores_full_for_every_draw(seed in any::<u64>()) {
        let q = samples::calculated();
        let AnswerModel::Calculated { variables, .. } = &q.answer else { unreachable!() };
        let draw = draw_values(variables, seed);
        let r = correct_response(&q, &draw).unwrap();
        prop_assert_eq!(score(&q, Some(&r), &draw), correct(2.0));
    }
}
