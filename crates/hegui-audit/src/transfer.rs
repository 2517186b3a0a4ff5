//! A whole engagement as one self-contained JSON document, and its import into another store
//! (SQLite or PostgreSQL). The export holds every row of the engagement exactly as stored —
//! activity log, profile versions, papers, findings, the encrypted evidence and the
//! engagement's vault key — and the text of the catalog it was audited against, so that it
//! can be read and restored without the hegui version that wrote it.
//!
//! Import verifies the export before it keeps anything: the activity log's hash chain, every
//! row against what the log says it holds (naming table, row and field), and every evidence
//! blob. An export may be signed (ed25519, [`sign`]); a trusted key makes the signature
//! required. The rows are then restored byte for byte in one transaction with the import's
//! own log entry.
//!
//! Because the vault key travels with the ciphertext, an export is as confidential as the
//! evidence in clear: it is written readable by its owner only.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engagement::show;
use crate::log::Stored;
use crate::signing::{self, KeyFile};
use crate::state::{self, json_value, to_json, Problem, TABLES};
use crate::store::{Arg, Store};
use crate::{log, vault, AuditError};

/// The `format` field of an export.
pub const FORMAT: &str = "hegui-engagement-export";
/// The version of the export format this hegui writes and reads.
pub const VERSION: u32 = 1;

/// The catalog an engagement was audited against, as text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub id: String,
    /// Law files (path, TOML text) as shipped by the hegui that exported.
    pub files: Vec<(String, String)>,
}

/// A whole engagement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub exported_at: String,
    pub exported_by: String,
    /// The store's schema version the rows come from.
    pub schema_version: i64,
    pub catalog: Catalog,
    /// Table name → rows (column → value).
    pub tables: Map<String, Value>,
    /// The exporter's signature over everything above, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ExportSignature>,
}

/// An ed25519 signature over an export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportSignature {
    pub algorithm: String,
    /// The signatory's name, as in the key file.
    pub signer: String,
    /// The public key (hex).
    pub public_key: String,
    /// The signature (hex) over [`signed_message`].
    pub signature: String,
}

/// The bytes a signature covers: a domain tag and the export without its signature, as
/// JSON (the same bytes whether built in memory or parsed from the file).
pub fn signed_message(x: &Export) -> Vec<u8> {
    let mut unsigned = x.clone();
    unsigned.signature = None;
    let mut m = b"hegui-engagement-export-signature\0".to_vec();
    m.extend(serde_json::to_vec(&unsigned).expect("serialisable"));
    m
}

/// Signs an export with `key` (replacing any signature it had).
pub fn sign(x: &mut Export, key: &KeyFile) -> Result<(), AuditError> {
    x.signature = None;
    let signature = key.sign(&signed_message(x))?;
    x.signature = Some(ExportSignature {
        algorithm: "ed25519".into(),
        signer: key.name.clone(),
        public_key: key.public.clone(),
        signature,
    });
    Ok(())
}

/// What the signature of an export says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Unsigned,
    /// Signed, and the signature matches (by this signer and public key).
    Valid {
        signer: String,
        public_key: String,
    },
}

/// Checks an export's signature, if it has one; with `trusted`, a signature by that public
/// key (hex) is required.
pub fn check_signature(x: &Export, trusted: Option<&str>) -> Result<SignatureCheck, AuditError> {
    let check = match &x.signature {
        None => SignatureCheck::Unsigned,
        Some(sig) => {
            if sig.algorithm != "ed25519" {
                return Err(AuditError::Tampered(format!(
                    "the export's signature uses {:?}; only ed25519 is accepted",
                    sig.algorithm
                )));
            }
            signing::verify(&sig.public_key, &signed_message(x), &sig.signature).map_err(|_| {
                AuditError::Tampered(format!(
                    "the export's signature (by {}) does not match its content: it was changed after signing",
                    sig.signer
                ))
            })?;
            SignatureCheck::Valid {
                signer: sig.signer.clone(),
                public_key: sig.public_key.clone(),
            }
        }
    };
    if let Some(want) = trusted {
        match &check {
            SignatureCheck::Valid { public_key, .. } if public_key.eq_ignore_ascii_case(want) => {}
            SignatureCheck::Valid { signer, public_key } => {
                return Err(AuditError::Tampered(format!(
                    "the export is signed by {signer} (key {}…), not by the trusted key {}…",
                    &public_key[..public_key.len().min(16)],
                    &want[..want.len().min(16)]
                )))
            }
            SignatureCheck::Unsigned => {
                return Err(AuditError::Tampered(
                    "the export is not signed, and a trusted key was given".into(),
                ))
            }
        }
    }
    Ok(check)
}

