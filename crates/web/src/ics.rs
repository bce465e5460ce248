//! iCalendar files (RFC 5545) for coordination meetings: one meeting, or a series with its
//! moved and cancelled occurrences, in Copenhagen wall time, for Outlook and Google Calendar.
//! Pure text building: no organizer, no attendees, no names; the caller passes `dtstamp`.

use std::num::NonZeroU32;
use time::macros::time;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset, Weekday};

/// The media type to serve the files with.
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

const TZID: &str = "Europe/Copenhagen";

/// RFC 5545 §3.1: content lines are folded so no physical line exceeds 75 octets (CRLF not
/// counted).
const MAX_LINE_OCTETS: usize = 75;

const HEADER: &[&str] =
    &["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Infohus//Infohus//DA", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"];

/// Copenhagen as calendars need it: the EU rule (since 1996) for CET and CEST. Onsets start
/// in 1970, when the last Sundays of March and October were the 29th and the 25th.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Copenhagen",
    "X-LIC-LOCATION:Europe/Copenhagen",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// One meeting on its own. Every text must be free of personal data: it ends up in
/// calendars outside Infohus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsMeeting {
    /// Stable across exports, e.g. `<meeting id>@infohus`, so a re-import updates the event.
    pub uid: String,
    /// Grows whenever the meeting is moved or cancelled.
    pub sequence: u32,
    /// E.g. "Koordineringsmøde, Infohus København"; never a person.
    pub summary: String,
    /// Copenhagen wall time.
    pub start: PrimitiveDateTime,
    pub duration_minutes: u32,
    pub location: Option<String>,
    /// The video link or the meeting's page in Infohus. Also appended to the description,
    /// as neither Outlook nor Google Calendar shows `URL`.
    pub url: Option<String>,
    pub description: Option<String>,
    pub cancelled: bool,
}

/// A recurring meeting: the rule, and the occurrences that no longer follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsSeries {
    pub uid: String,
    /// Grows whenever the rule or any occurrence changes (the sum of the meetings' sequences
    /// does), so calendars take a re-import as newer.
    pub sequence: u32,
    pub summary: String,
    /// Copenhagen wall time; the rule keeps this wall time across daylight saving.
    pub first_start: PrimitiveDateTime,
    pub duration_minutes: u32,
    /// Whole weeks become `FREQ=WEEKLY` on the first start's weekday, others `FREQ=DAILY`.
    pub interval_days: NonZeroU32,
    /// The latest start the rule may produce, inclusive, in Copenhagen wall time.
    pub until: Option<PrimitiveDateTime>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// Moved and cancelled occurrences, in any order; one per planned start (the first wins).
    pub exceptions: Vec<IcsOccurrence>,
}

/// An occurrence of a series that no longer follows the rule. A cancelled one becomes an
/// `EXDATE` (what Google itself writes, and what every client honours); a moved one an
/// override with the series' UID and `RECURRENCE-ID`, summary and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsOccurrence {
    /// The start the rule gave it, in Copenhagen wall time: identifies the occurrence.
    pub planned_start: PrimitiveDateTime,
    pub sequence: u32,
    /// Where it now is; `location` and `url` are the occurrence's own, not the series'.
    pub start: PrimitiveDateTime,
    pub duration_minutes: u32,
    pub location: Option<String>,
    pub url: Option<String>,
    pub cancelled: bool,
}

/// One meeting as a whole `.ics` file.
pub fn meeting_ics(m: &IcsMeeting, dtstamp: OffsetDateTime) -> String {
    let mut ics = Ics::begin();
    let stamp = utc(dtstamp);
    ics.raw("BEGIN:VEVENT");
    ics.text("UID", &m.uid);
    ics.raw(&format!("DTSTAMP:{stamp}"));
    ics.raw(&format!("SEQUENCE:{}", m.sequence));
    ics.when(m.start, m.duration_minutes);
    ics.details(&m.summary, m.location.as_deref(), m.description.as_deref(), m.url.as_deref());
    ics.status(m.cancelled);
    ics.raw("END:VEVENT");
    ics.end()
}

