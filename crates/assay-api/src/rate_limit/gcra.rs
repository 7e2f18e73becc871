//! The generic cell rate algorithm, as pure arithmetic: one number per key (the theoretical arrival time, TAT)
//! is all the state a limit needs, which is what lets one engine serve a per-process map and a shared Redis
//! alike. It behaves as a token bucket that holds `burst` tokens and refills one every `period / limit`.
//!
//! Times are whole microseconds on the store's own clock (process-monotonic in memory, Redis `TIME` when shared):
//! integers keep decisions exact and identical in Rust and in the Lua script, whose numbers are doubles (exact
//! up to 2^53 µs, far beyond any clock reading plus the longest tolerance a `Quota` allows).

use std::time::Duration;

/// The longest a bucket may take to refill completely. Longer would make keys live for over a year and push the
/// Lua script's arithmetic towards the edge of double precision.
pub const MAX_TOLERANCE: Duration = Duration::from_secs(366 * 24 * 3600);

/// `limit` requests per `period`, of which up to `burst` may arrive at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
    pub burst: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    #[error("a limit and its burst must be at least 1")]
    Zero,
    #[error("{limit} per {period:?} is finer than one request per microsecond")]
    TooFine { limit: u32, period: Duration },
    #[error("a burst of {burst} at {limit} per {period:?} would take longer than a year to refill")]
    TooLong { limit: u32, period: Duration, burst: u32 },
}

impl Quota {
    /// A quota, checked so that every derived quantity is a positive whole number of microseconds.
    pub fn new(limit: u32, period: Duration, burst: u32) -> Result<Quota, QuotaError> {
        if limit == 0 || burst == 0 {
            return Err(QuotaError::Zero);
        }
        let quota = Quota { limit, period, burst };
        if period.as_micros() < u128::from(limit) {
            return Err(QuotaError::TooFine { limit, period });
        }
        if u128::from(quota.tolerance_us()) > MAX_TOLERANCE.as_micros() {
            return Err(QuotaError::TooLong { limit, period, burst });
        }
        Ok(quota)
    }

    /// A fixed-size window as QS and Ans state them: `limit` per `period`, all of them usable at once.
    pub fn per(limit: u32, period: Duration) -> Result<Quota, QuotaError> {
        Quota::new(limit, period, limit)
    }

    /// The emission interval: how long one request's token takes to come back. Rounded down to whole
    /// microseconds (at worst a few parts per million more generous) and never zero, even for a quota built
    /// without `new`.
    pub fn interval_us(&self) -> u64 {
        let us = self.period.as_micros() / u128::from(self.limit.max(1));
        u64::try_from(us).unwrap_or(u64::MAX).max(1)
    }

    /// The burst tolerance: how far ahead of now the TAT may run, i.e. the time a full bucket takes to refill.
    pub fn tolerance_us(&self) -> u64 {
        self.interval_us().saturating_mul(u64::from(self.burst.max(1)))
    }
}

/// The answer for one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The bucket's size (`burst`): what `RateLimit-Limit` reports, so `remaining` counts down from it.
    pub limit: u32,
    /// Requests that could still be made right now.
    pub remaining: u32,
    /// Until the bucket is full again (`RateLimit-Reset`).
    pub reset_after: Duration,
    /// When refused: how long until the request would be allowed (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl Decision {
    /// The decision of a limit that does not apply (disabled): always allowed, never reported.
    pub fn unlimited() -> Decision {
        Decision { allowed: true, limit: u32::MAX, remaining: u32::MAX, reset_after: Duration::ZERO, retry_after: None }
    }
}

/// The result of evaluating one limit: the decision, and the TAT to store if the request goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub new_tat: u64,
}

