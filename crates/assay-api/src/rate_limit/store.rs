//! Where limit state lives: in this process, or in Redis shared by every replica. Either way a request's limits
//! are checked and spent in one atomic step.
//!
//! The limiter must never become the reason a request fails. When Redis errors or is slow, the request is
//! decided by this process's own memory instead: per-process limits still stop a flood (and keep throttling
//! password guessing) until Redis answers again, which a plain "let everything through" would not. The first
//! failure is logged as a warning, recovery as info, and Redis is retried once a second rather than on every
//! request, so an outage neither floods the log nor adds a timeout to every request.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use super::{gcra::Decision, gcra::Quota, memory::MemoryStore, redis_store::RedisStore};

/// One limit a request is under: the state key (without any store prefix) and its quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub key: String,
    pub quota: Quota,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("unexpected reply from the rate-limit script: {0}")]
    Reply(String),
}

/// How long after a Redis failure requests are decided in memory before Redis is tried again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);

pub struct Backend {
    memory: MemoryStore,
    shared: Option<RedisStore>,
    /// While the memory clock is below this, skip Redis.
    skip_redis_until: AtomicU64,
    degraded: AtomicBool,
}

impl Backend {
    pub fn memory() -> Backend {
        Backend {
            memory: MemoryStore::new(),
            shared: None,
            skip_redis_until: AtomicU64::new(0),
            degraded: AtomicBool::new(false),
        }
    }

    pub fn shared(redis: RedisStore) -> Backend {
        Backend { shared: Some(redis), ..Backend::memory() }
    }

    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Applies one request of `cost` units (0 peeks) to every limit, all or nothing; one decision per limit.
    pub async fn apply(&self, limits: &[Limit], cost: u32) -> Vec<Decision> {
        if limits.is_empty() {
            return Vec::new();
        }
        if let Some(redis) = &self.shared
            && self.memory.now_us() >= self.skip_redis_until.load(Ordering::Relaxed)
        {
            match redis.apply(limits, cost).await {
                Ok(decisions) => {
                    if self.degraded.swap(false, Ordering::Relaxed) {
                        tracing::info!("rate limiter: Redis answers again; limits are shared across replicas");
                    }
                    return decisions;
                }
                Err(err) => {
                    let retry_at = self.memory.now_us().saturating_add(RETRY_REDIS_AFTER.as_micros() as u64);
                    self.skip_redis_until.store(retry_at, Ordering::Relaxed);
                    if !self.degraded.swap(true, Ordering::Relaxed) {
                        tracing::warn!(error = %err, "rate limiter: Redis failed; limiting per process until it answers");
                    }
                }
            }
        }
        self.memory.apply(limits, cost)
    }

    /// This process's own state (also the fallback when Redis fails).
    pub fn local(&self) -> &MemoryStore {
        &self.memory
    }
}
