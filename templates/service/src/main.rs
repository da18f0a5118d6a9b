//! Starts the service: configuration from the environment, logging, the
//! database pool and its migrations, then HTTP until SIGINT or SIGTERM.
//! Run it with `cargo run -p <%= name %>`; settings are in `.env.example`.

<% if (binAnyhow) { -%>
use anyhow::Context;
<% } else { -%>
use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;

<% } -%>
use tokio::net::TcpListener;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

use <%= crate %>::config::Config;
use <%= crate %>::shutdown::shutdown_signal;
use <%= crate %>::{AppState, db, router};

/// Without `RUST_LOG`: info and above, so one line per request is opt-in
/// (`RUST_LOG=info,tower_http=debug,<%= crate %>=debug`).
const DEFAULT_LOG_LEVEL: LevelFilter = LevelFilter::INFO;
<% if (!binAnyhow) { -%>

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
enum StartupError {
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
    #[error("the server failed")]
    Serve(#[source] std::io::Error),
}
<% } -%>

#[tokio::main]
async fn main() -> <%- binAnyhow ? 'anyhow::Result<()>' : 'ExitCode' %> {
    init_logging();
<% if (binAnyhow) { -%>

<% if (libThiserror) { -%>
    let config = Config::from_env().context("invalid configuration")?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database)
        .await
        .context("cannot connect to the database")?;
    db::migrate(&pool)
        .await
        .context("cannot run database migrations")?;
<% } else { -%>
    // The library's errors already say what failed; `?` keeps their context.
    let config = Config::from_env()?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
<% } -%>
    let addr = config.addr();
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(AppState::new(pool.clone(), config.http)))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server failed")?;
    // In-flight requests are done: close connections cleanly.
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}
<% } else { -%>
    match run().await {
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
    let config = Config::from_env()?;
    tracing::debug!(?config, "configuration");
    let pool = db::connect(&config.database)
        .await
        .map_err(StartupError::Connect)?;
    db::migrate(&pool).await?;
    let addr = config.addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(AppState::new(pool.clone(), config.http)))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartupError::Serve)?;
    // In-flight requests are done: close connections cleanly.
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}
<% } -%>

/// Logs to stdout, filtered by `RUST_LOG` (`target=level` pairs such as
/// `info,sqlx=warn`). `Targets` rather than `EnvFilter`, whose span and regex
/// matching would add a regex engine to every build.
fn init_logging() {
    let default = || Targets::new().with_default(DEFAULT_LOG_LEVEL);
    let (filter, invalid) = match std::env::var("RUST_LOG") {
        Ok(spec) => match spec.parse::<Targets>() {
            Ok(filter) => (filter, None),
            Err(error) => (default(), Some((spec, error))),
        },
        Err(_) => (default(), None),
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .init();
    if let Some((spec, error)) = invalid {
        tracing::warn!(%error, "RUST_LOG={spec:?} is not a valid filter; logging at {DEFAULT_LOG_LEVEL}");
    }
}