/// Evaluates a request of `cost` units at `now` against a key whose stored TAT is `tat` (`None` for a key never
/// seen or expired). `cost` 0 is a peek: would one more unit be allowed, and how many are left, with nothing to
/// store. The caller stores `new_tat` only when the request (every limit it is under) is allowed.
pub fn evaluate(tat: Option<u64>, now: u64, quota: &Quota, cost: u32) -> Evaluation {
    let interval = quota.interval_us();
    let tolerance = quota.tolerance_us();
    let base = tat.unwrap_or(now).max(now);
    // Time already owed to the bucket; the bucket holds `tolerance` of it, one `interval` per token.
    let used = base - now;
    let available = tolerance.saturating_sub(used) / interval;
    let wanted = u64::from(cost.max(1));
    let allowed = available >= wanted;
    let new_tat = if allowed { base.saturating_add(interval.saturating_mul(u64::from(cost))) } else { base };
    let remaining = if allowed { available - u64::from(cost) } else { available };
    // Refused: wait until `wanted` tokens fit, i.e. until the debt shrinks to `tolerance - wanted × interval`.
    let retry_after = (!allowed).then(|| {
        let fits_at = tolerance.saturating_sub(wanted.saturating_mul(interval));
        Duration::from_micros(used.saturating_sub(fits_at).max(1))
    });
    Evaluation {
        decision: Decision {
            allowed,
            limit: quota.burst,
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
            reset_after: Duration::from_micros(new_tat - now),
            retry_after,
        },
        new_tat,
    }
}