/// Builds the export of engagement `key` (its log is verified first).
pub fn export(store: &Store, key: &str, actor: &str, now: &str) -> Result<Export, AuditError> {
    let e = show(store, key)?;
    crate::verify::engagement(store, &e.id)?.into_result()?;
    let mut tables = Map::new();
    let mut q = store;
    for t in TABLES {
        let out: Vec<Value> = state::read(&mut q, t, &e.id, None)?
            .into_iter()
            .map(|(_, values)| {
                let obj: Map<String, Value> = t
                    .cols
                    .iter()
                    .zip(&values)
                    .map(|((n, _), v)| (n.to_string(), to_json(v)))
                    .collect();
                Value::Object(obj)
            })
            .collect();
        tables.insert(t.name.to_string(), Value::Array(out));
    }
    Ok(Export {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now.into(),
        exported_by: actor.into(),
        schema_version: store.version()?,
        catalog: Catalog {
            id: e.catalog.clone(),
            files: hegui_core::law::FILES
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        },
        tables,
        signature: None,
    })
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub code: String,
    pub rows: usize,
    pub evidence: usize,
    /// Whether the catalog text in the export equals the one this hegui ships.
    pub catalog_matches: bool,
    /// Whether the rows were verified against the log (false for an export from a store
    /// made before the log bound the state: its rows are recorded as a baseline instead).
    pub state_verified: bool,
    pub signature: SignatureCheck,
}

fn check_header(x: &Export) -> Result<(), AuditError> {
    if x.format != FORMAT {
        return Err(AuditError::Invalid(format!(
            "not a hegui engagement export (format {:?}, expected {FORMAT:?})",
            x.format
        )));
    }
    if x.version != VERSION {
        return Err(AuditError::Invalid(format!(
            "export format version {} is not supported (this hegui reads version {VERSION})",
            x.version
        )));
    }
    Ok(())
}

/// The engagement id and code the export holds.
fn identity(x: &Export) -> Result<(String, String), AuditError> {
    let row = x
        .tables
        .get("engagements")
        .and_then(Value::as_array)
        .and_then(|rows| rows.first())
        .ok_or_else(|| AuditError::Invalid("the export holds no engagement row".into()))?;
    let field = |n: &str| {
        row.get(n)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| AuditError::Invalid(format!("engagements[0].{n}: missing")))
    };
    Ok((field("id")?, field("code")?))
}

/// The schema version from which an export's log binds its rows.
const STATE_SCHEMA: i64 = 5;

/// Restores an export into `store`, after verifying it whole (signature, hash chain, every
/// row against the log, every evidence blob): a forged export is refused naming the table,
/// row and field that do not match, and nothing of it is kept. Refuses when the engagement
/// (its id or its code) already exists there. With `trusted` (a public key, hex), only an
/// export signed by that key is accepted.
pub fn import(
    store: &Store,
    x: &Export,
    actor: &str,
    trusted: Option<&str>,
) -> Result<Imported, AuditError> {
    let ours = store.version()?;
    if x.schema_version > ours {
        return Err(AuditError::Invalid(format!(
            "the export comes from a newer store (schema {}, this hegui has {ours}): upgrade hegui first",
            x.schema_version
        )));
    }
    let Checked {
        id,
        code,
        rows,
        entries,
        evidence,
        signature,
        state_verified,
    } = check(x, trusted)?;
    let count: usize = rows.iter().map(|(_, r)| r.len()).sum();
    store.write(None, |tx| {
        if exists(tx, &id, &code)? {
            return Err(AuditError::Invalid(format!(
                "engagement {code} already exists in {}: import into another store, or purge it first",
                store.location
            )));
        }
        for (t, list) in &rows {
            let names: Vec<&str> = t.cols.iter().map(|(n, _)| *n).collect();
            let params: Vec<String> = (1..=t.cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                names.join(", "),
                params.join(", ")
            );
            for (r, args) in list.iter().enumerate() {
                tx.exec(&sql, args)
                    .map_err(|e| AuditError::Invalid(format!("tables.{}[{r}]: {e}", t.name)))?;
            }
        }
        if !state_verified {
            // The rows predate the log's record of them: bind them from here on.
            state::touch_everything(tx);
        }
        log::append(
            tx,
            &id,
            actor,
            "engagement.imported",
            &log::detail(&[
                ("exported_at", x.exported_at.clone().into()),
                ("exported_by", x.exported_by.clone().into()),
                ("rows", count.into()),
                ("entries_verified", entries.into()),
                ("state_verified", state_verified.into()),
                (
                    "signed_by",
                    x.signature.as_ref().map(|s| s.signer.clone()).into(),
                ),
            ]),
        )
    })?;
    let shipped: Vec<(String, String)> = hegui_core::law::FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    Ok(Imported {
        code,
        rows: count,
        evidence,
        catalog_matches: shipped == x.catalog.files,
        state_verified,
        signature,
    })
}

