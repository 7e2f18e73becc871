//! A course's late policy (Canvas `LatePolicy`): how many points a late submission loses and what a missing one
//! scores. Percentages are of the assignment's points, as Canvas keeps them (0..=100).
//!
//! Late: every started interval (day or hour) past the due date deducts `late_submission_deduction` percent,
//! never more than would bring the score below `late_submission_minimum_percent` (when that floor is enabled);
//! a score already below the floor loses nothing. Pass/fail grades are never deducted.
//! Missing: a submission that was due and never handed in scores `100 - missing_submission_deduction` percent.

use serde::{Deserialize, Serialize};

use super::GradingType;

/// The unit lateness is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateInterval {
    Day,
    Hour,
}

impl LateInterval {
    pub fn parse(s: &str) -> Option<LateInterval> {
        match s {
            "day" => Some(LateInterval::Day),
            "hour" => Some(LateInterval::Hour),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            LateInterval::Day => "day",
            LateInterval::Hour => "hour",
        }
    }

    pub const fn seconds(self) -> i64 {
        match self {
            LateInterval::Day => 86_400,
            LateInterval::Hour => 3_600,
        }
    }
}

/// A course's late policy. Defaults are Canvas's: nothing enabled, a missing submission loses everything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatePolicy {
    pub missing_submission_deduction_enabled: bool,
    /// Percent of the points a missing submission loses.
    pub missing_submission_deduction: f64,
    pub late_submission_deduction_enabled: bool,
    /// Percent of the points lost per started interval.
    pub late_submission_deduction: f64,
    pub late_submission_interval: LateInterval,
    pub late_submission_minimum_percent_enabled: bool,
    /// The lowest percent of the points late deductions may bring a score to.
    pub late_submission_minimum_percent: f64,
}

