//! Grades: how a score is shown in each Canvas grading type, and how a grader's `posted_grade` becomes a score.
//!
//! A submission always stores a numeric score (points); its `grade` text is derived from the score by the
//! assignment's grading type. Letter and GPA grades go through a grading scheme: an ordered list of
//! (name, lower bound as a fraction of the points) as Canvas grading standards hold it.

use serde::{Deserialize, Serialize};

/// How an assignment's grade is expressed (Canvas `grading_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradingType {
    Points,
    Percent,
    LetterGrade,
    GpaScale,
    PassFail,
    NotGraded,
}

impl GradingType {
    pub const NAMES: &'static [&'static str] =
        &["points", "percent", "letter_grade", "gpa_scale", "pass_fail", "not_graded"];

    pub fn parse(s: &str) -> Option<GradingType> {
        Some(match s {
            "points" => GradingType::Points,
            "percent" => GradingType::Percent,
            "letter_grade" => GradingType::LetterGrade,
            "gpa_scale" => GradingType::GpaScale,
            "pass_fail" => GradingType::PassFail,
            "not_graded" => GradingType::NotGraded,
            _ => return None,
        })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            GradingType::Points => "points",
            GradingType::Percent => "percent",
            GradingType::LetterGrade => "letter_grade",
            GradingType::GpaScale => "gpa_scale",
            GradingType::PassFail => "pass_fail",
            GradingType::NotGraded => "not_graded",
        }
    }
}

/// One step of a grading scheme: scores at or above `value` (a fraction of the points, 0..=1) get `name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchemeEntry {
    pub name: String,
    pub value: f64,
}

/// A grading scheme: entries ordered from the highest bound down; the last bound is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingScheme {
    pub entries: Vec<SchemeEntry>,
}

impl GradingScheme {
    /// Canvas's default grading scheme (A 94%, A- 90%, … F 0%).
    pub fn canvas_default() -> GradingScheme {
        let steps = [
            ("A", 0.94),
            ("A-", 0.90),
            ("B+", 0.87),
            ("B", 0.84),
            ("B-", 0.80),
            ("C+", 0.77),
            ("C", 0.74),
            ("C-", 0.70),
            ("D+", 0.67),
            ("D", 0.64),
            ("D-", 0.61),
            ("F", 0.0),
        ];
        GradingScheme { entries: steps.iter().map(|(n, v)| SchemeEntry { name: (*n).to_owned(), value: *v }).collect() }
    }

    /// Checks a scheme as a grader would send it: at least one entry, names unique and non-empty, bounds in
    /// 0..=1 strictly decreasing, and the last bound 0 so every score gets a name. Returns the message for the
    /// first problem and the index of the entry it concerns.
    pub fn validate(&self) -> Result<(), (usize, &'static str)> {
        if self.entries.is_empty() {
            return Err((0, "a grading scheme needs at least one entry"));
        }
        for (i, entry) in self.entries.iter().enumerate() {
            if entry.name.trim().is_empty() {
                return Err((i, "every entry needs a name"));
            }
            if !(0.0..=1.0).contains(&entry.value) || !entry.value.is_finite() {
                return Err((i, "every value must be between 0 and 1 (or 0 and 100 as a percentage)"));
            }
            if i > 0 && entry.value >= self.entries[i - 1].value {
                return Err((i, "values must decrease from the first entry to the last"));
            }
            if self.entries[..i].iter().any(|e| e.name == entry.name) {
                return Err((i, "names must be unique"));
            }
        }
        if self.entries.last().is_some_and(|e| e.value != 0.0) {
            return Err((self.entries.len() - 1, "the last entry's value must be 0 so every score gets a grade"));
        }
        Ok(())
    }

    /// The name for a score of `fraction` of the points (scores above 100% get the top name).
    pub fn name_for(&self, fraction: f64) -> Option<&str> {
        // Compared on rounded percentages so 93.9999% (float noise) is not a step lower than 94%.
        let percent = round_to(fraction * 100.0, 4);
        self.entries.iter().find(|e| percent >= round_to(e.value * 100.0, 4)).map(|e| e.name.as_str())
    }

