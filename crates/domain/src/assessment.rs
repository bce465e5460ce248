//! The content of an assessment made with an instrument: ratings per item, a rationale per
//! dimension, the overall assessment and recommendation, and its validation for a draft
//! and for sign-off. Ratings are recorded as given; nothing here sums or weighs them.

use crate::field::FieldErrors;
use crate::instrument::{Instrument, is_key};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// Item key to level key.
pub type Ratings = BTreeMap<String, String>;

/// A rationale or the overall assessment may be at most this many characters.
pub const TEXT_MAX: usize = 20_000;
/// One assessor's name may be at most this many characters.
pub const ASSESSOR_MAX: usize = 200;
/// At most this many assessors sign one assessment.
pub const ASSESSORS_MAX: usize = 10;

/// What an assessor records with an instrument. Serialized as JSON (dates as `YYYY-MM-DD`)
/// so the store can keep it sealed; the instrument's key and version are kept beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentContent {
    /// Item key to level key; an item without an entry is not rated (yet).
    #[serde(default)]
    pub ratings: Ratings,
    /// Dimension key to the written rationale for that dimension.
    #[serde(default)]
    pub rationales: BTreeMap<String, String>,
    #[serde(default)]
    pub overall: String,
    #[serde(default)]
    pub recommendation: Option<String>,
    #[serde(default)]
    pub assessors: Vec<String>,
    #[serde(with = "iso_date")]
    pub assessed_on: Date,
}

impl AssessmentContent {
    /// Nothing recorded yet, assessed on `assessed_on`.
    pub fn empty(assessed_on: Date) -> Self {
        Self {
            ratings: Ratings::new(),
            rationales: BTreeMap::new(),
            overall: String::new(),
            recommendation: None,
            assessors: Vec::new(),
            assessed_on,
        }
    }
}

/// Checks a draft: whatever is filled in must fit the instrument; nothing is required.
/// Texts come back trimmed with `\n` line breaks; blank ratings, rationales, assessors and
/// a blank recommendation come back absent.
pub fn validate_draft(
    instrument: &Instrument,
    raw: AssessmentContent,
    today: Date,
) -> Result<AssessmentContent, FieldErrors> {
    let mut errors = FieldErrors::default();
    let content = check_draft(instrument, raw, today, &mut errors);
    if errors.is_empty() { Ok(content) } else { Err(errors) }
}

/// Checks an assessment for sign-off: everything a draft must satisfy, and complete: every
/// item rated, every dimension with a rationale, the overall assessment and recommendation
/// given, at least one assessor.
pub fn validate_for_sign_off(
    instrument: &Instrument,
    content: AssessmentContent,
    today: Date,
) -> Result<AssessmentContent, FieldErrors> {
    let mut errors = FieldErrors::default();
    let content = check_draft(instrument, content, today, &mut errors);
    let mut require = |field: String, present: bool| {
        // A field already refused needs no second error.
        if !present && !errors.0.iter().any(|error| error.field == field) {
            errors.push(field, "required");
        }
    };
    for (_, item) in instrument.items() {
        require(format!("ratings.{}", item.key), content.ratings.contains_key(&item.key));
    }
    for dimension in &instrument.dimensions {
        require(format!("rationales.{}", dimension.key), content.rationales.contains_key(&dimension.key));
    }
    require("overall".into(), !content.overall.is_empty());
    require("recommendation".into(), content.recommendation.is_some());
    require("assessors".into(), !content.assessors.is_empty());
    if errors.is_empty() { Ok(content) } else { Err(errors) }
}

