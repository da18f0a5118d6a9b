//! The async bridge: a Tokio task awaits CPU-bound work that runs on a Rayon
//! pool, and the runtime stays free meanwhile.
//!
//! Long CPU work on a Tokio worker thread stalls every other task on that
//! thread. `spawn_blocking` would move it to a pool sized for blocking I/O
//! (hundreds of threads); CPU work belongs on Rayon's one thread per core.
//! The work answers through a oneshot channel whose receiver is a future, so
//! the awaiting task costs nothing until the answer arrives.
//!
//! Shown in use by `examples/async_bridge.rs`.

use std::panic::{self, AssertUnwindSafe};

<% if (libThiserror) { -%>
use rayon::ThreadPool;
use tokio::sync::oneshot;

use crate::error::WorkerError;
<% } else { -%>
use anyhow::{Result, anyhow};
use rayon::ThreadPool;
use tokio::sync::oneshot;

<% } -%>
use crate::pipeline::panic_message;
use crate::stats::TextStats;

/// Runs `work` on `pool` and resolves to its result. A panic in `work` comes
/// back as an error instead of aborting the process (what Rayon does with a
/// panic in `spawn`). Dropping the future does not stop `work`; its result
/// is then discarded.
///
/// # Errors
///
/// When `work` panics.
<% if (libThiserror) { -%>
pub async fn spawn_on<T, F>(pool: &ThreadPool, work: F) -> Result<T, WorkerError>
<% } else { -%>
pub async fn spawn_on<T, F>(pool: &ThreadPool, work: F) -> Result<T>
<% } -%>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    pool.spawn(move || {
        // AssertUnwindSafe: after a panic nothing `work` touched is used again.
        let result = panic::catch_unwind(AssertUnwindSafe(work));
        if tx.send(result).is_err() {
            tracing::debug!("the caller stopped waiting; result dropped");
        }
    });
    match rx.await {
        Ok(Ok(value)) => Ok(value),
<% if (libThiserror) { -%>
        Ok(Err(payload)) => Err(WorkerError::Panicked {
            message: panic_message(payload.as_ref()),
        }),
        // Only if the pool dropped the closure without running it.
        Err(_) => Err(WorkerError::Panicked {
            message: "the job ended without an answer".to_owned(),
        }),
<% } else { -%>
        Ok(Err(payload)) => {
            let message = panic_message(payload.as_ref());
            Err(anyhow!("a job panicked: {message}"))
        }
        // Only if the pool dropped the closure without running it.
        Err(_) => Err(anyhow!("the job ended without an answer")),
<% } -%>
    }
}

/// Word statistics of `text`, computed on `pool` while the caller awaits.
///
/// # Errors
///
/// When the computation panics.
<% if (libThiserror) { -%>
pub async fn text_stats(pool: &ThreadPool, text: String) -> Result<TextStats, WorkerError> {
<% } else { -%>
pub async fn text_stats(pool: &ThreadPool, text: String) -> Result<TextStats> {
<% } -%>
    spawn_on(pool, move || TextStats::of(&text)).await
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::pipeline::build_pool;
    use crate::sample;

    #[tokio::test]
    async fn gives_the_same_answer_as_the_direct_call() {
        let pool = build_pool(2).unwrap();
        let text = sample::text(3, 5_000);
        let expected = TextStats::of(&text);
        assert_eq!(text_stats(&pool, text).await.unwrap(), expected);
    }

    // `#[tokio::test]` runs on one thread. The job can finish only after
    // another task on that same thread releases it, which can happen only if
    // awaiting the bridge leaves the thread free. A blocking bridge would
    // time the job out instead.
    #[tokio::test]
    async fn the_runtime_keeps_running_while_rayon_works() {
        let pool = build_pool(1).unwrap();
        let (release, gate) = mpsc::channel::<()>();
        let job = spawn_on(&pool, move || {
            gate.recv_timeout(Duration::from_secs(10)).is_ok()
        });
        let releaser = async move {
            tokio::task::yield_now().await;
            release.send(())
        };
        let (job_result, sent) = tokio::join!(job, releaser);
        assert!(sent.is_ok());
        assert!(job_result.unwrap(), "the job was never released");
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_an_abort() {
        let pool = build_pool(1).unwrap();
        let error = spawn_on(&pool, || -> u32 { panic!("bad input") })
            .await
            .unwrap_err();
        assert!(error.to_string().contains("bad input"), "{error}");
        // The pool survived and still works.
        assert_eq!(spawn_on(&pool, || 41 + 1).await.unwrap(), 42);
    }
}
