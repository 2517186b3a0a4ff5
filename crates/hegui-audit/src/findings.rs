//! Findings (linked to checkpoints, with severity) and the rectification ledger (整改台账):
//! items with owner, measure, due date, status and verification evidence. When the last
//! open item is closed, rectification is complete on the latest closing date; for an audit
//! ordered by a protection department the rectification report is then due within 15
//! working days (Measures Art. 11), computed with the working-day calendar.

use hegui_core::calendar::Calendar;
use hegui_core::law::Law;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::engagement::{resolve, show};
use crate::log;
use crate::store::{now, RowExt, Store};
use crate::AuditError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    InProgress,
    Closed,
}

fn id_of<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|x| x.as_str().map(String::from))
        .unwrap_or_default()
}

/// A finding with its rectification items.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: String,
    pub checkpoint: String,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub created_by: String,
    pub created_at: String,
    pub items: Vec<Item>,
}

/// One rectification item.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub seq: i64,
    pub owner: String,
    pub measure: String,
    pub due: String,
    pub status: String,
    pub verification: Option<String>,
    pub closed_on: Option<String>,
}

/// The ledger and where rectification stands.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub findings: Vec<Finding>,
    pub open_items: usize,
    /// The day the last item was closed, once all are.
    pub rectification_done: Option<String>,
    /// The rectification report's due date (ordered audits, Art. 11).
    pub report_due: Option<String>,
    pub note: Option<String>,
}

