//! Canvas's answer sets of calculated questions (`<var_sets>`): a list of variable values with the formula's
//! answer for each, which Canvas draws from when it delivers the question. Assay draws values itself when a test
//! is taken, so the model keeps no list: writing generates one from the question (Assay's own seeded draw and
//! formula evaluation, so the sets are the ones Assay would deal and score), and reading checks a package's sets
//! against the question's formula, warning about any answer Assay would not accept at those values.

use assay_domain::question::{
    QuestionBody, Response, formula,
    model::{AnswerModel, Draw, Feedback, Tolerance, Variable},
    score::{Outcome, correct_response, score},
};

/// How many sets an exported question carries.
pub(crate) const COUNT: usize = 10;
/// Draws tried to find them: a draw at which the formula cannot be evaluated (a division by zero) is skipped.
const MAX_DRAWS: u64 = 200;

/// One answer set, as written: each variable's value (in the variables' order, with its `scale` decimals) and the
/// answer (with the question's `decimal_places`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AnswerSet {
    pub values: Vec<(String, String)>,
    pub answer: String,
}

fn as_body(answer: AnswerModel) -> QuestionBody {
    QuestionBody {
        name: String::new(),
        text: String::new(),
        points_possible: 1.0,
        feedback: Feedback::default(),
        answer,
    }
}

/// Up to [`COUNT`] answer sets for a calculated question: draws with seeds 1, 2, …, each with the answer Assay's
/// scoring takes as correct. Deterministic, so an export is reproducible.
pub(crate) fn generate(
    variables: &[Variable],
    formula: &str,
    tolerance: Tolerance,
    decimal_places: u32,
) -> Vec<AnswerSet> {
    let body = as_body(AnswerModel::Calculated {
        variables: variables.to_vec(),
        formula: formula.to_owned(),
        tolerance,
        decimal_places,
    });
    let mut sets = Vec::with_capacity(COUNT);
    for seed in 1..=MAX_DRAWS {
        if sets.len() == COUNT {
            break;
        }
        let draw = formula::draw(variables, seed);
        let Some(Response::Number(answer)) = correct_response(&body, &draw) else { continue };
        let values = variables
            .iter()
            .map(|v| {
                let value = draw.get(&v.name).copied().unwrap_or_default();
                (v.name.clone(), format!("{:.*}", v.scale.min(15) as usize, value))
            })
            .collect();
        sets.push(AnswerSet { values, answer });
    }
    sets
}

/// Why a package's answer set does not fit its question, if it does not: a variable value or the answer cannot
/// be read, or the answer is not one Assay's scoring accepts at those values.
pub(crate) fn check(answer_model: &AnswerModel, set: &AnswerSet) -> Result<(), String> {
    let mut draw = Draw::new();
    for (name, raw) in &set.values {
        let value =
            crate::numbers::parse(raw).ok_or_else(|| format!("its value of {name} ({raw:?}) is not a number"))?;
        draw.insert(name.clone(), value);
    }
    let body = as_body(answer_model.clone());
    let judged = score(&body, Some(&Response::Number(set.answer.clone())), &draw);
    match judged.outcome {
        Outcome::Correct => Ok(()),
        _ => {
            let expected = match correct_response(&body, &draw) {
                Some(Response::Number(n)) => n,
                _ => "no value (the formula cannot be evaluated there)".to_owned(),
            };
            Err(format!("its answer {} is not what the formula gives for those values ({expected})", set.answer))
        }
    }
}
