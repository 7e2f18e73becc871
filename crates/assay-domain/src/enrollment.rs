//! Enrollments: Canvas's enrollment states and what moves between them (`specs/canvas.md` §2.10, §6.4.3).

use crate::policy::CourseRole;

/// Where an enrollment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EnrollmentState {
    /// Made by a SIS import for a user who has not logged in yet; behaves as an invitation.
    CreationPending,
    /// Waiting for the user to accept (the default for new enrollments).
    Invited,
    Active,
    /// On the roster, but may not take part ("deactivated").
    Inactive,
    /// Concluded: the course is read-only for this person.
    Completed,
    /// The user declined the invitation.
    Rejected,
    Deleted,
}

impl EnrollmentState {
    pub const ALL: [EnrollmentState; 7] = [
        EnrollmentState::CreationPending,
        EnrollmentState::Invited,
        EnrollmentState::Active,
        EnrollmentState::Inactive,
        EnrollmentState::Completed,
        EnrollmentState::Rejected,
        EnrollmentState::Deleted,
    ];

    /// What a list shows when the caller names no state (Canvas: "active and invited").
    pub const DEFAULT_LISTED: [EnrollmentState; 3] =
        [EnrollmentState::Active, EnrollmentState::Invited, EnrollmentState::CreationPending];

    pub const fn as_str(self) -> &'static str {
        match self {
            EnrollmentState::CreationPending => "creation_pending",
            EnrollmentState::Invited => "invited",
            EnrollmentState::Active => "active",
            EnrollmentState::Inactive => "inactive",
            EnrollmentState::Completed => "completed",
            EnrollmentState::Rejected => "rejected",
            EnrollmentState::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<EnrollmentState> {
        EnrollmentState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// The states a create request may ask for.
    pub fn parse_initial(s: &str) -> Option<EnrollmentState> {
        match s {
            "active" => Some(EnrollmentState::Active),
            "invited" => Some(EnrollmentState::Invited),
            "inactive" => Some(EnrollmentState::Inactive),
            _ => None,
        }
    }

    /// Whether the person holding it is still on the roster (everything but rejected and deleted).
    pub const fn on_roster(self) -> bool {
        !matches!(self, EnrollmentState::Rejected | EnrollmentState::Deleted)
    }

    /// Whether it is an invitation the user may accept or reject.
    pub const fn is_invitation(self) -> bool {
        matches!(self, EnrollmentState::Invited | EnrollmentState::CreationPending)
    }
}

/// What can happen to an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentAction {
    Accept,
    Reject,
    Conclude,
    Deactivate,
    Reactivate,
    Delete,
}

impl EnrollmentAction {
    /// `task` of `DELETE /courses/:id/enrollments/:id` (default `conclude`; `inactivate` = `deactivate`).
    pub fn parse_task(task: Option<&str>) -> Option<EnrollmentAction> {
        match task.unwrap_or("conclude") {
            "conclude" => Some(EnrollmentAction::Conclude),
            "delete" => Some(EnrollmentAction::Delete),
            "inactivate" | "deactivate" => Some(EnrollmentAction::Deactivate),
            _ => None,
        }
    }

    /// The event name recorded for it (`enrollment.<verb>`).
    pub const fn event(self) -> &'static str {
        match self {
            EnrollmentAction::Accept => "enrollment.accepted",
            EnrollmentAction::Reject => "enrollment.rejected",
            EnrollmentAction::Conclude => "enrollment.concluded",
            EnrollmentAction::Deactivate => "enrollment.deactivated",
            EnrollmentAction::Reactivate => "enrollment.reactivated",
            EnrollmentAction::Delete => "enrollment.deleted",
        }
    }
}

