//! Configuration: built-in defaults, then a TOML file, then `ASSAY_*` environment variables, then command-line
//! flags — each later source overriding the earlier ones.

use std::path::PathBuf;

use assay_api::rate_limit::{
    RateLimitConfig,
    policy::{format_windows, parse_windows},
};
use clap::Args;
use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// Every setting of `assay serve`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// The externally visible base URL, e.g. `https://assay.school.example`; links and `Location` use it.
    pub public_url: Option<String>,
    /// Honour `X-Forwarded-Proto`/`X-Forwarded-Host`/`Forwarded` (only behind a proxy you control).
    pub trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest upload to `POST /api/v1/accounts/:id/sis_imports` (a roster CSV or zip), in bytes.
    pub max_import_bytes: usize,
    /// Longest a request may take, in seconds.
    pub request_timeout_secs: u64,
    /// Database connections in the pool.
    pub db_max_connections: u32,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `assay=debug,info`. `RUST_LOG` wins when set.
    pub log_level: String,
    /// Whether requests are rate limited (per address and endpoint, per school, per credential).
    pub rate_limit_enabled: bool,
    /// Requests per minute a school's credentials share, unless the school's own limit overrides it; 0 is off.
    pub rate_limit_school_per_minute: u32,
    /// Requests per second each credential's bucket refills; 0 is off.
    pub rate_limit_credential_per_second: u32,
    /// Requests a credential may make at once.
    pub rate_limit_credential_burst: u32,
    /// Per client address and endpoint: `WINDOW=COUNT,…` over second, minute, hour, day, week; empty is off.
    pub rate_limit_ip_endpoint: String,
    /// Failed logins per username in 15 minutes before further attempts are refused; 0 is off.
    pub rate_limit_login_failures_per_15min: u32,
    /// `redis://…` to share rate limits between replicas; without it they are per process.
    pub redis_url: Option<String>,
    /// Prefix of this deployment's Redis keys.
    pub redis_key_prefix: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        // The limiter's defaults live with the limiter.
        let limits = RateLimitConfig::default();
        Config {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://assay.db".into(),
            public_url: None,
            trust_proxy: false,
            max_body_bytes: 10 * 1024 * 1024,
            max_import_bytes: 500 * 1024 * 1024,
            request_timeout_secs: 60,
            db_max_connections: 10,
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            rate_limit_enabled: limits.enabled,
            rate_limit_school_per_minute: limits.school_per_minute,
            rate_limit_credential_per_second: limits.credential_per_second,
            rate_limit_credential_burst: limits.credential_burst,
            rate_limit_ip_endpoint: format_windows(&limits.ip_endpoint_windows),
            rate_limit_login_failures_per_15min: limits.login_failures_per_15min,
            redis_url: limits.redis_url,
            redis_key_prefix: limits.redis_key_prefix,
        }
    }
}

/// Flags and environment variables for every setting. Unset ones leave the file's (or default) value.
#[derive(Debug, Clone, Default, Args, Serialize)]
pub struct ConfigArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "ASSAY_BIND")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// Database: sqlite://FILE (created if missing) or postgres://USER@HOST/DB [default: sqlite://assay.db]
    #[arg(long, env = "ASSAY_DATABASE_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Externally visible base URL for links, e.g. https://assay.school.example [default: from the Host header]
    #[arg(long, env = "ASSAY_PUBLIC_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Trust X-Forwarded-Proto/-Host and Forwarded headers (only behind a proxy you control) [default: false]
    #[arg(long, env = "ASSAY_TRUST_PROXY")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_proxy: Option<bool>,
    /// Largest request body accepted, in bytes [default: 10485760]
    #[arg(long, env = "ASSAY_MAX_BODY_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<usize>,
    /// Largest SIS import upload accepted, in bytes [default: 524288000]
    #[arg(long, env = "ASSAY_MAX_IMPORT_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_import_bytes: Option<usize>,
    /// Longest a request may take, in seconds [default: 60]
    #[arg(long, env = "ASSAY_REQUEST_TIMEOUT_SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_secs: Option<u64>,
    /// Database connections in the pool [default: 10]
    #[arg(long, env = "ASSAY_DB_MAX_CONNECTIONS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_max_connections: Option<u32>,
    /// Log format [default: pretty]
    #[arg(long, env = "ASSAY_LOG_FORMAT", value_enum)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. info or assay=debug,info (RUST_LOG wins when set) [default: info]
    #[arg(long, env = "ASSAY_LOG_LEVEL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
    /// Rate limit requests (per address and endpoint, per school, per credential) [default: true]
    #[arg(long, env = "ASSAY_RATE_LIMIT_ENABLED")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_enabled: Option<bool>,
    /// Requests per minute shared by a school's credentials; a school's own limit overrides it; 0 is off [default: 3000]
    #[arg(long, env = "ASSAY_RATE_LIMIT_SCHOOL_PER_MINUTE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_school_per_minute: Option<u32>,
    /// Requests per second each credential's token bucket refills; 0 is off [default: 50]
    #[arg(long, env = "ASSAY_RATE_LIMIT_CREDENTIAL_PER_SECOND")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_credential_per_second: Option<u32>,
    /// Requests a credential may make at once (its bucket size) [default: 100]
    #[arg(long, env = "ASSAY_RATE_LIMIT_CREDENTIAL_BURST")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_credential_burst: Option<u32>,
    /// Per client address and endpoint, WINDOW=COUNT,... over second, minute, hour, day, week; empty is off [default: second=50,minute=1200,hour=36000,day=432000,week=2160000]
    #[arg(long, env = "ASSAY_RATE_LIMIT_IP_ENDPOINT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_ip_endpoint: Option<String>,
    /// Failed logins per username in any 15 minutes before more attempts are refused; 0 is off [default: 10]
    #[arg(long, env = "ASSAY_RATE_LIMIT_LOGIN_FAILURES_PER_15MIN")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_login_failures_per_15min: Option<u32>,
    /// Redis URL (redis://HOST:PORT/DB) to share rate limits between replicas [default: none, limits are per process]
    #[arg(long, env = "ASSAY_REDIS_URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    /// Prefix of this deployment's keys in Redis [default: assay:rl]
    #[arg(long, env = "ASSAY_REDIS_KEY_PREFIX")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_key_prefix: Option<String>,
}

