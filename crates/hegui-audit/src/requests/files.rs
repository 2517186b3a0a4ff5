//! The files a client gives a request. Each upload is a vault object (encrypted under the
//! engagement's key, stored once per content) with its uploader, time of receipt, effective
//! date and the submission (revision) it belongs to. Submitting freezes them: a frozen file
//! is never removed or changed. A return may mark files rejected; accepting turns every
//! file not rejected into an evidence item on the request's checkpoints.

use serde::Serialize;

use super::flow::event;
use super::rules::{check, Action};
use super::{load, Request};
use crate::engagement::resolve;
use crate::log;
use crate::store::{now, Query, RowExt, Store, Tx};
use crate::vault;
use crate::workpaper::{self, Edit};
use crate::AuditError;

/// A file to add.
#[derive(Debug)]
pub struct Upload {
    pub name: String,
    /// Bytes, or an upload received into a spool (`vault::Spool`).
    pub content: vault::Content,
    /// The day the document speaks for (a policy's version date, a log's period end).
    pub effective_date: Option<String>,
}

/// A file of a request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RequestFile {
    /// Its number within the request.
    pub seq: i64,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub uploaded_by: String,
    pub received_at: String,
    pub effective_date: Option<String>,
    /// The submission it belongs to (1 for the first).
    pub revision: i64,
    pub frozen: bool,
    pub rejected: bool,
    /// The evidence item it became on acceptance.
    pub evidence: Option<String>,
}

const COLS: &str = "seq, name, sha256, size, uploaded_by, received_at, effective_date, revision, frozen, rejected, evidence";

fn file_of(r: &crate::store::Row) -> RequestFile {
    RequestFile {
        seq: r.int(0),
        name: r.text(1),
        sha256: r.text(2),
        size: r.int(3),
        uploaded_by: r.text(4),
        received_at: r.text(5),
        effective_date: r.opt(6),
        revision: r.int(7),
        frozen: r.int(8) != 0,
        rejected: r.int(9) != 0,
        evidence: r.opt(10),
    }
}

fn files_in(q: &mut impl Query, id: &str, code: &str) -> Result<Vec<RequestFile>, AuditError> {
    Ok(q.rows(
        &format!(
            "SELECT {COLS} FROM request_files WHERE engagement_id = $1 AND code = $2 ORDER BY seq"
        ),
        &[id.into(), code.into()],
    )?
    .iter()
    .map(file_of)
    .collect())
}

/// A request's files (callers check that the reader sees the request).
pub fn list(
    store: &Store,
    engagement_id: &str,
    code: &str,
) -> Result<Vec<RequestFile>, AuditError> {
    let mut q = store;
    files_in(&mut q, engagement_id, code)
}

/// A file's record and content (decrypted and checked against its hash).
pub fn content(
    store: &Store,
    engagement_id: &str,
    code: &str,
    seq: i64,
) -> Result<Option<(RequestFile, Vec<u8>)>, AuditError> {
    let Some(f) = list(store, engagement_id, code)?
        .into_iter()
        .find(|f| f.seq == seq)
    else {
        return Ok(None);
    };
    let bytes = vault::decrypt_blob(store, engagement_id, &f.sha256)?;
    Ok(Some((f, bytes)))
}

/// A file name without any folder part, as shown and stored.
fn base_name(name: &str) -> Result<String, AuditError> {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    if base.is_empty() || base == "." || base == ".." {
        return Err(AuditError::Invalid(format!("{name:?} is not a file name")));
    }
    Ok(base)
}

/// The client adds files (an open request is then in progress).
pub fn upload(
    store: &Store,
    engagement: &str,
    code: &str,
    uploads: Vec<Upload>,
    actor: &str,
) -> Result<Vec<RequestFile>, AuditError> {
    if uploads.is_empty() {
        return Err(AuditError::Invalid("no file to upload".into()));
    }
    let mut named = Vec::with_capacity(uploads.len());
    for u in &uploads {
        if u.content.is_empty() {
            return Err(AuditError::Invalid(format!(
                "{}: the file is empty",
                u.name
            )));
        }
        let effective = match u
            .effective_date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => Some(
                d.parse::<jiff::civil::Date>()
                    .map_err(|_| {
                        AuditError::Invalid(format!(
                            "{}: effective date {d:?} is not a date (YYYY-MM-DD)",
                            u.name
                        ))
                    })?
                    .to_string(),
            ),
            None => None,
        };
        named.push((base_name(&u.name)?, effective));
    }
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (r, _) = check(tx, &id, code, Action::Upload, actor, None)?;
        let mut seq = files_in(tx, &id, &r.code)?.iter().map(|f| f.seq).max().unwrap_or(0);
        let mut added = Vec::new();
        for (u, (name, effective)) in uploads.iter().zip(&named) {
            let sha = vault::put_blob(tx, &id, &u.content)?;
            seq += 1;
            let f = RequestFile {
                seq,
                name: name.clone(),
                sha256: sha,
                size: u.content.len() as i64,
                uploaded_by: actor.to_string(),
                received_at: now(),
                effective_date: effective.clone(),
                revision: r.revision + 1,
                frozen: false,
                rejected: false,
                evidence: None,
            };
            tx.exec(
                &format!("INSERT INTO request_files (engagement_id, code, {COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
                &[
                    id.clone().into(),
                    r.code.clone().into(),
                    f.seq.into(),
                    f.name.clone().into(),
                    f.sha256.clone().into(),
                    f.size.into(),
                    f.uploaded_by.clone().into(),
                    f.received_at.clone().into(),
                    f.effective_date.clone().into(),
                    f.revision.into(),
                    0i64.into(),
                    0i64.into(),
                    None::<String>.into(),
                ],
            )?;
            tx.touch("request_files", &[&r.code, &seq.to_string()]);
            event(tx, &id, &r.code, actor, "file_added", r.state, Some(&f.name))?;
            added.push(f);
        }
        super::client_started(tx, &id, &r.code, actor)?;
        log::append(
            tx,
            &id,
            actor,
            "request.files_added",
            &log::detail(&[
                ("code", r.code.clone().into()),
                ("files", added.iter().map(|f| serde_json::json!({"seq": f.seq, "sha256": f.sha256})).collect::<Vec<_>>().into()),
            ]),
        )?;
        Ok(added)
    })
}

