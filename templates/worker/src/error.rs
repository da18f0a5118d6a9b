//! Error types, one per failure domain, so callers can match on what went
//! wrong: [`JobError`] fails one job and the batch goes on; [`WorkerError`]
//! stops the batch.

use std::error::Error;
use std::io;
use std::iter;
use std::path::PathBuf;

use thiserror::Error;

/// Why one job failed. The batch goes on; the failure is kept in the summary.
#[derive(Debug, Error)]
pub enum JobError {
    /// The job's file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The input stream broke while the job's line was read.
    #[error("cannot read the input")]
    Input(#[source] io::Error),
    /// The job's text is not UTF-8.
    #[error("not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 {
        /// Bytes before the first invalid one.
        offset: usize,
    },
}

/// Why the batch as a whole could not run or had to stop.
#[derive(Debug, Error)]
pub enum WorkerError {
    /// Rayon could not start the worker threads.
    #[error("cannot start a pool of {threads} worker threads (0 = one per core)")]
    Pool {
        /// The number asked for.
        threads: usize,
        /// Rayon's reason.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    /// The thread that feeds the pool could not be started.
    #[error("cannot start the pipeline thread")]
    Spawn(#[source] io::Error),
    /// The input directory could not be listed.
    #[error("cannot list the files in {}", dir.display())]
    ListDir {
        /// The directory.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The sink failed to write a result; the batch stops.
    #[error("cannot write a result")]
    Sink(#[source] io::Error),
    /// A job awaited through the Tokio bridge panicked.
    #[error("a job panicked: {message}")]
    Panicked {
        /// The panic's message.
        message: String,
    },
}

/// An error and its causes on one line, `outer: inner: root`, the way
/// `anyhow` prints `{:#}`: typed errors keep each layer's message separate,
/// and a report wants all of them.
#[must_use]
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    iter::successors(Some(error), |&e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_lists_every_cause_in_order() {
        let error = JobError::Read {
            path: PathBuf::from("notes.txt"),
            source: io::Error::new(io::ErrorKind::NotFound, "no such file"),
        };
        assert_eq!(error_chain(&error), "cannot read notes.txt: no such file");
    }
}
