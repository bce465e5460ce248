//! Agencies (myndigheder): who they are and what kind. Every record belongs to one.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgencyKind {
    Municipality,
    Police,
    PrisonProbation,
    Psychiatry,
    Other,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 5] = [
        AgencyKind::Municipality,
        AgencyKind::Police,
        AgencyKind::PrisonProbation,
        AgencyKind::Psychiatry,
        AgencyKind::Other,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Municipality => "municipality",
            AgencyKind::Police => "police",
            AgencyKind::PrisonProbation => "prison_probation",
            AgencyKind::Psychiatry => "psychiatry",
            AgencyKind::Other => "other",
        }
    }
}

/// A short agency code (`KK-BUF`, `POL-KBH`): letters, digits, `-` and `_`, 2 to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok =
            (2..=32).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An agency's display name: one line, 2 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyName(String);

impl AgencyName {
    pub fn parse(raw: &str) -> Option<Self> {
        let value = raw.trim();
        let len = value.chars().count();
        let fits = len >= 2 && !crate::text::exceeds(raw, 200);
        (fits && !value.chars().any(char::is_control)).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_the_contract_list() {
        let names: Vec<_> = AgencyKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["municipality", "police", "prison_probation", "psychiatry", "other"]);
    }

    #[test]
    fn codes_are_short_and_plain() {
        assert!(AgencyCode::parse("POL-KBH").is_some());
        assert!(AgencyCode::parse("x").is_none());
        assert!(AgencyCode::parse("has space").is_none());
        assert!(AgencyCode::parse("Ø").is_none());
    }

    #[test]
    fn names_keep_danish_letters() {
        assert_eq!(AgencyName::parse(" Københavns Politi ").unwrap().as_str(), "Københavns Politi");
        assert!(AgencyName::parse("a\nb").is_none());
    }
}
