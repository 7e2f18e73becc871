//! Course groups: the fixed vocabularies of group sets, groups and memberships, and the rules that need no
//! database (who may join on their own, what state a join lands in, how many members a group may hold).

/// The values of a group set's `self_signup`: `enabled` lets students join any group of the set;
/// `restricted` also requires every member of a group to share a course section.
pub const SELF_SIGNUP: &[&str] = &["enabled", "restricted"];

/// The values of a group set's `auto_leader`: the first member to join leads, or a random member does.
pub const AUTO_LEADER: &[&str] = &["first", "random"];

/// How people get into a group (Canvas `join_level`).
pub const JOIN_LEVELS: &[&str] = &["invitation_only", "parent_context_auto_join", "parent_context_request"];

/// The `join_level` a group gets when none is sent (Canvas's default).
pub const DEFAULT_JOIN_LEVEL: &str = "invitation_only";

/// Membership states a client may filter on (`deleted` memberships are never listed).
pub const MEMBERSHIP_STATES: &[&str] = &["accepted", "invited", "requested"];

pub const ACCEPTED: &str = "accepted";
pub const REQUESTED: &str = "requested";

/// The state a new membership starts in. A member placed by someone who manages groups is in at once; a
/// student signing up is in at once unless the group asks for requests (`parent_context_request`), as Canvas's
/// `Group#add_user` decides.
pub fn join_state(placed_by_manager: bool, join_level: &str) -> &'static str {
    if !placed_by_manager && join_level == "parent_context_request" { REQUESTED } else { ACCEPTED }
}

/// The most members a group may hold: its own `max_membership`, else its set's `group_limit`, else no limit.
pub fn member_limit(max_membership: Option<i32>, group_limit: Option<i32>) -> Option<i32> {
    max_membership.or(group_limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_limits() {
        assert_eq!(join_state(true, "parent_context_request"), ACCEPTED);
        assert_eq!(join_state(false, "parent_context_request"), REQUESTED);
        assert_eq!(join_state(false, "parent_context_auto_join"), ACCEPTED);
        assert_eq!(member_limit(Some(3), Some(5)), Some(3));
        assert_eq!(member_limit(None, Some(5)), Some(5));
        assert_eq!(member_limit(None, None), None);
    }
}
