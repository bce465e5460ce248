//! Query strings, form bodies, single form fields and the authentication headers, read by
//! the same functions the handlers use. The first byte picks the reader; the rest is input.
//!
//! - API query strings: `limit` is 1..=100, the inbox filter and the access-log search hold
//!   only values of their code sets, and refusals are 400 or 422 on a named parameter.
//! - The auditor's search page: the filters it writes back into its links read back as the
//!   same search.
//! - Form bodies and the referral form; dates and times as the pages and the API read them.
//! - `Authorization: Bearer` and `Cookie` headers.

#![no_main]

use infohus_domain::referral::DEFAULT_CONCERN_CATEGORIES;
use infohus_web::fuzzing::{self, Refusal};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let raw = String::from_utf8_lossy(rest);
    match selector % 8 {
        0 => api_query(&raw),
        1 => audit_page(&raw),
        2 => form(rest),
        3 => referral_form(rest),
        4 => dates(&raw),
        5 => times(&raw, rest),
        6 => bearer(rest),
        _ => cookies(rest),
    }
});

fn check_refusal(refusal: &Refusal, fields: &[&str]) {
    match refusal.status {
        400 => assert_eq!(refusal.code, "malformed"),
        422 => {
            assert!(!refusal.fields.is_empty());
            for field in &refusal.fields {
                assert!(fields.contains(&field.field.as_str()), "unexpected field {:?}", field.field);
            }
        }
        other => panic!("unexpected status {other}"),
    }
}

fn api_query(raw: &str) {
    let Ok(query) = fuzzing::api_query(Some(raw)) else {
        // Only a query string that is not urlencoded is refused as a whole.
        let refusal = fuzzing::api_query(Some(raw)).unwrap_err();
        assert_eq!(refusal.status, 400);
        assert!(fuzzing::query_value(Some(raw), "limit").is_err());
        return;
    };
    let limit = fuzzing::query_value(Some(raw), "limit").unwrap();
    match query.limit {
        Ok(n) => {
            assert!((1..=100).contains(&n));
            assert!(limit.is_none() || limit.as_deref().and_then(|l| l.parse::<u32>().ok()) == Some(n));
        }
        Err(refusal) => check_refusal(&refusal, &["limit"]),
    }
    match query.inbox {
        Ok(filter) => {
            if let Some(category) = &filter.concern_category {
                assert!(infohus_domain::ids::is_id_shaped(category));
            }
            if let Some(status) = filter.status {
                assert_eq!(fuzzing::query_value(Some(raw), "status").unwrap().as_deref(), Some(status.as_str()));
            }
        }
        Err(refusal) => check_refusal(&refusal, &["status", "urgency", "sort", "concern_category"]),
    }
    match query.audit {
        Ok(Some(search)) => {
            // Longer values are refused, never cut to another value.
            assert!(search.username.as_ref().is_none_or(|u| u.chars().count() <= 64));
            assert!(search.purpose.as_ref().is_none_or(|p| p.chars().count() <= 64));
            assert_eq!(search.username, fuzzing::query_value(Some(raw), "user").unwrap().filter(|u| !u.is_empty()));
        }
        Ok(None) => {
            let person = fuzzing::query_value(Some(raw), "person").unwrap();
            assert!(person.is_some_and(|p| !infohus_domain::ids::is_id_shaped(&p)));
        }
        Err(refusal) => check_refusal(&refusal, &["action", "from", "to", "user", "purpose"]),
    }
}

fn audit_page(raw: &str) {
    let page = fuzzing::audit_page_query(Some(raw));
    // The links carry the filters as the page read them: following one gives the same search.
    let again = fuzzing::audit_page_query(Some(&page.filters));
    assert_eq!(again.filters, page.filters, "the filters are written back stably");
    match (&page.search, &again.search) {
        (Ok(first), Ok(second)) => assert_eq!(format!("{first:?}"), format!("{second:?}")),
        (Err(first), Err(second)) => assert_eq!(first, second),
        (first, second) => panic!("the search changed when read from its own link: {first:?} then {second:?}"),
    }
    if let Ok(search) = &page.search
        && let (Some(from), Some(to)) = (search.from, search.to)
    {
        // Whole Copenhagen days, as the page shows its entries: `to` is the end of its day.
        assert_eq!(infohus_domain::calendar::copenhagen_wall(from).time(), time::Time::MIDNIGHT);
        assert_eq!(infohus_domain::calendar::copenhagen_wall(to).time(), time::Time::MIDNIGHT);
    }
}

