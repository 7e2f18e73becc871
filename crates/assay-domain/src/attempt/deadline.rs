//! When an attempt may start and when it must end.
//!
//! - The test closes at its lock date (the student's effective one, overrides applied). A quiz extension's
//!   `end_at` moves that closing later, never earlier; `manually_unlocked` removes it (and the unlock date).
//! - An attempt's deadline is the earlier of `start + time limit + extra time` and the closing; an attempt with
//!   neither has no deadline.

use chrono::{DateTime, TimeDelta, Utc};

type Time = DateTime<Utc>;

/// Why an attempt cannot start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Open,
    /// Before the unlock date.
    NotYetOpen,
    /// At or after the closing.
    Closed,
}

/// The moment the test closes for a student (see the module documentation); `None`: it does not close.
pub fn closing(lock_at: Option<Time>, extension_end_at: Option<Time>, manually_unlocked: bool) -> Option<Time> {
    if manually_unlocked {
        return None;
    }
    match (lock_at, extension_end_at) {
        (Some(lock), Some(end)) => Some(lock.max(end)),
        (lock, _) => lock,
    }
}

/// Whether a student may start an attempt at `now`.
pub fn may_start(now: Time, unlock_at: Option<Time>, closes_at: Option<Time>, manually_unlocked: bool) -> Availability {
    if !manually_unlocked && unlock_at.is_some_and(|u| now < u) {
        return Availability::NotYetOpen;
    }
    if closes_at.is_some_and(|c| now >= c) {
        return Availability::Closed;
    }
    Availability::Open
}

/// The deadline of an attempt started at `started_at`: `time_limit` and `extra_time` in minutes (negative
/// extra time counts as none).
pub fn deadline(started_at: Time, time_limit: Option<i32>, extra_time: i32, closes_at: Option<Time>) -> Option<Time> {
    let timed = time_limit.map(|limit| {
        let minutes = i64::from(limit.max(0)) + i64::from(extra_time.max(0));
        started_at + TimeDelta::minutes(minutes)
    });
    match (timed, closes_at) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> Time {
        DateTime::from_timestamp(1_900_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn the_deadline_is_the_earlier_of_the_time_limit_and_the_closing() {
        assert_eq!(deadline(at(0), Some(30), 0, None), Some(at(30)));
        assert_eq!(deadline(at(0), Some(30), 15, None), Some(at(45)));
        assert_eq!(deadline(at(0), Some(30), 15, Some(at(40))), Some(at(40)));
        assert_eq!(deadline(at(0), None, 15, Some(at(40))), Some(at(40)));
        assert_eq!(deadline(at(0), None, 0, None), None);
        assert_eq!(deadline(at(0), Some(30), -5, None), Some(at(30)));
    }

    #[test]
    fn extensions_and_manual_unlocks_move_the_closing() {
        assert_eq!(closing(Some(at(10)), None, false), Some(at(10)));
        assert_eq!(closing(Some(at(10)), Some(at(20)), false), Some(at(20)));
        assert_eq!(closing(Some(at(10)), Some(at(5)), false), Some(at(10)), "never earlier");
        assert_eq!(closing(None, Some(at(5)), false), None, "nothing to extend");
        assert_eq!(closing(Some(at(10)), None, true), None);
    }

    #[test]
    fn starting_needs_the_window_open() {
        assert_eq!(may_start(at(0), Some(at(1)), None, false), Availability::NotYetOpen);
        assert_eq!(may_start(at(0), Some(at(1)), None, true), Availability::Open);
        assert_eq!(may_start(at(1), Some(at(1)), Some(at(2)), false), Availability::Open);
        assert_eq!(may_start(at(2), None, Some(at(2)), false), Availability::Closed);
    }

    proptest! {
        #[test]
        fn the_deadline_never_passes_the_closing_nor_the_time_allowed(
            limit in proptest::option::of(0i32..10_000), extra in -100i32..10_000, close in proptest::option::of(-100i64..20_000)
        ) {
            let closes = close.map(at);
            let d = deadline(at(0), limit, extra, closes);
            prop_assert_eq!(d.is_none(), limit.is_none() && closes.is_none());
            if let (Some(d), Some(c)) = (d, closes) { prop_assert!(d <= c); }
            if let (Some(d), Some(l)) = (d, limit) {
                prop_assert!(d <= at(i64::from(l) + i64::from(extra.max(0))));
            }
        }
    }
}
