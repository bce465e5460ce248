//! Concern referrals (bekymringshenvendelser): the raw input both the API and the web form
//! produce, and its validation into a `NewReferral` that can only hold valid values.

use crate::cpr::{Cpr, CprError};
use crate::field::{FieldError, FieldErrors};
use crate::personal::Personal;
use crate::text::{optional_line, required_line, required_multiline};
use time::{Date, format_description::well_known::Iso8601};

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($code => Some($name::$variant),)+ _ => None }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// How the referral reached the infohus.
    Channel {
        Professional => "professional",
        Citizen => "citizen",
        Hotline => "hotline",
        Police => "police",
        PrisonProbation => "prison_probation",
        Other => "other",
    }
);

code_enum!(
    Urgency {
        Normal => "normal",
        Urgent => "urgent",
    }
);

code_enum!(
    Gender {
        Male => "male",
        Female => "female",
        Other => "other",
        Unknown => "unknown",
    }
);

code_enum!(
    /// Where a referral stands. Intake creates `Received`; screening moves it on.
    ReferralStatus {
        Received => "received",
        Screening => "screening",
        NoConcern => "no_concern",
        PreventionCase => "prevention_case",
        SecurityMatter => "security_matter",
        OtherService => "other_service",
    }
);

impl ReferralStatus {
    /// Still waiting for the screening outcome, so the screening deadline applies.
    pub fn awaits_screening(self) -> bool {
        matches!(self, ReferralStatus::Received | ReferralStatus::Screening)
    }
}

/// The default concern taxonomy (configurable per installation; this seeds it).
pub const DEFAULT_CONCERN_CATEGORIES: [&str; 10] = [
    "militant_islamism",
    "right_wing",
    "left_wing",
    "anti_authority",
    "hybrid",
    "misogyny",
    "conspiracy",
    "single_issue",
    "other",
    "unknown",
];

/// A concern category code that was checked against the configured taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConcernCategory(String);

impl ConcernCategory {
    /// Accepts `raw` only when it is one of `configured`.
    pub fn parse(raw: &str, configured: &[String]) -> Option<Self> {
        configured.iter().any(|c| c == raw).then(|| Self(raw.to_owned()))
    }

    /// For values read back from storage, which were validated on the way in.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
const MAX_ORGANISATION_CHARS: usize = 200;
const MAX_PHONE_CHARS: usize = 32;
const MAX_EMAIL_CHARS: usize = 254;

/// A referral as submitted: every field optional text, so that the API and the web form
/// share one validation and every missing or wrong field is reported at once.
#[derive(Debug, Clone, Default)]
pub struct ReferralInput {
    pub channel: Option<String>,
    pub referrer: Option<ReferrerInput>,
    pub subject: Option<SubjectInput>,
    pub concern_category: Option<String>,
    pub description: Option<String>,
    pub urgency: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReferrerInput {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SubjectInput {
    pub name: Option<String>,
    pub cpr: Option<String>,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub municipality: Option<String>,
}

/// Who made the referral. Personal data of the referrer, held like the subject's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referrer {
    pub name: Option<Personal<String>>,
    pub organisation: Option<Personal<String>>,
    pub phone: Option<Personal<String>>,
    pub email: Option<Personal<String>>,
}

/// The person the concern is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub name: Personal<String>,
    pub cpr: Option<Cpr>,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
    pub municipality: Option<String>,
}

/// A valid referral, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub channel: Channel,
    pub referrer: Referrer,
    pub subject: Subject,
    pub concern_category: ConcernCategory,
    pub description: Personal<String>,
    pub urgency: Urgency,
    /// Under 18 on the day received: Barnets Lov applies.
    pub under_18: bool,
}

/// Age in whole years on `on`.
pub fn age_on(birth_date: Date, on: Date) -> i32 {
    let mut age = on.year() - birth_date.year();
    if (on.month() as u8, on.day()) < (birth_date.month() as u8, birth_date.day()) {
        age -= 1;
    }
    age
}