/// A series as a whole `.ics` file: the recurring event, then one override per moved
/// occurrence.
pub fn series_ics(s: &IcsSeries, dtstamp: OffsetDateTime) -> String {
    let mut exceptions: Vec<&IcsOccurrence> = s.exceptions.iter().collect();
    exceptions.sort_by_key(|o| o.planned_start);
    exceptions.dedup_by_key(|o| o.planned_start);

    let mut ics = Ics::begin();
    let stamp = utc(dtstamp);
    ics.raw("BEGIN:VEVENT");
    ics.text("UID", &s.uid);
    ics.raw(&format!("DTSTAMP:{stamp}"));
    ics.raw(&format!("SEQUENCE:{}", s.sequence));
    ics.when(s.first_start, s.duration_minutes);
    ics.raw(&format!("RRULE:{}", rrule(s)));
    for cancelled in exceptions.iter().filter(|o| o.cancelled) {
        ics.raw(&format!("EXDATE;TZID={TZID}:{}", local(cancelled.planned_start)));
    }
    ics.details(&s.summary, s.location.as_deref(), s.description.as_deref(), s.url.as_deref());
    ics.status(false);
    ics.raw("END:VEVENT");

    for moved in exceptions.iter().filter(|o| !o.cancelled) {
        ics.raw("BEGIN:VEVENT");
        ics.text("UID", &s.uid);
        ics.raw(&format!("DTSTAMP:{stamp}"));
        ics.raw(&format!("RECURRENCE-ID;TZID={TZID}:{}", local(moved.planned_start)));
        // Some clients drop an override older than its master.
        ics.raw(&format!("SEQUENCE:{}", moved.sequence.max(s.sequence)));
        ics.when(moved.start, moved.duration_minutes);
        ics.details(&s.summary, moved.location.as_deref(), s.description.as_deref(), moved.url.as_deref());
        ics.status(false);
        ics.raw("END:VEVENT");
    }
    ics.end()
}

/// The RRULE value: whole weeks as `WEEKLY` on the start's weekday, as Outlook and Google
/// write it themselves; anything else as `DAILY`. `UNTIL` is in UTC, as RFC 5545 demands
/// when `DTSTART` has a `TZID`.
fn rrule(s: &IcsSeries) -> String {
    let days = s.interval_days.get();
    let mut rule = if days.is_multiple_of(7) {
        let weeks = days / 7;
        let interval = if weeks > 1 { format!(";INTERVAL={weeks}") } else { String::new() };
        format!("FREQ=WEEKLY{interval};BYDAY={}", weekday_code(s.first_start.weekday()))
    } else if days > 1 {
        format!("FREQ=DAILY;INTERVAL={days}")
    } else {
        "FREQ=DAILY".to_owned()
    };
    if let Some(until) = s.until {
        rule.push_str(";UNTIL=");
        rule.push_str(&local(copenhagen_to_utc(until)));
        rule.push('Z');
    }
    rule
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

/// The UTC time of a Copenhagen wall time by the EU rule: CEST from the last Sunday of
/// March 02:00 CET to the last Sunday of October 03:00 CEST. The October hour that occurs
/// twice is read as its later (CET) instance and the skipped March hour as CET, so an
/// `UNTIL` at such a time still includes an occurrence there.
fn copenhagen_to_utc(wall: PrimitiveDateTime) -> PrimitiveDateTime {
    let year = wall.year();
    let summer = match (last_sunday(year, Month::March), last_sunday(year, Month::October)) {
        (Some(march), Some(october)) => wall >= march.with_time(time!(3:00)) && wall < october.with_time(time!(2:00)),
        _ => false,
    };
    let offset = if summer { 2 } else { 1 };
    wall.checked_sub(Duration::hours(offset)).unwrap_or(wall)
}

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    last.checked_sub(Duration::days(last.weekday().number_days_from_sunday().into()))
}

