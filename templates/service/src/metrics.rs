//! Prometheus metrics: `http_requests_total{method,route,status}`, the
//! `http_request_duration_seconds` histogram and the pool's gauges, served as
//! text by `GET /metrics`.
//!
//! Each app has its own recorder, kept in [`AppState`](crate::AppState), rather
//! than a process-wide one installed once: tests build many apps in one process,
//! and each counts only its own requests. The `metrics` macros write to it
//! through [`metrics::with_local_recorder`], which holds only for a synchronous
//! closure: so the middleware measures across the `await`, then records.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::db::DbPool;

/// The route label of a request no route matched (the JSON 404): raw paths
/// would let any client create a time series per URL it makes up.
pub const UNMATCHED_ROUTE: &str = "unmatched";

const DURATION: &str = "http_request_duration_seconds";

/// Seconds; Prometheus' default buckets, which cover 5 ms to the 10 s request timeout.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often [`Metrics::upkeep`] folds samples: the exporter's own default.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The recorder of one app and the handle that renders it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Metrics {
    /// A recorder of this app's own, with the request-duration buckets.
    #[must_use]
    pub fn new() -> Self {
        let builder = PrometheusBuilder::new();
        // Fails only for an empty bucket list, which DURATION_BUCKETS is not;
        // the exporter would then render a summary instead of a histogram.
        let builder = builder
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), DURATION_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        Self {
            recorder: Arc::new(recorder),
            handle,
        }
    }

    /// Folds the recorded histogram samples into their buckets every few
    /// seconds, for as long as the runtime runs. The exporter keeps each
    /// sample until a scrape or an upkeep folds it, so without this a service
    /// nobody scrapes would grow by every request it serves. (The exporter's
    /// own `install` spawns the same task; an app's own recorder must.)
    pub async fn upkeep(self) {
        let mut every = tokio::time::interval(UPKEEP_INTERVAL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            self.handle.run_upkeep();
        }
    }

    /// Runs `record` with this app's recorder behind the `metrics` macros.
    fn record<T>(&self, record: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(self.recorder.as_ref(), record)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Middleware of the API routes: one count and one duration per request, by
/// method, matched route and the status the client got.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED_ROUTE.to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed();
    metrics.record(|| {
        let labels = [("method", method), ("route", route), ("status", status)];
        metrics::counter!("http_requests_total", &labels).increment(1);
        metrics::histogram!(DURATION, &labels[..2]).record(elapsed);
    });
    response
}

/// `GET /metrics`: the pool's gauges as of now, then everything in the
/// Prometheus text format.
pub async fn render(State(metrics): State<Metrics>, State(pool): State<DbPool>) -> impl IntoResponse {
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
    metrics.record(|| {
        metrics::gauge!("db_pool_connections").set(pool.size());
        metrics::gauge!("db_pool_idle_connections").set(idle);
    });
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        metrics.handle.render(),
    )
}
