//! Bench-only reference for the service runtime benchmark: a bare axum app
//! answering `GET /health` with the generated service's body and
//! `GET /users/{id}` with the same sqlx query on a pool of the same size,
//! without middleware, tracing or error mapping. Configured like the service:
//! DATABASE_URL, DATABASE_MAX_CONNECTIONS (default 10), HOST, PORT.

mod db;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Status {
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct User {
    id: i64,
    name: String,
    email: String,
    age: Option<i32>,
}

type DbRow = <db::Db as sqlx::Database>::Row;

// Mapped by hand, as the service does: its sqlx has no `macros` feature.
impl<'r> sqlx::FromRow<'r, DbRow> for User {
    fn from_row(row: &'r DbRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            age: row.try_get("age")?,
        })
    }
}

async fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

async fn user(State(pool): State<db::DbPool>, Path(id): Path<i64>) -> Result<Json<User>, StatusCode> {
    sqlx::query_as::<_, User>(db::SELECT_USER)
        .bind(id)
        .fetch_optional(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

fn var<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is not set");
    let pool = db::connect(&url, var("DATABASE_MAX_CONNECTIONS", 10))
        .await
        .expect("cannot connect to the database");
    let app = Router::new()
        .route("/health", get(health))
        .route("/users/{id}", get(user))
        .with_state(pool);
    let addr = SocketAddr::new(var("HOST", IpAddr::V4(Ipv4Addr::LOCALHOST)), var("PORT", 3001));
    let listener = tokio::net::TcpListener::bind(addr).await.expect("cannot listen");
    axum::serve(listener, app).await.expect("the server failed");
}
