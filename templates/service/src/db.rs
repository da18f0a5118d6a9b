<% if (queriesChecked) { -%>
//! The `<%= dbLabel %>` side of the service: the connection pool, the migrations
//! (embedded by `sqlx::migrate!`), the dialect's error codes and the insert.
//! Queries are checked against the schema when they compile (`query!`), here
//! and in [`crate::repository`].
<% } else { -%>
//! The `<%= dbLabel %>` side of the service: the connection pool, the embedded
//! migrations, the SQL dialect and the mapping of rows to [`User`]. Queries are
//! constants here, written for `<%= dbLabel %>` with bound parameters only, so the
//! repository's logic does not depend on the database.
//!
//! sqlx's `macros` feature is left off on purpose: `migrate!` and
//! `#[derive(FromRow)]` would compile sqlx and its driver a second time, for
//! the proc macro, which is most of a cold build. The few lines they save are
//! written out below.
<% } -%>

<% if (dbSqlite) { -%>
use std::io;
use std::path::Path;
<% } -%>
<% if (!dbMysql) { -%>
use std::str::FromStr;
<% } -%>

<% if (!libThiserror) { -%>
use anyhow::Context;
<% } -%>
use sqlx::error::DatabaseError;
<% if (queriesChecked && jobs) { -%>
use sqlx::migrate::{Migrate, Migrator};
<% } else if (queriesChecked) { -%>
use sqlx::migrate::Migrate;
<% } else { -%>
use sqlx::migrate::{Migrate, Migration, MigrationType, Migrator};
<% } -%>
use sqlx::pool::PoolOptions;
<% if (dbMysql) { -%>
use sqlx::mysql::MySqlDatabaseError;
<% } else if (dbPostgres) { -%>
use sqlx::postgres::PgConnectOptions;
<% } -%>
<% if (dbSqlite) { -%>
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
<% } -%>
<% if (queriesChecked && dbMysql) { -%>
use sqlx::AssertSqlSafe;
<% } else if (queriesChecked) { -%>
<% } else if (dbMysql) { -%>
use sqlx::{AssertSqlSafe, FromRow, Row, SqlSafeStr};
<% } else { -%>
use sqlx::{FromRow, Row, SqlSafeStr};
<% } -%>

use crate::config::DatabaseConfig;
<% if (queriesChecked) { -%>
use crate::model::NewUser;
<% } else { -%>
use crate::model::{NewUser, User};
<% } -%>

/// The database driver, named once so the rest of the code stays generic.
pub type Db = sqlx::<%= dbType %>;
/// The connection pool every query goes through.
pub type DbPool = sqlx::Pool<Db>;
<% if (!queriesChecked) { -%>
/// A row as the driver returns it, mapped by hand below.
pub type DbRow = <Db as sqlx::Database>::Row;

/// The files of `migrations/`, compiled into the binary, in order. Add a line
/// for each new file (a test checks that none is missing); never edit a file
/// that ran somewhere, since sqlx refuses a changed checksum.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "create users",
    include_str!("../migrations/0001_create_users.sql"),
)];
<% } -%>

<% if (dbSqlite) { -%>
/// Whether `serve` migrates unless `MIGRATE_ON_START` says otherwise: yes, since
/// an embedded file has one process in front of it and no one else to migrate it.
pub const MIGRATE_ON_START: bool = true;
<% } else { -%>
/// Whether `serve` migrates unless `MIGRATE_ON_START` says otherwise: no. A
/// rolling deploy runs `<service> migrate` once, as a release step with a user
/// that may change the schema, before any new replica starts; replicas that
/// migrate at start would race each other and need DDL rights to serve.
pub const MIGRATE_ON_START: bool = false;
<% } -%>
<% if (dbSqlite) { -%>
/// A file named after the crate, next to where the service starts; created if missing.
pub const DEFAULT_URL: &str = concat!("sqlite://", env!("CARGO_CRATE_NAME"), ".db");
/// The URL error messages suggest.
pub const EXAMPLE_URL: &str = DEFAULT_URL;
/// What a `DATABASE_URL` for this database starts with.
pub const URL_SCHEMES: &[&str] = &["sqlite:"];
<% } else if (dbPostgres) { -%>
/// The URL error messages suggest.
pub const EXAMPLE_URL: &str = concat!(
    "postgres://postgres:postgres@localhost:5432/",
    env!("CARGO_CRATE_NAME")
);
/// What a `DATABASE_URL` for this database starts with.
pub const URL_SCHEMES: &[&str] = &["postgres://", "postgresql://"];
<% } else { -%>
/// The URL error messages suggest.
pub const EXAMPLE_URL: &str = concat!(
    "mysql://root:root@localhost:3306/",
    env!("CARGO_CRATE_NAME")
);
/// What a `DATABASE_URL` for this database starts with.
pub const URL_SCHEMES: &[&str] = &["mysql://", "mariadb://"];
<% } -%>

