//! Closing an engagement, exporting its archive, and purging it (Measures Art. 13: the
//! professional body deletes the information once the audit work ends).
//!
//! Purging destroys the engagement's key, its encrypted evidence and every other row of it,
//! in one transaction, and leaves only a deletion record signed by the person purging:
//! what was destroyed (counts), when, by whom, and the hashes of the evidence, of the
//! profile snapshots and of the activity log's head, so that an archive exported before
//! can be matched to it later. A SQLite store is then rewritten (VACUUM).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engagement::{self, show};
use crate::signing::{self, KeyFile};
use crate::store::{now, RowExt, Store};
use crate::{findings, log, vault, workpaper, AuditError};

/// Closes an engagement: no more changes are expected; it can then be exported and purged.
pub fn close(store: &Store, key: &str, actor: &str) -> Result<(), AuditError> {
    let e = show(store, key)?;
    if e.status != "open" {
        return Err(AuditError::Invalid(format!(
            "{} is already {}",
            e.code, e.status
        )));
    }
    store.write(Some(&e.id), |tx| {
        let n = tx.exec(
            "UPDATE engagements SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'open'",
            &[now().into(), e.id.clone().into()],
        )?;
        if n != 1 {
            return Err(AuditError::Invalid(format!("{} is already closed", e.code)));
        }
        log::append(tx, &e.id, actor, "engagement.closed", &log::detail(&[]))
    })
}

/// Everything of an engagement, for its archive.
#[derive(Debug, Serialize)]
pub struct Archive {
    pub engagement: engagement::Engagement,
    pub profile_versions: Vec<serde_json::Value>,
    pub scope: Vec<engagement::ScopeRow>,
    pub working_papers: Vec<workpaper::Paper>,
    pub ledger: findings::Ledger,
    pub evidence: Vec<vault::Evidence>,
    pub activity_log: Vec<log::Entry>,
}

/// Writes the archive to `dir`: `engagement.json` and `evidence/CODE-NAME` (decrypted).
/// The log is verified first; the export itself is logged.
pub fn export(
    store: &Store,
    key: &str,
    dir: &Path,
    actor: &str,
) -> Result<Vec<String>, AuditError> {
    let e = show(store, key)?;
    crate::verify::engagement(store, &e.id)?.into_result()?;
    let io = |what: &Path, err: std::io::Error| {
        AuditError::Invalid(format!("{}: {err}", what.display()))
    };
    std::fs::create_dir_all(dir.join("evidence")).map_err(|err| io(dir, err))?;
    let snapshots = store
        .rows("SELECT version, taken_at, sha256, profile FROM profile_snapshots WHERE engagement_id = $1 ORDER BY version", &[e.id.clone().into()])?
        .iter()
        .map(|r| serde_json::json!({"version": r.int(0), "taken_at": r.text(1), "sha256": r.text(2), "profile": r.text(3)}))
        .collect();
    let mut files = Vec::new();
    let evidence = vault::list(store, key)?;
    for item in &evidence {
        let (_, plain) = vault::get(store, key, &item.code)?;
        let name = format!("{}-{}", item.code, item.name.replace(['/', '\\'], "_"));
        let path = dir.join("evidence").join(&name);
        std::fs::write(&path, plain).map_err(|err| io(&path, err))?;
        files.push(format!("evidence/{name}"));
    }
    let archive = Archive {
        engagement: e.clone(),
        profile_versions: snapshots,
        scope: engagement::scope(store, key)?,
        working_papers: workpaper::list(store, key)?,
        ledger: findings::ledger(store, key)?,
        evidence,
        activity_log: log::entries(store, &e.id)?,
    };
    let path = dir.join("engagement.json");
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&archive).expect("serialisable"),
    )
    .map_err(|err| io(&path, err))?;
    files.insert(0, "engagement.json".into());
    store.write(Some(&e.id), |tx| {
        log::append(
            tx,
            &e.id,
            actor,
            "engagement.exported",
            &log::detail(&[("files", files.len().into())]),
        )
    })?;
    Ok(files)
}

/// What a deletion record says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeletionRecord {
    pub engagement: String,
    pub processor: String,
    pub kind: String,
    pub period: String,
    pub closed_at: Option<String>,
    pub purged_at: String,
    pub purged_by: String,
    pub signer: String,
    pub destroyed: serde_json::Value,
    pub evidence_sha256: Vec<String>,
    pub profile_sha256: Vec<String>,
    pub log_head: String,
    pub basis: String,
}

