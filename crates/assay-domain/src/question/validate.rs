//! Validation of an authored question, one error per field by JSON pointer relative to the question document
//! (`/points_possible`, `/answer/choices/1/text`, …). The store prefixes the pointers with where the question sits
//! in the request.
//!
//! Rules common to every type: `points_possible` finite and ≥ 0; `name` at most 255 characters (it may be empty,
//! as in Canvas); `text` required (non-blank) except for text-only questions, at most [`MAX_HTML`] characters.
//! Per-type rules are listed on [`validate`].

use std::collections::{BTreeMap, HashSet};

use super::formula::{self, FormulaError};
use super::model::{
    AnswerModel, Blank, Choice, Dropdown, Feedback, MatchPair, NumericAnswer, OrderItem, QuestionBody, Tolerance,
    Variable,
};
use crate::html;
use crate::validation::{FieldError, Validation};

/// Longest HTML field accepted, in characters (room for a few inline images).
pub const MAX_HTML: usize = 1_000_000;
/// Longest plain-text field (choice ids, accepted answers, matching sides, ordering items).
pub const MAX_TEXT: usize = 10_000;
/// Most choices, blanks, pairs, items, answers or variables in one question.
pub const MAX_PARTS: usize = 500;
/// Most decimal places for variable scales and calculated answers.
pub const MAX_DECIMALS: u32 = 10;

