//! Reports rendered by `hegui serve`: kept with the engagement, encrypted under its key
//! like evidence, each with the signature file its signatories made (`hegui report sign`
//! on their own machine, or a key file uploaded for that one action). Rendering, signing
//! and every download are in the activity log; the log binds the rows like any other.
//!
//! This module stores and reads; rendering and signature checks belong to hegui-report.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engagement::resolve;
use crate::hex::encode as hex;
use crate::log;
use crate::store::{now, Arg, RowExt, Store};
use crate::vault::{seal, unseal};
use crate::AuditError;

/// A report as rendered.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// `audit`, `rectification` or `workbook`.
    pub kind: String,
    /// `pdf`, `docx` or `xlsx` (also the file's extension).
    pub format: String,
    pub lang: String,
    pub content: Vec<u8>,
    pub rendered_by: String,
    /// Rendered from an engagement that failed verification (marked on every page).
    pub unverified: bool,
}

/// A stored report (without its content).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub code: String,
    pub kind: String,
    pub format: String,
    pub lang: String,
    /// The file name it downloads as.
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub rendered_by: String,
    pub rendered_at: String,
    pub unverified: bool,
    /// The signature file (JSON), once someone signed.
    #[serde(skip)]
    pub signatures: Option<String>,
}

/// The additional data a report's ciphertext is bound to: it cannot be moved to another
/// engagement or report row without failing to decrypt.
fn aad(engagement: &str, code: &str) -> Vec<u8> {
    format!("hegui-report\0{engagement}\0{code}").into_bytes()
}

const COLUMNS: &str =
    "code, kind, format, lang, name, sha256, size, rendered_by, rendered_at, unverified, signatures";

fn from_row(r: &crate::store::Row) -> Report {
    Report {
        code: r.text(0),
        kind: r.text(1),
        format: r.text(2),
        lang: r.text(3),
        name: r.text(4),
        sha256: r.text(5),
        size: r.int(6),
        rendered_by: r.text(7),
        rendered_at: r.text(8),
        unverified: r.int(9) != 0,
        signatures: r.opt(10),
    }
}

/// Stores a rendered report as the engagement's next `R-NNN`, and logs it.
pub fn add(store: &Store, engagement: &str, n: NewReport) -> Result<Report, AuditError> {
    let id = resolve(store, engagement)?;
    let sha = hex(&Sha256::digest(&n.content));
    store.write(Some(&id), |tx| {
        let count = tx
            .rows(
                "SELECT COUNT(*) FROM reports WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        let eng_code = tx
            .rows(
                "SELECT code FROM engagements WHERE id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.text(0))
            .unwrap_or_default();
        let code = format!("R-{:03}", count + 1);
        let name = format!("{eng_code}-{code}-{}.{}", n.kind, n.format);
        let (nonce, ct) = seal(tx, &id, &aad(&id, &code), &n.content)?;
        let at = now();
        tx.exec(
            "INSERT INTO reports (engagement_id, code, kind, format, lang, name, sha256, size, nonce, ciphertext, rendered_by, rendered_at, unverified, signatures)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)",
            &[
                id.clone().into(),
                code.clone().into(),
                n.kind.clone().into(),
                n.format.clone().into(),
                n.lang.clone().into(),
                name.clone().into(),
                sha.clone().into(),
                (n.content.len() as i64).into(),
                Arg::Bytes(nonce.to_vec()),
                Arg::Bytes(ct),
                n.rendered_by.clone().into(),
                at.clone().into(),
                i64::from(n.unverified).into(),
            ],
        )?;
        tx.touch("reports", &[&code]);
        log::append(
            tx,
            &id,
            &n.rendered_by,
            "report.rendered",
            &log::detail(&[
                ("code", code.clone().into()),
                ("kind", n.kind.clone().into()),
                ("format", n.format.clone().into()),
                ("sha256", sha.clone().into()),
                ("unverified", n.unverified.into()),
            ]),
        )?;
        Ok(Report {
            code,
            kind: n.kind.clone(),
            format: n.format.clone(),
            lang: n.lang.clone(),
            name,
            sha256: sha.clone(),
            size: n.content.len() as i64,
            rendered_by: n.rendered_by.clone(),
            rendered_at: at,
            unverified: n.unverified,
            signatures: None,
        })
    })
}

/// The engagement's reports, newest first.
pub fn list(store: &Store, engagement: &str) -> Result<Vec<Report>, AuditError> {
    let id = resolve(store, engagement)?;
    Ok(store
        .rows(
            &format!("SELECT {COLUMNS} FROM reports WHERE engagement_id = $1 ORDER BY code DESC"),
            &[id.into()],
        )?
        .iter()
        .map(from_row)
        .collect())
}

/// One report with its content, decrypted and checked against its hash.
pub fn get(store: &Store, engagement: &str, code: &str) -> Result<(Report, Vec<u8>), AuditError> {
    let id = resolve(store, engagement)?;
    let rows = store.rows(
        &format!(
            "SELECT {COLUMNS}, nonce, ciphertext FROM reports WHERE engagement_id = $1 AND code = $2"
        ),
        &[id.clone().into(), code.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| AuditError::Invalid(format!("no report {code}")))?;
    let report = from_row(r);
    let plain = unseal(
        store,
        &id,
        &aad(&id, code),
        &r.bytes(11),
        &r.bytes(12),
        &format!("report {code}"),
    )?;
    if hex(&Sha256::digest(&plain)) != report.sha256 {
        return Err(AuditError::Tampered(format!(
            "report {code} does not match its hash"
        )));
    }
    Ok((report, plain))
}

/// Replaces a report's signature file with `text` (which the caller verified against the
/// report's bytes), logging who signed in which role.
pub fn set_signatures(
    store: &Store,
    engagement: &str,
    code: &str,
    text: &str,
    signers: &[(String, String)],
    actor: &str,
) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let n = tx.exec(
            "UPDATE reports SET signatures = $1 WHERE engagement_id = $2 AND code = $3",
            &[text.into(), id.clone().into(), code.into()],
        )?;
        if n == 0 {
            return Err(AuditError::Invalid(format!("no report {code}")));
        }
        tx.touch("reports", &[code]);
        let signers: Vec<serde_json::Value> = signers
            .iter()
            .map(|(who, role)| serde_json::json!({"signer": who, "role": role}))
            .collect();
        log::append(
            tx,
            &id,
            actor,
            "report.signed",
            &log::detail(&[("code", code.into()), ("signatures", signers.into())]),
        )
    })
}

/// Records in the activity log that someone took a copy of a report.
pub fn record_download(
    store: &Store,
    engagement: &str,
    code: &str,
    actor: &str,
) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        log::append(
            tx,
            &id,
            actor,
            "report.downloaded",
            &log::detail(&[("code", code.into())]),
        )
    })
}
