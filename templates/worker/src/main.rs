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

use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::{self, ExitCode};

<% if (binAnyhow) { -%>
use anyhow::{Context as _, Result};
<% } -%>
use clap::{Parser, ValueEnum};
use rayon::iter::{IntoParallelIterator, ParallelBridge};
use serde::Serialize;
<% if (!binAnyhow) { -%>
use thiserror::Error;
<% } -%>
use tracing::level_filters::LevelFilter;
use tracing::{info, warn};

<% if (errorsSplit) { -%>
use <%= crate %>::error::{JobError, error_chain};
<% } else if (errorsThiserror) { -%>
use <%= crate %>::error::{JobError, WorkerError, error_chain};
<% } -%>
use <%= crate %>::pipeline::{CancelToken, Event, Outcome, Pipeline, Summary};
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
#[command(version, about)]
struct Args {
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
