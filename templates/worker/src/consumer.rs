//! The consumer: claims jobs from the queue (src/queue.rs) and runs them.
//!
//! The claim loop is a `tokio::select!` over four things: a job finishing
//! (its slot is free again), a `NOTIFY` from [`queue::enqueue`] (new work),
//! the poll interval (the fallback when a notification was missed, e.g.
//! while the listening connection was down, and for retries coming due) and
//! shutdown. Queue I/O runs on Tokio; the CPU work of [`StatsHandler`] runs
//! on the Rayon pool through the bridge, so the runtime keeps renewing leases
//! while the cores are busy.

use std::collections::HashSet;
use std::fmt::Display;
use std::future::{self, Future};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::ThreadPool;
use serde::Serialize;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{self, MissedTickBehavior};
use tracing::{debug, info, warn};

use crate::bridge;
<% if (libThiserror) { -%>
use crate::error::WorkerError;
<% } -%>
use crate::queue::{self, ClaimedJob};
use crate::stats::TextStats;

/// What runs a claimed job.
///
/// Declared with `-> impl Future + Send` so the consumer may run jobs on
/// any runtime thread; an implementation writes a plain `async fn` (edition
/// 2024: no `async-trait` crate, no boxing).
pub trait JobHandler: Send + Sync + 'static {
    /// The result, stored as JSON with the job.
    type Output: Serialize + Send + Sync;
    /// Why an attempt failed, kept as the job's last error.
    type Error: Display + Send;

    /// Runs one attempt of `job`.
    fn handle(
        &self,
        job: &ClaimedJob,
    ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;
}

/// The worker's job: the statistics of the job's text, the same
/// [`TextStats`] the batch mode reports for one input.
#[derive(Debug, Clone)]
pub struct StatsHandler {
    pool: Arc<ThreadPool>,
}

impl StatsHandler {
    /// A handler computing on `pool`.
    #[must_use]
    pub const fn new(pool: Arc<ThreadPool>) -> Self {
        Self { pool }
    }
}

impl JobHandler for StatsHandler {
    type Output = TextStats;
<% if (libThiserror) { -%>
    type Error = WorkerError;

    async fn handle(&self, job: &ClaimedJob) -> Result<TextStats, WorkerError> {
<% } else { -%>
    type Error = anyhow::Error;

    async fn handle(&self, job: &ClaimedJob) -> anyhow::Result<TextStats> {
<% } -%>
        bridge::text_stats(&self.pool, job.text.clone()).await
    }
}

/// How a consumer runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Jobs held at once.
    pub concurrency: usize,
    /// How long a claim lasts without a heartbeat; renewed every third of it.
    pub lease: Duration,
    /// How often the queue is looked at without a notification.
    pub poll: Duration,
    /// On shutdown, how long running jobs may take to finish before they
    /// are released for another consumer.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            grace: Duration::from_secs(10),
        }
    }
}

/// What a consumer did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsumeSummary {
    /// Jobs it completed.
    pub done: u64,
    /// Attempts that failed (retried later, or the job's last).
    pub failed: u64,
    /// Jobs given back unfinished at shutdown.
    pub released: u64,
}

/// A name for this consumer in the `locked_by` column, unique per process.
#[must_use]
pub fn consumer_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos:08x}", std::process::id())
}

/// The outcome of one job's task.
enum Finished {
    Done,
    Failed,
    /// The lease was lost or the result could not be written; the job runs again elsewhere.
    Dropped,
}

/// Claims and runs jobs until `shutdown` turns `true` (or its sender is
/// dropped), then stops claiming, lets running jobs finish for
/// [`Config::grace`] and releases the rest.
///
/// Losing the database does not stop it: claims and writes are retried, the
/// pool opens new connections, and the poll interval covers notifications
/// missed meanwhile.
///
/// # Errors
///
/// None after the start; the result type leaves room for a handler that
/// cannot go on.
pub async fn run<H: JobHandler>(
    db: PgPool,
    handler: Arc<H>,
    config: Config,
    mut shutdown: watch::Receiver<bool>,
) -> Result<ConsumeSummary, sqlx::Error> {
    let consumer = Arc::<str>::from(consumer_id());
    let mut listener = listen(&db).await;
    let held = Arc::new(Mutex::new(HashSet::<i64>::new()));
    let mut tasks = JoinSet::new();
    let mut summary = ConsumeSummary::default();
    let mut poll = time::interval(config.poll);
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    info!(%consumer, concurrency = config.concurrency, "consuming");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let free = config.concurrency.saturating_sub(tasks.len());
        if free > 0 {
            match queue::claim(&db, &consumer, config.lease, i64::try_from(free).unwrap_or(1)).await {
                Ok(jobs) => {
                    for job in jobs {
                        debug!(id = job.id, attempt = job.attempt, "claimed");
                        lock(&held).insert(job.id);
                        let task = JobTask {
                            db: db.clone(),
                            consumer: Arc::clone(&consumer),
                            lease: config.lease,
                            held: Arc::clone(&held),
                        };
                        tasks.spawn(task.run(Arc::clone(&handler), job));
                    }
                }
                Err(error) => warn!(%error, "cannot claim jobs; trying again at the next poll"),
            }
        }
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            Some(finished) = tasks.join_next(), if !tasks.is_empty() => count(&mut summary, finished),
            () = notified(&mut listener, config.poll) => {}
            _ = poll.tick() => {}
        }
    }
    info!(running = tasks.len(), "stopping: no more claims, finishing the running jobs");
    let deadline = time::sleep(config.grace);
    tokio::pin!(deadline);
    while !tasks.is_empty() {
        tokio::select! {
            Some(finished) = tasks.join_next() => count(&mut summary, finished),
            () = &mut deadline => break,
        }
    }
    tasks.shutdown().await;
    let left: Vec<i64> = lock(&held).drain().collect();
    for id in left {
        match queue::release(&db, &consumer, id).await {
            Ok(true) => summary.released += 1,
            Ok(false) => {}
            // The lease runs out instead, and another consumer claims it then.
            Err(error) => {
                warn!(id, %error, "cannot release the job; it is claimed again after its lease");
            }
        }
    }
    info!(
        done = summary.done,
        failed = summary.failed,
        released = summary.released,
        "stopped"
    );
    Ok(summary)
}

