//! Rules of a student's submission that need no database: what may be handed in, when a resubmission is a
//! double click, and the timing facts Canvas derives (`late`, `missing`, `seconds_late`).

use chrono::{DateTime, Utc};

type Time = DateTime<Utc>;

/// Submission states (Canvas `workflow_state`).
pub const UNSUBMITTED: &str = "unsubmitted";
pub const SUBMITTED: &str = "submitted";
pub const PENDING_REVIEW: &str = "pending_review";
pub const GRADED: &str = "graded";

/// What a student may hand in through the submissions API (quizzes are submitted through their attempts).
pub const SUBMITTABLE_TYPES: &[&str] = &["online_text_entry", "online_url", "online_upload"];

/// Values a grader may give `late_policy_status` (Canvas); null leaves lateness to the dates.
pub const LATE_POLICY_STATUSES: &[&str] = &["late", "missing", "extended", "none"];

/// An identical submission within this many seconds of the last one is a repeated click, not a new attempt.
pub const DOUBLE_SUBMIT_WINDOW_SECONDS: i64 = 60;

/// The longest text entry kept (sanitised HTML).
pub const MAX_BODY_BYTES: usize = 1_048_576;

/// Quizzes get a minute's grace: an attempt submitted automatically at its deadline is not late.
const QUIZ_GRACE_SECONDS: i64 = 60;

/// Checks a requested submission type against the assignment's; `Err` explains the refusal.
pub fn check_type(requested: &str, allowed: &[String]) -> Result<(), String> {
    if !SUBMITTABLE_TYPES.contains(&requested) {
        return Err(format!("must be one of {}", SUBMITTABLE_TYPES.join(", ")));
    }
    if !allowed.iter().any(|t| t == requested) {
        return Err(format!(
            "this assignment does not take `{requested}`; it takes {}",
            if allowed.is_empty() { "no online submissions".to_owned() } else { allowed.join(", ") }
        ));
    }
    Ok(())
}

/// A URL a student submits: http or https with a host, at most 2048 characters. Like Canvas, a URL without a
/// scheme is read as `http://`. Returns the normalised URL.
pub fn normalize_url(raw: &str) -> Result<String, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("a URL is required");
    }
    if text.len() > 2048 {
        return Err("must be at most 2048 characters");
    }
    let with_scheme = if text.contains("://") { text.to_owned() } else { format!("http://{text}") };
    let parsed = url::Url::parse(&with_scheme).map_err(|_| "is not a valid URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    Ok(parsed.to_string())
}

/// Whether a student who has submitted `used` times may submit again: `allowed` is the assignment's
/// `allowed_attempts` (-1: unlimited) and `extra` the attempts their extension adds.
pub fn may_attempt(allowed: i32, extra: i32, used: i32) -> bool {
    allowed < 0 || used < allowed.saturating_add(extra.max(0))
}

/// Whether an assignment with these effective dates takes submissions at `now` (not before `unlock_at`, not
/// after `lock_at`).
pub fn open_at(unlock_at: Option<Time>, lock_at: Option<Time>, now: Time) -> bool {
    unlock_at.is_none_or(|u| u <= now) && lock_at.is_none_or(|l| now <= l)
}

/// The timing facts of a submission, for Canvas's derived fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timing {
    pub submitted_at: Option<Time>,
    /// The student's effective due date.
    pub due_at: Option<Time>,
    pub late_policy_status: Option<String>,
    pub seconds_late_override: Option<i64>,
    pub excused: bool,
    /// An `online_quiz` submission (a minute's grace).
    pub quiz: bool,
}

impl Timing {
    fn status(&self) -> Option<&str> {
        self.late_policy_status.as_deref()
    }

    /// How late the submission is (Canvas `seconds_late`): a grader's `late` status takes its override; "none",
    /// "extended" and excused submissions are not late; otherwise the time from the due date to the submission
    /// (or to `now` while nothing is handed in).
    pub fn seconds_late(&self, now: Time) -> i64 {
        if self.excused {
            return 0;
        }
        let from_dates = || {
            let Some(due) = self.due_at else { return 0 };
            let at = self.submitted_at.unwrap_or(now);
            let late = (at - due).num_seconds();
            let grace = if self.quiz { QUIZ_GRACE_SECONDS } else { 0 };
            if late > grace { late } else { 0 }
        };
        match self.status() {
            Some("late") => self.seconds_late_override.unwrap_or_else(from_dates).max(0),
            Some("none") | Some("extended") => 0,
            _ => from_dates(),
        }
    }

    /// Canvas `late`: marked late by a grader, or handed in after the due date (and not marked otherwise).
    pub fn late(&self, now: Time) -> bool {
        if self.excused {
            return false;
        }
        match self.status() {
            Some("late") => true,
            Some(_) => false,
            None => self.submitted_at.is_some() && self.seconds_late(now) > 0,
        }
    }

    /// Canvas `missing`: marked missing by a grader, or past due with nothing handed in on an assignment that
    /// expects a submission, unless a grader has graded it anyway (`graded_by_grader`).
    pub fn missing(&self, now: Time, expects_submission: bool, graded_by_grader: bool) -> bool {
        if self.excused {
            return false;
        }
        match self.status() {
            Some("missing") => true,
            Some(_) => false,
            None => {
                expects_submission
                    && !graded_by_grader
                    && self.submitted_at.is_none()
                    && self.due_at.is_some_and(|due| due < now)
            }
        }
    }
}

