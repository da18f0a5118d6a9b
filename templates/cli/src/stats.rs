//! Counting lines, words, characters and bytes. Input is streamed line by
//! line, so memory stays bounded whatever its size.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::<% if (libThiserror) { %>{Path, PathBuf}<% } else { %>Path<% } %>;

<%_ if (libThiserror) { _%>
use serde::Serialize;

/// Why an input could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The file could not be opened.
    #[error("cannot open {}", path.display())]
    Open {
        /// The file, as given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Reading failed part-way.
    #[error("cannot read {input}")]
    Read {
        /// The file name, or `-` for standard input.
        input: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The input is not text.
    #[error("{input} is not valid UTF-8 (line {line})")]
    InvalidUtf8 {
        /// The file name, or `-` for standard input.
        input: String,
        /// The first line that is not UTF-8, counting from 1.
        line: u64,
    },
}

type Result<T, E = StatsError> = std::result::Result<T, E>;
<%_ } else { _%>
use anyhow::{Context, Result};
use serde::Serialize;
<%_ } _%>

/// Counts of one input. A last line without a newline still counts as a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Newline-terminated lines, plus a last line without one.
    pub lines: u64,
    /// Runs of non-whitespace characters.
    pub words: u64,
    /// Unicode scalar values.
    pub chars: u64,
    /// Bytes, newlines included.
    pub bytes: u64,
}

impl Stats {
    /// Counts `reader` to its end; `input` names it in errors.
    ///
    /// # Errors
    ///
    /// When reading fails or a line is not valid UTF-8.
    pub fn from_reader(mut reader: impl BufRead, input: &str) -> Result<Self> {
        let mut stats = Self::default();
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
<%_ if (libThiserror) { _%>
                .map_err(|source| StatsError::Read {
                    input: input.to_owned(),
                    source,
                })?;
<%_ } else { _%>
                .with_context(|| format!("cannot read {input}"))?;
<%_ } _%>
            if read == 0 {
                return Ok(stats);
            }
            stats.lines += 1;
<%_ if (libThiserror) { _%>
            let text = std::str::from_utf8(&line).map_err(|_| StatsError::InvalidUtf8 {
                input: input.to_owned(),
                line: stats.lines,
            })?;
<%_ } else { _%>
            let text = std::str::from_utf8(&line)
                .with_context(|| format!("{input} is not valid UTF-8 (line {})", stats.lines))?;
<%_ } _%>
            stats.words += text.split_whitespace().count() as u64;
            stats.chars += text.chars().count() as u64;
            stats.bytes += read as u64;
        }
    }
}

/// The counts of one named input, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The file name, or `-` for standard input.
    pub input: String,
    /// What was counted.
    #[serde(flatten)]
    pub stats: Stats,
}

impl Report {
    /// Counts a file, or standard input when `path` is `None` or `-`.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or read, or is not valid UTF-8.
    pub fn from_input(path: Option<&Path>) -> Result<Self> {
        let stats = match path {
            None => Stats::from_reader(io::stdin().lock(), "-")?,
            Some(path) if path == Path::new("-") => Stats::from_reader(io::stdin().lock(), "-")?,
            Some(path) => {
<%_ if (libThiserror) { _%>
                let file = File::open(path).map_err(|source| StatsError::Open {
                    path: path.to_owned(),
                    source,
                })?;
<%_ } else { _%>
                let file =
                    File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
<%_ } _%>
                Stats::from_reader(BufReader::new(file), &path.display().to_string())?
            }
        };
        let input = path.map_or_else(|| "-".to_owned(), |p| p.display().to_string());
        Ok(Self { input, stats })
    }

    /// Right-aligned columns like `wc`: lines, words, characters, bytes, input.
    #[must_use]
    pub fn to_text(&self) -> String {
        let Stats {
            lines,
            words,
            chars,
            bytes,
        } = self.stats;
        format!("{lines:>8} {words:>8} {chars:>8} {bytes:>8} {}", self.input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &[u8]) -> Result<Stats> {
        Stats::from_reader(text, "test")
    }

    #[test]
    fn counts_lines_words_chars_and_bytes() {
        let stats = count("one two\nthree\n".as_bytes()).unwrap();
        let expected = Stats {
            lines: 2,
            words: 3,
            chars: 14,
            bytes: 14,
        };
        assert_eq!(stats, expected);
    }

    #[test]
    fn counts_a_last_line_without_newline() {
        assert_eq!(count(b"a\nb").unwrap().lines, 2);
    }

    #[test]
    fn empty_input_counts_zero() {
        assert_eq!(count(b"").unwrap(), Stats::default());
    }

    #[test]
    fn characters_and_bytes_differ_for_multibyte_text() {
        let stats = count("héllo wörld\n".as_bytes()).unwrap();
        assert_eq!((stats.words, stats.chars, stats.bytes), (2, 12, 14));
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let error = count(b"fine\n\xff\n").unwrap_err();
<%_ if (libThiserror) { _%>
        assert!(matches!(error, StatsError::InvalidUtf8 { line: 2, .. }));
<%_ } _%>
        assert_eq!(error.to_string(), "test is not valid UTF-8 (line 2)");
    }

    #[test]
    fn missing_file_is_an_open_error() {
        let error = Report::from_input(Some(Path::new("does/not/exist.txt"))).unwrap_err();
        assert_eq!(error.to_string(), "cannot open does/not/exist.txt");
    }

    #[test]
    fn text_output_aligns_columns() {
        let report = Report {
            input: "notes.txt".to_owned(),
            stats: Stats {
                lines: 1,
                words: 22,
                chars: 333,
                bytes: 4444,
            },
        };
        assert_eq!(
            report.to_text(),
            "       1       22      333     4444 notes.txt"
        );
    }
}
