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
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the input")]
    Input(#[source] io::Error),
    #[error("not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 { offset: usize },
}

/// Why the batch as a whole could not run or had to stop.
#[derive(Debug, Error)]
pub enum WorkerError {
    #[error("cannot start a pool of {threads} worker threads (0 = one per core)")]
    Pool {
        threads: usize,
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
    #[error("cannot start the pipeline thread")]
    Spawn(#[source] io::Error),
    #[error("cannot list the files in {}", dir.display())]
    ListDir {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write a result")]
    Sink(#[source] io::Error),
    #[error("a job panicked: {message}")]
    Panicked { message: String },
}

/// An error and its causes on one line, `outer: inner: root`, the way
/// `anyhow` prints `{:#}`: typed errors keep each layer's message separate,
/// and a report wants all of them.
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
