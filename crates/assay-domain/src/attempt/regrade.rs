//! Regrading: when a teacher changes the answer key of a question already delivered, the attempts that saw it
//! are rescored by the policy the teacher chose (Canvas's `regrade_option`):
//!
//! - `full_credit`: everyone gets the question's full points, answered or not;
//! - `current_correct_only`: the answer is scored against the new key only;
//! - `current_and_previous_correct`: the better of the score it had and its score against the new key.
//!
//! Answers that wait for a person (essays, uploads) are not rescored.

use crate::question::{Outcome, Score};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegradePolicy {
    FullCredit,
    CurrentCorrectOnly,
    CurrentAndPreviousCorrect,
}

impl RegradePolicy {
    pub const ALL: [RegradePolicy; 3] =
        [RegradePolicy::FullCredit, RegradePolicy::CurrentCorrectOnly, RegradePolicy::CurrentAndPreviousCorrect];

    pub const fn as_str(self) -> &'static str {
        match self {
            RegradePolicy::FullCredit => "full_credit",
            RegradePolicy::CurrentCorrectOnly => "current_correct_only",
            RegradePolicy::CurrentAndPreviousCorrect => "current_and_previous_correct",
        }
    }

    pub fn parse(s: &str) -> Option<RegradePolicy> {
        RegradePolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The outcome of an answer's score in `[0, points]`.
fn outcome_of(points: f64, possible: f64) -> Outcome {
    if possible > 0.0 && points >= possible - 1e-9 {
        Outcome::Correct
    } else if points > 0.0 {
        Outcome::Partial
    } else {
        Outcome::Incorrect
    }
}

/// An answer's score after a regrade: `previous` is the points it held (under the old key, or as a grader set
/// them), `current` its score against the new key, `possible` what the question is worth in the attempt.
/// `None`: leave the answer as it is (it waits for a person).
pub fn regraded(policy: RegradePolicy, previous: f64, current: Score, possible: f64) -> Option<Score> {
    if matches!(current.outcome, Outcome::NeedsGrading | Outcome::NotScored) {
        return None;
    }
    Some(match policy {
        RegradePolicy::FullCredit => Score { points: possible, outcome: Outcome::Correct },
        RegradePolicy::CurrentCorrectOnly => current,
        RegradePolicy::CurrentAndPreviousCorrect => {
            if previous > current.points {
                let points = previous.min(possible);
                Score { points, outcome: outcome_of(points, possible) }
            } else {
                current
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(points: f64, outcome: Outcome) -> Score {
        Score { points, outcome }
    }

    #[test]
    fn every_policy() {
        let wrong_now = s(0.0, Outcome::Incorrect);
        let right_now = s(2.0, Outcome::Correct);
        // Right under the old key, wrong under the new one.
        assert_eq!(regraded(RegradePolicy::FullCredit, 2.0, wrong_now, 2.0), Some(right_now));
        assert_eq!(regraded(RegradePolicy::CurrentCorrectOnly, 2.0, wrong_now, 2.0), Some(wrong_now));
        assert_eq!(regraded(RegradePolicy::CurrentAndPreviousCorrect, 2.0, wrong_now, 2.0), Some(right_now));
        // Wrong before, right now.
        for p in RegradePolicy::ALL {
            assert_eq!(regraded(p, 0.0, right_now, 2.0), Some(right_now), "{p:?}");
        }
        // Unanswered: only full credit gives points.
        let blank = s(0.0, Outcome::Unanswered);
        assert_eq!(regraded(RegradePolicy::FullCredit, 0.0, blank, 2.0), Some(right_now));
        assert_eq!(regraded(RegradePolicy::CurrentCorrectOnly, 0.0, blank, 2.0), Some(blank));
        // Manual grading is left alone.
        assert_eq!(regraded(RegradePolicy::FullCredit, 1.0, s(0.0, Outcome::NeedsGrading), 2.0), None);
        assert_eq!(RegradePolicy::parse("full_credit"), Some(RegradePolicy::FullCredit));
        assert_eq!(RegradePolicy::parse("no_regrade"), None);
    }

    proptest! {
        #[test]
        fn regrades_stay_within_the_points_and_order_the_policies(previous in 0.0f64..5.0, now in 0.0f64..5.0) {
            let current = s(now, if now >= 5.0 { Outcome::Correct } else if now > 0.0 { Outcome::Partial } else { Outcome::Incorrect });
            let full = regraded(RegradePolicy::FullCredit, previous, current, 5.0).unwrap().points;
            let only = regraded(RegradePolicy::CurrentCorrectOnly, previous, current, 5.0).unwrap().points;
            let both = regraded(RegradePolicy::CurrentAndPreviousCorrect, previous, current, 5.0).unwrap().points;
            prop_assert!(only <= both && both <= full);
            prop_assert_eq!(full, 5.0);
            prop_assert!(both >= previous.min(5.0));
        }
    }
}
