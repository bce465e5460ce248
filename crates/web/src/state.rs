//! Shared state of the HTTP layer: the store, the clock and configuration. Nothing else:
//! the servers of an installation are stateless and share everything through the database.

use crate::auth::LoginLimits;
use infohus_domain::Clock;
use infohus_store::Store;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
pub struct Config {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    pub login_limits: LoginLimits,
}

impl Default for Config {
    fn default() -> Self {
        Self { idle_timeout: Duration::minutes(30), secure_cookies: false, login_limits: LoginLimits::default() }
    }
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: Config,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self(Arc::new(Inner { store, clock, config }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> OffsetDateTime {
        self.0.clock.now()
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }
}

/// The real clock, for the binary.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
