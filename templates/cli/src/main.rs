//! Entry point of `<%= name %>`: parses the arguments, sets up logging on
//! stderr, runs the command and turns errors into a message and exit code 1.

use std::io::{self, Write};
<%_ if (!binAnyhow) { _%>
use std::process::ExitCode;
<%_ } _%>

<%_ if (binAnyhow) { _%>
use anyhow::Context;
<%_ } _%>
use clap::{CommandFactory, Parser};

<%_ if (binAnyhow) { _%>
use <%= crate %>::Report;
use <%= crate %>::cli::{Cli, Command, Format};
<%_ } else { _%>
use <%= crate %>::cli::{Cli, Command, Format};
use <%= crate %>::{Report, StatsError};
<%_ } _%>

<%_ if (!binAnyhow) { _%>
/// Everything that can stop the command.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error("cannot encode the report as JSON")]
    Json(#[from] serde_json::Error),
    #[error("cannot write to stdout")]
    Output(#[from] io::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The message, then each underlying cause, on one line.
            eprint!("error: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                eprint!(": {cause}");
                source = cause.source();
            }
            eprintln!();
            ExitCode::FAILURE
        }
    }
}
<%_ } else { _%>
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(&cli);
    run(cli)
}
<%_ } _%>

fn init_tracing(cli: &Cli) {
    tracing_subscriber::fmt()
        .with_max_level(cli.log_level())
        .with_writer(io::stderr)
        .init();
}

fn run(cli: Cli) -> <%- binAnyhow ? 'anyhow::Result<()>' : 'Result<(), CliError>' %> {
    match cli.command {
        Command::Stats { file, format } => {
            let report = Report::from_input(file.as_deref())?;
            tracing::info!(input = %report.input, lines = report.stats.lines, "counted");
            let line = match format {
                Format::Text => report.to_text(),
<%_ if (binAnyhow) { _%>
                Format::Json => {
                    serde_json::to_string(&report).context("cannot encode the report as JSON")?
                }
<%_ } else { _%>
                Format::Json => serde_json::to_string(&report)?,
<%_ } _%>
            };
            // Through a Result, not println!: a closed pipe is an error, not a panic.
            writeln!(io::stdout().lock(), "{line}")<%- binAnyhow ? '.context("cannot write to stdout")' : '' %>?;
        }
        Command::Completions { shell } => {
            let name = env!("CARGO_BIN_NAME");
            clap_complete::generate(shell, &mut Cli::command(), name, &mut io::stdout());
        }
    }
    Ok(())
}
