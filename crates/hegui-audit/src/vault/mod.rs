//! The evidence vault. Files and text are stored content-addressed (SHA-256 of the
//! plaintext) and encrypted with the engagement's own key (XChaCha20-Poly1305, a fresh
//! random nonce per blob; the engagement id and the hash are bound in as associated
//! data, so a blob cannot be moved to another engagement or name). Each item records its
//! collector, when it was collected, its effective date, source and description.
//!
//! `verify` decrypts every blob and checks both the authentication tag and the hash: any
//! changed byte is reported. Purging an engagement destroys its key (crypto-erasure).
//!
//! A `hegui scan` report or a `hegui obligations` computation attached as evidence lands on
//! the checkpoints it supports (see [`checkpoints_for`]); a privacy policy is stored with its
//! analysis, which proposes observations for the papers it speaks to ([`policy`]).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod chunks;
pub mod policy;

pub use chunks::{Spool, Spooled};

use crate::engagement::resolve;
use crate::log;
use crate::store::{now, Arg, RowExt, Store, Tx};
use crate::workpaper::{self, Edit};
use crate::AuditError;

/// What an evidence item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    File,
    Text,
    /// A `hegui scan` JSON report.
    Scan,
    /// A `hegui obligations --format json` computation.
    Obligations,
    /// A published privacy policy (stored with its analysis by [`policy::add`]).
    Policy,
    /// A policy's analysis, `hegui policy check`'s JSON bound to the policy it judged.
    PolicyCheck,
}

/// What is stored: bytes in memory, or an upload received into a [`Spool`].
#[derive(Debug)]
pub enum Content {
    Bytes(Vec<u8>),
    Spooled(Spooled),
}

impl From<Vec<u8>> for Content {
    fn from(b: Vec<u8>) -> Content {
        Content::Bytes(b)
    }
}

impl Content {
    pub fn len(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Spooled(s) => s.size,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its SHA-256 (hex), the vault's address of it.
    pub fn sha256(&self) -> String {
        match self {
            Content::Bytes(b) => hex(&Sha256::digest(b)),
            Content::Spooled(s) => s.sha256.clone(),
        }
    }

    /// Its first bytes (at least [`chunks::HEAD`] when there are that many).
    pub fn head(&self) -> &[u8] {
        match self {
            Content::Bytes(b) => &b[..b.len().min(chunks::HEAD)],
            Content::Spooled(s) => &s.head,
        }
    }

    /// The whole content, for what must be parsed (a scan report, an obligations
    /// computation): read back from a spool.
    pub fn whole(&self) -> Result<std::borrow::Cow<'_, [u8]>, AuditError> {
        match self {
            Content::Bytes(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Content::Spooled(s) => Ok(std::borrow::Cow::Owned(s.bytes()?)),
        }
    }
}

/// Metadata of an item to add.
#[derive(Debug)]
pub struct NewEvidence {
    pub name: String,
    pub content: Content,
    pub kind: EvidenceKind,
    pub collector: String,
    pub effective_date: Option<String>,
    pub source: String,
    pub description: String,
    /// Checkpoints the auditor links it to (attached reports add their own).
    pub checkpoints: Vec<String>,
}

/// An item in the vault.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub code: String,
    pub sha256: String,
    pub name: String,
    pub size: i64,
    pub kind: String,
    pub collector: String,
    pub collected_at: String,
    pub effective_date: Option<String>,
    pub source: String,
    pub description: String,
    pub checkpoints: Vec<String>,
}

use crate::hex::encode as hex;

fn random<const N: usize>() -> Result<[u8; N], AuditError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    Ok(b)
}

