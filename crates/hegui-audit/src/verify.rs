//! `hegui engagement verify`: the activity log's hash chain, every evidence blob, and every
//! row of every engagement table against what the log says it must hold.

use serde::Serialize;

use crate::engagement::show;
use crate::state::{self, Problem};
use crate::store::{RowExt, Store};
use crate::{log, vault, AuditError};

/// What verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub code: String,
    /// Entries in the log.
    pub entries: i64,
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
    let e = show(store, key)?;
    let mut problems = Vec::new();
    let entries = match log::verify(store, &e.id) {
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
    problems.extend(state::check_store(&mut q, &e.id)?);
    let rows = state::actual_in_store(&mut q, &e.id)?.len();
    let evidence = check_blobs(store, &e.id, &mut problems)?;
    Ok(Verification {
        code: e.code,
        entries,
        rows,
        evidence,
        problems,
    })
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
                what: format!("evidence {}: {err}", r.text(0)),
            }),
        }
    }
    Ok(ok)
}