/// The default configuration file, read when it exists and no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "assay.toml";

impl Config {
    /// Layers defaults, the file, and the flags/environment (already merged by clap: a flag beats its variable).
    pub fn load(file: Option<&PathBuf>, args: &ConfigArgs) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.is_file() {
                    anyhow::bail!("configuration file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        let config: Config = figment
            .merge(Serialized::defaults(args))
            .extract()
            .map_err(|err| anyhow::anyhow!("invalid configuration: {err}"))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            anyhow::bail!("bind = `{}` is not an address such as 127.0.0.1:8080", self.bind);
        }
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("public_url = `{url}`: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host().is_none()
                || parsed.path() != "/" && !parsed.path().is_empty()
            {
                anyhow::bail!("public_url must be http(s)://HOST[:PORT] with no path, not `{url}`");
            }
        }
        if self.max_body_bytes < 1024 {
            anyhow::bail!("max_body_bytes must be at least 1024");
        }
        if self.max_import_bytes < self.max_body_bytes {
            anyhow::bail!("max_import_bytes must be at least max_body_bytes");
        }
        if self.request_timeout_secs == 0 || self.db_max_connections == 0 {
            anyhow::bail!("request_timeout_secs and db_max_connections must be positive");
        }
        self.rate_limit_config()?;
        Ok(())
    }

    /// The rate limiter's settings, parsed and checked.
    pub fn rate_limit_config(&self) -> anyhow::Result<RateLimitConfig> {
        let ip_endpoint_windows = parse_windows(&self.rate_limit_ip_endpoint)
            .map_err(|e| anyhow::anyhow!("rate_limit_ip_endpoint = `{}`: {e}", self.rate_limit_ip_endpoint))?;
        if let Some(url) = &self.redis_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| anyhow::anyhow!("redis_url = `{}`: {e}", assay_store::redact_url(url)))?;
            if !matches!(parsed.scheme(), "redis" | "rediss" | "redis+unix" | "unix") {
                anyhow::bail!("redis_url must be redis://HOST[:PORT][/DB], not `{}`", assay_store::redact_url(url));
            }
        }
        if self.redis_key_prefix.trim().is_empty() {
            anyhow::bail!("redis_key_prefix must not be empty");
        }
        let config = RateLimitConfig {
            enabled: self.rate_limit_enabled,
            school_per_minute: self.rate_limit_school_per_minute,
            credential_per_second: self.rate_limit_credential_per_second,
            credential_burst: self.rate_limit_credential_burst,
            ip_endpoint_windows,
            login_failures_per_15min: self.rate_limit_login_failures_per_15min,
            redis_url: self.redis_url.clone(),
            redis_key_prefix: self.redis_key_prefix.clone(),
        };
        config.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(config)
    }

    /// The configuration as TOML, with any database or Redis password hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = assay_store::redact_url(&shown.database_url);
        shown.redis_url = shown.redis_url.as_deref().map(assay_store::redact_url);
        toml_string(&shown)
    }
}

fn toml_string(config: &Config) -> String {
    let mut out = String::new();
    let value = serde_json::to_value(config).unwrap_or_default();
    if let Some(map) = value.as_object() {
        for (key, value) in map {
            match value {
                serde_json::Value::Null => out.push_str(&format!("# {key} is not set\n")),
                other => out.push_str(&format!("{key} = {other}\n")),
            }
        }
    }
    out
}