/// Checks an authored question. Per type:
/// - multiple choice: ≥ 2 choices, exactly one correct;
/// - multiple answers: ≥ 2 choices, ≥ 1 correct;
/// - (choices everywhere: unique non-blank ids, non-blank text)
/// - short answer: ≥ 1 accepted answer, none blank;
/// - fill in multiple blanks: ≥ 1 blank, unique ids each written `[id]` in the text, each with ≥ 1 accepted
///   answer, none blank;
/// - multiple dropdowns: ≥ 1 dropdown, unique ids each written `[id]` in the text, each with ≥ 2 choices and
///   exactly one correct;
/// - (blank and dropdown ids: ASCII letters, digits, `_`, `-`, `.`, which sanitising leaves alone)
/// - matching: ≥ 1 pair, unique non-blank ids, non-blank unique left sides, non-blank right sides; distractors
///   non-blank and not equal to a right side;
/// - ordering: ≥ 2 items, unique non-blank ids, non-blank text;
/// - numerical: ≥ 1 answer, finite numbers, margin ≥ 0, start ≤ end, precision 1..=15;
/// - calculated: variables named as identifiers (not `pi`, `e` or a function name), unique, finite `min ≤ max`,
///   scale ≤ 10; the formula parses and uses only declared variables; tolerance finite and ≥ 0; decimal places
///   ≤ 10; the formula gives a finite number with every variable at its minimum, at its maximum, at its midpoint
///   and for one random draw;
/// - file upload: extensions alphanumeric (no dot), at most 16 characters, unique.
pub fn validate(body: &QuestionBody) -> Result<(), Vec<FieldError>> {
    let mut v = Validation::new();
    if !body.points_possible.is_finite() || body.points_possible < 0.0 {
        v.add("/points_possible", "must be a number greater than or equal to 0");
    }
    v.text("/name", Some(&body.name), false, 255);
    let text_required = !matches!(body.answer, AnswerModel::TextOnly);
    html_field(&mut v, "/text", &body.text, text_required);
    feedback(&mut v, "/feedback", &body.feedback);

    match &body.answer {
        AnswerModel::MultipleChoice { choices } => {
            choice_list(&mut v, "/answer/choices", choices);
            if choices.len() >= 2 && choices.iter().filter(|c| c.correct).count() != 1 {
                v.add("/answer/choices", "exactly one choice must be correct");
            }
        }
        AnswerModel::TrueFalse { .. } | AnswerModel::Essay | AnswerModel::TextOnly => {}
        AnswerModel::MultipleAnswers { choices, .. } => {
            choice_list(&mut v, "/answer/choices", choices);
            if choices.len() >= 2 && !choices.iter().any(|c| c.correct) {
                v.add("/answer/choices", "at least one choice must be correct");
            }
        }
        AnswerModel::ShortAnswer { accepted, .. } => accepted_list(&mut v, "/answer/accepted", accepted),
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            parts(&mut v, "/answer/blanks", blanks.len(), 1, "blank");
            let mut ids = HashSet::new();
            for (i, Blank { id, accepted }) in blanks.iter().enumerate() {
                let at = format!("/answer/blanks/{i}");
                blank_id(&mut v, &at, id, &mut ids, &body.text);
                accepted_list(&mut v, &format!("{at}/accepted"), accepted);
            }
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            parts(&mut v, "/answer/dropdowns", dropdowns.len(), 1, "dropdown");
            let mut ids = HashSet::new();
            for (i, Dropdown { id, choices }) in dropdowns.iter().enumerate() {
                let at = format!("/answer/dropdowns/{i}");
                blank_id(&mut v, &at, id, &mut ids, &body.text);
                let at = format!("{at}/choices");
                choice_list(&mut v, &at, choices);
                if choices.len() >= 2 && choices.iter().filter(|c| c.correct).count() != 1 {
                    v.add(at, "exactly one choice must be correct");
                }
            }
        }
        AnswerModel::Matching { pairs, distractors } => {
            parts(&mut v, "/answer/pairs", pairs.len(), 1, "pair");
            let (mut ids, mut lefts) = (HashSet::new(), HashSet::new());
            for (i, MatchPair { id, left, right }) in pairs.iter().enumerate() {
                let at = format!("/answer/pairs/{i}");
                unique_id(&mut v, &format!("{at}/id"), id, &mut ids);
                plain(&mut v, &format!("{at}/left"), left);
                if !left.trim().is_empty() && !lefts.insert(left.trim()) {
                    v.add(format!("{at}/left"), "must be unique");
                }
                plain(&mut v, &format!("{at}/right"), right);
            }
            let rights: HashSet<&str> = pairs.iter().map(|p| p.right.trim()).collect();
            if distractors.len() > MAX_PARTS {
                v.add("/answer/distractors", format!("must have at most {MAX_PARTS} entries"));
            }
            for (i, d) in distractors.iter().enumerate() {
                let at = format!("/answer/distractors/{i}");
                plain(&mut v, &at, d);
                if !d.trim().is_empty() && rights.contains(d.trim()) {
                    v.add(at, "must differ from every right-hand answer");
                }
            }
        }
        AnswerModel::Ordering { items } => {
            parts(&mut v, "/answer/items", items.len(), 2, "item");
            let mut ids = HashSet::new();
            for (i, OrderItem { id, text }) in items.iter().enumerate() {
                unique_id(&mut v, &format!("/answer/items/{i}/id"), id, &mut ids);
                plain(&mut v, &format!("/answer/items/{i}/text"), text);
            }
        }
        AnswerModel::Numerical { answers } => {
            parts(&mut v, "/answer/answers", answers.len(), 1, "answer");
            for (i, answer) in answers.iter().enumerate() {
                numeric_answer(&mut v, &format!("/answer/answers/{i}"), answer);
            }
        }
        AnswerModel::Calculated { variables, formula, tolerance, decimal_places } => {
            calculated(&mut v, variables, formula, tolerance, *decimal_places);
        }
        AnswerModel::FileUpload { allowed_extensions } => {
            if allowed_extensions.len() > MAX_PARTS {
                v.add("/answer/allowed_extensions", format!("must have at most {MAX_PARTS} entries"));
            }
            let mut seen = HashSet::new();
            for (i, ext) in allowed_extensions.iter().enumerate() {
                let at = format!("/answer/allowed_extensions/{i}");
                if ext.is_empty() || ext.len() > 16 || !ext.chars().all(|c| c.is_ascii_alphanumeric()) {
                    v.add(at, "must be 1 to 16 letters or digits, without the dot");
                } else if !seen.insert(ext.to_ascii_lowercase()) {
                    v.add(at, "is listed twice");
                }
            }
        }
    }
    v.finish()
}

