//! Where jobs come from: the files of a directory, or the lines of a reader
//! such as stdin. Either way a job is small until a worker takes it: a file
//! is read by its worker, and lines are read only when a worker is free.

use std::fmt;
use std::fs;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

<% if (libThiserror) { -%>
use crate::error::WorkerError;
<% } else { -%>
use anyhow::{Context as _, Result};
<% } -%>

/// One unit of work.
#[derive(Debug)]
pub enum Job {
    /// A file, read by the worker that takes the job.
    File(PathBuf),
    /// One line of input (numbered from 1), without its line ending.
    Line {
        /// Line number, from 1.
        number: u64,
        /// The line's bytes, not yet checked to be UTF-8.
        bytes: Vec<u8>,
    },
    /// The input broke while this line was read. It is a job of its own so
    /// the failure shows up in the results like any other.
    Unreadable {
        /// Number of the line that could not be read.
        number: u64,
        /// Why it could not.
        error: io::Error,
    },
}

impl Job {
    /// The id results and failures are reported under.
    #[must_use]
    pub fn id(&self) -> String {
        match self {
            Job::File(path) => path.display().to_string(),
            Job::Line { number, .. } | Job::Unreadable { number, .. } => format!("line {number}"),
        }
    }
}

/// The regular files directly inside `dir` (symlinks followed, directories
/// skipped), sorted so that runs are reproducible.
///
/// # Errors
///
/// When `dir` or one of its entries cannot be read.
<% if (libThiserror) { -%>
pub fn files_in(dir: &Path) -> Result<Vec<Job>, WorkerError> {
    let listing_failed = |source| WorkerError::ListDir {
        dir: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(listing_failed)? {
        let path = entry.map_err(listing_failed)?.path();
        if path.is_file() {
            files.push(path);
        }
    }
<% } else { -%>
pub fn files_in(dir: &Path) -> Result<Vec<Job>> {
    let listing_failed = || format!("cannot list the files in {}", dir.display());
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(listing_failed)? {
        let path = entry.with_context(listing_failed)?.path();
        if path.is_file() {
            files.push(path);
        }
    }
<% } -%>
    files.sort();
    Ok(files.into_iter().map(Job::File).collect())
}

/// The lines of a reader as jobs, read lazily. Rayon's `par_bridge()` pulls
/// the next line only when a worker is free, so a huge stdin is never held
/// in memory.
pub struct LineJobs<R> {
    reader: R,
    number: u64,
    finished: bool,
}

impl<R: BufRead> LineJobs<R> {
    /// Jobs for the lines of `reader`, numbered from 1.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            number: 0,
            finished: false,
        }
    }
}

impl<R: BufRead> Iterator for LineJobs<R> {
    type Item = Job;

    fn next(&mut self) -> Option<Job> {
        if self.finished {
            return None;
        }
        self.number += 1;
        let number = self.number;
        // Bytes, not `String`: a line that is not UTF-8 fails its own job
        // instead of ending the input.
        let mut bytes = Vec::new();
        match self.reader.read_until(b'\n', &mut bytes) {
            Ok(0) => {
                self.finished = true;
                None
            }
            Ok(_) => {
                if bytes.ends_with(b"\n") {
                    bytes.pop();
                    if bytes.ends_with(b"\r") {
                        bytes.pop();
                    }
                }
                Some(Job::Line { number, bytes })
            }
            // A broken input does not heal: report it once and stop reading.
            Err(error) => {
                self.finished = true;
                Some(Job::Unreadable { number, error })
            }
        }
    }
}

// Written by hand: the reader (stdin, a socket) has no useful `Debug`.
impl<R> fmt::Debug for LineJobs<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineJobs")
            .field("number", &self.number)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Read};

    #[test]
    fn lines_are_numbered_and_lose_their_endings() {
        let jobs: Vec<Job> = LineJobs::new(Cursor::new("one\r\ntwo\n\nlast")).collect();
        let lines: Vec<(u64, &[u8])> = jobs
            .iter()
            .map(|job| match job {
                Job::Line { number, bytes } => (*number, bytes.as_slice()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            lines,
            [(1, &b"one"[..]), (2, b"two"), (3, b""), (4, b"last")]
        );
    }

    #[test]
    fn a_read_error_becomes_one_failed_job_and_ends_the_input() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("device gone"))
            }
        }
        let jobs: Vec<Job> = LineJobs::new(BufReader::new(Broken)).collect();
        assert_eq!(jobs.len(), 1);
        assert!(matches!(&jobs[0], Job::Unreadable { number: 1, .. }));
        assert_eq!(jobs[0].id(), "line 1");
    }

    #[test]
    fn files_are_sorted_and_directories_skipped() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("b.txt"), "b").unwrap();
        fs::write(dir.path().join("a.txt"), "a").unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let names: Vec<String> = files_in(dir.path())
            .unwrap()
            .iter()
            .map(|job| match job {
                Job::File(path) => path.file_name().unwrap().to_string_lossy().into_owned(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(names, ["a.txt", "b.txt"]);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let error = files_in(Path::new("/no/such/dir")).unwrap_err();
        assert!(error.to_string().contains("/no/such/dir"), "{error}");
    }
}
