//! The <%= dbLabel %> side of the service: the connection pool, the embedded
//! migrations, the SQL dialect and the mapping of rows to [`User`]. Queries are
//! constants here, written for <%= dbLabel %> with bound parameters only, so the
//! repository's logic does not depend on the database.
//!
//! sqlx's `macros` feature is left off on purpose: `migrate!` and
//! `#[derive(FromRow)]` would compile sqlx and its driver a second time, for
//! the proc macro, which is most of a cold build. The few lines they save are
//! written out below.

use std::future::{self, Future};
<% if (dbSqlite) { -%>
use std::io;
use std::path::Path;
<% } -%>
use std::pin::Pin;
<% if (dbSqlite) { -%>
use std::str::FromStr;
<% } -%>

<% if (!libThiserror) { -%>
use anyhow::Context;
<% } -%>
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migrate, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::pool::PoolOptions;
<% if (dbSqlite) { -%>
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
<% } -%>
use sqlx::{FromRow, Row};

use crate::config::DatabaseConfig;
use crate::model::{NewUser, User};

/// The database driver, named once so the rest of the code stays generic.
pub type Db = sqlx::<%= dbType %>;
pub type DbPool = sqlx::Pool<Db>;
pub type DbRow = <Db as sqlx::Database>::Row;

/// The files of `migrations/`, compiled into the binary, in order. Add a line
/// for each new file (a test checks that none is missing); never edit a file
/// that ran somewhere, since sqlx refuses a changed checksum.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "create users",
    include_str!("../migrations/0001_create_users.sql"),
)];

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
pub const EXAMPLE_URL: &str = DEFAULT_URL;
pub const URL_SCHEMES: &[&str] = &["sqlite:"];
<% } else if (dbPostgres) { -%>
pub const EXAMPLE_URL: &str = concat!(
    "postgres://postgres:postgres@localhost:5432/",
    env!("CARGO_CRATE_NAME")
);
pub const URL_SCHEMES: &[&str] = &["postgres://", "postgresql://"];
<% } else { -%>
pub const EXAMPLE_URL: &str = concat!(
    "mysql://root:root@localhost:3306/",
    env!("CARGO_CRATE_NAME")
);
pub const URL_SCHEMES: &[&str] = &["mysql://", "mariadb://"];
<% } -%>

/// Opens the pool and checks that the database answers.
pub async fn connect(config: &DatabaseConfig) -> <%- result('DbPool', 'sqlx::Error') %> {
<% if (dbSqlite) { -%>
    let options = SqliteConnectOptions::from_str(&config.url)<%- context(8, 'DATABASE_URL is not a valid SQLite URL') %>?
        .create_if_missing(true)
        // Readers keep reading while a write is in progress.
        .journal_mode(SqliteJournalMode::Wal)
        // Writers wait for each other instead of failing with "database is locked".
        .busy_timeout(config.acquire_timeout);
<% if (libThiserror) { -%>
    create_parent_dir(options.get_filename()).await?;
<% } else { -%>
    create_parent_dir(options.get_filename())
        .await
        .context("cannot create the directory of the database file")?;
<% } -%>
<% } -%>
    PoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
<% if (dbSqlite) { -%>
        .connect_with(options)
<% } else { -%>
        .connect(&config.url)
<% } -%>
        .await<%- context(8, 'cannot connect to the database') %>
}

/// Applies the migrations that have not run yet, each in a transaction.
///
/// Migrations this build does not know, applied by a newer build, are left
/// alone with a warning: during a rolling deploy, and in every rollback, an
/// older build runs against the newer schema, so migrations must only ever
/// extend it (add tables and nullable columns; drop in a later release). A
/// known migration whose file changed since it ran (another checksum) still
/// fails: that database and this build disagree on what the schema is.
pub async fn migrate(pool: &DbPool) -> <%- result('()', 'sqlx::migrate::MigrateError') %> {
    let mut migrator = Migrator::new(EmbeddedMigrations).await?;
    migrator.set_ignore_missing(true);
    migrator.run(pool).await<%- context(8, 'cannot run database migrations') %>?;
    let mut connection = pool.acquire().await?;
    let newer: Vec<i64> = connection
        .list_applied_migrations()
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

/// [`MIGRATIONS`] as sqlx's migrator takes them.
#[derive(Debug)]
struct EmbeddedMigrations;

impl MigrationSource<'static> for EmbeddedMigrations {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into(),
                    false,
                )
            })
            .collect();
        Box::pin(future::ready(Ok(migrations)))
    }
}

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
<% if (dbMysql) { -%>
    let result = sqlx::query("INSERT INTO users (name, email, age) VALUES (?, ?, ?)")
        .bind(user.name())
        .bind(user.email())
        .bind(user.age())
        .execute(pool)
        .await<%- context(8, 'cannot insert user') %>?;
    // MySQL has no RETURNING: the new id comes back with the result.
<% if (libThiserror) { -%>
    i64::try_from(result.last_insert_id()).map_err(|error| sqlx::Error::Decode(error.into()))
<% } else { -%>
    i64::try_from(result.last_insert_id()).context("the new id does not fit in i64")
<% } -%>
<% } else { -%>
    sqlx::query_scalar("INSERT INTO users (name, email, age) VALUES (<%= p(1) %>, <%= p(2) %>, <%= p(3) %>) RETURNING id")
        .bind(user.name())
        .bind(user.email())
        .bind(user.age())
        .fetch_one(pool)
        .await<%- context(8, 'cannot insert user') %>
<% } -%>
}

pub(crate) const SELECT_USER: &str = "SELECT id, name, email, age FROM users WHERE id = <%= p(1) %>";
pub(crate) const LIST_USERS: &str =
    "SELECT id, name, email, age FROM users ORDER BY id LIMIT <%= p(1) %> OFFSET <%= p(2) %>";
pub(crate) const LIST_USERS_MIN_AGE: &str = "SELECT id, name, email, age FROM users \
    WHERE age >= <%= p(1) %> ORDER BY id LIMIT <%= p(2) %> OFFSET <%= p(3) %>";
pub(crate) const UPDATE_USER: &str = "UPDATE users \
    SET name = <%= p(1) %>, email = <%= p(2) %>, age = <%= p(3) %> WHERE id = <%= p(4) %>";
pub(crate) const DELETE_USER: &str = "DELETE FROM users WHERE id = <%= p(1) %>";

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// A file in `migrations/` missing from `MIGRATIONS` would never run.
    #[test]
    fn every_migration_file_is_embedded() -> std::io::Result<()> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))? {
            let file = entry?.file_name().to_string_lossy().into_owned();
            if file.ends_with(".sql") {
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