/// A table's rows, each as query arguments in the table's column order.
pub type TableRows = (&'static state::TableDef, Vec<Vec<Arg>>);

/// What [`check`] found in an export that verifies.
pub struct Checked {
    pub id: String,
    pub code: String,
    /// Every row, as query arguments, table by table.
    pub rows: Vec<TableRows>,
    pub entries: i64,
    pub evidence: usize,
    pub signature: SignatureCheck,
    pub state_verified: bool,
}

/// Everything an import checks before it writes, without a store: the header, the
/// signature (required by `trusted`), the shape of every row, the log's chain, every row
/// against the log, every evidence blob.
pub fn check(x: &Export, trusted: Option<&str>) -> Result<Checked, AuditError> {
    check_header(x)?;
    let signature = check_signature(x, trusted)?;
    let (id, code) = identity(x)?;
    let rows = parse_rows(x, &id)?;
    let (entries, evidence) = verify_export(x, &id)?;
    Ok(Checked {
        id,
        code,
        rows,
        entries,
        evidence,
        signature,
        state_verified: x.schema_version >= STATE_SCHEMA,
    })
}

fn exists(tx: &mut crate::store::Tx, id: &str, code: &str) -> Result<bool, AuditError> {
    Ok(!tx
        .rows(
            "SELECT id FROM engagements WHERE id = $1 OR code = $2",
            &[id.into(), code.into()],
        )?
        .is_empty())
}

/// Every row of the export as query arguments, table by table; each must belong to the
/// engagement being imported.
fn parse_rows(x: &Export, id: &str) -> Result<Vec<TableRows>, AuditError> {
    for name in x.tables.keys() {
        if state::table(name).is_none() {
            return Err(AuditError::Invalid(format!(
                "tables.{name}: not a table of an engagement"
            )));
        }
    }
    let mut out = Vec::new();
    for t in TABLES {
        let Some(list) = x.tables.get(t.name) else {
            continue;
        };
        let list = list.as_array().ok_or_else(|| {
            AuditError::Invalid(format!("tables.{}: expected a list of rows", t.name))
        })?;
        let mut rows = Vec::with_capacity(list.len());
        for (r, row) in list.iter().enumerate() {
            let at = |c: &str| format!("tables.{}[{r}].{c}", t.name);
            let obj = row
                .as_object()
                .ok_or_else(|| AuditError::Invalid(format!("{}: expected an object", at("*"))))?;
            if let Some(extra) = obj.keys().find(|k| t.cols.iter().all(|(n, _)| n != k)) {
                return Err(AuditError::Invalid(format!(
                    "{}: no such column",
                    at(extra)
                )));
            }
            if row.get(t.by).and_then(Value::as_str) != Some(id) {
                return Err(AuditError::Invalid(format!(
                    "{}: belongs to another engagement",
                    at(t.by)
                )));
            }
            let args = t
                .cols
                .iter()
                .map(|(n, c)| json_value(row.get(*n).unwrap_or(&Value::Null), *c, &at(n)))
                .collect::<Result<Vec<_>, _>>()?;
            rows.push(args);
        }
        out.push((t, rows));
    }
    Ok(out)
}

/// Verifies an export in memory: the chain, the rows against the log (from the schema on
/// which the log binds them), and every evidence blob. Returns (entries, evidence items).
fn verify_export(x: &Export, id: &str) -> Result<(i64, usize), AuditError> {
    let refuse = |m: String| {
        AuditError::Tampered(format!(
            "the export does not verify: {m}; nothing was imported"
        ))
    };
    let rows = |name: &str| -> Vec<&Map<String, Value>> {
        x.tables
            .get(name)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default()
    };
    let text = |r: &Map<String, Value>, c: &str| {
        r.get(c)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let eng = rows("engagements");
    let eng = eng
        .first()
        .ok_or_else(|| refuse("no engagement row".into()))?;
    let len = eng.get("log_len").and_then(Value::as_i64).unwrap_or(-1);
    let mut entries: Vec<Stored> = rows("activity")
        .iter()
        .map(|r| Stored {
            seq: r.get("seq").and_then(Value::as_i64).unwrap_or(0),
            at: text(r, "at"),
            actor: text(r, "actor"),
            action: text(r, "action"),
            detail: text(r, "detail"),
            prev_hash: text(r, "prev_hash"),
            hash: text(r, "hash"),
            state: r.get("state").and_then(Value::as_str).map(String::from),
        })
        .collect();
    entries.sort_by_key(|e| e.seq);
    let n = log::check_chain(id, &entries, len, &text(eng, "log_head"))
        .map_err(|e| refuse(e.to_string()))?;
    if x.schema_version >= STATE_SCHEMA {
        let actual = state::actual_in_export(&x.tables)?;
        let problems: Vec<Problem> = state::compare(
            entries.iter().map(|e| state::LoggedEntry {
                seq: e.seq,
                action: &e.action,
                state: e.state.as_deref(),
            }),
            &actual,
        );
        if !problems.is_empty() {
            let lines: Vec<String> = problems.iter().take(20).map(|p| format!("  {p}")).collect();
            return Err(refuse(format!(
                "{} row(s) or field(s) differ from the activity log:\n{}",
                problems.len(),
                lines.join("\n")
            )));
        }
    }
    let key = rows("engagement_keys")
        .first()
        .map(|r| text(r, "key_bytes"))
        .unwrap_or_default();
    let key = crate::hex::decode(&key, "engagement_keys[0].key_bytes")?;
    let blobs = rows("evidence_blobs");
    let mut evidence = 0;
    for item in rows("evidence") {
        let sha = text(item, "sha256");
        let blob = blobs
            .iter()
            .find(|b| text(b, "sha256") == sha)
            .ok_or_else(|| {
                refuse(format!(
                    "evidence {}: content {sha} is missing",
                    text(item, "code")
                ))
            })?;
        let nonce = crate::hex::decode(&text(blob, "nonce"), "evidence_blobs.nonce")?;
        let ct = crate::hex::decode(&text(blob, "ciphertext"), "evidence_blobs.ciphertext")?;
        let opened = if nonce.is_empty() {
            open_chunks(&key, id, &sha, &rows("evidence_chunks"))
        } else {
            vault::open_blob(&key, id, &sha, &nonce, &ct).map(drop)
        };
        opened.map_err(|e| refuse(format!("evidence {}: {e}", text(item, "code"))))?;
        evidence += 1;
    }
    Ok((n, evidence))
}

/// Decrypts and checks the chunks of content `sha` as an export holds them: every chunk
/// from the first to the last, each authenticated, the whole matching its hash.
fn open_chunks(
    key: &[u8],
    id: &str,
    sha: &str,
    rows: &[&Map<String, Value>],
) -> Result<(), AuditError> {
    use chacha20poly1305::KeyInit;
    use sha2::Digest;
    let cipher = chacha20poly1305::XChaCha20Poly1305::new_from_slice(key)
        .map_err(|_| AuditError::Tampered("the engagement key is damaged".into()))?;
    let mut mine: Vec<&&Map<String, Value>> = rows
        .iter()
        .filter(|r| r.get("sha256").and_then(Value::as_str) == Some(sha))
        .collect();
    mine.sort_by_key(|r| r.get("seq").and_then(Value::as_i64).unwrap_or(-1));
    let count = mine.len() as i64;
    if count == 0 {
        return Err(AuditError::Tampered(format!(
            "content {sha}: its chunks are missing"
        )));
    }
    let mut hash = sha2::Sha256::new();
    for (want, r) in (0..).zip(&mine) {
        let seq = r.get("seq").and_then(Value::as_i64).unwrap_or(-1);
        if seq != want {
            return Err(AuditError::Tampered(format!(
                "content {sha}: chunk {want} is missing"
            )));
        }
        let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let nonce = crate::hex::decode(&field("nonce"), "evidence_chunks.nonce")?;
        let ct = crate::hex::decode(&field("ciphertext"), "evidence_chunks.ciphertext")?;
        hash.update(vault::chunks::open(
            &cipher,
            (id, sha),
            (seq, count),
            &nonce,
            &ct,
        )?);
    }
    if crate::hex::encode(&hash.finalize()) != sha {
        return Err(AuditError::Tampered(format!(
            "content {sha} does not match its hash"
        )));
    }
    Ok(())
}
