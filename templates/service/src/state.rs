//! Shared state: the router gets one [`AppState`], and each handler takes only
//! the part it needs (`State<UserRepository>`, `State<DbPool>`) through
//! `FromRef`, so handlers do not depend on fields they never use.

use axum::extract::FromRef;
use axum::http::HeaderValue;

use crate::config::HttpConfig;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::repository::UserRepository;
use crate::shutdown::Draining;

/// Everything the handlers and middleware share.
#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    /// For the readiness check.
    pub pool: DbPool,
    /// The users table.
    pub users: UserRepository,
    /// Turns `/ready` into 503 once the shutdown has begun.
    pub draining: Draining,
    /// This app's own recorder, rendered by `/metrics`.
    pub metrics: Metrics,
    /// Read once by [`crate::router`] to configure middleware.
    #[from_ref(skip)]
    pub limits: HttpConfig,
    /// Origins allowed to call the API from a browser; none: no CORS layer.
    #[from_ref(skip)]
    pub cors_origins: Vec<HeaderValue>,
}

impl AppState {
    /// The state of an app on `pool` with these HTTP limits, and no CORS origins.
    #[must_use]
    pub fn new(pool: DbPool, limits: HttpConfig) -> Self {
        Self {
            users: UserRepository::new(pool.clone()),
            pool,
            draining: Draining::default(),
            metrics: Metrics::new(),
            limits,
            cors_origins: Vec::new(),
        }
    }

    /// Allows these origins (`CORS_ALLOWED_ORIGINS`) to call the API from a browser.
    #[must_use]
    pub fn with_cors_origins(mut self, origins: Vec<HeaderValue>) -> Self {
        self.cors_origins = origins;
        self
    }
}
