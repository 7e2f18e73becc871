//! What a candidate may see of a question while answering it: the prompt and the options, never the answer key.
//! No `correct` flags, no accepted answers, no feedback, no numerical answers, no formula or tolerance.
//!
//! - choices keep the authored order (shuffling is delivery's business);
//! - matching lists the left sides in authored order and the right-hand options (every distinct right side and
//!   distractor) sorted, so the list says nothing about which right goes with which left;
//! - ordering items are sorted by text (then id), not by id: imported ids are often numbered in the correct order;
//! - calculated questions show the attempt's drawn values, substituted for `[name]` in the text and listed, each
//!   with the variable's `scale` decimal places.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{AnswerModel, Choice, Draw, QuestionBody, QuestionType};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateView {
    pub question_type: QuestionType,
    pub name: String,
    /// Sanitised HTML; calculated questions have their variables' values filled in.
    pub text: String,
    pub points_possible: f64,
    pub answer: CandidateAnswer,
}

/// An option to pick: id and (HTML) text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateChoice {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateDropdown {
    pub id: String,
    pub choices: Vec<CandidateChoice>,
}

/// A drawn variable value, formatted with the variable's scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateVariable {
    pub name: String,
    pub value: String,
}

/// The answer model without its key, by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CandidateAnswer {
    MultipleChoice {
        choices: Vec<CandidateChoice>,
    },
    TrueFalse,
    MultipleAnswers {
        choices: Vec<CandidateChoice>,
    },
    ShortAnswer,
    /// The blank ids, as written `[id]` in the text.
    FillInMultipleBlanks {
        blanks: Vec<String>,
    },
    MultipleDropdowns {
        dropdowns: Vec<CandidateDropdown>,
    },
    Matching {
        /// Pair id and left-hand text.
        left: Vec<CandidateChoice>,
        /// The right-hand options, sorted.
        right: Vec<String>,
    },
    Ordering {
        items: Vec<CandidateChoice>,
    },
    Numerical,
    Calculated {
        variables: Vec<CandidateVariable>,
    },
    Essay,
    FileUpload {
        allowed_extensions: Vec<String>,
    },
    TextOnly,
}

fn choices(list: &[Choice]) -> Vec<CandidateChoice> {
    list.iter().map(|c| CandidateChoice { id: c.id.clone(), text: c.text.clone() }).collect()
}