/// Whole seconds for a header: rounded up, so a client that waits that long is never early.
pub fn header_seconds(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 { secs + 1 } else { secs }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000;

    /// Runs `n` requests at `now` against one key, storing the TAT as a store would.
    fn run(tat: &mut Option<u64>, now: u64, quota: &Quota, n: usize) -> Vec<Decision> {
        (0..n)
            .map(|_| {
                let e = evaluate(*tat, now, quota, 1);
                if e.decision.allowed {
                    *tat = Some(e.new_tat);
                }
                e.decision
            })
            .collect()
    }

    #[test]
    fn a_window_allows_its_limit_at_once_then_refuses() {
        let quota = Quota::per(5, Duration::from_secs(1)).unwrap();
        let mut tat = None;
        let decisions = run(&mut tat, 1_000 * SEC, &quota, 7);
        let remaining: Vec<u32> = decisions.iter().map(|d| d.remaining).collect();
        assert_eq!(remaining, [4, 3, 2, 1, 0, 0, 0]);
        assert!(decisions[..5].iter().all(|d| d.allowed && d.retry_after.is_none() && d.limit == 5));
        assert!(!decisions[5].allowed);
        // One token comes back every 200 ms; the bucket is full again a second after the burst.
        assert_eq!(decisions[5].retry_after, Some(Duration::from_millis(200)));
        assert_eq!(decisions[4].reset_after, Duration::from_secs(1));
        assert_eq!(decisions[0].reset_after, Duration::from_millis(200));
    }

    #[test]
    fn tokens_come_back_one_interval_at_a_time_and_fully_after_the_window() {
        let quota = Quota::per(5, Duration::from_secs(1)).unwrap();
        let start = 50 * SEC;
        let mut tat = None;
        run(&mut tat, start, &quota, 5);
        // Just before one interval: still nothing.
        assert!(!evaluate(tat, start + 199_999, &quota, 1).decision.allowed);
        // After one interval exactly one request fits.
        let d = run(&mut tat, start + 200_000, &quota, 2);
        assert!(d[0].allowed && d[0].remaining == 0 && !d[1].allowed);
        // A full window after the last request the whole burst is back.
        let d = run(&mut tat, start + 200_000 + SEC, &quota, 6);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 5);
        assert_eq!(d[0].remaining, 4);
    }

    #[test]
    fn a_token_bucket_refills_at_its_rate_up_to_its_burst() {
        // AB Connect: 5 per second refill, bursts of 25.
        let quota = Quota::new(5, Duration::from_secs(1), 25).unwrap();
        let mut tat = None;
        let d = run(&mut tat, 10 * SEC, &quota, 26);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 25);
        assert_eq!((d[0].limit, d[0].remaining, d[24].remaining), (25, 24, 0));
        assert_eq!(d[25].retry_after, Some(Duration::from_millis(200)));
        // Two seconds later: ten tokens back.
        let d = run(&mut tat, 12 * SEC, &quota, 11);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 10);
        // Idle for long: never more than the burst.
        let d = run(&mut tat, 1_000 * SEC, &quota, 30);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 25);
    }

    #[test]
    fn a_peek_reports_without_spending() {
        let quota = Quota::per(2, Duration::from_secs(60)).unwrap();
        let now = 7 * SEC;
        let fresh = evaluate(None, now, &quota, 0);
        assert!(fresh.decision.allowed);
        assert_eq!((fresh.decision.remaining, fresh.new_tat), (2, now));
        let mut tat = None;
        run(&mut tat, now, &quota, 2);
        let spent = evaluate(tat, now, &quota, 0);
        assert!(!spent.decision.allowed);
        assert_eq!(spent.decision.remaining, 0);
        assert_eq!(spent.new_tat, tat.unwrap());
        assert_eq!(spent.decision.retry_after, Some(Duration::from_secs(30)));
    }

    #[test]
    fn a_stale_tat_counts_as_a_fresh_key() {
        let quota = Quota::per(3, Duration::from_secs(1)).unwrap();
        assert_eq!(evaluate(Some(5), 100 * SEC, &quota, 1), evaluate(None, 100 * SEC, &quota, 1));
    }

    #[test]
    fn quotas_are_validated() {
        assert_eq!(Quota::new(0, Duration::from_secs(1), 1), Err(QuotaError::Zero));
        assert_eq!(Quota::new(1, Duration::from_secs(1), 0), Err(QuotaError::Zero));
        assert!(matches!(Quota::per(2_000_000, Duration::from_secs(1)), Err(QuotaError::TooFine { .. })));
        assert!(matches!(Quota::new(1, Duration::from_secs(86_400), 1_000), Err(QuotaError::TooLong { .. })));
        assert!(Quota::per(2_160_000, Duration::from_secs(7 * 86_400)).is_ok());
    }

    #[test]
    fn header_seconds_round_up() {
        assert_eq!(header_seconds(Duration::ZERO), 0);
        assert_eq!(header_seconds(Duration::from_millis(1)), 1);
        assert_eq!(header_seconds(Duration::from_secs(60)), 60);
        assert_eq!(header_seconds(Duration::from_millis(60_001)), 61);
    }

    /// A property over many quotas and arrival patterns: in any span of time, the requests allowed never exceed
    /// the burst plus what refilled during the span, the allowed count matches that bound when requests are
    /// plentiful, and `remaining` always equals what the next requests at the same instant actually get.
    #[test]
    fn never_more_than_burst_plus_refill() {
        // A small deterministic generator (xorshift) instead of a property-testing dependency.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for _ in 0..200 {
            let limit = 1 + next(50) as u32;
            let burst = 1 + next(60) as u32;
            let period = Duration::from_millis(100 + next(5_000));
            let quota = Quota::new(limit, period, burst).unwrap();
            let interval = quota.interval_us();
            let start = 1_000 * SEC;
            let mut now = start;
            let mut tat = None;
            let mut allowed = 0u64;
            for _ in 0..500 {
                now += next(3 * interval);
                let burst_here = 1 + next(4) as usize;
                let before = evaluate(tat, now, &quota, 0).decision.remaining;
                let got = run(&mut tat, now, &quota, burst_here).iter().filter(|d| d.allowed).count();
                assert_eq!(got as u64, u64::from(before).min(burst_here as u64), "{quota:?}");
                allowed += got as u64;
                let bound = u64::from(burst) + (now - start) / interval;
                assert!(allowed <= bound, "{quota:?}: {allowed} allowed, at most {bound}");
            }
            // Hammering drains exactly what is there, and a full tolerance later the whole burst is back.
            let drained = run(&mut tat, now, &quota, burst as usize + 1).iter().filter(|d| d.allowed).count() as u64;
            assert!(drained <= u64::from(burst));
            let later = now + quota.tolerance_us();
            assert_eq!(evaluate(tat, later, &quota, 0).decision.remaining, burst, "{quota:?}");
        }
    }
}
