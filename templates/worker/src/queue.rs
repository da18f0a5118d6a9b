//! A durable job queue on Postgres: the `jobs` table of
//! `migrations/0001_create_jobs.sql` and the statements that move a job
//! through it.
//!
//! - [`enqueue`] adds a job (with an optional idempotency key) and wakes idle
//!   consumers with `NOTIFY`.
//! - [`claim`] takes due jobs with `FOR UPDATE SKIP LOCKED`, so consumers on
//!   any number of machines never take the same job, and puts each under a
//!   lease: a consumer that dies stops renewing it ([`heartbeat`]), and its
//!   jobs are claimed again once it runs out.
//! - [`complete`], [`fail`] (a retry after an exponential backoff, or
//!   `failed` after the last attempt) and [`release`] (on shutdown) end a
//!   claim; each one applies only while this consumer still holds the lease.
//!
//! Delivery is at least once: a consumer that dies after the work but before
//! [`complete`] leaves a job that runs again, so handlers must be idempotent.

use std::time::Duration;

use serde::Serialize;
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::{PgPool, Row as _, SqlSafeStr as _};

/// The channel [`enqueue`] notifies and consumers listen on.
pub const CHANNEL: &str = "jobs_queued";

/// Attempts of a job unless [`NewJob::max_attempts`] says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

/// The first retry waits this long, each later one twice as long as the one before.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// The longest wait between two attempts.
pub const BACKOFF_MAX: Duration = Duration::from_mins(10);

/// The migrations of the queue. Their versions start at 1 000 001 so that
/// they share sqlx's `_sqlx_migrations` table with an application's own
/// (numbered from 1) in one database; each side ignores the other's.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1_000_001,
    "create jobs",
    include_str!("../migrations/0001_create_jobs.sql"),
)];

/// Creates or updates the `jobs` table: every migration not applied yet, each
/// in a transaction. Migrations applied by others (the application's) are
/// left alone.
///
/// # Errors
///
/// When the database cannot be reached, or a migration that ran before has
/// changed since.
pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    let mut migrator = Migrator::with_migrations(migrations());
    migrator.set_ignore_missing(true);
    migrator.run(pool).await
}

/// [`MIGRATIONS`] as sqlx's migrator takes them: for an application that runs
/// them with its own in one migrator (one `migrate` creates every table).
#[must_use]
pub fn migrations() -> Vec<Migration> {
    MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect()
}

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The text whose statistics the job computes.
    pub text: String,
    /// A key the client chooses: enqueueing the same key again returns the
    /// first job instead of adding one (a retried request).
    pub idempotency_key: Option<String>,
    /// Attempts before the job ends `failed`.
    pub max_attempts: i32,
}

impl NewJob {
    /// A job for `text`, without idempotency key, with [`DEFAULT_MAX_ATTEMPTS`].
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            idempotency_key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// Adds `job` and wakes idle consumers; returns the job's id. With an
/// idempotency key already used, returns that job's id and adds nothing.
///
/// # Errors
///
/// When the database cannot be reached or refuses the job.
pub async fn enqueue(pool: &PgPool, job: &NewJob) -> Result<i64, sqlx::Error> {
    // `DO UPDATE` of nothing, so that the existing row's id is returned
    // (`DO NOTHING` returns no row).
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (text, idempotency_key, max_attempts) VALUES ($1, $2, $3)
         ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
         RETURNING id",
    )
    .bind(&job.text)
    .bind(&job.idempotency_key)
    .bind(job.max_attempts)
    .fetch_one(pool)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(id.to_string())
        .execute(pool)
        .await?;
    Ok(id)
}

/// A job a consumer holds under a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    /// The job's id.
    pub id: i64,
    /// Its text.
    pub text: String,
    /// This attempt's number, from 1.
    pub attempt: i32,
    /// Attempts before it ends `failed`.
    pub max_attempts: i32,
}

