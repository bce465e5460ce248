//! Time as an input: logic asks a `Clock`, never the system, so deadlines, session expiry
//! and the access log are deterministic in tests.

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}
