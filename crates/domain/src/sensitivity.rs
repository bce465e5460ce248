//! Sensitivity tags on records: GDPR special categories (health, religion, political
//! opinion) and criminal-offence data. The policy and the legal bases decide who sees them.

use crate::field::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sensitivity {
    Health,
    Religion,
    PoliticalOpinion,
    CriminalOffence,
}

impl Sensitivity {
    pub const ALL: [Sensitivity; 4] =
        [Sensitivity::Health, Sensitivity::Religion, Sensitivity::PoliticalOpinion, Sensitivity::CriminalOffence];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Health => "health",
            Sensitivity::Religion => "religion",
            Sensitivity::PoliticalOpinion => "political_opinion",
            Sensitivity::CriminalOffence => "criminal_offence",
        }
    }

    /// GDPR art. 9 data; criminal-offence data is art. 10 (Databeskyttelsesloven § 8).
    pub fn is_special_category(self) -> bool {
        !matches!(self, Sensitivity::CriminalOffence)
    }
}

/// A sorted, duplicate-free set of tags, stored as comma-separated codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sensitivities(Vec<Sensitivity>);

impl Sensitivities {
    pub fn parse_list<'a>(field: &str, raw: impl IntoIterator<Item = &'a str>) -> Result<Self, FieldError> {
        let mut tags = Vec::new();
        for code in raw.into_iter().map(str::trim).filter(|c| !c.is_empty()) {
            tags.push(Sensitivity::parse(code).ok_or_else(|| FieldError::new(field, "invalid_choice"))?);
        }
        tags.sort();
        tags.dedup();
        Ok(Self(tags))
    }

    /// Reads the stored form; unknown codes are dropped rather than trusted.
    pub fn from_stored(raw: &str) -> Self {
        let mut tags: Vec<_> = raw.split(',').filter_map(Sensitivity::parse).collect();
        tags.sort();
        tags.dedup();
        Self(tags)
    }

    pub fn to_stored(&self) -> String {
        self.0.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn tags(&self) -> &[Sensitivity] {
        &self.0
    }

    pub fn has_special_category(&self) -> bool {
        self.0.iter().any(|s| s.is_special_category())
    }

    pub fn has_criminal_offence(&self) -> bool {
        self.0.contains(&Sensitivity::CriminalOffence)
    }
}

/// What a legal basis for a disclosure covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasisScope {
    pub covers_special_category: bool,
    pub covers_criminal_offence: bool,
}

impl LegalBasisScope {
    /// Whether a record with these tags may be disclosed on this basis.
    pub fn covers(&self, tags: &Sensitivities) -> bool {
        (!tags.has_special_category() || self.covers_special_category)
            && (!tags.has_criminal_offence() || self.covers_criminal_offence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_deduplicated() {
        let tags = Sensitivities::parse_list("s", ["religion", "health", "religion", " "]).unwrap();
        assert_eq!(tags.to_stored(), "health,religion");
        assert_eq!(Sensitivities::from_stored("health,religion"), tags);
        assert!(Sensitivities::parse_list("s", ["weather"]).is_err());
    }

    #[test]
    fn a_basis_must_cover_every_kind_of_tag() {
        let criminal_only = LegalBasisScope { covers_special_category: false, covers_criminal_offence: true };
        let health = Sensitivities::parse_list("s", ["health"]).unwrap();
        let crime = Sensitivities::parse_list("s", ["criminal_offence"]).unwrap();
        assert!(!criminal_only.covers(&health));
        assert!(criminal_only.covers(&crime));
        assert!(criminal_only.covers(&Sensitivities::default()));
    }
}
