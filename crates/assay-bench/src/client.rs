//! A lean HTTP/1.1 client on hyper: one connection pool shared by every simulated candidate, and a cap on the
//! requests in flight so N = 10,000 candidates do not need 10,000 sockets. Latency is measured from the moment a
//! request gets a connection slot to the last byte of its response, so it is the server's latency under load;
//! time spent waiting for a slot shows in the scenario's wall time.

use std::{sync::Arc, time::Instant};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, header};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use tokio::sync::Semaphore;

/// What a request carries.
pub enum Body {
    Empty,
    Json(serde_json::Value),
    Raw { content_type: &'static str, bytes: Bytes },
}

/// A response, and how long it took.
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
    pub micros: u64,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).with_context(|| format!("a {} response that is not JSON", self.status))
    }

    /// The status and the start of the body, for error reports.
    pub fn describe(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        format!("{} {}", self.status, text.chars().take(300).collect::<String>())
    }
}

#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: Arc<str>,
    slots: Arc<Semaphore>,
}

impl Http {
    /// A client of the server at `base` (`http://host:port`) with at most `in_flight` requests at once.
    pub fn new(base: &str, in_flight: usize) -> Http {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(in_flight).build(connector);
        Http { client, base: base.trim_end_matches('/').into(), slots: Arc::new(Semaphore::new(in_flight.max(1))) }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<Reply> {
        self.send(Method::GET, path, token, Body::Empty).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> anyhow::Result<Reply> {
        self.send(Method::POST, path, token, Body::Json(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> anyhow::Result<Reply> {
        self.send(Method::PUT, path, token, Body::Json(body)).await
    }

    /// Sends one request; transport failures are errors, HTTP error statuses are replies.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Body) -> anyhow::Result<Reply> {
        let mut request = Request::builder().method(method).uri(format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let payload = match body {
            Body::Empty => Bytes::new(),
            Body::Json(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(&value)?)
            }
            Body::Raw { content_type, bytes } => {
                request = request.header(header::CONTENT_TYPE, content_type);
                bytes
            }
        };
        let request = request.body(Full::new(payload))?;
        let _slot = self.slots.acquire().await?;
        let started = Instant::now();
        let response = self.client.request(request).await.with_context(|| format!("{path}: no response"))?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.with_context(|| format!("{path}: body cut short"))?.to_bytes();
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        Ok(Reply { status, body, micros })
    }
}