impl ReferralInput {
    /// Validates every field against the rules and the configured taxonomy; `today` decides
    /// the under-18 flag and rejects birth dates in the future.
    pub fn validate(self, categories: &[String], today: Date) -> Result<NewReferral, FieldErrors> {
        let mut errors = FieldErrors::default();

        let channel = match self.channel.as_deref() {
            None => errors.check::<Channel>(Err(FieldError::new("channel", "required"))),
            Some(raw) => errors.check(Channel::parse(raw).ok_or_else(|| FieldError::new("channel", "invalid_choice"))),
        };
        let urgency = match self.urgency.as_deref() {
            None | Some("") => Some(Urgency::Normal),
            Some(raw) => errors.check(Urgency::parse(raw).ok_or_else(|| FieldError::new("urgency", "invalid_choice"))),
        };
        let concern_category = match self.concern_category.as_deref() {
            None | Some("") => errors.check::<ConcernCategory>(Err(FieldError::new("concern_category", "required"))),
            Some(raw) => errors.check(
                ConcernCategory::parse(raw, categories)
                    .ok_or_else(|| FieldError::new("concern_category", "invalid_choice")),
            ),
        };
        let description =
            errors.check(required_multiline("description", self.description.as_deref(), MAX_DESCRIPTION_CHARS));
        let referrer = validate_referrer(self.referrer.unwrap_or_default(), &mut errors);
        let subject = match self.subject {
            None => errors.check::<Subject>(Err(FieldError::new("subject", "required"))),
            Some(subject) => validate_subject(subject, today, &mut errors),
        };

        match (channel, urgency, concern_category, description, subject) {
            (Some(channel), Some(urgency), Some(concern_category), Some(description), Some(subject))
                if errors.is_empty() =>
            {
                let under_18 = subject.birth_date.is_some_and(|born| age_on(born, today) < 18);
                Ok(NewReferral {
                    channel,
                    referrer,
                    subject,
                    concern_category,
                    description: Personal::new(description),
                    urgency,
                    under_18,
                })
            }
            _ => Err(errors),
        }
    }
}

fn personal(value: Option<String>) -> Option<Personal<String>> {
    value.map(Personal::new)
}

fn validate_referrer(input: ReferrerInput, errors: &mut FieldErrors) -> Referrer {
    let name = errors.check(optional_line("referrer.name", input.name.as_deref(), MAX_NAME_CHARS));
    let organisation =
        errors.check(optional_line("referrer.organisation", input.organisation.as_deref(), MAX_ORGANISATION_CHARS));
    let phone =
        errors.check(optional_line("referrer.phone", input.phone.as_deref(), MAX_PHONE_CHARS).and_then(|phone| {
            match phone {
                Some(p) if !is_phone(&p) => Err(FieldError::new("referrer.phone", "invalid_phone")),
                other => Ok(other),
            }
        }));
    let email =
        errors.check(optional_line("referrer.email", input.email.as_deref(), MAX_EMAIL_CHARS).and_then(|email| {
            match email {
                Some(e) if !is_email(&e) => Err(FieldError::new("referrer.email", "invalid_email")),
                other => Ok(other),
            }
        }));
    Referrer {
        name: personal(name.flatten()),
        organisation: personal(organisation.flatten()),
        phone: personal(phone.flatten()),
        email: personal(email.flatten()),
    }
}

