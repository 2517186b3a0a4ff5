//! A privacy policy and its analysis (`hegui policy check --format json`) in the vault, and
//! what the analysis proposes for the working papers.
//!
//! The policy is stored as kind `policy`, the analysis beside it as kind `policy_check`,
//! wrapped with the policy's code and hash so the analysis stays bound to the exact text it
//! judged. Both land, in one transaction, on the checkpoints the analysis speaks to (every
//! element that applies names its Guideline checkpoints). The analysis is never a
//! conclusion: on each of those papers it is a *proposed* observation, which the auditor
//! accepts (its text appended to the paper's observations, an ordinary logged edit) or
//! ignores.

use serde::{Deserialize, Serialize};

use super::{insert_item, put_blob, Content, Evidence, Item, NewEvidence};
use crate::engagement::resolve;
use crate::workpaper::{self, Edit};
use crate::AuditError;

/// What the analysis says about one element (the fields of the JSON contract read here).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Element {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub status: String,
    #[serde(default)]
    pub checkpoints: Vec<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub reason_en: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Passage>,
}

/// A passage an element's status rests on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Passage {
    pub quote: String,
    #[serde(default)]
    pub heading: String,
}

/// A difference between the policy and the profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mismatch {
    pub element: String,
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Analysis {
    source: String,
    elements: Vec<Element>,
    #[serde(default)]
    inventory_mismatches: Vec<Mismatch>,
}

/// The stored analysis: the policy item it judged, and the analysis itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    policy: PolicyRef,
    analysis: Analysis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PolicyRef {
    code: String,
    name: String,
    sha256: String,
}

/// One analysed policy of an engagement, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// The policy's evidence code, its file name, and the analysis's code.
    pub policy: String,
    pub name: String,
    pub analysis: String,
    pub elements: Vec<Element>,
    pub mismatches: Vec<Mismatch>,
}

impl Review {
    /// Elements absent or deficient.
    pub fn flagged(&self) -> impl Iterator<Item = &Element> {
        self.elements.iter().filter(|e| flagged(&e.status))
    }
}

/// What an analysis proposes for one working paper.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// The analysis's evidence code (what `--accept-proposed` names) and the policy's.
    pub analysis: String,
    pub policy: String,
    /// The proposed observation, in Chinese (the report's language).
    pub text: String,
    /// How many of its elements are absent or deficient.
    pub flagged: usize,
    /// Whether the paper's observations already hold it.
    pub accepted: bool,
}

fn flagged(status: &str) -> bool {
    matches!(status, "absent" | "deficient")
}

fn status_zh(status: &str) -> &'static str {
    match status {
        "present" => "具备",
        "deficient" => "有缺陷",
        "absent" => "缺失",
        _ => "不适用",
    }
}

fn parse_analysis(bytes: &[u8]) -> Result<Analysis, AuditError> {
    serde_json::from_slice(bytes).map_err(|e| {
        AuditError::Invalid(format!(
            "not a hegui policy check analysis (one file's JSON object): {e}"
        ))
    })
}

