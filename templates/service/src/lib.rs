//! <%= pascal %>: a users service on Axum, Tokio and SQLx with <%= dbLabel %>.
//!
//! Everything but process startup lives in this library, so tests drive
//! [`router`] in memory with `tower::ServiceExt::oneshot`, without a socket.
//! `main.rs` only reads the configuration, connects, migrates and serves.

pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod model;
pub mod repository;
pub mod routes;
pub mod shutdown;
pub mod state;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// The header that carries the request id, set here when the client sent none.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The whole application: routes, shared state and middleware.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    // `ServiceBuilder` applies layers top-down: the request id is set first so
    // the trace span and the response both carry it, and the timeout sits
    // inside the trace so timed-out requests are logged with their latency.
    // Requests are traced at DEBUG (`RUST_LOG=info,tower_http=debug,<%= crate %>=debug`
    // shows them); failures (5xx) always log at ERROR.
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    routes::api()
        // The body limit is enforced by axum's body extractors, so an oversized
        // JSON body becomes a 413 with our JSON error body.
        .layer(DefaultBodyLimit::max(limits.body_limit))
        .layer(middleware)
        // Probes arrive every few seconds from every load balancer: they skip
        // the middleware, so they cost nothing beyond their answer.
        .merge(routes::probes())
        .with_state(state)
}

/// One span per request, carrying its id so every log line can be correlated.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::debug_span!(
        "request",
        method = %request.method(),
        uri = %request.uri(),
        request_id,
    )
}