/// The state a submission falls back to when it has no grade: what was handed in decides.
pub fn ungraded_state(submitted: bool, needs_review: bool) -> &'static str {
    match (submitted, needs_review) {
        (true, true) => PENDING_REVIEW,
        (true, false) => SUBMITTED,
        (false, _) => UNSUBMITTED,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn t(s: &str) -> Time {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn only_the_assignment_s_online_types_are_taken() {
        let allowed = vec!["online_text_entry".to_owned(), "online_url".to_owned()];
        assert!(check_type("online_text_entry", &allowed).is_ok());
        assert!(check_type("online_upload", &allowed).unwrap_err().contains("does not take"));
        assert!(check_type("online_quiz", &["online_quiz".to_owned()]).unwrap_err().contains("must be one of"));
        assert!(check_type("online_url", &[]).unwrap_err().contains("no online submissions"));
    }

    #[test]
    fn urls_are_normalised_and_checked() {
        assert_eq!(normalize_url(" example.com/work ").unwrap(), "http://example.com/work");
        assert_eq!(normalize_url("https://example.com").unwrap(), "https://example.com/");
        assert!(normalize_url("javascript:alert(1)").is_err());
        assert!(normalize_url("ftp://example.com/x").is_err());
        assert!(normalize_url("").is_err());
        assert!(normalize_url("http://").is_err());
        assert!(normalize_url(&format!("http://example.com/{}", "a".repeat(2100))).is_err());
    }

    #[test]
    fn attempts_count_extensions() {
        assert!(may_attempt(-1, 0, 100));
        assert!(may_attempt(2, 0, 1));
        assert!(!may_attempt(2, 0, 2));
        assert!(may_attempt(2, 1, 2));
        assert!(!may_attempt(2, -5, 2));
    }

    #[test]
    fn open_between_unlock_and_lock() {
        let now = t("2026-03-01T12:00:00Z");
        assert!(open_at(None, None, now));
        assert!(!open_at(Some(now + TimeDelta::seconds(1)), None, now));
        assert!(!open_at(None, Some(now - TimeDelta::seconds(1)), now));
        assert!(open_at(Some(now), Some(now), now));
    }

    #[test]
    fn lateness_follows_the_dates_unless_a_grader_says_otherwise() {
        let due = t("2026-03-01T12:00:00Z");
        let now = t("2026-03-05T12:00:00Z");
        let on_time = Timing { submitted_at: Some(due), due_at: Some(due), ..Timing::default() };
        assert_eq!((on_time.seconds_late(now), on_time.late(now)), (0, false));
        let late = Timing { submitted_at: Some(due + TimeDelta::hours(2)), ..on_time.clone() };
        assert_eq!((late.seconds_late(now), late.late(now)), (7200, true));
        let quiz = Timing { submitted_at: Some(due + TimeDelta::seconds(30)), quiz: true, ..on_time.clone() };
        assert!(!quiz.late(now), "quizzes have a minute's grace");
        let excused = Timing { excused: true, ..late.clone() };
        assert_eq!((excused.seconds_late(now), excused.late(now)), (0, false));
        let forgiven = Timing { late_policy_status: Some("none".into()), ..late.clone() };
        assert_eq!((forgiven.seconds_late(now), forgiven.late(now)), (0, false));
        let marked =
            Timing { late_policy_status: Some("late".into()), seconds_late_override: Some(90), ..on_time.clone() };
        assert_eq!((marked.seconds_late(now), marked.late(now)), (90, true));
        let marked_without_override = Timing { late_policy_status: Some("late".into()), ..late.clone() };
        assert_eq!(marked_without_override.seconds_late(now), 7200);
    }

    #[test]
    fn missing_means_past_due_and_nothing_handed_in() {
        let due = t("2026-03-01T12:00:00Z");
        let before = due - TimeDelta::hours(1);
        let after = due + TimeDelta::hours(1);
        let nothing = Timing { due_at: Some(due), ..Timing::default() };
        assert!(!nothing.missing(before, true, false));
        assert!(nothing.missing(after, true, false));
        assert_eq!(nothing.seconds_late(after), 3600);
        assert!(!nothing.late(after), "not late: nothing was handed in");
        assert!(!nothing.missing(after, false, false), "on paper: nothing to hand in here");
        assert!(!nothing.missing(after, true, true), "graded by a grader");
        assert!(!Timing { excused: true, ..nothing.clone() }.missing(after, true, false));
        assert!(!Timing { late_policy_status: Some("extended".into()), ..nothing.clone() }.missing(after, true, false));
        let marked = Timing { late_policy_status: Some("missing".into()), ..Timing::default() };
        assert!(marked.missing(before, false, true));
        let undated = Timing::default();
        assert!(!undated.missing(after, true, false));
    }

    #[test]
    fn states_without_a_grade() {
        assert_eq!(ungraded_state(false, false), UNSUBMITTED);
        assert_eq!(ungraded_state(true, false), SUBMITTED);
        assert_eq!(ungraded_state(true, true), PENDING_REVIEW);
    }
}
