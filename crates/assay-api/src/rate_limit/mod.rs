//! Rate limits: one engine (GCRA, `gcra.rs`) behind several policies (`policy.rs`), with state in this process or
//! shared through Redis (`store.rs`), enforced by one middleware (`middleware.rs`).
//!
//! The policies, each configurable per deployment (and the school's per account):
//! - per client address and endpoint, several windows at once (QS: second/minute/hour/day/week);
//! - per school, shared by all its credentials (Ans), when the request carries a `RateSubject`;
//! - per credential, a token bucket (AB Connect), likewise;
//! - failed logins per username, for the token endpoints (`check_login_failure`, `login_allowed`).

pub mod gcra;
mod memory;
pub mod middleware;
pub mod policy;
mod redis_store;
pub mod store;

use std::net::IpAddr;

pub use gcra::{Decision, Quota};
pub use middleware::enforce;
pub use policy::{RateLimitConfig, Window};

use policy::PolicyError;
use store::{Backend, BackendError, Limit};

/// Who a request acts for, once authenticated. The authentication middleware inserts it into the request's
/// extensions before `enforce` runs; without it only the per-address limits apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateSubject {
    /// The school (root account) whose shared budget the request spends.
    pub school_id: i64,
    /// The school's own limit (`accounts.api_rate_limit_per_minute`), when it has one; see
    /// `school_limit_from_column`.
    pub school_limit_per_minute: Option<u32>,
    /// A stable identifier of the credential, e.g. `token:42` or `key:<public id>`. Never the secret itself: it
    /// becomes a Redis key.
    pub credential: String,
}

impl RateSubject {
    /// Reads `accounts.api_rate_limit_per_minute`: a positive value overrides the deployment's limit; NULL, zero
    /// or a negative value means "use the deployment's".
    pub fn school_limit_from_column(column: Option<i32>) -> Option<u32> {
        column.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
    }
}

/// Which policy a limit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    IpEndpoint(Window),
    School,
    Credential,
    LoginFailures,
}

/// One limit checked for a request, with its decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub policy: Policy,
    pub quota: Quota,
    pub decision: Decision,
}

impl Check {
    /// The limit in words, for the 429 message: which policy and which window tripped.
    pub fn describe(&self) -> String {
        let Quota { limit, burst, .. } = self.quota;
        let requests = if limit == 1 { "1 request".to_owned() } else { format!("{limit} requests") };
        match self.policy {
            Policy::IpEndpoint(window) => format!("{requests} per {window} for this address and endpoint"),
            Policy::School => format!("{requests} per minute for this school"),
            Policy::Credential => format!("{requests} per second, in bursts of up to {burst}, for this credential"),
            Policy::LoginFailures => format!("{limit} failed logins per 15 minutes for this username"),
        }
    }
}

