//! `<%= name %>`: word statistics for every file of a directory, or every
//! line of stdin, computed in parallel on all cores.
//!
//! ```text
//! <%= name %> docs/ --threads 4 --format json > stats.jsonl
//! producer | <%= name %> --format text
//! ```
//!
//! Results go to stdout as they finish (text, or one JSON object per line);
//! progress, the summary and failures go to stderr. Ctrl-C stops taking new
//! jobs, lets the running ones finish and prints what was done; a second
//! Ctrl-C quits at once.
//!
//! Exit status: 0 every job succeeded, 1 the run itself failed, 2 some jobs
//! failed, 130 interrupted.
<% if (queuePostgres) { -%>
//!
//! `<%= name %> consume` drains the Postgres job queue instead (src/queue.rs),
//! configured from the environment: `DATABASE_URL`, `QUEUE_CONCURRENCY` (jobs
//! held at once, default 2 per worker thread), `QUEUE_LEASE_SECS` (default
//! 30), `QUEUE_POLL_MS` (default 1000), `QUEUE_GRACE_SECS` (default 10). It
//! creates the `jobs` table if needed. SIGTERM or Ctrl-C stops claiming, lets
//! running jobs finish for the grace period, gives back the rest and exits 0.
<% } -%>

use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::{self, ExitCode};
<% if (queuePostgres) { -%>
use std::sync::Arc;
use std::time::Duration;
<% } -%>

<% if (binAnyhow) { -%>
use anyhow::{Context as _, Result};
<% } -%>
<% if (queuePostgres) { -%>
use clap::{Parser, Subcommand, ValueEnum};
<% } else { -%>
use clap::{Parser, ValueEnum};
<% } -%>
use rayon::iter::{IntoParallelIterator, ParallelBridge};
use serde::Serialize;
<% if (!binAnyhow) { -%>
use thiserror::Error;
<% } -%>
<% if (queuePostgres) { -%>
use sqlx::postgres::PgPoolOptions;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
<% } -%>
use tracing::level_filters::LevelFilter;
use tracing::{info, warn};

<% if (errorsSplit) { -%>
use <%= crate %>::error::{JobError, error_chain};
<% } else if (errorsThiserror) { -%>
use <%= crate %>::error::{JobError, WorkerError, error_chain};
<% } -%>
<% if (queuePostgres) { -%>
use <%= crate %>::consumer::{self, StatsHandler};
use <%= crate %>::pipeline::{CancelToken, Event, Outcome, Pipeline, Summary, build_pool};
use <%= crate %>::queue;
<% } else { -%>
use <%= crate %>::pipeline::{CancelToken, Event, Outcome, Pipeline, Summary};
<% } -%>
use <%= crate %>::{LineJobs, TextStats, analyze, files_in};

/// Some jobs failed; the others' results were written.
const EXIT_JOBS_FAILED: u8 = 2;
/// 128 + SIGINT, what shells report for a program stopped by Ctrl-C.
const EXIT_INTERRUPTED: u8 = 130;

<% if (libThiserror) { -%>
/// What a failed job carries: the library's typed error.
type JobFailure = JobError;
<% } else { -%>
/// What a failed job carries: an `anyhow::Error` with its context chain.
type JobFailure = anyhow::Error;
<% } -%>

#[derive(Debug, Parser)]
<% if (queuePostgres) { -%>
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
<% } else { -%>
#[command(version, about)]
struct Args {
<% } -%>
    /// Directory whose files are the jobs; without it, each line of stdin is a job
    dir: Option<PathBuf>,
    /// Worker threads; 0 means one per core
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
    /// Finished results held for the output; when full, workers wait for it
    #[arg(long, default_value_t = 64)]
    capacity: usize,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Only warnings and the summary on stderr, no progress
    #[arg(short, long)]
    quiet: bool,
}

<% if (queuePostgres) { -%>
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the jobs of the Postgres queue until SIGTERM (settings from the environment)
    Consume {
        /// Worker threads for the jobs' CPU work; 0 means one per core
        #[arg(short = 'j', long, default_value_t = 0)]
        threads: usize,
    },
}

<% } -%>
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// `id<TAB>counts`, one line per succeeded job
    Text,
    /// One JSON object per job, failed ones with an `error`
    Json,
}

