//! The limiter's policies against the engine directly, on the in-process store and on Redis. Redis tests use
//! `ASSAY_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) with a fresh key prefix each; they are skipped when
//! Redis is unreachable, except under CI (`CI` set), where that is a failure.

use std::{
    net::IpAddr,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use super::*;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_prefix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("assay:test:{}:{}:{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

fn redis_url() -> String {
    std::env::var("ASSAY_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A limiter on the test Redis under a prefix of its own (`prefix`, or a fresh one). `None`: skip this test.
async fn on_redis(config: &RateLimitConfig, prefix: Option<&str>) -> Option<RateLimiter> {
    let config = RateLimitConfig {
        redis_url: Some(redis_url()),
        redis_key_prefix: prefix.map(str::to_owned).unwrap_or_else(unique_prefix),
        ..config.clone()
    };
    match RateLimiter::connect(config).await {
        Ok(limiter) => Some(limiter),
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "CI needs Redis at {}: {err}", redis_url());
            eprintln!("Redis unreachable ({err}): skipping the Redis variant");
            None
        }
    }
}

/// The limiters a policy test runs on: in memory, and on Redis when there is one.
async fn limiters(config: RateLimitConfig) -> Vec<RateLimiter> {
    let mut all = vec![RateLimiter::in_memory(config.clone()).unwrap()];
    all.extend(on_redis(&config, None).await);
    all
}

fn quiet() -> RateLimitConfig {
    // Only the policy under test applies.
    RateLimitConfig {
        school_per_minute: 0,
        credential_per_second: 0,
        ip_endpoint_windows: Vec::new(),
        login_failures_per_15min: 0,
        ..RateLimitConfig::default()
    }
}

fn subject(school_id: i64, credential: &str) -> RateSubject {
    RateSubject { school_id, school_limit_per_minute: None, credential: credential.to_owned() }
}

const ADDRESS: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));

#[tokio::test]
async fn a_school_budget_is_shared_by_all_its_credentials() {
    for limiter in limiters(RateLimitConfig { school_per_minute: 5, ..quiet() }).await {
        let mut remaining = Vec::new();
        for credential in ["token:1", "token:2", "token:3", "token:1", "token:2"] {
            let verdict = limiter.check_request(ADDRESS, "GET /a", Some(&subject(7, credential))).await;
            assert!(verdict.allowed());
            remaining.push(verdict.reported().unwrap().decision.remaining);
        }
        assert_eq!(remaining, [4, 3, 2, 1, 0]);
        let refused = limiter.check_request(ADDRESS, "GET /a", Some(&subject(7, "token:9"))).await;
        let tripped = refused.tripped().unwrap();
        assert_eq!(tripped.policy, Policy::School);
        assert_eq!(tripped.describe(), "5 requests per minute for this school");
        // One token per 12 s comes back.
        let retry = tripped.decision.retry_after.unwrap();
        assert!(retry > Duration::from_secs(11) && retry <= Duration::from_secs(12), "{retry:?}");
        // Another school has its own budget; a school's own limit replaces the deployment's.
        assert!(limiter.check_school(8, None).await.allowed);
        let own = RateSubject { school_limit_per_minute: Some(2), ..subject(9, "token:5") };
        let allowed: Vec<bool> = futures::future::join_all(
            (0..3).map(|_| async { limiter.check_request(ADDRESS, "GET /a", Some(&own)).await.allowed() }),
        )
        .await;
        assert_eq!(allowed.iter().filter(|a| **a).count(), 2);
        assert_eq!(limiter.check_school(9, Some(2)).await.limit, 2);
    }
}

#[test]
fn the_school_column_overrides_only_with_a_positive_value() {
    assert_eq!(RateSubject::school_limit_from_column(Some(500)), Some(500));
    assert_eq!(RateSubject::school_limit_from_column(Some(0)), None);
    assert_eq!(RateSubject::school_limit_from_column(Some(-1)), None);
    assert_eq!(RateSubject::school_limit_from_column(None), None);
}

#[tokio::test]
async fn a_credential_has_a_token_bucket() {
    // AB Connect's shape (a refill rate and a larger burst), with a refill slow enough that wall-clock time spent
    // by the test cannot change the counts; gcra.rs checks 5/s with bursts of 25 on an exact clock.
    let config = RateLimitConfig { credential_per_second: 1, credential_burst: 25, school_per_minute: 60, ..quiet() };
    for limiter in limiters(config).await {
        let mut allowed = 0;
        for _ in 0..25 {
            let verdict = limiter.check_request(ADDRESS, "GET /a", Some(&subject(1, "key:abc"))).await;
            allowed += usize::from(verdict.allowed());
        }
        assert_eq!(allowed, 25);
        let refused = limiter.check_request(ADDRESS, "GET /a", Some(&subject(1, "key:abc"))).await;
        let tripped = refused.tripped().unwrap();
        assert_eq!(tripped.policy, Policy::Credential);
        assert_eq!(tripped.decision.limit, 25);
        assert!(tripped.decision.retry_after.unwrap() <= Duration::from_secs(1));
        assert!(tripped.describe().contains("1 request per second, in bursts of up to 25"));
        // The school's budget paid only for the 25 that went through.
        assert_eq!(limiter.check_school(1, None).await.remaining, 60 - 26);
        // Another credential of the same school is unaffected.
        assert!(limiter.check_credential("key:other").await.allowed);
    }
}

