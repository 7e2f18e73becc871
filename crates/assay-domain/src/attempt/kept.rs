//! Which score counts when a student took a test more than once (Canvas `scoring_policy`).

use crate::question::formula::round_to;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoringPolicy {
    KeepHighest,
    KeepLatest,
    KeepAverage,
}

impl ScoringPolicy {
    pub const fn as_str(self) -> &'static str {
        match self {
            ScoringPolicy::KeepHighest => "keep_highest",
            ScoringPolicy::KeepLatest => "keep_latest",
            ScoringPolicy::KeepAverage => "keep_average",
        }
    }

    /// The policy named `s`; anything else is Canvas's default, keep the highest.
    pub fn parse(s: &str) -> ScoringPolicy {
        match s {
            "keep_latest" => ScoringPolicy::KeepLatest,
            "keep_average" => ScoringPolicy::KeepAverage,
            _ => ScoringPolicy::KeepHighest,
        }
    }
}

/// The kept score of finished attempts' scores, in attempt order; `None` when there are none. Averages are
/// rounded to 1e-6 so float noise does not show.
pub fn kept_score(policy: ScoringPolicy, scores: &[f64]) -> Option<f64> {
    let last = *scores.last()?;
    Some(match policy {
        ScoringPolicy::KeepLatest => last,
        ScoringPolicy::KeepHighest => scores.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ScoringPolicy::KeepAverage => round_to(scores.iter().sum::<f64>() / scores.len() as f64, 6),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_policy_keeps_its_score() {
        let scores = [4.0, 9.0, 5.0];
        assert_eq!(kept_score(ScoringPolicy::KeepHighest, &scores), Some(9.0));
        assert_eq!(kept_score(ScoringPolicy::KeepLatest, &scores), Some(5.0));
        assert_eq!(kept_score(ScoringPolicy::KeepAverage, &scores), Some(6.0));
        assert_eq!(kept_score(ScoringPolicy::KeepAverage, &[0.1, 0.2]), Some(0.15));
        assert_eq!(kept_score(ScoringPolicy::KeepHighest, &[]), None);
        assert_eq!(ScoringPolicy::parse("keep_average"), ScoringPolicy::KeepAverage);
        assert_eq!(ScoringPolicy::parse("unknown"), ScoringPolicy::KeepHighest);
    }

    proptest! {
        #[test]
        fn the_kept_score_lies_between_the_lowest_and_highest(scores in prop::collection::vec(0.0f64..1000.0, 1..10)) {
            let lo = scores.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for policy in [ScoringPolicy::KeepHighest, ScoringPolicy::KeepLatest, ScoringPolicy::KeepAverage] {
                let kept = kept_score(policy, &scores).unwrap();
                prop_assert!(kept >= lo - 1e-6 && kept <= hi + 1e-6, "{policy:?} {kept}");
            }
            prop_assert_eq!(kept_score(ScoringPolicy::KeepHighest, &scores), Some(hi));
        }
    }
}
