//! Calendar files (`infohus_web::ics`) for meetings and series whose texts (summary,
//! location, description, link) were typed by users, at any time `time` can represent.
//! Whatever the texts, the file keeps RFC 5545's line structure: CRLF line ends, physical
//! lines of at most 75 octets, continuation lines starting with a space, balanced
//! BEGIN/END, and every text value unescapes to the text given (less control characters).

#![no_main]

use infohus_web::ics::{IcsMeeting, IcsOccurrence, IcsSeries, meeting_ics, series_ics};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::num::NonZeroU32;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let dtstamp = offset_date_time(u)?;
    if u.arbitrary::<bool>()? {
        let meeting = IcsMeeting {
            uid: u.arbitrary()?,
            sequence: u.arbitrary()?,
            summary: u.arbitrary()?,
            start: wall_time(u)?,
            duration_minutes: u.arbitrary()?,
            location: u.arbitrary()?,
            url: u.arbitrary()?,
            description: u.arbitrary()?,
            cancelled: u.arbitrary()?,
        };
        let file = meeting_ics(&meeting, dtstamp);
        let lines = check_file(&file);
        check_text(&lines, "UID", &meeting.uid);
        check_text(&lines, "SUMMARY", &meeting.summary);
    } else {
        let mut exceptions = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            exceptions.push(IcsOccurrence {
                planned_start: wall_time(u)?,
                sequence: u.arbitrary()?,
                start: wall_time(u)?,
                duration_minutes: u.arbitrary()?,
                location: u.arbitrary()?,
                url: u.arbitrary()?,
                cancelled: u.arbitrary()?,
            });
        }
        let series = IcsSeries {
            uid: u.arbitrary()?,
            sequence: u.arbitrary()?,
            summary: u.arbitrary()?,
            first_start: wall_time(u)?,
            duration_minutes: u.arbitrary()?,
            interval_days: NonZeroU32::new(u.arbitrary()?).unwrap_or(NonZeroU32::MIN),
            until: if u.arbitrary()? { Some(wall_time(u)?) } else { None },
            location: u.arbitrary()?,
            url: u.arbitrary()?,
            description: u.arbitrary()?,
            exceptions,
        };
        let file = series_ics(&series, dtstamp);
        let lines = check_file(&file);
        check_text(&lines, "UID", &series.uid);
        check_text(&lines, "SUMMARY", &series.summary);
        let events = lines.iter().filter(|l| *l == "BEGIN:VEVENT").count();
        let mut planned: Vec<_> = series.exceptions.iter().map(|o| o.planned_start).collect();
        planned.sort();
        planned.dedup();
        assert!(events >= 1 && events <= 1 + planned.len());
    }
    Ok(())
}

fn date(u: &mut Unstructured<'_>) -> Result<Date> {
    let (min, max) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
    // Mostly near today, sometimes anywhere, including the ends of the range.
    let julian = if u.ratio(3, 4)? {
        Date::from_calendar_date(2026, time::Month::January, 1).map(Date::to_julian_day).unwrap_or(0)
            + i32::from(u.arbitrary::<i16>()?)
    } else {
        u.int_in_range(min..=max)?
    };
    Ok(Date::from_julian_day(julian.clamp(min, max)).unwrap_or(Date::MIN))
}

fn wall_time(u: &mut Unstructured<'_>) -> Result<PrimitiveDateTime> {
    let time = Time::from_hms(u.int_in_range(0..=23)?, u.int_in_range(0..=59)?, 0).unwrap_or(Time::MIDNIGHT);
    Ok(PrimitiveDateTime::new(date(u)?, time))
}

fn offset_date_time(u: &mut Unstructured<'_>) -> Result<OffsetDateTime> {
    let offset = UtcOffset::from_whole_seconds(u.int_in_range(-86_399..=86_399)?).unwrap_or(UtcOffset::UTC);
    Ok(wall_time(u)?.assume_offset(offset))
}

/// Checks the physical lines and returns the unfolded content lines.
fn check_file(file: &str) -> Vec<String> {
    assert!(file.ends_with("\r\n"));
    let mut content: Vec<String> = Vec::new();
    for line in file[..file.len() - 2].split("\r\n") {
        assert!(line.len() <= 75, "a physical line of {} octets: {line:?}", line.len());
        assert!(!line.contains(['\r', '\n']), "a stray line break in {line:?}");
        assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "a control character in {line:?}");
        match line.strip_prefix(' ') {
            Some(rest) => content.last_mut().expect("a continuation follows a line").push_str(rest),
            None => content.push(line.to_owned()),
        }
    }
    assert_eq!(content.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(content.last().map(String::as_str), Some("END:VCALENDAR"));
    let mut open: Vec<&str> = Vec::new();
    for line in &content {
        let name_end = line.find([':', ';']).expect("every content line has a name");
        let name = &line[..name_end];
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'-'), "name {name:?}");
        if let Some(component) = line.strip_prefix("BEGIN:") {
            open.push(component);
        } else if let Some(component) = line.strip_prefix("END:") {
            assert_eq!(open.pop(), Some(component));
        }
    }
    assert!(open.is_empty());
    content
}

/// The value of every `NAME:` line unescapes to `given` with line breaks as `\n` and other
/// control characters dropped.
fn check_text(lines: &[String], name: &str, given: &str) {
    let mut expected = String::new();
    let mut chars = given.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                expected.push('\n');
            }
            '\n' | '\t' => expected.push(c),
            c if c.is_control() => {}
            c => expected.push(c),
        }
    }
    let prefix = format!("{name}:");
    let values: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix(prefix.as_str())).collect();
    assert!(!values.is_empty());
    for value in values {
        assert_eq!(unescape(value), expected, "{name} of {given:?}");
    }
}

fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other @ ('\\' | ';' | ',')) => out.push(other),
                other => panic!("a bad escape \\{other:?} in {value:?}"),
            }
        } else {
            assert!(!matches!(c, ';' | ','), "an unescaped {c:?} in {value:?}");
            out.push(c);
        }
    }
    out
}
