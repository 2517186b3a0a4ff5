//! The law as data: the Guideline and the Measures (verbatim Chinese, English translation),
//! the PI taxonomy, the instruments cited, the thresholds and deadlines with their
//! sources, and the elements a privacy policy must contain. All of it lives in `law/*.toml`, embedded at build time and parsed once.
//!
//! Nothing here decides anything: the obligations engine and the scoping read these tables.

mod citation;
mod facts;
mod guideline;
mod measures;
mod obligations;
mod policy;
mod taxonomy;
mod thresholds;

pub use citation::{Citation, Instrument};
pub use facts::{FactKind, FactLabel};
pub use guideline::{Area, Checkpoint, Guideline};
pub use measures::{Article, Binds, Measures};
pub use obligations::{CrossBorderRule, ObligationDef, ObligationRules, PipiaTrigger};
pub use policy::{PolicyElement, PolicyFact, PolicyRubric};
pub use taxonomy::{Category, Framework, Item, Pipl28Category, Sensitivity, Taxonomy};
pub use thresholds::{Confidence, Deadline, DeadlineUnit, Threshold, Thresholds};

use std::sync::OnceLock;

/// Every law file, as (path, text); the test suite checks each parses and cross-references.
pub const FILES: &[(&str, &str)] = &[
    (
        "law/guideline-2025.toml",
        include_str!("../../law/guideline-2025.toml"),
    ),
    (
        "law/measures-2025.toml",
        include_str!("../../law/measures-2025.toml"),
    ),
    (
        "law/instruments.toml",
        include_str!("../../law/instruments.toml"),
    ),
    ("law/taxonomy.toml", include_str!("../../law/taxonomy.toml")),
    (
        "law/thresholds.toml",
        include_str!("../../law/thresholds.toml"),
    ),
    (
        "law/obligations.toml",
        include_str!("../../law/obligations.toml"),
    ),
    ("law/facts.toml", include_str!("../../law/facts.toml")),
    (
        "law/policy-rubric.toml",
        include_str!("../../law/policy-rubric.toml"),
    ),
];

/// All legal content hegui ships.
#[derive(Debug)]
pub struct Law {
    pub guideline: Guideline,
    pub measures: Measures,
    pub instruments: Vec<Instrument>,
    pub taxonomy: Taxonomy,
    pub thresholds: Thresholds,
    pub obligations: ObligationRules,
    /// The facts conditions use, with their labels.
    pub facts: Vec<FactLabel>,
    /// What published processing rules must contain.
    pub policy_rubric: PolicyRubric,
}

#[derive(serde::Deserialize)]
struct InstrumentFile {
    instruments: Vec<Instrument>,
}

impl Law {
    /// The embedded law, parsed on first use. The data is checked by the test suite, so a
    /// parse failure here is a build defect, not user input.
    pub fn get() -> &'static Law {
        static LAW: OnceLock<Law> = OnceLock::new();
        LAW.get_or_init(|| Law::parse().unwrap_or_else(|e| panic!("embedded law data: {e}")))
    }

    /// Parses the embedded files (used by [`Law::get`] and by tests that want the error).
    pub fn parse() -> Result<Law, String> {
        fn load<T: serde::de::DeserializeOwned>(i: usize) -> Result<T, String> {
            let (path, text) = FILES[i];
            toml::from_str(text).map_err(|e| format!("{path}: {e}"))
        }
        let instruments: InstrumentFile = load(2)?;
        let facts: facts::FactFile = load(6)?;
        Ok(Law {
            guideline: load(0)?,
            measures: load(1)?,
            instruments: instruments.instruments,
            taxonomy: load(3)?,
            thresholds: load(4)?,
            obligations: load(5)?,
            facts: facts.facts,
            policy_rubric: load(7)?,
        })
    }

    /// A fact's labels, by its id.
    pub fn fact(&self, name: &str) -> Option<&FactLabel> {
        self.facts.iter().find(|f| f.name == name)
    }

    /// The instrument a citation names.
    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }
}
