//! The pipeline's promises, tested through the public API: parallel results
//! equal sequential ones, failed jobs do not stop the batch, cancellation
//! finishes what is in flight, and a slow sink bounds the work queued ahead.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use rayon::prelude::*;

<% if (libThiserror) { -%>
use <%= crate %>::JobError;
<% } -%>
use <%= crate %>::pipeline::{CancelToken, Event, Outcome, Pipeline, Summary};
use <%= crate %>::{Job, LineJobs, TextStats, analyze, files_in, sample};

fn write_corpus(dir: &Path, files: u64) {
    for seed in 0..files {
        let words = 200 + 37 * usize::try_from(seed).expect("a small seed");
        fs::write(
            dir.join(format!("doc-{seed:03}.txt")),
            sample::text(seed, words),
        )
        .expect("a writable temp dir");
    }
}

/// Runs `jobs` through `pipeline` and returns each job's id with its
/// statistics or its error message, plus the summary.
fn collect<I>(
    pipeline: &Pipeline,
    jobs: I,
    total: Option<u64>,
) -> (
    BTreeMap<String, Result<TextStats, String>>,
<% if (libThiserror) { -%>
    Summary<JobError>,
<% } else { -%>
    Summary<anyhow::Error>,
<% } -%>
)
where
    I: ParallelIterator<Item = Job> + 'static,
{
    let mut results = BTreeMap::new();
    let summary = pipeline
        .run(jobs, total, analyze, &CancelToken::new(), |event| {
            if let Event::Item(outcome) = event {
                let result = match &outcome.result {
                    Ok(stats) => Ok(stats.clone()),
                    Err(error) => Err(error.to_string()),
                };
                results.insert(outcome.id.clone(), result);
            }
            Ok(())
        })
        .expect("a finished batch");
    (results, summary)
}

#[test]
fn parallel_results_equal_sequential_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 40);

    let sequential: BTreeMap<String, Result<TextStats, String>> = files_in(dir.path())
        .unwrap()
        .into_iter()
        .map(analyze)
        .map(|outcome| (outcome.id, outcome.result.map_err(|e| e.to_string())))
        .collect();

    for threads in [1, 2, 4] {
        let pipeline = Pipeline::new(threads, 3).unwrap();
        let jobs = files_in(dir.path()).unwrap();
        let (parallel, summary) = collect(&pipeline, jobs.into_par_iter(), Some(40));
        assert_eq!(parallel, sequential, "with {threads} threads");
        assert_eq!(summary.succeeded, 40);
        assert!(summary.is_success());
    }
}

#[test]
fn failed_jobs_are_reported_and_the_rest_succeed() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 6);
    fs::write(dir.path().join("latin1.txt"), b"caf\xe9 au lait").unwrap();
    let mut jobs = files_in(dir.path()).unwrap();
    let missing = dir.path().join("deleted-meanwhile.txt");
    jobs.push(Job::File(missing.clone()));

    let pipeline = Pipeline::new(2, 2).unwrap();
    let (results, summary) = collect(&pipeline, jobs.into_par_iter(), Some(8));

    assert_eq!(summary.succeeded, 6);
    assert!(!summary.is_success());
    assert_eq!(results.values().filter(|r| r.is_ok()).count(), 6);
    let mut failed: Vec<&str> = summary.failures.iter().map(|f| f.id.as_str()).collect();
    failed.sort_unstable();
    let latin1 = dir.path().join("latin1.txt").display().to_string();
    let missing = missing.display().to_string();
    assert_eq!(failed, [missing.as_str(), latin1.as_str()]);
    for failure in &summary.failures {
<% if (libThiserror) { -%>
        match &failure.error {
            JobError::NotUtf8 { offset } => assert_eq!(*offset, 3),
            JobError::Read { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other @ JobError::Input(_) => panic!("unexpected failure {other:?}"),
        }
<% } else { -%>
        let error = &failure.error;
        let not_utf8 = error.downcast_ref::<std::string::FromUtf8Error>().is_some();
        let not_found = error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        assert!(not_utf8 || not_found, "unexpected failure {error:#}");
<% } -%>
    }
}

/// A job for the generic tests: counts starts and takes a little time.
fn counted_job(
    started: &'static AtomicUsize,
    pause: Duration,
) -> impl Fn(u64) -> Outcome<u64, String> {
    move |n| {
        started.fetch_add(1, Ordering::SeqCst);
        thread::sleep(pause);
        Outcome {
            id: n.to_string(),
            result: Ok(n * n),
        }
    }
}

