//! The HTTP server: hyper's HTTP/1 connection with a timer, so slow or idle
//! clients are cut off, and a drain that no client can hold up.
//!
//! `axum::serve` sets no timer, so hyper's header-read timeout never applies
//! and a client that sends half a request head keeps the process alive after
//! SIGTERM for as long as it likes. This loop is axum's own, with the timer
//! set and the drain bounded:
//!
//! 1. the signal fires: [`Draining`] turns `/ready` into 503 at once, so load
//!    balancers stop sending new requests;
//! 2. for `shutdown_delay` the listener still accepts, for the requests that
//!    were already routed here before the balancer noticed;
//! 3. the listener closes, every connection finishes its request in flight
//!    and closes, and after `drain_timeout` whatever is left is dropped.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};

use crate::config::HttpConfig;
use crate::shutdown::Draining;

/// Serves `app` on `listener` until `signal` resolves, then drains as the
/// module explains. Returns once every connection is closed or the drain
/// deadline has passed, whichever comes first.
pub async fn serve<F>(
    listener: TcpListener,
    app: Router,
    limits: HttpConfig,
    draining: Draining,
    signal: F,
) where
    F: Future<Output = ()>,
{
    let mut builder = http1::Builder::new();
    // hyper starts the header-read timer whenever a connection waits for a
    // request head, so the same timeout also closes idle keep-alive connections.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let spawn = |accepted: std::io::Result<(TcpStream, SocketAddr)>| async {
        match accepted {
            Ok((stream, _peer)) => {
                let service = TowerToHyperService::new(app.clone());
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        // Timeouts and resets are the client's doing, not ours.
                        tracing::debug!(%error, "connection closed with an error");
                    }
                });
            }
            Err(error) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };

    let mut signal = pin!(signal);
    loop {
        tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => spawn(accepted).await,
        }
    }
    draining.start();
    tracing::info!(delay = ?limits.shutdown_delay, "draining: /ready answers 503");
    let mut delay = pin!(tokio::time::sleep(limits.shutdown_delay));
    loop {
        tokio::select! {
            () = &mut delay => break,
            accepted = listener.accept() => spawn(accepted).await,
        }
    }
    drop(listener);

    let open = graceful.count();
    tracing::info!(open, deadline = ?limits.drain_timeout, "listener closed, draining connections");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!("drain deadline passed, dropping the connections left");
        }
    }
}