/// The client removes a file it has not submitted yet.
pub fn remove(
    store: &Store,
    engagement: &str,
    code: &str,
    seq: i64,
    actor: &str,
) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (r, _) = check(tx, &id, code, Action::Upload, actor, None)?;
        let f = files_in(tx, &id, &r.code)?
            .into_iter()
            .find(|f| f.seq == seq)
            .ok_or_else(|| AuditError::Invalid(format!("{}: no file {seq}", r.code)))?;
        if f.frozen {
            return Err(AuditError::Invalid(format!(
                "{}: file {seq} was submitted and is frozen",
                r.code
            )));
        }
        tx.exec(
            "DELETE FROM request_files WHERE engagement_id = $1 AND code = $2 AND seq = $3",
            &[id.clone().into(), r.code.clone().into(), seq.into()],
        )?;
        tx.touch("request_files", &[&r.code, &seq.to_string()]);
        event(
            tx,
            &id,
            &r.code,
            actor,
            "file_removed",
            r.state,
            Some(&f.name),
        )?;
        log::append(
            tx,
            &id,
            actor,
            "request.file_removed",
            &log::detail(&[("code", r.code.clone().into()), ("seq", seq.into())]),
        )
    })
}

/// The client says the request does not apply, and why (submitted like a file).
pub fn not_applicable(
    store: &Store,
    engagement: &str,
    code: &str,
    reason: &str,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut r, _) = check(tx, &id, code, Action::NotApplicable, actor, Some(reason))?;
        r.na_reason = Some(reason.trim().to_string());
        super::flow::save(tx, &id, &r)?;
        event(
            tx,
            &id,
            &r.code,
            actor,
            "not_applicable",
            r.state,
            Some(reason),
        )?;
        super::client_started(tx, &id, &r.code, actor)?;
        log::append(
            tx,
            &id,
            actor,
            "request.not_applicable",
            &log::detail(&[("code", r.code.clone().into())]),
        )?;
        load(tx, &id, &r.code)
    })
}

/// Files that count for a submission: not rejected.
pub(crate) fn live_count(tx: &mut Tx, id: &str, code: &str) -> Result<usize, AuditError> {
    Ok(files_in(tx, id, code)?
        .iter()
        .filter(|f| !f.rejected)
        .count())
}

/// Marks submitted files rejected (a return).
pub(crate) fn reject(tx: &mut Tx, id: &str, code: &str, seqs: &[i64]) -> Result<(), AuditError> {
    let files = files_in(tx, id, code)?;
    for s in seqs {
        let f = files
            .iter()
            .find(|f| f.seq == *s)
            .ok_or_else(|| AuditError::Invalid(format!("{code}: no file {s}")))?;
        if f.evidence.is_some() {
            return Err(AuditError::Invalid(format!(
                "{code}: file {s} is already evidence {}",
                f.evidence.as_deref().unwrap_or_default()
            )));
        }
        tx.exec(
            "UPDATE request_files SET rejected = 1 WHERE engagement_id = $1 AND code = $2 AND seq = $3",
            &[id.into(), code.into(), (*s).into()],
        )?;
        tx.touch("request_files", &[code, &s.to_string()]);
    }
    Ok(())
}

/// Turns the request's files that are not rejected and not yet evidence into evidence
/// items on its checkpoints; their codes.
pub(crate) fn to_evidence(
    tx: &mut Tx,
    id: &str,
    r: &Request,
    actor: &str,
) -> Result<Vec<String>, AuditError> {
    let mut codes = Vec::new();
    for f in files_in(tx, id, &r.code)?
        .into_iter()
        .filter(|f| !f.rejected && f.evidence.is_none())
    {
        let source = format!("{} ({})", r.code, f.uploaded_by);
        let item = vault::Item {
            sha256: &f.sha256,
            name: &f.name,
            size: f.size,
            kind: "file",
            collector: actor,
            effective_date: f.effective_date.as_deref(),
            source: &source,
            description: &r.title,
            checkpoints: &r.checkpoints,
        };
        let (ev, _) = vault::insert_item(tx, id, &item)?;
        tx.exec(
            "UPDATE request_files SET evidence = $4 WHERE engagement_id = $1 AND code = $2 AND seq = $3",
            &[id.into(), r.code.clone().into(), f.seq.into(), ev.clone().into()],
        )?;
        tx.touch("request_files", &[&r.code, &f.seq.to_string()]);
        codes.push(ev);
    }
    for cp in &r.checkpoints {
        if codes.is_empty() {
            break;
        }
        let e = Edit {
            add_evidence: codes.clone(),
            ..Edit::default()
        };
        workpaper::edit_in(tx, id, cp, &e, actor)?;
    }
    Ok(codes)
}

/// Records in the activity log that someone took a copy of a request's file (which file,
/// by whom — never its content).
pub fn record_download(
    store: &Store,
    engagement_id: &str,
    code: &str,
    seq: i64,
    actor: &str,
) -> Result<(), AuditError> {
    store.write(Some(engagement_id), |tx| {
        log::append(
            tx,
            engagement_id,
            actor,
            "request.file_downloaded",
            &log::detail(&[("code", code.into()), ("seq", seq.into())]),
        )
    })
}
