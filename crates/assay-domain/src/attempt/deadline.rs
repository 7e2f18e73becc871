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

/// How a quiz extension given during an attempt moves its end, besides changing its extra time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extend {
    /// To at least this many minutes from now (`extend_from_now`).
    FromNow(i64),
    /// By this many minutes past its current end (`extend_from_end_at`).
    FromEnd(i64),
}

/// The deadline of an attempt in progress after its student's extension changed at `now`. A new extra time
/// moves the timed end by the difference, but an end the closing cut earlier stays cut; an explicit extension then
/// moves the end later (never earlier). An attempt without a deadline keeps none.
pub fn extended_deadline(
    current: Option<Time>,
    started_at: Time,
    time_limit: Option<i32>,
    (old_extra, new_extra): (i32, i32),
    extend: Option<Extend>,
    now: Time,
) -> Option<Time> {
    let mut end = current?;
    if new_extra != old_extra
        && let (Some(old_full), Some(new_full)) =
            (deadline(started_at, time_limit, old_extra, None), deadline(started_at, time_limit, new_extra, None))
    {
        let cut_by_closing = end < old_full;
        end = if cut_by_closing { end.min(new_full) } else { new_full };
    }
    match extend {
        Some(Extend::FromNow(minutes)) => end = end.max(now + TimeDelta::minutes(minutes)),
        Some(Extend::FromEnd(minutes)) => end += TimeDelta::minutes(minutes),
        None => {}
    }
    Some(end)
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
    fn an_extension_during_an_attempt_moves_its_deadline() {
        let now = at(20);
        // 30 minutes + 15 extra → 45; the closing did not cut it.
        assert_eq!(extended_deadline(Some(at(30)), at(0), Some(30), (0, 15), None, now), Some(at(45)));
        assert_eq!(extended_deadline(Some(at(45)), at(0), Some(30), (15, 0), None, now), Some(at(30)));
        // The closing cut it at 25: more extra time cannot pass the closing, less can shorten it.
        assert_eq!(extended_deadline(Some(at(25)), at(0), Some(30), (0, 15), None, now), Some(at(25)));
        assert_eq!(extended_deadline(Some(at(25)), at(0), Some(30), (10, 0), None, now), Some(at(25)));
        // Explicit extensions move it later only.
        assert_eq!(
            extended_deadline(Some(at(30)), at(0), Some(30), (0, 0), Some(Extend::FromNow(20)), now),
            Some(at(40))
        );
        assert_eq!(
            extended_deadline(Some(at(30)), at(0), Some(30), (0, 0), Some(Extend::FromNow(5)), now),
            Some(at(30))
        );
        assert_eq!(
            extended_deadline(Some(at(25)), at(0), Some(30), (0, 0), Some(Extend::FromEnd(10)), now),
            Some(at(35))
        );
        // No deadline, none after.
        assert_eq!(extended_deadline(None, at(0), None, (0, 30), Some(Extend::FromNow(10)), now), None);
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
