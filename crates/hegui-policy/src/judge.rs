//! The facts a policy's text gives, and each element's status with the passages it rests on.
//!
//! An element is judged on the clauses *about* it (by its cues, its section's heading or
//! its table column): none is `absent`; only negated ones (无法注销账号) is `deficient`; a
//! deficiency that overrides (consent bundled into accepting the policy) is `deficient`;
//! an affirmative clause meeting the element is `present`; otherwise `deficient`, with the
//! reason its cues give. A conditional element whose facts are all false is
//! `not_applicable`, with the facts' evidence.

use std::collections::BTreeMap;

use hegui_core::law::{PolicyElement, PolicyRubric};
use serde::Serialize;

use crate::clause::{clauses, negated, Clause};
use crate::cues::{Cues, ElementCues, FactCues};
use crate::document::{Document, Kind};
use crate::Error;

/// Clauses quoted per verdict, at most.
const QUOTES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Present,
    Deficient,
    Absent,
    NotApplicable,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Deficient => "deficient",
            Status::Absent => "absent",
            Status::NotApplicable => "not_applicable",
        }
    }

    /// Whether the element needs the processor's attention.
    pub fn flagged(self) -> bool {
        matches!(self, Status::Deficient | Status::Absent)
    }
}

/// A passage: the clause quoted, the headings it sits under, its byte range in the text.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub quote: String,
    pub heading: String,
    pub start: usize,
    pub end: usize,
}

/// A fact's value, where it came from (`profile`, `assume`, `text`), and for `text` the
/// passages that decided it (none: the text does not mention it, so it is taken as false).
#[derive(Debug, Clone, Serialize)]
pub struct FactValue {
    pub value: bool,
    pub from: String,
    pub evidence: Vec<Evidence>,
}

/// One element's status.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub status: Status,
    pub checkpoints: Vec<String>,
    pub cites: Vec<String>,
    /// Why it is deficient or not applicable (Chinese; `reason_en` in English).
    pub reason: Option<String>,
    pub reason_en: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// A policy's analysis: the JSON contract of `hegui policy check --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub source: String,
    pub format: String,
    pub facts: BTreeMap<String, FactValue>,
    pub elements: Vec<Verdict>,
    /// Differences from the processor's profile (with `--profile`; see [`crate::crosscheck`]).
    pub inventory_mismatches: Vec<crate::crosscheck::Mismatch>,
}

impl Analysis {
    /// Elements absent or deficient.
    pub fn flagged(&self) -> impl Iterator<Item = &Verdict> {
        self.elements.iter().filter(|v| v.status.flagged())
    }

    /// Whether anything needs the processor's attention: a flagged element or a mismatch
    /// with the profile.
    pub fn needs_attention(&self) -> bool {
        self.flagged().next().is_some() || !self.inventory_mismatches.is_empty()
    }
}

/// Judges `doc` against the rubric. `given` holds facts already known (from a profile or
/// `--assume`) with where they came from; the others are read from the text.
pub fn check(
    source: &str,
    format: &str,
    doc: &Document,
    given: &BTreeMap<String, (bool, String)>,
) -> Result<Analysis, Error> {
    let cues = Cues::get();
    let rubric: &PolicyRubric = &hegui_core::law::Law::get().policy_rubric;
    let words = cues.policy_words.find_iter(&doc.text).count();
    if words < needed(cues, doc) {
        return Err(Error::NotAPolicy(format!(
            "it mentions 个人信息 or 隐私 {words} times (a policy does many times)"
        )));
    }
    let clauses = clauses(doc);
    let mut facts = BTreeMap::new();
    for f in &rubric.facts {
        let v = match given.get(&f.id) {
            Some((value, from)) => FactValue {
                value: *value,
                from: from.clone(),
                evidence: Vec::new(),
            },
            None => fact_from_text(&cues.facts[&f.id], &cues.negation, doc, &clauses),
        };
        facts.insert(f.id.clone(), v);
    }
    let elements = rubric
        .elements
        .iter()
        .map(|e| judge(e, &cues.elements[&e.id], cues, doc, &clauses, &facts))
        .collect();
    Ok(Analysis {
        source: source.to_string(),
        format: format.to_string(),
        facts,
        elements,
        inventory_mismatches: Vec::new(),
    })
}

