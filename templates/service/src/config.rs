//! Configuration from environment variables, parsed once at startup.
//!
//! Every value has a default except where none is safe<% if (!dbSqlite) { %> (`DATABASE_URL`)<% } %>, and a
//! bad value stops the service with an error naming the variable, instead of
//! a panic or a silent fallback. Parsing goes through a lookup function so
//! tests need not touch the process environment. `DATABASE_URL_FILE` names a
//! file holding the URL instead (a container secret), read with `tokio::fs`.

use std::env::VarError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
<% if (libThiserror) { -%>
use std::path::PathBuf;
<% } -%>
use std::str::FromStr;
use std::time::Duration;

<% if (!libThiserror) { -%>
use anyhow::{Context, bail};
<% } -%>
use axum::http::HeaderValue;

use crate::db;

/// The port used when `PORT` is not set.
pub const DEFAULT_PORT: u16 = <%= port %>;

/// Everything the service reads from its environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on (`HOST`, default `127.0.0.1`).
    pub host: IpAddr,
    /// The port to listen on (`PORT`, default [`DEFAULT_PORT`]).
    pub port: u16,
    /// The database and its pool.
    pub database: DatabaseConfig,
    /// Run pending migrations before serving (`MIGRATE_ON_START`, default
    /// [`db::MIGRATE_ON_START`]); otherwise `<service> migrate` does.
    pub migrate_on_start: bool,
    /// Limits and timeouts of the HTTP server.
    pub http: HttpConfig,
    /// Origins allowed to call the API from a browser (`CORS_ALLOWED_ORIGINS`,
    /// comma-separated); none by default, so no CORS headers at all.
    pub cors_allowed_origins: Vec<HeaderValue>,
}

/// The database URL and the pool's limits.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// May contain a password: never logged as is (see [`redact_url`]).
    pub url: String,
    /// Upper bound of open connections, so a burst of requests queues in the
    /// pool instead of overloading the database.
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing with 503.
    pub acquire_timeout: Duration,
    /// How long one statement may run on the server<% if (dbSqlite) { %> (for `SQLite`, how
    /// long a writer waits for the lock)<% } %>: the request timeout, since the
    /// client has had its 408 by then.
    pub statement_timeout: Duration,
}

/// Limits and timeouts of the HTTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpConfig {
    /// Requests running longer are answered with 408.
    pub request_timeout: Duration,
    /// Larger request bodies are answered with 413.
    pub body_limit: usize,
    /// A client that has not sent a whole request head by then, or has sent
    /// nothing on a kept-alive connection for that long, is disconnected.
    pub header_read_timeout: Duration,
    /// After SIGTERM, how long the listener still accepts while `/ready`
    /// already answers 503: the time a load balancer takes to notice.
    pub shutdown_delay: Duration,
    /// After the listener closes, how long requests in flight may take to
    /// finish; connections still open then are dropped.
    pub drain_timeout: Duration,
}