fn check_draft(
    instrument: &Instrument,
    raw: AssessmentContent,
    today: Date,
    errors: &mut FieldErrors,
) -> AssessmentContent {
    let mut ratings = Ratings::new();
    for (item, level) in raw.ratings {
        let level = level.trim();
        if level.is_empty() {
            continue;
        }
        if instrument.item(&item).is_none() {
            errors.push(keyed_field("ratings", &item), "unknown_item");
        } else if instrument.level_index(level).is_none() {
            errors.push(keyed_field("ratings", &item), "not_on_scale");
        } else {
            ratings.insert(item, level.to_owned());
        }
    }

    let mut rationales = BTreeMap::new();
    for (dimension, text) in raw.rationales {
        let field = keyed_field("rationales", &dimension);
        if instrument.dimension(&dimension).is_none() {
            errors.push(field, "unknown_dimension");
            continue;
        }
        if let Some(text) = long_text(&field, &text, errors) {
            rationales.insert(dimension, text);
        }
    }

    let overall = long_text("overall", &raw.overall, errors).unwrap_or_default();

    let recommendation = match raw.recommendation.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) if instrument.recommendation(key).is_some() => Some(key.to_owned()),
        Some(_) => {
            errors.push("recommendation", "invalid_choice");
            None
        }
    };

    // Limits count the list and names as sent (the API document's maxItems and maxLength).
    let assessors: Vec<String> =
        raw.assessors.iter().map(|name| name.trim()).filter(|name| !name.is_empty()).map(str::to_owned).collect();
    if raw.assessors.len() > ASSESSORS_MAX || raw.assessors.iter().any(|name| crate::text::exceeds(name, ASSESSOR_MAX))
    {
        errors.push("assessors", "too_long");
    } else if assessors.iter().any(|name| name.chars().any(char::is_control)) {
        errors.push("assessors", "invalid_characters");
    }

    if raw.assessed_on > today {
        errors.push("assessed_on", "date_in_future");
    }

    AssessmentContent { ratings, rationales, overall, recommendation, assessors, assessed_on: raw.assessed_on }
}

/// `ratings.<key>` when the key has a key's shape; otherwise just `ratings`, so that no
/// arbitrary submitted text ends up in an error.
fn keyed_field(group: &str, key: &str) -> String {
    if is_key(key) { format!("{group}.{key}") } else { group.to_owned() }
}

