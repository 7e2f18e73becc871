//! Courses: Canvas's state machine (`specs/canvas.md` §6.4.2).

/// Where a course is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseState {
    /// Created or claimed; not visible to students.
    Unpublished,
    /// Published.
    Available,
    /// Concluded: read-only.
    Completed,
    Deleted,
}

impl CourseState {
    pub const fn as_str(self) -> &'static str {
        match self {
            CourseState::Unpublished => "unpublished",
            CourseState::Available => "available",
            CourseState::Completed => "completed",
            CourseState::Deleted => "deleted",
        }
    }

    pub const ALL: &'static [CourseState] =
        &[CourseState::Unpublished, CourseState::Available, CourseState::Completed, CourseState::Deleted];

    pub fn parse(s: &str) -> Option<CourseState> {
        CourseState::ALL.iter().copied().find(|state| state.as_str() == s)
    }

    /// A `state[]` filter value: a state, Canvas's internal names for unpublished (`created`, `claimed`), or
    /// `all` (every state, deleted included).
    pub fn parse_filter(s: &str) -> Option<&'static [CourseState]> {
        match s {
            "all" => Some(CourseState::ALL),
            "created" | "claimed" | "unpublished" => Some(&[CourseState::Unpublished]),
            "available" => Some(&[CourseState::Available]),
            "completed" => Some(&[CourseState::Completed]),
            "deleted" => Some(&[CourseState::Deleted]),
            _ => None,
        }
    }
}

/// What `course[event]` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseEvent {
    Offer,
    Claim,
    Conclude,
    Delete,
    Undelete,
}

impl CourseEvent {
    pub fn parse(s: &str) -> Option<CourseEvent> {
        match s {
            "offer" => Some(CourseEvent::Offer),
            "claim" => Some(CourseEvent::Claim),
            "conclude" => Some(CourseEvent::Conclude),
            "delete" => Some(CourseEvent::Delete),
            "undelete" => Some(CourseEvent::Undelete),
            _ => None,
        }
    }
}

/// The state `event` leads to from `from`, or why it cannot happen.
pub fn transition(from: CourseState, event: CourseEvent) -> Result<CourseState, &'static str> {
    use CourseEvent::*;
    use CourseState::*;
    match (from, event) {
        (Deleted, Undelete) => Ok(Unpublished),
        (Deleted, _) => Err("a deleted course can only be undeleted"),
        (_, Undelete) => Err("only a deleted course can be undeleted"),
        (_, Offer) => Ok(Available),
        (_, Claim) => Ok(Unpublished),
        (_, Conclude) => Ok(Completed),
        (_, Delete) => Ok(Deleted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_canvas() {
        use CourseEvent::*;
        use CourseState::*;
        assert_eq!(transition(Unpublished, Offer), Ok(Available));
        assert_eq!(transition(Available, Claim), Ok(Unpublished));
        assert_eq!(transition(Available, Conclude), Ok(Completed));
        assert_eq!(transition(Completed, Offer), Ok(Available));
        assert_eq!(transition(Available, Delete), Ok(Deleted));
        assert_eq!(transition(Deleted, Undelete), Ok(Unpublished));
        assert!(transition(Deleted, Offer).is_err());
        assert!(transition(Available, Undelete).is_err());
        for s in [Unpublished, Available, Completed, Deleted] {
            assert_eq!(CourseState::parse(s.as_str()), Some(s));
            assert_eq!(CourseState::parse_filter(s.as_str()), Some(&[s][..]));
        }
        assert_eq!(CourseState::parse_filter("claimed"), Some(&[Unpublished][..]));
        assert_eq!(CourseState::parse_filter("all").map(<[_]>::len), Some(4));
        assert_eq!(CourseState::parse_filter("sleeping"), None);
    }
}
