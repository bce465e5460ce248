//! The access policy: the one place that decides who may do what with personal data.
//! The store turns these decisions into query scopes; nothing else decides access.

use crate::ids::{AgencyId, InfohusId, UserId};
use crate::role::Role;

/// The authenticated person acting: what the policy decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user: UserId,
    pub infohus: InfohusId,
    pub agency: AgencyId,
    pub role: Role,
}

/// Which referrals a viewer may see, as a scope a query can apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralScope {
    /// Every referral of the infohus (coordinators).
    Infohus(InfohusId),
    /// Referrals the user submitted, and those whose case their agency takes part in.
    Participating { infohus: InfohusId, agency: AgencyId, user: UserId },
    /// None: roles that never see referral content.
    Nothing,
}

/// What is known about one referral when deciding whether a viewer may see it.
#[derive(Debug, Clone, Copy)]
pub struct ReferralFacts<'a> {
    pub infohus: &'a InfohusId,
    pub submitted_by: &'a UserId,
    pub participating_agencies: &'a [AgencyId],
}

impl Viewer {
    pub fn may_submit_referral(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Member)
    }

    pub fn referral_scope(&self) -> ReferralScope {
        match self.role {
            Role::Coordinator => ReferralScope::Infohus(self.infohus.clone()),
            Role::Member => ReferralScope::Participating {
                infohus: self.infohus.clone(),
                agency: self.agency.clone(),
                user: self.user.clone(),
            },
            // Mentors see persons assigned to them (casework), never the referral inbox;
            // analysts, auditors and admins never see referral content.
            Role::Mentor | Role::Analyst | Role::Auditor | Role::Admin => ReferralScope::Nothing,
        }
    }

    pub fn may_read_access_log(&self) -> bool {
        self.role == Role::Auditor
    }

    /// Whether name-and-birth-date matches may be proposed to this viewer for linking.
    pub fn may_link_persons(&self) -> bool {
        self.role == Role::Coordinator
    }
}

impl ReferralScope {
    pub fn admits(&self, facts: ReferralFacts<'_>) -> bool {
        match self {
            ReferralScope::Infohus(infohus) => infohus == facts.infohus,
            ReferralScope::Participating { infohus, agency, user } => {
                infohus == facts.infohus
                    && (user == facts.submitted_by || facts.participating_agencies.contains(agency))
            }
            ReferralScope::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id<T>(parse: fn(&str) -> Option<T>, raw: &str) -> T {
        parse(raw).unwrap()
    }

    fn viewer(role: Role, infohus: &str, agency: &str, user: &str) -> Viewer {
        Viewer {
            user: id(UserId::parse, user),
            infohus: id(InfohusId::parse, infohus),
            agency: id(AgencyId::parse, agency),
            role,
        }
    }

    fn admitted(v: &Viewer, infohus: &str, submitted_by: &str, agencies: &[&str]) -> bool {
        let infohus = id(InfohusId::parse, infohus);
        let submitted_by = id(UserId::parse, submitted_by);
        let agencies: Vec<AgencyId> = agencies.iter().map(|a| id(AgencyId::parse, a)).collect();
        v.referral_scope().admits(ReferralFacts {
            infohus: &infohus,
            submitted_by: &submitted_by,
            participating_agencies: &agencies,
        })
    }

    #[test]
    fn coordinators_see_every_referral_of_their_own_infohus_only() {
        let v = viewer(Role::Coordinator, "h1", "a1", "u1");
        assert!(admitted(&v, "h1", "other", &[]));
        assert!(!admitted(&v, "h2", "other", &[]));
    }

    #[test]
    fn members_see_what_they_submitted_and_what_their_agency_takes_part_in() {
        let v = viewer(Role::Member, "h1", "police", "u1");
        assert!(admitted(&v, "h1", "u1", &[]));
        assert!(admitted(&v, "h1", "u2", &["police"]));
        assert!(!admitted(&v, "h1", "u2", &["psychiatry"]));
        assert!(!admitted(&v, "h2", "u1", &["police"]));
    }

    #[test]
    fn only_coordinators_and_members_submit_referrals() {
        for role in Role::ALL {
            let v = viewer(role, "h1", "a1", "u1");
            assert_eq!(v.may_submit_referral(), matches!(role, Role::Coordinator | Role::Member));
        }
    }

    proptest! {
        #[test]
        fn analysts_auditors_admins_and_mentors_never_see_a_referral(
            role in proptest::sample::select(vec![Role::Analyst, Role::Auditor, Role::Admin, Role::Mentor]),
            same_user: bool, same_agency: bool,
        ) {
            let v = viewer(role, "h1", "a1", "u1");
            let submitter = if same_user { "u1" } else { "u2" };
            let agencies: &[&str] = if same_agency { &["a1"] } else { &[] };
            prop_assert!(!admitted(&v, "h1", submitter, agencies));
        }

        #[test]
        fn nobody_sees_another_infohus(role in proptest::sample::select(Role::ALL.to_vec())) {
            let v = viewer(role, "h1", "a1", "u1");
            prop_assert!(!admitted(&v, "h2", "u1", &["a1"]));
        }
    }
}
