//! The policies a deployment configures: which limits exist, their sizes, and the compact window syntax
//! (`second=50,minute=1200`) used in configuration files, flags and environment variables.

use std::{fmt, str::FromStr, time::Duration};

use super::gcra::{Quota, QuotaError};

/// A fixed period, as QS names its windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Window {
    Second,
    Minute,
    Hour,
    Day,
    Week,
}

impl Window {
    pub const ALL: [Window; 5] = [Window::Second, Window::Minute, Window::Hour, Window::Day, Window::Week];

    pub fn period(self) -> Duration {
        Duration::from_secs(match self {
            Window::Second => 1,
            Window::Minute => 60,
            Window::Hour => 3_600,
            Window::Day => 86_400,
            Window::Week => 604_800,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Window::Second => "second",
            Window::Minute => "minute",
            Window::Hour => "hour",
            Window::Day => "day",
            Window::Week => "week",
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Window {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Window, PolicyError> {
        Window::ALL
            .into_iter()
            .find(|w| w.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| PolicyError::UnknownWindow(s.trim().to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown window `{0}`: use second, minute, hour, day or week")]
    UnknownWindow(String),
    #[error("`{0}` is not WINDOW=COUNT, e.g. minute=1200")]
    Malformed(String),
    #[error("the {0} window is given twice")]
    Duplicate(Window),
    #[error("{what}: {source}")]
    Quota {
        what: String,
        #[source]
        source: QuotaError,
    },
}

/// Parses `second=50,minute=1200,…` (spaces allowed, any order, each window at most once). An empty string means
/// no windows: the per-address limit is off. A window's count must be at least 1; leave the window out instead.
pub fn parse_windows(spec: &str) -> Result<Vec<(Window, u32)>, PolicyError> {
    let mut windows: Vec<(Window, u32)> = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let (name, count) = item.split_once('=').ok_or_else(|| PolicyError::Malformed(item.to_owned()))?;
        let window: Window = name.parse()?;
        let count: u32 = count.trim().parse().map_err(|_| PolicyError::Malformed(item.to_owned()))?;
        if windows.iter().any(|(w, _)| *w == window) {
            return Err(PolicyError::Duplicate(window));
        }
        Quota::per(count, window.period())
            .map_err(|source| PolicyError::Quota { what: format!("{window}={count}"), source })?;
        windows.push((window, count));
    }
    windows.sort();
    Ok(windows)
}

/// The inverse of `parse_windows`, shortest window first.
pub fn format_windows(windows: &[(Window, u32)]) -> String {
    let mut sorted = windows.to_vec();
    sorted.sort();
    sorted.iter().map(|(w, n)| format!("{w}={n}")).collect::<Vec<_>>().join(",")
}

/// QS's per-address windows scaled up five- to tenfold, so that a whole school behind one NAT address, or a
/// test suite firing 40 concurrent requests, stays far below them while a runaway script is still stopped.
/// QS itself: second=10, minute=120, hour=3600, day=43200, week=216000.
pub const DEFAULT_IP_ENDPOINT_WINDOWS: &str = "second=50,minute=1200,hour=36000,day=432000,week=2160000";

/// Every setting of the rate limiter. A count of 0 turns that policy off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Whether requests are limited at all (the per-address, per-school and per-credential policies). Login
    /// throttling is separate: it guards passwords, and `login_failures_per_15min = 0` is its own switch.
    pub enabled: bool,
    /// Requests per minute shared by all of a school's credentials (Ans), unless the school's
    /// `api_rate_limit_per_minute` overrides it.
    pub school_per_minute: u32,
    /// Token-bucket refill per credential (AB Connect): this many per second…
    pub credential_per_second: u32,
    /// …up to this many at once.
    pub credential_burst: u32,
    /// Per client address and endpoint, every window at once (QS).
    pub ip_endpoint_windows: Vec<(Window, u32)>,
    /// Failed logins per normalized username in any 15 minutes before further attempts are refused.
    pub login_failures_per_15min: u32,
    /// `redis://…`: share the limits between replicas. Without it, limits are per process.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key (`<prefix>:<policy>:<key>`), so deployments or tests can share one Redis.
    pub redis_key_prefix: String,
}

pub const DEFAULT_REDIS_KEY_PREFIX: &str = "assay:rl";
pub const LOGIN_FAILURE_PERIOD: Duration = Duration::from_secs(15 * 60);

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            school_per_minute: 3_000,
            credential_per_second: 50,
            credential_burst: 100,
            ip_endpoint_windows: parse_windows(DEFAULT_IP_ENDPOINT_WINDOWS).unwrap_or_default(),
            login_failures_per_15min: 10,
            redis_url: None,
            redis_key_prefix: DEFAULT_REDIS_KEY_PREFIX.to_owned(),
        }
    }
}

impl RateLimitConfig {
    /// Checks that every configured policy makes a valid quota.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (window, count) in &self.ip_endpoint_windows {
            Quota::per(*count, window.period())
                .map_err(|source| PolicyError::Quota { what: format!("{window}={count}"), source })?;
        }
        if self.school_per_minute > 0 {
            self.school_quota(None)?;
        }
        if self.credential_per_second > 0 {
            self.credential_quota()?;
        }
        if self.login_failures_per_15min > 0 {
            self.login_quota()?;
        }
        Ok(())
    }

