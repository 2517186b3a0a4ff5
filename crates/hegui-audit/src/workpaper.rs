//! Working papers, one per checkpoint: procedures performed, population and sample,
//! evidence references, result, observations, and the preparer's and reviewer's
//! sign-offs. The reviewer cannot be the preparer; any change after review reopens the
//! paper (the review is cleared and the reopening logged).

use hegui_core::law::Law;
use hegui_core::sampling::Sample;
use serde::{Deserialize, Serialize};

use crate::engagement::resolve;
use crate::log;
use crate::store::{now, Query, RowExt, Store, Tx};
use crate::AuditError;

/// A checkpoint's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// 符合
    Compliant,
    /// 部分符合
    PartiallyCompliant,
    /// 不符合
    NonCompliant,
    /// 不适用
    NotApplicable,
    /// 未测试
    NotTested,
}

impl Conclusion {
    pub fn zh(self) -> &'static str {
        match self {
            Conclusion::Compliant => "符合",
            Conclusion::PartiallyCompliant => "部分符合",
            Conclusion::NonCompliant => "不符合",
            Conclusion::NotApplicable => "不适用",
            Conclusion::NotTested => "未测试",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Conclusion::Compliant => "Compliant",
            Conclusion::PartiallyCompliant => "Partially compliant",
            Conclusion::NonCompliant => "Non-compliant",
            Conclusion::NotApplicable => "Not applicable",
            Conclusion::NotTested => "Not tested",
        }
    }

    fn id(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }

    fn parse(s: &str) -> Conclusion {
        serde_json::from_value(serde_json::Value::String(s.into())).unwrap_or(Conclusion::NotTested)
    }
}

/// The population a sample is drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    pub description: String,
    pub size: u64,
}

/// A working paper.
#[derive(Debug, Clone, Serialize)]
pub struct Paper {
    pub checkpoint: String,
    pub procedures: Vec<String>,
    pub population: Option<Population>,
    pub sample: Option<Sample>,
    pub evidence: Vec<String>,
    pub result: Conclusion,
    pub result_zh: &'static str,
    pub observations: String,
    /// draft, prepared or reviewed.
    pub status: String,
    pub prepared_by: Option<String>,
    pub prepared_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub revision: i64,
}

/// Changes to a paper; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub add_procedures: Vec<String>,
    pub population: Option<Population>,
    pub sample: Option<Sample>,
    pub add_evidence: Vec<String>,
    pub result: Option<Conclusion>,
    pub observations: Option<String>,
}

impl Edit {
    fn is_empty(&self) -> bool {
        self.add_procedures.is_empty()
            && self.population.is_none()
            && self.sample.is_none()
            && self.add_evidence.is_empty()
            && self.result.is_none()
            && self.observations.is_none()
    }
}

fn checkpoint_id(cp: &str) -> Result<String, AuditError> {
    Law::get()
        .guideline
        .checkpoint(cp)
        .map(|(_, c)| c.id.clone())
        .ok_or_else(|| {
            AuditError::Invalid(format!(
                "no checkpoint {cp:?}: ids run G2.1 … G27.8 (and G7)"
            ))
        })
}

const PAPER_COLS: &str = "checkpoint, procedures, population, sample, evidence, result, observations, status, prepared_by, prepared_at, reviewed_by, reviewed_at, revision";

fn load(q: &mut impl Query, id: &str, cp: &str) -> Result<Option<Paper>, AuditError> {
    let rows = q.rows(
        &format!(
            "SELECT {PAPER_COLS} FROM working_papers WHERE engagement_id = $1 AND checkpoint = $2"
        ),
        &[id.into(), cp.into()],
    )?;
    Ok(rows.first().map(paper_of))
}

fn paper_of(r: &crate::store::Row) -> Paper {
    {
        let result = Conclusion::parse(&r.text(5));
        Paper {
            checkpoint: r.text(0),
            procedures: serde_json::from_str(&r.text(1)).unwrap_or_default(),
            population: r.opt(2).and_then(|s| serde_json::from_str(&s).ok()),
            sample: r.opt(3).and_then(|s| serde_json::from_str(&s).ok()),
            evidence: serde_json::from_str(&r.text(4)).unwrap_or_default(),
            result,
            result_zh: result.zh(),
            observations: r.text(6),
            status: r.text(7),
            prepared_by: r.opt(8),
            prepared_at: r.opt(9),
            reviewed_by: r.opt(10),
            reviewed_at: r.opt(11),
            revision: r.int(12),
        }
    }
}

