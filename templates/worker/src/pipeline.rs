//! The parallel pipeline: a Rayon pool works through the jobs and streams
//! every result through a bounded channel to the caller, who writes it out.
//!
//! ```text
//! jobs ──▶ Rayon pool (N workers) ──▶ sync_channel(capacity) ──▶ caller's thread: sink(Event)
//! ```
//!
//! The channel is the backpressure: when the sink falls behind (a slow disk,
//! a pipe into a slow reader), workers block in `send`, so at most
//! `capacity + threads` results exist at any moment, however long the input.
//! Cancellation is cooperative: a worker checks the [`CancelToken`] before it
//! starts a job, so jobs already running finish and are delivered.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

<% if (libThiserror) { -%>
use std::io;

<% } else { -%>
use anyhow::{Context as _, Result, anyhow};
<% } -%>
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

<% if (libThiserror) { -%>
use crate::error::WorkerError;

<% } -%>
/// How long the caller waits for a result before it checks the clock (for
/// progress) and the cancel flag.
const TICK: Duration = Duration::from_millis(50);

/// A cancellation flag shared by whoever decides to stop (a Ctrl-C handler)
/// and the workers. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not fired.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the workers to start no new job; jobs already running finish.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called on this token or a clone.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The result of one job, under the id it is reported with.
#[derive(Debug)]
pub struct Outcome<T, E> {
    /// The job's id, e.g. a file name or `line 3`.
    pub id: String,
    /// What the job produced, or why it failed.
    pub result: Result<T, E>,
}

/// A job that failed, kept for the summary.
#[derive(Debug)]
pub struct Failure<E> {
    /// The job's id.
    pub id: String,
    /// Why it failed.
    pub error: E,
}

/// What the sink is handed: every result as it arrives, and a progress
/// report at most once per [`Pipeline::progress_every`].
#[derive(Debug)]
pub enum Event<'a, T, E> {
    /// A job finished, successfully or not.
    Item(&'a Outcome<T, E>),
    /// Time for a progress report.
    Progress(Progress),
}

/// A snapshot of a running batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Jobs finished, failed ones included.
    pub done: u64,
    /// Jobs that failed.
    pub failed: u64,
    /// Known for a directory of files; unknown for a stream of lines.
    pub total: Option<u64>,
    /// Time since the batch started.
    pub elapsed: Duration,
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.total {
            Some(total) => write!(f, "{}/{total} jobs done", self.done)?,
            None => write!(f, "{} jobs done", self.done)?,
        }
        if self.failed > 0 {
            write!(f, ", {} failed", self.failed)?;
        }
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            #[expect(
                clippy::cast_precision_loss,
                reason = "a rate shown rounded: exact only up to 2^52 jobs, which is plenty"
            )]
            let rate = self.done as f64 / seconds;
            write!(f, " ({rate:.0} jobs/s)")?;
        }
        Ok(())
    }
}

/// The end of a batch: counts, every failure, and whether it was cut short.
#[derive(Debug)]
pub struct Summary<E> {
    /// The number of jobs, when known up front.
    pub total: Option<u64>,
    /// Jobs that succeeded.
    pub succeeded: u64,
    /// Every job that failed, in completion order.
    pub failures: Vec<Failure<E>>,
    /// The cancel token fired: jobs not yet started were skipped.
    pub cancelled: bool,
    /// Wall-clock time of the batch.
    pub elapsed: Duration,
}

impl<E> Summary<E> {
    fn new(total: Option<u64>) -> Self {
        Self {
            total,
            succeeded: 0,
            failures: Vec::new(),
            cancelled: false,
            elapsed: Duration::ZERO,
        }
    }

    /// Jobs that ran to the end, successfully or not.
    #[must_use]
    pub fn processed(&self) -> u64 {
        self.succeeded + self.failures.len() as u64
    }

    /// Every job ran and none failed.
    #[must_use]
    pub fn is_success(&self) -> bool {
        !self.cancelled && self.failures.is_empty()
    }

    /// The batch as a progress snapshot.
    #[must_use]
    pub fn progress(&self) -> Progress {
        Progress {
            done: self.processed(),
            failed: self.failures.len() as u64,
            total: self.total,
            elapsed: self.elapsed,
        }
    }

    fn record<T>(&mut self, outcome: Outcome<T, E>) {
        match outcome.result {
            Ok(_) => self.succeeded += 1,
            Err(error) => self.failures.push(Failure {
                id: outcome.id,
                error,
            }),
        }
    }
}

