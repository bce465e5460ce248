//! Shared state of the HTTP layer: the store, the clock, configuration and the login limiter.

use crate::auth::{LoginLimiter, LoginLimits};
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
    limiter: LoginLimiter,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self(Arc::new(Inner { store, clock, config, limiter: LoginLimiter::default() }))
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

    pub fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
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
