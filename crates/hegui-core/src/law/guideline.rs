//! The Compliance Audit Guideline: 26 focus areas (items 二–二十七) and 111 checkpoints.

use serde::{Deserialize, Serialize};

use super::Citation;

/// The Guideline as shipped in `law/guideline-2025.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guideline {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub annex_to: String,
    pub published: String,
    pub effective: String,
    pub preamble_zh: String,
    pub preamble_en: String,
    pub areas: Vec<Area>,
}

/// One focus area (a numbered item of the Guideline).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// The item number, 2..=27.
    pub item: u8,
    /// The Chinese numeral of the item (二 … 二十七).
    pub numeral: String,
    pub key: String,
    /// A short label written for hegui (the Guideline's items have no titles).
    pub title_zh: String,
    pub title_en: String,
    /// The item's lead-in sentence, verbatim; absent for item 七, which is one check.
    #[serde(default)]
    pub intro_zh: Option<String>,
    #[serde(default)]
    pub intro_en: Option<String>,
    /// Applicability of the whole area (a condition, see [`crate::condition`]).
    pub applies: String,
    pub checkpoints: Vec<Checkpoint>,
}

/// One checkpoint: a sub-item of a focus area (or item 七 itself).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Stable id: `G13.4` for item 十三 sub-item (四); `G7` for item 七.
    pub id: String,
    /// The sub-item marker as printed, e.g. `（四）`; absent for `G7`.
    #[serde(default)]
    pub number: Option<String>,
    /// The verbatim Chinese text (full-width punctuation).
    pub text_zh: String,
    pub text_en: String,
    pub cites: Vec<Citation>,
    /// A narrower condition than the area's, when the checkpoint has one.
    #[serde(default)]
    pub applies: Option<String>,
    /// Typical evidence, in Chinese (written for hegui; the Guideline gives none).
    pub evidence_zh: Vec<String>,
    /// The same items in English, in the same order.
    pub evidence_en: Vec<String>,
    /// Suggested audit procedures, in Chinese.
    pub procedures_zh: Vec<String>,
    pub procedures_en: Vec<String>,
}

impl Guideline {
    /// All checkpoints in Guideline order.
    pub fn checkpoints(&self) -> impl Iterator<Item = (&Area, &Checkpoint)> {
        self.areas
            .iter()
            .flat_map(|a| a.checkpoints.iter().map(move |c| (a, c)))
    }

    /// A checkpoint by id (case-insensitive: `g13.4` works too).
    pub fn checkpoint(&self, id: &str) -> Option<(&Area, &Checkpoint)> {
        self.checkpoints()
            .find(|(_, c)| c.id.eq_ignore_ascii_case(id))
    }

    /// A focus area by its item number.
    pub fn area(&self, item: u8) -> Option<&Area> {
        self.areas.iter().find(|a| a.item == item)
    }
}

impl Checkpoint {
    /// The applicability condition: the area's, narrowed by the checkpoint's own.
    pub fn condition(&self, area: &Area) -> String {
        match &self.applies {
            Some(own) if area.applies.trim() != "true" => {
                format!("({}) and ({own})", area.applies)
            }
            Some(own) => own.clone(),
            None => area.applies.clone(),
        }
    }
}
