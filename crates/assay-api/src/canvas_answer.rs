//! A candidate's answer in Canvas's quiz-submission shape (the "Appendix: Question Answer Formats" of Canvas's
//! Quiz Submission Questions API), read into the domain's typed `Response` and written back from it, and the
//! question as a candidate sees it there (`QuizSubmissionQuestion`), built from the domain's key-free
//! `candidate_view`: no weights, no accepted answers, no feedback, no formula.
//!
//! | type | `answer` |
//! |---|---|
//! | multiple choice | a choice id |
//! | true/false | `1` (True) or `2` (False), Canvas's answer ids; `true`/`false` also read |
//! | multiple answers, ordering | a list of ids (ordering: in the candidate's order) |
//! | short answer, essay | text (essay: HTML, sanitised) |
//! | fill in multiple blanks | `{"<blank id>": "text"}` |
//! | multiple dropdowns | `{"<dropdown id>": <choice id>}` |
//! | matching | `[{"answer_id": <left id>, "match_id": <id of a right-hand option>}]` |
//! | numerical, calculated | the number (kept as typed; scoring reads it leniently) |
//! | file upload | a list of attachment ids |
//!
//! `null` (or an empty string) clears the answer. Form bodies send every leaf as a string; both are read.

use std::collections::BTreeMap;

use assay_domain::{
    FieldError,
    attempt::DrawnQuestion,
    question::{AnswerModel, CandidateAnswer, Draw, QuestionBody, Response, candidate_view},
};
use serde_json::{Map, Value, json};

/// Longest text answer accepted, in characters.
pub const MAX_TEXT: usize = 100_000;

