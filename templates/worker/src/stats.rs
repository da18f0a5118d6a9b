//! The sample job: word statistics of a text. It is CPU-bound (Unicode
//! segmentation, lowercasing, hashing), so it scales with the cores, and
//! each job is independent, so the results do not depend on the order.

use std::collections::<%= mapType %>;
use std::fmt;
use std::fs;

<% if (libThiserror) { -%>
use serde::Serialize;

use crate::error::JobError;
<% } else { -%>
use anyhow::{Context as _, Result};
use serde::Serialize;

<% } -%>
use crate::jobs::Job;
use crate::pipeline::Outcome;

/// How many of the most frequent words a [`TextStats`] keeps.
pub const TOP_WORDS: usize = 5;

/// Counts of one text. Words are runs of alphanumeric characters, compared
/// lowercased; `don't` is two words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextStats {
    /// Length in bytes of the UTF-8 text.
    pub bytes: u64,
    /// Unicode scalar values.
    pub chars: u64,
    /// Lines, a last line without a newline included.
    pub lines: u64,
    /// Words, repeats included.
    pub words: u64,
    /// Distinct words, compared lowercased.
    pub unique_words: u64,
    /// The most frequent words, most frequent first, ties alphabetical.
    pub top_words: Vec<WordCount>,
}

/// A word and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// The word, lowercased.
    pub word: String,
    /// Its occurrences.
    pub count: u64,
}

impl TextStats {
    /// The statistics of `text`.
    #[must_use]
    pub fn of(text: &str) -> Self {
        let mut counts: <%= mapType %><String, u64> = <%= mapType %>::new();
        let mut words = 0;
        // One buffer for the lowercased word: a `String` is allocated only
        // for a word seen for the first time.
        let mut key = String::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            words += 1;
            key.clear();
            key.extend(word.chars().flat_map(char::to_lowercase));
            match counts.get_mut(key.as_str()) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(key.clone(), 1);
                }
            }
        }
        let unique_words = counts.len() as u64;
        let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
        ranked.sort_unstable_by(|(a, m), (b, n)| n.cmp(m).then_with(|| a.cmp(b)));
        ranked.truncate(TOP_WORDS);
        Self {
            bytes: text.len() as u64,
            chars: text.chars().count() as u64,
            lines: text.lines().count() as u64,
            words,
            unique_words,
            top_words: ranked
                .into_iter()
                .map(|(word, count)| WordCount { word, count })
                .collect(),
        }
    }
}

impl fmt::Display for TextStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines, {} words ({} unique), {} bytes",
            self.lines, self.words, self.unique_words, self.bytes
        )?;
        for (i, top) in self.top_words.iter().enumerate() {
            let lead = if i == 0 { "; top: " } else { ", " };
            write!(f, "{lead}{} x{}", top.word, top.count)?;
        }
        Ok(())
    }
}

/// The job function the pipeline runs on each worker: reads the job's text
/// and computes its statistics.
<% if (libThiserror) { -%>
#[must_use]
pub fn analyze(job: Job) -> Outcome<TextStats, JobError> {
    let id = job.id();
    let result = text_of(job).map(|text| TextStats::of(&text));
    Outcome { id, result }
}

fn text_of(job: Job) -> Result<String, JobError> {
    let bytes = match job {
        Job::File(path) => fs::read(&path).map_err(|source| JobError::Read { path, source })?,
        Job::Line { bytes, .. } => bytes,
        Job::Unreadable { error, .. } => return Err(JobError::Input(error)),
    };
    String::from_utf8(bytes).map_err(|e| JobError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}
<% } else { -%>
#[must_use]
pub fn analyze(job: Job) -> Outcome<TextStats, anyhow::Error> {
    let id = job.id();
    let result = text_of(job).map(|text| TextStats::of(&text));
    Outcome { id, result }
}

fn text_of(job: Job) -> Result<String> {
    let bytes = match job {
        Job::File(path) => {
            fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?
        }
        Job::Line { bytes, .. } => bytes,
        Job::Unreadable { error, .. } => {
            return Err(anyhow::Error::new(error).context("cannot read the input"));
        }
    };
    String::from_utf8(bytes).context("not valid UTF-8")
}
<% } -%>

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_case_insensitively() {
        let stats = TextStats::of("The cat and the hat.\nThe END, café Café\n");
        assert_eq!(stats.lines, 2);
        assert_eq!(stats.words, 9);
        assert_eq!(stats.unique_words, 6);
        assert_eq!(stats.chars, stats.bytes - 2, "é is two bytes, one char");
        let top: Vec<(&str, u64)> = stats
            .top_words
            .iter()
            .map(|w| (w.word.as_str(), w.count))
            .collect();
        assert_eq!(
            top,
            [("the", 3), ("café", 2), ("and", 1), ("cat", 1), ("end", 1)]
        );
    }

    #[test]
    fn empty_text_has_no_words() {
        let stats = TextStats::of("");
        assert_eq!((stats.words, stats.unique_words, stats.lines), (0, 0, 0));
        assert!(stats.top_words.is_empty());
    }

    #[test]
    fn a_line_that_is_not_utf8_fails_its_job() {
        let outcome = analyze(Job::Line {
            number: 3,
            bytes: vec![b'o', b'k', 0xff],
        });
        assert_eq!(outcome.id, "line 3");
<% if (libThiserror) { -%>
        assert!(matches!(
            outcome.result,
            Err(JobError::NotUtf8 { offset: 2 })
        ));
<% } else { -%>
        let error = outcome.result.unwrap_err();
        assert!(error.downcast_ref::<std::string::FromUtf8Error>().is_some());
<% } -%>
    }
}
