//! The async bridge in use: a Tokio program computes word statistics of
//! several files on a Rayon pool while its runtime keeps serving other work
//! (a heartbeat here; requests in a service).
//!
//! ```text
//! cargo run --example async_bridge -- FILE...
//! ```
//!
//! Without arguments it analyses generated sample texts.

use std::path::PathBuf;
<% if (!binAnyhow) { -%>
use std::process::ExitCode;
<% } -%>
use std::sync::Arc;
use std::time::Duration;

<% if (binAnyhow) { -%>
use anyhow::Result;
<% } -%>
use tokio::task::JoinSet;
use tokio::time;

<% if (libThiserror) { -%>
use <%= crate %>::error::error_chain;
<% } -%>
<% if (!binAnyhow) { -%>
use <%= crate %>::{Job, WorkerError, analyze, bridge, build_pool, sample};
<% } else { -%>
use <%= crate %>::{Job, analyze, bridge, build_pool, sample};
<% } -%>

// One runtime thread is enough: it only waits, Rayon does the work.
#[tokio::main(flavor = "current_thread")]
<% if (binAnyhow) { -%>
async fn main() -> Result<()> {
<% } else { -%>
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), WorkerError> {
<% } -%>
    let pool = Arc::new(build_pool(0)?);
    let mut tasks = JoinSet::new();
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    // Each job is built inside the closure, on the pool: reading a file is
    // blocking I/O, and generating sample text is CPU work; neither belongs
    // on the runtime thread.
    if files.is_empty() {
        for seed in 1..=8 {
            let pool = Arc::clone(&pool);
            let label = format!("sample text {seed}");
            tasks.spawn(async move {
                let answer = bridge::spawn_on(&pool, move || {
                    let bytes = sample::text(seed, 100_000).into_bytes();
                    analyze(Job::Line {
                        number: seed,
                        bytes,
                    })
                });
                (label, answer.await)
            });
        }
    }
    for path in files {
        let pool = Arc::clone(&pool);
        let label = path.display().to_string();
        tasks.spawn(async move {
            let answer = bridge::spawn_on(&pool, move || analyze(Job::File(path)));
            (label, answer.await)
        });
    }

    let mut heartbeat = time::interval(Duration::from_millis(5));
    let mut beats = 0u32;
    loop {
        tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(Ok((label, answer))) => match answer?.result {
                    Ok(stats) => println!("{label}: {stats}"),
<% if (libThiserror) { -%>
                    Err(error) => println!("{label}: failed: {}", error_chain(&error)),
<% } else { -%>
                    Err(error) => println!("{label}: failed: {error:#}"),
<% } -%>
                },
                // The bridge turns panics into errors, so only a bug lands here.
                Some(Err(join_error)) => eprintln!("a task failed: {join_error}"),
                None => break,
            },
            _ = heartbeat.tick() => beats += 1,
        }
    }
    println!("the runtime ticked {beats} times while Rayon worked");
    Ok(())
}
