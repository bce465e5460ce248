//! The access policy: the one place that decides who may do what with personal data.
//! The store turns these decisions into query scopes; nothing else decides access.

use crate::agency::AgencyKind;
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
            Role::Mentor | Role::Analyst | Role::Auditor | Role::Admin | Role::NationalAdmin => ReferralScope::Nothing,
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

/// How a viewer reaches a case, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    /// Coordinator of the infohus, or member of a participating agency.
    Participant,
    /// Emergency access the viewer opened with a written reason; time-limited and flagged.
    BreakGlass,
    None,
}

/// What is known about a case when deciding access to it.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts<'a> {
    pub infohus: &'a InfohusId,
    pub participating_agencies: &'a [AgencyId],
    /// The viewer holds an unexpired break-glass grant for this case.
    pub break_glass: bool,
}

/// What is known about one record (a note, later assessments and interventions).
#[derive(Debug, Clone, Copy)]
pub struct RecordFacts<'a> {
    pub owner: &'a AgencyId,
    /// Agencies the record was disclosed to, each disclosure with a legal basis.
    pub disclosed_to: &'a [AgencyId],
}

impl Viewer {
    pub fn case_access(&self, case: CaseFacts<'_>) -> CaseAccess {
        if case.infohus != &self.infohus {
            return CaseAccess::None;
        }
        match self.role {
            Role::Coordinator => CaseAccess::Participant,
            Role::Member if case.participating_agencies.contains(&self.agency) => CaseAccess::Participant,
            Role::Member if case.break_glass => CaseAccess::BreakGlass,
            _ => CaseAccess::None,
        }
    }

    /// Every record belongs to the agency that wrote it; another agency reads it only
    /// through a disclosure. Sensitive records follow the same rule: a disclosure of one
    /// needs a legal basis that covers its tags, checked when it is made.
    pub fn may_read_record(&self, access: CaseAccess, record: RecordFacts<'_>) -> bool {
        access != CaseAccess::None
            && matches!(self.role, Role::Coordinator | Role::Member)
            && (record.owner == &self.agency || record.disclosed_to.contains(&self.agency))
    }

    /// Writing on a case takes real participation, never break glass.
    pub fn may_write_record(&self, access: CaseAccess) -> bool {
        access == CaseAccess::Participant && matches!(self.role, Role::Coordinator | Role::Member)
    }

    /// Only the owning agency discloses its records.
    pub fn may_disclose(&self, access: CaseAccess, record: RecordFacts<'_>) -> bool {
        self.may_write_record(access) && record.owner == &self.agency
    }

    pub fn may_break_glass(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Member)
    }

    /// Opening cases and choosing who takes part is the secretariat's job.
    pub fn may_manage_cases(&self) -> bool {
        self.role == Role::Coordinator
    }

    /// Configuration such as the list of legal bases.
    pub fn may_configure(&self) -> bool {
        self.role == Role::Admin
    }

    /// Creating infohuse in a national deployment.
    pub fn may_create_infohus(&self) -> bool {
        self.role == Role::NationalAdmin
    }
}

/// Casework rules: screening, interventions, releases and programme figures.
impl Viewer {
    /// Each agency asked for a register check records its own result.
    pub fn may_record_check(&self, asked: &[AgencyId]) -> bool {
        matches!(self.role, Role::Coordinator | Role::Member) && asked.contains(&self.agency)
    }

    /// A check's note is read by the agency that wrote it and by the coordinators who
    /// decide the screening; the other asked agencies see the result only.
    pub fn may_read_check_note(&self, checked_by: &AgencyId) -> bool {
        self.role == Role::Coordinator || (self.role == Role::Member && checked_by == &self.agency)
    }

    /// Deciding a screening's outcome is the secretariat's job, like opening cases.
    pub fn may_decide_screening(&self) -> bool {
        self.may_manage_cases()
    }

    /// An intervention's content is read by its owner agency, agencies it was disclosed
    /// to, and its responsible user (a mentor reaches the person through it alone).
    pub fn may_read_intervention(&self, access: CaseAccess, record: RecordFacts<'_>, responsible: &UserId) -> bool {
        (responsible == &self.user && matches!(self.role, Role::Coordinator | Role::Member | Role::Mentor))
            || self.may_read_record(access, record)
    }

    /// Logging sessions, moving the review date and recording the outcome: the owner
    /// agency or the responsible user.
    pub fn may_work_on_intervention(&self, access: CaseAccess, owner: &AgencyId, responsible: &UserId) -> bool {
        (responsible == &self.user && matches!(self.role, Role::Coordinator | Role::Member | Role::Mentor))
            || (self.may_write_record(access) && owner == &self.agency)
    }

    /// Expected release dates come from the Prison and Probation Service.
    pub fn may_record_release(&self, access: CaseAccess, own_agency_kind: AgencyKind) -> bool {
        self.may_write_record(access) && own_agency_kind == AgencyKind::PrisonProbation
    }

    /// Aggregate figures with no person in them (the mentoring programme's progress).
    pub fn may_see_programme_figures(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Analyst)
    }
}

/// Coordination meetings.
impl Viewer {
    /// Series, agendas and minutes are run by the secretariat.
    pub fn may_run_meetings(&self) -> bool {
        self.role == Role::Coordinator
    }

