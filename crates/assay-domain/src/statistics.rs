//! Item and test statistics of a quiz's finished attempts (classical test theory), as Canvas's quiz statistics
//! report them.
//!
//! - **Difficulty** (p-value, Canvas `difficulty_index`): the mean fraction of the question's points the
//!   candidates shown it earned, unanswered counting 0. For a right-or-wrong question it is the share who got it
//!   right; 1 is easy, 0 is hard.
//! - **Discrimination** (`discrimination_index`): the correlation between a candidate's fraction of the question
//!   and their total score on the attempt — for a right-or-wrong question the point-biserial correlation. Positive
//!   means strong candidates do better on it; near 0 or negative flags a question to review. The total includes the
//!   question itself (Canvas's choice), so small tests lean positive.
//! - **Point-biserial per choice** (choice questions): the correlation between picking that choice (1/0) and the
//!   total: the correct choice should be positive, distractors negative.
//! - **Answer distribution**: how many candidates picked each choice, typed each answer (text compared trimmed,
//!   with runs of whitespace as one space and ignoring case; the first spelling seen is shown), or put each answer
//!   in each blank, dropdown or matching pair; `none` counts those shown the question who left it blank.
//!
//! Correlations and standard deviations are population ones (divided by n); `None` when they are undefined (fewer
//! than two candidates, or no variation).

use std::collections::BTreeMap;

use crate::question::{AnswerModel, QuestionBody, Response};

/// The mean of `xs`; `None` when empty.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The population variance of `xs`; `None` when empty.
pub fn variance(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    Some(xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64)
}

/// The population standard deviation of `xs`; `None` when empty.
pub fn stdev(xs: &[f64]) -> Option<f64> {
    variance(xs).map(f64::sqrt)
}

/// Pearson's correlation of paired values; `None` with fewer than two pairs, unequal lengths, or no variation on
/// either side.
pub fn correlation(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let covariance: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let (sx, sy): (f64, f64) = (xs.iter().map(|x| (x - mx).powi(2)).sum(), ys.iter().map(|y| (y - my).powi(2)).sum());
    // Sums of squares this small are float noise around "no variation".
    if sx <= 1e-12 || sy <= 1e-12 {
        return None;
    }
    Some((covariance / (sx * sy).sqrt()).clamp(-1.0, 1.0))
}

/// The point-biserial correlation between a yes/no property of each candidate and their totals (the Pearson
/// correlation with yes = 1, no = 0).
pub fn point_biserial(flags: &[bool], totals: &[f64]) -> Option<f64> {
    let xs: Vec<f64> = flags.iter().map(|f| if *f { 1.0 } else { 0.0 }).collect();
    correlation(&xs, totals)
}

/// One candidate shown one question: their total on the attempt, their score on the question (`None` while not
/// graded) and their response (`None` when they left it blank).
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub total: f64,
    pub score: Option<f64>,
    pub response: Option<&'a Response>,
}

/// How many gave one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerCount {
    /// A choice's id; for typed answers the answer itself; `none` for blank responses.
    pub id: String,
    pub text: String,
    /// Whether the answer is (one of) the correct ones; `None` where the question has no key for it.
    pub correct: Option<bool>,
    pub responses: usize,
}

/// The answers given in one blank, dropdown or matching pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerSet {
    pub id: String,
    pub text: String,
    pub answers: Vec<AnswerCount>,
}

/// The point-biserial correlation of picking one choice.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceDiscrimination {
    pub answer_id: String,
    pub correct: bool,
    pub point_biserial: Option<f64>,
}