/// A stored record with its signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignedDeletion {
    pub record: DeletionRecord,
    pub public_key: String,
    pub signature: String,
    /// Whether the signature matches the record.
    pub valid: bool,
}

/// The engagement's tables, children before parents (every table of the schema but the
/// engagement row itself, which goes last), and the inbox of its notifications.
fn purged_tables() -> Vec<&'static str> {
    crate::schema::TABLES
        .iter()
        .rev()
        .filter(|t| t.by == "engagement_id")
        .map(|t| t.name)
        .chain(["notifications"])
        .collect()
}

/// Purges a closed engagement, signed with `key`. Returns the record.
pub fn purge(
    store: &Store,
    code: &str,
    key: &KeyFile,
    actor: &str,
) -> Result<DeletionRecord, AuditError> {
    let e = show(store, code)?;
    if e.status != "closed" {
        return Err(AuditError::Invalid(format!(
            "{} is {}: close it (and export what must be kept) before purging",
            e.code, e.status
        )));
    }
    let id = e.id.clone();
    let col = |sql: &str| -> Result<Vec<String>, AuditError> {
        Ok(store
            .rows(sql, &[id.clone().into()])?
            .iter()
            .map(|r| r.text(0))
            .collect())
    };
    let evidence_sha256 =
        col("SELECT DISTINCT sha256 FROM evidence WHERE engagement_id = $1 ORDER BY sha256")?;
    let profile_sha256 =
        col("SELECT sha256 FROM profile_snapshots WHERE engagement_id = $1 ORDER BY version")?;
    let head = store.rows(
        "SELECT log_head, closed_at FROM engagements WHERE id = $1",
        &[id.clone().into()],
    )?;
    let (log_head, closed_at) = head
        .first()
        .map(|r| (r.text(0), r.opt(1)))
        .unwrap_or_default();
    let mut destroyed = serde_json::Map::new();
    for t in purged_tables() {
        let n = store
            .rows(
                &format!("SELECT COUNT(*) FROM {t} WHERE engagement_id = $1"),
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        destroyed.insert(t.to_string(), n.into());
    }
    let record = DeletionRecord {
        engagement: e.code.clone(),
        processor: e.processor.clone(),
        kind: e.kind.clone(),
        period: format!("{} – {}", e.period_start, e.period_end),
        closed_at,
        purged_at: now(),
        purged_by: actor.to_string(),
        signer: key.name.clone(),
        destroyed: destroyed.into(),
        evidence_sha256,
        profile_sha256,
        log_head,
        basis: "MEASURES 13".into(),
    };
    let text = serde_json::to_string(&record).expect("serialisable");
    let signature = key.sign(text.as_bytes())?;
    store.write(Some(&id), |tx| {
        for t in purged_tables() {
            tx.exec(
                &format!("DELETE FROM {t} WHERE engagement_id = $1"),
                &[id.clone().into()],
            )?;
        }
        tx.exec(
            "DELETE FROM engagements WHERE id = $1",
            &[id.clone().into()],
        )?;
        tx.exec(
            "INSERT INTO deletion_records (code, purged_at, record, public_key, signature) VALUES ($1, $2, $3, $4, $5)",
            &[e.code.clone().into(), record.purged_at.clone().into(), text.clone().into(), key.public.clone().into(), signature.clone().into()],
        )?;
        Ok(())
    })?;
    store.compact()?;
    Ok(record)
}

/// The deletion records, each with its signature checked.
pub fn deletions(store: &Store) -> Result<Vec<SignedDeletion>, AuditError> {
    store
        .rows(
            "SELECT record, public_key, signature FROM deletion_records ORDER BY purged_at",
            &[],
        )?
        .iter()
        .map(|r| {
            let text = r.text(0);
            let record: DeletionRecord = serde_json::from_str(&text).map_err(|e| {
                AuditError::Tampered(format!("a deletion record is not readable: {e}"))
            })?;
            let valid = signing::verify(&r.text(1), text.as_bytes(), &r.text(2)).is_ok();
            Ok(SignedDeletion {
                record,
                public_key: r.text(1),
                signature: r.text(2),
                valid,
            })
        })
        .collect()
}
