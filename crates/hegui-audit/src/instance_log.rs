//! The instance's own hash-chained log: sign-ins (and their failures), sign-outs and
//! changes to accounts — what happens outside any engagement. Entries name the account
//! and the event, never a password, a code or a token. Each entry's hash covers its
//! content and its predecessor's hash (the same construction as an engagement's log, with
//! the engagement's place taken by `instance`).

use serde::Serialize;

use crate::log::hash;
use crate::store::{now, RowExt, Store};
use crate::AuditError;

const SCOPE: &str = "instance";

/// One entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
    pub hash: String,
}

/// Appends an entry (its own transaction, serial with every other write).
pub fn append(
    store: &Store,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<(), AuditError> {
    let detail = detail.to_string();
    store.write(None, |tx| {
        let last = tx.rows(
            "SELECT seq, hash FROM instance_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev) = last
            .first()
            .map(|r| (r.int(0) + 1, r.text(1)))
            .unwrap_or((1, String::new()));
        let at = now();
        let h = hash(SCOPE, seq, &at, actor, action, &detail, &prev, None);
        tx.exec(
            "INSERT INTO instance_log (seq, at, actor, action, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[seq.into(), at.into(), actor.into(), action.into(), detail.clone().into(), prev.into(), h.into()],
        )?;
        Ok(())
    })
}

/// The entries, oldest first.
pub fn entries(store: &Store) -> Result<Vec<Entry>, AuditError> {
    Ok(store
        .rows(
            "SELECT seq, at, actor, action, detail, hash FROM instance_log ORDER BY seq",
            &[],
        )?
        .iter()
        .map(|r| Entry {
            seq: r.int(0),
            at: r.text(1),
            actor: r.text(2),
            action: r.text(3),
            detail: serde_json::from_str(&r.text(4)).unwrap_or_default(),
            hash: r.text(5),
        })
        .collect())
}

/// Checks the chain: numbering without gaps, each entry's predecessor and hash. Returns
/// the number of entries, or the first entry that does not hold.
pub fn verify(store: &Store) -> Result<i64, AuditError> {
    let rows = store.rows(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM instance_log ORDER BY seq",
        &[],
    )?;
    let mut prev = String::new();
    for (i, r) in rows.iter().enumerate() {
        let seq = r.int(0);
        let expected = hash(
            SCOPE,
            seq,
            &r.text(1),
            &r.text(2),
            &r.text(3),
            &r.text(4),
            &prev,
            None,
        );
        if seq != i as i64 + 1 || r.text(5) != prev || r.text(6) != expected {
            return Err(AuditError::Tampered(format!(
                "the instance log breaks at entry {seq}"
            )));
        }
        prev = r.text(6);
    }
    Ok(rows.len() as i64)
}