    /// The school's quota: its own positive override when set, else the deployment's.
    pub fn school_quota(&self, override_per_minute: Option<u32>) -> Result<Quota, PolicyError> {
        let per_minute = override_per_minute.filter(|n| *n > 0).unwrap_or(self.school_per_minute);
        Quota::per(per_minute, Window::Minute.period()).map_err(|source| PolicyError::Quota {
            what: format!("{per_minute} requests per minute per school"),
            source,
        })
    }

    pub fn credential_quota(&self) -> Result<Quota, PolicyError> {
        Quota::new(self.credential_per_second, Window::Second.period(), self.credential_burst).map_err(|source| {
            PolicyError::Quota {
                what: format!(
                    "{} per second with bursts of {} per credential",
                    self.credential_per_second, self.credential_burst
                ),
                source,
            }
        })
    }

    pub fn login_quota(&self) -> Result<Quota, PolicyError> {
        Quota::per(self.login_failures_per_15min, LOGIN_FAILURE_PERIOD).map_err(|source| PolicyError::Quota {
            what: format!("{} login failures per 15 minutes", self.login_failures_per_15min),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_in_any_order_with_spaces() {
        let parsed = parse_windows(" minute = 1200, second=50 ,WEEK=2160000").unwrap();
        assert_eq!(parsed, [(Window::Second, 50), (Window::Minute, 1200), (Window::Week, 2_160_000)]);
        assert_eq!(format_windows(&parsed), "second=50,minute=1200,week=2160000");
        assert_eq!(parse_windows("").unwrap(), []);
        assert_eq!(parse_windows(" , ").unwrap(), []);
        let defaults = parse_windows(DEFAULT_IP_ENDPOINT_WINDOWS).unwrap();
        assert_eq!(format_windows(&defaults), DEFAULT_IP_ENDPOINT_WINDOWS);
        assert_eq!(RateLimitConfig::default().ip_endpoint_windows, defaults);
    }

    #[test]
    fn bad_windows_are_refused_with_the_reason() {
        assert_eq!(parse_windows("fortnight=3"), Err(PolicyError::UnknownWindow("fortnight".into())));
        assert_eq!(parse_windows("minute"), Err(PolicyError::Malformed("minute".into())));
        assert_eq!(parse_windows("minute=-1"), Err(PolicyError::Malformed("minute=-1".into())));
        assert_eq!(parse_windows("minute=lots"), Err(PolicyError::Malformed("minute=lots".into())));
        assert_eq!(parse_windows("hour=1,hour=2"), Err(PolicyError::Duplicate(Window::Hour)));
        let zero = parse_windows("second=0").unwrap_err();
        assert!(zero.to_string().contains("second=0"), "{zero}");
        assert!(parse_windows("second=5000000").is_err());
    }

    #[test]
    fn a_school_override_replaces_the_default_and_zero_turns_policies_off() {
        let config = RateLimitConfig::default();
        config.validate().unwrap();
        assert_eq!(config.school_quota(None).unwrap().limit, 3_000);
        assert_eq!(config.school_quota(Some(500)).unwrap().limit, 500);
        assert_eq!(config.school_quota(Some(0)).unwrap().limit, 3_000);
        let credential = config.credential_quota().unwrap();
        assert_eq!((credential.limit, credential.burst), (50, 100));
        let off = RateLimitConfig { school_per_minute: 0, credential_per_second: 0, ..RateLimitConfig::default() };
        off.validate().unwrap();
        let bad = RateLimitConfig { credential_burst: 0, ..RateLimitConfig::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("bursts of 0"));
    }
}
