//! Limits shared by every replica through one Redis: the same TAT per key, read, decided and written by a Lua
//! script (`gcra.lua`) in one atomic step on Redis's clock, so replicas neither race nor need synchronized
//! clocks. One round trip per request: the script runs by its hash (EVALSHA) and is loaded again if Redis
//! forgot it (after a restart or `SCRIPT FLUSH`).

use std::time::Duration;

use redis::{
    Client, Script,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

use super::{
    gcra::{self, Decision},
    store::{BackendError, Limit},
};

/// How long one limiter call may take before the request goes ahead without it. Redis answers in well under a
/// millisecond on a healthy network; waiting longer would turn a Redis problem into slow requests everywhere.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How long startup waits for Redis.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct RedisStore {
    connection: ConnectionManager,
    script: Script,
    prefix: String,
}

impl RedisStore {
    /// Connects, checks that Redis answers and accepts the script. Any failure here is a configuration error.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisStore, BackendError> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(CALL_TIMEOUT))
            // Reconnection happens in the background after a failure; a request never waits through many tries.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let script = Script::new(include_str!("gcra.lua"));
        let connect = async {
            let mut connection = ConnectionManager::new_with_config(client, config).await?;
            let _: String = redis::cmd("PING").query_async(&mut connection).await?;
            script.load_async(&mut connection).await?;
            Ok::<_, BackendError>(connection)
        };
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| BackendError::Timeout(CONNECT_TIMEOUT))??;
        Ok(RedisStore { connection, script, prefix: prefix.to_owned() })
    }

    /// Applies one request of `cost` units (0 peeks) to every limit, all or nothing.
    pub async fn apply(&self, limits: &[Limit], cost: u32) -> Result<Vec<Decision>, BackendError> {
        let mut invocation = self.script.prepare_invoke();
        for limit in limits {
            invocation.key(format!("{}:{}", self.prefix, limit.key));
        }
        invocation.arg(cost);
        for limit in limits {
            invocation.arg(limit.quota.interval_us()).arg(limit.quota.tolerance_us());
        }
        let mut connection = self.connection.clone();
        let reply: Vec<i64> = tokio::time::timeout(CALL_TIMEOUT, invocation.invoke_async(&mut connection))
            .await
            .map_err(|_| BackendError::Timeout(CALL_TIMEOUT))??;
        let [stored, now, tats @ ..] = reply.as_slice() else {
            return Err(BackendError::Reply(format!("{reply:?}")));
        };
        if tats.len() != limits.len() {
            return Err(BackendError::Reply(format!("{} TATs for {} keys", tats.len(), limits.len())));
        }
        let now = u64::try_from(*now).map_err(|_| BackendError::Reply(format!("clock {now}")))?;
        let decisions: Vec<Decision> = limits
            .iter()
            .zip(tats)
            .map(|(limit, &tat)| {
                let tat = u64::try_from(tat).ok().filter(|t| *t > 0);
                gcra::evaluate(tat, now, &limit.quota, cost).decision
            })
            .collect();
        let decided = cost > 0 && decisions.iter().all(|d| d.allowed);
        if decided != (*stored == 1) {
            // Both sides run the same comparison on the same integers; disagreeing means the script and gcra.rs
            // drifted apart. The stored state is what counts for the next request, so say so loudly.
            tracing::error!(stored, decided, "rate limiter: the Redis script and gcra.rs disagree");
        }
        Ok(decisions)
    }
}