    /// Agencies' members take part in meetings: they see agendas and approved minutes.
    pub fn may_attend_meetings(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Member)
    }

    /// An agenda item about a case or referral is shown in full to coordinators and to
    /// members whose agency takes part in it or had an overview disclosed in a meeting;
    /// everyone else sees a neutral reference (number, initials, age band, category).
    pub fn sees_agenda_item_in_full(&self, participates: bool, disclosed: bool) -> bool {
        self.role == Role::Coordinator || (self.role == Role::Member && (participates || disclosed))
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

    fn case(infohus: &str, agencies: &[&str], break_glass: bool) -> (InfohusId, Vec<AgencyId>, bool) {
        (id(InfohusId::parse, infohus), agencies.iter().map(|a| id(AgencyId::parse, a)).collect(), break_glass)
    }

    fn access(v: &Viewer, c: &(InfohusId, Vec<AgencyId>, bool)) -> CaseAccess {
        v.case_access(CaseFacts { infohus: &c.0, participating_agencies: &c.1, break_glass: c.2 })
    }

    #[test]
    fn members_reach_cases_their_agency_takes_part_in_or_by_breaking_the_glass() {
        let police = viewer(Role::Member, "h1", "police", "u1");
        assert_eq!(access(&police, &case("h1", &["police"], false)), CaseAccess::Participant);
        assert_eq!(access(&police, &case("h1", &["psychiatry"], false)), CaseAccess::None);
        assert_eq!(access(&police, &case("h1", &["psychiatry"], true)), CaseAccess::BreakGlass);
        assert_eq!(access(&police, &case("h2", &["police"], true)), CaseAccess::None);
        let auditor = viewer(Role::Auditor, "h1", "kk", "u2");
        assert_eq!(access(&auditor, &case("h1", &["kk"], true)), CaseAccess::None);
    }

    #[test]
    fn records_are_read_by_their_owner_and_by_those_they_were_disclosed_to() {
        let police = viewer(Role::Member, "h1", "police", "u1");
        let owner = id(AgencyId::parse, "psychiatry");
        let none: Vec<AgencyId> = Vec::new();
        let to_police = vec![id(AgencyId::parse, "police")];
        let record = |disclosed_to| RecordFacts { owner: &owner, disclosed_to };
        assert!(!police.may_read_record(CaseAccess::Participant, record(&none)));
        assert!(police.may_read_record(CaseAccess::Participant, record(&to_police)));
        assert!(!police.may_read_record(CaseAccess::None, record(&to_police)));
        assert!(!police.may_disclose(CaseAccess::Participant, record(&to_police)), "only the owner discloses");
        assert!(!police.may_write_record(CaseAccess::BreakGlass), "break glass reads, never writes");
    }

    #[test]
    fn mentors_reach_only_the_interventions_they_are_responsible_for() {
        let mentor = viewer(Role::Mentor, "h1", "kk", "m1");
        let owner = id(AgencyId::parse, "kk");
        let none: Vec<AgencyId> = Vec::new();
        let facts = RecordFacts { owner: &owner, disclosed_to: &none };
        let me = id(UserId::parse, "m1");
        let other = id(UserId::parse, "m2");
        assert!(mentor.may_read_intervention(CaseAccess::None, facts, &me));
        assert!(mentor.may_work_on_intervention(CaseAccess::None, &owner, &me));
        assert!(!mentor.may_read_intervention(CaseAccess::None, facts, &other));
        assert!(!mentor.may_work_on_intervention(CaseAccess::None, &owner, &other));
    }

    #[test]
    fn register_checks_are_recorded_by_the_asked_agency_and_notes_read_by_it_and_coordinators() {
        let police = viewer(Role::Member, "h1", "police", "u1");
        let asked = vec![id(AgencyId::parse, "police")];
        assert!(police.may_record_check(&asked));
        assert!(!viewer(Role::Member, "h1", "psych", "u2").may_record_check(&asked));
        assert!(!viewer(Role::Analyst, "h1", "police", "u3").may_record_check(&asked));
        let psych = id(AgencyId::parse, "psych");
        assert!(!police.may_read_check_note(&psych));
        assert!(viewer(Role::Coordinator, "h1", "kk", "u4").may_read_check_note(&psych));
    }

    #[test]
    fn only_the_prison_and_probation_service_records_releases() {
        let kf = viewer(Role::Member, "h1", "kf", "u1");
        assert!(kf.may_record_release(CaseAccess::Participant, AgencyKind::PrisonProbation));
        assert!(!kf.may_record_release(CaseAccess::BreakGlass, AgencyKind::PrisonProbation));
        assert!(!kf.may_record_release(CaseAccess::Participant, AgencyKind::Police));
    }

    proptest! {
        #[test]
        fn only_coordinators_and_members_ever_read_a_record(
            role in proptest::sample::select(Role::ALL.to_vec()),
            participant: bool, disclosed: bool,
        ) {
            let v = viewer(role, "h1", "a1", "u1");
            let owner = id(AgencyId::parse, "a2");
            let to: Vec<AgencyId> = if disclosed { vec![id(AgencyId::parse, "a1")] } else { Vec::new() };
            let access = if participant { CaseAccess::Participant } else { CaseAccess::None };
            let read = v.may_read_record(access, RecordFacts { owner: &owner, disclosed_to: &to });
            prop_assert_eq!(read, participant && disclosed && matches!(role, Role::Coordinator | Role::Member));
        }

        #[test]
        fn analysts_auditors_admins_and_mentors_never_see_a_referral(
            role in proptest::sample::select(vec![Role::Analyst, Role::Auditor, Role::Admin, Role::Mentor, Role::NationalAdmin]),
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
