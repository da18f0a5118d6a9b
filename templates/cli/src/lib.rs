//! `<%= name %>` counts lines, words, characters and bytes of text, like `wc`.
//!
//! The logic and the command-line definition live in this library so that both
//! are tested without spawning a process; `main.rs` only wires them together.

pub mod cli;
pub mod stats;

<%_ if (libThiserror) { _%>
pub use stats::StatsError;
<%_ } _%>
pub use stats::{Report, Stats};
