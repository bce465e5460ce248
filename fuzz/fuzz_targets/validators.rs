//! The domain's validators of single values: CPR numbers, e-mail addresses, free text, ids,
//! codes, names, passwords, the closed code sets, municipalities and the calendar. The first
//! byte picks the validator; the rest is its input. Every accepted value must satisfy the
//! rule it was checked against and be accepted again unchanged (normalisation is stable).

#![no_main]

use infohus_domain::agency::{AgencyCode, AgencyKind, AgencyName};
use infohus_domain::calendar;
use infohus_domain::casework::{
    AssessmentKind, AssessmentStatus, CaseStatus, CheckResult, ClosureReason, InterventionStatus, OtherService,
    ScreeningOutcome, TaskStatus,
};
use infohus_domain::cpr::{Cpr, CprError};
use infohus_domain::ids::{self, CaseId, PersonId, ReferralId};
use infohus_domain::instrument::{Side, is_instrument_key, is_key};
use infohus_domain::municipality::{self, PoliceDistrict};
use infohus_domain::progression::six_months_after;
use infohus_domain::referral::{
    self, Channel, ConcernCategory, DEFAULT_CONCERN_CATEGORIES, Gender, ReferralStatus, Urgency, age_on,
};
use infohus_domain::sensitivity::{Sensitivities, Sensitivity};
use infohus_domain::text;
use infohus_domain::user::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, Password, Username};
use infohus_domain::{Role, assessment};
use libfuzzer_sys::fuzz_target;
use time::{Date, Duration, OffsetDateTime};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let raw = String::from_utf8_lossy(rest);
    match selector % 9 {
        0 => cpr(&raw),
        1 => email(&raw),
        2 => free_text(rest),
        3 => ids_and_names(&raw),
        4 => code_sets(&raw),
        5 => sensitivities(&raw),
        6 => municipalities(&raw),
        7 => dates(rest),
        _ => keys(&raw),
    }
});