/// The shutdown delay and the drain add up to 19 s, and closing the pool takes
/// at most one more: within the 20 s this service promises, below the 30 s
/// Kubernetes waits after SIGTERM before it kills the process.
impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            body_limit: 64 * 1024,
            header_read_timeout: Duration::from_secs(10),
            shutdown_delay: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(14),
        }
    }
}
<% if (libThiserror) { -%>

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable without a safe default is not set.
    #[error("{key} is not set; set it to a URL such as {example}")]
    Missing {
        /// The variable.
        key: &'static str,
        /// A value that would do.
        example: &'static str,
    },
    /// A variable holds bytes that are not UTF-8.
    #[error("{key} is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        key: &'static str,
    },
    /// A variable's value does not parse.
    #[error("{key}={value:?} is invalid: {reason}")]
    Invalid {
        /// The variable.
        key: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file a `*_FILE` variable names cannot be read.
    #[error("{key}={path:?} cannot be read")]
    Unreadable {
        /// The variable.
        key: &'static str,
        /// The file it names.
        path: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: std::io::Error,
    },
    /// Two variables that exclude each other are both set.
    #[error("{key} and {other} are both set; set one of them")]
    Conflict {
        /// The variable.
        key: &'static str,
        /// The one it excludes.
        other: &'static str,
    },
}
<% } -%>

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// # Errors
    ///
    /// When a variable is missing, not UTF-8 or invalid, or a file it names
    /// cannot be read: the error names the variable.
    pub async fn from_env() -> <%- result('Self', 'ConfigError') %> {
        Self::from_lookup(|key| std::env::var(key)).await
    }

    /// Reads the configuration through `lookup`, which behaves like [`std::env::var`].
    ///
    /// # Errors
    ///
    /// As [`Config::from_env`].
    pub async fn from_lookup<F>(lookup: F) -> <%- result('Self', 'ConfigError') %>
    where
        F: Fn(&str) -> Result<String, VarError>,
    {
        let vars = Vars(&lookup);
<% if (dbSqlite) { -%>
        let url = database_url(&vars)
            .await?
            .unwrap_or_else(|| db::DEFAULT_URL.to_owned());
<% } else { -%>
        let Some(url) = database_url(&vars).await? else {
<% if (libThiserror) { -%>
            return Err(ConfigError::Missing {
                key: "DATABASE_URL",
                example: db::EXAMPLE_URL,
            });
<% } else { -%>
            bail!(
                "DATABASE_URL is not set; set it to a URL such as {}",
                db::EXAMPLE_URL
            );
<% } -%>
        };
<% } -%>
        if !db::URL_SCHEMES.iter().any(|scheme| url.starts_with(scheme)) {
<% if (libThiserror) { -%>
            return Err(ConfigError::Invalid {
                key: "DATABASE_URL",
                value: redact_url(&url),
                reason: format!(
                    "expected a URL starting with {}",
                    db::URL_SCHEMES.join(" or ")
                ),
            });
<% } else { -%>
            bail!(
                "DATABASE_URL={:?} is invalid: expected a URL starting with {}",
                redact_url(&url),
                db::URL_SCHEMES.join(" or ")
            );
<% } -%>
        }
        let defaults = HttpConfig::default();
        let request_timeout = Duration::from_secs(
            vars.positive("REQUEST_TIMEOUT_SECS", defaults.request_timeout.as_secs())?,
        );
        Ok(Self {
            host: vars.parse("HOST", IpAddr::V4(Ipv4Addr::LOCALHOST))?,
            port: vars.parse("PORT", DEFAULT_PORT)?,
            database: DatabaseConfig {
                url,
                max_connections: vars.positive("DATABASE_MAX_CONNECTIONS", 10)?,
                acquire_timeout: Duration::from_secs(
                    vars.positive("DATABASE_ACQUIRE_TIMEOUT_SECS", 5)?,
                ),
                statement_timeout: request_timeout,
            },
            migrate_on_start: vars.parse("MIGRATE_ON_START", db::MIGRATE_ON_START)?,
            http: HttpConfig {
                request_timeout,
                body_limit: vars.positive("BODY_LIMIT_BYTES", defaults.body_limit)?,
                header_read_timeout: Duration::from_secs(vars.positive(
                    "HEADER_READ_TIMEOUT_SECS",
                    defaults.header_read_timeout.as_secs(),
                )?),
                // Zero is fine here: no load balancer in front.
                shutdown_delay: Duration::from_secs(
                    vars.parse("SHUTDOWN_DELAY_SECS", defaults.shutdown_delay.as_secs())?,
                ),
                drain_timeout: Duration::from_secs(
                    vars.positive("DRAIN_TIMEOUT_SECS", defaults.drain_timeout.as_secs())?,
                ),
            },
            cors_allowed_origins: cors_origins(&vars)?,
        })
    }

    /// The address to listen on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}

/// Written by hand so that logging the configuration never shows a password.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("http", &self.http)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .finish()
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

/// Hides every password a database URL can carry: the userinfo's
/// (`scheme://user:secret@host/db` -> `scheme://user:***@host/db`) and query
/// parameters such as `?password=` and `?sslpassword=`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut redacted = redact_userinfo(base);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().ends_with("password") => {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((credentials, _)) if credentials.contains(':') => {
            let user = credentials
                .split_once(':')
                .map_or(credentials, |(user, _)| user);
            let after = &rest[credentials.len()..];
            format!("{scheme}://{user}:***{after}")
        }
        _ => url.to_owned(),
    }
}