fn validate_subject(input: SubjectInput, today: Date, errors: &mut FieldErrors) -> Option<Subject> {
    let before = errors.0.len();
    let name = errors.check(required_line("subject.name", input.name.as_deref(), MAX_NAME_CHARS));
    let cpr = match input.cpr.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(Cpr::parse(raw).map_err(|e| {
            FieldError::new(
                "subject.cpr",
                match e {
                    CprError::Shape => "invalid_cpr",
                    CprError::Date => "invalid_cpr_date",
                },
            )
        })),
    };
    let stated_birth_date =
        match input.birth_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => errors.check(
                Date::parse(raw, &Iso8601::DATE)
                    .ok()
                    // YYYY-MM-DD only: not ISO 8601's week dates such as 2005-W01-1.
                    .filter(|_| {
                        raw.len() == 10
                            && raw
                                .bytes()
                                .enumerate()
                                .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
                    })
                    .ok_or_else(|| FieldError::new("subject.birth_date", "invalid_date"))
                    .and_then(|d| {
                        if d > today { Err(FieldError::new("subject.birth_date", "date_in_future")) } else { Ok(d) }
                    }),
            ),
        };
    let gender = match input.gender.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            errors.check(Gender::parse(raw).ok_or_else(|| FieldError::new("subject.gender", "invalid_choice")))
        }
    };
    let municipality = match input.municipality.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(
            is_municipality_code(raw)
                .then(|| format!("{:0>4}", raw))
                .ok_or_else(|| FieldError::new("subject.municipality", "invalid_municipality")),
        ),
    };
    // Without a stated birth date the CPR number's date is the birth date, which cannot be
    // still to come.
    let cpr_birth_date = cpr.as_ref().map(Cpr::birth_date);
    if stated_birth_date.is_none() && cpr_birth_date.is_some_and(|born| born > today) {
        errors.push("subject.cpr", "date_in_future");
    }
    if errors.0.len() != before {
        return None;
    }
    // A stated birth date wins: it also settles the century where the CPR's seventh digit
    // was mistyped or follows an older rule.
    let birth_date = stated_birth_date.or(cpr_birth_date);
    Some(Subject { name: Personal::new(name?), cpr, birth_date, gender, municipality })
}

/// A Danish municipality code: three or four digits (`101` or `0101`).
fn is_municipality_code(raw: &str) -> bool {
    (3..=4).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit())
}

fn is_phone(raw: &str) -> bool {
    let digits = raw.bytes().filter(u8::is_ascii_digit).count();
    digits >= 8 && raw.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b' ' | b'-' | b'(' | b')'))
}

/// An e-mail address as given, when it has the shape of one (at most 254 characters, no
/// control characters, nothing that could add a header line).
pub fn valid_email(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (raw.len() <= 254 && is_email(raw) && !raw.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | ',' | ';')))
        .then(|| raw.to_owned())
}