/// The checkpoints an analysis speaks to: those of every element that applies, checked
/// against the Guideline, in its order.
fn checkpoints(a: &Analysis) -> Result<Vec<String>, AuditError> {
    let law = hegui_core::law::Law::get();
    let mut out: Vec<(usize, String)> = Vec::new();
    let order: Vec<&str> = law
        .guideline
        .checkpoints()
        .map(|(_, c)| c.id.as_str())
        .collect();
    for e in a.elements.iter().filter(|e| e.status != "not_applicable") {
        for c in &e.checkpoints {
            let (_, cp) = law.guideline.checkpoint(c).ok_or_else(|| {
                AuditError::Invalid(format!("the analysis names no checkpoint {c:?}"))
            })?;
            let at = order.iter().position(|x| *x == cp.id).unwrap_or(usize::MAX);
            if !out.iter().any(|(_, x)| *x == cp.id) {
                out.push((at, cp.id.clone()));
            }
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// Stores a policy and its analysis (the JSON object `hegui policy check --format json`
/// writes for one file) and links both to the checkpoints the analysis speaks to — all in
/// one transaction. Returns the policy's item and the analysis's.
pub fn add(
    store: &crate::store::Store,
    engagement: &str,
    policy: NewEvidence,
    analysis: &[u8],
) -> Result<(Evidence, Evidence), AuditError> {
    let id = resolve(store, engagement)?;
    if policy.collector.trim().is_empty() || policy.source.trim().is_empty() {
        return Err(AuditError::Invalid(
            "evidence needs its collector and its source".into(),
        ));
    }
    let parsed = parse_analysis(analysis)?;
    let mut linked = checkpoints(&parsed)?;
    for c in &policy.checkpoints {
        let (_, cp) = hegui_core::law::Law::get()
            .guideline
            .checkpoint(c)
            .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {c:?}")))?;
        if !linked.contains(&cp.id) {
            linked.push(cp.id.clone());
        }
    }
    store.write(Some(&id), |tx| {
        let sha = put_blob(tx, &id, &policy.content)?;
        let size = policy.content.len() as i64;
        let item = Item {
            sha256: &sha,
            name: &policy.name,
            size,
            kind: "policy",
            collector: &policy.collector,
            effective_date: policy.effective_date.as_deref(),
            source: &policy.source,
            description: &policy.description,
            checkpoints: &linked,
        };
        let (code, collected) = insert_item(tx, &id, &item)?;
        let stored = Stored {
            policy: PolicyRef {
                code: code.clone(),
                name: policy.name.clone(),
                sha256: sha.clone(),
            },
            analysis: parsed.clone(),
        };
        let json = serde_json::to_vec_pretty(&stored).expect("serialisable");
        let a_content = Content::Bytes(json);
        let a_sha = put_blob(tx, &id, &a_content)?;
        let a_name = format!("{}.check.json", policy.name);
        let a_description = format!("hegui policy check of {code}");
        let a_item = Item {
            sha256: &a_sha,
            name: &a_name,
            size: a_content.len() as i64,
            kind: "policy_check",
            collector: &policy.collector,
            effective_date: policy.effective_date.as_deref(),
            source: "hegui policy check",
            description: &a_description,
            checkpoints: &linked,
        };
        let (a_code, a_collected) = insert_item(tx, &id, &a_item)?;
        for cp in &linked {
            let edit = Edit {
                add_evidence: vec![code.clone(), a_code.clone()],
                ..Edit::default()
            };
            workpaper::edit_in(tx, &id, cp, &edit, &policy.collector)?;
        }
        let policy_item = Evidence {
            code,
            sha256: sha,
            name: policy.name.clone(),
            size,
            kind: "policy".into(),
            collector: policy.collector.clone(),
            collected_at: collected,
            effective_date: policy.effective_date.clone(),
            source: policy.source.clone(),
            description: policy.description.clone(),
            checkpoints: linked.clone(),
        };
        let analysis_item = Evidence {
            code: a_code,
            sha256: a_sha,
            name: a_name,
            size: a_content.len() as i64,
            kind: "policy_check".into(),
            collected_at: a_collected,
            source: "hegui policy check".into(),
            description: a_description,
            ..policy_item.clone()
        };
        Ok((policy_item, analysis_item))
    })
}

/// Every analysed policy of an engagement, decrypted and checked (for the report).
pub fn reviews(store: &crate::store::Store, engagement: &str) -> Result<Vec<Review>, AuditError> {
    let id = resolve(store, engagement)?;
    let mut out = Vec::new();
    for item in super::list_kind(store, engagement, "policy_check")? {
        let bytes = super::decrypt_blob(store, &id, &item.sha256)?;
        let s: Stored = serde_json::from_slice(&bytes).map_err(|e| {
            AuditError::Tampered(format!(
                "{}: the stored analysis does not parse: {e}",
                item.code
            ))
        })?;
        out.push(Review {
            policy: s.policy.code,
            name: s.policy.name,
            analysis: item.code,
            elements: s.analysis.elements,
            mismatches: s.analysis.inventory_mismatches,
        });
    }
    Ok(out)
}

/// What the engagement's analysed policies propose for the paper on `checkpoint`.
pub fn proposals(
    store: &crate::store::Store,
    engagement: &str,
    checkpoint: &str,
) -> Result<Vec<Proposal>, AuditError> {
    let paper = workpaper::get(store, engagement, checkpoint)?;
    Ok(proposals_for(&reviews(store, engagement)?, &paper))
}

/// What `reviews` (the engagement's analysed policies) propose for `paper`: for a caller
/// that holds both already (a server's read cache).
pub fn proposals_for(reviews: &[Review], paper: &workpaper::Paper) -> Vec<Proposal> {
    let cp = paper.checkpoint.as_str();
    let mut out = Vec::new();
    for r in reviews {
        let about: Vec<&Element> = r
            .elements
            .iter()
            .filter(|e| e.status != "not_applicable" && e.checkpoints.iter().any(|c| c == cp))
            .collect();
        if about.is_empty() {
            continue;
        }
        let text = proposal_text(r, &about);
        out.push(Proposal {
            accepted: paper.observations.contains(&text),
            flagged: about.iter().filter(|e| flagged(&e.status)).count(),
            analysis: r.analysis.clone(),
            policy: r.policy.clone(),
            text,
        });
    }
    out
}

/// The proposed observation: the policy named, then each element the paper's checkpoint
/// rests on (flagged ones first), its status, reason and the passage quoted.
fn proposal_text(r: &Review, about: &[&Element]) -> String {
    let mut lines = vec![format!(
        "经审阅个人信息处理规则《{}》（{}，分析见 {}）：",
        r.name, r.policy, r.analysis
    )];
    let mut sorted: Vec<&&Element> = about.iter().collect();
    sorted.sort_by_key(|e| !flagged(&e.status));
    for e in sorted {
        let mut line = format!("{} {}：{}", e.id, e.zh, status_zh(&e.status));
        if let Some(reason) = e.reason.as_deref().filter(|r| !r.is_empty()) {
            line.push_str(&format!("（{reason}）"));
        }
        if let Some(p) = e.evidence.first() {
            let q: String = p.quote.chars().take(80).collect();
            let more = if p.quote.chars().count() > 80 {
                "…"
            } else {
                ""
            };
            line.push_str(&format!("，原文“{q}{more}”"));
        }
        line.push('。');
        lines.push(line);
    }
    lines.join("\n")
}

/// Accepts a proposal: its text appended to the paper's observations (an ordinary logged
/// edit; a reviewed paper is reopened by it).
pub fn accept(
    store: &crate::store::Store,
    engagement: &str,
    checkpoint: &str,
    analysis: &str,
    actor: &str,
) -> Result<workpaper::Paper, AuditError> {
    let found = proposals(store, engagement, checkpoint)?;
    let p = found
        .iter()
        .find(|p| p.analysis == analysis)
        .ok_or_else(|| {
            let known: Vec<&str> = found.iter().map(|p| p.analysis.as_str()).collect();
            AuditError::Invalid(format!(
                "{analysis} proposes nothing for {checkpoint}{}",
                if known.is_empty() {
                    " (no analysed policy speaks to it)".to_string()
                } else {
                    format!(" (proposals come from {})", known.join(", "))
                }
            ))
        })?;
    if p.accepted {
        return Err(AuditError::Invalid(format!(
            "{analysis}'s proposal is already in {checkpoint}'s observations"
        )));
    }
    // Read and written under the engagement's write lock: an edit made meanwhile is kept.
    let id = resolve(store, engagement)?;
    let cp = workpaper::get(store, engagement, checkpoint)?.checkpoint;
    store.write(Some(&id), |tx| {
        let current = workpaper::load_in(tx, &id, &cp)?.observations;
        let observations = if current.trim().is_empty() {
            p.text.clone()
        } else {
            format!("{}\n{}", current.trim_end(), p.text)
        };
        let edit = Edit {
            observations: Some(observations),
            ..Edit::default()
        };
        workpaper::edit_in(tx, &id, &cp, &edit, actor)
    })
}
