//! The generated agenda of a coordination meeting: which cases and referrals come up and
//! why. Pure and deterministic: the same facts give the same items in the same order, and
//! every item carries the reasons that put it there.

use crate::calendar::screening_due;
use time::{Date, Duration};

/// Why an item is on the agenda, in the order items are taken (most pressing first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A referral still awaiting its screening after the deadline.
    ScreeningOverdue,
    /// An agency asked for the case to be discussed.
    Flagged,
    /// An action item from an earlier meeting, past its due date.
    ActionItemOverdue,
    /// Put off from an earlier meeting.
    Postponed,
    /// An intervention's review date is on or before the next meeting.
    ReviewDue,
    /// An expected release from prison within 90 days.
    ReleaseSoon,
    /// An action item from an earlier meeting, not yet done and not yet due.
    ActionItemOpen,
    /// A new referral awaiting screening.
    NewReferral,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::ScreeningOverdue,
        Reason::Flagged,
        Reason::ActionItemOverdue,
        Reason::Postponed,
        Reason::ReviewDue,
        Reason::ReleaseSoon,
        Reason::ActionItemOpen,
        Reason::NewReferral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ScreeningOverdue => "screening_overdue",
            Reason::Flagged => "flagged",
            Reason::ActionItemOverdue => "action_item_overdue",
            Reason::Postponed => "postponed",
            Reason::ReviewDue => "review_due",
            Reason::ReleaseSoon => "release_soon",
            Reason::ActionItemOpen => "action_item_open",
            Reason::NewReferral => "new_referral",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Reason::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What an item is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Case(String),
    Referral(String),
}

/// One reason with the date it turns on (a deadline, a due date, a release) and the id of
/// the record behind it (a task, an intervention, a flag), when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemReason {
    pub reason: Reason,
    pub date: Option<Date>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedItem {
    pub subject: Subject,
    /// Most pressing first.
    pub reasons: Vec<ItemReason>,
}

/// A referral awaiting screening, received on or before the agenda's cut-off.
#[derive(Debug, Clone)]
pub struct AwaitingReferral {
    pub referral: String,
    pub received_on: Date,
}

/// A fact about a case that may put it on the agenda.
#[derive(Debug, Clone)]
pub enum CaseFact {
    /// An open action item from an earlier meeting.
    ActionItem {
        case: String,
        task: String,
        due_on: Date,
    },
    /// An active or planned intervention and its review date.
    Review {
        case: String,
        intervention: String,
        review_on: Date,
    },
    Release {
        case: String,
        expected_on: Date,
    },
    Flag {
        case: String,
        flag: String,
        flagged_on: Date,
    },
    Postponed {
        case: String,
        item: String,
        meeting_on: Date,
    },
}

/// Everything the agenda of one meeting is built from.
#[derive(Debug, Clone)]
pub struct AgendaFacts {
    pub meeting_on: Date,
    /// The day of the following meeting (reviews due by then come up now).
    pub next_meeting_on: Date,
    pub screening_working_days: u32,
    pub referrals: Vec<AwaitingReferral>,
    pub cases: Vec<CaseFact>,
}

/// How far ahead an expected release puts a case on the agenda.
pub const RELEASE_DAYS: i64 = 90;