<% if (!binAnyhow) { -%>
/// Everything that stops the run as a whole.
#[derive(Debug, Error)]
enum CliError {
    #[error("cannot start the workers")]
    Start(#[source] WorkerError),
    #[error("cannot install the Ctrl-C handler")]
    Signal(#[source] ctrlc::Error),
    #[error("cannot collect the jobs")]
    Jobs(#[source] WorkerError),
    #[error("the batch stopped")]
    Batch(#[source] WorkerError),
    #[error("cannot write the results")]
    Output(#[source] io::Error),
}

<% } -%>
fn main() -> ExitCode {
    let args = Args::parse();
    let level = if args.quiet {
        LevelFilter::WARN
    } else {
        LevelFilter::INFO
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        // Colours for a person at a terminal, plain text for log files.
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();

<% if (queuePostgres) { -%>
    if let Some(Command::Consume { threads }) = args.command {
        return match consume(threads) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
<% if (binAnyhow) { -%>
                eprintln!("error: {error:#}");
<% } else { -%>
                eprintln!("error: {}", error_chain(&error));
<% } -%>
                ExitCode::FAILURE
            }
        };
    }
<% } -%>
    match run(&args) {
        Ok(summary) => report(&summary),
        Err(error) => {
<% if (binAnyhow) { -%>
            eprintln!("error: {error:#}");
<% } else { -%>
            eprintln!("error: {}", error_chain(&error));
<% } -%>
            ExitCode::FAILURE
        }
    }
}

<% if (binAnyhow) { -%>
fn run(args: &Args) -> Result<Summary<JobFailure>> {
    let pipeline =
        Pipeline::new(args.threads, args.capacity).context("cannot start the workers")?;
    let cancel = CancelToken::new();
    stop_on_ctrl_c(&cancel).context("cannot install the Ctrl-C handler")?;
<% } else { -%>
fn run(args: &Args) -> Result<Summary<JobFailure>, CliError> {
    let pipeline = Pipeline::new(args.threads, args.capacity).map_err(CliError::Start)?;
    let cancel = CancelToken::new();
    stop_on_ctrl_c(&cancel).map_err(CliError::Signal)?;
<% } -%>
    info!(threads = pipeline.threads(), "starting");

    let mut out = BufWriter::new(io::stdout().lock());
    let format = args.format;
<% if (errorsAnyhow) { -%>
    let sink = |event: Event<'_, TextStats, JobFailure>| match event {
        Event::Item(outcome) => {
            write_outcome(&mut out, format, outcome).context("cannot write a result")
        }
        Event::Progress(progress) => {
            info!("{progress}");
            // Results reach a reader at least as often as progress is shown.
            out.flush().context("cannot write the results")
        }
    };
<% } else { -%>
    let sink = |event: Event<'_, TextStats, JobFailure>| match event {
        Event::Item(outcome) => write_outcome(&mut out, format, outcome),
        Event::Progress(progress) => {
            info!("{progress}");
            // Results reach a reader at least as often as progress is shown.
            out.flush()
        }
    };
<% } -%>
    let summary = if let Some(dir) = &args.dir {
<% if (binAnyhow) { -%>
        let jobs = files_in(dir)?;
<% } else { -%>
        let jobs = files_in(dir).map_err(CliError::Jobs)?;
<% } -%>
        let total = jobs.len() as u64;
        pipeline.run(jobs.into_par_iter(), Some(total), analyze, &cancel, sink)
    } else {
        info!("reading one job per line from stdin");
        let lines = LineJobs::new(BufReader::new(io::stdin()));
        pipeline.run(lines.par_bridge(), None, analyze, &cancel, sink)
    };
<% if (binAnyhow) { -%>
    let summary = summary.context("the batch stopped")?;
    out.flush().context("cannot write the results")?;
<% } else { -%>
    let summary = summary.map_err(CliError::Batch)?;
    out.flush().map_err(CliError::Output)?;
<% } -%>
    Ok(summary)
}

/// First Ctrl-C (or SIGTERM): cancel, so the batch winds down. Second: quit.
fn stop_on_ctrl_c(cancel: &CancelToken) -> Result<(), ctrlc::Error> {
    let cancel = cancel.clone();
    // The handler runs on a thread of its own, not in signal context, so it
    // may log and exit.
    ctrlc::set_handler(move || {
        if cancel.is_cancelled() {
            process::exit(i32::from(EXIT_INTERRUPTED));
        }
        warn!("interrupted: finishing the jobs in flight (Ctrl-C again to quit now)");
        cancel.cancel();
    })
}

/// One JSON line per job.
#[derive(Serialize)]
struct Record<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<&'a TextStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn write_outcome(
    out: &mut impl Write,
    format: Format,
    outcome: &Outcome<TextStats, JobFailure>,
) -> io::Result<()> {
    match (format, &outcome.result) {
        (Format::Text, Ok(stats)) => writeln!(out, "{}\t{stats}", outcome.id),
        // Failures are listed with the summary on stderr.
        (Format::Text, Err(_)) => Ok(()),
        (Format::Json, result) => {
            let record = Record {
                id: &outcome.id,
                stats: result.as_ref().ok(),
<% if (libThiserror) { -%>
                error: result.as_ref().err().map(|e| error_chain(e)),
<% } else { -%>
                error: result.as_ref().err().map(|e| format!("{e:#}")),
<% } -%>
            };
            serde_json::to_writer(&mut *out, &record)?;
            writeln!(out)
        }
    }
}

/// The summary and every failure on stderr, and the exit status they mean.
fn report(summary: &Summary<JobFailure>) -> ExitCode {
    eprintln!("{summary}");
    for failure in &summary.failures {
<% if (libThiserror) { -%>
        eprintln!("  failed: {}: {}", failure.id, error_chain(&failure.error));
<% } else { -%>
        eprintln!("  failed: {}: {:#}", failure.id, failure.error);
<% } -%>
    }
    if summary.cancelled {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if !summary.failures.is_empty() {
        ExitCode::from(EXIT_JOBS_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
<% if (queuePostgres) { -%>

<% if (!binAnyhow) { -%>
/// Everything that stops `consume`.
#[derive(Debug, Error)]
enum ConsumeError {
    #[error("{name} is {value:?}: {problem}")]
    Setting {
        name: &'static str,
        value: String,
        problem: &'static str,
    },
    #[error("DATABASE_URL is not set: the queue's PostgreSQL, e.g. postgres://user@host/db")]
    NoDatabase,
    #[error("cannot start the workers")]
    Start(#[source] WorkerError),
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),
    #[error("cannot connect to the queue's database")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create the jobs table")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("cannot listen for SIGTERM")]
    Signal(#[source] io::Error),
    #[error("the consumer stopped")]
    Consume(#[source] sqlx::Error),
}

<% } -%>
/// A setting from the environment, or `default` when unset.
<% if (binAnyhow) { -%>
fn setting<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T> {
<% } else { -%>
fn setting<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConsumeError> {
<% } -%>
    match std::env::var(name) {
        Err(_) => Ok(default),
<% if (binAnyhow) { -%>
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} is {value:?}: expected a whole number")),
<% } else { -%>
        Ok(value) => value.trim().parse().map_err(|_| ConsumeError::Setting {
            name,
            value,
            problem: "expected a whole number",
        }),
<% } -%>
    }
}

/// `consume`: the settings from the environment, the pool, the runtime, then
/// the claim loop until SIGTERM or Ctrl-C.
<% if (binAnyhow) { -%>
fn consume(threads: usize) -> Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        anyhow::anyhow!("DATABASE_URL is not set: the queue's PostgreSQL, e.g. postgres://user@host/db")
    })?;
    let pool = build_pool(threads).context("cannot start the workers")?;
<% } else { -%>
fn consume(threads: usize) -> Result<(), ConsumeError> {
    let url = std::env::var("DATABASE_URL").map_err(|_| ConsumeError::NoDatabase)?;
    let pool = build_pool(threads).map_err(ConsumeError::Start)?;
<% } -%>
    let config = consumer::Config {
        concurrency: setting("QUEUE_CONCURRENCY", 2 * pool.current_num_threads())?.max(1),
        lease: Duration::from_secs(setting("QUEUE_LEASE_SECS", 30)?.max(1)),
        poll: Duration::from_millis(setting("QUEUE_POLL_MS", 1_000)?.max(10)),
        grace: Duration::from_secs(setting("QUEUE_GRACE_SECS", 10)?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
<% if (binAnyhow) { -%>
        .context("cannot start the async runtime")?;
<% } else { -%>
        .map_err(ConsumeError::Runtime)?;
<% } -%>
    runtime.block_on(async {
<% if (binAnyhow) { -%>
        let db = PgPoolOptions::new()
            .max_connections(u32::try_from(config.concurrency).unwrap_or(u32::MAX).saturating_add(2))
            .connect(&url)
            .await
            .context("cannot connect to the queue's database")?;
        queue::migrate(&db).await.context("cannot create the jobs table")?;
        let (stop, shutdown) = watch::channel(false);
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
<% } else { -%>
        let db = PgPoolOptions::new()
            .max_connections(u32::try_from(config.concurrency).unwrap_or(u32::MAX).saturating_add(2))
            .connect(&url)
            .await
            .map_err(ConsumeError::Connect)?;
        queue::migrate(&db).await.map_err(ConsumeError::Migrate)?;
        let (stop, shutdown) = watch::channel(false);
        let mut terminate = signal(SignalKind::terminate()).map_err(ConsumeError::Signal)?;
<% } -%>
        tokio::spawn(async move {
            tokio::select! {
                _ = terminate.recv() => info!("SIGTERM: stopping"),
                _ = tokio::signal::ctrl_c() => info!("interrupted: stopping"),
            }
            // The consumer may have stopped already; nothing to tell then.
            stop.send(true).ok();
        });
        let handler = Arc::new(StatsHandler::new(Arc::new(pool)));
        let summary = consumer::run(db, handler, config, shutdown)
            .await
<% if (binAnyhow) { -%>
            .context("the consumer stopped")?;
<% } else { -%>
            .map_err(ConsumeError::Consume)?;
<% } -%>
        info!(done = summary.done, released = summary.released, "consumer stopped");
        Ok(())
    })
}
<% } -%>
