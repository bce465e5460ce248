//! The vocabulary of casework: register-check results, screening outcomes, case closure,
//! interventions and tasks. Each is a closed set of stable codes; the web layer turns a
//! code into Danish through the message catalogue.

use crate::referral::code_enum;

code_enum!(
    /// What an agency found when it checked its own registers during screening.
    CheckResult {
        Known => "known",
        NotKnown => "not_known",
        Acute => "acute",
    }
);

code_enum!(
    /// How a screening ends.
    ScreeningOutcome {
        /// No concern: closed, with a plain-language reply to the referrer.
        NoConcern => "no_concern",
        /// A prevention case is opened and the agencies work on it together.
        PreventionCase => "prevention_case",
        /// A security matter: handed over to the police; only the hand-over record stays.
        SecurityMatter => "security_matter",
        /// Another service takes it, e.g. child welfare under Barnets Lov.
        OtherService => "other_service",
    }
);

code_enum!(
    /// Services a referral can be passed on to when it is not for the infohus.
    OtherService {
        ChildWelfare => "child_welfare",
        Social => "social",
        Psychiatry => "psychiatry",
        Employment => "employment",
        SspCooperation => "ssp",
        Other => "other",
    }
);

code_enum!(
    CaseStatus {
        Open => "open",
        Closed => "closed",
    }
);

code_enum!(
    /// Why a case was closed.
    ClosureReason {
        GoalsMet => "goals_met",
        ConcernResolved => "concern_resolved",
        NoCooperation => "no_cooperation",
        MovedAway => "moved_away",
        HandedOver => "handed_over",
        Other => "other",
    }
);

code_enum!(
    /// The assessment's place in the course: the first, the follow-ups, or others.
    AssessmentKind {
        Baseline => "baseline",
        FollowUp => "follow_up",
        Closing => "closing",
        Other => "other",
    }
);

code_enum!(
    /// A draft can be edited by its agency; a signed assessment never changes again.
    AssessmentStatus {
        Draft => "draft",
        Signed => "signed",
    }
);

code_enum!(
    InterventionStatus {
        Planned => "planned",
        Active => "active",
        Ended => "ended",
        Cancelled => "cancelled",
    }
);

code_enum!(
    TaskStatus {
        Open => "open",
        Done => "done",
        /// Closed together with its case, on the coordinator's confirmation.
        Cancelled => "cancelled",
    }
);

/// Days ahead within which an expected release from prison is listed.
pub const RELEASE_HORIZON_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for o in ScreeningOutcome::ALL {
            assert_eq!(ScreeningOutcome::parse(o.as_str()), Some(*o));
        }
        for r in CheckResult::ALL {
            assert_eq!(CheckResult::parse(r.as_str()), Some(*r));
        }
        assert_eq!(ClosureReason::parse("nonsense"), None);
    }
}
