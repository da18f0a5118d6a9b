//! Probes for orchestrators: `/health` says the process is up (liveness),
//! `/ready` says it can serve requests because the database answers (readiness).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::db::DbPool;
use crate::error::ApiError;
use crate::shutdown::Draining;

#[derive(Debug, Serialize)]
pub(crate) struct Status {
    status: &'static str,
}

/// Never touches the database: a slow database must not get the process restarted.
pub(crate) async fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// 503 while the database does not answer or the shutdown has begun, so load
/// balancers route elsewhere.
pub(crate) async fn ready(
    State(pool): State<DbPool>,
    State(draining): State<Draining>,
) -> Result<Json<Status>, ApiError> {
    if draining.is_draining() {
<% if (libThiserror) { -%>
        return Err(ApiError::ShuttingDown);
<% } else { -%>
        return Err(ApiError::unavailable(
            "shutting down",
            anyhow::anyhow!("shutting down"),
        ));
<% } -%>
    }
    sqlx::query("SELECT 1")
        .execute(&pool)
        .await<% if (libThiserror) { %>
        .map_err(ApiError::Unavailable)<% } else { %>
        .map_err(|error| ApiError::unavailable("database unavailable", error.into()))<% } %>?;
    Ok(Json(Status { status: "ready" }))
}