/// Opens the pool and checks that the database answers.
///
/// # Errors
///
/// When the URL is malformed or the database cannot be reached.
pub async fn connect(config: &DatabaseConfig) -> <%- result('DbPool', 'sqlx::Error') %> {
<% if (dbSqlite) { -%>
    let options = SqliteConnectOptions::from_str(&config.url)<%- context(8, 'DATABASE_URL is not a valid SQLite URL') %>?
        .create_if_missing(true)
        // Readers keep reading while a write is in progress.
        .journal_mode(SqliteJournalMode::Wal)
        // Writers wait for each other instead of failing with "database is
        // locked", but no longer than a request may take (then 503, retryable).
        .busy_timeout(config.statement_timeout);
<% if (libThiserror) { -%>
    create_parent_dir(options.get_filename()).await?;
<% } else { -%>
    create_parent_dir(options.get_filename())
        .await
        .context("cannot create the directory of the database file")?;
<% } -%>
<% } else if (dbPostgres) { -%>
    // The server cancels a statement running longer than a request may take,
    // instead of working on for a client that got its 408 long ago.
    let options = PgConnectOptions::from_str(&config.url)<%- context(8, 'DATABASE_URL is not a valid PostgreSQL URL') %>?
        .options([(
            "statement_timeout",
            format!("{}ms", config.statement_timeout.as_millis()),
        )]);
<% } else { -%>
    // The server stops a statement running longer than a request may take,
    // instead of working on for a client that got its 408 long ago. MySQL
    // names the limit max_execution_time (milliseconds, SELECT only),
    // MariaDB max_statement_time (seconds).
    let millis = config.statement_timeout.as_millis();
    let seconds = config.statement_timeout.as_secs_f64();
<% } -%>
    PoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
<% if (dbMysql) { -%>
        .after_connect(move |connection, _| {
            Box::pin(async move {
                // Numbers formatted from a Duration, nothing from a client.
                let sql = format!("SET SESSION max_execution_time = {millis}");
                let mysql = sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut *connection)
                    .await;
                match mysql {
                    // 1193: unknown system variable, so MariaDB.
                    Err(sqlx::Error::Database(error))
                        if error
                            .try_downcast_ref::<MySqlDatabaseError>()
                            .is_some_and(|error| error.number() == 1193) =>
                    {
                        let sql = format!("SET SESSION max_statement_time = {seconds}");
                        sqlx::query(AssertSqlSafe(sql))
                            .execute(connection)
                            .await
                            .map(drop)
                    }
                    other => other.map(drop),
                }
            })
        })
        .connect(&config.url)
<% } else { -%>
        .connect_with(options)
<% } -%>
        .await<%- context(8, 'cannot connect to the database') %>
}