/// The statistics of one question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionStatistics {
    /// Candidates shown the question.
    pub participants: usize,
    /// Of them, those who answered.
    pub answered: usize,
    /// Graded responses with full, some and no credit.
    pub correct: usize,
    pub partially_correct: usize,
    pub incorrect: usize,
    /// Responses not graded yet (essays waiting for a grader).
    pub ungraded: usize,
    pub difficulty: Option<f64>,
    pub discrimination: Option<f64>,
    /// Mean, variance and standard deviation of the points earned.
    pub mean_score: Option<f64>,
    pub variance: Option<f64>,
    pub stdev: Option<f64>,
    /// The distribution of single-answer types (choices, typed answers, orders).
    pub answers: Vec<AnswerCount>,
    /// The distribution per blank, dropdown or pair.
    pub answer_sets: Vec<AnswerSet>,
    /// Choice questions: each choice's point-biserial.
    pub point_biserials: Vec<ChoiceDiscrimination>,
}

/// The statistics of a question worth `points` in the attempts, from one observation per candidate shown it.
pub fn question_statistics(body: &QuestionBody, points: f64, observations: &[Observation<'_>]) -> QuestionStatistics {
    let graded: Vec<(f64, f64)> = observations
        .iter()
        .filter_map(|o| match (o.score, o.response) {
            (Some(score), _) => Some((score, o.total)),
            // A blank response is worth nothing whether or not it was graded.
            (None, None) => Some((0.0, o.total)),
            (None, Some(_)) => None,
        })
        .collect();
    let fractions: Vec<f64> =
        if points > 0.0 { graded.iter().map(|(score, _)| score / points).collect() } else { Vec::new() };
    let totals: Vec<f64> = graded.iter().map(|(_, total)| *total).collect();
    let scores: Vec<f64> = graded.iter().map(|(score, _)| *score).collect();
    let mut stats = QuestionStatistics {
        participants: observations.len(),
        answered: observations.iter().filter(|o| o.response.is_some()).count(),
        ungraded: observations.len() - graded.len(),
        difficulty: mean(&fractions),
        discrimination: correlation(&fractions, &totals),
        mean_score: mean(&scores),
        variance: variance(&scores),
        stdev: stdev(&scores),
        ..QuestionStatistics::default()
    };
    for fraction in &fractions {
        if *fraction >= 1.0 - 1e-9 {
            stats.correct += 1;
        } else if *fraction <= 1e-9 {
            stats.incorrect += 1;
        } else {
            stats.partially_correct += 1;
        }
    }
    distribute(body, observations, &mut stats);
    stats
}

fn none_count(observations: &[Observation<'_>]) -> Option<AnswerCount> {
    let blank = observations.iter().filter(|o| o.response.is_none()).count();
    (blank > 0).then(|| AnswerCount { id: "none".into(), text: "No Answer".into(), correct: None, responses: blank })
}

/// Text as typed answers are compared: trimmed, whitespace runs as one space, lower case.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Counts typed answers, keeping the first spelling of each and the order of first appearance.
#[derive(Default)]
struct Tally {
    order: Vec<String>,
    counts: BTreeMap<String, (String, usize)>,
}

impl Tally {
    fn add(&mut self, text: &str) {
        let key = normalize(text);
        if key.is_empty() {
            return;
        }
        let entry = self.counts.entry(key.clone()).or_insert_with(|| {
            self.order.push(key);
            (text.trim().to_owned(), 0)
        });
        entry.1 += 1;
    }

    fn into_counts(self, correct: impl Fn(&str) -> Option<bool>) -> Vec<AnswerCount> {
        let mut counts = self.counts;
        self.order
            .into_iter()
            .filter_map(|key| counts.remove(&key))
            .map(|(text, responses)| AnswerCount { id: text.clone(), correct: correct(&text), text, responses })
            .collect()
    }
}

fn choice_counts(
    choices: &[crate::question::model::Choice],
    picked: impl Fn(&Response, &str) -> bool,
    observations: &[Observation<'_>],
) -> (Vec<AnswerCount>, Vec<ChoiceDiscrimination>) {
    let totals: Vec<f64> = observations.iter().map(|o| o.total).collect();
    let mut counts = Vec::new();
    let mut discriminations = Vec::new();
    for choice in choices {
        let flags: Vec<bool> = observations.iter().map(|o| o.response.is_some_and(|r| picked(r, &choice.id))).collect();
        counts.push(AnswerCount {
            id: choice.id.clone(),
            text: choice.text.clone(),
            correct: Some(choice.correct),
            responses: flags.iter().filter(|f| **f).count(),
        });
        discriminations.push(ChoiceDiscrimination {
            answer_id: choice.id.clone(),
            correct: choice.correct,
            point_biserial: point_biserial(&flags, &totals),
        });
    }
    (counts, discriminations)
}

fn distribute(body: &QuestionBody, observations: &[Observation<'_>], stats: &mut QuestionStatistics) {
    let responses = || observations.iter().filter_map(|o| o.response);
    match &body.answer {
        AnswerModel::MultipleChoice { choices } => {
            let (counts, pbs) =
                choice_counts(choices, |r, id| matches!(r, Response::Choice(c) if c == id), observations);
            stats.answers = counts;
            stats.point_biserials = pbs;
        }
        AnswerModel::MultipleAnswers { choices, .. } => {
            let (counts, pbs) = choice_counts(
                choices,
                |r, id| matches!(r, Response::Choices(cs) if cs.iter().any(|c| c == id)),
                observations,
            );
            stats.answers = counts;
            stats.point_biserials = pbs;
        }
        AnswerModel::TrueFalse { correct } => {
            let choices = [(true, "True"), (false, "False")].map(|(value, text)| crate::question::model::Choice {
                id: value.to_string(),
                text: text.to_owned(),
                correct: value == *correct,
                feedback: None,
            });
            let (counts, pbs) =
                choice_counts(&choices, |r, id| matches!(r, Response::Bool(b) if b.to_string() == id), observations);
            stats.answers = counts;
            stats.point_biserials = pbs;
        }
        AnswerModel::ShortAnswer { accepted, .. } => {
            let mut tally = Tally::default();
            for r in responses() {
                if let Response::Text(text) = r {
                    tally.add(text);
                }
            }
            let keys: Vec<String> = accepted.iter().map(|a| normalize(a)).collect();
            stats.answers = tally.into_counts(|text| Some(keys.contains(&normalize(text))));
        }
        AnswerModel::Numerical { .. } | AnswerModel::Calculated { .. } | AnswerModel::Essay => {
            // Typed numbers, or essays: the distinct texts given (essays rarely repeat, but identical ones show).
            let mut tally = Tally::default();
            for r in responses() {
                if let Response::Number(text) | Response::Text(text) = r {
                    tally.add(text);
                }
            }
            stats.answers = tally.into_counts(|_| None);
        }
        AnswerModel::Ordering { items } => {
            let mut tally = Tally::default();
            for r in responses() {
                if let Response::Order(ids) = r {
                    tally.add(&ids.join(","));
                }
            }
            let key = normalize(&items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(","));
            stats.answers = tally.into_counts(|text| Some(normalize(text) == key));
        }
        AnswerModel::FillInMultipleBlanks { blanks, .. } => {
            stats.answer_sets = blanks
                .iter()
                .map(|blank| {
                    let mut tally = Tally::default();
                    for r in responses() {
                        if let Some(text) = matches_map(r, &blank.id) {
                            tally.add(text);
                        }
                    }
                    let keys: Vec<String> = blank.accepted.iter().map(|a| normalize(a)).collect();
                    AnswerSet {
                        id: blank.id.clone(),
                        text: blank.id.clone(),
                        answers: tally.into_counts(|text| Some(keys.contains(&normalize(text)))),
                    }
                })
                .collect();
        }
        AnswerModel::MultipleDropdowns { dropdowns } => {
            stats.answer_sets = dropdowns
                .iter()
                .map(|dropdown| AnswerSet {
                    id: dropdown.id.clone(),
                    text: dropdown.id.clone(),
                    answers: dropdown
                        .choices
                        .iter()
                        .map(|choice| AnswerCount {
                            id: choice.id.clone(),
                            text: choice.text.clone(),
                            correct: Some(choice.correct),
                            responses: responses()
                                .filter(|r| matches_map(r, &dropdown.id) == Some(choice.id.as_str()))
                                .count(),
                        })
                        .collect(),
                })
                .collect();
        }
        AnswerModel::Matching { pairs, .. } => {
            stats.answer_sets = pairs
                .iter()
                .map(|pair| {
                    let mut tally = Tally::default();
                    for r in responses() {
                        if let Some(text) = matches_map(r, &pair.id) {
                            tally.add(text);
                        }
                    }
                    let key = normalize(&pair.right);
                    AnswerSet {
                        id: pair.id.clone(),
                        text: pair.left.clone(),
                        answers: tally.into_counts(|text| Some(normalize(text) == key)),
                    }
                })
                .collect();
        }
        AnswerModel::FileUpload { .. } | AnswerModel::TextOnly => {}
    }
    if matches!(
        body.answer,
        AnswerModel::MultipleChoice { .. }
            | AnswerModel::MultipleAnswers { .. }
            | AnswerModel::TrueFalse { .. }
            | AnswerModel::ShortAnswer { .. }
            | AnswerModel::Numerical { .. }
            | AnswerModel::Calculated { .. }
            | AnswerModel::Essay
            | AnswerModel::Ordering { .. }
    ) && let Some(none) = none_count(observations)
    {
        stats.answers.push(none);
    }
}

/// The value given for `key` in a blanks, dropdowns or matching response.
fn matches_map<'r>(response: &'r Response, key: &str) -> Option<&'r str> {
    match response {
        Response::Blanks(map) | Response::Matches(map) => map.get(key).map(String::as_str),
        _ => None,
    }
}

/// One finished attempt, as the test statistics read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptSummary {
    pub score: f64,
    pub points_possible: f64,
    pub duration_seconds: Option<f64>,
    /// Questions answered fully right, and answered with no credit.
    pub correct_count: usize,
    pub incorrect_count: usize,
}

/// The statistics of a test's attempts (Canvas `submission_statistics`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestStatistics {
    pub unique_count: usize,
    pub score_average: Option<f64>,
    pub score_high: Option<f64>,
    pub score_low: Option<f64>,
    pub score_stdev: Option<f64>,
    pub duration_average: Option<f64>,
    pub correct_count_average: Option<f64>,
    pub incorrect_count_average: Option<f64>,
    /// How many attempts scored each whole percentage (rounded), by percentage.
    pub scores: BTreeMap<u32, usize>,
}

