<% if (libThiserror) { -%>
//! Every way a request can fail, and the HTTP response for each: a status code
//! and a JSON body `{"error": "..."}`. Handlers return `Result<_, ApiError>`
//! and use `?`; the `From` impls decide what a database error means.

use std::any::Any;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db;
use crate::model::ValidationError;

/// Why a request failed; each variant answers one status (see [`ApiError::status`]).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Input that parsed but broke a rule (422).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// No user with this id (404).
    #[error("user {0} not found")]
    UserNotFound(i64),
<% if (jobs) { -%>
    /// No job with this id (404).
    #[error("job {0} not found")]
    JobNotFound(i64),
<% } -%>
    /// No route for this path (404).
    #[error("route {0} not found")]
    RouteNotFound(String),
    /// A unique violation, naming the column.
    #[error("a user with this {0} already exists")]
    Conflict(&'static str),
    /// Malformed JSON (400), wrong field types (422), a missing content type
    /// (415) or a body over the limit (413): axum knows which.
    #[error(transparent)]
    Json(#[from] JsonRejection),
    /// A path parameter of the wrong type (400).
    #[error(transparent)]
    Path(#[from] PathRejection),
    /// A query string that does not parse (400).
    #[error(transparent)]
    Query(#[from] QueryRejection),
    /// A database error worth retrying: busy, deadlocked, unreachable (503).
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Any other database error (500); the cause goes to the log only.
    #[error("internal error")]
    Database(#[source] sqlx::Error),
    /// `/ready` once the shutdown has begun.
    #[error("shutting down")]
    ShuttingDown,
    /// A status that axum or a middleware answered without a body: 405 from
    /// the router, 408 from the timeout. See [`json_errors`].
    #[error("{}", reason(*.0))]
    Status(StatusCode),
    /// A handler panicked; the panic's message goes to the log only.
    #[error("internal error")]
    Panic(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(database_error) => {
                if let Some(column) = db::unique_violation(database_error.as_ref()) {
                    Self::Conflict(column)
                } else if db::is_retryable(database_error.as_ref()) {
                    Self::Unavailable(error)
                } else {
                    Self::Database(error)
                }
            }
            // No connection within the acquire timeout, or none at all: the
            // request may succeed later.
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(error)
            }
            _ => Self::Database(error),
        }
    }
}

impl ApiError {
    /// The status this error answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
<% if (jobs) { -%>
            Self::UserNotFound(_) | Self::JobNotFound(_) | Self::RouteNotFound(_) => {
                StatusCode::NOT_FOUND
            }
<% } else { -%>
            Self::UserNotFound(_) | Self::RouteNotFound(_) => StatusCode::NOT_FOUND,
<% } -%>
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Json(rejection) => rejection.status(),
            Self::Path(rejection) => rejection.status(),
            Self::Query(rejection) => rejection.status(),
            Self::Unavailable(_) | Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Panic(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Status(status) => *status,
        }
    }

    /// The panic message that [`tower_http::catch_panic`] caught.
    fn from_panic(message: String) -> Self {
        Self::Panic(message)
    }

    fn from_status(status: StatusCode) -> Self {
        Self::Status(status)
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        // The client gets a generic message; the log gets the cause. The
        // request span adds the request id, method and route.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(status = status.as_u16(), error = ?self, "request failed");
        } else if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error = ?self, "request failed");
        }
        let body = ErrorBody {
            error: self.to_string(),
        };
        with_retry_after(status, (status, Json(body)).into_response())
    }
}

/// "Method Not Allowed" -> "method not allowed".
fn reason(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("request failed")
        .to_lowercase()
}

/// A 503 tells clients when to try again: the causes (a busy pool, a
/// restarting database, a shutdown) pass within a second or so.
fn with_retry_after(status: StatusCode, mut response: Response) -> Response {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// Middleware (`axum::middleware::map_response`): an error response without a
/// body (405 from the router, 408 from the timeout) becomes the JSON of
/// [`ApiError`], keeping the `Allow` header of a 405.
pub async fn json_errors<B>(response: Response<B>) -> Response
where
    Response<B>: IntoResponse,
{
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response.into_response();
    }
    let mut json = ApiError::from_status(status).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        json.headers_mut().insert(header::ALLOW, allow.clone());
    }
    json
}

