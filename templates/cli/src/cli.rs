//! The command-line interface, declared with clap's derive API.

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use tracing::level_filters::LevelFilter;

/// Counts lines, words, characters and bytes of files or standard input.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// More log output on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count lines, words, characters and bytes of a file, or of stdin.
    Stats {
        /// File to read; `-` or nothing reads standard input.
        file: Option<PathBuf>,

        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print a completion script for a shell to stdout.
    Completions {
        /// Shell to print the script for.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Text,
    /// One JSON object per input, for scripts.
    Json,
}

impl Cli {
    /// Warnings and errors by default; each `-v` shows one level more.
    #[must_use]
    pub fn log_level(&self) -> LevelFilter {
        match self.verbose {
            0 => LevelFilter::WARN,
            1 => LevelFilter::INFO,
            2 => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// The program name, as the shell passes it.
    const BIN: &str = env!("CARGO_PKG_NAME");

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn verbosity_counts_up_to_trace() {
        let level = |args: &[&str]| Cli::parse_from(args).log_level();
        assert_eq!(level(&[BIN, "stats"]), LevelFilter::WARN);
        assert_eq!(level(&[BIN, "-v", "stats"]), LevelFilter::INFO);
        assert_eq!(level(&[BIN, "stats", "-vv"]), LevelFilter::DEBUG);
        assert_eq!(level(&[BIN, "-vvvv", "stats"]), LevelFilter::TRACE);
    }

    #[test]
    fn format_defaults_to_text() {
        let cli = Cli::parse_from([BIN, "stats", "notes.txt"]);
        match cli.command {
            Command::Stats { file, format } => {
                assert_eq!(file, Some(PathBuf::from("notes.txt")));
                assert_eq!(format, Format::Text);
            }
            Command::Completions { .. } => panic!("parsed the wrong subcommand"),
        }
    }

    #[test]
    fn rejects_unknown_format() {
        let result = Cli::try_parse_from([BIN, "stats", "--format", "yaml"]);
        assert!(result.is_err());
    }
}
