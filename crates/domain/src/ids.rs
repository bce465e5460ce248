//! Opaque identifiers. Every id is text of `[A-Za-z0-9_-]`, 1 to 64 characters; parsing
//! anything else fails, so an id that exists is safe in a URL, a log line and SQL.

use std::fmt;

const MAX_ID_LEN: usize = 64;

/// True when `raw` has the shape of an id (it may still name nothing).
pub fn is_id_shaped(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// What every opaque id type can do, so code can be generic over them.
pub trait OpaqueId: Sized {
    fn parse_id(raw: &str) -> Option<Self>;
}

macro_rules! opaque_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses an id; `None` when it cannot be an id at all.
            pub fn parse(raw: &str) -> Option<Self> {
                is_id_shaped(raw).then(|| Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl OpaqueId for $name {
            fn parse_id(raw: &str) -> Option<Self> {
                Self::parse(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

opaque_id!(
    /// An infohus: the unit that owns agencies, users, persons and referrals.
    InfohusId
);
opaque_id!(
    /// An agency (myndighed) taking part in an infohus.
    AgencyId
);
opaque_id!(
    /// A user account.
    UserId
);
opaque_id!(
    /// A person (borger) that referrals are about.
    PersonId
);
opaque_id!(
    /// A concern referral (bekymringshenvendelse).
    ReferralId
);

opaque_id!(
    /// A case (sag) the agencies work on together.
    CaseId
);
opaque_id!(
    /// A record on a case, owned by the agency that wrote it.
    NoteId
);
opaque_id!(
    /// A structured assessment made with an instrument; each correction is a new one.
    AssessmentId
);
opaque_id!(
    /// An intervention (indsats) an agency owns on a case.
    InterventionId
);
opaque_id!(
    /// A task on a case with a due date and an owner.
    TaskId
);
opaque_id!(
    /// A recurring coordination meeting.
    SeriesId
);
opaque_id!(
    /// One coordination meeting.
    MeetingId
);
opaque_id!(
    /// An item on a meeting's agenda.
    AgendaItemId
);
opaque_id!(
    /// One version of a meeting's minutes.
    MinutesId
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uuid_text_is_an_id() {
        assert!(ReferralId::parse("0190f5c2-8e4b-7cc3-9b1e-2f7f6a1d9e01").is_some());
    }

    #[test]
    fn empty_overlong_and_odd_characters_are_not_ids() {
        assert!(PersonId::parse("").is_none());
        assert!(PersonId::parse(&"a".repeat(65)).is_none());
        assert!(PersonId::parse("a/b").is_none());
        assert!(PersonId::parse("æ").is_none());
        assert!(PersonId::parse("a b").is_none());
    }

    proptest! {
        #[test]
        fn a_parsed_id_only_holds_url_safe_characters(raw in ".{0,80}") {
            if let Some(id) = ReferralId::parse(&raw) {
                prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
            }
        }
    }
}
