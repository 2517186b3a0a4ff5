//! Obligation rules as data (`law/obligations.toml`): processor-level obligations, the
//! ordered cross-border tiers, and the PIPIA triggers.

use serde::{Deserialize, Serialize};

use super::Citation;

/// `law/obligations.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRules {
    pub obligations: Vec<ObligationDef>,
    pub cross_border: Vec<CrossBorderRule>,
    pub pipia_triggers: Vec<PipiaTrigger>,
}

/// A processor-level obligation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationDef {
    pub id: String,
    pub title_en: String,
    pub title_zh: String,
    /// Condition over the facts.
    pub applies: String,
    /// How the due date is computed (see `obligations::schedule`).
    pub schedule: String,
    /// The deadline of thresholds.toml the schedule uses.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub advisory: bool,
    pub cites: Vec<Citation>,
}

/// One cross-border tier rule; the first whose `when` holds decides.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossBorderRule {
    pub tier: String,
    pub when: String,
    pub title_en: String,
    pub title_zh: String,
    pub cites: Vec<Citation>,
}

/// A PIPIA trigger of PIPL Art. 55, per activity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipiaTrigger {
    pub id: String,
    pub when: String,
    pub title_en: String,
    pub title_zh: String,
    pub cites: Vec<Citation>,
}
