//! Many writers on one engagement at once: the workload of the concurrency tests and of
//! `hegui bench store`. Each worker makes mixed writes — evidence (which also edits the
//! paper it supports), paper edits, findings, rectification items and their status — and
//! records every write that was acknowledged; [`check`] then proves that every
//! acknowledged write is in the store, that codes are unique with no gaps, and that the
//! engagement verifies.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::findings::{self, ItemStatus, Severity};
use crate::vault::{self, EvidenceKind, NewEvidence};
use crate::workpaper::{self, Edit};
use crate::{verify, AuditError};

/// The paper every worker edits (the most contended row).
pub const SHARED_PAPER: &str = "G3.1";

/// One acknowledged write.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Acked {
    /// evidence, paper, finding, item, status.
    pub kind: String,
    /// What it wrote: the evidence or finding code, the procedure's text, the item
    /// (`F-003/1`), or the item and its status (`F-003/1=in_progress`).
    pub key: String,
    /// How long the write took, queueing included, in microseconds.
    pub micros: u64,
}

fn timed<T>(
    kind: &str,
    out: &mut Vec<Acked>,
    f: impl FnOnce() -> Result<(T, String), AuditError>,
) -> Result<T, AuditError> {
    let t = Instant::now();
    let (v, key) = f()?;
    out.push(Acked {
        kind: kind.into(),
        key,
        micros: t.elapsed().as_micros() as u64,
    });
    Ok(v)
}

/// Worker `w` makes `writes` mixed writes to `engagement`; returns what was acknowledged.
/// Stops at the first failure (the error says which write).
pub fn worker(
    store: &crate::store::Store,
    engagement: &str,
    w: usize,
    writes: usize,
    calendar: &hegui_core::calendar::Calendar,
) -> Result<Vec<Acked>, AuditError> {
    let mut out = Vec::with_capacity(writes);
    let mut finding: Option<String> = None;
    let mut item: Option<(String, i64)> = None;
    let actor = format!("worker-{w}");
    for i in 0..writes {
        let tag = format!("w{w}-{i}");
        let r = match i % 5 {
            0 => timed("evidence", &mut out, || {
                let e = vault::add(
                    store,
                    engagement,
                    NewEvidence {
                        name: format!("{tag}.txt"),
                        content: format!("evidence {tag}").into_bytes().into(),
                        kind: EvidenceKind::File,
                        collector: actor.clone(),
                        effective_date: None,
                        source: "contention test".into(),
                        description: String::new(),
                        checkpoints: vec![SHARED_PAPER.into()],
                    },
                )?;
                Ok(((), e.code))
            }),
            1 => timed("paper", &mut out, || {
                let edit = Edit {
                    add_procedures: vec![tag.clone()],
                    ..Edit::default()
                };
                workpaper::edit(store, engagement, SHARED_PAPER, edit, &actor)?;
                Ok(((), tag.clone()))
            }),
            2 => timed("finding", &mut out, || {
                let code = findings::add(
                    store,
                    engagement,
                    SHARED_PAPER,
                    Severity::Medium,
                    &tag,
                    "",
                    &actor,
                )?;
                finding = Some(code.clone());
                Ok(((), code))
            }),
            3 => match &finding {
                Some(f) => timed("item", &mut out, || {
                    let seq = findings::add_item(
                        store,
                        engagement,
                        f,
                        "IT",
                        &tag,
                        jiff::civil::date(2026, 12, 31),
                        &actor,
                    )?;
                    item = Some((f.clone(), seq));
                    Ok(((), format!("{f}/{seq}")))
                }),
                None => Ok(()),
            },
            _ => match &item {
                Some((f, seq)) => timed("status", &mut out, || {
                    findings::set_status(
                        store,
                        engagement,
                        f,
                        *seq,
                        ItemStatus::InProgress,
                        None,
                        None,
                        calendar,
                        &actor,
                    )?;
                    Ok(((), format!("{f}/{seq}=in_progress")))
                }),
                None => Ok(()),
            },
        };
        r.map_err(|e| AuditError::Invalid(format!("worker {w}, write {i}: {e}")))?;
    }
    Ok(out)
}