fn blank(cp: &str) -> Paper {
    Paper {
        checkpoint: cp.to_string(),
        procedures: Vec::new(),
        population: None,
        sample: None,
        evidence: Vec::new(),
        result: Conclusion::NotTested,
        result_zh: Conclusion::NotTested.zh(),
        observations: String::new(),
        status: "draft".into(),
        prepared_by: None,
        prepared_at: None,
        reviewed_by: None,
        reviewed_at: None,
        revision: 0,
    }
}

fn j<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

fn save(tx: &mut Tx, id: &str, p: &Paper) -> Result<(), AuditError> {
    tx.exec(
        "DELETE FROM working_papers WHERE engagement_id = $1 AND checkpoint = $2",
        &[id.into(), p.checkpoint.clone().into()],
    )?;
    tx.exec(
        "INSERT INTO working_papers (engagement_id, checkpoint, procedures, population, sample, evidence, result, observations, status, prepared_by, prepared_at, reviewed_by, reviewed_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        &[
            id.into(),
            p.checkpoint.clone().into(),
            j(&p.procedures).into(),
            p.population.as_ref().map(j).into(),
            p.sample.as_ref().map(j).into(),
            j(&p.evidence).into(),
            p.result.id().into(),
            p.observations.clone().into(),
            p.status.clone().into(),
            p.prepared_by.clone().into(),
            p.prepared_at.clone().into(),
            p.reviewed_by.clone().into(),
            p.reviewed_at.clone().into(),
            p.revision.into(),
        ],
    )?;
    tx.touch("working_papers", &[&p.checkpoint]);
    Ok(())
}

/// [`get`] inside a transaction (`id` resolved, `cp` a checkpoint id).
pub(crate) fn load_in(tx: &mut Tx, id: &str, cp: &str) -> Result<Paper, AuditError> {
    Ok(load(tx, id, cp)?.unwrap_or_else(|| blank(cp)))
}

/// A working paper (a blank draft if none was written yet).
pub fn get(store: &Store, engagement: &str, checkpoint: &str) -> Result<Paper, AuditError> {
    let id = resolve(store, engagement)?;
    let cp = checkpoint_id(checkpoint)?;
    let mut q = store;
    Ok(load(&mut q, &id, &cp)?.unwrap_or_else(|| blank(&cp)))
}