/// The question as the candidate sees it in this attempt (`draw`: the attempt's calculated values).
pub fn candidate_view(body: &QuestionBody, draw: &Draw) -> CandidateView {
    let mut text = body.text.clone();
    let answer = match &body.answer {
        AnswerModel::MultipleChoice { choices: list } => CandidateAnswer::MultipleChoice { choices: choices(list) },
        AnswerModel::TrueFalse { .. } => CandidateAnswer::TrueFalse,
        AnswerModel::MultipleAnswers { choices: list, .. } => {
            CandidateAnswer::MultipleAnswers { choices: choices(list) }
        }
        AnswerModel::ShortAnswer { .. } => CandidateAnswer::ShortAnswer,
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            CandidateAnswer::FillInMultipleBlanks { blanks: blanks.iter().map(|b| b.id.clone()).collect() }
        }
        AnswerModel::MultipleDropdowns { dropdowns } => CandidateAnswer::MultipleDropdowns {
            dropdowns: dropdowns
                .iter()
                .map(|d| CandidateDropdown { id: d.id.clone(), choices: choices(&d.choices) })
                .collect(),
        },
        AnswerModel::Matching { pairs, distractors } => {
            let right: BTreeSet<&str> =
                pairs.iter().map(|p| p.right.as_str()).chain(distractors.iter().map(String::as_str)).collect();
            CandidateAnswer::Matching {
                left: pairs.iter().map(|p| CandidateChoice { id: p.id.clone(), text: p.left.clone() }).collect(),
                right: right.into_iter().map(str::to_owned).collect(),
            }
        }
        AnswerModel::Ordering { items } => {
            let mut items: Vec<CandidateChoice> =
                items.iter().map(|i| CandidateChoice { id: i.id.clone(), text: i.text.clone() }).collect();
            items.sort_by(|a, b| a.text.cmp(&b.text).then_with(|| a.id.cmp(&b.id)));
            CandidateAnswer::Ordering { items }
        }
        AnswerModel::Numerical { .. } => CandidateAnswer::Numerical,
        AnswerModel::Calculated { variables, .. } => {
            let shown: Vec<CandidateVariable> = variables
                .iter()
                .map(|v| {
                    let value =
                        draw.get(&v.name).map_or_else(String::new, |x| format!("{:.*}", v.scale.min(15) as usize, x));
                    CandidateVariable { name: v.name.clone(), value }
                })
                .collect();
            for v in &shown {
                text = text.replace(&format!("[{}]", v.name), &v.value);
            }
            CandidateAnswer::Calculated { variables: shown }
        }
        AnswerModel::Essay => CandidateAnswer::Essay,
        AnswerModel::FileUpload { allowed_extensions } => {
            CandidateAnswer::FileUpload { allowed_extensions: allowed_extensions.clone() }
        }
        AnswerModel::TextOnly => CandidateAnswer::TextOnly,
    };
    CandidateView {
        question_type: body.answer.question_type(),
        name: body.name.clone(),
        text,
        points_possible: body.points_possible,
        answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::formula::draw;
    use crate::question::samples;

    fn json(view: &CandidateView) -> String {
        serde_json::to_string(view).unwrap()
    }

    #[test]
    fn no_answer_key_reaches_the_candidate() {
        for q in samples::all() {
            let d = match &q.answer {
                AnswerModel::Calculated { variables, .. } => draw(variables, 1),
                _ => Draw::new(),
            };
            let view = candidate_view(&q, &d);
            assert_eq!(view.question_type, q.answer.question_type());
            let out = json(&view);
            let keys = ["\"correct\"", "\"accepted\"", "\"feedback\"", "\"formula\"", "\"tolerance\"", "\"answers\""];
            let values = ["margin", "fb ", "yes", "crimson", "1234.5678", "x / y", "decimal_places"];
            for key in keys.into_iter().chain(values) {
                assert!(!out.contains(key), "{:?} leaks {key}: {out}", view.question_type);
            }
            // And it round-trips, for clients written in Rust.
            assert_eq!(serde_json::from_str::<CandidateView>(&out).unwrap(), view);
        }
    }

    #[test]
    fn matching_and_ordering_hide_the_pairing_and_the_order() {
        let view = candidate_view(&samples::matching(), &Draw::new());
        let CandidateAnswer::Matching { left, right } = view.answer else { panic!() };
        assert_eq!(left.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["France", "Italy", "Vatican City"]);
        assert_eq!(right, ["Athens", "Berlin", "Paris", "Rome"]);

        let view = candidate_view(&samples::ordering(), &Draw::new());
        let CandidateAnswer::Ordering { items } = view.answer else { panic!() };
        assert_eq!(items.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["four", "one", "three", "two"]);
    }

    #[test]
    fn calculated_shows_the_draw() {
        let q = samples::calculated();
        let d: Draw = [("x".to_owned(), 42.0), ("y".to_owned(), 2.5)].into_iter().collect();
        let view = candidate_view(&q, &d);
        assert_eq!(view.text, "<p>What is 42 divided by 2.5?</p>");
        assert_eq!(
            view.answer,
            CandidateAnswer::Calculated {
                variables: vec![
                    CandidateVariable { name: "x".into(), value: "42".into() },
                    CandidateVariable { name: "y".into(), value: "2.5".into() },
                ]
            }
        );
    }

    #[test]
    fn choices_keep_their_order_without_flags() {
        let view = candidate_view(&samples::multiple_choice(), &Draw::new());
        let value = serde_json::to_value(&view).unwrap();
        assert_eq!(
            value["answer"],
            serde_json::json!({"type": "multiple_choice", "choices": [
                {"id": "a", "text": "<p>Choice a</p>"},
                {"id": "b", "text": "<p>Choice b</p>"},
                {"id": "c", "text": "<p>Choice c</p>"},
            ]})
        );
        assert_eq!(value["question_type"], "multiple_choice");
    }
}
