//! The test harness: a real `assay` server on an ephemeral port, talked to over HTTP, on a fresh database.
//!
//! `backend_test!` turns one async test body into a SQLite test and a PostgreSQL test. The PostgreSQL variant
//! uses `ASSAY_TEST_POSTGRES_URL` and a private schema per test, so tests run in parallel; without the variable
//! it is skipped, except under CI (`CI` set), where a missing or unreachable PostgreSQL fails the test.

use std::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
};

use assay::{Config, Server};
use assay_store::Store;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database for one test; removed afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    pub async fn create(db: Db) -> Option<TestDb> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("assay.db").display());
                Some(TestDb { url, _dir: Some(dir), pg_schema: None })
            }
            Db::Postgres => {
                let Ok(admin_url) = std::env::var("ASSAY_TEST_POSTGRES_URL") else {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "CI must set ASSAY_TEST_POSTGRES_URL: PostgreSQL tests may not be skipped"
                    );
                    eprintln!("ASSAY_TEST_POSTGRES_URL is not set: skipping the PostgreSQL variant");
                    return None;
                };
                let schema = format!(
                    "assay_t_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                );
                let admin = admin_connection(&admin_url).await;
                use sea_orm::ConnectionTrait;
                admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create test schema");
                admin.close().await.ok();
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
                Some(TestDb { url, _dir: None, pg_schema: Some((admin_url, schema)) })
            }
        }
    }

    pub async fn drop_db(self) {
        if let Some((admin_url, schema)) = &self.pg_schema {
            use sea_orm::ConnectionTrait;
            let admin = admin_connection(admin_url).await;
            admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.ok();
            admin.close().await.ok();
        }
    }
}

async fn admin_connection(url: &str) -> sea_orm::DatabaseConnection {
    let mut opts = sea_orm::ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    sea_orm::Database::connect(opts)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at ASSAY_TEST_POSTGRES_URL is unreachable: {e}"))
}

/// A running server with a school ("School A") and its administrator's token.
pub struct TestApp {
    pub db: Db,
    /// Always `Some` between requests; `None` only inside `restart`.
    server: Option<Server>,
    pub base: String,
    pub client: reqwest::Client,
    pub school: School,
    /// What the server was started with (a restart reuses it).
    pub config: Config,
}

#[derive(Debug, Clone)]
pub struct School {
    pub id: i64,
    pub admin_id: i64,
    pub admin_token: String,
}

async fn panicking() -> &'static str {
    panic!("deliberate test panic")
}

/// Test-only probes mounted behind the real middleware.
fn probes() -> axum::Router<assay_api::AppState> {
    axum::Router::new()
        .route(
            "/api/v1/test/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                axum::Json(serde_json::json!({"finished": true}))
            }),
        )
        .route("/api/v1/test/panic", axum::routing::get(panicking))
}

impl TestApp {
    pub async fn start(db: Db, url: &str, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config { bind: "127.0.0.1:0".into(), database_url: url.to_owned(), ..Config::default() };
        tweak(&mut config);
        let (store, _) = assay::server::open_store(&config).await.expect("open store");
        let server = Server::start_with(&config, store, probes()).await.expect("start server");
        let base = server.base_url();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let school = School { id: 0, admin_id: 0, admin_token: String::new() };
        let mut app = TestApp { db, server: Some(server), base, client, school, config };
        app.school = app.create_school("School A").await;
        app
    }