/// Claims up to `limit` due jobs for `consumer`, each under a lease of
/// `lease`: queued jobs whose time has come, and running jobs whose lease ran
/// out (their consumer died). Jobs that ran out of their lease on their last
/// attempt end `failed` here.
///
/// # Errors
///
/// When the database cannot be reached.
pub async fn claim(
    pool: &PgPool,
    consumer: &str,
    lease: Duration,
    limit: i64,
) -> Result<Vec<ClaimedJob>, sqlx::Error> {
    sqlx::query(
        "UPDATE jobs SET status = 'failed', locked_by = NULL, locked_until = NULL, updated_at = now(),
             last_error = COALESCE(last_error || '; ', '') || 'the lease ran out on the last attempt'
         WHERE status = 'running' AND locked_until < now() AND attempts >= max_attempts",
    )
    .execute(pool)
    .await?;
    // SKIP LOCKED: rows another consumer is claiming right now are passed
    // over rather than waited for, so consumers never queue behind each other.
    let rows = sqlx::query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
             locked_until = now() + make_interval(secs => $2), updated_at = now()
         WHERE id IN (
             SELECT id FROM jobs
             WHERE (status = 'queued' AND run_at <= now())
                OR (status = 'running' AND locked_until < now() AND attempts < max_attempts)
             ORDER BY run_at, id
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING id, text, attempts, max_attempts",
    )
    .bind(consumer)
    .bind(lease.as_secs_f64())
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ClaimedJob {
                id: row.try_get("id")?,
                text: row.try_get("text")?,
                attempt: row.try_get("attempts")?,
                max_attempts: row.try_get("max_attempts")?,
            })
        })
        .collect()
}

/// Extends the lease of a job `consumer` holds; `false` when it holds it no
/// longer (the lease ran out and another consumer claimed the job).
///
/// # Errors
///
/// When the database cannot be reached.
pub async fn heartbeat(
    pool: &PgPool,
    consumer: &str,
    id: i64,
    lease: Duration,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE jobs SET locked_until = now() + make_interval(secs => $3), updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(consumer)
    .bind(lease.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a job done with its result; `false` when `consumer` no longer held
/// it (the result is then dropped: the job's new holder writes its own).
///
/// # Errors
///
/// When the result cannot be serialized or the database cannot be reached.
pub async fn complete(
    pool: &PgPool,
    consumer: &str,
    id: i64,
    result: &impl Serialize,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_string(result).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', result = $3::jsonb, last_error = NULL,
             locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(consumer)
    .bind(json)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: the job is queued again after
/// [`backoff`]`(attempt)`, or ends `failed` if that was its last attempt.
/// `error` is kept either way. `false` when `consumer` no longer held it.
///
/// # Errors
///
/// When the database cannot be reached.
pub async fn fail(
    pool: &PgPool,
    consumer: &str,
    job: &ClaimedJob,
    error: &str,
) -> Result<bool, sqlx::Error> {
    let delay = backoff(job.attempt);
    let done = sqlx::query(
        "UPDATE jobs SET
             status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
             run_at = now() + make_interval(secs => $3), last_error = $4,
             locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(job.id)
    .bind(consumer)
    .bind(delay.as_secs_f64())
    .bind(error)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a job back unfinished (the consumer is shutting down): queued again
/// at once, and the attempt does not count.
///
/// # Errors
///
/// When the database cannot be reached.
pub async fn release(pool: &PgPool, consumer: &str, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = now(),
             locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(consumer)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The wait before the attempt after `attempt`: [`BACKOFF_BASE`] doubled per
/// attempt made, at most [`BACKOFF_MAX`].
#[must_use]
pub fn backoff(attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
    BACKOFF_BASE.saturating_mul(1 << doublings).min(BACKOFF_MAX)
}

/// A job as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobStatus {
    /// The job's id.
    pub id: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// The result, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// The last attempt's error, if it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The job with id `id`, if there is one.
///
/// # Errors
///
/// When the database cannot be reached or holds a result that is not JSON.
pub async fn status(pool: &PgPool, id: i64) -> Result<Option<JobStatus>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, status, attempts, result::text AS result, last_error FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let result = row
        .try_get::<Option<String>, _>("result")?
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Some(JobStatus {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        result,
        error: row.try_get("last_error")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        assert_eq!(backoff(1), BACKOFF_BASE);
        assert_eq!(backoff(2), BACKOFF_BASE * 2);
        assert_eq!(backoff(4), BACKOFF_BASE * 8);
        assert_eq!(backoff(1_000), BACKOFF_MAX);
        assert_eq!(backoff(0), BACKOFF_BASE);
    }

    #[test]
    fn queue_versions_stay_clear_of_an_application_s() {
        assert!(MIGRATIONS.iter().all(|&(version, _, _)| version > 1_000_000));
    }
}
