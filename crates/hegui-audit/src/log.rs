//! The activity log: every change to an engagement appends an entry (who, when, what),
//! chained by SHA-256 over the previous entry's hash, in the same transaction as the change.
//! The engagement row keeps the length and head of its chain, so that verification also
//! catches a removed last entry.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{RowExt, Store, Tx};
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

/// The hash of an entry's content and its predecessor.
pub fn hash(
    engagement: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
    prev: &str,
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
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry inside `tx` and moves the engagement's head.
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
    let h = hash(engagement, seq, &at, actor, action, &detail, &head);
    tx.exec(
        "INSERT INTO activity (engagement_id, seq, at, actor, action, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[engagement.into(), seq.into(), at.into(), actor.into(), action.into(), detail.into(), head.into(), h.clone().into()],
    )?;
    tx.exec(
        "UPDATE engagements SET log_len = $1, log_head = $2 WHERE id = $3",
        &[seq.into(), h.into(), engagement.into()],
    )?;
    Ok(())
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
    let rows = store.rows(
        "SELECT log_len, log_head FROM engagements WHERE id = $1",
        &[engagement.into()],
    )?;
    let row = rows
        .first()
        .ok_or_else(|| AuditError::NotFound(engagement.to_string()))?;
    let (len, head) = (row.int(0), row.text(1));
    let raw = store.rows(
        "SELECT seq, at, actor, action, detail, prev_hash, hash FROM activity WHERE engagement_id = $1 ORDER BY seq",
        &[engagement.into()],
    )?;
    let bad = |m: String| Err(AuditError::Tampered(m));
    let mut prev = GENESIS.to_string();
    for (i, r) in raw.iter().enumerate() {
        let seq = r.int(0);
        let want = i as i64 + 1;
        if seq != want {
            return bad(format!(
                "entry {want} is missing (the next entry is {seq}): entries were removed"
            ));
        }
        if r.text(5) != prev {
            return bad(format!(
                "entry {seq} does not follow entry {}: entries were removed or reordered",
                seq - 1
            ));
        }
        let h = hash(
            engagement,
            seq,
            &r.text(1),
            &r.text(2),
            &r.text(3),
            &r.text(4),
            &prev,
        );
        if h != r.text(6) {
            return bad(format!(
                "entry {seq} ({}) does not match its hash: it was edited",
                r.text(3)
            ));
        }
        prev = h;
    }
    if raw.len() as i64 != len || prev != head {
        return bad(format!(
            "the log has {} entries but the engagement records {len}: the last entries were removed",
            raw.len()
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