/// The engagement's key, created on first use.
fn key(tx: &mut Tx, engagement: &str) -> Result<XChaCha20Poly1305, AuditError> {
    let rows = tx.rows(
        "SELECT key_bytes FROM engagement_keys WHERE engagement_id = $1",
        &[engagement.into()],
    )?;
    let bytes = match rows.first() {
        Some(r) => r.bytes(0),
        None => {
            let k: [u8; 32] = random()?;
            tx.exec(
                "INSERT INTO engagement_keys (engagement_id, key_bytes, created_at) VALUES ($1, $2, $3)",
                &[engagement.into(), Arg::Bytes(k.to_vec()), now().into()],
            )?;
            tx.touch("engagement_keys", &[]);
            k.to_vec()
        }
    };
    XChaCha20Poly1305::new_from_slice(&bytes)
        .map_err(|_| AuditError::Db("the engagement key is damaged".into()))
}

/// Encrypts `msg` under the engagement's key (created on first use), bound to `aad`:
/// the nonce and the ciphertext.
pub(crate) fn seal(
    tx: &mut Tx,
    engagement: &str,
    aad: &[u8],
    msg: &[u8],
) -> Result<([u8; 24], Vec<u8>), AuditError> {
    let cipher = key(tx, engagement)?;
    let nonce: [u8; 24] = random()?;
    let ct = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg, aad })
        .map_err(|_| AuditError::Db("encryption failed".into()))?;
    Ok((nonce, ct))
}

/// Decrypts what [`seal`] made for engagement `id` (`what` names it in errors).
pub(crate) fn unseal(
    store: &Store,
    id: &str,
    aad: &[u8],
    nonce: &[u8],
    ct: &[u8],
    what: &str,
) -> Result<Vec<u8>, AuditError> {
    let keys = store.rows(
        "SELECT key_bytes FROM engagement_keys WHERE engagement_id = $1",
        &[id.into()],
    )?;
    let k = keys
        .first()
        .ok_or_else(|| AuditError::Tampered("the engagement's key is gone (purged?)".into()))?
        .bytes(0);
    let cipher = XChaCha20Poly1305::new_from_slice(&k)
        .map_err(|_| AuditError::Tampered("the engagement key is damaged".into()))?;
    let nonce: [u8; 24] = nonce
        .try_into()
        .map_err(|_| AuditError::Tampered(format!("{what}: damaged nonce")))?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
        .map_err(|_| AuditError::Tampered(format!("{what} fails authentication: it was changed")))
}

fn aad(engagement: &str, sha: &str) -> Vec<u8> {
    format!("hegui-evidence\0{engagement}\0{sha}").into_bytes()
}