/// A trimmed multi-line text, `None` when blank or invalid (the error recorded).
fn long_text(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<String> {
    errors.check(crate::text::optional_multiline(field, Some(raw), TEXT_MAX)).flatten()
}

/// Dates as `YYYY-MM-DD` strings, whatever features `time` was built with.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer, de, ser};
    use time::Date;
    use time::format_description::BorrowedFormatItem;
    use time::macros::format_description;

    const FORMAT: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        let text = date.format(FORMAT).map_err(ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text, FORMAT).map_err(|_| de::Error::custom("expected a date as YYYY-MM-DD"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::SourceFormat;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn instrument() -> Instrument {
        let source = r#"
format = "infohus-instrument/1"
key = "test"
version = 1
name = "Test"
[[scale]]
key = "lav"
label = "Lav"
[[scale]]
key = "hoej"
label = "Høj"
[[recommendations]]
key = "fortsaet"
label = "Fortsæt"
[[dimensions]]
key = "netvaerk"
name = "Netværk"
[[dimensions.items]]
key = "venner"
text = "Har venner"
side = "resource"
[[dimensions.items]]
key = "isolation"
text = "Isolerer sig"
side = "risk"
[[dimensions]]
key = "skole"
name = "Skole"
[[dimensions.items]]
key = "fravaer"
text = "Fravær"
side = "risk"
"#;
        Instrument::parse(source, SourceFormat::Toml).unwrap()
    }

    fn complete() -> AssessmentContent {
        AssessmentContent {
            ratings: [("venner", "hoej"), ("isolation", "lav"), ("fravaer", "lav")]
                .into_iter()
                .map(|(item, level)| (item.to_owned(), level.to_owned()))
                .collect(),
            rationales: [("netvaerk", "Godt netværk"), ("skole", "Går i skole")]
                .into_iter()
                .map(|(dimension, text)| (dimension.to_owned(), text.to_owned()))
                .collect(),
            overall: "Samlet vurdering".into(),
            recommendation: Some("fortsaet".into()),
            assessors: vec!["Anne Jensen".into()],
            assessed_on: TODAY,
        }
    }

    fn codes(result: Result<AssessmentContent, FieldErrors>) -> Vec<(String, &'static str)> {
        result.err().unwrap_or_default().0.into_iter().map(|error| (error.field, error.code)).collect()
    }

    #[test]
    fn an_empty_draft_is_valid() {
        let draft = AssessmentContent::empty(TODAY);
        assert_eq!(validate_draft(&instrument(), draft.clone(), TODAY), Ok(draft));
    }

    #[test]
    fn a_draft_refuses_what_the_instrument_does_not_have() {
        let mut draft = AssessmentContent::empty(date!(2026 - 03 - 16));
        draft.ratings.insert("ukendt".into(), "lav".into());
        draft.ratings.insert("venner".into(), "middel".into());
        draft.ratings.insert("<script>".into(), "lav".into());
        draft.rationales.insert("okonomi".into(), "tekst".into());
        draft.recommendation = Some("afslut".into());
        draft.assessors = vec!["A\u{7}B".into()];
        assert_eq!(
            codes(validate_draft(&instrument(), draft, TODAY)),
            vec![
                ("ratings".into(), "unknown_item"),
                ("ratings.ukendt".into(), "unknown_item"),
                ("ratings.venner".into(), "not_on_scale"),
                ("rationales.okonomi".into(), "unknown_dimension"),
                ("recommendation".into(), "invalid_choice"),
                ("assessors".into(), "invalid_characters"),
                ("assessed_on".into(), "date_in_future"),
            ]
        );
    }

    #[test]
    fn a_draft_is_trimmed_and_blanks_are_dropped() {
        let mut draft = AssessmentContent::empty(TODAY);
        draft.ratings.insert("venner".into(), " ".into());
        draft.rationales.insert("skole".into(), "  a\r\nb  ".into());
        draft.rationales.insert("netvaerk".into(), "   ".into());
        draft.recommendation = Some(" ".into());
        draft.assessors = vec![" Anne ".into(), "".into()];
        let clean = validate_draft(&instrument(), draft, TODAY).unwrap();
        assert!(clean.ratings.is_empty());
        assert_eq!(clean.rationales.get("skole").map(String::as_str), Some("a\nb"));
        assert!(!clean.rationales.contains_key("netvaerk"));
        assert_eq!(clean.recommendation, None);
        assert_eq!(clean.assessors, vec!["Anne".to_owned()]);
    }

    /// The line-break bug the `validators` fuzz target found in `text`, here too: `\r\r\n`
    /// came back as `\r\n`, so a checked draft did not check again unchanged.
    #[test]
    fn a_checked_draft_has_only_newline_line_breaks_and_checks_again_unchanged() {
        let mut draft = AssessmentContent::empty(TODAY);
        draft.overall = "a\r\r\nb\rc".into();
        let clean = validate_draft(&instrument(), draft, TODAY).unwrap();
        assert_eq!(clean.overall, "a\n\nb\nc");
        assert_eq!(validate_draft(&instrument(), clean.clone(), TODAY), Ok(clean));
    }

    #[test]
    fn texts_and_assessors_are_bounded() {
        let mut draft = AssessmentContent::empty(TODAY);
        draft.overall = "x".repeat(TEXT_MAX + 1);
        draft.rationales.insert("skole".into(), "æ".repeat(TEXT_MAX));
        draft.assessors = vec!["A".into(); ASSESSORS_MAX + 1];
        assert_eq!(
            codes(validate_draft(&instrument(), draft, TODAY)),
            vec![("overall".into(), "too_long"), ("assessors".into(), "too_long")]
        );
        let mut long_name = AssessmentContent::empty(TODAY);
        long_name.assessors = vec!["A".repeat(ASSESSOR_MAX + 1)];
        assert_eq!(codes(validate_draft(&instrument(), long_name, TODAY)), vec![("assessors".into(), "too_long")]);
    }

    #[test]
    fn sign_off_accepts_a_complete_assessment() {
        assert_eq!(validate_for_sign_off(&instrument(), complete(), TODAY), Ok(complete()));
    }

    #[test]
    fn sign_off_requires_everything() {
        assert_eq!(
            codes(validate_for_sign_off(&instrument(), AssessmentContent::empty(TODAY), TODAY)),
            vec![
                ("ratings.venner".into(), "required"),
                ("ratings.isolation".into(), "required"),
                ("ratings.fravaer".into(), "required"),
                ("rationales.netvaerk".into(), "required"),
                ("rationales.skole".into(), "required"),
                ("overall".into(), "required"),
                ("recommendation".into(), "required"),
                ("assessors".into(), "required"),
            ]
        );
    }

    #[test]
    fn sign_off_reports_a_refused_field_once() {
        let mut content = complete();
        content.ratings.insert("venner".into(), "middel".into());
        content.overall = "x".repeat(TEXT_MAX + 1);
        assert_eq!(
            codes(validate_for_sign_off(&instrument(), content, TODAY)),
            vec![("ratings.venner".into(), "not_on_scale"), ("overall".into(), "too_long")]
        );
    }

    #[test]
    fn content_round_trips_as_json_with_an_iso_date() {
        let json = serde_json::to_string(&complete()).unwrap();
        assert!(json.contains("\"assessed_on\":\"2026-03-15\""), "{json}");
        let back: AssessmentContent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, complete());
        assert!(serde_json::from_str::<AssessmentContent>(r#"{"assessed_on":"2026-03-15","score":3}"#).is_err());
        assert!(serde_json::from_str::<AssessmentContent>(r#"{"assessed_on":"15.03.2026"}"#).is_err());
    }
}
