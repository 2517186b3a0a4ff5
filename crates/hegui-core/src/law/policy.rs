//! The elements published processing rules must contain (`law/policy-rubric.toml`): what
//! `hegui policy check` judges a privacy policy against.

use serde::Deserialize;

use super::Citation;

/// The rubric: every element, and the facts that make some of them required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRubric {
    pub elements: Vec<PolicyElement>,
    pub facts: Vec<PolicyFact>,
}

/// One element a policy must contain (C01 处理者的名称 …).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyElement {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// `["always"]`, or facts of which any makes the element required.
    pub applies: Vec<String>,
    /// Guideline checkpoints it is audited under (`G3.1`).
    pub checkpoints: Vec<String>,
    pub cites: Vec<Citation>,
}

impl PolicyElement {
    /// Whether the element is required whatever the facts.
    pub fn always(&self) -> bool {
        self.applies.iter().any(|a| a == "always")
    }
}

/// A fact an element's requirement depends on, with the words reports use for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFact {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// The profile's yes/no fact (law/facts.toml) that gives this one, if any.
    pub profile: Option<String>,
    /// The profile's head-count that gives this one when more than zero, if any.
    pub profile_count: Option<String>,
}

impl PolicyRubric {
    pub fn element(&self, id: &str) -> Option<&PolicyElement> {
        self.elements.iter().find(|e| e.id == id)
    }

    pub fn fact(&self, id: &str) -> Option<&PolicyFact> {
        self.facts.iter().find(|f| f.id == id)
    }
}