/// `DATABASE_URL`, or the contents of the file `DATABASE_URL_FILE` names
/// (trimmed: files usually end with a newline); both set is an error, since
/// either could be the stale one.
async fn database_url<F>(vars: &Vars<'_, F>) -> <%- result('Option<String>', 'ConfigError') %>
where
    F: Fn(&str) -> Result<String, VarError>,
{
    const KEY: &str = "DATABASE_URL_FILE";
    let url = vars.get("DATABASE_URL")?;
    let Some(path) = vars.get(KEY)? else {
        return Ok(url);
    };
    if url.is_some() {
<% if (libThiserror) { -%>
        return Err(ConfigError::Conflict {
            key: "DATABASE_URL",
            other: KEY,
        });
<% } else { -%>
        bail!("DATABASE_URL and {KEY} are both set; set one of them");
<% } -%>
    }
<% if (libThiserror) { -%>
    let contents = tokio::fs::read_to_string(&path)
        .await
        .map_err(|source| ConfigError::Unreadable {
            key: KEY,
            path: PathBuf::from(&path),
            source,
        })?;
    let url = contents.trim();
    if url.is_empty() {
        return Err(ConfigError::Invalid {
            key: KEY,
            value: path,
            reason: "the file is empty".to_owned(),
        });
    }
<% } else { -%>
    let contents = tokio::fs::read_to_string(&path)
        .await
        .with_context(|| format!("{KEY}={path:?} cannot be read"))?;
    let url = contents.trim();
    if url.is_empty() {
        bail!("{KEY}={path:?} is invalid: the file is empty");
    }
<% } -%>
    Ok(Some(url.to_owned()))
}

/// `CORS_ALLOWED_ORIGINS`: comma-separated origins such as
/// `https://app.example.com`, each a scheme and a host (and port), exactly as
/// browsers send them in `Origin`.
fn cors_origins<F>(vars: &Vars<'_, F>) -> <%- result('Vec<HeaderValue>', 'ConfigError') %>
where
    F: Fn(&str) -> Result<String, VarError>,
{
    const KEY: &str = "CORS_ALLOWED_ORIGINS";
    let Some(list) = vars.get(KEY)? else {
        return Ok(Vec::new());
    };
    let mut origins = Vec::new();
    for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        // A path, even `/`, never matches: browsers send the origin without one.
        if let Some(host) = host
            && !host.is_empty()
            && !host.contains(['/', '?', '#', '*'])
            && let Ok(value) = HeaderValue::from_str(origin)
        {
            origins.push(value);
            continue;
        }
<% if (libThiserror) { -%>
        return Err(ConfigError::Invalid {
            key: KEY,
            value: list.clone(),
            reason: format!(
                "{origin:?} is not an origin such as https://app.example.com (scheme and host, no path)"
            ),
        });
<% } else { -%>
        bail!(
            "{KEY}={list:?} is invalid: {origin:?} is not an origin such as https://app.example.com (scheme and host, no path)"
        );
<% } -%>
    }
    Ok(origins)
}

/// Typed access to the variables behind a lookup function.
struct Vars<'a, F>(&'a F);

impl<F: Fn(&str) -> Result<String, VarError>> Vars<'_, F> {
    fn get(&self, key: &'static str) -> <%- result('Option<String>', 'ConfigError') %> {
        match (self.0)(key) {
            Ok(value) if value.trim().is_empty() => Ok(None),
            Ok(value) => Ok(Some(value.trim().to_owned())),
            Err(VarError::NotPresent) => Ok(None),
<% if (libThiserror) { -%>
            Err(VarError::NotUnicode(_)) => Err(ConfigError::NotUnicode { key }),
<% } else { -%>
            Err(VarError::NotUnicode(_)) => bail!("{key} is not valid UTF-8"),
<% } -%>
        }
    }

    /// The parsed value of `key`, or `default` when it is unset or empty.
    fn parse<T>(&self, key: &'static str, default: T) -> <%- result('T', 'ConfigError') %>
    where
        T: FromStr,
<% if (libThiserror) { -%>
        T::Err: fmt::Display,
    {
        let Some(value) = self.get(key)? else {
            return Ok(default);
        };
        value.parse().map_err(|error: T::Err| ConfigError::Invalid {
            key,
            reason: error.to_string(),
            value,
        })
    }
<% } else { -%>
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let Some(value) = self.get(key)? else {
            return Ok(default);
        };
        value
            .parse()
            .with_context(|| format!("{key}={value:?} is invalid"))
    }
<% } -%>

    /// Like [`Self::parse`], for counts and durations where zero makes no sense.
    fn positive<T>(&self, key: &'static str, default: T) -> <%- result('T', 'ConfigError') %>
    where
        T: FromStr + PartialEq + Default,
<% if (libThiserror) { -%>
        T::Err: fmt::Display,
    {
        let value = self.parse(key, default)?;
        if value == T::default() {
            return Err(ConfigError::Invalid {
                key,
                value: "0".to_owned(),
                reason: "must be at least 1".to_owned(),
            });
        }
        Ok(value)
    }
<% } else { -%>
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let value = self.parse(key, default)?;
        if value == T::default() {
            bail!("{key}=\"0\" is invalid: must be at least 1");
        }
        Ok(value)
    }
<% } -%>
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
<% if (!libThiserror) { -%>
    use std::path::PathBuf;
<% } -%>

    use super::*;

    fn config(vars: &[(&str, &str)]) -> <%- result('Config', 'ConfigError') %> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        // A runtime of its own per call: the tests stay plain `#[test]`s.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("cannot start a runtime");
        runtime.block_on(Config::from_lookup(|key| {
            vars.get(key).cloned().ok_or(VarError::NotPresent)
        }))
    }