    /// The score fraction a name stands for: its own lower bound (Canvas gives the bound of the step).
    pub fn fraction_for(&self, name: &str) -> Option<f64> {
        let wanted = name.trim();
        self.entries.iter().find(|e| e.name.eq_ignore_ascii_case(wanted)).map(|e| e.value)
    }
}

fn round_to(x: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (x * factor).round() / factor
}

/// A number as Canvas prints scores: no trailing zeros, at most two decimals.
pub fn format_points(x: f64) -> String {
    let rounded = round_to(x, 2);
    if rounded == rounded.trunc() { format!("{}", rounded as i64) } else { format!("{rounded}") }
}

/// The grade text of `score` on an assignment worth `points_possible` in `grading_type` (Canvas `grade`):
/// points → "8.5", percent → "85%", letter/GPA → the scheme's name, pass/fail → "complete"/"incomplete".
/// `None` for `not_graded` or when a fraction is needed and the assignment is worth no points.
pub fn grade_text(
    grading_type: GradingType,
    score: f64,
    points_possible: f64,
    scheme: Option<&GradingScheme>,
) -> Option<String> {
    let fraction = (points_possible > 0.0).then(|| score / points_possible);
    match grading_type {
        GradingType::Points => Some(format_points(score)),
        GradingType::Percent => fraction.map(|f| format!("{}%", format_points(f * 100.0))),
        GradingType::LetterGrade | GradingType::GpaScale => {
            let default;
            let scheme = match scheme {
                Some(s) => s,
                None => {
                    default = GradingScheme::canvas_default();
                    &default
                }
            };
            fraction.and_then(|f| scheme.name_for(f)).map(str::to_owned)
        }
        // Canvas: full marks pass. A zero-point assignment cannot tell pass from fail by its score, so a grader's
        // "complete" there is stored as the grade text itself by the caller; here any positive score passes.
        GradingType::PassFail => {
            let passed = if points_possible > 0.0 { score >= points_possible } else { score > 0.0 };
            Some(if passed { "complete" } else { "incomplete" }.to_owned())
        }
        GradingType::NotGraded => None,
    }
}

/// Why a posted grade was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostedGradeError {
    #[error("`{0}` is not a grade for this assignment")]
    Unrecognised(String),
    #[error("a percentage needs the assignment to be worth points")]
    NoPoints,
    #[error("scores must be finite numbers")]
    NotFinite,
}

/// The score a grader's `submission[posted_grade]` stands for (Canvas rules): a number is points (in every
/// grading type), "85%" is a percentage of the points, a scheme name (letter/GPA types) is its step's lower bound,
/// "complete"/"pass" and "incomplete"/"fail" are full or zero points. An empty string clears the grade (`Ok(None)`).
pub fn parse_posted_grade(
    posted: &str,
    grading_type: GradingType,
    points_possible: f64,
    scheme: Option<&GradingScheme>,
) -> Result<Option<f64>, PostedGradeError> {
    let text = posted.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(percent) = text.strip_suffix('%') {
        let value: f64 = percent.trim().parse().map_err(|_| PostedGradeError::Unrecognised(text.to_owned()))?;
        if !value.is_finite() {
            return Err(PostedGradeError::NotFinite);
        }
        if points_possible <= 0.0 {
            return Err(PostedGradeError::NoPoints);
        }
        return Ok(Some(round_to(value / 100.0 * points_possible, 6)));
    }
    if let Ok(value) = text.parse::<f64>() {
        if !value.is_finite() {
            return Err(PostedGradeError::NotFinite);
        }
        return Ok(Some(value));
    }
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "complete" | "pass" | "passed" => return Ok(Some(points_possible)),
        "incomplete" | "fail" | "failed" => return Ok(Some(0.0)),
        _ => {}
    }
    if matches!(grading_type, GradingType::LetterGrade | GradingType::GpaScale) {
        let default;
        let scheme = match scheme {
            Some(s) => s,
            None => {
                default = GradingScheme::canvas_default();
                &default
            }
        };
        if let Some(fraction) = scheme.fraction_for(text) {
            return Ok(Some(round_to(fraction * points_possible, 6)));
        }
    }
    Err(PostedGradeError::Unrecognised(text.to_owned()))
}

#[cfg(test)]
mod tests;
