//! The queue against a real Postgres: consumer processes (the built
//! binary) and consumers in this process, each test on a database of its own.
//!
//! The server is `DATABASE_URL`, or `postgres://postgres@127.0.0.1:5432/postgres`;
//! the per-test databases are created and dropped next to its database.
//! Without a server the tests say so and pass, except under `CI=true`, where
//! they fail.

use std::future::Future;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};
use tokio::sync::watch;

use <%= crate %>::consumer::{self, Config, JobHandler};
use <%= crate %>::queue::{self, ClaimedJob, NewJob};
use <%= crate %>::{TextStats, sample};

const BIN: &str = env!("CARGO_BIN_EXE_<%= name %>");

/// Runs `test` on a fresh database, dropped afterwards also when the test
/// panics; without a server, skips (or fails under `CI=true`).
async fn with_database<F, Fut>(test: F)
where
    F: FnOnce(PgPool, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let (base, options) = server.split_at(server.find('?').unwrap_or(server.len()));
    let (host, database) = base.rsplit_once('/').unwrap_or((base, "postgres"));
    let prefix: String = database.chars().take(30).collect();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let url = format!("{host}/{prefix}_queue_{}_{n}{options}", std::process::id());
    if let Err(error) = Postgres::create_database(&url).await {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true needs PostgreSQL at {server}: {error}"
        );
        eprintln!("skipped: no PostgreSQL at {server} ({error}); set DATABASE_URL to run it");
        return;
    }
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect(&url)
        .await
        .expect("cannot connect to the test database");
    queue::migrate(&pool).await.expect("cannot migrate");
    let outcome = tokio::spawn(test(pool.clone(), url.clone())).await;
    pool.close().await;
    Postgres::force_drop_database(&url)
        .await
        .expect("cannot drop the test database");
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// A consumer process with short timings.
fn consumer_process(url: &str, lease_secs: u64, grace_secs: u64) -> Child {
    Command::new(BIN)
        .args(["consume", "--threads", "1"])
        .env("DATABASE_URL", url)
        .env("QUEUE_CONCURRENCY", "2")
        .env("QUEUE_LEASE_SECS", lease_secs.to_string())
        .env("QUEUE_POLL_MS", "100")
        .env("QUEUE_GRACE_SECS", grace_secs.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the consumer starts")
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} failed");
}

/// The child's exit status within `limit`.
fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the consumer can be waited for") {
            return status;
        }
        assert!(started.elapsed() < limit, "the consumer did not exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn count(pool: &PgPool, status: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status = $1")
        .bind(status)
        .fetch_one(pool)
        .await
        .expect("the jobs can be counted")
}

