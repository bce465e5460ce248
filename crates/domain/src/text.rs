//! Free-text rules shared by every field: trimmed, bounded, and free of control characters
//! that would corrupt a page, a log line or a PDF.

use crate::field::FieldError;

/// A single-line text of at most `max` characters; empty input is `None`.
pub fn optional_line(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, "too_long"));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(Some(value.to_owned()))
}

/// A required single-line text.
pub fn required_line(field: &str, raw: Option<&str>, max: usize) -> Result<String, FieldError> {
    optional_line(field, raw, max)?.ok_or_else(|| FieldError::new(field, "required"))
}

/// A required multi-line text: line breaks and tabs allowed, other control characters not.
pub fn required_multiline(field: &str, raw: Option<&str>, max: usize) -> Result<String, FieldError> {
    let value = raw.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, "too_long"));
    }
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(normalise_line_breaks(value))
}

/// Every line break as `\n`: CRLF and a lone CR alike. One pass leaves no CR behind, so a
/// normalised text normalises to itself (replacing only CRLF would turn `\r\r\n` into a new
/// `\r\n`).
pub fn normalise_line_breaks(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// An optional multi-line text: empty input is `None`.
pub fn optional_multiline(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => required_multiline(field, Some(value), max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_optional_line_is_absent() {
        assert_eq!(optional_line("f", Some("   "), 10), Ok(None));
    }

    #[test]
    fn control_characters_are_refused_in_a_line() {
        assert_eq!(optional_line("f", Some("a\u{0}b"), 10), Err(FieldError::new("f", "invalid_characters")));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(optional_line("f", Some("æøå"), 3), Ok(Some("æøå".into())));
        assert!(optional_line("f", Some("æøåæ"), 3).is_err());
    }

    #[test]
    fn multiline_keeps_line_breaks() {
        assert_eq!(required_multiline("f", Some("a\r\nb"), 10), Ok("a\nb".into()));
    }

    /// Found by the `validators` fuzz target: `\r\r\n` came back as `\r\n`.
    #[test]
    fn multiline_normalises_every_line_break_in_one_pass() {
        let once = required_multiline("f", Some("a\r\r\nb\rc\n\rd"), 20).unwrap();
        assert_eq!(once, "a\n\nb\nc\n\nd");
        assert_eq!(required_multiline("f", Some(&once), 20), Ok(once));
    }
}
