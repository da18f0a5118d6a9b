//! Traces over OpenTelemetry (cargo feature `otlp`): each request span is
//! exported over OTLP/HTTP, as the child of the caller's span when the request
//! carries a W3C `traceparent` header, so one trace follows a call across
//! services.
//!
//! The exporter reads the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
//! `OTEL_SERVICE_NAME`, ...) and starts only when an endpoint is set, so a
//! build with the feature runs without a collector too.

use axum::http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_http::HeaderExtractor;
use opentelemetry_otlp::{ExporterBuildError, SpanExporter};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Variables that name where spans go; without one, nothing is exported.
const ENDPOINT_VARS: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
];

/// Makes `span` the child of the trace the caller sent in `traceparent`
/// (and `tracestate`); without one, it starts a trace of its own.
pub fn set_parent(span: &tracing::Span, headers: &HeaderMap) {
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // Fails only without the OpenTelemetry layer (tests, or no endpoint
    // configured): there is no trace to join then.
    if let Err(error) = span.set_parent(parent) {
        tracing::trace!(%error, "no OpenTelemetry layer to record the parent in");
    }
}

/// The provider exporting spans in batches over OTLP/HTTP, or `None` when no
/// endpoint is configured.
pub fn provider() -> Result<Option<SdkTracerProvider>, ExporterBuildError> {
    let configured = |key: &str| std::env::var_os(key).is_some_and(|value| !value.is_empty());
    if !ENDPOINT_VARS.iter().any(|key| configured(key)) {
        return Ok(None);
    }
    let exporter = SpanExporter::builder().with_http().build()?;
    // OTEL_SERVICE_NAME, read by the builder, wins over the crate's name.
    let resource = if configured("OTEL_SERVICE_NAME") {
        Resource::builder().build()
    } else {
        Resource::builder()
            .with_service_name(env!("CARGO_PKG_NAME"))
            .build()
    };
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build(),
    ))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use opentelemetry::trace::{TraceContextExt, TracerProvider};
    use tracing_subscriber::prelude::*;

    use super::*;

    /// A traceparent header makes the request span part of the caller's trace.
    #[test]
    fn a_traceparent_header_gives_the_span_its_trace_id() {
        // No exporter: the provider only hands out span contexts.
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        let mut headers = HeaderMap::new();
        headers.insert(
            "traceparent",
            HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        );
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request");
            set_parent(&span, &headers);
            let context = span.context();
            let trace_id = context.span().span_context().trace_id();
            assert_eq!(trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");

            let orphan = tracing::info_span!("request");
            set_parent(&orphan, &HeaderMap::new());
            let other = orphan.context().span().span_context().trace_id();
            assert_ne!(other, trace_id);
        });
    }
}