/// The checkpoints an attached report supports.
pub fn checkpoints_for(kind: EvidenceKind, content: &[u8]) -> Result<Vec<String>, AuditError> {
    let v: serde_json::Value = match kind {
        EvidenceKind::Scan | EvidenceKind::Obligations => serde_json::from_slice(content)
            .map_err(|e| AuditError::Invalid(format!("the attached report is not JSON: {e}")))?,
        _ => return Ok(Vec::new()),
    };
    let mut cps: Vec<&str> = Vec::new();
    match kind {
        EvidenceKind::Scan => {
            let report = v.get("report").unwrap_or(&v);
            let totals = report
                .get("totals")
                .and_then(|t| t.as_array())
                .ok_or_else(|| {
                    AuditError::Invalid("not a hegui scan report (no \"totals\")".into())
                })?;
            // What was found says how PI is classified and protected (G19.3, G20.2);
            // plaintext sensitive PI is evidence against de-identification (G20.2).
            cps.extend(["G19.3", "G20.2"]);
            let sensitive = totals.iter().any(|t| {
                t.pointer("/sensitivity/level").and_then(|l| l.as_str()) == Some("sensitive")
                    && t.get("distinct").and_then(|d| d.as_u64()).unwrap_or(0) > 0
            });
            if sensitive {
                cps.push("G13.3");
            }
        }
        EvidenceKind::Obligations => {
            let obs = v
                .get("obligations")
                .and_then(|o| o.as_array())
                .ok_or_else(|| {
                    AuditError::Invalid(
                        "not a hegui obligations computation (no \"obligations\")".into(),
                    )
                })?;
            for o in obs {
                let id = o.get("id").and_then(|x| x.as_str()).unwrap_or("");
                let applies = o.get("status").and_then(|x| x.as_str()) == Some("applies");
                if !applies {
                    continue;
                }
                let title = o.get("title_en").and_then(|x| x.as_str()).unwrap_or("");
                match id {
                    "cross_border.mechanism" if title.starts_with("Security assessment") => {
                        cps.extend(["G15.1", "G15.2"])
                    }
                    "cross_border.mechanism" => cps.extend(["G15.3"]),
                    "pipo.designation" | "pipo.filing" => cps.push("G22.5"),
                    "pipia.before_processing" | "pipia.retention" => cps.push("G23.1"),
                    "incident.report" | "incident.notify" => cps.push("G25.2"),
                    "platform.independent_body" | "platform.social_responsibility_report" => {
                        cps.push("G27.5")
                    }
                    "minors.annual_audit" => cps.push("G14.1"),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    cps.sort_unstable();
    cps.dedup();
    Ok(cps.into_iter().map(String::from).collect())
}

/// Adds an item: encrypts and stores its content (once per distinct content), records its
/// metadata, links it to checkpoints (their working papers list it), and logs it.
pub fn add(store: &Store, engagement: &str, n: NewEvidence) -> Result<Evidence, AuditError> {
    let id = resolve(store, engagement)?;
    if n.collector.trim().is_empty() || n.source.trim().is_empty() {
        return Err(AuditError::Invalid(
            "evidence needs its collector and its source".into(),
        ));
    }
    if matches!(n.kind, EvidenceKind::Policy | EvidenceKind::PolicyCheck) {
        // A policy without its analysis, or an analysis not bound to its policy, would
        // propose observations no one can trace.
        return Err(AuditError::Invalid(
            "a policy is stored with its analysis (hegui engagement evidence add ENG FILE --kind policy)".into(),
        ));
    }
    let mut cps = n.checkpoints.clone();
    if matches!(n.kind, EvidenceKind::Scan | EvidenceKind::Obligations) {
        cps.extend(checkpoints_for(n.kind, &n.content.whole()?)?);
    }
    let mut linked = Vec::new();
    for c in &cps {
        let (_, cp) = hegui_core::law::Law::get()
            .guideline
            .checkpoint(c)
            .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {c:?}")))?;
        if !linked.contains(&cp.id) {
            linked.push(cp.id.clone());
        }
    }
    let kind = serde_json::to_value(n.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let (sha, code, collected) = store.write(Some(&id), |tx| {
        let sha = put_blob(tx, &id, &n.content)?;
        let item = Item {
            sha256: &sha,
            name: &n.name,
            size: n.content.len() as i64,
            kind: &kind,
            collector: &n.collector,
            effective_date: n.effective_date.as_deref(),
            source: &n.source,
            description: &n.description,
            checkpoints: &linked,
        };
        let (code, collected) = insert_item(tx, &id, &item)?;
        Ok((sha, code, collected))
    })?;
    // The linked working papers list the evidence (each edit is its own logged change).
    for cp in &linked {
        workpaper::edit(
            store,
            engagement,
            cp,
            Edit {
                add_evidence: vec![code.clone()],
                ..Edit::default()
            },
            &n.collector,
        )?;
    }
    if n.kind == EvidenceKind::Scan {
        apply_scan_counts(store, engagement, &n.content.whole()?, &code, &n.collector)?;
    }
    Ok(Evidence {
        code,
        sha256: sha,
        name: n.name,
        size: n.content.len() as i64,
        kind,
        collector: n.collector,
        collected_at: collected,
        effective_date: n.effective_date,
        source: n.source,
        description: n.description,
        checkpoints: linked,
    })
}

/// Stores `content` in the engagement's vault (encrypted, once per distinct content) and
/// returns its SHA-256. Content of more than one chunk is stored in chunks
/// ([`chunks::store`]), never held whole.
pub(crate) fn put_blob(tx: &mut Tx, id: &str, content: &Content) -> Result<String, AuditError> {
    let sha = content.sha256();
    let cipher = key(tx, id)?;
    let known = !tx
        .rows(
            "SELECT sha256 FROM evidence_blobs WHERE engagement_id = $1 AND sha256 = $2",
            &[id.into(), sha.clone().into()],
        )?
        .is_empty();
    if known {
        return Ok(sha);
    }
    let (nonce, ct) = match content {
        Content::Spooled(s) if s.size > chunks::CHUNK as u64 => {
            chunks::store(tx, id, &cipher, s)?;
            // The row says the content is there; its chunks hold it.
            (Vec::new(), Vec::new())
        }
        _ => {
            let plain = content.whole()?;
            let nonce: [u8; 24] = random()?;
            let ct = cipher
                .encrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &plain,
                        aad: &aad(id, &sha),
                    },
                )
                .map_err(|_| AuditError::Db("encryption failed".into()))?;
            (nonce.to_vec(), ct)
        }
    };
    tx.exec(
        "INSERT INTO evidence_blobs (engagement_id, sha256, nonce, ciphertext) VALUES ($1, $2, $3, $4)",
        &[id.into(), sha.clone().into(), Arg::Bytes(nonce), Arg::Bytes(ct)],
    )?;
    tx.touch("evidence_blobs", &[&sha]);
    Ok(sha)
}

/// An item's record, its content already in the vault.
pub(crate) struct Item<'a> {
    pub sha256: &'a str,
    pub name: &'a str,
    pub size: i64,
    pub kind: &'a str,
    pub collector: &'a str,
    pub effective_date: Option<&'a str>,
    pub source: &'a str,
    pub description: &'a str,
    /// Checkpoint ids (already checked).
    pub checkpoints: &'a [String],
}

/// Records an item (the next `EV-…` code) and logs it; its code and collection time. The
/// caller links it to working papers.
pub(crate) fn insert_item(
    tx: &mut Tx,
    id: &str,
    item: &Item,
) -> Result<(String, String), AuditError> {
    let count = tx
        .rows(
            "SELECT COUNT(*) FROM evidence WHERE engagement_id = $1",
            &[id.into()],
        )?
        .first()
        .map(|r| r.int(0))
        .unwrap_or(0);
    let code = format!("EV-{:03}", count + 1);
    let collected = now();
    let linked = serde_json::to_string(item.checkpoints).expect("serialisable");
    tx.exec(
        "INSERT INTO evidence (engagement_id, code, sha256, name, size, kind, collector, collected_at, effective_date, source, description, checkpoints)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            id.into(),
            code.clone().into(),
            item.sha256.into(),
            item.name.into(),
            item.size.into(),
            item.kind.into(),
            item.collector.into(),
            collected.clone().into(),
            item.effective_date.map(String::from).into(),
            item.source.into(),
            item.description.into(),
            linked.into(),
        ],
    )?;
    tx.touch("evidence", &[&code]);
    log::append(
        tx,
        id,
        item.collector,
        "evidence.added",
        &log::detail(&[
            ("code", code.clone().into()),
            ("sha256", item.sha256.into()),
            ("name", item.name.into()),
            ("kind", item.kind.into()),
            (
                "checkpoints",
                serde_json::to_value(item.checkpoints).unwrap_or_default(),
            ),
        ]),
    )?;
    Ok((code, collected))
}

/// A scan's people counts are the Art. 4 / Art. 12 facts: when they fill in or raise the
/// profile's head-counts, a new profile version with the measured counts is stored (and
/// the scope recomputed), so the thresholds are re-evaluated on the record.
fn apply_scan_counts(
    store: &Store,
    engagement: &str,
    content: &[u8],
    code: &str,
    actor: &str,
) -> Result<(), AuditError> {
    let v: serde_json::Value =
        serde_json::from_slice(content).map_err(|e| AuditError::Invalid(e.to_string()))?;
    let est = v
        .get("report")
        .unwrap_or(&v)
        .get("estimate")
        .cloned()
        .unwrap_or_default();
    let (Some(people), Some(sensitive)) = (
        est.get("people").and_then(|x| x.as_u64()),
        est.get("sensitive").and_then(|x| x.as_u64()),
    ) else {
        return Ok(());
    };
    let complete = est
        .get("complete")
        .and_then(|x| x.as_bool())
        .unwrap_or(false);
    let (_, _, text) = crate::engagement::profile(store, engagement)?;
    let mut profile =
        hegui_core::inventory::load(&text, "profile", hegui_core::inventory::Syntax::Yaml)
            .or_else(|_| {
                hegui_core::inventory::load(
                    &text,
                    "profile.json",
                    hegui_core::inventory::Syntax::Json,
                )
            })
            .map_err(|e| AuditError::Db(format!("stored profile: {e}")))?;
    let notes = hegui_core::inventory::apply_measured(
        &mut profile,
        hegui_core::inventory::MeasuredCounts {
            people,
            sensitive,
            complete,
            people_near: est.get("people_near").and_then(|x| x.as_u64()),
        },
    );
    if notes.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string_pretty(&profile).expect("serialisable");
    crate::engagement::update_profile(
        store,
        engagement,
        &json,
        &format!("measured-by-{code}.json"),
        actor,
    )?;
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        log::append(
            tx,
            &id,
            actor,
            "profile.measured",
            &log::detail(&[
                ("evidence", code.into()),
                ("notes", serde_json::to_value(&notes).unwrap_or_default()),
            ]),
        )
    })
}

