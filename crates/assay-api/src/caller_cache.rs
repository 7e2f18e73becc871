//! Callers recently authenticated by a bearer token, so that a candidate's every autosave or a client's every
//! read does not repeat the token, user and role queries (about half of a simple request's queries).
//!
//! A copy is used only while nothing could have changed it: it was read after the store's write generation it
//! records and no write transaction has committed since (revoking a token, deleting a user, changing an enrollment
//! or a developer key all are write transactions of this server), it is at most `TTL` old (another server on the
//! same database, or an `assay admin` command, is seen within that time), and the token has not expired since.
//! Refusals are never kept.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::auth::Caller;

/// How long a copy may be used at most.
const TTL: Duration = Duration::from_secs(5);
/// Copies kept at most; when full the cache starts over.
const CAPACITY: usize = 100_000;

struct Copy {
    caller: Caller,
    generation: u64,
    at: Instant,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Default)]
pub struct CallerCache {
    map: Mutex<HashMap<String, Copy>>,
}

impl CallerCache {
    /// The caller a token (by its hash) stood for, if the copy is still current at `generation`.
    pub fn get(&self, token_hash: &str, generation: u64) -> Option<Caller> {
        let map = self.map.lock().ok()?;
        let copy = map.get(token_hash)?;
        let current = copy.generation == generation
            && copy.at.elapsed() < TTL
            && copy.expires_at.is_none_or(|at| at > chrono::Utc::now());
        current.then(|| copy.caller.clone())
    }

    /// Keeps a caller authenticated by reads that started at `generation`.
    pub fn keep(
        &self,
        token_hash: String,
        caller: Caller,
        generation: u64,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.retain(|_, copy| copy.at.elapsed() < TTL);
                if map.len() >= CAPACITY {
                    map.clear();
                }
            }
            map.insert(token_hash, Copy { caller, generation, at: Instant::now(), expires_at });
        }
    }
}