fn evidence(doc: &Document, c: &Clause) -> Evidence {
    Evidence {
        quote: doc.text[c.start..c.end].trim().to_string(),
        heading: doc.heading_path(c.block),
        start: c.start,
        end: c.end,
    }
}

/// How often a text must name personal information or privacy to be taken for a policy:
/// fewer times when its first block or a heading says it is one (a short policy).
fn needed(cues: &Cues, doc: &Document) -> usize {
    let titled = doc.blocks.iter().enumerate().any(|(i, b)| {
        (i == 0 || matches!(b.kind, Kind::Heading(_)))
            && cues.policy_title.is_match(doc.block_text(i))
    });
    if titled {
        cues.policy_min_titled
    } else {
        cues.policy_min
    }
}

/// A fact from the text: an affirmative mention makes it true; a denial (or a negated
/// mention) false; no mention at all false, with no evidence.
fn fact_from_text(
    f: &FactCues,
    negation: &regex::Regex,
    doc: &Document,
    clauses: &[Clause],
) -> FactValue {
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for c in clauses {
        if f.except.iter().any(|r| r.is_match(&c.context)) {
            continue;
        }
        if f.no.iter().any(|r| r.is_match(&c.context)) {
            no.push(evidence(doc, c));
            continue;
        }
        if let Some(m) = f.yes.iter().find_map(|r| r.find(&c.context)) {
            // A heading names a subject ("向第三方提供"), not what is done: the section
            // under it may well deny it.
            if matches!(doc.blocks[c.block].kind, Kind::Heading(_)) {
                continue;
            }
            if negated(negation, &c.context, m.start()) {
                no.push(evidence(doc, c));
            } else {
                yes.push(evidence(doc, c));
            }
        }
    }
    let value = !yes.is_empty();
    let mut evidence = if value { yes } else { no };
    // Sentences say more than headings: quote them first.
    let heading = |e: &Evidence| e.heading.is_empty() || e.quote.chars().count() < 12;
    evidence.sort_by_key(heading);
    evidence.truncate(QUOTES);
    FactValue {
        value,
        from: "text".into(),
        evidence,
    }
}

/// A clause about an element, whether its mention is negated, and how it was found
/// (0: by its table column, 1: by a cue, 2: by its section's heading — quoted in that order).
struct About<'a> {
    clause: &'a Clause,
    negated: bool,
    rank: u8,
}

fn about<'a>(
    c: &ElementCues,
    cues: &Cues,
    doc: &Document,
    clause: &'a Clause,
) -> Option<About<'a>> {
    let block = &doc.blocks[clause.block];
    let under = |rs: &[regex::Regex]| {
        block
            .headings
            .iter()
            .any(|&h| rs.iter().any(|r| r.is_match(doc.block_text(h))))
    };
    if under(&c.not_under) {
        return None;
    }
    let by_header = match &block.kind {
        Kind::Cell { header, table } => {
            c.headers.iter().any(|r| r.is_match(header))
                && (c.table.is_empty() || c.table.iter().any(|r| r.is_match(table)))
        }
        _ => false,
    };
    let whole = || cues.negation.is_match(&clause.context[clause.offset..]);
    if by_header {
        return Some(About {
            clause,
            negated: whole(),
            rank: 0,
        });
    }
    let overriding = c.deficient.iter().filter(|d| d.overrides);
    let m = c.about.iter().chain(overriding.map(|d| &d.when));
    // The clause's paragraph, or the one before it (a PDF's lines, a sentence of its own).
    let near = || {
        let before = clause.block.checked_sub(1).filter(|&b| {
            !matches!(doc.blocks[b].kind, Kind::Heading(_))
                && doc.blocks[b].headings == block.headings
        });
        [Some(clause.block), before]
            .into_iter()
            .flatten()
            .any(|b| c.near.iter().any(|r| r.is_match(doc.block_text(b))))
    };
    let near_cues = (!c.about_near.is_empty() && near())
        .then_some(c.about_near.iter())
        .into_iter()
        .flatten();
    let m = m.chain(near_cues);
    // The clause as written, then without its bracketed asides (the cue's words apart).
    for text in [&clause.context, &clause.bare] {
        if let Some(m) = m.clone().find_map(|r| r.find(text)) {
            return Some(About {
                clause,
                negated: negated(&cues.negation, text, m.start())
                    && !cues.exception.is_match(&text[m.start()..]),
                rank: 1,
            });
        }
    }
    let by_heading = !c.heading.is_empty()
        && c.present.iter().any(|r| r.is_match(&clause.context))
        && under(&c.heading);
    by_heading.then(|| About {
        clause,
        negated: whole(),
        rank: 2,
    })
}

