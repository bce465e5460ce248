//! Working days in Denmark: weekends and the Danish public holidays (helligdage) are not
//! working days. Screening deadlines are counted in these days.

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

/// Easter Sunday (Gregorian calendar; the anonymous "Meeus/Jones/Butcher" algorithm).
pub fn easter_sunday(year: i32) -> Option<Date> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// Whether `date` is a Danish public holiday. Store bededag (the fourth Friday after
/// Easter) was abolished from 2024.
pub fn is_public_holiday(date: Date) -> bool {
    let (month, day) = (date.month(), date.day());
    if matches!((month, day), (Month::January, 1) | (Month::December, 25) | (Month::December, 26)) {
        return true;
    }
    let Some(easter) = easter_sunday(date.year()) else { return false };
    let offset = (date - easter).whole_days();
    match offset {
        -3 | -2 | 0 | 1 | 39 | 49 | 50 => true,
        26 => date.year() < 2024,
        _ => false,
    }
}

pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(date)
}

/// The date `days` working days after `start` (`start` itself does not count).
pub fn add_working_days(start: Date, days: u32) -> Option<Date> {
    let mut date = start;
    let mut left = days;
    while left > 0 {
        date = date.checked_add(Duration::days(1))?;
        if is_working_day(date) {
            left -= 1;
        }
    }
    Some(date)
}

/// The last Sunday of a month, for the EU summer-time rule.
fn last_sunday(year: i32, month: time::Month) -> Option<Date> {
    let mut day = Date::from_calendar_date(year, month, 31).ok()?;
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day()?;
    }
    Some(day)
}

/// Copenhagen local time: CET, or CEST from the last Sunday of March to the last Sunday of
/// October (01:00 UTC both ends). In the last hours `time` can represent, where the local
/// time would lie past its range, the time stays in UTC.
pub fn copenhagen(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer = match (last_sunday(year, time::Month::March), last_sunday(year, time::Month::October)) {
        (Some(start), Some(end)) => {
            let start = start.with_hms(1, 0, 0).map(|d| d.assume_utc());
            let end = end.with_hms(1, 0, 0).map(|d| d.assume_utc());
            matches!((start, end), (Ok(s), Ok(e)) if utc >= s && utc < e)
        }
        _ => false,
    };
    let offset = UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(UtcOffset::UTC);
    utc.checked_to_offset(offset).unwrap_or(utc)
}

/// Copenhagen wall-clock time of a stored instant, the way meetings, cut-offs and shown dates
/// are kept.
pub fn copenhagen_wall(t: OffsetDateTime) -> time::PrimitiveDateTime {
    let local = copenhagen(t);
    time::PrimitiveDateTime::new(local.date(), local.time())
}

/// The instant a Copenhagen day begins (its local midnight; summer time changes at 01:00 UTC,
/// so midnight is never skipped or repeated). None only past the calendar's ends.
pub fn copenhagen_day_start(day: Date) -> Option<OffsetDateTime> {
    [1, 2].into_iter().find_map(|hours| {
        let offset = UtcOffset::from_hms(hours, 0, 0).ok()?;
        let start = day.midnight().assume_offset(offset).checked_to_offset(UtcOffset::UTC)?;
        (copenhagen_wall(start) == day.midnight()).then_some(start)
    })
}

/// The default screening deadline, in working days after receipt.
pub const SCREENING_WORKING_DAYS: u32 = 5;