#[test]
fn cancelling_finishes_the_jobs_in_flight_and_skips_the_rest() {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let pipeline = Pipeline::new(2, 4).unwrap();
    let cancel = CancelToken::new();
    let mut delivered = 0;
    let summary = pipeline
        .run(
            (0..1_000u64).into_par_iter(),
            Some(1_000),
            counted_job(&STARTED, Duration::from_millis(2)),
            &cancel,
            |event| {
                if let Event::Item(_) = event {
                    delivered += 1;
                    if delivered == 10 {
                        cancel.cancel();
                    }
                }
                Ok(())
            },
        )
        .unwrap();

    assert!(summary.cancelled);
    assert!(!summary.is_success());
    let started = STARTED.load(Ordering::SeqCst) as u64;
    assert!(summary.processed() < 1_000, "{summary}");
    // Every job that started was finished and delivered, none was dropped.
    assert_eq!(summary.processed(), started);
    assert_eq!(delivered, started);
}

#[test]
fn a_cancelled_token_runs_nothing() {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let pipeline = Pipeline::new(2, 4).unwrap();
    let cancel = CancelToken::new();
    cancel.cancel();
    let summary = pipeline
        .run(
            (0..100u64).into_par_iter(),
            Some(100),
            counted_job(&STARTED, Duration::ZERO),
            &cancel,
            |_| Ok(()),
        )
        .unwrap();
    assert_eq!(STARTED.load(Ordering::SeqCst), 0);
    assert_eq!(summary.processed(), 0);
    assert!(summary.cancelled);
}

#[test]
fn a_slow_sink_bounds_the_work_done_ahead_of_it() {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    const THREADS: usize = 2;
    const CAPACITY: usize = 4;
    const JOBS: u64 = 200;
    let pipeline = Pipeline::new(THREADS, CAPACITY).unwrap();
    let mut consumed = 0;
    let mut most_ahead = 0;
    let summary = pipeline
        .run(
            (0..JOBS).into_par_iter(),
            Some(JOBS),
            counted_job(&STARTED, Duration::ZERO),
            &CancelToken::new(),
            |event| {
                if let Event::Item(_) = event {
                    consumed += 1;
                    most_ahead = most_ahead.max(STARTED.load(Ordering::SeqCst) - consumed);
                    // A slow writer: the jobs themselves are instant.
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            },
        )
        .unwrap();

    assert_eq!(summary.succeeded, JOBS);
    // Ahead of the sink: a full channel, one job blocked in `send` per
    // worker, and the one the sink has just received.
    assert!(
        most_ahead <= CAPACITY + THREADS + 1,
        "{most_ahead} jobs ran ahead of the sink"
    );
    // Without the bound, instant jobs would all be done before the sink
    // had taken the first few results.
    assert!(
        most_ahead >= CAPACITY,
        "the queue never filled: {most_ahead}"
    );
}

#[test]
fn lines_are_read_lazily_as_workers_become_free() {
    use std::io::{BufRead, BufReader, Cursor, Read};
    use std::sync::Arc;

    /// Counts the lines read so far.
    struct Counting(Arc<AtomicUsize>, BufReader<Cursor<Vec<u8>>>);
    impl Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1.read(buf)
        }
    }
    impl BufRead for Counting {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            self.1.fill_buf()
        }
        fn consume(&mut self, amount: usize) {
            let newlines = self.1.buffer()[..amount].iter().filter(|&&b| b == b'\n');
            self.0.fetch_add(newlines.count(), Ordering::SeqCst);
            self.1.consume(amount);
        }
    }

    let input = "one two three\n".repeat(300).into_bytes();
    let read = Arc::new(AtomicUsize::new(0));
    let lines = LineJobs::new(Counting(
        Arc::clone(&read),
        BufReader::new(Cursor::new(input)),
    ));
    let pipeline = Pipeline::new(2, 2).unwrap();
    let mut consumed = 0;
    let mut most_ahead = 0;
    let summary = pipeline
        .run(
            lines.par_bridge(),
            None,
            analyze,
            &CancelToken::new(),
            |event| {
                if let Event::Item(_) = event {
                    consumed += 1;
                    most_ahead = most_ahead.max(read.load(Ordering::SeqCst) - consumed);
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(summary.succeeded, 300);
    assert!(most_ahead <= 2 + 2 + 1 + 1, "{most_ahead} lines read ahead");
}