fn cpr(raw: &str) {
    match Cpr::parse(raw) {
        Ok(cpr) => {
            let compact = cpr.compact();
            assert_eq!(compact.len(), 10);
            assert!(compact.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(cpr.formatted(), format!("{}-{}", &compact[..6], &compact[6..]));
            // Both written forms read back as the same number with the same birth date.
            assert_eq!(Cpr::parse(&compact).as_ref(), Ok(&cpr));
            assert_eq!(Cpr::parse(&cpr.formatted()).as_ref(), Ok(&cpr));
            // The date is the first six digits: DDMMYY.
            let born = cpr.birth_date();
            assert_eq!(format!("{:02}{:02}{:02}", born.day(), u8::from(born.month()), born.year() % 100), compact[..6]);
            assert!((1800..2100).contains(&born.year()));
            // Debug never shows the number.
            assert!(!format!("{cpr:?}").bytes().any(|b| b.is_ascii_digit()));
            // What was read is what was given, less surrounding space and the hyphen.
            assert_eq!(raw.trim().replace('-', ""), compact);
        }
        Err(CprError::Date) => {
            // Only a well-shaped number can have a wrong date.
            let trimmed = raw.trim();
            assert!(trimmed.len() == 10 || (trimmed.len() == 11 && trimmed.as_bytes()[6] == b'-'));
        }
        Err(CprError::Shape) => {}
    }
}

fn email(raw: &str) {
    if let Some(email) = referral::valid_email(raw) {
        assert_eq!(email, raw.trim());
        assert!(email.len() <= 254);
        assert!(!email.chars().any(|c| c.is_control() || c.is_whitespace()));
        assert!(!email.contains(['<', '>', ',', ';']));
        let (local, domain) = email.split_once('@').unwrap();
        assert!(!local.is_empty() && domain.contains('.') && !domain.contains('@'));
        assert_eq!(referral::valid_email(&email).as_deref(), Some(email.as_str()));
    }
}

fn free_text(data: &[u8]) {
    let Some((&max, rest)) = data.split_first() else { return };
    let max = usize::from(max);
    let raw = String::from_utf8_lossy(rest);
    let line = text::optional_line("f", Some(&raw), max);
    if raw.chars().count() > max {
        // The limit is the API document's maxLength: it counts the text as sent.
        let too_long = |e: infohus_domain::field::FieldError| e.code == "too_long";
        assert!(line.clone().is_err_and(too_long));
        assert!(text::required_multiline("f", Some(&raw), max).is_err_and(too_long));
        assert!(text::optional_multiline("f", Some(&raw), max).is_err_and(too_long));
    }
    if let Ok(Some(value)) = &line {
        assert_eq!(value, raw.trim());
        assert!(!value.is_empty() && value.chars().count() <= max);
        assert!(!value.chars().any(char::is_control));
        assert_eq!(text::optional_line("f", Some(value), max), Ok(Some(value.clone())));
    }
    match text::required_line("f", Some(&raw), max) {
        Ok(value) => assert_eq!(line, Ok(Some(value))),
        Err(error) => assert!(line.is_err() || error.code == "required"),
    }
    if let Ok(value) = text::required_multiline("f", Some(&raw), max) {
        assert!(!value.is_empty() && value.chars().count() <= max);
        assert_eq!(value, value.trim());
        assert!(!value.contains("\r\n"), "line breaks come back as \\n: {value:?}");
        assert!(!value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')));
        assert_eq!(text::required_multiline("f", Some(&value), max).as_ref(), Ok(&value));
        assert_eq!(text::optional_multiline("f", Some(&raw), max), Ok(Some(value)));
    }
}

fn ids_and_names(raw: &str) {
    let shaped = ids::is_id_shaped(raw);
    assert_eq!(ReferralId::parse(raw).is_some(), shaped);
    assert_eq!(PersonId::parse(raw).map(|id| id.as_str().to_owned()), shaped.then(|| raw.to_owned()));
    if let Some(id) = CaseId::parse(raw) {
        assert!((1..=64).contains(&id.as_str().len()));
        assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        assert_eq!(id.to_string(), raw);
    }
    if let Some(code) = AgencyCode::parse(raw) {
        assert!((2..=32).contains(&code.as_str().len()));
        assert_eq!(AgencyCode::parse(code.as_str()), Some(code.clone()));
    }
    if let Some(name) = AgencyName::parse(raw) {
        assert_eq!(name.as_str(), raw.trim());
        assert!(!name.as_str().chars().any(char::is_control));
        assert_eq!(AgencyName::parse(name.as_str()), Some(name.clone()));
    }
    if let Some(user) = Username::parse(raw) {
        assert!((3..=64).contains(&user.as_str().len()));
        assert_eq!(user.as_str(), raw);
    }
    match Password::parse(raw) {
        Ok(password) => {
            assert!(raw.chars().count() >= MIN_PASSWORD_CHARS && raw.len() <= MAX_PASSWORD_BYTES);
            assert_eq!(password.expose(), raw);
            assert_eq!(format!("{password:?}"), "Password([redacted])");
        }
        Err(_) => assert!(raw.chars().count() < MIN_PASSWORD_CHARS || raw.len() > MAX_PASSWORD_BYTES),
    }
}

/// Every closed code set reads exactly its own codes: a parsed value prints as the input.
fn code_sets(raw: &str) {
    macro_rules! round_trip {
        ($($parse:expr => $print:expr),+ $(,)?) => {
            $(if let Some(value) = $parse(raw) {
                assert_eq!($print(value), raw);
            })+
        };
    }
    round_trip!(
        Channel::parse => Channel::as_str,
        Urgency::parse => Urgency::as_str,
        Gender::parse => Gender::as_str,
        ReferralStatus::parse => ReferralStatus::as_str,
        CheckResult::parse => CheckResult::as_str,
        ScreeningOutcome::parse => ScreeningOutcome::as_str,
        OtherService::parse => OtherService::as_str,
        CaseStatus::parse => CaseStatus::as_str,
        ClosureReason::parse => ClosureReason::as_str,
        AssessmentKind::parse => AssessmentKind::as_str,
        AssessmentStatus::parse => AssessmentStatus::as_str,
        InterventionStatus::parse => InterventionStatus::as_str,
        TaskStatus::parse => TaskStatus::as_str,
        Role::parse => Role::as_str,
        AgencyKind::parse => AgencyKind::as_str,
        Side::parse => Side::as_str,
        Sensitivity::parse => Sensitivity::as_str,
        PoliceDistrict::parse => PoliceDistrict::code,
    );
    let configured: Vec<String> = DEFAULT_CONCERN_CATEGORIES.iter().map(|c| (*c).to_owned()).collect();
    if let Some(category) = ConcernCategory::parse(raw, &configured) {
        assert_eq!(category.as_str(), raw);
    }
    assert!(ConcernCategory::parse(raw, &[]).is_none());
}

fn sensitivities(raw: &str) {
    let codes: Vec<&str> = raw.split(',').collect();
    if let Ok(tags) = Sensitivities::parse_list("sensitivity", codes.iter().copied()) {
        let stored = tags.to_stored();
        assert_eq!(Sensitivities::from_stored(&stored), tags);
        assert!(tags.tags().windows(2).all(|pair| pair[0] < pair[1]), "sorted and without duplicates");
        assert_eq!(Sensitivities::parse_list("sensitivity", stored.split(',')).as_ref(), Ok(&tags));
    }
    // Reading a stored value never trusts unknown codes and is stable.
    let stored = Sensitivities::from_stored(raw);
    assert_eq!(Sensitivities::from_stored(&stored.to_stored()), stored);
}

fn municipalities(raw: &str) {
    if let Some(found) = municipality::by_code(raw) {
        assert!((3..=4).contains(&raw.len()));
        assert_eq!(raw.trim_start_matches('0').parse::<u16>().ok(), Some(found.code));
        assert_eq!(municipality::by_code(&found.padded_code()).map(|m| m.code), Some(found.code));
        assert!(municipality::in_district(found.district).any(|m| m.code == found.code));
    }
}

/// The calendar on any date `time` can represent: no overflow, and the working-day rules.
fn dates(data: &[u8]) {
    let mut bytes = [0u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(data) {
        *slot = *byte;
    }
    let [a, b, c, d, e, f, g, h] = bytes;
    let (min, max) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
    let julian = min + (i32::from_le_bytes([a, b, c, d]) as i64).rem_euclid(i64::from(max - min) + 1) as i32;
    let Ok(date) = Date::from_julian_day(julian) else { panic!("julian day {julian} is in range") };
    let days = u32::from(u16::from_le_bytes([e, f])) % 1000;

    let _ = calendar::easter_sunday(date.year());
    let holiday = calendar::is_public_holiday(date);
    assert!(!calendar::is_working_day(date) || !holiday);
    if let Some(due) = calendar::screening_due(date, days) {
        assert!(due >= date);
        assert!(days == 0 || calendar::is_working_day(due));
        assert_eq!(calendar::add_working_days(date, days), Some(due));
        // At most one week of holidays in a row, so at most two calendar weeks per working week.
        assert!(due - date <= Duration::days(i64::from(days) * 2 + 10));
    }
    if let Some(later) = six_months_after(date) {
        assert!(later > date);
        assert!(later - date <= Duration::days(185));
    }
    let other = Date::from_julian_day(julian.saturating_add(i32::from(i16::from_le_bytes([g, h])))).unwrap_or(date);
    let age = age_on(date, other);
    assert!(if other >= date { age >= 0 } else { age <= 0 });
    let seconds = i64::from_le_bytes([a, b, c, d, e, f, g, h]);
    if let Ok(t) = OffsetDateTime::from_unix_timestamp(seconds) {
        let local = calendar::copenhagen(t);
        assert_eq!(local, t);
        // CET or CEST; UTC only where local time would lie past the end of the calendar.
        let at_the_end = t.checked_to_offset(time::UtcOffset::UTC).is_some_and(|utc| utc.date() == Date::MAX);
        assert!(matches!(local.offset().whole_hours(), 1 | 2) || (at_the_end && local.offset().is_utc()));
    }
}

fn keys(raw: &str) {
    if is_instrument_key(raw) {
        assert!((2..=40).contains(&raw.len()));
    }
    if is_key(raw) {
        assert!((1..=40).contains(&raw.len()));
        assert!(!raw.contains(|c: char| c.is_ascii_uppercase() || c.is_whitespace()));
    }
    // Assessor names etc. are capped by character, not byte.
    const { assert!(assessment::ASSESSOR_MAX > 0 && assessment::TEXT_MAX > assessment::ASSESSOR_MAX) };
}
