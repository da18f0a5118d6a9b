//! Graceful shutdown: resolves on SIGINT (Ctrl-C) or SIGTERM (what
//! orchestrators send), whichever comes first. `axum::serve` then stops
//! accepting connections and waits for in-flight requests to finish; the
//! request timeout bounds how long that can take.

use tokio::signal;

pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = signal::ctrl_c().await {
            // Without the handler, Ctrl-C would go unnoticed: wait for SIGTERM only.
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => tracing::info!("received Ctrl-C, shutting down"),
        () = terminate => tracing::info!("received SIGTERM, shutting down"),
    }
}