/// The question with every HTML field (text, choice texts, feedback) sanitised; plain-text fields (ids, accepted
/// answers, matching sides, ordering items, distractors) are left as typed and must be escaped when rendered.
pub fn sanitize_body(mut body: QuestionBody) -> QuestionBody {
    body.text = html::sanitize(&body.text);
    let sanitize_opt = |f: &mut Option<String>| {
        if let Some(s) = f {
            *s = html::sanitize(s);
        }
    };
    sanitize_opt(&mut body.feedback.correct);
    sanitize_opt(&mut body.feedback.incorrect);
    sanitize_opt(&mut body.feedback.neutral);
    let sanitize_choices = |choices: &mut Vec<Choice>| {
        for c in choices {
            c.text = html::sanitize(&c.text);
            sanitize_opt(&mut c.feedback);
        }
    };
    match &mut body.answer {
        AnswerModel::MultipleChoice { choices } | AnswerModel::MultipleAnswers { choices, .. } => {
            sanitize_choices(choices)
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            dropdowns.iter_mut().for_each(|d| sanitize_choices(&mut d.choices));
        }
        _ => {}
    }
    body
}

fn parts(v: &mut Validation, at: &str, len: usize, min: usize, what: &str) {
    if len < min {
        let plural = if min == 1 { "" } else { "s" };
        v.add(at, format!("must have at least {min} {what}{plural}"));
    } else if len > MAX_PARTS {
        v.add(at, format!("must have at most {MAX_PARTS} {what}s"));
    }
}

fn html_field(v: &mut Validation, at: &str, value: &str, required: bool) {
    if required && value.trim().is_empty() {
        v.add(at, "must not be blank");
    } else if value.chars().count() > MAX_HTML {
        v.add(at, format!("must be at most {MAX_HTML} characters"));
    }
}

fn plain(v: &mut Validation, at: &str, value: &str) {
    v.text(at, Some(value), true, MAX_TEXT);
}

fn feedback(v: &mut Validation, at: &str, f: &Feedback) {
    for (key, value) in [("correct", &f.correct), ("incorrect", &f.incorrect), ("neutral", &f.neutral)] {
        if let Some(value) = value {
            html_field(v, &format!("{at}/{key}"), value, false);
        }
    }
}

fn unique_id<'a>(v: &mut Validation, at: &str, id: &'a str, seen: &mut HashSet<&'a str>) {
    if id.trim().is_empty() {
        v.add(at, "must not be blank");
    } else if id.chars().count() > 255 || id.chars().any(char::is_control) {
        v.add(at, "must be at most 255 characters, without control characters");
    } else if !seen.insert(id) {
        v.add(at, "must be unique");
    }
}

fn choice_list(v: &mut Validation, at: &str, choices: &[Choice]) {
    parts(v, at, choices.len(), 2, "choice");
    let mut ids = HashSet::new();
    for (i, c) in choices.iter().enumerate() {
        unique_id(v, &format!("{at}/{i}/id"), &c.id, &mut ids);
        html_field(v, &format!("{at}/{i}/text"), &c.text, true);
        if let Some(f) = &c.feedback {
            html_field(v, &format!("{at}/{i}/feedback"), f, false);
        }
    }
}

fn accepted_list(v: &mut Validation, at: &str, accepted: &[String]) {
    parts(v, at, accepted.len(), 1, "accepted answer");
    for (i, a) in accepted.iter().enumerate() {
        plain(v, &format!("{at}/{i}"), a);
    }
}

