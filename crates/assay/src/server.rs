//! Starting and stopping the server.

use std::{net::SocketAddr, time::Duration};

use assay_api::{AppState, BaseUrlPolicy, Limits, rate_limit::RateLimiter};
use assay_store::{Store, StoreOptions};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::Config;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    serving: JoinHandle<std::io::Result<()>>,
    sequencer: JoinHandle<()>,
    /// Runs background jobs (SIS imports, bulk enrollment).
    worker: JoinHandle<()>,
}

/// Opens (creating and migrating) the configured database.
pub async fn open_store(config: &Config) -> anyhow::Result<(Store, Vec<String>)> {
    let options = StoreOptions { max_connections: config.db_max_connections, ..StoreOptions::default() };
    let store = Store::connect(&config.database_url, &options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", assay_store::redact_url(&config.database_url)))?;
    let applied = store.migrate().await.map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))?;
    Ok((store, applied))
}

impl Server {
    /// Binds `config.bind` and serves `store` until `shutdown` (or `stop`).
    pub async fn start(config: &Config, store: Store) -> anyhow::Result<Server> {
        Server::start_with(config, store, axum::Router::new()).await
    }

    /// `start`, with `extra` routes mounted behind the standard middleware (for tests).
    pub async fn start_with(config: &Config, store: Store, extra: axum::Router<AppState>) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(&config.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let addr = listener.local_addr()?;
        // A configured Redis that does not answer stops startup here rather than limiting per process unnoticed.
        let limiter = RateLimiter::connect(config.rate_limit_config()?).await?;
        if limiter.is_shared() {
            tracing::info!("rate limits are shared through Redis");
        }
        let state = AppState::new(
            store.clone(),
            BaseUrlPolicy { public_url: config.public_url.clone(), trust_proxy: config.trust_proxy },
            Limits {
                max_body_bytes: config.max_body_bytes,
                max_import_bytes: config.max_import_bytes,
                request_timeout: Duration::from_secs(config.request_timeout_secs),
            },
            limiter,
        );
        let app = assay_api::app_with(state, extra);
        let sequencer = assay_store::events::spawn_sequencer(store.clone());
        let worker = assay_jobs::spawn_worker(store.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let serving = tokio::spawn(async move {
            // With the peer's address, which the per-address rate limits key on.
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        });
        Ok(Server { addr, store, shutdown: Some(tx), serving, sequencer, worker })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets in-flight requests finish, and closes the database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.serving).await??;
        // A job cut short stays `importing` and is taken over (and, being idempotent, run again) once its
        // heartbeat is stale.
        self.worker.abort();
        self.sequencer.abort();
        let _ = assay_store::events::sequence_pending(&self.store).await;
        self.store.close().await?;
        Ok(())
    }

    /// Serves until `signal` fires, then stops gracefully.
    pub async fn run_until(self, signal: ShutdownSignal) -> anyhow::Result<()> {
        signal.wait().await;
        tracing::info!("shutting down: finishing in-flight requests");
        self.stop().await
    }
}

/// SIGTERM and ctrl-c, registered when created: a signal that arrives before the server waits for it still
/// shuts it down gracefully instead of killing the process.
pub struct ShutdownSignal {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignal {
    pub fn install() -> ShutdownSignal {
        ShutdownSignal {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    async fn wait(mut self) {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match self.terminate.as_mut() {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
    }
}