#[tokio::test]
async fn a_request_spends_all_its_limits_or_none() {
    let config = RateLimitConfig {
        ip_endpoint_windows: vec![(Window::Second, 1_000), (Window::Hour, 3)],
        school_per_minute: 100,
        ..quiet()
    };
    for limiter in limiters(config).await {
        for _ in 0..3 {
            assert!(limiter.check_request(ADDRESS, "GET /a", Some(&subject(3, "t"))).await.allowed());
        }
        for _ in 0..5 {
            let refused = limiter.check_request(ADDRESS, "GET /a", Some(&subject(3, "t"))).await;
            assert_eq!(refused.tripped().unwrap().policy, Policy::IpEndpoint(Window::Hour));
            assert!(
                refused.tripped().unwrap().describe().contains("3 requests per hour for this address and endpoint")
            );
        }
        // The refusals spent neither the school's budget nor the other window.
        assert_eq!(limiter.check_school(3, None).await.remaining, 100 - 4);
        let other_endpoint = limiter.check_ip_endpoint(ADDRESS, "POST /a").await;
        assert!(other_endpoint.allowed());
        // Headers without a subject report the window closest to running out.
        assert_eq!(other_endpoint.reported().unwrap().policy, Policy::IpEndpoint(Window::Hour));
        assert_eq!(other_endpoint.reported().unwrap().decision.remaining, 2);
        // Another address has its own windows.
        let elsewhere = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2)));
        assert!(limiter.check_ip_endpoint(elsewhere, "GET /a").await.allowed());
    }
}

#[tokio::test]
async fn failed_logins_are_throttled_per_normalized_username() {
    for limiter in limiters(RateLimitConfig { login_failures_per_15min: 3, ..quiet() }).await {
        let fresh = limiter.login_allowed("ada@example.org").await;
        assert!(fresh.allowed);
        assert_eq!(fresh.remaining, 3);
        let spent: Vec<u32> = futures::future::join_all(
            ["Ada@Example.org", "  ada@example.org ", "ADA@EXAMPLE.ORG"].map(|u| limiter.check_login_failure(u)),
        )
        .await
        .iter()
        .map(|d| d.remaining)
        .collect::<Vec<_>>();
        let mut sorted = spent.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2]);
        // Peeking again spends nothing and says no, for five minutes (15 minutes / 3).
        for _ in 0..3 {
            let peek = limiter.login_allowed("ada@example.org").await;
            assert!(!peek.allowed);
            let wait = peek.retry_after.unwrap();
            assert!(wait > Duration::from_secs(299) && wait <= Duration::from_secs(300), "{wait:?}");
        }
        let more = limiter.check_login_failure("ada@example.org").await;
        assert!(!more.allowed);
        assert!(limiter.login_allowed("grace@example.org").await.allowed);
    }
}

#[tokio::test]
async fn disabled_limits_allow_everything_but_logins_keep_their_own_switch() {
    let config = RateLimitConfig { enabled: false, school_per_minute: 1, login_failures_per_15min: 1, ..quiet() };
    let limiter = RateLimiter::in_memory(config).unwrap();
    for _ in 0..5 {
        let verdict = limiter.check_request(ADDRESS, "GET /a", Some(&subject(1, "t"))).await;
        assert!(verdict.allowed() && verdict.checks.is_empty());
    }
    assert!(limiter.check_login_failure("u").await.allowed);
    assert!(!limiter.check_login_failure("u").await.allowed);
    let off = RateLimiter::in_memory(quiet()).unwrap();
    for _ in 0..5 {
        assert!(off.check_login_failure("u").await.allowed);
    }
}

#[test]
fn clients_are_keyed_per_ipv4_address_and_ipv6_slash_64() {
    let key = |s: &str| client_key(Some(s.parse().unwrap()));
    assert_eq!(key("192.0.2.1"), "192.0.2.1");
    assert_eq!(key("::ffff:192.0.2.1"), "192.0.2.1");
    assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
    assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    assert_eq!(client_key(None), "unknown");
}

#[test]
fn bad_configurations_are_refused() {
    let bad = RateLimitConfig { credential_per_second: 5, credential_burst: 0, ..quiet() };
    assert!(matches!(RateLimiter::in_memory(bad), Err(RateLimitError::Config(_))));
}

