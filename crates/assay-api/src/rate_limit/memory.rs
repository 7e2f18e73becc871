//! Limits kept in this process: a TAT per key in sharded maps. Sharding keeps concurrent requests from queueing
//! on one lock; keys whose TAT has passed are equivalent to absent ones, so each shard sweeps them out every few
//! seconds as part of ordinary calls and the maps stay as small as the set of recently busy keys.

use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use super::{
    gcra::{self, Decision},
    store::Limit,
};

const SHARDS: usize = 16;
/// How often a shard drops expired keys. A key lives only as long as its bucket takes to refill (one emission
/// interval per request made), so between sweeps a shard holds at most the keys touched in the last interval
/// plus the ones still refilling.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

pub struct MemoryStore {
    shards: Vec<Mutex<Shard>>,
    hasher: RandomState,
    /// The store's clock is monotonic microseconds since this instant, so a wall-clock change cannot open or
    /// freeze every bucket at once.
    epoch: Instant,
}

#[derive(Default)]
struct Shard {
    tats: HashMap<String, u64>,
    next_sweep: u64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            hasher: RandomState::new(),
            epoch: Instant::now(),
        }
    }

    pub fn now_us(&self) -> u64 {
        // Starts at 1 so that a clock reading is never mistaken for "no TAT".
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX).saturating_add(1)
    }

    /// Applies one request of `cost` units (0 peeks) to every limit, all or nothing.
    pub fn apply(&self, limits: &[Limit], cost: u32) -> Vec<Decision> {
        self.apply_at(self.now_us(), limits, cost)
    }

    /// `apply` at a given instant (tests drive the clock through it).
    pub(crate) fn apply_at(&self, now: u64, limits: &[Limit], cost: u32) -> Vec<Decision> {
        let shard_of: Vec<usize> =
            limits.iter().map(|l| (self.hasher.hash_one(&l.key) % SHARDS as u64) as usize).collect();
        let mut order = shard_of.clone();
        order.sort_unstable();
        order.dedup();
        // Every shard involved is locked, in index order (so two requests never wait on each other in a cycle),
        // for the whole decision: limits of one request are checked and spent together.
        let mut locked: Vec<(usize, MutexGuard<'_, Shard>)> = order.iter().map(|&i| (i, self.lock(i))).collect();
        let position = |shard: usize| order.binary_search(&shard).unwrap_or_default();
        let evaluations: Vec<gcra::Evaluation> = limits
            .iter()
            .zip(&shard_of)
            .map(|(limit, &shard)| {
                let tat = locked[position(shard)].1.tats.get(&limit.key).copied();
                gcra::evaluate(tat, now, &limit.quota, cost)
            })
            .collect();
        if cost > 0 && evaluations.iter().all(|e| e.decision.allowed) {
            for ((limit, &shard), evaluation) in limits.iter().zip(&shard_of).zip(&evaluations) {
                locked[position(shard)].1.tats.insert(limit.key.clone(), evaluation.new_tat);
            }
        }
        for (_, shard) in &mut locked {
            if now >= shard.next_sweep {
                shard.tats.retain(|_, tat| *tat > now);
                shard.next_sweep = now.saturating_add(SWEEP_EVERY.as_micros() as u64);
            }
        }
        evaluations.into_iter().map(|e| e.decision).collect()
    }

    /// Keys currently held (for tests and diagnostics).
    pub fn len(&self) -> usize {
        (0..SHARDS).map(|i| self.lock(i).tats.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard> {
        // A panic while holding the lock cannot leave a TAT half-written, so a poisoned shard is still sound.
        self.shards[shard].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::gcra::Quota;

    const SEC: u64 = 1_000_000;

    fn limit(key: &str, n: u32) -> Limit {
        Limit { key: key.to_owned(), quota: Quota::per(n, Duration::from_secs(1)).unwrap() }
    }

    #[test]
    fn the_limits_of_one_request_are_spent_all_or_nothing() {
        let store = MemoryStore::new();
        let now = 5 * SEC;
        let pair = [limit("wide", 10), limit("narrow", 2)];
        let allowed: Vec<bool> = (0..4).map(|_| store.apply_at(now, &pair, 1).iter().all(|d| d.allowed)).collect();
        assert_eq!(allowed, [true, true, false, false]);
        // The refusals spent nothing from the wide limit: it has given exactly two.
        assert_eq!(store.apply_at(now, &[limit("wide", 10)], 0)[0].remaining, 8);
        // A peek spends nothing either.
        assert_eq!(store.apply_at(now, &[limit("wide", 10)], 0)[0].remaining, 8);
    }

    #[test]
    fn expired_keys_are_swept_so_the_map_cannot_grow_without_bound() {
        let store = MemoryStore::new();
        let start = 100 * SEC;
        // A key still refilling (one request per minute) when the sweep comes.
        let busy = [Limit { key: "busy".into(), quota: Quota::per(1, Duration::from_secs(60)).unwrap() }];
        assert!(store.apply_at(start, &busy, 1)[0].allowed);
        for i in 0..5_000 {
            store.apply_at(start, &[limit(&format!("client-{i}"), 5)], 1);
        }
        assert_eq!(store.len(), 5_001);
        // Every one-second bucket refilled long ago; a sweep interval later each shard drops its dead keys as
        // soon as it is next used (2,000 keys touch every one of the 16 shards).
        let later = start + SWEEP_EVERY.as_micros() as u64 + SEC;
        for i in 0..2_000 {
            store.apply_at(later, &[limit(&format!("client-{i}"), 5)], 1);
        }
        assert_eq!(store.len(), 2_001);
        // The busy key kept its state through the sweep.
        assert!(!store.apply_at(later, &busy, 1)[0].allowed);
    }

    #[test]
    fn concurrent_requests_never_get_more_than_the_limit() {
        let store = std::sync::Arc::new(MemoryStore::new());
        let limits = std::sync::Arc::new([limit("shared", 100), limit("also", 1_000)]);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (store, limits) = (store.clone(), limits.clone());
                std::thread::spawn(move || {
                    (0..50).filter(|_| store.apply_at(SEC, &limits[..], 1).iter().all(|d| d.allowed)).count()
                })
            })
            .collect();
        let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(total, 100);
    }
}
