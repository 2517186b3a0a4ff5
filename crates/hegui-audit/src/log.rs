//! The activity log: every change to an engagement appends an entry (who, when, what),
//! chained by SHA-256 over the previous entry's hash, in the same transaction as the change.
//! The engagement row keeps the length and head of its chain, so that verification also
//! catches a removed last entry. Each entry also records the digests of the rows its
//! transaction wrote (`crate::state`), and its hash covers that record: the chain's head
//! commits to the whole state.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{Query, RowExt, Store, Tx};
use crate::AuditError;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One log entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's content and its predecessor. Entries written before the log
/// bound the state have no state record, and their hash is as it was then.
#[allow(clippy::too_many_arguments)]
pub fn hash(
    engagement: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
    prev: &str,
    state: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        engagement,
        &seq.to_string(),
        at,
        actor,
        action,
        detail,
        prev,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    if let Some(state) = state {
        h.update(b"state\0");
        h.update(state.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry inside `tx` and moves the engagement's head. The entry records the
/// rows the transaction named since the last entry ([`Tx::touch`]) and the engagement's
/// own row, as they are now.
pub fn append(
    tx: &mut Tx,
    engagement: &str,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<(), AuditError> {
    let rows = tx.rows(
        "SELECT log_len, log_head FROM engagements WHERE id = $1",
        &[engagement.into()],
    )?;
    let row = rows
        .first()
        .ok_or_else(|| AuditError::NotFound(engagement.to_string()))?;
    let (len, head) = (row.int(0), row.text(1));
    let seq = len + 1;
    let at = crate::store::now();
    let detail = detail.to_string();
    let touched = tx.take_touched();
    let state = crate::state::record(tx, engagement, &touched)?;
    let h = hash(
        engagement,
        seq,
        &at,
        actor,
        action,
        &detail,
        &head,
        Some(&state),
    );
    tx.exec(
        "INSERT INTO activity (engagement_id, seq, at, actor, action, detail, prev_hash, hash, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[engagement.into(), seq.into(), at.into(), actor.into(), action.into(), detail.into(), head.into(), h.clone().into(), state.into()],
    )?;
    tx.exec(
        "UPDATE engagements SET log_len = $1, log_head = $2 WHERE id = $3",
        &[seq.into(), h.into(), engagement.into()],
    )?;
    Ok(())
}

/// The tables whose rows the entries after the first `after` of an engagement's log, up to
/// entry `upto`, changed (from each entry's state record); `None` when that cannot be told
/// (an entry from before the log bound the state, or more than `limit` entries).
pub fn tables_changed(
    store: &Store,
    engagement: &str,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Option<std::collections::HashSet<String>>, AuditError> {
    if upto - after > limit || upto < after {
        return Ok(None);
    }
    let rows = store.rows(
        "SELECT state FROM activity WHERE engagement_id = $1 AND seq > $2 AND seq <= $3",
        &[engagement.into(), after.into(), upto.into()],
    )?;
    if rows.len() as i64 != upto - after {
        return Ok(None);
    }
    let mut tables = std::collections::HashSet::new();
    for r in &rows {
        let Some(state) = r.opt(0) else {
            return Ok(None);
        };
        let Ok(changes) = serde_json::from_str::<Vec<serde_json::Value>>(&state) else {
            return Ok(None);
        };
        for c in changes {
            match c.get("t").and_then(|t| t.as_str()) {
                Some(t) => tables.insert(t.to_string()),
                None => return Ok(None),
            };
        }
    }
    Ok(Some(tables))
}

/// The entries of an engagement, in order.
pub fn entries(store: &Store, engagement: &str) -> Result<Vec<Entry>, AuditError> {
    let rows = store.rows(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM activity WHERE engagement_id = $1 ORDER BY seq",
        &[engagement.into()],
    )?;
    Ok(rows
        .iter()
        .map(|r| Entry {
            seq: r.int(0),
            at: r.text(1),
            actor: r.text(2),
            action: r.text(3),
            detail: serde_json::from_str(&r.text(4)).unwrap_or(serde_json::Value::Null),
            prev_hash: r.text(5),
            hash: r.text(6),
        })
        .collect())
}

/// Verifies the chain: every hash matches its entry, every entry follows its predecessor,
/// and the chain ends at the head the engagement records. Returns the number of entries,
/// or the first problem found.
pub fn verify(store: &Store, engagement: &str) -> Result<i64, AuditError> {
    let mut q = store;
    verify_chain(&mut q, engagement)
}

/// [`verify`], read through `q` (the store, or a transaction that sees its own writes).
pub fn verify_chain(q: &mut impl Query, engagement: &str) -> Result<i64, AuditError> {
    let rows = q.rows(
        "SELECT log_len, log_head FROM engagements WHERE id = $1",
        &[engagement.into()],
    )?;
    let row = rows
        .first()
        .ok_or_else(|| AuditError::NotFound(engagement.to_string()))?;
    let (len, head) = (row.int(0), row.text(1));
    let raw = q.rows(
        "SELECT seq, at, actor, action, detail, prev_hash, hash, state FROM activity WHERE engagement_id = $1 ORDER BY seq",
        &[engagement.into()],
    )?;
    let stored: Vec<Stored> = raw
        .iter()
        .map(|r| Stored {
            seq: r.int(0),
            at: r.text(1),
            actor: r.text(2),
            action: r.text(3),
            detail: r.text(4),
            prev_hash: r.text(5),
            hash: r.text(6),
            state: r.opt(7),
        })
        .collect();
    check_chain(engagement, &stored, len, &head)
}

/// An entry as stored (for verification, from the store or from an export).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stored {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    pub state: Option<String>,
}

/// Checks a chain of entries (in `seq` order) against the length and head the engagement
/// records. Returns the number of entries, or the first problem.
pub(crate) fn check_chain(
    engagement: &str,
    entries: &[Stored],
    len: i64,
    head: &str,
) -> Result<i64, AuditError> {
    let bad = |m: String| Err(AuditError::Tampered(m));
    let mut prev = GENESIS.to_string();
    for (i, r) in entries.iter().enumerate() {
        let seq = r.seq;
        let want = i as i64 + 1;
        if seq != want {
            return bad(format!(
                "entry {want} is missing (the next entry is {seq}): entries were removed"
            ));
        }
        if r.prev_hash != prev {
            return bad(format!(
                "entry {seq} does not follow entry {}: entries were removed or reordered",
                seq - 1
            ));
        }
        let h = hash(
            engagement,
            seq,
            &r.at,
            &r.actor,
            &r.action,
            &r.detail,
            &prev,
            r.state.as_deref(),
        );
        if h != r.hash {
            return bad(format!(
                "entry {seq} ({}) does not match its hash: it was edited",
                r.action
            ));
        }
        prev = h;
    }
    if entries.len() as i64 != len || prev != head {
        return bad(format!(
            "the log has {} entries but the engagement records {len}: the last entries were removed",
            entries.len()
        ));
    }
    Ok(len)
}

/// Arguments helper for callers building details.
pub fn detail(pairs: &[(&str, serde_json::Value)]) -> serde_json::Value {
    serde_json::Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}