fn is_email(raw: &str) -> bool {
    match raw.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !raw.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn categories() -> Vec<String> {
        DEFAULT_CONCERN_CATEGORIES.iter().map(|c| (*c).to_owned()).collect()
    }

    fn contract_example() -> ReferralInput {
        ReferralInput {
            channel: Some("professional".into()),
            referrer: Some(ReferrerInput {
                name: Some("Lærer Hansen".into()),
                organisation: Some("Skole X".into()),
                phone: Some("+45 12345678".into()),
                email: Some("a@b.dk".into()),
            }),
            subject: Some(SubjectInput {
                name: Some("Navn Navnesen".into()),
                cpr: Some("0101051234".into()),
                birth_date: Some("2005-01-01".into()),
                gender: Some("male".into()),
                municipality: Some("0101".into()),
            }),
            concern_category: Some("right_wing".into()),
            description: Some("Hvad er observeret …".into()),
            urgency: Some("normal".into()),
        }
    }

    fn codes(errors: &FieldErrors) -> Vec<(&str, &str)> {
        errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn the_contract_example_is_valid() {
        let referral = contract_example().validate(&categories(), date!(2026 - 11 - 22)).unwrap();
        assert_eq!(referral.channel, Channel::Professional);
        assert_eq!(referral.subject.birth_date, Some(date!(2005 - 01 - 01)));
        assert!(!referral.under_18);
    }

    #[test]
    fn every_missing_required_field_is_reported_at_once() {
        let errors = ReferralInput::default().validate(&categories(), date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                ("channel", "required"),
                ("concern_category", "required"),
                ("description", "required"),
                ("subject", "required"),
            ]
        );
    }

    #[test]
    fn birth_date_is_taken_from_the_cpr_and_flags_children() {
        let mut input = contract_example();
        let subject = input.subject.as_mut().unwrap();
        subject.cpr = Some("150312-4321".into());
        subject.birth_date = None;
        let referral = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap();
        assert_eq!(referral.subject.birth_date, Some(date!(2012 - 03 - 15)));
        assert!(referral.under_18);
    }

    #[test]
    fn a_stated_birth_date_wins_over_the_cpr_century() {
        let mut input = contract_example();
        input.subject.as_mut().unwrap().birth_date = Some("2005-01-02".into());
        let referral = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap();
        assert_eq!(referral.subject.birth_date, Some(date!(2005 - 01 - 02)));
    }

    /// Found by the `json_bodies` fuzz target: `160742-8642` (seventh digit 8: born 2042) was
    /// accepted with a birth date in the future.
    #[test]
    fn a_cpr_number_whose_date_is_still_to_come_is_refused_unless_a_birth_date_is_stated() {
        let mut input = contract_example();
        let subject = input.subject.as_mut().unwrap();
        subject.cpr = Some("160742-8642".into());
        subject.birth_date = None;
        let errors = input.clone().validate(&categories(), date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(codes(&errors), [("subject.cpr", "date_in_future")]);
        input.subject.as_mut().unwrap().birth_date = Some("1942-07-16".into());
        let referral = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap();
        assert_eq!(referral.subject.birth_date, Some(date!(1942 - 07 - 16)));
    }

    #[test]
    fn unknown_choices_are_refused_per_field() {
        let mut input = contract_example();
        input.channel = Some("fax".into());
        input.concern_category = Some("bad".into());
        input.urgency = Some("asap".into());
        input.subject.as_mut().unwrap().gender = Some("m".into());
        let errors = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                ("channel", "invalid_choice"),
                ("urgency", "invalid_choice"),
                ("concern_category", "invalid_choice"),
                ("subject.gender", "invalid_choice"),
            ]
        );
    }

    #[test]
    fn a_category_removed_from_the_taxonomy_is_refused() {
        let only = vec!["other".to_owned()];
        let errors = contract_example().validate(&only, date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(codes(&errors), [("concern_category", "invalid_choice")]);
    }

    #[test]
    fn future_birth_dates_and_bad_contacts_are_refused() {
        let mut input = contract_example();
        let subject = input.subject.as_mut().unwrap();
        subject.cpr = None;
        subject.birth_date = Some("2030-01-01".into());
        let referrer = input.referrer.as_mut().unwrap();
        referrer.email = Some("no-at-sign".into());
        referrer.phone = Some("call me".into());
        let errors = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                ("referrer.phone", "invalid_phone"),
                ("referrer.email", "invalid_email"),
                ("subject.birth_date", "date_in_future"),
            ]
        );
    }

    #[test]
    fn three_digit_municipality_codes_are_padded() {
        let mut input = contract_example();
        input.subject.as_mut().unwrap().municipality = Some("101".into());
        let referral = input.validate(&categories(), date!(2026 - 11 - 22)).unwrap();
        assert_eq!(referral.subject.municipality.as_deref(), Some("0101"));
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date!(2008 - 11 - 23), date!(2026 - 11 - 22)), 17);
        assert_eq!(age_on(date!(2008 - 11 - 22), date!(2026 - 11 - 22)), 18);
    }

    proptest! {
        #[test]
        fn validation_never_panics_on_any_text(
            channel in proptest::option::of(".{0,20}"),
            name in proptest::option::of(".{0,40}"),
            cpr in proptest::option::of(".{0,14}"),
            birth in proptest::option::of(".{0,12}"),
            description in proptest::option::of(".{0,40}"),
        ) {
            let input = ReferralInput {
                channel,
                subject: Some(SubjectInput { name, cpr, birth_date: birth, ..Default::default() }),
                description,
                concern_category: Some("other".into()),
                ..Default::default()
            };
            let _ = input.validate(&categories(), date!(2026 - 11 - 22));
        }
    }
}
