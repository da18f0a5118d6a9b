//! The HTTP routes. Handlers stay thin: extract, validate, call the
//! repository, map the outcome to a status code.

mod health;
<% if (jobs) { -%>
mod jobs;
<% } -%>
mod users;

use axum::Router;
use axum::http::Uri;
<% if (jobs) { -%>
use axum::routing::{get, post};
<% } else { -%>
use axum::routing::get;
<% } -%>

use crate::error::ApiError;
use crate::state::AppState;

/// Liveness and readiness probes, and the metrics for Prometheus.
pub fn probes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/metrics", get(crate::metrics::render))
}

/// The API, and the JSON 404 for every other path.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/users", get(users::list).post(users::create))
        .route(
            "/users/{id}",
            get(users::get).put(users::update).delete(users::delete),
        )
<% if (jobs) { -%>
        .route("/jobs", post(jobs::create))
        .route("/jobs/{id}", get(jobs::get))
<% } -%>
        .fallback(not_found)
}

/// Unknown paths get a JSON 404 like every other error.
async fn not_found(uri: Uri) -> ApiError {
    <%- libThiserror ? 'ApiError::RouteNotFound(uri.path().to_owned())' : 'ApiError::not_found(format!("route {}", uri.path()))' %>
}
