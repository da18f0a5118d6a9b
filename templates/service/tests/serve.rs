//! The server over real sockets: slow and idle clients are cut off, and a
//! shutdown finishes the requests in flight but waits for no client past
//! its deadline. The router here needs no database: these tests are about
//! connections, not the API.

use std::future::pending;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout};

use <%= crate %>::config::HttpConfig;
use <%= crate %>::server::serve;
use <%= crate %>::shutdown::Draining;

/// A running server and the means to stop it.
struct Running {
    addr: SocketAddr,
    draining: Draining,
    stop: oneshot::Sender<()>,
    done: JoinHandle<()>,
}

async fn start(limits: HttpConfig) -> Running {
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                sleep(Duration::from_millis(300)).await;
                "done"
            }),
        )
        .route("/hang", get(pending::<&'static str>));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("cannot bind a local port");
    let addr = listener.local_addr().expect("a bound address");
    let draining = Draining::default();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve(listener, app, limits, draining.clone(), async {
        // A dropped sender stops the server too.
        let _ = stopped.await;
    }));
    Running {
        addr,
        draining,
        stop,
        done,
    }
}

/// A connection that has sent `bytes` of a request.
async fn send_raw(addr: SocketAddr, bytes: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("cannot connect");
    stream
        .write_all(bytes.as_bytes())
        .await
        .expect("cannot write");
    stream
}

fn request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
}

/// Everything the server sends until it closes the connection, or `None`
/// if it is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut bytes = Vec::new();
    match timeout(within, stream.read_to_end(&mut bytes)).await {
        // A reset is a close too.
        Ok(_) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_slow_request_head_is_cut_off() {
    let limits = HttpConfig {
        header_read_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    };
    let server = start(limits).await;
    let started = Instant::now();
    let mut slow = send_raw(server.addr, "GET / HTTP/1.1\r\nhost: te").await;
    let reply = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(reply.is_some(), "the half-sent head was not cut off");
    assert!(started.elapsed() >= Duration::from_millis(150));

    // Clients that send a whole head in time are served as usual.
    let mut fine = send_raw(server.addr, &request("/")).await;
    let reply = read_until_closed(&mut fine, Duration::from_secs(5)).await;
    assert!(reply.is_some_and(|reply| reply.starts_with("HTTP/1.1 200")));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let limits = HttpConfig {
        header_read_timeout: Duration::from_millis(200),
        ..HttpConfig::default()
    };
    let server = start(limits).await;
    // Keep-alive: the connection stays open after the response...
    let mut idle = send_raw(server.addr, "GET / HTTP/1.1\r\nhost: test\r\n\r\n").await;
    let mut buffer = [0; 1024];
    let read = timeout(Duration::from_secs(5), idle.read(&mut buffer))
        .await
        .expect("no response")
        .expect("cannot read");
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));
    // ...until it has been idle for the header-read timeout.
    let rest = read_until_closed(&mut idle, Duration::from_secs(5)).await;
    assert_eq!(rest.as_deref(), Some(""), "the idle connection stayed open");
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_and_waits_for_no_hung_client() {
    let limits = HttpConfig {
        // Long enough that only the drain deadline can end the hung clients.
        header_read_timeout: Duration::from_mins(1),
        shutdown_delay: Duration::ZERO,
        drain_timeout: Duration::from_millis(700),
        ..HttpConfig::default()
    };
    let server = start(limits).await;
    let _half_head = send_raw(server.addr, "GET / HTTP/1.1\r\nhost: te").await;
    let _hung = send_raw(server.addr, &request("/hang")).await;
    let mut in_flight = send_raw(server.addr, &request("/slow")).await;
    // Let the server pick up all three before the signal.
    sleep(Duration::from_millis(100)).await;

    let signalled = Instant::now();
    server.stop.send(()).expect("the server is running");
    let reply = read_until_closed(&mut in_flight, Duration::from_secs(5)).await;
    let reply = reply.expect("the request in flight did not finish");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with("done"), "{reply}");

    timeout(Duration::from_secs(5), server.done)
        .await
        .expect("the server outlived its drain deadline")
        .expect("the server task failed");
    let took = signalled.elapsed();
    assert!(
        took >= Duration::from_millis(600),
        "{took:?}: the hung request was not waited for"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn the_listener_accepts_during_the_shutdown_delay_only() {
    let limits = HttpConfig {
        shutdown_delay: Duration::from_millis(500),
        ..HttpConfig::default()
    };
    let server = start(limits).await;
    assert!(!server.draining.is_draining());
    server.stop.send(()).expect("the server is running");
    sleep(Duration::from_millis(100)).await;
    // Draining, so `/ready` answers 503, yet new connections are served.
    assert!(server.draining.is_draining());
    let mut late = send_raw(server.addr, &request("/")).await;
    let reply = read_until_closed(&mut late, Duration::from_secs(5)).await;
    assert!(reply.is_some_and(|reply| reply.starts_with("HTTP/1.1 200")));

    timeout(Duration::from_secs(5), server.done)
        .await
        .expect("the server did not stop")
        .expect("the server task failed");
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "still listening"
    );
}