/// The outcome of checking a request against every limit it is under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Every limit allowed the request (limits are spent all or nothing, so then all of them were spent).
    pub fn allowed(&self) -> bool {
        self.checks.iter().all(|c| c.decision.allowed)
    }

    /// When refused: the limit that keeps the client waiting longest, since the request needs all of them.
    pub fn tripped(&self) -> Option<&Check> {
        self.checks.iter().filter(|c| !c.decision.allowed).max_by_key(|c| c.decision.retry_after)
    }

    /// What a successful response reports in its `RateLimit-*` headers: the school's shared budget when the
    /// request has a subject (the number Ans clients plan around), else the address window closest to running
    /// out.
    pub fn reported(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.policy == Policy::School).or_else(|| {
            self.checks
                .iter()
                .filter(|c| matches!(c.policy, Policy::IpEndpoint(_)))
                .min_by_key(|c| (c.decision.remaining, c.decision.reset_after))
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    #[error("rate limit configuration: {0}")]
    Config(#[from] PolicyError),
    #[error("rate limit store {url} is unreachable: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: BackendError,
    },
}

/// The engine with its policies. Shared by every request (`AppState::limiter`).
pub struct RateLimiter {
    config: RateLimitConfig,
    backend: Backend,
}

/// Usernames are cut to this many characters in keys: enough to tell real ones apart, and a client cannot make
/// the limiter hold huge keys.
const MAX_KEY_PART: usize = 200;

impl RateLimiter {
    /// Validates the configuration and, when `redis_url` is set, connects to Redis: an unreachable Redis at
    /// startup is an error (a silently per-process limit would multiply the budget by the replica count).
    pub async fn connect(config: RateLimitConfig) -> Result<RateLimiter, RateLimitError> {
        config.validate()?;
        let backend = match &config.redis_url {
            Some(url) => {
                let redis = redis_store::RedisStore::connect(url, &config.redis_key_prefix)
                    .await
                    .map_err(|source| RateLimitError::Unreachable { url: assay_store::redact_url(url), source })?;
                Backend::shared(redis)
            }
            None => Backend::memory(),
        };
        Ok(RateLimiter { config, backend })
    }

    /// A limiter whose state lives in this process, ignoring any `redis_url`.
    pub fn in_memory(config: RateLimitConfig) -> Result<RateLimiter, RateLimitError> {
        config.validate()?;
        Ok(RateLimiter { config, backend: Backend::memory() })
    }

    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    /// Whether limits are shared through Redis (else per process).
    pub fn is_shared(&self) -> bool {
        self.backend.is_shared()
    }

    /// Checks and spends one request from `client` to `endpoint` (e.g. `GET /api/v1/users/{id}`), acting for
    /// `subject` when authenticated: the per-address windows, and the school's and the credential's budgets. All
    /// or nothing: a refused request spends nothing. Empty (allowed) when limits are disabled.
    pub async fn check_request(
        &self,
        client: Option<IpAddr>,
        endpoint: &str,
        subject: Option<&RateSubject>,
    ) -> Verdict {
        if !self.config.enabled {
            return Verdict::default();
        }
        let mut planned = self.address_limits(client, endpoint);
        if let Some(subject) = subject {
            planned.extend(self.school_limit(subject.school_id, subject.school_limit_per_minute));
            planned.extend(self.credential_limit(&subject.credential));
        }
        self.apply(planned, 1).await
    }

    /// Checks and spends one request against the per-address windows only.
    pub async fn check_ip_endpoint(&self, client: Option<IpAddr>, endpoint: &str) -> Verdict {
        if !self.config.enabled {
            return Verdict::default();
        }
        self.apply(self.address_limits(client, endpoint), 1).await
    }

    /// Checks and spends one request from a school's shared budget (`override_per_minute`: the school's own limit).
    pub async fn check_school(&self, school_id: i64, override_per_minute: Option<u32>) -> Decision {
        if !self.config.enabled {
            return Decision::unlimited();
        }
        self.single(self.school_limit(school_id, override_per_minute), 1).await
    }

    /// Checks and spends one request from a credential's token bucket.
    pub async fn check_credential(&self, credential: &str) -> Decision {
        if !self.config.enabled {
            return Decision::unlimited();
        }
        self.single(self.credential_limit(credential), 1).await
    }

    /// Records one failed login for `username` (normalized: trimmed, lowercased). Call it after a password or
    /// secret was wrong. Refused once the username has used up its failures; `retry_after` says for how long.
    pub async fn check_login_failure(&self, username: &str) -> Decision {
        self.single(self.login_limit(username), 1).await
    }

    /// Whether `username` may try to log in now, without spending anything. Call it before checking the
    /// password: when refused, answer 429 without looking at the password, so guessing stops being useful.
    pub async fn login_allowed(&self, username: &str) -> Decision {
        self.single(self.login_limit(username), 0).await
    }

    fn address_limits(&self, client: Option<IpAddr>, endpoint: &str) -> Vec<(Policy, Limit)> {
        let client = client_key(client);
        let endpoint = truncate(endpoint);
        self.config
            .ip_endpoint_windows
            .iter()
            .filter_map(|&(window, count)| {
                let quota = Quota::per(count, window.period()).ok()?;
                Some((Policy::IpEndpoint(window), Limit { key: format!("ip:{window}:{client}:{endpoint}"), quota }))
            })
            .collect()
    }

    fn school_limit(&self, school_id: i64, override_per_minute: Option<u32>) -> Option<(Policy, Limit)> {
        if self.config.school_per_minute == 0 && override_per_minute.is_none_or(|n| n == 0) {
            return None;
        }
        let quota = self.config.school_quota(override_per_minute).ok()?;
        Some((Policy::School, Limit { key: format!("school:{school_id}"), quota }))
    }

    fn credential_limit(&self, credential: &str) -> Option<(Policy, Limit)> {
        if self.config.credential_per_second == 0 {
            return None;
        }
        let quota = self.config.credential_quota().ok()?;
        Some((Policy::Credential, Limit { key: format!("cred:{}", truncate(credential)), quota }))
    }

    fn login_limit(&self, username: &str) -> Option<(Policy, Limit)> {
        if self.config.login_failures_per_15min == 0 {
            return None;
        }
        let quota = self.config.login_quota().ok()?;
        let normalized = username.trim().to_lowercase();
        Some((Policy::LoginFailures, Limit { key: format!("login:{}", truncate(&normalized)), quota }))
    }

    async fn apply(&self, planned: Vec<(Policy, Limit)>, cost: u32) -> Verdict {
        let (policies, limits): (Vec<Policy>, Vec<Limit>) = planned.into_iter().unzip();
        let decisions = self.backend.apply(&limits, cost).await;
        let checks = policies
            .into_iter()
            .zip(limits)
            .zip(decisions)
            .map(|((policy, limit), decision)| Check { policy, quota: limit.quota, decision })
            .collect();
        Verdict { checks }
    }

    async fn single(&self, planned: Option<(Policy, Limit)>, cost: u32) -> Decision {
        let Some(planned) = planned else { return Decision::unlimited() };
        self.apply(vec![planned], cost).await.checks.first().map(|c| c.decision).unwrap_or_else(Decision::unlimited)
    }

    #[cfg(test)]
    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }
}

/// How a client address is keyed. IPv6 clients are limited per /64, the block one subscriber usually gets: per
/// address, anyone could rotate through 2^64 of them. IPv4-mapped IPv6 addresses count as their IPv4 address.
pub fn client_key(client: Option<IpAddr>) -> String {
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_owned(),
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(MAX_KEY_PART) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

#[cfg(test)]
mod tests;