impl Default for LatePolicy {
    fn default() -> Self {
        LatePolicy {
            missing_submission_deduction_enabled: false,
            missing_submission_deduction: 100.0,
            late_submission_deduction_enabled: false,
            late_submission_deduction: 0.0,
            late_submission_interval: LateInterval::Day,
            late_submission_minimum_percent_enabled: false,
            late_submission_minimum_percent: 0.0,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl LatePolicy {
    /// Checks the percentages; `Err` names the field (as Canvas names it) and the problem.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        let percent = |x: f64| x.is_finite() && (0.0..=100.0).contains(&x);
        if !percent(self.missing_submission_deduction) {
            return Err(("missing_submission_deduction", "must be a percentage between 0 and 100"));
        }
        if !percent(self.late_submission_deduction) {
            return Err(("late_submission_deduction", "must be a percentage between 0 and 100"));
        }
        if !percent(self.late_submission_minimum_percent) {
            return Err(("late_submission_minimum_percent", "must be a percentage between 0 and 100"));
        }
        Ok(())
    }

    fn minimum_percent(&self) -> f64 {
        if self.late_submission_minimum_percent_enabled { self.late_submission_minimum_percent } else { 0.0 }
    }

    /// The started intervals in `seconds_late` (an hour and a minute late is two hours late).
    pub fn intervals_late(&self, seconds_late: i64) -> i64 {
        if seconds_late <= 0 {
            return 0;
        }
        let size = self.late_submission_interval.seconds();
        (seconds_late + size - 1) / size
    }

    /// The points a late score of `entered_score` (out of `points_possible`) loses, rounded to cents.
    pub fn points_deducted(
        &self,
        entered_score: f64,
        points_possible: f64,
        seconds_late: i64,
        grading_type: GradingType,
    ) -> f64 {
        if !self.late_submission_deduction_enabled
            || seconds_late <= 0
            || points_possible <= 0.0
            || matches!(grading_type, GradingType::PassFail | GradingType::NotGraded)
            || !entered_score.is_finite()
        {
            return 0.0;
        }
        // Percent arithmetic on the score as a percentage of the points, as Canvas does it.
        let late_percent = self.late_submission_deduction * self.intervals_late(seconds_late) as f64;
        let minimum = self.minimum_percent();
        let score_percent = entered_score / points_possible * 100.0;
        let final_percent = (score_percent - late_percent).max(minimum);
        let deducted_percent = (score_percent - final_percent).max(0.0);
        round2(deducted_percent / 100.0 * points_possible)
    }

    /// What a missing submission scores, when the policy gives missing submissions a score.
    pub fn missing_score(&self, points_possible: f64, grading_type: GradingType) -> Option<f64> {
        if !self.missing_submission_deduction_enabled || matches!(grading_type, GradingType::NotGraded) {
            return None;
        }
        let points = points_possible.max(0.0);
        Some(round2(points * (100.0 - self.missing_submission_deduction) / 100.0))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn late(deduction: f64, interval: LateInterval, minimum: Option<f64>) -> LatePolicy {
        LatePolicy {
            late_submission_deduction_enabled: true,
            late_submission_deduction: deduction,
            late_submission_interval: interval,
            late_submission_minimum_percent_enabled: minimum.is_some(),
            late_submission_minimum_percent: minimum.unwrap_or(0.0),
            ..LatePolicy::default()
        }
    }

    #[test]
    fn deductions_count_started_intervals() {
        let policy = late(10.0, LateInterval::Day, None);
        let p = |seconds| policy.points_deducted(80.0, 100.0, seconds, GradingType::Points);
        assert_eq!(p(0), 0.0);
        assert_eq!(p(-5), 0.0);
        assert_eq!(p(1), 10.0);
        assert_eq!(p(86_400), 10.0);
        assert_eq!(p(86_401), 20.0);
        assert_eq!(p(10 * 86_400), 80.0, "never below zero");
        let hourly = late(5.0, LateInterval::Hour, None);
        assert_eq!(hourly.points_deducted(10.0, 20.0, 3_601, GradingType::Points), 2.0);
    }

    #[test]
    fn the_minimum_floors_late_scores_but_never_raises_one() {
        let policy = late(25.0, LateInterval::Day, Some(50.0));
        assert_eq!(policy.points_deducted(90.0, 100.0, 86_400, GradingType::Points), 25.0);
        assert_eq!(policy.points_deducted(90.0, 100.0, 3 * 86_400, GradingType::Points), 40.0);
        assert_eq!(policy.points_deducted(40.0, 100.0, 86_400, GradingType::Points), 0.0);
    }

    #[test]
    fn nothing_is_deducted_when_disabled_or_pass_fail() {
        let mut policy = late(10.0, LateInterval::Day, None);
        assert_eq!(policy.points_deducted(5.0, 10.0, 86_400, GradingType::PassFail), 0.0);
        assert_eq!(policy.points_deducted(5.0, 0.0, 86_400, GradingType::Points), 0.0);
        policy.late_submission_deduction_enabled = false;
        assert_eq!(policy.points_deducted(5.0, 10.0, 86_400, GradingType::Points), 0.0);
    }

    #[test]
    fn missing_submissions_score_what_is_left() {
        let mut policy = LatePolicy::default();
        assert_eq!(policy.missing_score(10.0, GradingType::Points), None);
        policy.missing_submission_deduction_enabled = true;
        assert_eq!(policy.missing_score(10.0, GradingType::Points), Some(0.0));
        policy.missing_submission_deduction = 30.0;
        assert_eq!(policy.missing_score(10.0, GradingType::Percent), Some(7.0));
        assert_eq!(policy.missing_score(10.0, GradingType::NotGraded), None);
    }

    #[test]
    fn percentages_out_of_range_are_refused() {
        assert_eq!(LatePolicy::default().validate(), Ok(()));
        let bad = LatePolicy { late_submission_deduction: 120.0, ..LatePolicy::default() };
        assert_eq!(bad.validate().unwrap_err().0, "late_submission_deduction");
        let bad = LatePolicy { missing_submission_deduction: f64::NAN, ..LatePolicy::default() };
        assert_eq!(bad.validate().unwrap_err().0, "missing_submission_deduction");
        let bad = LatePolicy { late_submission_minimum_percent: -1.0, ..LatePolicy::default() };
        assert_eq!(bad.validate().unwrap_err().0, "late_submission_minimum_percent");
    }

    proptest! {
        /// A deduction never makes a score negative, never takes more than the score, and never brings a score
        /// that was above the floor below it.
        #[test]
        fn deductions_stay_within_bounds(
            entered in 0.0f64..=150.0,
            points in 1.0f64..=100.0,
            deduction in 0.0f64..=100.0,
            minimum in proptest::option::of(0.0f64..=100.0),
            seconds in 0i64..=30 * 86_400,
            hourly in any::<bool>(),
        ) {
            let interval = if hourly { LateInterval::Hour } else { LateInterval::Day };
            let policy = late(deduction, interval, minimum);
            let deducted = policy.points_deducted(entered, points, seconds, GradingType::Points);
            prop_assert!(deducted >= 0.0);
            prop_assert!(deducted <= entered + 0.005);
            let floor = minimum.unwrap_or(0.0) / 100.0 * points;
            if entered >= floor {
                prop_assert!(entered - deducted >= floor - 0.01);
            } else {
                prop_assert_eq!(deducted, 0.0);
            }
        }

        /// Being later never costs less.
        #[test]
        fn later_never_costs_less(
            entered in 0.0f64..=100.0,
            deduction in 0.0f64..=100.0,
            a in 0i64..=20 * 86_400,
            b in 0i64..=20 * 86_400,
        ) {
            let policy = late(deduction, LateInterval::Day, Some(20.0));
            let (early, later) = (a.min(b), a.max(b));
            prop_assert!(
                policy.points_deducted(entered, 100.0, early, GradingType::Points)
                    <= policy.points_deducted(entered, 100.0, later, GradingType::Points)
            );
        }

        /// A missing score is always between nothing and full marks.
        #[test]
        fn missing_scores_are_within_the_points(points in 0.0f64..=500.0, deduction in 0.0f64..=100.0) {
            let policy = LatePolicy {
                missing_submission_deduction_enabled: true,
                missing_submission_deduction: deduction,
                ..LatePolicy::default()
            };
            let score = policy.missing_score(points, GradingType::Points).unwrap();
            prop_assert!((0.0..=points + 0.005).contains(&score));
        }
    }
}
