//! `hegui engagement verify`: the activity log's hash chain, every evidence blob, and every
//! row of every engagement table against what the log says it must hold.

use serde::Serialize;

use crate::engagement::resolve;
use crate::state::{self, Problem};
use crate::store::{RowExt, Store};
use crate::{log, vault, AuditError};

/// What verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub code: String,
    /// Entries in the log.
    pub entries: i64,
    /// The chain's head as the engagement records it: it commits to the whole state, so
    /// keeping it elsewhere anchors the store.
    pub head: String,
    /// Rows the log binds.
    pub rows: usize,
    /// Evidence items whose blob decrypted to its hash.
    pub evidence: usize,
    /// Every difference found; empty when the engagement verifies.
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems as one message (for refusals).
    pub fn summary(&self) -> String {
        let mut lines: Vec<String> = self
            .problems
            .iter()
            .take(20)
            .map(|p| p.to_string())
            .collect();
        if self.problems.len() > 20 {
            lines.push(format!("… and {} more", self.problems.len() - 20));
        }
        lines.join("\n")
    }

    /// `Ok` when it verifies, else the problems as an error.
    pub fn into_result(self) -> Result<Verification, AuditError> {
        if self.ok() {
            Ok(self)
        } else {
            Err(AuditError::Tampered(format!(
                "{} does not verify:\n{}",
                self.code,
                self.summary()
            )))
        }
    }
}

/// Verifies engagement `key` (code or id) in `store`.
pub fn engagement(store: &Store, key: &str) -> Result<Verification, AuditError> {
    // Only the id and the code: nothing else of the row is trusted before it is verified.
    let id = match resolve(store, key) {
        Ok(id) => id,
        Err(AuditError::NotFound(_)) if has_log(store, key)? => {
            // The log is there, the engagement row is not: deleted (or its id changed).
            return Ok(Verification {
                code: key.to_string(),
                entries: 0,
                head: String::new(),
                rows: 0,
                evidence: 0,
                problems: vec![Problem {
                    table: "engagements".into(),
                    row: "-".into(),
                    field: None,
                    what: format!("is missing: no engagement row has id {key}, but the activity log has entries for it (deleted, or its id changed, outside hegui)"),
                }],
            });
        }
        Err(err) => return Err(err),
    };
    let (code, head) = store
        .rows(
            "SELECT code, log_head FROM engagements WHERE id = $1",
            &[id.clone().into()],
        )?
        .first()
        .map(|r| (r.text(0), r.text(1)))
        .unwrap_or_default();
    let mut problems = Vec::new();
    let entries = match log::verify(store, &id) {
        Ok(n) => n,
        Err(AuditError::Tampered(m)) => {
            problems.push(Problem {
                table: "activity".into(),
                row: "-".into(),
                field: None,
                what: m,
            });
            0
        }
        Err(other) => return Err(other),
    };
    let mut q = store;
    // Every row is read once (blobs included), then each blob decrypted once more below.
    let (differences, rows) = state::check_store(&mut q, &id)?;
    problems.extend(differences);
    let evidence = check_blobs(store, &id, &mut problems)?;
    Ok(Verification {
        code,
        entries,
        head,
        rows,
        evidence,
        problems,
    })
}

fn has_log(store: &Store, id: &str) -> Result<bool, AuditError> {
    Ok(!store
        .rows(
            "SELECT seq FROM activity WHERE engagement_id = $1 LIMIT 1",
            &[id.into()],
        )?
        .is_empty())
}

/// Decrypts every evidence item's blob and checks its hash; returns how many passed.
fn check_blobs(store: &Store, id: &str, problems: &mut Vec<Problem>) -> Result<usize, AuditError> {
    let items = store.rows(
        "SELECT code, sha256 FROM evidence WHERE engagement_id = $1 ORDER BY code",
        &[id.into()],
    )?;
    let mut ok = 0;
    for r in &items {
        match vault::decrypt_blob(store, id, &r.text(1)) {
            Ok(_) => ok += 1,
            Err(err) => problems.push(Problem {
                table: "evidence_blobs".into(),
                row: r.text(1),
                field: None,
                what: match err {
                    AuditError::Tampered(m) => format!("evidence {}: {m}", r.text(0)),
                    other => format!("evidence {}: {other}", r.text(0)),
                },
            }),
        }
    }
    Ok(ok)
}
