//! How reports name the facts of applicability conditions (`law/facts.toml`).

use serde::{Deserialize, Serialize};

/// Whether a fact is a flag or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Flag,
    Number,
}

/// One fact: its id in conditions, where the profile gives it, and its labels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactLabel {
    pub name: String,
    pub kind: FactKind,
    /// The profile field(s) it comes from: what to fill in when it is unknown.
    pub field: String,
    /// A flag that holds, or the quantity a number counts.
    pub zh: String,
    pub en: String,
    /// A flag that does not hold (flags only).
    #[serde(default)]
    pub not_zh: Option<String>,
    #[serde(default)]
    pub not_en: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct FactFile {
    pub facts: Vec<FactLabel>,
}