#[tokio::test]
async fn redis_counts_exactly_and_replicas_share_one_budget() {
    let config = RateLimitConfig { ip_endpoint_windows: vec![(Window::Minute, 10)], ..quiet() };
    let prefix = unique_prefix();
    let Some(one) = on_redis(&config, Some(&prefix)).await else { return };
    let Some(two) = on_redis(&config, Some(&prefix)).await else { return };
    assert!(one.is_shared() && two.is_shared());
    let mut remaining = Vec::new();
    for i in 0..12 {
        let replica = if i % 2 == 0 { &one } else { &two };
        let verdict = replica.check_ip_endpoint(ADDRESS, "GET /shared").await;
        remaining.push(verdict.checks[0].decision.remaining);
        assert_eq!(verdict.allowed(), i < 10);
    }
    assert_eq!(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0]);
    // A limiter under another prefix (another deployment) has its own budget.
    let Some(other) = on_redis(&config, None).await else { return };
    assert!(other.check_ip_endpoint(ADDRESS, "GET /shared").await.allowed());
    // Every key expires when its bucket is full again, so Redis never accumulates dead keys.
    let client = redis::Client::open(redis_url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}:ip:minute:192.0.2.1:GET /shared");
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut connection).await.unwrap();
    assert!(ttl > 55_000 && ttl <= 60_000, "{ttl}");
}

#[tokio::test]
async fn redis_windows_recover_after_their_period() {
    let config = RateLimitConfig { ip_endpoint_windows: vec![(Window::Second, 2)], ..quiet() };
    let Some(limiter) = on_redis(&config, None).await else { return };
    let allowed = |v: Verdict| v.allowed();
    assert!(allowed(limiter.check_ip_endpoint(ADDRESS, "GET /r").await));
    assert!(allowed(limiter.check_ip_endpoint(ADDRESS, "GET /r").await));
    let refused = limiter.check_ip_endpoint(ADDRESS, "GET /r").await;
    assert!(!refused.allowed());
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert_eq!(limiter.check_ip_endpoint(ADDRESS, "GET /r").await.checks[0].decision.remaining, 1);
}

/// A `redis-server` of this test's own, to stop and to flush without disturbing anyone else.
struct PrivateRedis {
    child: std::process::Child,
    url: String,
}

impl PrivateRedis {
    async fn start() -> Option<PrivateRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let spawned = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                assert!(std::env::var_os("CI").is_none(), "CI needs redis-server: {err}");
                eprintln!("redis-server not available ({err}): skipping");
                return None;
            }
        };
        let server = PrivateRedis { child, url: format!("redis://127.0.0.1:{port}") };
        for _ in 0..100 {
            if let Ok(client) = redis::Client::open(server.url.as_str())
                && let Ok(mut c) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING").query_async::<String>(&mut c).await.is_ok()
            {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the private redis-server did not start");
    }

    async fn command(&self, args: &[&str]) {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        let mut c = client.get_multiplexed_async_connection().await.unwrap();
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        // SHUTDOWN never answers: its error is the expected outcome.
        let _ = cmd.query_async::<redis::Value>(&mut c).await;
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_redis_that_fails_at_runtime_degrades_to_per_process_limits() {
    let Some(server) = PrivateRedis::start().await else { return };
    let config = RateLimitConfig {
        ip_endpoint_windows: vec![(Window::Minute, 3)],
        redis_url: Some(server.url.clone()),
        redis_key_prefix: unique_prefix(),
        ..quiet()
    };
    let limiter = RateLimiter::connect(config).await.unwrap();
    assert!(limiter.check_ip_endpoint(ADDRESS, "GET /x").await.allowed());
    // A forgotten script is loaded again.
    server.command(&["SCRIPT", "FLUSH"]).await;
    let second = limiter.check_ip_endpoint(ADDRESS, "GET /x").await;
    assert_eq!(second.checks[0].decision.remaining, 1);
    assert!(limiter.backend().local().is_empty(), "Redis decided, not memory");
    // Redis goes away: requests are still decided, quickly, by this process alone, and still limited.
    server.command(&["SHUTDOWN", "NOSAVE"]).await;
    let started = std::time::Instant::now();
    let decisions: Vec<bool> = futures::future::join_all((0..4).map(|_| limiter.check_ip_endpoint(ADDRESS, "GET /x")))
        .await
        .iter()
        .map(Verdict::allowed)
        .collect();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(decisions.iter().filter(|a| **a).count(), 3);
    assert!(!limiter.backend().local().is_empty());
    drop(server);
}

#[tokio::test]
async fn an_unreachable_redis_at_startup_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config =
        RateLimitConfig { redis_url: Some(format!("redis://:secret@127.0.0.1:{port}")), ..RateLimitConfig::default() };
    let err = RateLimiter::connect(config).await.err().expect("refused");
    let message = err.to_string();
    assert!(
        message.contains("unreachable") && message.contains("127.0.0.1") && !message.contains("secret"),
        "{message}"
    );
}