    /// Stops the server, waits `down` (deadlines may pass meanwhile), and starts a new server on the same
    /// database: nothing survives but what the database holds. The new server listens on a new port.
    pub async fn restart(&mut self, down: std::time::Duration) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("graceful stop");
        }
        tokio::time::sleep(down).await;
        let (store, _) = assay::server::open_store(&self.config).await.expect("open store");
        let server = Server::start_with(&self.config, store, probes()).await.expect("restart server");
        self.base = server.base_url();
        self.server = Some(server);
    }

    pub fn store(&self) -> &Store {
        &self.server.as_ref().expect("a running server").store
    }

    /// Creates another school with an administrator and a token.
    pub async fn create_school(&self, name: &str) -> School {
        let created = assay::admin::create_school(
            self.store(),
            name,
            "Admin",
            &format!("admin@{}", name.to_lowercase().replace(' ', "-")),
        )
        .await
        .expect("create school");
        let token =
            assay::admin::create_token(self.store(), created.admin.clone(), "test".into(), None).await.expect("token");
        School { id: created.school.id, admin_id: created.admin.id, admin_token: token }
    }

    /// Issues a token for an existing user.
    pub async fn token_for(&self, user_id: i64) -> String {
        let user = assay::admin::find_user(self.store(), &user_id.to_string(), None).await.expect("user");
        assay::admin::create_token(self.store(), user, "test".into(), None).await.expect("token")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request as School A's administrator.
    pub fn req(&self, method: Method, path: &str) -> Req {
        Req { builder: self.client.request(method, self.url(path)), token: Some(self.school.admin_token.clone()) }
    }

    pub fn get(&self, path: &str) -> Req {
        self.req(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req {
        self.req(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req {
        self.req(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> Req {
        self.req(Method::DELETE, path)
    }

    /// A request with no credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> Req {
        Req { builder: self.client.request(method, self.url(path)), token: None }
    }

    /// Creates a user in School A through the API; returns its JSON.
    pub async fn create_user(&self, name: &str, login: &str, sis: Option<&str>) -> Value {
        let mut form = vec![("user[name]", name.to_owned()), ("pseudonym[unique_id]", login.to_owned())];
        if let Some(sis) = sis {
            form.push(("pseudonym[sis_user_id]", sis.to_owned()));
        }
        let res = self.post("/api/v1/accounts/self/users").form(&form).send().await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        res.body
    }

    /// Makes the token behind `secret` expire a second ago (tests cannot wait an hour).
    pub async fn expire_token(&self, secret: &str) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let past = chrono::Utc::now() - chrono::TimeDelta::seconds(1);
        let hash = assay_store::tokens::hash(secret);
        // Through the server's store, as every change of a token is: its cache of callers sees the write.
        let updated = self
            .store()
            .write(move |txn| {
                Box::pin(async move {
                    Ok(assay_store::entity::access_token::Entity::update_many()
                        .col_expr(assay_store::entity::access_token::Column::ExpiresAt, Expr::val(past))
                        .filter(assay_store::entity::access_token::Column::TokenHash.eq(hash))
                        .exec(txn)
                        .await?)
                })
            })
            .await
            .expect("expire token");
        assert_eq!(updated.rows_affected, 1);
    }

    /// Creates a user with a password login in School A; returns its id.
    pub async fn create_user_with_password(&self, name: &str, login: &str, password: &str) -> i64 {
        let res = self
            .post("/api/v1/accounts/self/users")
            .form(&[("user[name]", name), ("pseudonym[unique_id]", login), ("pseudonym[password]", password)])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        res.body["id"].as_i64().expect("id")
    }

    /// The number of events recorded for School A (sequenced or not).
    pub async fn event_count(&self) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .store()
            .read()
            .query_one_raw(Statement::from_string(
                self.store().read().get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM events WHERE root_account_id = {}", self.school.id),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }

    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.stop().await.expect("graceful stop");
        }
    }
}

pub struct Req {
    builder: reqwest::RequestBuilder,
    /// Sent as `Authorization: Bearer` (one header, whatever `token` calls came before).
    token: Option<String>,
}

impl Req {
    pub fn token(self, token: &str) -> Req {
        Req { token: Some(token.to_owned()), ..self }
    }
    pub fn header(self, k: &str, v: &str) -> Req {
        Req { builder: self.builder.header(k, v), token: self.token }
    }
    pub fn json(self, body: &Value) -> Req {
        Req { builder: self.builder.json(body), token: self.token }
    }
    pub fn form<T: serde::Serialize + ?Sized>(self, body: &T) -> Req {
        Req { builder: self.builder.form(body), token: self.token }
    }
    pub fn body(self, content_type: &str, body: impl Into<reqwest::Body>) -> Req {
        Req { builder: self.builder.header("content-type", content_type).body(body), token: self.token }
    }
    pub fn multipart(self, form: reqwest::multipart::Form) -> Req {
        Req { builder: self.builder.multipart(form), token: self.token }
    }
    /// Sends the request and returns the body as bytes (for files such as zips).
    pub async fn send_bytes(self) -> (reqwest::StatusCode, HeaderMap, Vec<u8>) {
        let builder = match &self.token {
            Some(token) => self.builder.bearer_auth(token),
            None => self.builder,
        };
        let response = builder.send().await.expect("request failed at the transport level");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        (status, headers, bytes)
    }
    pub async fn send(self) -> Res {
        let builder = match &self.token {
            Some(token) => self.builder.bearer_auth(token),
            None => self.builder,
        };
        let response = builder.send().await.expect("request failed at the transport level");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Res { status, headers, body }
    }
}

#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first error's `code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {} {}", self.status, self.body))
    }

    /// The `rel` link of the `Link` header.
    pub fn link(&self, rel: &str) -> Option<String> {
        let header = self.header("link")?;
        header
            .split(',')
            .find(|part| part.contains(&format!("rel=\"{rel}\"")))
            .map(|part| part.trim().trim_start_matches('<').split('>').next().unwrap_or_default().to_owned())
    }

    /// Asserts an error response with `status` and `code`, in the one error shape.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
        let error = &self.body["errors"][0];
        assert_eq!(error["status"], status.to_string());
        assert!(error["title"].is_string() && error["message"].is_string(), "{}", self.body);
        assert_eq!(error["links"]["about"], format!("/api/docs#error-{code}"));
        assert!(self.header("x-request-id").is_some());
        assert!(self.header("content-type").unwrap_or_default().starts_with("application/json"));
    }
}

/// Runs `body` against a fresh server on `db`, then stops it and removes the database, even if `body` panicked.
pub async fn run<F, Fut>(db: Db, tweak: impl FnOnce(&mut Config), body: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = TestApp> + Send + 'static,
{
    let Some(test_db) = TestDb::create(db).await else { return };
    let app = TestApp::start(db, &test_db.url, tweak).await;
    let outcome = tokio::spawn(body(app)).await;
    match outcome {
        Ok(app) => {
            app.stop().await;
            test_db.drop_db().await;
        }
        Err(err) => {
            test_db.drop_db().await;
            std::panic::resume_unwind(err.into_panic());
        }
    }
}

/// Declares a test run on SQLite and on PostgreSQL. The body gets the `TestApp` (`t`) and returns it.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, |$t:ident| $body:block) => {
        $crate::backend_test!($name, |_config| {}, |$t| $body);
    };
    ($name:ident, |$c:ident| $tweak:block, |$t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::harness::run(
                    $crate::harness::Db::Sqlite,
                    |$c: &mut assay::Config| $tweak,
                    |#[allow(unused_mut)] mut $t| async move {
                        $body;
                        $t
                    },
                )
                .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::harness::run(
                    $crate::harness::Db::Postgres,
                    |$c: &mut assay::Config| $tweak,
                    |#[allow(unused_mut)] mut $t| async move {
                        $body;
                        $t
                    },
                )
                .await;
            }
        }
    };
}