fn id_json(id: &str) -> Value {
    id.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(id))
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list sent as a JSON array, or by a form as a hash keyed by index.
fn list(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) => {
            let mut entries: Vec<(usize, &Value)> =
                map.iter().filter_map(|(k, v)| k.parse::<usize>().ok().map(|i| (i, v))).collect();
            if entries.len() != map.len() {
                return None;
            }
            entries.sort_by_key(|(i, _)| *i);
            Some(entries.into_iter().map(|(_, v)| v.clone()).collect())
        }
        _ => None,
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The right-hand options of a matching question with the ids the candidate picks them by (1-based, in the
/// candidate view's sorted order).
fn match_options(body: &QuestionBody) -> Vec<(i64, String)> {
    match candidate_view(body, &Draw::new()).answer {
        CandidateAnswer::Matching { right, .. } => {
            right.into_iter().enumerate().map(|(i, text)| (i as i64 + 1, text)).collect()
        }
        _ => Vec::new(),
    }
}

/// Reads a Canvas `answer` for `body`; `Ok(None)` clears it. `pointer` names the field in errors.
pub fn read(body: &QuestionBody, value: &Value, pointer: &str) -> Result<Option<Response>, FieldError> {
    let bad = |message: &str| FieldError { pointer: pointer.to_owned(), message: message.to_owned() };
    if is_blank(value) {
        return Ok(None);
    }
    let choice_of = |choices: &[assay_domain::question::model::Choice], v: &Value| -> Result<String, FieldError> {
        let id = scalar(v).ok_or_else(|| bad("must be a choice id"))?;
        if choices.iter().any(|c| c.id == id) {
            Ok(id)
        } else {
            Err(bad(&format!("{id} is not a choice of this question")))
        }
    };
    let text = |v: &Value| -> Result<String, FieldError> {
        let t = scalar(v).ok_or_else(|| bad("must be text"))?;
        if t.chars().count() > MAX_TEXT { Err(bad("is too long")) } else { Ok(t) }
    };
    Ok(Some(match &body.answer {
        AnswerModel::MultipleChoice { choices } => Response::Choice(choice_of(choices, value)?),
        AnswerModel::TrueFalse { .. } => match scalar(value).as_deref() {
            Some("1" | "true" | "True") => Response::Bool(true),
            Some("2" | "false" | "False") => Response::Bool(false),
            _ => return Err(bad("must be 1 (True) or 2 (False)")),
        },
        AnswerModel::MultipleAnswers { choices, .. } => {
            let items = list(value).ok_or_else(|| bad("must be a list of choice ids"))?;
            let mut ids = Vec::with_capacity(items.len());
            for item in &items {
                let id = choice_of(choices, item)?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Response::Choices(ids)
        }
        AnswerModel::Ordering { items } => {
            let given = list(value).ok_or_else(|| bad("must be a list of item ids"))?;
            let mut ids = Vec::with_capacity(given.len());
            for item in &given {
                let id = scalar(item).ok_or_else(|| bad("must be a list of item ids"))?;
                if !items.iter().any(|i| i.id == id) {
                    return Err(bad(&format!("{id} is not an item of this question")));
                }
                if ids.contains(&id) {
                    return Err(bad(&format!("{id} is listed twice")));
                }
                ids.push(id);
            }
            Response::Order(ids)
        }
        AnswerModel::ShortAnswer { .. } => Response::Text(text(value)?),
        AnswerModel::Essay => Response::Text(crate::canvas_question::sanitize_html(&text(value)?)),
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            let map = value.as_object().ok_or_else(|| bad("must be an object of blank id → text"))?;
            let mut out = BTreeMap::new();
            for (key, v) in map {
                if !blanks.iter().any(|b| &b.id == key) {
                    return Err(bad(&format!("{key} is not a blank of this question")));
                }
                out.insert(key.clone(), if v.is_null() { String::new() } else { text(v)? });
            }
            Response::Blanks(out)
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            let map = value.as_object().ok_or_else(|| bad("must be an object of dropdown id → choice id"))?;
            let mut out = BTreeMap::new();
            for (key, v) in map {
                let dropdown = dropdowns
                    .iter()
                    .find(|d| &d.id == key)
                    .ok_or_else(|| bad(&format!("{key} is not a dropdown of this question")))?;
                if is_blank(v) {
                    continue;
                }
                out.insert(key.clone(), choice_of(&dropdown.choices, v)?);
            }
            Response::Blanks(out)
        }
        AnswerModel::Matching { pairs, .. } => {
            let options = match_options(body);
            let items = list(value).ok_or_else(|| bad("must be a list of {answer_id, match_id}"))?;
            let mut out = BTreeMap::new();
            for item in &items {
                let map = item.as_object().ok_or_else(|| bad("must be a list of {answer_id, match_id}"))?;
                let left = map.get("answer_id").and_then(scalar).ok_or_else(|| bad("answer_id is missing"))?;
                if !pairs.iter().any(|p| p.id == left) {
                    return Err(bad(&format!("{left} is not a left-hand item of this question")));
                }
                let Some(picked) = map.get("match_id").filter(|v| !is_blank(v)) else { continue };
                let picked = scalar(picked)
                    .and_then(|m| m.parse::<i64>().ok())
                    .ok_or_else(|| bad("match_id must be a number"))?;
                let right = options
                    .iter()
                    .find(|(id, _)| *id == picked)
                    .map(|(_, text)| text.clone())
                    .ok_or_else(|| bad(&format!("{picked} is not a match_id of this question")))?;
                out.insert(left, right);
            }
            Response::Matches(out)
        }
        AnswerModel::Numerical { .. } | AnswerModel::Calculated { .. } => {
            let typed = scalar(value).ok_or_else(|| bad("must be a number"))?;
            if typed.chars().count() > 100 {
                return Err(bad("is too long for a number"));
            }
            Response::Number(typed)
        }
        AnswerModel::FileUpload { .. } => {
            let items = list(value).ok_or_else(|| bad("must be a list of attachment ids"))?;
            let ids = items
                .iter()
                .map(|v| scalar(v).and_then(|s| s.parse::<i64>().ok()))
                .collect::<Option<Vec<i64>>>()
                .ok_or_else(|| bad("must be a list of attachment ids"))?;
            Response::Files(ids)
        }
        AnswerModel::TextOnly => return Err(bad("a text-only item takes no answer")),
    }))
}

/// A stored response in Canvas's `answer` shape (`null` when there is none).
pub fn write(body: &QuestionBody, response: Option<&Response>) -> Value {
    let Some(response) = response else { return Value::Null };
    match response {
        Response::Choice(id) => id_json(id),
        Response::Bool(b) => json!(if *b { 1 } else { 2 }),
        Response::Choices(ids) | Response::Order(ids) => Value::Array(ids.iter().map(|i| id_json(i)).collect()),
        Response::Text(t) | Response::Number(t) => Value::String(t.clone()),
        Response::Blanks(map) => {
            let dropdowns = matches!(body.answer, AnswerModel::MultipleDropdowns { .. });
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), if dropdowns { id_json(v) } else { Value::String(v.clone()) }))
                    .collect(),
            )
        }
        Response::Matches(map) => {
            let options = match_options(body);
            Value::Array(
                map.iter()
                    .map(|(left, right)| {
                        let match_id = options.iter().find(|(_, text)| text == right).map(|(id, _)| *id);
                        json!({"answer_id": id_json(left), "match_id": match_id})
                    })
                    .collect(),
            )
        }
        Response::Files(ids) => json!(ids),
    }
}

