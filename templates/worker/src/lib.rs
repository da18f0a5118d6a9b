//! `<%= name %>`: a parallel batch worker built on Rayon.
//!
//! The reusable part is [`Pipeline`]: it runs jobs on a pool of `--threads`
//! workers and streams every result through a bounded channel to the caller,
//! so memory stays bounded however large the input is. It stops taking jobs
//! when its [`CancelToken`] fires (Ctrl-C in the binary), finishes the jobs in
//! flight, and collects per-job failures without aborting the batch.
//!
//! The sample job is [`analyze`]: word statistics of a file or a line of text,
//! a CPU-bound transformation that scales with the number of cores.
//!
//! - [`jobs`]: where jobs come from (the files of a directory, lines of stdin).
//! - [`pipeline`]: the pool, the bounded channel, cancellation, progress.
//! - [`stats`]: the sample job.
<% if (libThiserror) { -%>
//! - [`error`]: the error types, one per failure domain.
<% } -%>
<% if (queuePostgres) { -%>
//! - [`bridge`]: await Rayon work from Tokio.
//! - [`queue`]: the durable job queue on Postgres.
//! - [`consumer`]: claims jobs from the queue and runs them (`consume`).
<% } else { -%>
//! - `bridge` (feature `async`): await Rayon work from Tokio.
<% } -%>
//! - [`sample`]: deterministic sample text for tests and benchmarks.

<% if (libThiserror) { -%>
pub mod error;
<% } -%>
pub mod jobs;
pub mod pipeline;
pub mod sample;
pub mod stats;

<% if (queuePostgres) { -%>
pub mod bridge;
pub mod consumer;
pub mod queue;
<% } else { -%>
#[cfg(feature = "async")]
pub mod bridge;
<% } -%>

<% if (libThiserror) { -%>
pub use error::{JobError, WorkerError};
<% } -%>
pub use jobs::{Job, LineJobs, files_in};
pub use pipeline::{CancelToken, Event, Failure, Outcome, Pipeline, Progress, Summary, build_pool};
pub use stats::{TextStats, WordCount, analyze};
