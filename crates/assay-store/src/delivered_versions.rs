//! The question versions attempts show, kept in memory once read. A delivered version is never changed again (an
//! edit after delivery makes a new version), so a copy can never go stale; without it every autosave and every
//! question fetch would read and parse each question of the attempt. Kept per `Store` (ids are per database).

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use assay_domain::question::QuestionBody;

use crate::entity::question_version;

/// At most this many versions are kept; when full the cache starts over (a school's live exams fit many times).
const CAPACITY: usize = 50_000;

/// A version with its parsed body.
pub type Version = Arc<(question_version::Model, QuestionBody)>;

#[derive(Default)]
pub struct DeliveredVersions {
    map: RwLock<HashMap<(i64, i32), Version>>,
}

impl DeliveredVersions {
    /// The versions of `wanted` held, and the keys not held.
    pub fn get(&self, wanted: &[(i64, i32)]) -> (Vec<Version>, Vec<(i64, i32)>) {
        let Ok(map) = self.map.read() else { return (Vec::new(), wanted.to_vec()) };
        let mut found = Vec::with_capacity(wanted.len());
        let mut missing = Vec::new();
        for key in wanted {
            match map.get(key) {
                Some(v) => found.push(v.clone()),
                None => missing.push(*key),
            }
        }
        (found, missing)
    }

    /// Keeps `version` if it is delivered (a version not yet delivered may still be edited in place).
    pub fn keep(&self, version: Version) {
        if !version.0.delivered {
            return;
        }
        if let Ok(mut map) = self.map.write() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert((version.0.question_id, version.0.version), version);
        }
    }
}
