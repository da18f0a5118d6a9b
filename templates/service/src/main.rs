//! Starts the service: configuration from the environment, logging, the
//! database pool, its migrations when configured to, then HTTP until SIGINT or
//! SIGTERM. `<service> migrate` applies the pending migrations and exits.
//! Run it with `cargo run -p <%= name %>`; settings are in `.env.example`.

<% if (binAnyhow) { -%>
use std::time::Duration;

use anyhow::Context;
<% } else { -%>
use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

<% } -%>
use tokio::net::TcpListener;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

use <%= crate %>::config::Config;
use <%= crate %>::shutdown::shutdown_signal;
use <%= crate %>::{AppState, db, router, server};

/// Without `RUST_LOG`: info and above, so one line per request is opt-in
/// (`RUST_LOG=info,tower_http=debug,<%= crate %>=debug`).
const DEFAULT_LOG_LEVEL: LevelFilter = LevelFilter::INFO;
<% if (!binAnyhow) { -%>

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
enum StartupError {
    #[error("{0}")]
    Usage(String),
    #[error("invalid configuration")]
    Config(#[from] <%= crate %>::config::ConfigError),
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("cannot run database migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}
<% } -%>

#[tokio::main]
async fn main() -> <%- binAnyhow ? 'anyhow::Result<()>' : 'ExitCode' %> {
    let telemetry = init_logging();
<% if (binAnyhow) { -%>
    let migrate_only = migrate_only().map_err(anyhow::Error::msg)?;
<% if (libThiserror) { -%>
    let config = Config::from_env()
        .await
        .context("invalid configuration")?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database)
        .await
        .context("cannot connect to the database")?;
    if migrate_only || config.migrate_on_start {
        db::migrate(&pool)
            .await
            .context("cannot run database migrations")?;
    }
<% } else { -%>
    // The library's errors already say what failed; `?` keeps their context.
    let config = Config::from_env().await?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database).await?;
    if migrate_only || config.migrate_on_start {
        db::migrate(&pool).await?;
    }
<% } -%>
    if migrate_only {
        close(pool).await;
        tracing::info!("migrations applied");
        return Ok(());
    }
    let addr = config.addr();
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, "listening");
    let state = AppState::new(pool.clone(), config.http)
        .with_cors_origins(config.cors_allowed_origins);
    let draining = state.draining.clone();
    tokio::spawn(state.metrics.clone().upkeep());
    server::serve(
        listener,
        router(state),
        config.http,
        draining,
        shutdown_signal(),
    )
    .await;
    close(pool).await;
    tracing::info!("stopped");
    telemetry.flush().await;
    Ok(())
}
<% } else { -%>
    let outcome = run().await;
    telemetry.flush().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The whole chain of causes, outermost first.
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StartupError> {
    let migrate_only = migrate_only().map_err(StartupError::Usage)?;
    let config = Config::from_env().await?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database)
        .await
        .map_err(StartupError::Connect)?;
    if migrate_only || config.migrate_on_start {
        db::migrate(&pool).await?;
    }
    if migrate_only {
        close(pool).await;
        tracing::info!("migrations applied");
        return Ok(());
    }
    let addr = config.addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!(%addr, "listening");
    let state = AppState::new(pool.clone(), config.http)
        .with_cors_origins(config.cors_allowed_origins);
    let draining = state.draining.clone();
    tokio::spawn(state.metrics.clone().upkeep());
    server::serve(
        listener,
        router(state),
        config.http,
        draining,
        shutdown_signal(),
    )
    .await;
    close(pool).await;
    tracing::info!("stopped");
    Ok(())
}
<% } -%>

/// `<service>` or `<service> serve` serves; `<service> migrate` applies the
/// pending migrations and exits, the release step of a rolling deploy.
fn migrate_only() -> Result<bool, String> {
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => Ok(false),
        Some("migrate") => Ok(true),
        Some(other) => Err(format!(
            "unknown command {other:?}: expected serve (the default) or migrate"
        )),
    }
}

/// Closes the database connections cleanly, unless a request the drain gave
/// up on still holds one: the exit must not wait for it.
async fn close(pool: db::DbPool) {
    if tokio::time::timeout(Duration::from_secs(1), pool.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use, exiting without closing them");
    }
}

/// What must outlive the server: with the `otlp` feature, the trace exporter,
/// which holds spans not yet sent.
struct Telemetry {
    #[cfg(feature = "otlp")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered. The exporter's client blocks, so it runs
    /// on a blocking thread, not on the runtime's.
    #[cfg_attr(
        not(feature = "otlp"),
        allow(clippy::unused_async, reason = "it awaits with the otlp feature")
    )]
    async fn flush(self) {
        #[cfg(feature = "otlp")]
        if let Some(provider) = self.provider
            && let Ok(Err(error)) = tokio::task::spawn_blocking(move || provider.shutdown()).await
        {
            tracing::warn!(%error, "cannot send the last traces");
        }
    }
}

/// Logs to stdout, filtered by `RUST_LOG` (`target=level` pairs such as
/// `info,sqlx=warn`), as text or, with `LOG_FORMAT=json`, one JSON object a
/// line (with the request span's fields) for log collectors. `Targets` rather
/// than `EnvFilter`, whose span and regex matching would add a regex engine to
/// every build. With the `otlp` feature and an OTLP endpoint configured, the
/// spans are exported too.
fn init_logging() -> Telemetry {
    let default = || Targets::new().with_default(DEFAULT_LOG_LEVEL);
    let (filter, invalid) = match std::env::var("RUST_LOG") {
        Ok(spec) => match spec.parse::<Targets>() {
            Ok(filter) => (filter, None),
            Err(error) => (default(), Some((spec, error))),
        },
        Err(_) => (default(), None),
    };
    let format = std::env::var("LOG_FORMAT").unwrap_or_default();
    let json = format.eq_ignore_ascii_case("json");
    // An `Option` of a layer is a layer: exactly one of the two is on.
    let registry = tracing_subscriber::registry()
        .with(json.then(|| tracing_subscriber::fmt::layer().json()))
        .with((!json).then(tracing_subscriber::fmt::layer));
    #[cfg(feature = "otlp")]
    let (provider, otlp_error) = match <%= crate %>::telemetry::provider() {
        Ok(provider) => (provider, None),
        Err(error) => (None, Some(error)),
    };
    #[cfg(feature = "otlp")]
    let registry = registry.with(provider.as_ref().map(|provider| {
        use opentelemetry::trace::TracerProvider as _;
        tracing_opentelemetry::layer().with_tracer(provider.tracer(env!("CARGO_PKG_NAME")))
    }));
    registry.with(filter).init();
    #[cfg(feature = "otlp")]
    if let Some(error) = otlp_error {
        tracing::warn!(%error, "cannot export traces over OTLP; logging only");
    }
    if let Some((spec, error)) = invalid {
        tracing::warn!(%error, "RUST_LOG={spec:?} is not a valid filter; logging at {DEFAULT_LOG_LEVEL}");
    }
    if !json && !format.is_empty() && !format.eq_ignore_ascii_case("text") {
        tracing::warn!("LOG_FORMAT={format:?} is neither text nor json; logging text");
    }
    Telemetry {
        #[cfg(feature = "otlp")]
        provider,
    }
}