/// The items of an engagement.
pub fn list(store: &Store, engagement: &str) -> Result<Vec<Evidence>, AuditError> {
    listed(store, engagement, None)
}

/// The engagement's evidence of one kind (`policy`, `policy_check`, …): read without the
/// rest, which may be thousands of items.
pub fn list_kind(store: &Store, engagement: &str, kind: &str) -> Result<Vec<Evidence>, AuditError> {
    listed(store, engagement, Some(kind))
}

fn listed(
    store: &Store,
    engagement: &str,
    kind: Option<&str>,
) -> Result<Vec<Evidence>, AuditError> {
    let id = resolve(store, engagement)?;
    let (sql, args) = match kind {
        None => (
            "SELECT code, sha256, name, size, kind, collector, collected_at, effective_date, source, description, checkpoints FROM evidence WHERE engagement_id = $1 ORDER BY code",
            vec![id.into()],
        ),
        Some(k) => (
            "SELECT code, sha256, name, size, kind, collector, collected_at, effective_date, source, description, checkpoints FROM evidence WHERE engagement_id = $1 AND kind = $2 ORDER BY code",
            vec![id.into(), k.into()],
        ),
    };
    Ok(store
        .rows(sql, &args)?
        .iter()
        .map(|r| Evidence {
            code: r.text(0),
            sha256: r.text(1),
            name: r.text(2),
            size: r.int(3),
            kind: r.text(4),
            collector: r.text(5),
            collected_at: r.text(6),
            effective_date: r.opt(7),
            source: r.text(8),
            description: r.text(9),
            checkpoints: serde_json::from_str(&r.text(10)).unwrap_or_default(),
        })
        .collect())
}

