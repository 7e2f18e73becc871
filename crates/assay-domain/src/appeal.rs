//! Appeals and grade explanations (Inspera: "register or redraw appeals", "register or export explanations").
//!
//! A candidate appeals a result once it is posted to them: the whole result, or one question of a quiz
//! attempt, giving a reason. An appeal is `open` until one of:
//!
//! - the candidate withdraws it (Inspera's "redraw") → `withdrawn`;
//! - a grader resolves it with a new score and an explanation → `resolved` (the result takes the new score);
//! - a grader rejects it with an explanation → `rejected` (the result stands).
//!
//! The three end states are final: a closed appeal changes no more (a candidate who still disagrees registers a
//! new one). At most one appeal per result and question is open at a time.
//!
//! An explanation is a grader's written account of a grade, for the candidate; resolving or rejecting an appeal
//! writes one, and graders may write them without any appeal.

/// Where an appeal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppealState {
    Open,
    Resolved,
    Rejected,
    Withdrawn,
}

impl AppealState {
    pub const ALL: [AppealState; 4] =
        [AppealState::Open, AppealState::Resolved, AppealState::Rejected, AppealState::Withdrawn];

    pub const fn as_str(self) -> &'static str {
        match self {
            AppealState::Open => "open",
            AppealState::Resolved => "resolved",
            AppealState::Rejected => "rejected",
            AppealState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<AppealState> {
        AppealState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// The state an action leads to, or why it cannot be taken.
    pub fn apply(self, action: AppealAction) -> Result<AppealState, AppealClosed> {
        if self != AppealState::Open {
            return Err(AppealClosed(self));
        }
        Ok(match action {
            AppealAction::Withdraw => AppealState::Withdrawn,
            AppealAction::Resolve => AppealState::Resolved,
            AppealAction::Reject => AppealState::Rejected,
        })
    }
}

/// What can be done to an open appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealAction {
    /// By the candidate who registered it.
    Withdraw,
    /// By a grader, with a new score and an explanation.
    Resolve,
    /// By a grader, with an explanation.
    Reject,
}

impl AppealAction {
    /// The event an action records (`appeal.withdrawn`, …).
    pub const fn event(self) -> &'static str {
        match self {
            AppealAction::Withdraw => "appeal.withdrawn",
            AppealAction::Resolve => "appeal.resolved",
            AppealAction::Reject => "appeal.rejected",
        }
    }

    /// Whether the candidate takes it (graders take the others).
    pub const fn by_candidate(self) -> bool {
        matches!(self, AppealAction::Withdraw)
    }
}

/// An action on an appeal that is no longer open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the appeal is {} and can no longer change", .0.as_str())]
pub struct AppealClosed(pub AppealState);

/// The longest reason or explanation, in characters.
pub const MAX_TEXT: usize = 20_000;

/// What a candidate's result looks like to the appeal rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultState {
    /// It has a score (graded).
    pub graded: bool,
    /// It is posted to the candidate.
    pub posted: bool,
    pub excused: bool,
}

/// Whether a result can be appealed: it must be graded, posted to the candidate and not excused (an excused
/// result has no grade to dispute). A result the candidate cannot see yet looks the same as one with no grade, so
/// the refusal says nothing about hidden grades.
pub fn appealable(result: ResultState) -> bool {
    result.graded && result.posted && !result.excused
}

/// Checks a reason or explanation: required, not blank, at most [`MAX_TEXT`] characters. Returns it trimmed.
pub fn check_text(text: Option<&str>) -> Result<String, &'static str> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err("is required");
    }
    if text.chars().count() > MAX_TEXT {
        return Err("must be at most 20000 characters");
    }
    Ok(text.to_owned())
}

/// Checks a new score given on resolving an appeal: a finite number, 0 or more.
pub fn check_score(score: Option<f64>) -> Result<f64, &'static str> {
    match score {
        None => Err("is required: the new score of the result"),
        Some(s) if !s.is_finite() || s < 0.0 => Err("must be a number, 0 or more"),
        Some(s) => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_appeals_move_once_and_closed_ones_never() {
        use AppealAction::*;
        use AppealState::*;
        assert_eq!(Open.apply(Withdraw), Ok(Withdrawn));
        assert_eq!(Open.apply(Resolve), Ok(Resolved));
        assert_eq!(Open.apply(Reject), Ok(Rejected));
        for closed in [Resolved, Rejected, Withdrawn] {
            for action in [Withdraw, Resolve, Reject] {
                assert_eq!(closed.apply(action), Err(AppealClosed(closed)));
            }
        }
        assert_eq!(AppealClosed(Withdrawn).to_string(), "the appeal is withdrawn and can no longer change");
        assert!(Withdraw.by_candidate() && !Resolve.by_candidate() && !Reject.by_candidate());
        assert_eq!(Reject.event(), "appeal.rejected");
    }

    #[test]
    fn state_names_round_trip() {
        for state in AppealState::ALL {
            assert_eq!(AppealState::parse(state.as_str()), Some(state));
        }
        assert_eq!(AppealState::parse("closed"), None);
    }

    #[test]
    fn only_posted_graded_results_are_appealable() {
        let result = |graded, posted, excused| ResultState { graded, posted, excused };
        assert!(appealable(result(true, true, false)));
        assert!(!appealable(result(true, false, false)));
        assert!(!appealable(result(false, true, false)));
        assert!(!appealable(result(true, true, true)));
    }

    #[test]
    fn texts_and_scores_are_checked() {
        assert_eq!(check_text(Some("  The key is wrong. ")), Ok("The key is wrong.".to_owned()));
        assert!(check_text(Some("   ")).is_err());
        assert!(check_text(None).is_err());
        assert!(check_text(Some(&"x".repeat(MAX_TEXT + 1))).is_err());
        assert!(check_text(Some(&"é".repeat(MAX_TEXT))).is_ok());
        assert_eq!(check_score(Some(7.5)), Ok(7.5));
        assert!(check_score(Some(-1.0)).is_err());
        assert!(check_score(Some(f64::NAN)).is_err());
        assert!(check_score(None).is_err());
    }
}