/// When the screening of a referral received on `received` is due, `working_days` Danish
/// working days later (the installation's setting; default [`SCREENING_WORKING_DAYS`]).
pub fn screening_due(received: Date, working_days: u32) -> Option<Date> {
    add_working_days(received, working_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn easter_falls_on_the_known_dates() {
        assert_eq!(easter_sunday(2024), Some(date!(2024 - 03 - 31)));
        assert_eq!(easter_sunday(2025), Some(date!(2025 - 04 - 20)));
        assert_eq!(easter_sunday(2026), Some(date!(2026 - 04 - 05)));
        assert_eq!(easter_sunday(2027), Some(date!(2027 - 03 - 28)));
    }

    #[test]
    fn danish_public_holidays_of_2026() {
        for holiday in [
            date!(2026 - 01 - 01),
            date!(2026 - 04 - 02), // skærtorsdag
            date!(2026 - 04 - 03), // langfredag
            date!(2026 - 04 - 06), // 2. påskedag
            date!(2026 - 05 - 14), // Kristi himmelfartsdag
            date!(2026 - 05 - 25), // 2. pinsedag
            date!(2026 - 12 - 25),
            date!(2026 - 12 - 26),
        ] {
            assert!(is_public_holiday(holiday), "{holiday}");
        }
        assert!(!is_public_holiday(date!(2026 - 05 - 01)), "store bededag is gone");
        assert!(is_public_holiday(date!(2023 - 05 - 05)), "store bededag until 2023");
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        // Monday 23 Nov 2026 + 5 working days = Monday 30 Nov.
        assert_eq!(add_working_days(date!(2026 - 11 - 23), 5), Some(date!(2026 - 11 - 30)));
        // Received Tuesday before Easter 2026: Wed 1, Tue 7 (Thu-Mon are holidays/weekend), ...
        assert_eq!(add_working_days(date!(2026 - 03 - 31), 5), Some(date!(2026 - 04 - 10)));
        // Received on a Saturday: the count starts on Monday.
        assert_eq!(add_working_days(date!(2026 - 11 - 21), 1), Some(date!(2026 - 11 - 23)));
    }

    #[test]
    fn copenhagen_time_follows_summer_time() {
        assert_eq!(copenhagen(time::macros::datetime!(2026-01-15 12:00 UTC)).hour(), 13);
        assert_eq!(copenhagen(time::macros::datetime!(2026-07-15 12:00 UTC)).hour(), 14);
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(copenhagen(time::macros::datetime!(2026-03-29 00:59 UTC)).hour(), 1);
        assert_eq!(copenhagen(time::macros::datetime!(2026-03-29 01:00 UTC)).hour(), 3);
        assert_eq!(copenhagen(time::macros::datetime!(2026-10-25 00:59 UTC)).hour(), 2);
        assert_eq!(copenhagen(time::macros::datetime!(2026-10-25 01:00 UTC)).hour(), 2);
    }

    #[test]
    fn a_copenhagen_day_starts_at_its_local_midnight() {
        assert_eq!(copenhagen_day_start(date!(2026 - 11 - 23)), Some(time::macros::datetime!(2026-11-22 23:00 UTC)));
        assert_eq!(copenhagen_day_start(date!(2026 - 07 - 01)), Some(time::macros::datetime!(2026-06-30 22:00 UTC)));
        // The days summer time begins and ends start at the offset of the night before.
        assert_eq!(copenhagen_day_start(date!(2026 - 03 - 29)), Some(time::macros::datetime!(2026-03-28 23:00 UTC)));
        assert_eq!(copenhagen_day_start(date!(2026 - 10 - 25)), Some(time::macros::datetime!(2026-10-24 22:00 UTC)));
        assert_eq!(copenhagen_day_start(date!(2026 - 10 - 26)), Some(time::macros::datetime!(2026-10-25 23:00 UTC)));
        assert!(copenhagen_day_start(date!(0000 - 01 - 01)).is_some());
    }

    /// Found by the `validators` fuzz target: `to_offset` panicked past 9999-12-31 22:59 UTC
    /// (a stored time comes from the database, which an imported archive fills).
    #[test]
    fn copenhagen_time_at_the_end_of_the_calendar_does_not_panic() {
        let last = time::macros::datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(copenhagen(last), last);
        assert_eq!(copenhagen(time::macros::datetime!(9999-12-31 22:00 UTC)).hour(), 23);
        let first = time::macros::datetime!(-9999-01-01 00:00 UTC);
        assert_eq!(copenhagen(first).hour(), 1);
    }

    proptest! {
        #[test]
        fn a_deadline_is_a_working_day_after_the_start(days in 1u32..30, offset in 0i64..3650) {
            let start = date!(2024 - 01 - 01) + Duration::days(offset);
            let due = add_working_days(start, days).unwrap();
            prop_assert!(due > start);
            prop_assert!(is_working_day(due));
        }
    }
}
