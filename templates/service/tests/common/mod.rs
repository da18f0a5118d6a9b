//! Test harness: every test gets a fresh `<%= dbLabel %>` database, migrated,
//! and removed afterwards whether the test passed or panicked.
<% if (!dbSqlite) { -%>
//!
//! `DATABASE_URL` points at a server and a database whose name becomes the
//! prefix of the per-test databases (`<name>_<pid>_<n>`), created and dropped
//! next to it; the database itself is only read from the URL, never changed.
<% } -%>

use std::future::Future;
<% if (!dbSqlite) { -%>
use std::sync::atomic::{AtomicUsize, Ordering};
<% } -%>

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
<% if (!dbSqlite) { -%>
use sqlx::migrate::MigrateDatabase;
<% } -%>
use tower::ServiceExt;

use <%= crate %>::config::{DatabaseConfig, HttpConfig};
use <%= crate %>::db::{self, DbPool};
use <%= crate %>::{AppState, router};

/// The statement timeout of every test database (see `statement_timeout_applies`).
pub(crate) const STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(7);

/// What a test gets: the router to call, the state behind it (to mount
/// routes of its own with [`app`](<%= crate %>::app)) and the pool.
pub(crate) struct TestApp {
    pub(crate) router: Router,
    pub(crate) state: AppState,
    pub(crate) pool: DbPool,
}

/// Runs `test` against a fresh database with the default HTTP limits.
pub(crate) async fn with_app<F, Fut>(test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_limits(HttpConfig::default(), test).await;
}

/// Runs `test` against a fresh database; the database goes away afterwards
/// even when the test panics, and the panic is then passed on.
pub(crate) async fn with_limits<F, Fut>(limits: HttpConfig, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
<% if (dbSqlite) { -%>
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
<% } else { -%>
    let url = fresh_database_url();
    db::Db::create_database(&url)
        .await
        .expect("cannot create the test database");
<% } -%>
    let pool = db::connect(&DatabaseConfig {
        url: url.clone(),
        max_connections: 5,
        acquire_timeout: std::time::Duration::from_secs(5),
        statement_timeout: STATEMENT_TIMEOUT,
    })
    .await
    .expect("cannot connect to the test database");
    db::migrate(&pool)
        .await
        .expect("cannot migrate the test database");
    let state = AppState::new(pool.clone(), limits);
    let app = TestApp {
        router: router(state.clone()),
        state,
        pool: pool.clone(),
    };
    // A spawned task catches the test's panic, so cleanup below still runs.
    let outcome = tokio::spawn(test(app)).await;
    pool.close().await;
<% if (dbPostgres) { -%>
    // `close` can miss a connection that was being returned meanwhile;
    // forcing ends such stragglers instead of failing on them.
    db::Db::force_drop_database(&url)
        .await
        .expect("cannot drop the test database");
<% } else if (dbMysql) { -%>
    db::Db::drop_database(&url)
        .await
        .expect("cannot drop the test database");
<% } -%>
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
<% if (!dbSqlite) { -%>

/// `DATABASE_URL` with a database name unique to this test.
fn fresh_database_url() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let url = std::env::var("DATABASE_URL")
        .expect("tests need DATABASE_URL, a <%= dbLabel %> URL such as the one in .env.example");
    // `scheme://user@host:port/database?options`: keep all but the database.
    let (base, options) = url.split_at(url.find('?').unwrap_or(url.len()));
    let (server, database) = base
        .rsplit_once('/')
        .filter(|(server, _)| !server.ends_with('/'))
        .unwrap_or((base, "test"));
    // Identifiers are at most 63 characters in PostgreSQL and 64 in MySQL.
    let prefix: String = database.chars().take(40).collect();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{server}/{prefix}_{}_{n}{options}", std::process::id())
}
<% } -%>

/// A response with its body parsed as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

pub(crate) async fn send(router: &Router, request: Request<Body>) -> Reply {
    let (status, headers, bytes) = exchange(router, request).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("the response body is not JSON")
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// A response with its body as text, for `/metrics`.
pub(crate) async fn send_text(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let (status, headers, bytes) = exchange(router, request).await;
    let text = String::from_utf8(bytes.to_vec()).expect("the response body is not UTF-8");
    (status, headers, text)
}

/// Sends `request` through a clone of the router and reads the whole body.
async fn exchange(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("cannot read the response body")
        .to_bytes();
    (status, headers, bytes)
}

pub(crate) fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .expect("valid request")
}

pub(crate) fn delete(uri: &str) -> Request<Body> {
    Request::delete(uri)
        .body(Body::empty())
        .expect("valid request")
}

pub(crate) fn json(method: &str, uri: &str, body: &Value) -> Request<Body> {
    raw_json(method, uri, body.to_string())
}

/// A request with a JSON content type and any body, valid or not.
pub(crate) fn raw_json(method: &str, uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("valid request")
}