/// Summarises attempts (one per candidate, or every attempt, as the caller chooses).
pub fn test_statistics(attempts: &[AttemptSummary]) -> TestStatistics {
    let scores: Vec<f64> = attempts.iter().map(|a| a.score).collect();
    let durations: Vec<f64> = attempts.iter().filter_map(|a| a.duration_seconds).collect();
    let mut histogram = BTreeMap::new();
    for a in attempts.iter().filter(|a| a.points_possible > 0.0) {
        let percent = (a.score / a.points_possible * 100.0).round().max(0.0) as u32;
        *histogram.entry(percent).or_insert(0) += 1;
    }
    TestStatistics {
        unique_count: attempts.len(),
        score_average: mean(&scores),
        score_high: scores.iter().copied().reduce(f64::max),
        score_low: scores.iter().copied().reduce(f64::min),
        score_stdev: stdev(&scores),
        duration_average: mean(&durations),
        correct_count_average: mean(&attempts.iter().map(|a| a.correct_count as f64).collect::<Vec<_>>()),
        incorrect_count_average: mean(&attempts.iter().map(|a| a.incorrect_count as f64).collect::<Vec<_>>()),
        scores: histogram,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::model::{Blank, Choice, Feedback, TextMatch};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    fn mc() -> QuestionBody {
        let choice = |id: &str, correct| Choice { id: id.into(), text: id.to_uppercase(), correct, feedback: None };
        QuestionBody {
            name: "Q".into(),
            text: "Pick".into(),
            points_possible: 1.0,
            feedback: Feedback::default(),
            answer: AnswerModel::MultipleChoice {
                choices: vec![choice("a", true), choice("b", false), choice("c", false)],
            },
        }
    }

    #[test]
    fn basic_moments() {
        assert_eq!(mean(&[]), None);
        assert!(close(mean(&[1.0, 2.0, 3.0, 4.0]), 2.5));
        // Population variance of 2, 4, 4, 4, 5, 5, 7, 9 is 4 (σ = 2).
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(variance(&xs), 4.0));
        assert!(close(stdev(&xs), 2.0));
        assert!(close(correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), 1.0));
        assert!(close(correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
        assert_eq!(correlation(&[1.0, 1.0], &[2.0, 3.0]), None);
        assert_eq!(correlation(&[1.0], &[2.0]), None);
    }

    #[test]
    fn point_biserial_by_hand() {
        // Totals 10, 8, 6, 4; the first two got the item right. Mean right 9, mean wrong 5, overall σ = √5,
        // p = q = 0.5: r = (9 − 5) / √5 · √(0.25) = 2 / √5 ≈ 0.894427.
        let r = point_biserial(&[true, true, false, false], &[10.0, 8.0, 6.0, 4.0]);
        assert!(close(r, 2.0 / 5f64.sqrt()));
    }

    #[test]
    fn a_multiple_choice_item_by_hand() {
        let a = Response::Choice("a".into());
        let b = Response::Choice("b".into());
        // Four candidates: totals 10, 8, 6, 4; the two best chose a (right, 1 point), then b, then no answer.
        let observations = [
            Observation { total: 10.0, score: Some(1.0), response: Some(&a) },
            Observation { total: 8.0, score: Some(1.0), response: Some(&a) },
            Observation { total: 6.0, score: Some(0.0), response: Some(&b) },
            Observation { total: 4.0, score: None, response: None },
        ];
        let stats = question_statistics(&mc(), 1.0, &observations);
        assert_eq!((stats.participants, stats.answered, stats.correct, stats.incorrect), (4, 3, 2, 2));
        assert!(close(stats.difficulty, 0.5));
        assert!(close(stats.discrimination, 2.0 / 5f64.sqrt()));
        let counts: Vec<(&str, usize)> = stats.answers.iter().map(|a| (a.id.as_str(), a.responses)).collect();
        assert_eq!(counts, [("a", 2), ("b", 1), ("c", 0), ("none", 1)]);
        assert_eq!(stats.answers[0].correct, Some(true));
        // Choosing b: totals (6) vs others (10, 8, 4): mean 7, σ = √5, r = (6 − 22/3)/√5 · √(1/4 · 3/4).
        let b_pb = stats.point_biserials[1].point_biserial.unwrap();
        let expected = (6.0 - 22.0 / 3.0) / 5f64.sqrt() * (0.25f64 * 0.75).sqrt();
        assert!((b_pb - expected).abs() < 1e-9, "{b_pb} vs {expected}");
        assert_eq!(stats.point_biserials[2].point_biserial, None, "nobody chose c");
        assert!(close(stats.mean_score, 0.5));
        assert!(close(stats.variance, 0.25));
    }

    #[test]
    fn partial_credit_and_ungraded_responses() {
        let essay = QuestionBody { answer: AnswerModel::Essay, points_possible: 4.0, ..mc() };
        let text = Response::Text("An  essay ".into());
        let same = Response::Text("an essay".into());
        let observations = [
            Observation { total: 9.0, score: Some(4.0), response: Some(&text) },
            Observation { total: 5.0, score: Some(2.0), response: Some(&same) },
            Observation { total: 1.0, score: None, response: Some(&text) },
        ];
        let stats = question_statistics(&essay, 4.0, &observations);
        assert_eq!((stats.correct, stats.partially_correct, stats.ungraded), (1, 1, 1));
        assert!(close(stats.difficulty, 0.75));
        assert_eq!(stats.answers.len(), 1);
        assert_eq!((stats.answers[0].text.as_str(), stats.answers[0].responses), ("An  essay", 3));
    }

    #[test]
    fn typed_answers_and_blanks_are_tallied() {
        let short = QuestionBody {
            answer: AnswerModel::ShortAnswer { accepted: vec!["Paris".into()], text_match: TextMatch::default() },
            ..mc()
        };
        let responses =
            [Response::Text("paris".into()), Response::Text(" Paris ".into()), Response::Text("Lyon".into())];
        let observations: Vec<Observation<'_>> =
            responses.iter().map(|r| Observation { total: 1.0, score: Some(0.0), response: Some(r) }).collect();
        let stats = question_statistics(&short, 1.0, &observations);
        let counts: Vec<(&str, usize, Option<bool>)> =
            stats.answers.iter().map(|a| (a.text.as_str(), a.responses, a.correct)).collect();
        assert_eq!(counts, [("paris", 2, Some(true)), ("Lyon", 1, Some(false))]);

        let blanks = QuestionBody {
            answer: AnswerModel::FillInMultipleBlanks {
                blanks: vec![Blank { id: "x".into(), accepted: vec!["1".into()] }],
                text_match: TextMatch::default(),
            },
            ..mc()
        };
        let one = Response::Blanks([("x".to_owned(), "1".to_owned())].into());
        let two = Response::Blanks([("x".to_owned(), "2".to_owned())].into());
        let observations = [
            Observation { total: 1.0, score: Some(1.0), response: Some(&one) },
            Observation { total: 0.0, score: Some(0.0), response: Some(&two) },
        ];
        let stats = question_statistics(&blanks, 1.0, &observations);
        assert_eq!(stats.answer_sets.len(), 1);
        let counts: Vec<(&str, usize, Option<bool>)> =
            stats.answer_sets[0].answers.iter().map(|a| (a.id.as_str(), a.responses, a.correct)).collect();
        assert_eq!(counts, [("1", 1, Some(true)), ("2", 1, Some(false))]);
        assert!(close(stats.discrimination, 1.0));
    }

    #[test]
    fn true_false_has_two_choices() {
        let tf = QuestionBody { answer: AnswerModel::TrueFalse { correct: false }, ..mc() };
        let no = Response::Bool(false);
        let stats = question_statistics(&tf, 1.0, &[Observation { total: 1.0, score: Some(1.0), response: Some(&no) }]);
        let counts: Vec<(&str, usize, Option<bool>)> =
            stats.answers.iter().map(|a| (a.id.as_str(), a.responses, a.correct)).collect();
        assert_eq!(counts, [("true", 0, Some(false)), ("false", 1, Some(true))]);
    }

    #[test]
    fn test_statistics_by_hand() {
        let attempt = |score, duration, correct, incorrect| AttemptSummary {
            score,
            points_possible: 10.0,
            duration_seconds: duration,
            correct_count: correct,
            incorrect_count: incorrect,
        };
        let stats = test_statistics(&[
            attempt(10.0, Some(60.0), 2, 0),
            attempt(5.0, Some(120.0), 1, 1),
            attempt(6.0, None, 1, 1),
        ]);
        assert_eq!(stats.unique_count, 3);
        assert!(close(stats.score_average, 7.0));
        assert_eq!((stats.score_high, stats.score_low), (Some(10.0), Some(5.0)));
        // Deviations 3, −2, −1: variance 14/3.
        assert!(close(stats.score_stdev, (14.0f64 / 3.0).sqrt()));
        assert!(close(stats.duration_average, 90.0));
        assert!(close(stats.correct_count_average, 4.0 / 3.0));
        assert_eq!(stats.scores, [(50, 1), (60, 1), (100, 1)].into());
        assert_eq!(test_statistics(&[]), TestStatistics::default());
    }
}