/// A blank's or dropdown's id: unique, usable inside `[…]`, and written `[id]` in the question text.
fn blank_id<'a>(v: &mut Validation, at: &str, id: &'a str, seen: &mut HashSet<&'a str>, text: &str) {
    let at = format!("{at}/id");
    // Kept to characters that HTML sanitising leaves alone, so `[id]` survives in the stored text.
    if !id.is_empty() && !id.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
        v.add(at, "must contain only letters, digits, _, - and .");
        return;
    }
    let before = seen.len();
    unique_id(v, &at, id, seen);
    if seen.len() > before && !text.contains(&format!("[{id}]")) {
        v.add(at, format!("must appear as [{id}] in the question text"));
    }
}

fn finite(v: &mut Validation, at: String, x: f64) -> bool {
    if x.is_finite() {
        true
    } else {
        v.add(at, "must be a finite number");
        false
    }
}

fn numeric_answer(v: &mut Validation, at: &str, answer: &NumericAnswer) {
    match *answer {
        NumericAnswer::Exact { value, margin } => {
            finite(v, format!("{at}/value"), value);
            if finite(v, format!("{at}/margin"), margin) && margin < 0.0 {
                v.add(format!("{at}/margin"), "must be greater than or equal to 0");
            }
        }
        NumericAnswer::Range { start, end } => {
            let ok = finite(v, format!("{at}/start"), start) & finite(v, format!("{at}/end"), end);
            if ok && start > end {
                v.add(format!("{at}/end"), "must be greater than or equal to start");
            }
        }
        NumericAnswer::Precision { value, precision } => {
            finite(v, format!("{at}/value"), value);
            if !(1..=15).contains(&precision) {
                v.add(format!("{at}/precision"), "must be between 1 and 15");
            }
        }
    }
}

fn formula_message(e: &FormulaError) -> String {
    format!("is not a valid formula: {e}")
}

