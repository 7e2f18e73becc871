//! Scoring: what a response to a question is worth. Pure and total: any response, of any shape, to any question
//! (even one that would fail validation) gives a score in `[0, points_possible]` without panicking.
//!
//! Every scored type first computes the fraction of the question answered correctly, in `[0, 1]`; the points are
//! that fraction of `points_possible`, rounded to 1e-6 (so 0.1 + 0.2 gives 0.3), and the outcome is `Correct`
//! at 1, `Incorrect` at 0 and `Partial` between. Rules per type:
//!
//! - multiple choice, true/false: all or nothing.
//! - multiple answers, by [`PartialCredit`]:
//!   - `CorrectMinusIncorrect` (Canvas's rule): each correct choice picked earns `1/C` and each incorrect choice
//!     picked costs `1/C`, where `C` is the number of correct choices; never below 0. So with 2 correct of 4,
//!     picking both correct and one wrong earns half.
//!   - `AllOrNothing`: 1 only for exactly the correct set.
//!   - `PerChoice`: each choice whose picked/not-picked state is right earns `1/N` of `N` choices.
//! - short answer: 1 if the text matches any accepted answer under the question's [`TextMatch`].
//! - fill in multiple blanks, multiple dropdowns: each blank/dropdown right earns `1/B` of `B`.
//! - matching: each pair given its right-hand text earns `1/P` of `P` pairs.
//! - ordering: each item in its correct position earns `1/N` (position-wise, so a list shifted by one scores
//!   low; that is the documented rule).
//! - numerical: 1 if the number matches any accepted answer: exact ± margin (inclusive), a range (inclusive),
//!   or equal to the answer at `precision` significant digits. Bounds are widened by a float tolerance of 1e-9
//!   relative (at least 1e-9 absolute) so typed decimals on a bound count as on it.
//! - calculated: the formula evaluated with the attempt's draw; 1 if the number is within the tolerance (absolute,
//!   or a percentage of the correct value) of the value rounded to `decimal_places`, or of the unrounded value.
//!   A formula that cannot be evaluated for the draw is handed to a person (`NeedsGrading`).
//! - essay, file upload: `NeedsGrading`, 0 points until a person grades it. Text only: `NotScored`, 0 points.
//!
//! No response, or a blank one (empty text, nothing picked, every blank empty), is `Unanswered`. A response of
//! another question type's shape is `Incorrect`.
//!
//! Numbers are read leniently ([`parse_number`]): surrounding whitespace, a leading `+`, the Unicode minus sign,
//! exponents (`1.5e3`), thousands separators in the English form (`1,234,567.5`), and a decimal comma when the
//! number is not in that form (`1,5` is 1.5). So `1,234` is 1234, never 1.234. `inf`, `NaN` and anything else
//! are not numbers (the response is incorrect).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::formula::{self, round_to};
use super::model::{AnswerModel, Draw, NumericAnswer, PartialCredit, QuestionBody, Response, TextMatch, Tolerance};

/// What a response earned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub points: f64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Full credit.
    Correct,
    /// Some credit, not all.
    Partial,
    /// No credit.
    Incorrect,
    /// No (or a blank) response.
    Unanswered,
    /// A person must grade it (essay, file upload, or a calculated question whose formula failed for the draw).
    NeedsGrading,
    /// Nothing to score (text only).
    NotScored,
}

impl Score {
    const fn zero(outcome: Outcome) -> Score {
        Score { points: 0.0, outcome }
    }
}

/// Scores a response; `draw` holds the attempt's variable values (used by calculated questions only).
pub fn score(body: &QuestionBody, response: Option<&Response>, draw: &Draw) -> Score {
    let possible =
        if body.points_possible.is_finite() && body.points_possible > 0.0 { body.points_possible } else { 0.0 };
    let response = match (&body.answer, response) {
        (AnswerModel::TextOnly, _) => return Score::zero(Outcome::NotScored),
        (_, None) => return Score::zero(Outcome::Unanswered),
        (_, Some(r)) if is_blank(r) => return Score::zero(Outcome::Unanswered),
        (_, Some(r)) => r,
    };
    match fraction(&body.answer, response, draw) {
        Judged::Fraction(f) => {
            let f = if f.is_finite() { f.clamp(0.0, 1.0) } else { 0.0 };
            let outcome = if f >= 1.0 - 1e-12 {
                Outcome::Correct
            } else if f <= 0.0 {
                Outcome::Incorrect
            } else {
                Outcome::Partial
            };
            let points = if outcome == Outcome::Correct { possible } else { round_to(f * possible, 6).min(possible) };
            Score { points, outcome }
        }
        Judged::ByPerson => Score::zero(Outcome::NeedsGrading),
    }
}

enum Judged {
    Fraction(f64),
    ByPerson,
}