/// Content's plaintext, one chunk at a time.
pub type Plaintext<'a> = Box<dyn Iterator<Item = Result<Vec<u8>, AuditError>> + 'a>;

/// The engagement's cipher, for reading.
fn reading_key(store: &Store, id: &str) -> Result<XChaCha20Poly1305, AuditError> {
    let keys = store.rows(
        "SELECT key_bytes FROM engagement_keys WHERE engagement_id = $1",
        &[id.into()],
    )?;
    let k = keys
        .first()
        .ok_or_else(|| AuditError::Tampered("the engagement's key is gone (purged?)".into()))?
        .bytes(0);
    XChaCha20Poly1305::new_from_slice(&k)
        .map_err(|_| AuditError::Tampered("the engagement key is damaged".into()))
}

/// The content `sha` of engagement `id`, decrypted one chunk at a time (content stored
/// in one piece is one chunk); authenticated chunk by chunk, and checked against its hash
/// when the last is read.
pub fn stream_blob<'a>(
    store: &'a Store,
    id: &'a str,
    sha: &'a str,
) -> Result<Plaintext<'a>, AuditError> {
    let cipher = reading_key(store, id)?;
    let rows = store.rows(
        "SELECT nonce, ciphertext FROM evidence_blobs WHERE engagement_id = $1 AND sha256 = $2",
        &[id.into(), sha.into()],
    )?;
    let r = rows
        .first()
        .ok_or_else(|| AuditError::Tampered(format!("content {sha} is missing from the vault")))?;
    let (nonce, ct) = (r.bytes(0), r.bytes(1));
    if nonce.is_empty() {
        return Ok(Box::new(chunks::read(store, id, sha, cipher)?));
    }
    let whole = open_with(&cipher, id, sha, &nonce, &ct);
    Ok(Box::new(std::iter::once(whole)))
}

