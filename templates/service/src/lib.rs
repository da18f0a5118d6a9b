//! `<%= name %>`: a users service on Axum, Tokio and `SQLx` with `<%= dbLabel %>`.
//!
//! Everything but process startup lives in this library, so tests drive
//! [`router`] in memory with `tower::ServiceExt::oneshot`, without a socket.
//! `main.rs` only reads the configuration, connects, migrates and calls
//! [`server::serve`].

pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod model;
pub mod repository;
pub mod routes;
pub mod server;
pub mod shutdown;
pub mod state;
#[cfg(feature = "otlp")]
pub mod telemetry;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// The header that carries the request id, set here when the client sent none.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The whole application: routes, shared state and middleware.
pub fn router(state: AppState) -> Router {
    app(routes::api(), state)
}

/// `api` behind the middleware of every API route, plus the probes. Tests
/// mount routes of their own through it (one that panics, one that sleeps).
pub fn app(api: Router<AppState>, state: AppState) -> Router {
    let limits = state.limits;
    let cors_origins = state.cors_origins.clone();
    // `ServiceBuilder` applies layers top-down: the request id is set first so
    // the trace span and the response both carry it; bodiless errors (405 from
    // the router, 408 from the timeout) get their JSON inside the trace, so it
    // logs what the client got; a panic is caught inside the span, so its log
    // line carries the request id and route.
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(middleware::map_response(error::json_errors))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    let mut api = api
        // The body limit is enforced by axum's body extractors, so an oversized
        // JSON body becomes a 413 with our JSON error body.
        .layer(DefaultBodyLimit::max(limits.body_limit))
        .layer(middleware)
        // Outside the rest, so the status counted is the one the client got.
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ));
    // No layer at all without origins: browsers then refuse cross-origin calls.
    if !cors_origins.is_empty() {
        // Outermost, so a preflight is answered before routing could say 405.
        api = api.layer(
            CorsLayer::new()
                .allow_origin(cors_origins)
                .allow_methods(tower_http::cors::Any)
                .allow_headers(tower_http::cors::Any)
                .expose_headers([axum::http::HeaderName::from_static(REQUEST_ID_HEADER)]),
        );
    }
    api
        // Probes and metrics arrive every few seconds from every load balancer
        // and scraper: they skip the middleware, so they cost nothing beyond
        // their answer, and scrapes are not counted as traffic.
        .merge(routes::probes())
        .with_state(state)
}

/// One span per request at INFO, so every line logged while it runs (an
/// error, a panic) says which request, method and route it belongs to. The
/// route is the matched pattern (`/users/{id}`), never the raw path, which
/// could carry personal data.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        request_id,
        method = %request.method(),
        route,
    );
    // The caller's trace, from its `traceparent` header.
    #[cfg(feature = "otlp")]
    telemetry::set_parent(&span, request.headers());
    span
}
