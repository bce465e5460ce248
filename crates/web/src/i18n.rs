//! The message catalogue: every user-facing sentence, keyed, in one file per language
//! (`messages/da.txt`), so that English can follow without touching code or templates.

use std::collections::HashMap;
use std::sync::OnceLock;

const DANISH: &str = include_str!("../messages/da.txt");

/// One language's messages. Lookups of unknown keys return the key itself, and a test
/// checks that every key the code and templates use exists.
#[derive(Debug)]
pub struct Catalog {
    messages: HashMap<&'static str, &'static str>,
}

impl Catalog {
    fn parse(text: &'static str) -> Self {
        let messages = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_once(" = "))
            .map(|(key, value)| (key.trim(), value.trim()))
            .collect();
        Self { messages }
    }

    /// The Danish catalogue, parsed once.
    pub fn danish() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(DANISH))
    }

    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.messages.get(key).copied().unwrap_or(key)
    }

    /// A message from a group and a code, e.g. `label("category", "right_wing")`.
    pub fn label(&self, group: &str, code: &str) -> String {
        let key = format!("{group}.{code}");
        match self.messages.get(key.as_str()) {
            Some(text) => (*text).to_owned(),
            None => key,
        }
    }

    /// A message with `{name}` placeholders filled in.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.messages.get(key).copied().unwrap_or(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infohus_domain::casework::{
        AssessmentKind, AssessmentStatus, CaseStatus, CheckResult, ClosureReason, InterventionStatus, OtherService,
        ScreeningOutcome, TaskStatus,
    };
    use infohus_domain::progression::Movement;
    use infohus_domain::referral::{Channel, DEFAULT_CONCERN_CATEGORIES, Gender, ReferralStatus, Urgency};
    use infohus_domain::{AgencyKind, Role, Side};

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let catalog = Catalog::danish();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(format!("{dir}templates")), format!("{dir}src").into()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { folders.push(path) } else { files.push(path) }
            }
        }
        {
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["t.get(\"", "t.format(\"", "t().get(\"", "t().format(\""] {
                    for piece in text.split(marker).skip(1) {
                        let key = piece.split('"').next().unwrap();
                        if !catalog.has(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys:\n{}", missing.join("\n"));
    }

    #[test]
    fn every_code_has_a_danish_label() {
        let catalog = Catalog::danish();
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Channel::ALL.iter().map(|c| format!("channel.{}", c.as_str())));
        keys.extend(Urgency::ALL.iter().map(|c| format!("urgency.{}", c.as_str())));
        keys.extend(Gender::ALL.iter().map(|c| format!("gender.{}", c.as_str())));
        keys.extend(ReferralStatus::ALL.iter().map(|c| format!("status.{}", c.as_str())));
        keys.extend(DEFAULT_CONCERN_CATEGORIES.iter().map(|c| format!("category.{c}")));
        keys.extend(Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
        keys.extend(AgencyKind::ALL.iter().map(|k| format!("agency_kind.{}", k.as_str())));
        keys.extend(CheckResult::ALL.iter().map(|c| format!("check_result.{}", c.as_str())));
        keys.extend(ScreeningOutcome::ALL.iter().map(|c| format!("outcome.{}", c.as_str())));
        keys.extend(OtherService::ALL.iter().map(|c| format!("other_service.{}", c.as_str())));
        keys.extend(CaseStatus::ALL.iter().map(|c| format!("case_status.{}", c.as_str())));
        keys.extend(ClosureReason::ALL.iter().map(|c| format!("closure_reason.{}", c.as_str())));
        keys.extend(AssessmentKind::ALL.iter().map(|c| format!("assessment_kind.{}", c.as_str())));
        keys.extend(AssessmentStatus::ALL.iter().map(|c| format!("assessment_status.{}", c.as_str())));
        keys.extend(InterventionStatus::ALL.iter().map(|c| format!("intervention_status.{}", c.as_str())));
        keys.extend(TaskStatus::ALL.iter().map(|c| format!("task_status.{}", c.as_str())));
        keys.extend(Side::ALL.iter().map(|c| format!("side.{}", c.as_str())));
        let movements = [Movement::Better, Movement::Worse, Movement::Unchanged, Movement::NotComparable];
        keys.extend(movements.iter().map(|m| format!("movement.{}", m.as_str())));
        for code in crate::error::FIELD_CODES {
            keys.push(format!("field_error.{code}"));
        }
        let missing: Vec<_> = keys.iter().filter(|k| !catalog.has(k)).collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
    }

    #[test]
    fn danish_letters_survive() {
        assert!(Catalog::danish().get("app.name").contains("Infohus"));
        assert!(Catalog::danish().get("inbox.title").contains('k'));
    }
}