/// Records a finding; returns its code (F-001, …).
pub fn add(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    severity: Severity,
    title: &str,
    description: &str,
    actor: &str,
) -> Result<String, AuditError> {
    let id = resolve(store, engagement)?;
    let (_, cp) = Law::get()
        .guideline
        .checkpoint(checkpoint)
        .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {checkpoint:?}")))?;
    if title.trim().is_empty() {
        return Err(AuditError::Invalid("a finding needs a title".into()));
    }
    store.write(Some(&id), |tx| {
        let n = tx
            .rows(
                "SELECT COUNT(*) FROM findings WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        let code = format!("F-{:03}", n + 1);
        tx.exec(
            "INSERT INTO findings (engagement_id, code, checkpoint, severity, title, description, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[id.clone().into(), code.clone().into(), cp.id.clone().into(), id_of(severity).into(), title.into(), description.into(), actor.into(), now().into()],
        )?;
        tx.touch("findings", &[&code]);
        log::append(
            tx,
            &id,
            actor,
            "finding.added",
            &log::detail(&[
                ("code", code.clone().into()),
                ("checkpoint", cp.id.clone().into()),
                ("severity", id_of(severity).into()),
                ("title", title.into()),
            ]),
        )?;
        Ok(code)
    })
}

/// Adds a rectification item to a finding; returns its number.
pub fn add_item(
    store: &Store,
    engagement: &str,
    finding: &str,
    owner: &str,
    measure: &str,
    due: Date,
    actor: &str,
) -> Result<i64, AuditError> {
    let id = resolve(store, engagement)?;
    if owner.trim().is_empty() || measure.trim().is_empty() {
        return Err(AuditError::Invalid(
            "a rectification item needs an owner and a measure".into(),
        ));
    }
    store.write(Some(&id), |tx| {
        if tx
            .rows(
                "SELECT code FROM findings WHERE engagement_id = $1 AND code = $2",
                &[id.clone().into(), finding.into()],
            )?
            .is_empty()
        {
            return Err(AuditError::Invalid(format!("no finding {finding}")));
        }
        let seq = tx
            .rows(
                "SELECT COUNT(*) FROM rectifications WHERE engagement_id = $1 AND finding = $2",
                &[id.clone().into(), finding.into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0)
            + 1;
        tx.exec(
            "INSERT INTO rectifications (engagement_id, finding, seq, owner, measure, due, status) VALUES ($1, $2, $3, $4, $5, $6, 'open')",
            &[id.clone().into(), finding.into(), seq.into(), owner.into(), measure.into(), due.to_string().into()],
        )?;
        tx.touch("rectifications", &[finding, &seq.to_string()]);
        // A new open item means rectification is not complete any more.
        tx.exec("UPDATE engagements SET rectification_done = NULL, rectification_report_due = NULL WHERE id = $1", &[id.clone().into()])?;
        log::append(
            tx,
            &id,
            actor,
            "rectification.item_added",
            &log::detail(&[
                ("finding", finding.into()),
                ("item", seq.into()),
                ("owner", owner.into()),
                ("due", due.to_string().into()),
            ]),
        )?;
        Ok(seq)
    })
}

/// Moves an item to a status. Closing needs the verification evidence and the closing day;
/// closing the last open item completes rectification and, for an ordered audit, sets the
/// report's due date.
#[allow(clippy::too_many_arguments)]
pub fn set_status(
    store: &Store,
    engagement: &str,
    finding: &str,
    seq: i64,
    status: ItemStatus,
    verification: Option<&str>,
    closed_on: Option<Date>,
    calendar: &Calendar,
    actor: &str,
) -> Result<Ledger, AuditError> {
    let e = show(store, engagement)?;
    let id = e.id.clone();
    let (verification, closed_on) = match status {
        ItemStatus::Closed => {
            let v = verification
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    AuditError::Invalid(
                        "closing an item needs its verification evidence (--verification REF)"
                            .into(),
                    )
                })?;
            let d = closed_on.ok_or_else(|| {
                AuditError::Invalid(
                    "closing an item needs the day it was closed (--closed-on DATE)".into(),
                )
            })?;
            (Some(v.to_string()), Some(d.to_string()))
        }
        _ => (None, None),
    };
    store.write(Some(&id), |tx| {
        let n = tx.exec(
            "UPDATE rectifications SET status = $1, verification = $2, closed_on = $3 WHERE engagement_id = $4 AND finding = $5 AND seq = $6",
            &[id_of(status).into(), verification.clone().into(), closed_on.clone().into(), id.clone().into(), finding.into(), seq.into()],
        )?;
        if n != 1 {
            return Err(AuditError::Invalid(format!(
                "no rectification item {finding}/{seq}"
            )));
        }
        tx.touch("rectifications", &[finding, &seq.to_string()]);
        let open = tx
            .rows(
                "SELECT COUNT(*) FROM rectifications WHERE engagement_id = $1 AND status <> 'closed'",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        let total = tx
            .rows(
                "SELECT COUNT(*) FROM rectifications WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        let complete = open == 0 && total > 0;
        if !complete {
            // An item that is not closed means rectification is not complete (any more).
            tx.exec("UPDATE engagements SET rectification_done = NULL, rectification_report_due = NULL WHERE id = $1", &[id.clone().into()])?;
        }
        log::append(
            tx,
            &id,
            actor,
            "rectification.status",
            &log::detail(&[
                ("finding", finding.into()),
                ("item", seq.into()),
                ("status", id_of(status).into()),
                ("verification", verification.clone().into()),
                ("closed_on", closed_on.clone().into()),
            ]),
        )?;
        if complete {
            let done = tx
                .rows(
                    "SELECT MAX(closed_on) FROM rectifications WHERE engagement_id = $1",
                    &[id.clone().into()],
                )?
                .first()
                .and_then(|r| r.opt(0))
                .unwrap_or_default();
            let due = if e.kind == "ordered" {
                let d: Date = done
                    .parse()
                    .map_err(|err| AuditError::Db(format!("stored date {done:?}: {err}")))?;
                let wd = Law::get().thresholds.get("rectification_report").amount();
                Some(
                    calendar
                        .add_working_days(d, wd)
                        .map_err(|err| AuditError::Invalid(err.to_string()))?
                        .to_string(),
                )
            } else {
                None
            };
            tx.exec("UPDATE engagements SET rectification_done = $1, rectification_report_due = $2 WHERE id = $3", &[done.clone().into(), due.clone().into(), id.clone().into()])?;
            log::append(
                tx,
                &id,
                actor,
                "rectification.completed",
                &log::detail(&[
                    ("done", done.into()),
                    ("report_due", due.into()),
                    ("basis", "MEASURES 11".into()),
                ]),
            )?;
        }
        Ok(())
    })?;
    ledger(store, engagement)
}

/// The findings with their items, and where rectification stands.
pub fn ledger(store: &Store, engagement: &str) -> Result<Ledger, AuditError> {
    let e = show(store, engagement)?;
    let id = e.id.clone();
    let mut findings: Vec<Finding> = store
        .rows("SELECT code, checkpoint, severity, title, description, created_by, created_at FROM findings WHERE engagement_id = $1 ORDER BY code", &[id.clone().into()])?
        .iter()
        .map(|r| Finding { code: r.text(0), checkpoint: r.text(1), severity: r.text(2), title: r.text(3), description: r.text(4), created_by: r.text(5), created_at: r.text(6), items: Vec::new() })
        .collect();
    let items = store.rows(
        "SELECT finding, seq, owner, measure, due, status, verification, closed_on FROM rectifications WHERE engagement_id = $1 ORDER BY finding, seq",
        &[id.clone().into()],
    )?;
    let mut open = 0;
    for r in &items {
        let it = Item {
            seq: r.int(1),
            owner: r.text(2),
            measure: r.text(3),
            due: r.text(4),
            status: r.text(5),
            verification: r.opt(6),
            closed_on: r.opt(7),
        };
        if it.status != "closed" {
            open += 1;
        }
        if let Some(f) = findings.iter_mut().find(|f| f.code == r.text(0)) {
            f.items.push(it);
        }
    }
    let row = store.rows(
        "SELECT rectification_done, rectification_report_due FROM engagements WHERE id = $1",
        &[id.into()],
    )?;
    let (done, due) = row
        .first()
        .map(|r| (r.opt(0), r.opt(1)))
        .unwrap_or((None, None));
    let note = match (&done, e.kind.as_str()) {
        (Some(_), "ordered") => Some("report the rectification to the protection department within 15 working days of completion (Measures Art. 11)".into()),
        (Some(_), _) => Some("Measures Art. 11's 15-working-day report applies to audits ordered by a protection department".into()),
        _ => None,
    };
    Ok(Ledger {
        findings,
        open_items: open,
        rectification_done: done,
        report_due: due,
        note,
    })
}