<% if (dbSqlite) { -%>
    #[test]
    fn defaults_need_no_variables() {
        let config = config(&[]).unwrap();
        assert_eq!(
            config.addr(),
            SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT))
        );
        assert_eq!(config.database.url, db::DEFAULT_URL);
        assert_eq!(config.http, HttpConfig::default());
    }
<% } else { -%>
    #[test]
    fn database_url_is_required() {
        let message = config(&[]).unwrap_err().to_string();
        assert!(message.contains("DATABASE_URL is not set"), "{message}");
    }

    #[test]
    fn defaults_apply_to_everything_else() {
        let config = config(&[("DATABASE_URL", db::EXAMPLE_URL)]).unwrap();
        assert_eq!(
            config.addr(),
            SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT))
        );
        assert_eq!(config.http, HttpConfig::default());
    }
<% } -%>

    #[test]
    fn reads_every_variable() {
        let config = config(&[
            ("DATABASE_URL", db::EXAMPLE_URL),
            ("HOST", "0.0.0.0"),
            ("PORT", "8081"),
            ("DATABASE_MAX_CONNECTIONS", "3"),
            ("DATABASE_ACQUIRE_TIMEOUT_SECS", "2"),
            ("REQUEST_TIMEOUT_SECS", "7"),
            ("BODY_LIMIT_BYTES", "1024"),
            ("HEADER_READ_TIMEOUT_SECS", "3"),
            ("SHUTDOWN_DELAY_SECS", "0"),
            ("DRAIN_TIMEOUT_SECS", "4"),
            ("MIGRATE_ON_START", "<%- dbSqlite ? 'false' : 'true' %>"),
        ])
        .unwrap();
        assert_eq!(config.addr(), SocketAddr::from(([0, 0, 0, 0], 8081)));
        assert_eq!(config.database.max_connections, 3);
        assert_eq!(config.database.acquire_timeout, Duration::from_secs(2));
        assert_eq!(config.http.request_timeout, Duration::from_secs(7));
        assert_eq!(config.database.statement_timeout, Duration::from_secs(7));
        assert_eq!(config.http.body_limit, 1024);
        assert_eq!(config.http.header_read_timeout, Duration::from_secs(3));
        assert_eq!(config.http.shutdown_delay, Duration::ZERO);
        assert_eq!(config.http.drain_timeout, Duration::from_secs(4));
        assert_eq!(config.migrate_on_start, !db::MIGRATE_ON_START);
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (key, value) in [
            ("PORT", "eighty"),
            ("PORT", "70000"),
            ("HOST", "localhost:80"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("REQUEST_TIMEOUT_SECS", "-1"),
            ("DRAIN_TIMEOUT_SECS", "0"),
            ("MIGRATE_ON_START", "yes"),
            ("DATABASE_URL", "ftp://example.com"),
            ("CORS_ALLOWED_ORIGINS", "app.example.com"),
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com/"),
            ("CORS_ALLOWED_ORIGINS", "https://ok.example.com,*"),
        ] {
            let mut vars = vec![("DATABASE_URL", db::EXAMPLE_URL)];
            vars.push((key, value));
            let message = config(&vars).unwrap_err().to_string();
            assert!(message.starts_with(key), "{key}={value}: {message}");
        }
    }

    #[test]
    fn reads_the_cors_origins() {
        let allowed = config(&[
            ("DATABASE_URL", db::EXAMPLE_URL),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://app.example.com, http://localhost:5173,",
            ),
        ])
        .unwrap();
        assert_eq!(
            allowed.cors_allowed_origins,
            ["https://app.example.com", "http://localhost:5173"]
        );
        let none = config(&[("DATABASE_URL", db::EXAMPLE_URL)]).unwrap();
        assert!(none.cors_allowed_origins.is_empty());
    }

    /// A file of its own for each test, in the system's temporary directory.
    fn secret_file(name: &str, contents: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "{}-{}-{name}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("cannot write the secret file");
        path
    }

    #[test]
    fn reads_the_url_from_a_file() {
        let path = secret_file("url", &format!("{}\n", db::EXAMPLE_URL));
        let file = path.to_str().unwrap();
        let config = config(&[("DATABASE_URL_FILE", file)]);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(config.unwrap().database.url, db::EXAMPLE_URL);
    }

    #[test]
    fn an_unreadable_or_empty_url_file_names_the_variable_and_path() {
        let missing = std::env::temp_dir().join("no-such-dir").join("database-url");
        let message = config(&[("DATABASE_URL_FILE", missing.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("DATABASE_URL_FILE="), "{message}");
        assert!(message.contains("database-url"), "{message}");

        let path = secret_file("empty", " \n");
        let message = config(&[("DATABASE_URL_FILE", path.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(message.starts_with("DATABASE_URL_FILE="), "{message}");
        assert!(message.contains("empty"), "{message}");
    }

    #[test]
    fn the_url_and_its_file_together_are_an_error() {
        let message = config(&[
            ("DATABASE_URL", db::EXAMPLE_URL),
            ("DATABASE_URL_FILE", "/run/secrets/database-url"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("DATABASE_URL and DATABASE_URL_FILE are both set"),
            "{message}"
        );
    }

<% if (dbPostgres) { -%>
    /// What production should use (see .env.example): TLS with the server's
    /// certificate and host name verified.
    #[test]
    fn verified_tls_urls_are_accepted() {
        let url = "postgres://app@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/ssl/certs/db-ca.pem";
        let config = config(&[("DATABASE_URL", url)]).unwrap();
        let options = sqlx::postgres::PgConnectOptions::from_str(&config.database.url).unwrap();
        assert!(format!("{options:?}").contains("VerifyFull"), "{options:?}");
    }

<% } else if (dbMysql) { -%>
    /// What production should use (see .env.example): TLS with the server's
    /// certificate and host name verified.
    #[test]
    fn verified_tls_urls_are_accepted() {
        let url = "mysql://app@db.example.com/app?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ssl/certs/db-ca.pem";
        let config = config(&[("DATABASE_URL", url)]).unwrap();
        let options = sqlx::mysql::MySqlConnectOptions::from_str(&config.database.url).unwrap();
        assert!(format!("{options:?}").contains("VerifyIdentity"), "{options:?}");
    }

<% } -%>
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/app"),
            "postgres://app:***@db:5432/app"
        );
        assert_eq!(
            redact_url("mysql://app@db/app?ssl-mode=required"),
            "mysql://app@db/app?ssl-mode=required"
        );
        assert_eq!(redact_url("sqlite://data.db"), "sqlite://data.db");
        assert_eq!(
            redact_url("postgres://app@db/app?sslmode=verify-full&password=s3cret"),
            "postgres://app@db/app?sslmode=verify-full&password=***"
        );
        assert_eq!(
            redact_url("postgres://a:b@db?sslpassword=k3y&application_name=x"),
            "postgres://a:***@db?sslpassword=***&application_name=x"
        );
    }
<% if (!dbSqlite) { -%>

    #[test]
    fn debug_output_hides_the_password() {
        let config = config(&[("DATABASE_URL", "<%- dbPostgres ? 'postgres' : 'mysql' %>://app:s3cret@db/app")]).unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("app:***@db"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
<% } -%>
}
