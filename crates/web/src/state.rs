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
    /// Working days from receipt to the screening deadline.
    pub screening_working_days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::minutes(30),
            secure_cookies: false,
            login_limits: LoginLimits::default(),
            screening_working_days: infohus_domain::calendar::SCREENING_WORKING_DAYS,
        }
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

    /// The screening deadline of a referral received at `received_at` (Copenhagen date).
    pub fn screening_due(&self, received_at: OffsetDateTime) -> Option<time::Date> {
        let received = infohus_domain::calendar::copenhagen(received_at).date();
        infohus_domain::calendar::screening_due(received, self.0.config.screening_working_days)
    }

    /// Today in Copenhagen, the date deadlines and due dates are counted in.
    pub fn today(&self) -> time::Date {
        infohus_domain::calendar::copenhagen(self.now()).date()
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