fn judge(
    e: &PolicyElement,
    c: &ElementCues,
    cues: &Cues,
    doc: &Document,
    clauses: &[Clause],
    facts: &BTreeMap<String, FactValue>,
) -> Verdict {
    let verdict = |status, reason: Option<(String, String)>, evidence| {
        let (reason, reason_en) = reason.unzip();
        Verdict {
            id: e.id.clone(),
            zh: e.zh.clone(),
            en: e.en.clone(),
            status,
            checkpoints: e.checkpoints.clone(),
            cites: e.cites.iter().map(|c| String::from(c.clone())).collect(),
            reason,
            reason_en,
            evidence,
        }
    };
    if !e.always()
        && !e
            .applies
            .iter()
            .any(|f| facts.get(f).is_some_and(|v| v.value))
    {
        let rubric = &hegui_core::law::Law::get().policy_rubric;
        let names = |en: bool| -> Vec<String> {
            e.applies
                .iter()
                .filter_map(|f| rubric.fact(f))
                .map(|f| if en { f.en.clone() } else { f.zh.clone() })
                .collect()
        };
        let ev: Vec<Evidence> = e
            .applies
            .iter()
            .filter_map(|f| facts.get(f))
            .flat_map(|v| v.evidence.iter().cloned())
            .take(QUOTES)
            .collect();
        let reason = (
            format!("不适用：并非“{}”", names(false).join("”或“")),
            format!(
                "not applicable: not the case that {}",
                names(true).join(" or ")
            ),
        );
        return verdict(Status::NotApplicable, Some(reason), ev);
    }
    let mut found: Vec<About> = clauses
        .iter()
        .filter_map(|cl| about(c, cues, doc, cl))
        .collect();
    found.sort_by_key(|a| a.rank);
    if found.is_empty() {
        return verdict(Status::Absent, None, Vec::new());
    }
    let quote = |v: Vec<&Clause>| {
        v.into_iter()
            .take(QUOTES)
            .map(|cl| evidence(doc, cl))
            .collect()
    };
    let affirmative: Vec<&Clause> = found
        .iter()
        .filter(|a| !a.negated)
        .map(|a| a.clause)
        .collect();
    if affirmative.is_empty() {
        let reason = (
            "仅在否定句中提及（如“无法”“暂不支持”）".to_string(),
            "only mentioned in a negation (cannot, not supported)".to_string(),
        );
        return verdict(
            Status::Deficient,
            Some(reason),
            quote(found.iter().map(|a| a.clause).collect()),
        );
    }
    let matching = |overrides: bool| {
        c.deficient
            .iter()
            .filter(move |d| d.overrides == overrides)
            .find_map(|d| {
                let hits: Vec<&Clause> = affirmative
                    .iter()
                    .copied()
                    .filter(|cl| d.when.is_match(&cl.context))
                    .collect();
                (!hits.is_empty()).then(|| ((d.zh.clone(), d.en.clone()), hits))
            })
    };
    if let Some((reason, hits)) = matching(true) {
        return verdict(Status::Deficient, Some(reason), quote(hits));
    }
    let meeting: Vec<&Clause> = affirmative
        .iter()
        .copied()
        .filter(|cl| c.present.is_empty() || c.present.iter().any(|r| r.is_match(&cl.context)))
        .collect();
    if !meeting.is_empty() {
        return verdict(Status::Present, None, quote(meeting));
    }
    if let Some((reason, hits)) = matching(false) {
        return verdict(Status::Deficient, Some(reason), quote(hits));
    }
    let reason = c.fallback.clone().unwrap_or_else(|| {
        (
            "有所提及，但未满足该项要求".to_string(),
            "mentioned, but without what the element requires".to_string(),
        )
    });
    verdict(Status::Deficient, Some(reason), quote(affirmative))
}