/// For [`tower_http::catch_panic::CatchPanicLayer::custom`]: a panicking
/// handler answers a logged JSON 500 instead of dropping the connection.
#[must_use]
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature CatchPanicLayer::custom calls"
)]
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    };
    ApiError::from_panic(message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_error() {
        assert_eq!(
            ApiError::from(ValidationError::EmptyName).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(ApiError::UserNotFound(1).status(), StatusCode::NOT_FOUND);
        assert_eq!(ApiError::Conflict("email").status(), StatusCode::CONFLICT);
        assert_eq!(
            ApiError::from(sqlx::Error::PoolTimedOut).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::from(sqlx::Error::RowNotFound).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn server_errors_hide_their_cause() {
        let error = ApiError::from(sqlx::Error::Protocol("secret detail".to_owned()));
        assert_eq!(error.to_string(), "internal error");
    }
}
<% } else { -%>
//! Every way a request can fail, and the HTTP response for each: a status code
//! and a JSON body `{"error": "..."}`. Handlers return `Result<_, ApiError>`
//! and use `?` on any `anyhow`-compatible error; [`ApiError::from`] finds the
//! status by looking for known error types in the chain of causes.

use std::any::Any;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db;

/// Why a request failed: a status, the cause (logged), and what the client is told.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: anyhow::Error,
    /// What the client is told instead of the cause: always set for a
    /// conflict (409) and a 503, "internal error" for other server errors.
    public: Option<String>,
}

impl ApiError {
    /// An error answering `status`; the client sees `error`'s message below 500.
    #[must_use]
    pub fn new(status: StatusCode, error: anyhow::Error) -> Self {
        Self {
            status,
            error,
            public: None,
        }
    }

    /// 503, telling the client `what` (the cause is logged).
    #[must_use]
    pub fn unavailable(what: &'static str, error: anyhow::Error) -> Self {
        Self {
            public: Some(what.to_owned()),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, error)
        }
    }

    /// Input that parsed but broke a rule (422).
    #[must_use]
    pub fn invalid(error: anyhow::Error) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, error)
    }

    /// 404 for `what` (`user 7`).
    #[must_use]
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::NOT_FOUND, anyhow::anyhow!("{what} not found"))
    }

    /// The status this error answers with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The panic message that [`tower_http::catch_panic`] caught.
    fn from_panic(message: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            anyhow::anyhow!("handler panicked: {message}"),
        )
    }

    /// A status that axum or a middleware answered without a body: 405 from
    /// the router, 408 from the timeout. See [`json_errors`].
    fn from_status(status: StatusCode) -> Self {
        Self::new(status, anyhow::anyhow!(reason(status)))
    }
}

/// Any error converts; its status comes from the first known cause:
/// a rejected request keeps axum's status, a unique violation is a conflict
/// (409), a missing connection is 503, and anything else is a 500.
impl<E: Into<anyhow::Error>> From<E> for ApiError {
    fn from(error: E) -> Self {
        let error = error.into();
        let (status, public) = error
            .chain()
            .find_map(|cause| {
                if let Some(rejection) = cause.downcast_ref::<JsonRejection>() {
                    Some((rejection.status(), None))
                } else if let Some(rejection) = cause.downcast_ref::<PathRejection>() {
                    Some((rejection.status(), None))
                } else if let Some(rejection) = cause.downcast_ref::<QueryRejection>() {
                    Some((rejection.status(), None))
                } else {
                    cause.downcast_ref::<sqlx::Error>().map(database_answer)
                }
            })
            .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, None));
        Self {
            public,
            ..Self::new(status, error)
        }
    }
}

/// The status of a database error and what the client is told about it.
fn database_answer(error: &sqlx::Error) -> (StatusCode, Option<String>) {
    let unavailable = || {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("database unavailable".to_owned()),
        )
    };
    match error {
        sqlx::Error::Database(database_error) => {
            if let Some(column) = db::unique_violation(database_error.as_ref()) {
                (
                    StatusCode::CONFLICT,
                    Some(format!("a user with this {column} already exists")),
                )
            } else if db::is_retryable(database_error.as_ref()) {
                unavailable()
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        }
        // No connection within the acquire timeout, or none at all: the
        // request may succeed later.
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => unavailable(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, None),
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let message = if status.is_server_error() {
            // The client gets a generic message; the log gets every cause,
            // and the request span adds the request id, method and route.
            if status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(status = status.as_u16(), error = ?self.error, "request failed");
            } else {
                tracing::error!(status = status.as_u16(), error = ?self.error, "request failed");
            }
            self.public.unwrap_or_else(|| "internal error".to_owned())
        } else if let Some(public) = self.public {
            public
        } else {
            // Client errors are safe to show, with their causes: `{:#}` joins them.
            format!("{:#}", self.error)
        };
        with_retry_after(
            status,
            (status, Json(ErrorBody { error: message })).into_response(),
        )
    }
}

/// "Method Not Allowed" -> "method not allowed".
fn reason(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("request failed")
        .to_lowercase()
}

/// A 503 tells clients when to try again: the causes (a busy pool, a
/// restarting database, a shutdown) pass within a second or so.
fn with_retry_after(status: StatusCode, mut response: Response) -> Response {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// Middleware (`axum::middleware::map_response`): an error response without a
/// body (405 from the router, 408 from the timeout) becomes the JSON of
/// [`ApiError`], keeping the `Allow` header of a 405.
pub async fn json_errors<B>(response: Response<B>) -> Response
where
    Response<B>: IntoResponse,
{
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response.into_response();
    }
    let mut json = ApiError::from_status(status).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        json.headers_mut().insert(header::ALLOW, allow.clone());
    }
    json
}

/// For [`tower_http::catch_panic::CatchPanicLayer::custom`]: a panicking
/// handler answers a logged JSON 500 instead of dropping the connection.
#[must_use]
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature CatchPanicLayer::custom calls"
)]
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    };
    ApiError::from_panic(&message).into_response()
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn status_comes_from_the_cause() {
        let timed_out = Err::<(), _>(sqlx::Error::PoolTimedOut).context("cannot load user 1");
        assert_eq!(
            ApiError::from(timed_out.unwrap_err()).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::from(sqlx::Error::RowNotFound).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ApiError::from(anyhow::anyhow!("unexpected")).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ApiError::not_found("user 1").status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ApiError::invalid(anyhow::anyhow!("bad")).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
<% } -%>
