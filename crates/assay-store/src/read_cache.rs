//! Copies of rows that nearly every request reads and almost nothing changes (who a token is, the course and the
//! quiz a path names), kept so that a candidate's every autosave or a client's every read does not repeat the same
//! lookups. Under load each lookup costs more than the work the request came for (issue 7's profile).
//!
//! A copy is used only while nothing could have changed it:
//! - it was read after the store's write generation it records, and no write that may change it has committed
//!   since ([`crate::Store::generation`]: every `Store::write` moves it; only answers, last-used marks and
//!   candidates' attempts, which no copy holds, commit without moving it);
//! - it is at most [`TTL`] old, so a change made by another server on the same database, or by an `assay admin`
//!   command, is seen within that time;
//! - it has not reached its own expiry (a token's), when it has one.
//!
//! Failed lookups (not found, refused) are never kept.

use std::{
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};

use assay_domain::id_ref::IdRef;

use crate::{Store, StoreError, courses::CourseView, entity::quiz};

/// How long a copy may be used at most.
pub const TTL: Duration = Duration::from_secs(5);
/// Copies kept at most per cache; when full, stale copies go, and if none is stale the cache starts over.
const CAPACITY: usize = 100_000;

struct Copy<V> {
    value: V,
    generation: u64,
    at: Instant,
    expires_at: Option<DateTime<Utc>>,
}

/// One kind of copy, by key.
pub struct ReadCache<K, V> {
    map: Mutex<HashMap<K, Copy<V>>>,
}

impl<K, V> Default for ReadCache<K, V> {
    fn default() -> Self {
        ReadCache { map: Mutex::new(HashMap::new()) }
    }
}

impl<K: Hash + Eq, V: Clone> ReadCache<K, V> {
    /// The copy kept for `key`, if it is still current at `generation`.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let map = self.map.lock().ok()?;
        let copy = map.get(key)?;
        let current = copy.generation == generation
            && copy.at.elapsed() < TTL
            && copy.expires_at.is_none_or(|at| at > Utc::now());
        current.then(|| copy.value.clone())
    }

    /// Keeps `value`, read entirely after the store's generation was `generation`, until `expires_at` at most.
    pub fn keep(&self, key: K, value: V, generation: u64, expires_at: Option<DateTime<Utc>>) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.retain(|_, copy| copy.at.elapsed() < TTL);
                if map.len() >= CAPACITY {
                    map.clear();
                }
            }
            map.insert(key, Copy { value, generation, at: Instant::now(), expires_at });
        }
    }

    /// The current copy for `key`, or what `load` reads (kept when it succeeds).
    pub async fn get_or_load<F, Fut>(&self, store: &Store, key: K, load: F) -> Result<V, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, StoreError>>,
    {
        // Read before loading: a write committed while loading moves the generation past the copy's.
        let generation = store.generation();
        if let Some(value) = self.get(&key, generation) {
            return Ok(value);
        }
        let value = load().await?;
        self.keep(key, value.clone(), generation, None);
        Ok(value)
    }
}

/// The rows a request's path names, by school: a course (by its path reference, and whether deleted ones count),
/// a quiz in a course, and a user's role among a quiz's contributors.
#[derive(Default)]
pub struct PathRows {
    pub(crate) courses: ReadCache<(i64, IdRef, bool), CourseView>,
    pub(crate) quizzes: ReadCache<(i64, i64, i64), quiz::Model>,
    pub(crate) quiz_roles: ReadCache<(i64, i64, i64), Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_current_only_at_its_generation_and_before_its_expiry() {
        let cache: ReadCache<&str, i32> = ReadCache::default();
        cache.keep("a", 1, 7, None);
        assert_eq!(cache.get(&"a", 7), Some(1));
        assert_eq!(cache.get(&"a", 8), None, "a write committed since it was read");
        assert_eq!(cache.get(&"b", 7), None);
        cache.keep("c", 3, 7, Some(Utc::now() - chrono::Duration::seconds(1)));
        assert_eq!(cache.get(&"c", 7), None, "expired");
        cache.keep("d", 4, 7, Some(Utc::now() + chrono::Duration::seconds(60)));
        assert_eq!(cache.get(&"d", 7), Some(4));
    }
}