fn calculated(v: &mut Validation, variables: &[Variable], src: &str, tolerance: &Tolerance, decimal_places: u32) {
    if variables.len() > MAX_PARTS {
        v.add("/answer/variables", format!("must have at most {MAX_PARTS} variables"));
    }
    let mut names = HashSet::new();
    let mut variables_ok = true;
    for (i, var) in variables.iter().enumerate() {
        let at = format!("/answer/variables/{i}");
        if !formula::is_valid_variable_name(&var.name) {
            v.add(
                format!("{at}/name"),
                "must be a name of letters, digits and _ not starting with a digit, and not a constant or function",
            );
            variables_ok = false;
        } else if !names.insert(var.name.as_str()) {
            v.add(format!("{at}/name"), "must be unique");
            variables_ok = false;
        }
        let bounds = finite(v, format!("{at}/min"), var.min) & finite(v, format!("{at}/max"), var.max);
        if bounds && var.min > var.max {
            v.add(format!("{at}/max"), "must be greater than or equal to min");
        }
        if var.scale > MAX_DECIMALS {
            v.add(format!("{at}/scale"), format!("must be at most {MAX_DECIMALS}"));
        }
        variables_ok &= bounds && var.min <= var.max && var.scale <= MAX_DECIMALS;
    }
    let (value, tolerance_at) = match *tolerance {
        Tolerance::Absolute { value } | Tolerance::Percent { value } => (value, "/answer/tolerance/value"),
    };
    if !value.is_finite() || value < 0.0 {
        v.add(tolerance_at, "must be a number greater than or equal to 0");
    }
    if decimal_places > MAX_DECIMALS {
        v.add("/answer/decimal_places", format!("must be at most {MAX_DECIMALS}"));
    }
    let expr = match formula::parse(src) {
        Ok(expr) => expr,
        Err(e) => return v.add("/answer/formula", formula_message(&e)),
    };
    let undeclared: Vec<String> = expr.variables().into_iter().filter(|n| !names.contains(n.as_str())).collect();
    if !undeclared.is_empty() {
        return v.add("/answer/formula", format!("uses undeclared variables: {}", undeclared.join(", ")));
    }
    if !variables_ok {
        return;
    }
    let at = |pick: fn(&Variable) -> f64| -> BTreeMap<String, f64> {
        variables.iter().map(|var| (var.name.clone(), pick(var))).collect()
    };
    let draws = [
        ("with every variable at its minimum", at(|var| var.min)),
        ("with every variable at its maximum", at(|var| var.max)),
        ("with every variable at its midpoint", at(|var| var.min / 2.0 + var.max / 2.0)),
        ("for a random draw", formula::draw(variables, 0)),
    ];
    for (when, draw) in draws {
        if let Err(e) = expr.eval(&draw) {
            return v.add("/answer/formula", format!("cannot be evaluated {when}: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{PartialCredit, TextMatch};
    use super::*;

    pub(crate) fn choice(id: &str, correct: bool) -> Choice {
        Choice { id: id.to_owned(), text: format!("<p>{id}</p>"), correct, feedback: None }
    }

    fn q(text: &str, answer: AnswerModel) -> QuestionBody {
        QuestionBody {
            name: "Q".to_owned(),
            text: text.to_owned(),
            points_possible: 2.0,
            feedback: Feedback::default(),
            answer,
        }
    }

    fn errors(body: &QuestionBody) -> Vec<String> {
        match validate(body) {
            Ok(()) => vec![],
            Err(errors) => errors.into_iter().map(|e| e.pointer).collect(),
        }
    }

    #[test]
    fn common_fields() {
        let mut body = q("<p>?</p>", AnswerModel::Essay);
        assert!(validate(&body).is_ok());
        body.points_possible = -1.0;
        body.name = "x".repeat(256);
        body.text = "  ".to_owned();
        body.feedback.correct = Some("y".repeat(MAX_HTML + 1));
        assert_eq!(errors(&body), ["/points_possible", "/name", "/text", "/feedback/correct"]);
        body.points_possible = f64::NAN;
        assert!(errors(&body).contains(&"/points_possible".to_owned()));
        // Text-only questions may have no text, and names may be empty.
        let mut text_only = q("", AnswerModel::TextOnly);
        text_only.name = String::new();
        assert!(validate(&text_only).is_ok());
        let message = validate(&q("", AnswerModel::Essay)).unwrap_err().remove(0).message;
        assert_eq!(message, "must not be blank");
    }

    #[test]
    fn multiple_choice() {
        let ok = q("?", AnswerModel::MultipleChoice { choices: vec![choice("a", true), choice("b", false)] });
        assert!(validate(&ok).is_ok());
        let one = q("?", AnswerModel::MultipleChoice { choices: vec![choice("a", true)] });
        assert_eq!(errors(&one), ["/answer/choices"]);
        let two_correct = q("?", AnswerModel::MultipleChoice { choices: vec![choice("a", true), choice("b", true)] });
        assert_eq!(errors(&two_correct), ["/answer/choices"]);
        let none = q("?", AnswerModel::MultipleChoice { choices: vec![choice("a", false), choice("b", false)] });
        assert_eq!(errors(&none), ["/answer/choices"]);
        let mut blank_text = choice("b", false);
        blank_text.text = " ".to_owned();
        let bad = q(
            "?",
            AnswerModel::MultipleChoice {
                choices: vec![choice("a", true), blank_text, choice("a", false), choice("", false)],
            },
        );
        assert_eq!(errors(&bad), ["/answer/choices/1/text", "/answer/choices/2/id", "/answer/choices/3/id"]);
    }

    #[test]
    fn true_false_and_multiple_answers() {
        assert!(validate(&q("?", AnswerModel::TrueFalse { correct: false })).is_ok());
        let ma = |choices| q("?", AnswerModel::MultipleAnswers { choices, partial_credit: PartialCredit::default() });
        assert!(validate(&ma(vec![choice("a", true), choice("b", true)])).is_ok());
        assert!(validate(&ma(vec![choice("a", true), choice("b", false)])).is_ok());
        assert_eq!(errors(&ma(vec![choice("a", false), choice("b", false)])), ["/answer/choices"]);
        assert_eq!(errors(&ma(vec![])), ["/answer/choices"]);
    }

    #[test]
    fn short_answer_and_blanks() {
        let sa = |accepted: &[&str]| {
            q(
                "?",
                AnswerModel::ShortAnswer {
                    accepted: accepted.iter().map(|s| (*s).to_owned()).collect(),
                    text_match: TextMatch::default(),
                },
            )
        };
        assert!(validate(&sa(&["Paris"])).is_ok());
        assert_eq!(errors(&sa(&[])), ["/answer/accepted"]);
        assert_eq!(errors(&sa(&["Paris", " "])), ["/answer/accepted/1"]);

        let blank = |id: &str, accepted: &[&str]| Blank {
            id: id.to_owned(),
            accepted: accepted.iter().map(|s| (*s).to_owned()).collect(),
        };
        let fimb = |text: &str, blanks| {
            q(text, AnswerModel::FillInMultipleBlanks { blanks, text_match: TextMatch::default() })
        };
        assert!(validate(&fimb("[a] and [b]", vec![blank("a", &["1"]), blank("b", &["2"])])).is_ok());
        assert_eq!(errors(&fimb("[a]", vec![])), ["/answer/blanks"]);
        assert_eq!(
            errors(&fimb(
                "[a] [c]",
                vec![
                    blank("a", &["1"]),
                    blank("b", &["2"]),
                    blank("a", &[]),
                    blank("x]", &["1"]),
                    blank("a&b", &["1"])
                ]
            )),
            [
                "/answer/blanks/1/id",
                "/answer/blanks/2/id",
                "/answer/blanks/2/accepted",
                "/answer/blanks/3/id",
                "/answer/blanks/4/id"
            ]
        );
    }

    #[test]
    fn dropdowns() {
        let dd = |id: &str, choices| Dropdown { id: id.to_owned(), choices };
        let ok = q(
            "[d1] [d2]",
            AnswerModel::MultipleDropdowns {
                dropdowns: vec![
                    dd("d1", vec![choice("a", true), choice("b", false)]),
                    dd("d2", vec![choice("a", false), choice("b", true)]),
                ],
            },
        );
        assert!(validate(&ok).is_ok());
        let bad = q(
            "[d1]",
            AnswerModel::MultipleDropdowns {
                dropdowns: vec![
                    dd("d1", vec![choice("a", true), choice("b", true)]),
                    dd("d2", vec![choice("a", true)]),
                ],
            },
        );
        assert_eq!(
            errors(&bad),
            ["/answer/dropdowns/0/choices", "/answer/dropdowns/1/id", "/answer/dropdowns/1/choices"]
        );
        assert_eq!(errors(&q("?", AnswerModel::MultipleDropdowns { dropdowns: vec![] })), ["/answer/dropdowns"]);
    }

    #[test]
    fn matching() {
        let pair = |id: &str, left: &str, right: &str| MatchPair {
            id: id.to_owned(),
            left: left.to_owned(),
            right: right.to_owned(),
        };
        let ok = q(
            "?",
            AnswerModel::Matching {
                pairs: vec![pair("1", "France", "Paris"), pair("2", "Italy", "Rome"), pair("3", "Vatican", "Rome")],
                distractors: vec!["Berlin".to_owned()],
            },
        );
        assert!(validate(&ok).is_ok());
        let bad = q(
            "?",
            AnswerModel::Matching {
                pairs: vec![pair("1", "France", "Paris"), pair("1", "France ", ""), pair("3", "", "x")],
                distractors: vec!["Paris".to_owned(), " ".to_owned()],
            },
        );
        assert_eq!(
            errors(&bad),
            [
                "/answer/pairs/1/id",
                "/answer/pairs/1/left",
                "/answer/pairs/1/right",
                "/answer/pairs/2/left",
                "/answer/distractors/0",
                "/answer/distractors/1"
            ]
        );
        assert_eq!(errors(&q("?", AnswerModel::Matching { pairs: vec![], distractors: vec![] })), ["/answer/pairs"]);
    }

    #[test]
    fn ordering() {
        let item = |id: &str| OrderItem { id: id.to_owned(), text: format!("item {id}") };
        assert!(validate(&q("?", AnswerModel::Ordering { items: vec![item("a"), item("b")] })).is_ok());
        assert_eq!(errors(&q("?", AnswerModel::Ordering { items: vec![item("a")] })), ["/answer/items"]);
        assert_eq!(
            errors(&q(
                "?",
                AnswerModel::Ordering {
                    items: vec![item("a"), item("a"), OrderItem { id: "c".into(), text: "".into() }]
                }
            )),
            ["/answer/items/1/id", "/answer/items/2/text"]
        );
    }

    #[test]
    fn numerical() {
        let num = |answers| q("?", AnswerModel::Numerical { answers });
        assert!(
            validate(&num(vec![
                NumericAnswer::Exact { value: 3.0, margin: 0.0 },
                NumericAnswer::Range { start: 1.0, end: 1.0 },
                NumericAnswer::Precision { value: 1.23456, precision: 3 },
            ]))
            .is_ok()
        );
        assert_eq!(errors(&num(vec![])), ["/answer/answers"]);
        assert_eq!(
            errors(&num(vec![
                NumericAnswer::Exact { value: f64::NAN, margin: -1.0 },
                NumericAnswer::Range { start: 2.0, end: 1.0 },
                NumericAnswer::Range { start: f64::NEG_INFINITY, end: 1.0 },
                NumericAnswer::Precision { value: 1.0, precision: 0 },
                NumericAnswer::Precision { value: 1.0, precision: 16 },
            ])),
            [
                "/answer/answers/0/value",
                "/answer/answers/0/margin",
                "/answer/answers/1/end",
                "/answer/answers/2/start",
                "/answer/answers/3/precision",
                "/answer/answers/4/precision"
            ]
        );
    }

    fn var(name: &str, min: f64, max: f64, scale: u32) -> Variable {
        Variable { name: name.to_owned(), min, max, scale }
    }

    fn calc(variables: Vec<Variable>, formula: &str) -> QuestionBody {
        q(
            "[x] + [y] = ?",
            AnswerModel::Calculated {
                variables,
                formula: formula.to_owned(),
                tolerance: Tolerance::Absolute { value: 0.01 },
                decimal_places: 2,
            },
        )
    }

    #[test]
    fn calculated() {
        assert!(validate(&calc(vec![var("x", 1.0, 10.0, 0), var("y", 0.5, 2.5, 1)], "x / y + sqrt(x)")).is_ok());
        assert!(validate(&calc(vec![], "2 * pi")).is_ok());
        assert_eq!(errors(&calc(vec![var("x", 1.0, 2.0, 0)], "x +")), ["/answer/formula"]);
        let undeclared = validate(&calc(vec![var("x", 1.0, 2.0, 0)], "x + y + z")).unwrap_err();
        assert_eq!(undeclared[0].message, "uses undeclared variables: y, z");
        assert_eq!(
            errors(&calc(
                vec![
                    var("2x", 1.0, 2.0, 0),
                    var("y", 3.0, 1.0, 11),
                    var("y", f64::NAN, 1.0, 0),
                    var("pi", 0.0, 1.0, 0)
                ],
                "y"
            )),
            [
                "/answer/variables/0/name",
                "/answer/variables/1/max",
                "/answer/variables/1/scale",
                "/answer/variables/2/name",
                "/answer/variables/2/min",
                "/answer/variables/3/name"
            ]
        );
        // The formula must be defined over the whole range.
        let at_min = validate(&calc(vec![var("x", 0.0, 2.0, 0)], "1 / x")).unwrap_err();
        assert_eq!(at_min[0].pointer, "/answer/formula");
        assert!(at_min[0].message.starts_with("cannot be evaluated with every variable at its minimum"), "{at_min:?}");
        let at_mid = validate(&calc(vec![var("x", -1.0, 1.0, 0)], "1 / x")).unwrap_err();
        assert!(at_mid[0].message.contains("midpoint"), "{at_mid:?}");
        let mut bad_tolerance = calc(vec![], "1");
        if let AnswerModel::Calculated { tolerance, decimal_places, .. } = &mut bad_tolerance.answer {
            *tolerance = Tolerance::Percent { value: -5.0 };
            *decimal_places = 11;
        }
        assert_eq!(errors(&bad_tolerance), ["/answer/tolerance/value", "/answer/decimal_places"]);
    }

    #[test]
    fn file_upload() {
        let fu = |exts: &[&str]| {
            q("?", AnswerModel::FileUpload { allowed_extensions: exts.iter().map(|s| (*s).to_owned()).collect() })
        };
        assert!(validate(&fu(&[])).is_ok());
        assert!(validate(&fu(&["pdf", "docx", "mp4"])).is_ok());
        assert_eq!(
            errors(&fu(&["pdf", ".doc", "", "tar.gz", "PDF", "a/b"])),
            [
                "/answer/allowed_extensions/1",
                "/answer/allowed_extensions/2",
                "/answer/allowed_extensions/3",
                "/answer/allowed_extensions/4",
                "/answer/allowed_extensions/5"
            ]
        );
    }

    #[test]
    fn sanitize_body_cleans_every_html_field_and_only_those() {
        let mut c = choice("a", true);
        c.text = "<b onclick=x()>A</b><script>1</script>".to_owned();
        c.feedback = Some("<img src=x onerror=y()>".to_owned());
        let mut body = q(
            "<p>Q<script>alert(1)</script></p>",
            AnswerModel::MultipleDropdowns {
                dropdowns: vec![Dropdown { id: "d".to_owned(), choices: vec![c.clone(), choice("b", false)] }],
            },
        );
        body.feedback = Feedback {
            correct: Some("<a href=javascript:x()>ok</a>".to_owned()),
            incorrect: None,
            neutral: Some("n".to_owned()),
        };
        let clean = sanitize_body(body);
        assert_eq!(clean.text, "<p>Q</p>");
        assert_eq!(clean.feedback.correct.as_deref(), Some("<a rel=\"noopener noreferrer\">ok</a>"));
        assert_eq!(clean.feedback.neutral.as_deref(), Some("n"));
        let AnswerModel::MultipleDropdowns { dropdowns } = &clean.answer else { panic!() };
        assert_eq!(dropdowns[0].choices[0].text, "<b>A</b>");
        assert_eq!(dropdowns[0].choices[0].feedback.as_deref(), Some("<img src=\"x\">"));

        let ma = sanitize_body(q(
            "?",
            AnswerModel::MultipleAnswers { choices: vec![c], partial_credit: PartialCredit::AllOrNothing },
        ));
        let AnswerModel::MultipleAnswers { choices, .. } = &ma.answer else { panic!() };
        assert_eq!(choices[0].text, "<b>A</b>");
        // Plain-text answers are not HTML: they keep their characters.
        let sa = sanitize_body(q(
            "?",
            AnswerModel::ShortAnswer { accepted: vec!["a < b".to_owned()], text_match: TextMatch::default() },
        ));
        assert_eq!(
            sa.answer,
            AnswerModel::ShortAnswer { accepted: vec!["a < b".to_owned()], text_match: TextMatch::default() }
        );
    }
}
