<%
const invalid = libThiserror ? '' : '.map_err(ApiError::invalid)';
const notFound = libThiserror ? 'ApiError::JobNotFound(id)' : 'ApiError::not_found(format!("job {id}"))';
-%>
//! `/jobs` and `/jobs/{id}`: work for the durable queue of `<%= jobs.name %>`.
//! A job posted here is stored in `PostgreSQL` and done by whichever
//! `<%= jobs.name %> consume` process claims it first, on any machine; the
//! client polls its status.

<% if (!libThiserror) { -%>
use anyhow::ensure;
<% } -%>
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use <%= jobs.crate %>::queue::{self, JobStatus, NewJob};

use crate::db::DbPool;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParam};
<% if (libThiserror) { -%>
use crate::model::{MAX_IDEMPOTENCY_KEY_CHARS, MAX_JOB_TEXT_BYTES, ValidationError};
<% } else { -%>
use crate::model::{MAX_IDEMPOTENCY_KEY_CHARS, MAX_JOB_TEXT_BYTES};
<% } -%>

/// The header that makes a retried `POST /jobs` return the first job.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The body of `POST /jobs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JobInput {
    /// The text whose word statistics the job computes.
    text: String,
}

impl JobInput {
    /// The job for this input, with the request's `Idempotency-Key` if any.
    fn validate(self, headers: &HeaderMap) -> <%- result('NewJob', 'ValidationError') %> {
<% if (libThiserror) { -%>
        if self.text.trim().is_empty() {
            return Err(ValidationError::EmptyText);
        }
        if self.text.len() > MAX_JOB_TEXT_BYTES {
            return Err(ValidationError::TextTooLong);
        }
<% } else { -%>
        ensure!(!self.text.trim().is_empty(), "text must not be empty");
        ensure!(
            self.text.len() <= MAX_JOB_TEXT_BYTES,
            "text must be at most {MAX_JOB_TEXT_BYTES} bytes"
        );
<% } -%>
        // `to_str` accepts visible ASCII only.
        let key = match headers.get(IDEMPOTENCY_KEY).map(HeaderValue::to_str) {
            None => None,
            Some(Ok(key)) if (1..=MAX_IDEMPOTENCY_KEY_CHARS).contains(&key.len()) => {
                Some(key.to_owned())
            }
<% if (libThiserror) { -%>
            Some(_) => return Err(ValidationError::InvalidIdempotencyKey),
<% } else { -%>
            Some(_) => anyhow::bail!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"
            ),
<% } -%>
        };
        let mut job = NewJob::new(self.text);
        job.idempotency_key = key;
        Ok(job)
    }
}

/// The answer to `POST /jobs`.
#[derive(Debug, Serialize)]
pub(crate) struct JobAccepted {
    id: i64,
}

/// `POST /jobs`: 202 with the job's id and its `Location`. A request repeated
/// with the same `Idempotency-Key` gets the first job's id and adds nothing.
pub(crate) async fn create(
    State(pool): State<DbPool>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<JobInput>,
) -> Result<impl IntoResponse, ApiError> {
    let job = input.validate(&headers)<%- invalid %>?;
    let id = queue::enqueue(&pool, &job).await?;
    let location = [(header::LOCATION, format!("/jobs/{id}"))];
    Ok((StatusCode::ACCEPTED, location, Json(JobAccepted { id })))
}

/// `GET /jobs/{id}`: the status, the attempts so far, and the result once
/// done or the last error once failed.
pub(crate) async fn get(
    State(pool): State<DbPool>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<JobStatus>, ApiError> {
    match queue::status(&pool, id).await? {
        Some(job) => Ok(Json(job)),
        None => Err(<%- notFound %>),
    }
}