fn count(summary: &mut ConsumeSummary, finished: Result<Finished, tokio::task::JoinError>) {
    match finished {
        Ok(Finished::Done) => summary.done += 1,
        Ok(Finished::Failed) => summary.failed += 1,
        Ok(Finished::Dropped) => {}
        Err(error) => warn!(%error, "a job task ended abnormally"),
    }
}

fn lock(held: &Mutex<HashSet<i64>>) -> std::sync::MutexGuard<'_, HashSet<i64>> {
    // The set stays consistent whatever panicked while holding it.
    held.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A listener on [`queue::CHANNEL`], or none (polling only) if it cannot connect.
async fn listen(db: &PgPool) -> Option<PgListener> {
    let mut listener = match PgListener::connect_with(db).await {
        Ok(listener) => listener,
        Err(error) => {
            warn!(%error, "cannot listen for new jobs; polling only");
            return None;
        }
    };
    match listener.listen(queue::CHANNEL).await {
        Ok(()) => Some(listener),
        Err(error) => {
            warn!(%error, "cannot listen for new jobs; polling only");
            None
        }
    }
}

/// Resolves on the next notification; never without a listener. The
/// listener reconnects by itself on the next receive after a lost connection.
async fn notified(listener: &mut Option<PgListener>, pause: Duration) {
    let Some(listener) = listener else {
        return future::pending().await;
    };
    if let Err(error) = listener.recv().await {
        warn!(%error, "lost the notification connection; polling meanwhile");
        // Not at once again: the server may be down for a while.
        time::sleep(pause).await;
    }
}

/// What a job's task needs besides the job.
struct JobTask {
    db: PgPool,
    consumer: Arc<str>,
    lease: Duration,
    held: Arc<Mutex<HashSet<i64>>>,
}

impl JobTask {
    /// Runs `job` while renewing its lease, then writes the outcome.
    async fn run<H: JobHandler>(self, handler: Arc<H>, job: ClaimedJob) -> Finished {
        let outcome = tokio::select! {
            outcome = handler.handle(&job) => Some(outcome),
            () = self.renew(job.id) => None,
        };
        let finished = match outcome {
            None => Finished::Dropped,
            Some(Ok(output)) => {
                let output = &output;
                let written = self
                    .write(job.id, |db, consumer| async move {
                        queue::complete(db, consumer, job.id, output).await
                    })
                    .await;
                if written { Finished::Done } else { Finished::Dropped }
            }
            Some(Err(error)) => {
                let message = format!("{error:#}");
                warn!(id = job.id, attempt = job.attempt, error = %message, "attempt failed");
                let (job, message) = (&job, message.as_str());
                let written = self
                    .write(job.id, |db, consumer| async move {
                        queue::fail(db, consumer, job, message).await
                    })
                    .await;
                if written { Finished::Failed } else { Finished::Dropped }
            }
        };
        lock(&self.held).remove(&job.id);
        finished
    }

    /// Extends the lease every third of it; returns once the lease is lost.
    async fn renew(&self, id: i64) {
        let mut tick = time::interval(self.lease / 3);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match queue::heartbeat(&self.db, &self.consumer, id, self.lease).await {
                Ok(true) => {}
                Ok(false) => {
                    warn!(id, "lost the job's lease to another consumer; dropping this attempt");
                    return;
                }
                // Retried at the next tick; the lease outlasts a few failures.
                Err(error) => warn!(id, %error, "cannot renew the job's lease"),
            }
        }
    }

    /// Writes an outcome, retrying while the database is unreachable for up
    /// to one lease; `true` when written under this consumer's claim.
    async fn write<'a, F, Fut>(&'a self, id: i64, statement: F) -> bool
    where
        F: Fn(&'a PgPool, &'a str) -> Fut,
        Fut: Future<Output = Result<bool, sqlx::Error>>,
    {
        let started = time::Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            match statement(&self.db, &self.consumer).await {
                Ok(written) => {
                    if !written {
                        warn!(id, "the job's lease passed to another consumer; outcome dropped");
                    }
                    return written;
                }
                Err(error) if started.elapsed() < self.lease => {
                    warn!(id, %error, "cannot write the job's outcome; retrying");
                    time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Err(error) => {
                    warn!(id, %error, "cannot write the job's outcome; it runs again after its lease");
                    return false;
                }
            }
        }
    }
}
