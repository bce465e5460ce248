//! Infohus's storage layer: the only crate with SQL. It owns the schema and migrations, and
//! the one path to personal data: every read or write of it is checked against the domain's
//! access policy and appended to the hash-chained access log in the same transaction.

mod access_log;
mod accounts;
mod archive;
mod assessments;
mod audit;
mod between;
#[cfg(feature = "bulk")]
mod bulk;
mod cases;
mod crypto;
mod db;
mod error;
mod infohuse;
mod interventions;
mod keys;
mod lifecycle;
mod meetings;
mod minutes;
pub mod password;
mod referrals;
mod screening;
mod search;
mod sessions;
mod tasks;
mod writer;

pub use access_log::{AccessLogEntry, AccessLogPage, Action, Checkpoint, VerifyFailure, VerifyReport};
pub use accounts::{Agency, UserSummary};
pub use archive::{ARCHIVE_VERSION, ArchiveError, ArchiveSummary};
pub use assessments::{AssessmentSummary, AssessmentView, ImportedInstrument, InstrumentSummary, PersonProgression};
pub use audit::{BreakGlassUse, DisclosureEntry, LogQuery, SubjectAccessLine};
pub use between::{KnownElsewhere, ShareRequest};
#[cfg(feature = "bulk")]
pub use bulk::{AgendaFactsLoaded, AgendaFactsPlan, synthetic_cpr, synthetic_name};
pub use cases::{AgencyRef, BREAK_GLASS_DURATION, BreakGlassGrant, CaseView, LegalBasis, NoteView, RecordKind};
pub use db::{Store, StoreOptions, sqlite_url};
pub use error::StoreError;
pub use infohuse::{InfohusSummary, NewInfohus};
pub use interventions::{InterventionType, InterventionUpdate, InterventionView, NewIntervention, SessionView};
pub use keys::Keys;
pub use lifecycle::{ReleaseNotice, TimelineEntry};
pub use meetings::{
    AgendaItemView, DEFAULT_OCCURRENCES, ItemInFull, MeetingSummary, MeetingView, NeutralReference, NewSeries,
    SeriesView,
};
pub use minutes::{MeetingDisclosure, MinutesItemInput, MinutesItemView, MinutesView};
pub use referrals::{InboxFilter, InboxPage, InboxSort, PersonView, ReferralSummary, ReferralView};
pub use screening::{CheckView, Decision, OutcomeView, ScreeningView};
pub use search::PersonSearch;
pub use sessions::{Actor, SessionKind, SessionToken};
pub use tasks::{AwaitingScreening, MyWork, NewTask, PendingCheck, ReviewDue, TaskView, WorkScope};
pub use writer::WriteStats;
