#!/usr/bin/env python3
"""Checks iCalendar files as Outlook and Google Calendar will read them: the wire format
(UTF-8, CRLF, no blank line, lines folded at 75 octets), a parse with Python's `icalendar`,
each VTIMEZONE against the IANA zone of the same name, each RRULE expanded by dateutil, and
each moved occurrence's RECURRENCE-ID an occurrence of its series.

Usage: scripts/check-ics.py FILE.ics...   (needs `pip install icalendar`)
Exits 0 when every file passes, 1 when one fails, 2 when the checker cannot run.
"""

import sys
from datetime import datetime, timedelta, timezone

try:
    import icalendar
    from dateutil.rrule import rruleset, rrulestr
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError as missing:
    print(f"check-ics: {missing}; install it with `pip install icalendar`", file=sys.stderr)
    sys.exit(2)

MAX_OCTETS = 75


def wire_format(data):
    problems = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    lines = data.split(b"\r\n")[:-1] if data.endswith(b"\r\n") else data.split(b"\r\n")
    for number, line in enumerate(lines, 1):
        if not line:
            problems.append(f"line {number}: blank line")
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: bare CR or LF")
        if len(line) > MAX_OCTETS:
            problems.append(f"line {number}: {len(line)} octets")
    return problems


def sample_instants():
    """Noon UTC every Wednesday of 2020-2040, and every half hour of the last weekend of
    each month, where the EU's (and many other zones') transitions fall."""
    day = datetime(2020, 1, 1, 12, tzinfo=timezone.utc)
    while day.year <= 2040:
        if day.weekday() == 2:
            yield day
        if (day + timedelta(days=7)).month != day.month and day.weekday() == 5:
            for half_hour in range(-24, 4 * 24):
                yield day + timedelta(minutes=30 * half_hour)
        day += timedelta(days=1)


def timezones(calendar):
    """Each VTIMEZONE's rules against the IANA zone of the same name."""
    problems = []
    for vtz in calendar.walk("VTIMEZONE"):
        tzid = str(vtz.get("TZID"))
        ours = vtz.to_tz(lookup_tzid=False)
        try:
            iana = ZoneInfo(tzid)
        except ZoneInfoNotFoundError:
            continue
        for instant in sample_instants():
            expected = instant.astimezone(iana).utcoffset()
            got = instant.astimezone(ours).utcoffset()
            if expected != got:
                problems.append(f"VTIMEZONE {tzid}: offset {got} at {instant:%Y-%m-%d %H:%MZ}, IANA says {expected}")
                break
    return problems


def recurrences(calendar):
    problems = []
    masters = {}
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in event:
                problems.append(f"VEVENT without {required}")
        if "DTSTAMP" in event and event.decoded("DTSTAMP").utcoffset() != timedelta(0):
            problems.append("DTSTAMP not in UTC")
        if "RRULE" in event:
            start = event.decoded("DTSTART")
            rules = rruleset()
            try:
                rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
            except ValueError as e:
                problems.append(f"RRULE {event['RRULE'].to_ical().decode()}: {e}")
                continue
            exdates = event.get("EXDATE", [])
            for group in exdates if isinstance(exdates, list) else [exdates]:
                for exdate in group.dts:
                    rules.exdate(exdate.dt)
            if next(iter(rules), None) is None:
                problems.append(f"series {event['UID']} has no occurrence")
            masters[str(event["UID"])] = rules
    for event in calendar.walk("VEVENT"):
        if "RECURRENCE-ID" not in event:
            continue
        rules = masters.get(str(event.get("UID")))
        planned = event.decoded("RECURRENCE-ID")
        if rules is None:
            problems.append(f"RECURRENCE-ID {planned} without a series of UID {event.get('UID')}")
        elif planned not in rules.between(planned - timedelta(seconds=1), planned + timedelta(seconds=1), inc=True):
            problems.append(f"RECURRENCE-ID {planned} is not an occurrence of series {event.get('UID')}")
    return problems


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    problems = wire_format(data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as e:
        return problems + [f"does not parse: {e}"]
    for component in calendar.walk():
        for prop, error in getattr(component, "errors", []):
            problems.append(f"{component.name} {prop}: {error}")
    for required in ("VERSION", "PRODID"):
        if required not in calendar:
            problems.append(f"VCALENDAR without {required}")
    problems += timezones(calendar)
    problems += recurrences(calendar)
    return problems


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        problems = check(path)
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        if problems:
            failed += 1
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