/// Waits until `done` jobs are done, checking every 20 ms.
async fn until_done(pool: &PgPool, done: i64, limit: Duration) {
    let started = Instant::now();
    while count(pool, "done").await < done {
        assert!(
            started.elapsed() < limit,
            "{} of {done} jobs done after {limit:?}",
            count(pool, "done").await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn status_of(pool: &PgPool, id: i64) -> queue::JobStatus {
    queue::status(pool, id)
        .await
        .expect("the status can be read")
        .expect("the job exists")
}

/// Every job done once, with the batch mode's statistics of its text.
async fn assert_all_done_with_stats(pool: &PgPool, jobs: &[(i64, String)]) {
    for (id, text) in jobs {
        let job = status_of(pool, *id).await;
        assert_eq!(job.status, "done", "job {id}: {job:?}");
        let expected = serde_json::to_value(TextStats::of(text)).expect("stats serialize");
        assert_eq!(job.result.as_ref(), Some(&expected), "job {id}");
    }
}

async fn enqueue_texts(pool: &PgPool, n: u64, words: usize) -> Vec<(i64, String)> {
    let mut jobs = Vec::new();
    for seed in 0..n {
        let text = sample::text(seed, words);
        let id = queue::enqueue(pool, &NewJob::new(text.clone()))
            .await
            .expect("enqueue");
        jobs.push((id, text));
    }
    jobs
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_enqueues_once() {
    with_database(|pool, _| async move {
        let job = NewJob {
            idempotency_key: Some("request-1".to_owned()),
            ..NewJob::new("one two")
        };
        let first = queue::enqueue(&pool, &job).await.unwrap();
        let again = queue::enqueue(&pool, &job).await.unwrap();
        assert_eq!(first, again);
        assert_eq!(count(&pool, "queued").await, 1);
        let other = queue::enqueue(&pool, &NewJob::new("one two")).await.unwrap();
        assert_ne!(first, other);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_jobs_through_several_consumers_each_done_once() {
    with_database(|pool, url| async move {
        let jobs = enqueue_texts(&pool, 120, 200).await;
        let mut consumers: Vec<Child> = (0..3).map(|_| consumer_process(&url, 30, 10)).collect();
        until_done(&pool, 120, Duration::from_mins(1)).await;
        for child in &consumers {
            signal(child, "TERM");
        }
        for child in &mut consumers {
            assert!(wait_for(child, Duration::from_secs(15)).success());
        }
        assert_all_done_with_stats(&pool, &jobs).await;
        // No consumer ran a job a second time: one attempt each.
        let retried: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE attempts <> 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(retried, 0);
        let holders: i64 =
            sqlx::query_scalar("SELECT count(DISTINCT locked_by) FROM jobs WHERE locked_by IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(holders, 0, "done jobs keep no lock");
    })
    .await;
}

/// A job long enough to be caught running: ~millions of words.
fn long_text() -> String {
    sample::text(7, 4_000_000)
}

/// Waits until job `id` is running.
async fn until_running(pool: &PgPool, id: i64) {
    let started = Instant::now();
    loop {
        let job = status_of(pool, id).await;
        assert_ne!(job.status, "done", "the job finished before it could be interrupted; make it longer");
        if job.status == "running" {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never claimed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_consumer_s_job_is_claimed_again_after_its_lease() {
    with_database(|pool, url| async move {
        let text = long_text();
        let id = queue::enqueue(&pool, &NewJob::new(text.clone())).await.unwrap();
        let mut first = consumer_process(&url, 2, 10);
        until_running(&pool, id).await;
        signal(&first, "KILL");
        wait_for(&mut first, Duration::from_secs(5));
        assert_eq!(status_of(&pool, id).await.status, "running", "still leased to the dead consumer");
        let mut second = consumer_process(&url, 2, 10);
        until_done(&pool, 1, Duration::from_mins(1)).await;
        signal(&second, "TERM");
        assert!(wait_for(&mut second, Duration::from_secs(15)).success());
        let job = status_of(&pool, id).await;
        assert_eq!(job.attempts, 2, "{job:?}");
        assert_all_done_with_stats(&pool, &[(id, text)]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn consumers_survive_losing_their_connections() {
    with_database(|pool, url| async move {
        let jobs = enqueue_texts(&pool, 60, 20_000).await;
        let mut consumers: Vec<Child> = (0..2).map(|_| consumer_process(&url, 5, 10)).collect();
        let database = url.rsplit('/').next().unwrap_or_default().to_owned();
        // Cut every connection of the consumers a few times while they work,
        // as a server restart would.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(&database)
            .execute(&pool)
            .await
            .unwrap();
        }
        until_done(&pool, 60, Duration::from_secs(90)).await;
        for child in &consumers {
            signal(child, "TERM");
        }
        for child in &mut consumers {
            assert!(wait_for(child, Duration::from_secs(15)).success());
        }
        assert_all_done_with_stats(&pool, &jobs).await;
    })
    .await;
}

/// A handler whose every attempt fails.
struct AlwaysFails;

impl JobHandler for AlwaysFails {
    type Output = ();
    type Error = String;

    async fn handle(&self, job: &ClaimedJob) -> Result<(), String> {
        Err(format!("attempt {} of job {} failed", job.attempt, job.id))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_always_fails_ends_failed_after_its_attempts() {
    with_database(|pool, _| async move {
        let id = queue::enqueue(
            &pool,
            &NewJob {
                max_attempts: 3,
                ..NewJob::new("never")
            },
        )
        .await
        .unwrap();
        let (stop, shutdown) = watch::channel(false);
        let config = Config {
            poll: Duration::from_millis(50),
            ..Config::default()
        };
        let running = tokio::spawn(consumer::run(pool.clone(), Arc::new(AlwaysFails), config, shutdown));
        let started = Instant::now();
        // Backoff 1 s then 2 s: the third attempt comes after about 3 s.
        while status_of(&pool, id).await.status != "failed" {
            assert!(started.elapsed() < Duration::from_secs(20), "{:?}", status_of(&pool, id).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        let summary = running.await.unwrap().unwrap();
        assert_eq!(summary.failed, 3);
        let job = status_of(&pool, id).await;
        assert_eq!(job.attempts, 3);
        assert_eq!(job.error.as_deref(), Some(format!("attempt 3 of job {id} failed").as_str()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_releases_held_jobs_and_exits_0() {
    with_database(|pool, url| async move {
        let id = queue::enqueue(&pool, &NewJob::new(long_text())).await.unwrap();
        // No grace: a running job is released rather than finished.
        let mut child = consumer_process(&url, 30, 0);
        until_running(&pool, id).await;
        signal(&child, "TERM");
        assert!(wait_for(&mut child, Duration::from_secs(10)).success());
        let job = status_of(&pool, id).await;
        assert!(
            job.status == "queued" && job.attempts == 0 || job.status == "done",
            "released or finished: {job:?}"
        );
        assert_eq!(count(&pool, "running").await, 0);
    })
    .await;
}