impl<E> fmt::Display for Summary<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.processed())?;
        if let Some(total) = self.total {
            write!(f, "of {total} ")?;
        }
        write!(
            f,
            "jobs in {:.2} s: {} succeeded, {} failed",
            self.elapsed.as_secs_f64(),
            self.succeeded,
            self.failures.len()
        )?;
        if self.cancelled {
            write!(f, "; cancelled, jobs not yet started were skipped")?;
        }
        Ok(())
    }
}

/// A Rayon pool of `threads` workers; 0 lets Rayon choose (one per core,
/// or `RAYON_NUM_THREADS`). Threads are named so they are easy to spot in
/// `top -H` and in panic messages.
///
/// # Errors
///
/// When Rayon cannot start the threads.
<% if (libThiserror) { -%>
pub fn build_pool(threads: usize) -> Result<ThreadPool, WorkerError> {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("worker-{i}"))
        .build()
        .map_err(|source| WorkerError::Pool { threads, source })
}
<% } else { -%>
pub fn build_pool(threads: usize) -> Result<ThreadPool> {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("worker-{i}"))
        .build()
        .with_context(|| {
            format!("cannot start a pool of {threads} worker threads (0 = one per core)")
        })
}
<% } -%>

/// Runs jobs on its own Rayon pool and streams their results to a sink.
#[derive(Debug)]
pub struct Pipeline {
    pool: Arc<ThreadPool>,
    capacity: usize,
    progress_every: Duration,
}