/// What [`check`] found.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub writes: usize,
    pub evidence: usize,
    pub findings: usize,
    /// Write latency (queueing included): median and 99th percentile, milliseconds.
    pub median_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn codes_without_gaps(prefix: &str, codes: &BTreeSet<String>) -> Result<(), String> {
    for (i, c) in codes.iter().enumerate() {
        let want = format!("{prefix}{:03}", i + 1);
        if *c != want {
            return Err(format!(
                "codes have a gap or a stranger: expected {want}, found {c}"
            ));
        }
    }
    Ok(())
}

/// Checks the store after the workers: every acknowledged write present, codes unique and
/// without gaps, the engagement verified.
pub fn check(
    store: &crate::store::Store,
    engagement: &str,
    acked: &[Acked],
) -> Result<Checked, String> {
    let err = |e: AuditError| e.to_string();
    let of = |kind: &str| -> Vec<&str> {
        acked
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.key.as_str())
            .collect()
    };
    let stored_ev: BTreeSet<String> = vault::list(store, engagement)
        .map_err(err)?
        .into_iter()
        .map(|e| e.code)
        .collect();
    let acked_ev: BTreeSet<String> = of("evidence").into_iter().map(String::from).collect();
    if acked_ev.len() != of("evidence").len() {
        return Err("two acknowledged evidence items got the same code".into());
    }
    if stored_ev != acked_ev {
        return Err(format!(
            "evidence acknowledged {} but stored {}",
            acked_ev.len(),
            stored_ev.len()
        ));
    }
    codes_without_gaps("EV-", &stored_ev)?;
    let ledger = findings::ledger(store, engagement).map_err(err)?;
    let stored_f: BTreeSet<String> = ledger.findings.iter().map(|f| f.code.clone()).collect();
    let acked_f: BTreeSet<String> = of("finding").into_iter().map(String::from).collect();
    if acked_f.len() != of("finding").len() || stored_f != acked_f {
        return Err(format!(
            "findings acknowledged {} (unique {}) but stored {}",
            of("finding").len(),
            acked_f.len(),
            stored_f.len()
        ));
    }
    codes_without_gaps("F-", &stored_f)?;
    let items: BTreeSet<String> = ledger
        .findings
        .iter()
        .flat_map(|f| {
            f.items
                .iter()
                .map(move |i| (format!("{}/{}", f.code, i.seq), i.status.clone()))
        })
        .flat_map(|(k, s)| [k.clone(), format!("{k}={s}")])
        .collect();
    for k in of("item").into_iter().chain(of("status")) {
        if !items.contains(k) {
            return Err(format!(
                "acknowledged rectification write {k} is not in the store"
            ));
        }
    }
    let paper = workpaper::get(store, engagement, SHARED_PAPER).map_err(err)?;
    for p in of("paper") {
        if !paper.procedures.iter().any(|x| x == p) {
            return Err(format!(
                "acknowledged procedure {p} is not on the paper: an edit was lost"
            ));
        }
    }
    for e in &acked_ev {
        if !paper.evidence.contains(e) {
            return Err(format!(
                "evidence {e} is not linked on the paper: an edit was lost"
            ));
        }
    }
    let v = verify::engagement(store, engagement).map_err(err)?;
    if !v.ok() {
        return Err(format!("the engagement does not verify:\n{}", v.summary()));
    }
    let mut lat: Vec<u64> = acked.iter().map(|a| a.micros).collect();
    lat.sort_unstable();
    let pick = |q: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 - 1.0) * q).round() as usize;
        Duration::from_micros(lat[i]).as_secs_f64() * 1000.0
    };
    Ok(Checked {
        writes: acked.len(),
        evidence: stored_ev.len(),
        findings: stored_f.len(),
        median_ms: pick(0.5),
        p99_ms: pick(0.99),
        max_ms: pick(1.0),
    })
}