fn form(body: &[u8]) {
    if let Ok(pairs) = fuzzing::form(body) {
        // Written back, the pairs read back the same.
        let again = serde_urlencoded::to_string(&pairs).unwrap();
        assert_eq!(fuzzing::form(again.as_bytes()).as_ref(), Ok(&pairs));
        // A page that needs a meeting time reads it from the same pairs.
        if let Ok(when) = fuzzing::meeting_form_time(body) {
            let date = pairs.iter().find(|(k, _)| k == "date").map(|(_, v)| v.trim()).unwrap();
            assert_eq!(fuzzing::page_date(date), Some(when.date()));
        }
    } else {
        assert!(fuzzing::meeting_form_time(body).is_err());
    }
}

fn categories() -> &'static [String] {
    static CATEGORIES: OnceLock<Vec<String>> = OnceLock::new();
    CATEGORIES.get_or_init(|| DEFAULT_CONCERN_CATEGORIES.iter().map(|c| (*c).to_owned()).collect())
}

fn referral_form(body: &[u8]) {
    let today = date!(2026 - 11 - 22);
    match fuzzing::referral_form(body, categories(), today) {
        Ok(referral) => {
            assert!(!referral.description.expose().is_empty());
            assert!(referral.subject.birth_date.is_none_or(|born| born <= today));
        }
        Err(refusal) => {
            assert!(matches!(refusal.status, 400 | 422), "{refusal:?}");
            assert!(refusal.status == 400 || !refusal.fields.is_empty());
        }
    }
}

fn dates(raw: &str) {
    // `<input type="date">`: exactly YYYY-MM-DD.
    if let Some(date) = fuzzing::page_date(raw) {
        let printed = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
        assert_eq!(printed, raw);
        assert_eq!(fuzzing::page_optional_date(Some(raw)), Ok(Some(date)));
    }
    match fuzzing::page_optional_date(Some(raw)) {
        Ok(Some(date)) => assert_eq!(fuzzing::page_date(raw.trim()), Some(date)),
        Ok(None) => assert!(raw.trim().is_empty()),
        Err(refusal) => check_refusal(&refusal, &["date"]),
    }
    match fuzzing::api_date(Some(raw)) {
        Ok(date) => {
            // The API reads ISO 8601 calendar dates; every date it accepts is one a page writes.
            let printed = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
            assert_eq!(fuzzing::api_date(Some(&printed)), Ok(date));
        }
        Err(refusal) => check_refusal(&refusal, &["date"]),
    }
}

fn times(raw: &str, bytes: &[u8]) {
    if let Some(clock) = fuzzing::page_clock(raw) {
        assert_eq!(clock.second(), 0);
        let printed = format!("{:02}:{:02}", clock.hour(), clock.minute());
        assert_eq!(fuzzing::page_clock(&printed), Some(clock));
    }
    match fuzzing::api_local_time(Some(raw)) {
        Ok(when) => {
            let printed = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}",
                when.year(),
                u8::from(when.month()),
                when.day(),
                when.hour(),
                when.minute()
            );
            assert_eq!(fuzzing::api_local_time(Some(&printed)), Ok(when));
        }
        Err(refusal) => check_refusal(&refusal, &["starts_at"]),
    }
    let _ = fuzzing::meeting_form_time(bytes);
}

fn bearer(value: &[u8]) {
    if let Some(token) = fuzzing::bearer_token(value) {
        assert_eq!(token, token.trim());
        let text = std::str::from_utf8(value).unwrap();
        assert!(text.len() >= 7 && text[..7].eq_ignore_ascii_case("bearer "));
    }
}

fn cookies(data: &[u8]) {
    // Up to three header values separated by 0xff, a name of up to 15 bytes before them.
    let Some((&name_len, rest)) = data.split_first() else { return };
    let name_len = usize::from(name_len % 16).min(rest.len());
    let (name, values) = rest.split_at(name_len);
    let Ok(name) = std::str::from_utf8(name) else { return };
    let values: Vec<&[u8]> = values.split(|b| *b == 0xff).take(3).collect();
    if let Some(value) = fuzzing::cookie(&values, name) {
        assert!(!value.contains(';'));
        assert!(values.iter().any(|v| {
            let needle = format!("{name}={value}");
            v.windows(needle.len()).any(|w| w == needle.as_bytes())
        }));
    }
}