impl Pipeline {
    /// A pipeline with `threads` workers (0: one per core) and room for
    /// `capacity` finished results the sink has not taken yet. Capacity 0
    /// hands each result over directly.
    ///
    /// # Errors
    ///
    /// When Rayon cannot start the threads.
<% if (libThiserror) { -%>
    pub fn new(threads: usize, capacity: usize) -> Result<Self, WorkerError> {
<% } else { -%>
    pub fn new(threads: usize, capacity: usize) -> Result<Self> {
<% } -%>
        Ok(Self {
            pool: Arc::new(build_pool(threads)?),
            capacity,
            progress_every: Duration::from_secs(1),
        })
    }

    /// How often the sink gets an [`Event::Progress`] (default: every second).
    #[must_use]
    pub fn progress_every(mut self, every: Duration) -> Self {
        self.progress_every = every;
        self
    }

    /// The number of worker threads.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// The pool itself, to share it with other CPU work (see `bridge`).
    #[must_use]
    pub fn pool(&self) -> &ThreadPool {
        &self.pool
    }

    /// Runs `work` on every job in parallel and hands each outcome to `sink`
    /// on the calling thread, in completion order.
    ///
    /// A failing job is recorded in the summary and the batch goes on. When
    /// `cancel` fires, workers start no new job, the jobs in flight finish
    /// and reach the sink, and the summary says `cancelled`. An error from
    /// the sink stops the batch: workers stop as soon as they try to send.
    ///
    /// `jobs` may be lazy (`LineJobs::par_bridge()`): a worker pulls the
    /// next job only when it is free, so input is read no faster than the
    /// sink takes results.
    ///
    /// # Errors
    ///
    /// When the pipeline thread cannot start, or the sink fails.
    pub fn run<I, T, E, W, S>(
        &self,
        jobs: I,
        total: Option<u64>,
        work: W,
        cancel: &CancelToken,
        mut sink: S,
    ) -> <%- libThiserror ? 'Result<Summary<E>, WorkerError>' : 'Result<Summary<E>>' %>
    where
        I: ParallelIterator + 'static,
        W: Fn(I::Item) -> Outcome<T, E> + Send + Sync + 'static,
        T: Send + 'static,
        E: Send + 'static,
        S: FnMut(Event<'_, T, E>) -> <%- libThiserror ? 'io::Result<()>' : 'Result<()>' %>,
    {
        let started = Instant::now();
        let (tx, rx) = mpsc::sync_channel(self.capacity);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let producer = {
            let pool = Arc::clone(&self.pool);
            let cancel = cancel.clone();
            let in_flight = Arc::clone(&in_flight);
            // Its own thread, not the caller's: the caller drains the channel
            // meanwhile, and if it stops waiting (cancelled while a worker is
            // blocked reading stdin) this thread is simply left behind.
            thread::Builder::new()
                .name("pipeline".into())
                .spawn(move || {
                    pool.install(|| {
                        // `try_for_each` stops handing out jobs after the first `Err`.
                        jobs.try_for_each_with(tx, |tx, job| {
                            // Count first, check second: once the caller sees the
                            // flag set and nothing in flight, no job can still start.
                            let _guard = InFlight::enter(&in_flight);
                            if cancel.is_cancelled() {
                                return Err(Stop);
                            }
                            // Blocks while the channel is full: backpressure. Fails
                            // once the caller has stopped receiving.
                            tx.send(work(job)).map_err(|_| Stop)
                        })
                    })
                })
<% if (libThiserror) { -%>
                .map_err(WorkerError::Spawn)?
<% } else { -%>
                .context("cannot start the pipeline thread")?
<% } -%>
        };

        let mut summary = Summary::new(total);
        let mut last_report = started;
        let disconnected = loop {
            match rx.recv_timeout(TICK) {
                Ok(outcome) => {
<% if (libThiserror) { -%>
                    sink(Event::Item(&outcome)).map_err(WorkerError::Sink)?;
<% } else { -%>
                    sink(Event::Item(&outcome))?;
<% } -%>
                    summary.record(outcome);
                }
                // After a cancel, stop waiting once no job is running: a worker
                // may be blocked reading input that never comes (a terminal).
                Err(RecvTimeoutError::Timeout) => {
                    if cancel.is_cancelled() && in_flight.load(Ordering::SeqCst) == 0 {
                        break false;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break true,
            }
            if last_report.elapsed() >= self.progress_every {
                summary.elapsed = started.elapsed();
<% if (libThiserror) { -%>
                sink(Event::Progress(summary.progress())).map_err(WorkerError::Sink)?;
<% } else { -%>
                sink(Event::Progress(summary.progress()))?;
<% } -%>
                last_report = Instant::now();
            }
        };
        if disconnected {
            // Every worker is done; a panic in `work` ends up here.
            if let Err(payload) = producer.join() {
<% if (libThiserror) { -%>
                return Err(WorkerError::Panicked {
                    message: panic_message(payload.as_ref()),
                });
<% } else { -%>
                let message = panic_message(payload.as_ref());
                return Err(anyhow!("a job panicked: {message}"));
<% } -%>
            }
        } else {
            // Results sent before the last job left the in-flight count.
            drain(&rx, &mut summary, &mut sink)?;
        }
        summary.cancelled = cancel.is_cancelled();
        summary.elapsed = started.elapsed();
        Ok(summary)
    }
}

/// Hands the results still queued in the channel to the sink.
<% if (libThiserror) { -%>
fn drain<T, E>(
    rx: &Receiver<Outcome<T, E>>,
    summary: &mut Summary<E>,
    sink: &mut impl FnMut(Event<'_, T, E>) -> io::Result<()>,
) -> Result<(), WorkerError> {
    for outcome in rx.try_iter() {
        sink(Event::Item(&outcome)).map_err(WorkerError::Sink)?;
        summary.record(outcome);
    }
    Ok(())
}
<% } else { -%>
fn drain<T, E>(
    rx: &Receiver<Outcome<T, E>>,
    summary: &mut Summary<E>,
    sink: &mut impl FnMut(Event<'_, T, E>) -> Result<()>,
) -> Result<()> {
    for outcome in rx.try_iter() {
        sink(Event::Item(&outcome))?;
        summary.record(outcome);
    }
    Ok(())
}
<% } -%>

/// Why a worker stopped early; the caller already knows the reason.
struct Stop;

/// Counts a job as in flight for as long as it lives, even if `work` panics.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The text of a panic payload: `panic!` with a literal gives `&str`, with
/// format arguments a `String`.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reports_counts_and_cancellation() {
        let mut summary: Summary<String> = Summary::new(Some(4));
        summary.record(Outcome {
            id: "a".into(),
            result: Ok(()),
        });
        summary.record(Outcome {
            id: "b".into(),
            result: Err::<(), _>("broken".into()),
        });
        summary.cancelled = true;
        assert_eq!(summary.processed(), 2);
        assert!(!summary.is_success());
        let text = summary.to_string();
        assert!(text.starts_with("2 of 4 jobs"), "{text}");
        assert!(text.contains("1 succeeded, 1 failed; cancelled"), "{text}");
    }

    #[test]
    fn a_panicking_job_stops_the_batch_with_its_message() {
        let pipeline = Pipeline::new(2, 4).unwrap();
        let result = pipeline.run(
            (0..10u32).into_par_iter(),
            Some(10),
            |n| {
                assert!(n != 7, "job {n} is cursed");
                Outcome {
                    id: n.to_string(),
                    result: Ok::<_, String>(n),
                }
            },
            &CancelToken::new(),
            |_| Ok(()),
        );
        let error = result.unwrap_err().to_string();
        assert!(error.contains("job 7 is cursed"), "{error}");
    }
}
