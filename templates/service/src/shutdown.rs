//! Graceful shutdown: [`shutdown_signal`] resolves on SIGINT (Ctrl-C) or
//! SIGTERM (what orchestrators send), whichever comes first; [`Draining`]
//! tells `/ready` that the process is on its way out. [`crate::server::serve`]
//! does the rest, within a deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal;

/// Set once the shutdown has begun; shared by the server and `/ready`.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    /// Marks the shutdown as begun.
    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the shutdown has begun.
    #[must_use]
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Resolves on the first SIGINT or SIGTERM.
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
