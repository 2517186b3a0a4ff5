//! Numeric thresholds and deadlines, each with its source and how sure it is.

use serde::{Deserialize, Serialize};

use super::Citation;

/// `law/thresholds.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub thresholds: Vec<Threshold>,
    pub deadlines: Vec<Deadline>,
}

/// How far a fact was checked (law-notes §0); only T and Q facts are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    /// Checked against the instrument's full text.
    T,
    /// Checked against a verbatim quotation of the instrument.
    Q,
}

/// A head-count threshold; met when `count >= value`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub id: String,
    pub value: u64,
    pub wording_zh: String,
    pub meaning: String,
    pub cite: Citation,
    #[serde(default)]
    pub counting: Option<Citation>,
    pub confidence: Confidence,
}

/// The unit of a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    WorkingDays,
    Days,
    Hours,
    Years,
}

/// A deadline: an amount of time from an event, a fixed date, or a yearly day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub id: String,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub unit: Option<DeadlineUnit>,
    /// A fixed date (transition deadlines).
    #[serde(default)]
    pub date: Option<jiff::civil::Date>,
    /// A yearly day (month, day).
    #[serde(default)]
    pub month: Option<i8>,
    #[serde(default)]
    pub day: Option<i8>,
    pub from: String,
    pub cite: Citation,
    pub confidence: Confidence,
}

impl Thresholds {
    pub fn threshold(&self, id: &str) -> Option<&Threshold> {
        self.thresholds.iter().find(|t| t.id == id)
    }

    pub fn deadline(&self, id: &str) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.id == id)
    }

    /// The value of a threshold that the code relies on; the ids are checked by tests.
    pub fn value(&self, id: &str) -> u64 {
        self.threshold(id)
            .unwrap_or_else(|| panic!("threshold {id} missing from law/thresholds.toml"))
            .value
    }

    /// A deadline the code relies on; the ids are checked by tests.
    pub fn get(&self, id: &str) -> &Deadline {
        self.deadline(id)
            .unwrap_or_else(|| panic!("deadline {id} missing from law/thresholds.toml"))
    }
}

impl Deadline {
    /// The amount of a deadline with one (checked by tests for the ids the code uses).
    pub fn amount(&self) -> i64 {
        self.amount
            .unwrap_or_else(|| panic!("deadline {} has no amount", self.id))
    }
}
