//! Infohus's domain core: the types that carry the rules (ids, CPR numbers, referrals, roles),
//! their validation, and the access policy. No I/O, no clock: time is always a parameter.

pub mod agency;
pub mod agenda;
pub mod assessment;
pub mod calendar;
pub mod casework;
pub mod clock;
pub mod cpr;
pub mod field;
pub mod ids;
pub mod instrument;
pub mod municipality;
pub mod personal;
pub mod policy;
pub mod progression;
pub mod referral;
pub mod role;
pub mod search;
pub mod sensitivity;
pub mod splitmix;
pub mod text;
pub mod user;

pub use agency::{AgencyCode, AgencyKind, AgencyName};
pub use assessment::{AssessmentContent, Ratings};
pub use clock::Clock;
pub use cpr::Cpr;
pub use field::{FieldError, FieldErrors};
pub use ids::{
    AgencyId, AgendaItemId, AssessmentId, CaseId, InfohusId, InterventionId, MeetingId, MinutesId, NoteId, PersonId,
    ReferralId, SeriesId, TaskId, UserId,
};
pub use instrument::{Instrument, InstrumentError, InstrumentErrors, Side, SourceFormat};
pub use personal::Personal;
pub use referral::{Channel, ConcernCategory, Gender, NewReferral, ReferralInput, ReferralStatus, Urgency};
pub use role::Role;
pub use sensitivity::{LegalBasisScope, Sensitivities, Sensitivity};
pub use user::{Password, Username};
