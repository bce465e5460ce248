//! Instrument files (`Instrument::parse`, TOML or JSON as the first byte says). A valid
//! instrument obeys every rule of the format and its canonical JSON reads back equal and
//! prints the same again; an invalid file gets a bounded list of located, one-line errors
//! with the format's codes, which never carry a control character from the file.

#![no_main]

use infohus_domain::instrument::{MAX_ERRORS, is_instrument_key, is_key};
use infohus_domain::{Instrument, InstrumentErrors, SourceFormat};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

const CODES: &[&str] = &[
    "too_large",
    "syntax",
    "invalid_type",
    "missing_field",
    "unsupported_format",
    "unknown_field",
    "empty",
    "too_long",
    "invalid_characters",
    "invalid_key",
    "duplicate_key",
    "invalid_version",
    "invalid_side",
    "too_few",
    "too_many",
    "too_many_errors",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(source) = std::str::from_utf8(rest) else { return };
    let format = if selector % 2 == 0 { SourceFormat::Toml } else { SourceFormat::Json };
    match Instrument::parse(source, format) {
        Ok(instrument) => {
            check(&instrument);
            let json = instrument.to_canonical_json();
            let back = Instrument::parse(&json, SourceFormat::Json).unwrap();
            assert_eq!(back, instrument, "canonical JSON reads back equal: {json}");
            assert_eq!(back.to_canonical_json(), json, "canonical JSON is stable");
        }
        Err(errors) => check_errors(&errors),
    }
});

fn line(text: &str, max: usize) {
    assert!(!text.is_empty() && text == text.trim());
    assert!(text.chars().count() <= max);
    assert!(!text.chars().any(char::is_control));
}

fn long(text: &str) {
    assert_eq!(text, text.trim());
    assert!(text.chars().count() <= 5000);
    assert!(!text.contains('\r'));
    assert!(!text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')));
}

fn unique<'a>(keys: impl IntoIterator<Item = &'a str>) {
    let mut seen = BTreeSet::new();
    for key in keys {
        assert!(is_key(key), "{key:?}");
        assert!(seen.insert(key), "duplicate key {key:?}");
    }
}

fn check(i: &Instrument) {
    assert!(is_instrument_key(&i.key));
    assert!(i.version >= 1);
    line(&i.name, 200);
    long(&i.description);
    long(&i.overall_guidance);
    assert!((2..=7).contains(&i.scale.len()));
    assert!((1..=20).contains(&i.recommendations.len()));
    assert!((1..=40).contains(&i.dimensions.len()));
    unique(i.scale.iter().map(|l| l.key.as_str()));
    unique(i.recommendations.iter().map(|c| c.key.as_str()));
    unique(i.dimensions.iter().map(|d| d.key.as_str()));
    unique(i.items().map(|(_, item)| item.key.as_str()));
    for level in &i.scale {
        line(&level.label, 200);
        long(&level.guidance);
    }
    for choice in &i.recommendations {
        line(&choice.label, 200);
    }
    for dimension in &i.dimensions {
        line(&dimension.name, 200);
        long(&dimension.guidance);
        assert!((1..=30).contains(&dimension.items.len()));
        for item in &dimension.items {
            line(&item.text, 1000);
            long(&item.guidance);
        }
    }
    assert!(i.same_scale(i));
}

fn check_errors(errors: &InstrumentErrors) {
    assert!(!errors.0.is_empty());
    assert!(errors.0.len() <= MAX_ERRORS + 1);
    for (index, error) in errors.iter().enumerate() {
        assert!(CODES.contains(&error.code), "unknown code {}", error.code);
        assert!(error.code != "too_many_errors" || index == MAX_ERRORS);
        assert!(!error.message.is_empty());
        // Shown on a page and a terminal: one line, bounded, nothing that steers a terminal.
        for text in [&error.path, &error.message] {
            assert!(!text.chars().any(char::is_control), "control character in {text:?}");
            assert!(text.chars().count() <= 300, "{} characters: {text:?}", text.chars().count());
        }
    }
}