/// Applies the migrations that have not run yet, each in a transaction<% if (jobs) { %>:
/// the service's and those of `<%= jobs.name %>`'s job queue<% } %>.
///
/// Migrations this build does not know, applied by a newer build, are left
/// alone with a warning: during a rolling deploy, and in every rollback, an
/// older build runs against the newer schema, so migrations must only ever
/// extend it (add tables and nullable columns; drop in a later release). A
/// known migration whose file changed since it ran (another checksum) still
/// fails: that database and this build disagree on what the schema is.
///
/// # Errors
///
/// When the database cannot be reached, a migration fails, or a known
/// migration's checksum changed.
pub async fn migrate(pool: &DbPool) -> <%- result('()', 'sqlx::migrate::MigrateError') %> {
<% if (queriesChecked && jobs) { -%>
    // Every file of `migrations/`, read when this crate compiles (build.rs
    // makes cargo rebuild it when one is added), and the job queue's after
    // them: one migrator knows both, so neither counts as "newer" here.
    let migrations = sqlx::migrate!()
        .iter()
        .cloned()
        .chain(<%= jobs.crate %>::queue::migrations())
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
<% } else if (queriesChecked) { -%>
    // Every file of `migrations/`, read when this crate compiles (build.rs
    // makes cargo rebuild it when one is added).
    let mut migrator = sqlx::migrate!();
<% } else if (jobs) { -%>
    // The job queue's migrations (versions from 1 000 001) after the
    // service's: one migrator knows both, so neither counts as "newer" here.
    let migrations = embedded_migrations()
        .into_iter()
        .chain(<%= jobs.crate %>::queue::migrations())
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
<% } else { -%>
    let mut migrator = Migrator::with_migrations(embedded_migrations());
<% } -%>
    migrator.set_ignore_missing(true);
    migrator.run(pool).await<%- context(8, 'cannot run database migrations') %>?;
    let mut connection = pool.acquire().await?;
    let newer: Vec<i64> = connection
        .list_applied_migrations(&migrator.table_name)
        .await?
        .into_iter()
        .map(|applied| applied.version)
        .filter(|&version| !migrator.version_exists(version))
        .collect();
    if !newer.is_empty() {
        tracing::warn!(
            ?newer,
            "the database has migrations this build does not know (from a newer build); serving anyway"
        );
    }
    Ok(())
}

<% if (!queriesChecked) { -%>
/// [`MIGRATIONS`] as sqlx's migrator takes them.
fn embedded_migrations() -> Vec<Migration> {
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
<% } -%>

/// Columns with a unique constraint, as the database names them in a unique
/// violation: the constraint (`users_email_key` in `PostgreSQL`) or the message
/// (`for key 'users.email'` in `MySQL`, `UNIQUE constraint failed: users.email`
/// in `SQLite`). Add a column here when a migration adds a unique constraint.
const UNIQUE_COLUMNS: &[&str] = &["email"];

/// The column whose unique constraint `error` violated, if it is one.
pub fn unique_violation(error: &dyn DatabaseError) -> Option<&'static str> {
    if !error.is_unique_violation() {
        return None;
    }
    let named = error.constraint().unwrap_or(error.message());
    UNIQUE_COLUMNS
        .iter()
        .copied()
        .find(|column| named.contains(column))
        .or(Some("value"))
}

/// Whether the database gave up for a reason that passes, so the same request
/// may succeed when retried: a conflict with another transaction or a lock
/// wait or statement cut short by a timeout.
pub fn is_retryable(error: &dyn DatabaseError) -> bool {
<% if (dbPostgres) { -%>
    // serialization_failure, deadlock_detected, lock_not_available (lock_timeout)
    // and query_canceled (statement_timeout).
    matches!(
        error.code().as_deref(),
        Some("40001" | "40P01" | "55P03" | "57014")
    )
<% } else if (dbMysql) { -%>
    // Lock wait timeout (1205), deadlock (1213), query interrupted (1317),
    // over max_execution_time (3024, MySQL) or max_statement_time (1969, MariaDB).
    error
        .try_downcast_ref::<MySqlDatabaseError>()
        .is_some_and(|error| matches!(error.number(), 1205 | 1213 | 1317 | 1969 | 3024))
<% } else { -%>
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes, whose
    // low byte is the primary code: another connection holds the lock.
    error
        .code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
<% } -%>
}

<% if (!queriesChecked) { -%>
/// Reads the columns of `SELECT id, name, email, age` by name.
impl<'r> FromRow<'r, DbRow> for User {
    fn from_row(row: &'r DbRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            age: row.try_get("age")?,
        })
    }
}
<% } -%>
<% if (dbSqlite) { -%>

/// `create_if_missing` creates the file but not its directory. `std::fs`
/// blocks, so it runs on Tokio's blocking pool instead of stalling a worker
/// thread that serves requests.
async fn create_parent_dir(file: &Path) -> io::Result<()> {
    let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) else {
        return Ok(());
    };
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::create_dir_all(dir))
        .await
        .map_err(io::Error::other)?
}
<% } -%>