fn blank_text(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_blank(response: &Response) -> bool {
    match response {
        Response::Choice(s) | Response::Text(s) | Response::Number(s) => blank_text(s),
        Response::Bool(_) => false,
        Response::Choices(v) | Response::Order(v) => v.is_empty(),
        Response::Blanks(m) | Response::Matches(m) => m.values().all(|s| blank_text(s)),
        Response::Files(v) => v.is_empty(),
    }
}

fn ratio(right: usize, total: usize) -> f64 {
    if total == 0 { 0.0 } else { right as f64 / total as f64 }
}

fn all_or_nothing(ok: bool) -> Judged {
    Judged::Fraction(if ok { 1.0 } else { 0.0 })
}

fn fraction(answer: &AnswerModel, response: &Response, draw: &Draw) -> Judged {
    match (answer, response) {
        (AnswerModel::MultipleChoice { choices }, Response::Choice(id)) => {
            all_or_nothing(choices.iter().any(|c| c.correct && c.id == *id))
        }
        (AnswerModel::TrueFalse { correct }, Response::Bool(b)) => all_or_nothing(correct == b),
        (AnswerModel::MultipleAnswers { choices, partial_credit }, Response::Choices(ids)) => {
            let picked: HashSet<&str> = ids.iter().map(String::as_str).collect();
            let n_correct = choices.iter().filter(|c| c.correct).count();
            let right_picked = choices.iter().filter(|c| c.correct && picked.contains(c.id.as_str())).count();
            let wrong_picked = choices.iter().filter(|c| !c.correct && picked.contains(c.id.as_str())).count();
            Judged::Fraction(match partial_credit {
                PartialCredit::CorrectMinusIncorrect => {
                    (ratio(right_picked, n_correct) - ratio(wrong_picked, n_correct)).max(0.0)
                }
                PartialCredit::AllOrNothing => {
                    if n_correct > 0 && right_picked == n_correct && wrong_picked == 0 {
                        1.0
                    } else {
                        0.0
                    }
                }
                PartialCredit::PerChoice => {
                    let right = choices.iter().filter(|c| c.correct == picked.contains(c.id.as_str())).count();
                    ratio(right, choices.len())
                }
            })
        }
        (AnswerModel::ShortAnswer { accepted, text_match }, Response::Text(text)) => {
            all_or_nothing(text_matches(text, accepted, *text_match))
        }
        (AnswerModel::FillInMultipleBlanks { blanks, text_match }, Response::Blanks(given)) => {
            let right = blanks
                .iter()
                .filter(|b| given.get(&b.id).is_some_and(|t| text_matches(t, &b.accepted, *text_match)))
                .count();
            Judged::Fraction(ratio(right, blanks.len()))
        }
        (AnswerModel::MultipleDropdowns { dropdowns }, Response::Blanks(given)) => {
            let right = dropdowns
                .iter()
                .filter(|d| given.get(&d.id).is_some_and(|id| d.choices.iter().any(|c| c.correct && c.id == *id)))
                .count();
            Judged::Fraction(ratio(right, dropdowns.len()))
        }
        (AnswerModel::Matching { pairs, .. }, Response::Matches(given)) => {
            let right = pairs.iter().filter(|p| given.get(&p.id).is_some_and(|r| r.trim() == p.right.trim())).count();
            Judged::Fraction(ratio(right, pairs.len()))
        }
        (AnswerModel::Ordering { items }, Response::Order(ids)) => {
            let right = items.iter().zip(ids).filter(|(item, id)| item.id == **id).count();
            Judged::Fraction(ratio(right, items.len()))
        }
        (AnswerModel::Numerical { answers }, Response::Number(typed)) => {
            all_or_nothing(parse_number(typed).is_some_and(|x| answers.iter().any(|a| numeric_matches(a, x))))
        }
        (AnswerModel::Calculated { formula: src, tolerance, decimal_places, .. }, Response::Number(typed)) => {
            let Ok(exact) = formula::parse(src).and_then(|e| e.eval(draw)) else {
                return Judged::ByPerson;
            };
            let rounded = round_to(exact, (*decimal_places).min(15) as i32);
            all_or_nothing(
                parse_number(typed).is_some_and(|x| {
                    within_tolerance(x, rounded, *tolerance) || within_tolerance(x, exact, *tolerance)
                }),
            )
        }
        (AnswerModel::Essay, Response::Text(_)) | (AnswerModel::FileUpload { .. }, Response::Files(_)) => {
            Judged::ByPerson
        }
        _ => Judged::Fraction(0.0),
    }
}

/// Whether typed text matches any accepted answer.
pub fn text_matches(typed: &str, accepted: &[String], how: TextMatch) -> bool {
    let normalize = |s: &str| -> String {
        let s =
            if how.normalize_whitespace { s.split_whitespace().collect::<Vec<_>>().join(" ") } else { s.to_owned() };
        if how.case_sensitive { s } else { s.to_lowercase() }
    };
    let typed = normalize(typed);
    accepted.iter().any(|a| normalize(a) == typed)
}

/// Reads a typed number leniently (see the module documentation); `None` if it is not a finite number.
pub fn parse_number(typed: &str) -> Option<f64> {
    let s = typed.trim().replace('\u{2212}', "-");
    if s.is_empty() || s.len() > 400 || !s.chars().all(|c| c.is_ascii_digit() || ".,+-eE".contains(c)) {
        return None;
    }
    let s = if s.contains(',') {
        if is_thousands_grouped(&s) {
            s.replace(',', "")
        } else if s.matches(',').count() == 1 && !s.contains('.') {
            s.replace(',', ".")
        } else {
            return None;
        }
    } else {
        s
    };
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `[+-]d{1,3}(,ddd)+` followed by an optional fraction and exponent.
fn is_thousands_grouped(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let integer_end = s.find(['.', 'e', 'E']).unwrap_or(s.len());
    let (integer, rest) = s.split_at(integer_end);
    if rest.contains(',') {
        return false;
    }
    let mut groups = integer.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
    let mut count = 0;
    let rest_ok = groups.all(|g| {
        count += 1;
        g.len() == 3 && g.chars().all(|c| c.is_ascii_digit())
    });
    first_ok && rest_ok && count > 0
}

fn slack(scale: f64) -> f64 {
    1e-9 * scale.max(1.0)
}

/// Whether `x` matches one accepted numerical answer.
pub fn numeric_matches(answer: &NumericAnswer, x: f64) -> bool {
    match *answer {
        NumericAnswer::Exact { value, margin } => {
            let margin = margin.abs();
            (x - value).abs() <= margin + slack(value.abs().max(margin))
        }
        NumericAnswer::Range { start, end } => {
            let eps = slack(start.abs().max(end.abs()));
            x >= start - eps && x <= end + eps
        }
        NumericAnswer::Precision { value, precision } => {
            let p = precision.clamp(1, 17);
            let (a, b) = (round_significant(x, p), round_significant(value, p));
            // Both sit on the grid of the last kept digit: equal up to float noise, or a whole step apart.
            if a == b {
                return true;
            }
            let smaller = a.abs().min(b.abs());
            let step = if smaller > 0.0 { 10f64.powi(smaller.log10().floor() as i32 + 1 - p as i32) } else { 0.0 };
            (a - b).abs() < step / 2.0
        }
    }
}

/// `x` rounded half away from zero to `digits` significant digits.
pub fn round_significant(x: f64, digits: u32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = x.abs().log10().floor() as i32;
    round_to(x, digits as i32 - 1 - magnitude)
}

fn within_tolerance(x: f64, correct: f64, tolerance: Tolerance) -> bool {
    let allowed = match tolerance {
        Tolerance::Absolute { value } => value.abs(),
        Tolerance::Percent { value } => correct.abs() * value.abs() / 100.0,
    };
    (x - correct).abs() <= allowed + slack(correct.abs().max(allowed))
}

/// A number as typed back: plain decimals for ordinary magnitudes, exponent form for very large or small ones.
pub fn format_number(x: f64) -> String {
    if x == 0.0 || (1e-6..1e15).contains(&x.abs()) { x.to_string() } else { format!("{x:e}") }
}

/// A response earning full credit, for "show correct answers" and tests; `None` for essay, file upload and text
/// only (and for a question with no correct answer, or a calculated formula that fails for the draw).
pub fn correct_response(body: &QuestionBody, draw: &Draw) -> Option<Response> {
    Some(match &body.answer {
        AnswerModel::MultipleChoice { choices } => Response::Choice(choices.iter().find(|c| c.correct)?.id.clone()),
        AnswerModel::TrueFalse { correct } => Response::Bool(*correct),
        AnswerModel::MultipleAnswers { choices, .. } => {
            Response::Choices(choices.iter().filter(|c| c.correct).map(|c| c.id.clone()).collect())
        }
        AnswerModel::ShortAnswer { accepted, .. } => Response::Text(accepted.first()?.clone()),
        AnswerModel::FillInMultipleBlanks { blanks, .. } => Response::Blanks(
            blanks.iter().map(|b| Some((b.id.clone(), b.accepted.first()?.clone()))).collect::<Option<_>>()?,
        ),
        AnswerModel::MultipleDropdowns { dropdowns } => Response::Blanks(
            dropdowns
                .iter()
                .map(|d| Some((d.id.clone(), d.choices.iter().find(|c| c.correct)?.id.clone())))
                .collect::<Option<BTreeMap<_, _>>>()?,
        ),
        AnswerModel::Matching { pairs, .. } => {
            Response::Matches(pairs.iter().map(|p| (p.id.clone(), p.right.clone())).collect())
        }
        AnswerModel::Ordering { items } => Response::Order(items.iter().map(|i| i.id.clone()).collect()),
        AnswerModel::Numerical { answers } => Response::Number(match answers.first()? {
            NumericAnswer::Exact { value, .. } | NumericAnswer::Precision { value, .. } => format_number(*value),
            NumericAnswer::Range { start, end } => format_number(start / 2.0 + end / 2.0),
        }),
        AnswerModel::Calculated { formula: src, decimal_places, .. } => {
            let value = formula::parse(src).and_then(|e| e.eval(draw)).ok()?;
            let places = (*decimal_places).min(15) as usize;
            Response::Number(format!("{:.*}", places, round_to(value, places as i32)))
        }
        AnswerModel::Essay | AnswerModel::FileUpload { .. } | AnswerModel::TextOnly => return None,
    })
}

#[cfg(test)]
mod tests;
