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
    /// Content-free e-mail notifications; `None` (the default) sends none.
    pub smtp: Option<crate::notify::SmtpConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::minutes(30),
            secure_cookies: false,
            login_limits: LoginLimits::default(),
            screening_working_days: infohus_domain::calendar::SCREENING_WORKING_DAYS,
            smtp: None,
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

    /// Tells the meeting's participants, by e-mail and without any content, that its agenda
    /// or minutes are ready (`kind` is `agenda` or `minutes`). Does nothing when
    /// notifications are off; never fails the request.
    pub async fn notify_meeting(&self, actor: &infohus_store::Actor, meeting: &infohus_domain::MeetingId, kind: &str) {
        let Some(smtp) = self.0.config.smtp.clone() else { return };
        let recipients = match self.0.store.meeting_recipients(actor, meeting).await {
            Ok(recipients) => recipients,
            Err(error) => {
                tracing::warn!(code = error.code(), "notification recipients not found");
                return;
            }
        };
        let t = crate::i18n::Catalog::danish();
        let link = format!("{}/moeder/{}", smtp.public_url.trim_end_matches('/'), meeting.as_str());
        let notice = crate::notify::Notice {
            subject: t
                .get(if kind == "minutes" { "notify.minutes_subject" } else { "notify.agenda_subject" })
                .to_owned(),
            // The catalogue keeps one line per text: `\n` marks the body's line breaks.
            body: t
                .format(
                    if kind == "minutes" { "notify.minutes_body" } else { "notify.agenda_body" },
                    &[("link", &link)],
                )
                .replace("\\n", "\n"),
        };
        let id = format!("{}.{kind}.{}", meeting.as_str(), self.now().unix_timestamp());
        crate::notify::send_in_background(smtp, recipients, notice, id);
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