/// Decrypts the blob `sha` of engagement `id` and checks that it hashes to `sha`.
pub fn decrypt_blob(store: &Store, id: &str, sha: &str) -> Result<Vec<u8>, AuditError> {
    let mut out = Vec::new();
    for chunk in stream_blob(store, id, sha)? {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// Decrypts and checks content without keeping it (one chunk in memory at a time).
pub fn check_blob(store: &Store, id: &str, sha: &str) -> Result<u64, AuditError> {
    let mut n = 0u64;
    for chunk in stream_blob(store, id, sha)? {
        n += chunk?.len() as u64;
    }
    Ok(n)
}

/// Decrypts a blob with the engagement's key bytes and checks its hash (also used on an
/// export's rows before anything of it is imported).
pub(crate) fn open_blob(
    key: &[u8],
    id: &str,
    sha: &str,
    nonce: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, AuditError> {
    let cipher = XChaCha20Poly1305::new_from_slice(key)
        .map_err(|_| AuditError::Tampered("the engagement key is damaged".into()))?;
    open_with(&cipher, id, sha, nonce, ct)
}

fn open_with(
    cipher: &XChaCha20Poly1305,
    id: &str,
    sha: &str,
    nonce: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, AuditError> {
    let nonce: [u8; 24] = nonce
        .try_into()
        .map_err(|_| AuditError::Tampered(format!("content {sha}: damaged nonce")))?;
    let plain = cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ct,
                aad: &aad(id, sha),
            },
        )
        .map_err(|_| {
            AuditError::Tampered(format!(
                "content {sha} fails authentication: it was changed"
            ))
        })?;
    if hex(&Sha256::digest(&plain)) != sha {
        return Err(AuditError::Tampered(format!(
            "content {sha} does not match its hash"
        )));
    }
    Ok(plain)
}

/// The plaintext of an item.
pub fn get(store: &Store, engagement: &str, code: &str) -> Result<(Evidence, Vec<u8>), AuditError> {
    let id = resolve(store, engagement)?;
    let e = list(store, engagement)?
        .into_iter()
        .find(|e| e.code == code)
        .ok_or_else(|| AuditError::Invalid(format!("no evidence {code}")))?;
    let plain = decrypt_blob(store, &id, &e.sha256)?;
    Ok((e, plain))
}

/// Records in the activity log that someone took a copy of an item (`hegui serve`'s
/// downloads): which item, by whom — never its content.
pub fn record_download(
    store: &Store,
    engagement: &str,
    code: &str,
    actor: &str,
) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        crate::log::append(
            tx,
            &id,
            actor,
            "evidence.downloaded",
            &crate::log::detail(&[("code", code.into())]),
        )
    })
}

/// Decrypts and checks every item; returns how many were verified, or the first problem.
pub fn verify(store: &Store, engagement: &str) -> Result<usize, AuditError> {
    let id = resolve(store, engagement)?;
    let items = list(store, engagement)?;
    for e in &items {
        check_blob(store, &id, &e.sha256)
            .map_err(|err| AuditError::Tampered(format!("{} ({}): {err}", e.code, e.name)))?;
    }
    Ok(items.len())
}
