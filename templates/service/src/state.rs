//! Shared state: the router gets one [`AppState`], and each handler takes only
//! the part it needs (`State<UserRepository>`, `State<DbPool>`) through
//! `FromRef`, so handlers do not depend on fields they never use.

use axum::extract::FromRef;

use crate::config::HttpConfig;
use crate::db::DbPool;
use crate::repository::UserRepository;
use crate::shutdown::Draining;

#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    /// For the readiness check.
    pub pool: DbPool,
    pub users: UserRepository,
    /// Turns `/ready` into 503 once the shutdown has begun.
    pub draining: Draining,
    /// Read once by [`crate::router`] to configure middleware.
    #[from_ref(skip)]
    pub limits: HttpConfig,
}

impl AppState {
    pub fn new(pool: DbPool, limits: HttpConfig) -> Self {
        Self {
            users: UserRepository::new(pool.clone()),
            pool,
            draining: Draining::default(),
            limits,
        }
    }
}