/// All written papers of an engagement, in Guideline order.
pub fn list(store: &Store, engagement: &str) -> Result<Vec<Paper>, AuditError> {
    let id = resolve(store, engagement)?;
    // One query for all of them (a page lists them on every view), then Guideline order.
    let mut papers: Vec<Paper> = store
        .rows(
            &format!("SELECT {PAPER_COLS} FROM working_papers WHERE engagement_id = $1"),
            &[id.into()],
        )?
        .iter()
        .map(paper_of)
        .collect();
    let order: std::collections::HashMap<&str, usize> = Law::get()
        .guideline
        .checkpoints()
        .enumerate()
        .map(|(i, (_, c))| (c.id.as_str(), i))
        .collect();
    papers.sort_by_key(|p| {
        order
            .get(p.checkpoint.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    Ok(papers)
}

/// Applies an edit. A reviewed paper that changes is reopened.
pub fn edit(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    e: Edit,
    actor: &str,
) -> Result<Paper, AuditError> {
    if e.is_empty() {
        return Err(AuditError::Invalid("nothing to change".into()));
    }
    let id = resolve(store, engagement)?;
    let cp = checkpoint_id(checkpoint)?;
    // Read and written under the engagement's write lock: concurrent edits queue, and
    // none is lost.
    store.write(Some(&id), |tx| edit_in(tx, &id, &cp, &e, actor))
}

/// [`edit`] inside a transaction that writes more (an accepted request links its files).
pub(crate) fn edit_in(
    tx: &mut Tx,
    id: &str,
    checkpoint: &str,
    e: &Edit,
    actor: &str,
) -> Result<Paper, AuditError> {
    let cp = checkpoint_id(checkpoint)?;
    let id = id.to_string();
    let mut p = load(tx, &id, &cp)?.unwrap_or_else(|| blank(&cp));
    let reopened = apply(&mut p, e)?;
    save(tx, &id, &p)?;
    if reopened {
        log::append(
            tx,
            &id,
            actor,
            "workpaper.reopened",
            &log::detail(&[
                ("checkpoint", cp.clone().into()),
                ("reason", "changed after review".into()),
            ]),
        )?;
    }
    log::append(tx, &id, actor, "workpaper.edited", &log::detail(&[
        ("checkpoint", cp.clone().into()),
        ("revision", p.revision.into()),
        ("result", p.result.id().into()),
        ("added_procedures", e.add_procedures.len().into()),
        ("added_evidence", serde_json::to_value(&e.add_evidence).unwrap_or_default()),
        ("sample", e.sample.as_ref().map(|s| serde_json::json!({"size": s.size, "seed": s.seed, "population": s.population})).unwrap_or_default()),
    ]))?;
    Ok(p)
}

/// Applies `e` to `p`; returns whether a reviewed paper was reopened by it.
fn apply(p: &mut Paper, e: &Edit) -> Result<bool, AuditError> {
    let reopened = p.status == "reviewed";
    p.procedures.extend(e.add_procedures.iter().cloned());
    p.evidence.extend(e.add_evidence.iter().cloned());
    if let Some(pop) = e.population.clone() {
        p.population = Some(pop);
    }
    if let Some(s) = e.sample.clone() {
        if let Some(pop) = &p.population {
            if s.population != pop.size {
                return Err(AuditError::Invalid(format!(
                    "the sample is drawn from {} items but the population has {}",
                    s.population, pop.size
                )));
            }
        }
        p.sample = Some(s);
    }
    if let Some(r) = e.result {
        p.result = r;
        p.result_zh = r.zh();
    }
    if let Some(o) = e.observations.clone() {
        p.observations = o;
    }
    if reopened {
        p.status = "prepared".into();
        p.reviewed_by = None;
        p.reviewed_at = None;
    }
    p.revision += 1;
    Ok(reopened)
}

/// The preparer signs the paper off.
pub fn prepare(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    actor: &str,
) -> Result<Paper, AuditError> {
    let id = resolve(store, engagement)?;
    let cp = checkpoint_id(checkpoint)?;
    store.write(Some(&id), |tx| {
        let mut p = load(tx, &id, &cp)?
            .ok_or_else(|| AuditError::Invalid(format!("{cp}: nothing written yet to sign off")))?;
        if p.procedures.is_empty() {
            return Err(AuditError::Invalid(format!("{cp}: no procedure recorded")));
        }
        if p.result == Conclusion::NotTested {
            return Err(AuditError::Invalid(format!(
                "{cp}: no conclusion recorded (--result)"
            )));
        }
        p.status = "prepared".into();
        p.prepared_by = Some(actor.to_string());
        p.prepared_at = Some(now());
        p.reviewed_by = None;
        p.reviewed_at = None;
        save(tx, &id, &p)?;
        log::append(
            tx,
            &id,
            actor,
            "workpaper.prepared",
            &log::detail(&[
                ("checkpoint", cp.clone().into()),
                ("revision", p.revision.into()),
            ]),
        )?;
        Ok(p)
    })
}

/// The reviewer signs the paper off; the reviewer cannot be the preparer.
pub fn review(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    actor: &str,
) -> Result<Paper, AuditError> {
    let id = resolve(store, engagement)?;
    let cp = checkpoint_id(checkpoint)?;
    store.write(Some(&id), |tx| {
        let mut p = load(tx, &id, &cp)?
            .ok_or_else(|| AuditError::Invalid(format!("{cp}: nothing written yet to review")))?;
        if p.status != "prepared" {
            return Err(AuditError::Invalid(format!(
                "{cp}: the paper is {}, it must be prepared before review",
                p.status
            )));
        }
        if p.prepared_by.as_deref() == Some(actor) {
            return Err(AuditError::Invalid(format!(
                "{cp}: {actor} prepared this paper and cannot also review it"
            )));
        }
        let unresolved = crate::review_notes::unresolved_in(tx, &id, &cp)?;
        if !unresolved.is_empty() {
            return Err(AuditError::Invalid(format!(
                "{cp}: review notes {} are not cleared: clear them before signing the paper off",
                unresolved.join(", ")
            )));
        }
        p.status = "reviewed".into();
        p.reviewed_by = Some(actor.to_string());
        p.reviewed_at = Some(now());
        save(tx, &id, &p)?;
        log::append(
            tx,
            &id,
            actor,
            "workpaper.reviewed",
            &log::detail(&[
                ("checkpoint", cp.clone().into()),
                ("revision", p.revision.into()),
            ]),
        )?;
        Ok(p)
    })
}
