//! Two versions of a policy compared element by element (Guideline 四(五): changes to the
//! processing rules must be notified, so the auditor needs to see what changed): each
//! element's status before and after, the passages it rested on that went away and the
//! ones that came, and the facts the text gives that changed.

use serde::Serialize;

use crate::judge::{Analysis, Evidence, Status, Verdict};

/// How one element changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Same status, same passages.
    Unchanged,
    /// Same status, its passages worded differently (or others added or removed).
    Reworded,
    /// Better: absent → deficient → present.
    Improved,
    /// Worse: present → deficient → absent.
    Worsened,
    /// It became applicable or stopped being (a fact changed).
    Applicability,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Reworded => "reworded",
            Change::Improved => "improved",
            Change::Worsened => "worsened",
            Change::Applicability => "applicability",
        }
    }
}

/// One element in both versions.
#[derive(Debug, Clone, Serialize)]
pub struct ElementDiff {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub checkpoints: Vec<String>,
    pub old: Status,
    pub new: Status,
    pub change: Change,
    /// The new version's reason, when it is deficient or not applicable.
    pub reason: Option<String>,
    pub reason_en: Option<String>,
    /// Passages the old version's verdict rested on that the new one lacks, and the reverse.
    pub removed: Vec<Evidence>,
    pub added: Vec<Evidence>,
}

/// A fact the text decides that differs between the versions.
#[derive(Debug, Clone, Serialize)]
pub struct FactDiff {
    pub id: String,
    pub old: bool,
    pub new: bool,
    /// What decided the new value (the old one's when the new text is silent).
    pub evidence: Vec<Evidence>,
}

/// The comparison: `hegui policy diff --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    pub facts: Vec<FactDiff>,
    pub elements: Vec<ElementDiff>,
}

impl Diff {
    /// Elements whose status got worse.
    pub fn worsened(&self) -> impl Iterator<Item = &ElementDiff> {
        self.elements
            .iter()
            .filter(|e| e.change == Change::Worsened)
    }

    /// Elements that changed at all.
    pub fn changed(&self) -> impl Iterator<Item = &ElementDiff> {
        self.elements
            .iter()
            .filter(|e| e.change != Change::Unchanged)
    }
}

fn rank(s: Status) -> Option<u8> {
    match s {
        Status::Absent => Some(0),
        Status::Deficient => Some(1),
        Status::Present => Some(2),
        Status::NotApplicable => None,
    }
}

/// Passages compared by their text with white space dropped (a reflowed line is the same
/// passage).
fn norm(q: &str) -> String {
    q.chars().filter(|c| !c.is_whitespace()).collect()
}

fn missing_from(a: &[Evidence], b: &[Evidence]) -> Vec<Evidence> {
    let theirs: Vec<String> = b.iter().map(|e| norm(&e.quote)).collect();
    a.iter()
        .filter(|e| !theirs.contains(&norm(&e.quote)))
        .cloned()
        .collect()
}

fn element(old: &Verdict, new: &Verdict) -> ElementDiff {
    let removed = missing_from(&old.evidence, &new.evidence);
    let added = missing_from(&new.evidence, &old.evidence);
    let change = match (rank(old.status), rank(new.status)) {
        (Some(a), Some(b)) if b > a => Change::Improved,
        (Some(a), Some(b)) if b < a => Change::Worsened,
        (Some(_), Some(_)) | (None, None) if removed.is_empty() && added.is_empty() => {
            Change::Unchanged
        }
        (Some(_), Some(_)) | (None, None) => Change::Reworded,
        _ => Change::Applicability,
    };
    ElementDiff {
        id: new.id.clone(),
        zh: new.zh.clone(),
        en: new.en.clone(),
        checkpoints: new.checkpoints.clone(),
        old: old.status,
        new: new.status,
        change,
        reason: new.reason.clone(),
        reason_en: new.reason_en.clone(),
        removed,
        added,
    }
}

/// Compares two analyses of the same rubric (element by element, in rubric order).
pub fn diff(old: &Analysis, new: &Analysis) -> Diff {
    let elements = new
        .elements
        .iter()
        .filter_map(|n| {
            let o = old.elements.iter().find(|o| o.id == n.id)?;
            Some(element(o, n))
        })
        .collect();
    let facts = new
        .facts
        .iter()
        .filter_map(|(id, n)| {
            let o = old.facts.get(id)?;
            (o.value != n.value).then(|| FactDiff {
                id: id.clone(),
                old: o.value,
                new: n.value,
                evidence: if n.evidence.is_empty() {
                    o.evidence.clone()
                } else {
                    n.evidence.clone()
                },
            })
        })
        .collect();
    Diff {
        old: old.source.clone(),
        new: new.source.clone(),
        facts,
        elements,
    }
}