/// The state `action` leads to from `from`, or why it cannot happen.
pub fn transition(from: EnrollmentState, action: EnrollmentAction) -> Result<EnrollmentState, &'static str> {
    use EnrollmentAction as A;
    use EnrollmentState as S;
    match (from, action) {
        (S::Deleted, _) => Err("the enrollment was deleted"),
        (_, A::Delete) => Ok(S::Deleted),
        (S::Invited | S::CreationPending, A::Accept) => Ok(S::Active),
        (S::Invited | S::CreationPending, A::Reject) => Ok(S::Rejected),
        (_, A::Accept | A::Reject) => Err("only a pending invitation can be accepted or rejected"),
        (S::Rejected, _) => Err("the invitation was rejected"),
        (S::Completed, A::Conclude) => Err("the enrollment is already concluded"),
        (_, A::Conclude) => Ok(S::Completed),
        (S::Inactive, A::Deactivate) => Err("the enrollment is already inactive"),
        (S::Completed, A::Deactivate) => Err("a concluded enrollment cannot be deactivated"),
        (_, A::Deactivate) => Ok(S::Inactive),
        (S::Inactive | S::Completed, A::Reactivate) => Ok(S::Active),
        (_, A::Reactivate) => Err("only an inactive or concluded enrollment can be reactivated"),
    }
}

/// The state an existing (user, section, type) row takes when the same enrollment is asked for again: a live
/// enrollment is never demoted (re-inviting an active student keeps them active); a finished one starts over.
pub fn reenroll(existing: EnrollmentState, requested: EnrollmentState) -> EnrollmentState {
    match existing {
        EnrollmentState::Active => EnrollmentState::Active,
        EnrollmentState::Invited | EnrollmentState::CreationPending if requested == EnrollmentState::Inactive => {
            existing
        }
        _ => requested,
    }
}

/// Canvas's `enrollment_type` filter words (`teacher`, `student`, …) and the type each names.
pub fn parse_short_type(s: &str) -> Option<CourseRole> {
    match s {
        "teacher" => Some(CourseRole::Teacher),
        "student" => Some(CourseRole::Student),
        "ta" => Some(CourseRole::Ta),
        "observer" => Some(CourseRole::Observer),
        "designer" => Some(CourseRole::Designer),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{EnrollmentAction as A, EnrollmentState as S, *};

    #[test]
    fn the_documented_state_machine() {
        assert_eq!(transition(S::Invited, A::Accept), Ok(S::Active));
        assert_eq!(transition(S::CreationPending, A::Accept), Ok(S::Active));
        assert_eq!(transition(S::Invited, A::Reject), Ok(S::Rejected));
        assert_eq!(transition(S::Active, A::Conclude), Ok(S::Completed));
        assert_eq!(transition(S::Active, A::Deactivate), Ok(S::Inactive));
        assert_eq!(transition(S::Inactive, A::Reactivate), Ok(S::Active));
        for from in S::ALL.into_iter().filter(|s| *s != S::Deleted) {
            assert_eq!(transition(from, A::Delete), Ok(S::Deleted), "{from:?}");
        }
        assert!(transition(S::Active, A::Accept).is_err());
        assert!(transition(S::Rejected, A::Reactivate).is_err());
        assert!(transition(S::Deleted, A::Reactivate).is_err());
        assert!(transition(S::Active, A::Reactivate).is_err());
    }

    #[test]
    fn delete_task_defaults_to_conclude() {
        assert_eq!(EnrollmentAction::parse_task(None), Some(A::Conclude));
        assert_eq!(EnrollmentAction::parse_task(Some("inactivate")), Some(A::Deactivate));
        assert_eq!(EnrollmentAction::parse_task(Some("deactivate")), Some(A::Deactivate));
        assert_eq!(EnrollmentAction::parse_task(Some("delete")), Some(A::Delete));
        assert_eq!(EnrollmentAction::parse_task(Some("nuke")), None);
    }

    #[test]
    fn enrolling_again_never_demotes() {
        assert_eq!(reenroll(S::Active, S::Invited), S::Active);
        assert_eq!(reenroll(S::Deleted, S::Invited), S::Invited);
        assert_eq!(reenroll(S::Completed, S::Active), S::Active);
        assert_eq!(reenroll(S::Invited, S::Active), S::Active);
        assert_eq!(reenroll(S::Invited, S::Inactive), S::Invited);
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }
}