/// Inserts a user and returns its generated id.
pub(crate) async fn insert_user(pool: &DbPool, user: &NewUser) -> <%- result('i64', 'sqlx::Error') %> {
<% if (dbMysql && queriesChecked) { -%>
    // The macros borrow their arguments past the statement: no temporaries.
    let (name, email, age) = (user.name(), user.email(), user.age());
    let result = sqlx::query!(
        "INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
        name,
        email,
        age
    )
    .execute(pool)
    .await<%- context(4, 'cannot insert user') %>?;
<% } else if (dbMysql) { -%>
    let result = sqlx::query("INSERT INTO users (name, email, age) VALUES (?, ?, ?)")
        .bind(user.name())
        .bind(user.email())
        .bind(user.age())
        .execute(pool)
        .await<%- context(8, 'cannot insert user') %>?;
<% } -%>
<% if (dbMysql) { -%>
    // MySQL has no RETURNING: the new id comes back with the result.
<% if (libThiserror) { -%>
    i64::try_from(result.last_insert_id()).map_err(|error| sqlx::Error::Decode(error.into()))
<% } else { -%>
    i64::try_from(result.last_insert_id()).context("the new id does not fit in i64")
<% } -%>
<% } else if (queriesChecked) { -%>
    // The macros borrow their arguments past the statement: no temporaries.
    let (name, email, age) = (user.name(), user.email(), user.age());
    sqlx::query_scalar!(
        "INSERT INTO users (name, email, age) VALUES (<%= p(1) %>, <%= p(2) %>, <%= p(3) %>) RETURNING id<%- dbSqlite ? ' AS \\"id!\\"' : '' %>",
        name,
        email,
        age
    )
    .fetch_one(pool)
    .await<%- context(4, 'cannot insert user') %>
<% } else { -%>
    sqlx::query_scalar("INSERT INTO users (name, email, age) VALUES (<%= p(1) %>, <%= p(2) %>, <%= p(3) %>) RETURNING id")
        .bind(user.name())
        .bind(user.email())
        .bind(user.age())
        .fetch_one(pool)
        .await<%- context(8, 'cannot insert user') %>
<% } -%>
}

<% if (!queriesChecked) { -%>
pub(crate) const SELECT_USER: &str = "SELECT id, name, email, age FROM users WHERE id = <%= p(1) %>";
// Keyset pagination: the primary key's index finds where a page starts.
pub(crate) const LIST_USERS: &str =
    "SELECT id, name, email, age FROM users WHERE id > <%= p(1) %> ORDER BY id LIMIT <%= p(2) %>";
pub(crate) const LIST_USERS_MIN_AGE: &str = "SELECT id, name, email, age FROM users \
    WHERE id > <%= p(1) %> AND age >= <%= p(2) %> ORDER BY id LIMIT <%= p(3) %>";
pub(crate) const UPDATE_USER: &str = "UPDATE users \
    SET name = <%= p(1) %>, email = <%= p(2) %>, age = <%= p(3) %> WHERE id = <%= p(4) %>";
pub(crate) const DELETE_USER: &str = "DELETE FROM users WHERE id = <%= p(1) %>";
<% } -%>

<% if (!queriesChecked) { -%>
#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::MIGRATIONS;

    /// A file in `migrations/` missing from `MIGRATIONS` would never run.
    #[test]
    fn every_migration_file_is_embedded() -> std::io::Result<()> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))? {
            let file = entry?.file_name().to_string_lossy().into_owned();
            if Path::new(&file)
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"))
            {
                files.push(file);
            }
        }
        files.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|&(version, description, _)| {
                format!("{version:04}_{}.sql", description.replace(' ', "_"))
            })
            .collect();
        assert_eq!(files, embedded);
        Ok(())
    }
}
<% } -%>