/// A question of an attempt as its candidate sees it (Canvas `QuizSubmissionQuestion`, with the question's
/// text, type and points, which Canvas sends with `include[]=quiz_question`).
pub fn candidate_question(
    body: &QuestionBody,
    drawn: &DrawnQuestion,
    variables: &Draw,
    answer: Option<&Response>,
    flagged: bool,
) -> Value {
    let view = candidate_view(body, variables);
    let mut out = Map::new();
    out.insert("id".into(), json!(drawn.question_id));
    out.insert("position".into(), json!(drawn.position));
    out.insert("question_name".into(), json!(view.name));
    out.insert("question_type".into(), json!(view.question_type.canvas_name()));
    out.insert("question_text".into(), json!(view.text));
    out.insert("points_possible".into(), json!(drawn.points));
    out.insert("flagged".into(), json!(flagged));
    out.insert("answer".into(), write(body, answer));
    let option = |id: &str, text: &str| json!({"id": id_json(id), "text": text});
    let in_shown_order = |choices: Vec<assay_domain::question::view::CandidateChoice>| -> Vec<Value> {
        let mut ordered: Vec<&assay_domain::question::view::CandidateChoice> =
            drawn.answer_order.iter().filter_map(|id| choices.iter().find(|c| &c.id == id)).collect();
        for c in &choices {
            if !ordered.iter().any(|o| o.id == c.id) {
                ordered.push(c);
            }
        }
        ordered.into_iter().map(|c| option(&c.id, &c.text)).collect()
    };
    let answers: Vec<Value> = match view.answer {
        CandidateAnswer::MultipleChoice { choices } | CandidateAnswer::MultipleAnswers { choices } => {
            in_shown_order(choices)
        }
        CandidateAnswer::TrueFalse => vec![option("1", "True"), option("2", "False")],
        CandidateAnswer::MultipleDropdowns { dropdowns } => dropdowns
            .iter()
            .flat_map(|d| d.choices.iter().map(|c| json!({"id": id_json(&c.id), "text": c.text, "blank_id": d.id})))
            .collect(),
        CandidateAnswer::Matching { left, right } => {
            let matches: Vec<Value> =
                right.iter().enumerate().map(|(i, text)| json!({"match_id": i as i64 + 1, "text": text})).collect();
            out.insert("matches".into(), Value::Array(matches));
            left.iter().map(|c| option(&c.id, &c.text)).collect()
        }
        CandidateAnswer::Ordering { items } => items.iter().map(|c| option(&c.id, &c.text)).collect(),
        CandidateAnswer::FillInMultipleBlanks { blanks } => {
            out.insert("blank_ids".into(), json!(blanks));
            Vec::new()
        }
        CandidateAnswer::Calculated { variables } => {
            out.insert(
                "variables".into(),
                Value::Array(variables.iter().map(|v| json!({"name": v.name, "value": v.value})).collect()),
            );
            Vec::new()
        }
        CandidateAnswer::FileUpload { allowed_extensions } => {
            out.insert("allowed_extensions".into(), json!(allowed_extensions));
            Vec::new()
        }
        CandidateAnswer::ShortAnswer
        | CandidateAnswer::Numerical
        | CandidateAnswer::Essay
        | CandidateAnswer::TextOnly => Vec::new(),
    };
    out.insert("answers".into(), Value::Array(answers));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_domain::question::model::{Blank, Choice, MatchPair, TextMatch};

    fn body(answer: AnswerModel) -> QuestionBody {
        QuestionBody {
            name: "Q".into(),
            text: "<p>Q</p>".into(),
            points_possible: 1.0,
            feedback: Default::default(),
            answer,
        }
    }

    fn choice(id: &str, correct: bool) -> Choice {
        Choice { id: id.into(), text: format!("<p>{id}</p>"), correct, feedback: Some("why".into()) }
    }

    #[test]
    fn answers_round_trip_through_the_canvas_shape() {
        let cases = vec![
            (body(AnswerModel::MultipleChoice { choices: vec![choice("11", true), choice("12", false)] }), json!(12)),
            (body(AnswerModel::TrueFalse { correct: true }), json!(1)),
            (
                body(AnswerModel::MultipleAnswers {
                    choices: vec![choice("a", true), choice("b", false)],
                    partial_credit: Default::default(),
                }),
                json!(["b", "a"]),
            ),
            (
                body(AnswerModel::FillInMultipleBlanks {
                    blanks: vec![Blank { id: "color".into(), accepted: vec!["red".into()] }],
                    text_match: TextMatch::default(),
                }),
                json!({"color": "blue"}),
            ),
            (
                body(AnswerModel::Matching {
                    pairs: vec![
                        MatchPair { id: "1".into(), left: "France".into(), right: "Paris".into() },
                        MatchPair { id: "2".into(), left: "Italy".into(), right: "Rome".into() },
                    ],
                    distractors: vec!["Athens".into()],
                }),
                json!([{"answer_id": 1, "match_id": 2}, {"answer_id": 2, "match_id": 3}]),
            ),
            (body(AnswerModel::Numerical { answers: vec![] }), json!("1,5")),
        ];
        for (b, wire) in cases {
            let read = read(&b, &wire, "/a").unwrap();
            assert_eq!(write(&b, read.as_ref()), wire, "{:?}", b.answer.question_type());
        }
    }

    #[test]
    fn form_strings_and_bad_answers() {
        let mc = body(AnswerModel::MultipleChoice { choices: vec![choice("11", true)] });
        assert_eq!(read(&mc, &json!("11"), "/a").unwrap(), Some(Response::Choice("11".into())));
        assert_eq!(read(&mc, &json!(""), "/a").unwrap(), None);
        assert_eq!(read(&mc, &json!("99"), "/a").unwrap_err().pointer, "/a");
        let ma =
            body(AnswerModel::MultipleAnswers { choices: vec![choice("a", true)], partial_credit: Default::default() });
        assert_eq!(read(&ma, &json!({"0": "a"}), "/a").unwrap(), Some(Response::Choices(vec!["a".into()])));
        assert!(read(&body(AnswerModel::TextOnly), &json!("x"), "/a").is_err());
        assert!(read(&body(AnswerModel::TrueFalse { correct: true }), &json!("maybe"), "/a").is_err());
    }

    #[test]
    fn the_candidate_never_sees_the_key() {
        let b = body(AnswerModel::MultipleChoice { choices: vec![choice("a", true), choice("b", false)] });
        let drawn = DrawnQuestion {
            question_id: 5,
            question_version: 1,
            points: 2.0,
            quiz_group_id: None,
            position: 1,
            answer_order: vec!["b".into(), "a".into()],
        };
        let shown = candidate_question(&b, &drawn, &Draw::new(), None, false);
        let text = shown.to_string();
        for leak in ["correct", "weight", "why", "feedback"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        assert_eq!(shown["answers"][0]["id"], "b", "shown in the attempt's answer order");
        assert_eq!(shown["points_possible"], 2.0);
    }
}
