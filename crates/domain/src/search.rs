//! What a person search asks for: one CPR number, or the words of a name. Names are sealed
//! at rest, so the store matches keyed indexes of whole, normalised name words: "Anne-Marie
//! Jensen" is found by "jensen", "anne marie" or "Anne-Marie Jensen", not by "Jens".

use crate::cpr::Cpr;
use crate::field::FieldErrors;

/// The most words a name search may hold.
pub const MAX_NAME_WORDS: usize = 6;
/// The longest name word searched for, in characters.
pub const MAX_WORD_CHARS: usize = 60;

#[derive(Clone, PartialEq, Eq)]
pub enum PersonQuery {
    Cpr(Cpr),
    /// Normalised, distinct words (see [`name_words`]), at least one.
    Name(Vec<String>),
}

impl std::fmt::Debug for PersonQuery {
    // The searched value is personal data: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cpr(_) => f.write_str("PersonQuery::Cpr(..)"),
            Self::Name(words) => write!(f, "PersonQuery::Name({} words)", words.len()),
        }
    }
}

impl PersonQuery {
    /// Exactly one of `cpr` and `name` (blank counts as absent). Errors name the field:
    /// `cpr` `invalid_cpr`; `name` `too_many_words` / `word_too_long` / `no_words`;
    /// `query` `one_criterion` when both or neither are given.
    pub fn parse(cpr: Option<&str>, name: Option<&str>) -> Result<Self, FieldErrors> {
        let cpr = cpr.map(str::trim).filter(|c| !c.is_empty());
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        match (cpr, name) {
            (Some(cpr), None) => Cpr::parse(cpr).map(Self::Cpr).map_err(|_| FieldErrors::single("cpr", "invalid_cpr")),
            (None, Some(name)) => {
                let words = name_words(name);
                if words.is_empty() {
                    Err(FieldErrors::single("name", "no_words"))
                } else if words.len() > MAX_NAME_WORDS {
                    Err(FieldErrors::single("name", "too_many_words"))
                } else if words.iter().any(|w| w.chars().count() > MAX_WORD_CHARS) {
                    Err(FieldErrors::single("name", "word_too_long"))
                } else {
                    Ok(Self::Name(words))
                }
            }
            _ => Err(FieldErrors::single("query", "one_criterion")),
        }
    }

    /// The kind of criteria, for the access log (never the value).
    pub fn criteria(&self) -> String {
        match self {
            Self::Cpr(_) => "by=cpr".to_owned(),
            Self::Name(words) => format!("by=name;words={}", words.len()),
        }
    }
}

/// The distinct, lower-cased words of a name, split at whitespace, hyphens and the
/// punctuation a name may carry (`.`, `,`, `'`), in first-seen order. Letters and digits
/// only remain: control and other characters split words too.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_lowercase();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn words_are_lower_cased_distinct_and_split_at_hyphens() {
        assert_eq!(name_words("  Anne-Marie  JENSEN jensen "), ["anne", "marie", "jensen"]);
        assert_eq!(name_words("Søren Ærø Åberg"), ["søren", "ærø", "åberg"]);
        assert_eq!(name_words("O'Neil, J."), ["o", "neil", "j"]);
        assert!(name_words(" - . ").is_empty());
    }

    #[test]
    fn exactly_one_criterion() {
        assert!(matches!(PersonQuery::parse(Some("010105-1234"), None), Ok(PersonQuery::Cpr(_))));
        assert!(matches!(PersonQuery::parse(Some(" "), Some("Jensen")), Ok(PersonQuery::Name(w)) if w == ["jensen"]));
        let code = |r: Result<PersonQuery, FieldErrors>| r.unwrap_err().0[0].code;
        assert_eq!(code(PersonQuery::parse(None, None)), "one_criterion");
        assert_eq!(code(PersonQuery::parse(Some("0101051234"), Some("Jensen"))), "one_criterion");
        assert_eq!(code(PersonQuery::parse(Some("3201051234"), None)), "invalid_cpr");
        assert_eq!(code(PersonQuery::parse(None, Some("-- ..."))), "no_words");
        assert_eq!(code(PersonQuery::parse(None, Some("a b c d e f g"))), "too_many_words");
        assert_eq!(code(PersonQuery::parse(None, Some(&"x".repeat(61)))), "word_too_long");
    }

    #[test]
    fn debug_and_criteria_never_show_the_value() {
        let query = PersonQuery::parse(None, Some("Navn Navnesen")).unwrap();
        assert!(!format!("{query:?}").to_lowercase().contains("navn"));
        assert_eq!(query.criteria(), "by=name;words=2");
        let query = PersonQuery::parse(Some("0101051234"), None).unwrap();
        assert!(!format!("{query:?}{}", query.criteria()).contains("0101"));
    }
}