/// `YYYYMMDDTHHMMSS`, the form of a local or (with `Z`) a UTC DATE-TIME.
fn local(t: PrimitiveDateTime) -> String {
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

fn utc(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!("{}Z", local(PrimitiveDateTime::new(t.date(), t.time())))
}

/// TEXT value escaping (RFC 5545 §3.3.11). Any line break becomes `\n`; other control
/// characters, which TEXT does not admit, are dropped (a stray one would break the line
/// structure or make Outlook reject the file).
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value is not TEXT-escaped, so anything that could end the line must go: control
/// characters are dropped and spaces encoded.
fn clean_uri(value: &str) -> String {
    value.trim().chars().filter(|c| !c.is_control()).collect::<String>().replace(' ', "%20")
}

fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// The file being written: content lines, folded, each ended by CRLF.
struct Ics {
    out: String,
}

impl Ics {
    fn begin() -> Ics {
        let mut ics = Ics { out: String::with_capacity(2048) };
        for line in HEADER.iter().chain(VTIMEZONE) {
            ics.raw(line);
        }
        ics
    }

    fn end(mut self) -> String {
        self.raw("END:VCALENDAR");
        self.out
    }

    /// A content line whose value is already in its final form.
    fn raw(&mut self, line: &str) {
        fold_into(&mut self.out, line);
    }

    fn text(&mut self, name: &str, value: &str) {
        self.raw(&format!("{name}:{}", escape_text(value)));
    }

    /// `DTSTART` and `DTEND` in Copenhagen time; `DURATION` only where the end would fall
    /// outside the calendar `time` can represent.
    fn when(&mut self, start: PrimitiveDateTime, duration_minutes: u32) {
        self.raw(&format!("DTSTART;TZID={TZID}:{}", local(start)));
        match start.checked_add(Duration::minutes(duration_minutes.into())) {
            Some(end) => self.raw(&format!("DTEND;TZID={TZID}:{}", local(end))),
            None => self.raw(&format!("DURATION:PT{duration_minutes}M")),
        }
    }

    fn details(&mut self, summary: &str, location: Option<&str>, description: Option<&str>, url: Option<&str>) {
        self.text("SUMMARY", summary);
        if let Some(location) = present(location) {
            self.text("LOCATION", location);
        }
        let url = present(url).map(clean_uri);
        let description = match (present(description), url.as_deref()) {
            (Some(text), Some(url)) => Some(format!("{text}\n\n{url}")),
            (Some(text), None) => Some(text.to_owned()),
            (None, Some(url)) => Some(url.to_owned()),
            (None, None) => None,
        };
        if let Some(description) = description {
            self.text("DESCRIPTION", &description);
        }
        if let Some(url) = url {
            self.raw(&format!("URL:{url}"));
        }
    }

    fn status(&mut self, cancelled: bool) {
        self.raw(if cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
    }
}

/// Appends `line` folded at 75 octets, never inside a UTF-8 character nor between a
/// backslash and the character it escapes (legal, but some importers unescape before they
/// unfold). A continuation line starts with one space, which counts towards its 75.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        let mut end = at + c.len_utf8();
        if c == '\\'
            && let Some((next_at, next)) = chars.next()
        {
            end = next_at + next.len_utf8();
        }
        let unit = &line[at..end];
        if used + unit.len() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push_str(unit);
        used += unit.len();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{Component, read_calendar_simple, unfold};
    use icalendar::{CalendarComponent, CalendarDateTime, Component as _, DatePerhapsTime, EventStatus};
    use time::macros::datetime;

    const STAMP: OffsetDateTime = datetime!(2026-03-02 08:15:00 +01:00);
    const LONG: &str = "Fast koordineringsmøde i infohuset: status på sager, nye henvisninger og \
        opfølgning på aftaler; husk at tjekke dagsordenen i Infohus, før mødet begynder. \
        Spørgsmål til mødet, f.eks. om lokaler\\adgang, sendes til sekretariatet.\n\nVel mødt!";

    fn meeting() -> IcsMeeting {
        IcsMeeting {
            uid: "0190f6a2-7b3c-7d4e-8f00-1234567890ab@infohus".to_owned(),
            sequence: 2,
            summary: "Koordineringsmøde, Infohus København; æøå ÆØÅ".to_owned(),
            start: datetime!(2026-06-11 09:00),
            duration_minutes: 90,
            location: Some("Rådhuspladsen 1, mødelokale 3".to_owned()),
            url: None,
            description: Some(LONG.to_owned()),
            cancelled: false,
        }
    }

    fn series() -> IcsSeries {
        IcsSeries {
            uid: "0190f6a2-0000-7000-8000-000000000001@infohus".to_owned(),
            sequence: 3,
            summary: "Koordineringsmøde, Infohus København".to_owned(),
            first_start: datetime!(2026-01-08 09:00),
            duration_minutes: 120,
            interval_days: NonZeroU32::new(14).unwrap(),
            until: Some(datetime!(2026-12-17 09:00)),
            location: Some("Infohus København, lokale 2".to_owned()),
            url: Some("https://infohus.example/moeder/serie/1".to_owned()),
            description: Some("Dagsorden og referat findes i Infohus.".to_owned()),
            exceptions: vec![
                // Given out of order on purpose: the output is sorted by planned start.
                IcsOccurrence {
                    planned_start: datetime!(2026-04-02 09:00),
                    sequence: 1,
                    start: datetime!(2026-04-02 09:00),
                    duration_minutes: 120,
                    location: None,
                    url: None,
                    cancelled: true,
                },
                IcsOccurrence {
                    planned_start: datetime!(2026-03-05 09:00),
                    sequence: 4,
                    start: datetime!(2026-03-06 13:30),
                    duration_minutes: 90,
                    location: Some("Politigården, lokale 7".to_owned()),
                    url: Some("https://video.example/rum/42".to_owned()),
                    cancelled: false,
                },
            ],
        }
    }

    /// The one VCALENDAR in `unfolded` (an unfolded file: `unfold(&ics)`), as the parser
    /// reads it.
    fn parse(unfolded: &str) -> Component<'_> {
        let mut roots = read_calendar_simple(unfolded).unwrap_or_else(|e| panic!("{e:?}\n{unfolded}"));
        assert_eq!(roots.len(), 1, "one VCALENDAR");
        let root = roots.remove(0);
        assert_eq!(root.name.as_str(), "VCALENDAR");
        root
    }

    fn value<'a>(c: &'a Component<'_>, name: &str) -> &'a str {
        c.find_prop(name).unwrap_or_else(|| panic!("{} has no {name}", c.name.as_str())).val.as_str()
    }

    fn values<'a>(c: &'a Component<'_>, name: &str) -> Vec<&'a str> {
        c.properties.iter().filter(|p| p.name == name).map(|p| p.val.as_str()).collect()
    }

    fn param<'a>(c: &'a Component<'_>, name: &str, key: &str) -> Option<&'a str> {
        c.find_prop(name)?.params.iter().find(|p| p.key == key)?.val.as_ref().map(|v| v.as_str())
    }

    fn names(c: &Component<'_>) -> Vec<String> {
        c.properties.iter().map(|p| p.name.as_str().to_owned()).collect()
    }

    fn typed_events(ics: &str) -> Vec<icalendar::Event> {
        let calendar: icalendar::Calendar = ics.parse().unwrap_or_else(|e| panic!("{e}"));
        calendar
            .components
            .into_iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn copenhagen(t: Option<DatePerhapsTime>) -> String {
        match t {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                assert_eq!(tzid, TZID);
                date_time.format("%Y-%m-%d %H:%M").to_string()
            }
            other => panic!("not a Copenhagen date-time: {other:?}"),
        }
    }

    fn assert_wire_format(ics: &str) {
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.contains("\r\n\r\n"), "no blank line");
        let body = ics.strip_suffix("\r\n").unwrap();
        for line in body.split("\r\n") {
            assert!(!line.is_empty(), "no blank line");
            assert!(line.len() <= MAX_LINE_OCTETS, "{} octets: {line:?}", line.len());
            assert!(!line.contains(['\r', '\n']), "a bare CR or LF: {line:?}");
        }
    }

    fn assert_vtimezone(tz: &Component<'_>) {
        assert_eq!(tz.name.as_str(), "VTIMEZONE");
        assert_eq!(value(tz, "TZID"), TZID);
        let [daylight, standard] = &tz.components[..] else { panic!("two observances") };
        assert_eq!(daylight.name.as_str(), "DAYLIGHT");
        assert_eq!(
            [value(daylight, "TZOFFSETFROM"), value(daylight, "TZOFFSETTO"), value(daylight, "TZNAME")],
            ["+0100", "+0200", "CEST"]
        );
        assert_eq!(value(daylight, "DTSTART"), "19700329T020000");
        assert_eq!(value(daylight, "RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
        assert_eq!(standard.name.as_str(), "STANDARD");
        assert_eq!(
            [value(standard, "TZOFFSETFROM"), value(standard, "TZOFFSETTO"), value(standard, "TZNAME")],
            ["+0200", "+0100", "CET"]
        );
        assert_eq!(value(standard, "DTSTART"), "19701025T030000");
        assert_eq!(value(standard, "RRULE"), "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
    }

    fn assert_calendar_header(root: &Component<'_>) {
        assert_eq!(names(root), ["VERSION", "PRODID", "CALSCALE", "METHOD"]);
        assert_eq!(value(root, "VERSION"), "2.0");
        assert_eq!(value(root, "PRODID"), "-//Infohus//Infohus//DA");
        assert_eq!(value(root, "CALSCALE"), "GREGORIAN");
        assert_eq!(value(root, "METHOD"), "PUBLISH");
    }

    #[test]
    fn a_meeting_parses_as_one_event_in_copenhagen_time() {
        let ics = meeting_ics(&meeting(), STAMP);
        assert_wire_format(&ics);
        let text = unfold(&ics);
        let root = parse(&text);
        assert_calendar_header(&root);
        assert_vtimezone(&root.components[0]);

        let event = &root.components[1];
        assert_eq!(event.name.as_str(), "VEVENT");
        assert_eq!(
            names(event),
            ["UID", "DTSTAMP", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS"]
        );
        assert_eq!(value(event, "UID"), "0190f6a2-7b3c-7d4e-8f00-1234567890ab@infohus");
        assert_eq!(value(event, "DTSTAMP"), "20260302T071500Z");
        assert_eq!(value(event, "SEQUENCE"), "2");
        assert_eq!(param(event, "DTSTART", "TZID"), Some(TZID));
        assert_eq!(value(event, "DTSTART"), "20260611T090000");
        assert_eq!(param(event, "DTEND", "TZID"), Some(TZID));
        assert_eq!(value(event, "DTEND"), "20260611T103000");
        assert_eq!(value(event, "SUMMARY"), "Koordineringsmøde, Infohus København; æøå ÆØÅ");
        assert_eq!(value(event, "LOCATION"), "Rådhuspladsen 1, mødelokale 3");
        assert_eq!(value(event, "STATUS"), "CONFIRMED");

        let [typed] = &typed_events(&ics)[..] else { panic!("one event") };
        assert_eq!(copenhagen(typed.get_start()), "2026-06-11 09:00");
        assert_eq!(copenhagen(typed.get_end()), "2026-06-11 10:30");
        assert_eq!(typed.get_summary(), Some("Koordineringsmøde, Infohus København; æøå ÆØÅ"));
        assert_eq!(typed.get_sequence(), Some(2));
        assert_eq!(typed.get_status(), Some(EventStatus::Confirmed));
    }

    #[test]
    fn text_is_escaped_on_the_wire_and_round_trips() {
        let ics = meeting_ics(&meeting(), STAMP);
        assert!(ics.contains("SUMMARY:Koordineringsmøde\\, Infohus København\\; æøå ÆØÅ\r\n"));
        let unfolded = unfold(&ics);
        assert!(unfolded.contains("lokaler\\\\adgang"));
        assert!(unfolded.contains("sekretariatet.\\n\\nVel mødt!\r\n"));
        assert_eq!(value(&parse(&unfolded).components[1], "SUMMARY"), meeting().summary);
    }

    #[test]
    fn a_long_description_is_folded_and_unfolds_to_the_original() {
        let ics = meeting_ics(&meeting(), STAMP);
        let folded =
            ics.split("\r\n").skip_while(|l| !l.starts_with("DESCRIPTION:")).take_while(|l| !l.starts_with("STATUS"));
        assert!(folded.count() > 3, "the description spans several physical lines");
        let text = unfold(&ics);
        let root = parse(&text);
        assert_eq!(value(&root.components[1], "DESCRIPTION"), LONG);
        let [typed] = &typed_events(&ics)[..] else { panic!("one event") };
        assert_eq!(typed.get_description(), Some(LONG));
    }

    #[test]
    fn folding_never_splits_a_danish_letter_or_an_escape() {
        for pad in 0..8 {
            let summary = format!("{}{}", "x".repeat(pad), "æø,å\\;".repeat(40));
            let ics = meeting_ics(&IcsMeeting { summary: summary.clone(), ..meeting() }, STAMP);
            assert_wire_format(&ics);
            for line in ics.split("\r\n") {
                assert!(!line.ends_with('\\') || line.ends_with("\\\\"), "escape split: {line:?}");
            }
            assert_eq!(value(&parse(&unfold(&ics)).components[1], "SUMMARY"), summary);
        }
    }

    #[test]
    fn a_cancelled_meeting_says_so() {
        let ics = meeting_ics(&IcsMeeting { cancelled: true, sequence: 3, ..meeting() }, STAMP);
        let text = unfold(&ics);
        let root = parse(&text);
        assert_eq!(value(&root.components[1], "STATUS"), "CANCELLED");
        assert_eq!(value(&root.components[1], "SEQUENCE"), "3");
        assert_eq!(typed_events(&ics)[0].get_status(), Some(EventStatus::Cancelled));
    }

    #[test]
    fn a_link_is_a_url_and_ends_the_description() {
        let url = "https://video.example/rum/42";
        let with_text = meeting_ics(&IcsMeeting { url: Some(url.to_owned()), ..meeting() }, STAMP);
        let text = unfold(&with_text);
        let root = parse(&text);
        let event = &root.components[1];
        assert_eq!(value(event, "URL"), url);
        assert_eq!(value(event, "DESCRIPTION"), format!("{LONG}\n\n{url}"));

        let alone = meeting_ics(&IcsMeeting { url: Some(url.to_owned()), description: None, ..meeting() }, STAMP);
        assert_eq!(value(&parse(&unfold(&alone)).components[1], "DESCRIPTION"), url);
    }

    #[test]
    fn control_characters_cannot_inject_lines() {
        let m = IcsMeeting {
            summary: "Møde\r\nATTENDEE:mailto:x@example.org\u{0}".to_owned(),
            url: Some("https://x.example/a\r\nORGANIZER:mailto:y@example.org".to_owned()),
            location: Some("   ".to_owned()),
            ..meeting()
        };
        let ics = meeting_ics(&m, STAMP);
        assert_wire_format(&ics);
        let text = unfold(&ics);
        let root = parse(&text);
        let event = &root.components[1];
        assert!(event.find_prop("ATTENDEE").is_none() && event.find_prop("ORGANIZER").is_none());
        assert!(event.find_prop("LOCATION").is_none(), "a blank location is left out");
        assert_eq!(value(event, "SUMMARY"), "Møde\nATTENDEE:mailto:x@example.org");
        assert_eq!(value(event, "URL"), "https://x.example/aORGANIZER:mailto:y@example.org");
    }

    #[test]
    fn a_series_has_its_rule_a_cancelled_date_and_a_moved_occurrence() {
        let ics = series_ics(&series(), STAMP);
        assert_wire_format(&ics);
        let text = unfold(&ics);
        let root = parse(&text);
        assert_calendar_header(&root);
        assert_eq!(root.components.len(), 3);
        assert_vtimezone(&root.components[0]);

        let master = &root.components[1];
        assert_eq!(master.name.as_str(), "VEVENT");
        assert_eq!(value(master, "UID"), "0190f6a2-0000-7000-8000-000000000001@infohus");
        assert_eq!(value(master, "SEQUENCE"), "3");
        assert_eq!(value(master, "DTSTART"), "20260108T090000");
        assert_eq!(param(master, "DTSTART", "TZID"), Some(TZID));
        assert_eq!(value(master, "DTEND"), "20260108T110000");
        // 09:00 CET on 17 December is 08:00 UTC.
        assert_eq!(value(master, "RRULE"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20261217T080000Z");
        assert_eq!(values(master, "EXDATE"), ["20260402T090000"]);
        assert_eq!(param(master, "EXDATE", "TZID"), Some(TZID));
        assert_eq!(value(master, "SUMMARY"), "Koordineringsmøde, Infohus København");
        assert_eq!(value(master, "LOCATION"), "Infohus København, lokale 2");
        assert_eq!(
            value(master, "DESCRIPTION"),
            "Dagsorden og referat findes i Infohus.\n\nhttps://infohus.example/moeder/serie/1"
        );
        assert_eq!(value(master, "URL"), "https://infohus.example/moeder/serie/1");
        assert_eq!(value(master, "STATUS"), "CONFIRMED");
        assert!(master.find_prop("RECURRENCE-ID").is_none());

        let moved = &root.components[2];
        assert_eq!(moved.name.as_str(), "VEVENT");
        assert_eq!(value(moved, "UID"), value(master, "UID"));
        assert_eq!(value(moved, "RECURRENCE-ID"), "20260305T090000");
        assert_eq!(param(moved, "RECURRENCE-ID", "TZID"), Some(TZID));
        assert_eq!(value(moved, "SEQUENCE"), "4");
        assert_eq!(value(moved, "DTSTART"), "20260306T133000");
        assert_eq!(value(moved, "DTEND"), "20260306T150000");
        assert_eq!(value(moved, "SUMMARY"), "Koordineringsmøde, Infohus København");
        assert_eq!(value(moved, "LOCATION"), "Politigården, lokale 7");
        assert_eq!(value(moved, "URL"), "https://video.example/rum/42");
        assert_eq!(value(moved, "STATUS"), "CONFIRMED");
        assert!(moved.find_prop("RRULE").is_none() && moved.find_prop("EXDATE").is_none());

        let [master, moved] = &typed_events(&ics)[..] else { panic!("two events") };
        assert_eq!(copenhagen(master.get_start()), "2026-01-08 09:00");
        assert_eq!(copenhagen(moved.get_recurrence_id()), "2026-03-05 09:00");
        assert_eq!(copenhagen(moved.get_start()), "2026-03-06 13:30");
    }

    #[test]
    fn a_moved_occurrence_is_never_older_than_its_series() {
        let mut s = series();
        s.sequence = 9;
        let text = unfold(&series_ics(&s, STAMP));
        let root = parse(&text);
        assert_eq!(value(&root.components[2], "SEQUENCE"), "9");
    }

    #[test]
    fn intervals_become_weekly_or_daily_rules() {
        let rule = |days: u32, until| {
            let interval_days = NonZeroU32::new(days).unwrap();
            rrule(&IcsSeries { interval_days, until, exceptions: vec![], ..series() })
        };
        assert_eq!(rule(7, None), "FREQ=WEEKLY;BYDAY=TH");
        assert_eq!(rule(14, None), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH");
        assert_eq!(rule(28, None), "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH");
        assert_eq!(rule(1, None), "FREQ=DAILY");
        assert_eq!(rule(10, None), "FREQ=DAILY;INTERVAL=10");
        // 09:00 CEST in June is 07:00 UTC.
        assert_eq!(
            rule(14, Some(datetime!(2026-06-25 09:00))),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20260625T070000Z"
        );
    }

    #[test]
    fn until_is_converted_from_copenhagen_time_at_the_daylight_saving_edges() {
        let cases = [
            (datetime!(2026-03-29 01:59), datetime!(2026-03-29 00:59)),
            (datetime!(2026-03-29 03:00), datetime!(2026-03-29 01:00)),
            (datetime!(2026-10-25 01:59), datetime!(2026-10-24 23:59)),
            (datetime!(2026-10-25 02:30), datetime!(2026-10-25 01:30)),
            (datetime!(2026-10-25 03:00), datetime!(2026-10-25 02:00)),
            (datetime!(2027-03-28 09:00), datetime!(2027-03-28 07:00)),
            (datetime!(2027-03-27 09:00), datetime!(2027-03-27 08:00)),
        ];
        for (wall, expected) in cases {
            assert_eq!(copenhagen_to_utc(wall), expected, "{wall}");
        }
    }

    #[test]
    fn exceptions_are_sorted_and_one_per_planned_start() {
        let mut s = series();
        s.exceptions.reverse();
        let mut duplicate = s.exceptions[0].clone();
        duplicate.start = datetime!(2026-03-07 10:00);
        s.exceptions.push(duplicate);
        assert_eq!(series_ics(&s, STAMP), series_ics(&series(), STAMP));
    }

    #[test]
    fn the_parser_used_here_rejects_a_broken_file() {
        let ics = meeting_ics(&meeting(), STAMP);
        let truncated = ics.replace("END:VEVENT\r\n", "");
        assert!(read_calendar_simple(&unfold(&truncated)).is_err());
        let unfolded_badly = ics.replace("\r\n ", "\r\n");
        assert!(read_calendar_simple(&unfolded_badly).is_err());
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(meeting_ics(&meeting(), STAMP), meeting_ics(&meeting(), STAMP));
        assert_eq!(series_ics(&series(), STAMP), series_ics(&series(), STAMP));
        let other_offset = STAMP.to_offset(UtcOffset::UTC);
        assert_eq!(meeting_ics(&meeting(), STAMP), meeting_ics(&meeting(), other_offset));
    }

    #[test]
    fn an_end_beyond_the_calendar_falls_back_to_a_duration() {
        let m = IcsMeeting { start: datetime!(9999-12-31 23:00), duration_minutes: 120, ..meeting() };
        let text = unfold(&meeting_ics(&m, STAMP));
        let root = parse(&text);
        let event = &root.components[1];
        assert!(event.find_prop("DTEND").is_none());
        assert_eq!(value(event, "DURATION"), "PT120M");
    }

    /// Writes sample files for `scripts/check-ics.py` when `INFOHUS_ICS_OUT` names a folder.
    #[test]
    fn writes_samples_for_the_external_check() {
        let Some(dir) = std::env::var_os("INFOHUS_ICS_OUT") else { return };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("meeting.ics"), meeting_ics(&meeting(), STAMP)).unwrap();
        let cancelled = IcsMeeting { cancelled: true, ..meeting() };
        std::fs::write(dir.join("meeting-cancelled.ics"), meeting_ics(&cancelled, STAMP)).unwrap();
        std::fs::write(dir.join("series.ics"), series_ics(&series(), STAMP)).unwrap();
    }
}