/// Builds the agenda: one item per case or referral with every reason that applies, the
/// most pressing items first (by their most pressing reason, then the earliest date, then
/// the id, so the order never depends on how the facts were read).
pub fn propose(facts: &AgendaFacts) -> Vec<ProposedItem> {
    let mut items: Vec<ProposedItem> = Vec::new();
    let mut add = |subject: Subject, reason: ItemReason| match items.iter_mut().find(|i| i.subject == subject) {
        Some(item) => item.reasons.push(reason),
        None => items.push(ProposedItem { subject, reasons: vec![reason] }),
    };
    for r in &facts.referrals {
        let due = screening_due(r.received_on, facts.screening_working_days);
        let reason = match due {
            Some(due) if due < facts.meeting_on => {
                ItemReason { reason: Reason::ScreeningOverdue, date: Some(due), reference: None }
            }
            _ => ItemReason { reason: Reason::NewReferral, date: Some(r.received_on), reference: None },
        };
        add(Subject::Referral(r.referral.clone()), reason);
    }
    for fact in &facts.cases {
        let (case, reason) = match fact {
            CaseFact::ActionItem { case, task, due_on } => {
                let reason =
                    if *due_on < facts.meeting_on { Reason::ActionItemOverdue } else { Reason::ActionItemOpen };
                (case, ItemReason { reason, date: Some(*due_on), reference: Some(task.clone()) })
            }
            CaseFact::Review { case, intervention, review_on } => {
                if *review_on > facts.next_meeting_on {
                    continue;
                }
                (
                    case,
                    ItemReason {
                        reason: Reason::ReviewDue,
                        date: Some(*review_on),
                        reference: Some(intervention.clone()),
                    },
                )
            }
            CaseFact::Release { case, expected_on } => {
                if *expected_on < facts.meeting_on || *expected_on > facts.meeting_on + Duration::days(RELEASE_DAYS) {
                    continue;
                }
                (case, ItemReason { reason: Reason::ReleaseSoon, date: Some(*expected_on), reference: None })
            }
            CaseFact::Flag { case, flag, flagged_on } => {
                (case, ItemReason { reason: Reason::Flagged, date: Some(*flagged_on), reference: Some(flag.clone()) })
            }
            CaseFact::Postponed { case, item, meeting_on } => {
                (case, ItemReason { reason: Reason::Postponed, date: Some(*meeting_on), reference: Some(item.clone()) })
            }
        };
        add(Subject::Case(case.clone()), reason);
    }
    for item in &mut items {
        item.reasons.sort_by(|a, b| (a.reason, a.date, &a.reference).cmp(&(b.reason, b.date, &b.reference)));
    }
    items.sort_by(|a, b| {
        let key = |i: &ProposedItem| i.reasons.first().map(|r| (r.reason, r.date));
        key(a).cmp(&key(b)).then_with(|| a.subject.cmp(&b.subject))
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts() -> AgendaFacts {
        AgendaFacts {
            meeting_on: date!(2026 - 11 - 24),
            next_meeting_on: date!(2026 - 12 - 08),
            screening_working_days: 5,
            referrals: vec![
                AwaitingReferral { referral: "r-new".into(), received_on: date!(2026 - 11 - 23) },
                AwaitingReferral { referral: "r-old".into(), received_on: date!(2026 - 11 - 10) },
            ],
            cases: vec![
                CaseFact::Review { case: "c1".into(), intervention: "i1".into(), review_on: date!(2026 - 12 - 01) },
                CaseFact::Review { case: "c2".into(), intervention: "i2".into(), review_on: date!(2027 - 03 - 01) },
                CaseFact::ActionItem { case: "c1".into(), task: "t1".into(), due_on: date!(2026 - 11 - 20) },
                CaseFact::ActionItem { case: "c3".into(), task: "t3".into(), due_on: date!(2026 - 12 - 20) },
                CaseFact::Release { case: "c4".into(), expected_on: date!(2027 - 01 - 15) },
                CaseFact::Release { case: "c5".into(), expected_on: date!(2027 - 06 - 15) },
                CaseFact::Flag { case: "c6".into(), flag: "f1".into(), flagged_on: date!(2026 - 11 - 22) },
            ],
        }
    }

    #[test]
    fn every_item_says_why_and_the_most_pressing_come_first() {
        let items = propose(&facts());
        let summary: Vec<(String, Vec<&str>)> = items
            .iter()
            .map(|i| {
                let id = match &i.subject {
                    Subject::Case(c) | Subject::Referral(c) => c.clone(),
                };
                (id, i.reasons.iter().map(|r| r.reason.as_str()).collect())
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("r-old".to_owned(), vec!["screening_overdue"]),
                ("c6".to_owned(), vec!["flagged"]),
                ("c1".to_owned(), vec!["action_item_overdue", "review_due"]),
                ("c4".to_owned(), vec!["release_soon"]),
                ("c3".to_owned(), vec!["action_item_open"]),
                ("r-new".to_owned(), vec!["new_referral"]),
            ]
        );
        // The overdue screening's date is its deadline: five working days after 10 November.
        assert_eq!(items[0].reasons[0].date, Some(date!(2026 - 11 - 17)));
    }

    #[test]
    fn the_same_facts_in_any_order_give_the_same_agenda() {
        let mut shuffled = facts();
        shuffled.cases.reverse();
        shuffled.referrals.reverse();
        assert_eq!(propose(&facts()), propose(&shuffled));
    }

    #[test]
    fn reason_codes_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
    }
}
