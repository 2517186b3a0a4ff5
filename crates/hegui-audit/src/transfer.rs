//! A whole engagement as one self-contained JSON document, and its import into another store
//! (SQLite or PostgreSQL). The export holds every row of the engagement exactly as stored —
//! activity log, profile versions, papers, findings, the encrypted evidence and the
//! engagement's vault key — and the text of the catalog it was audited against, so that it
//! can be read and restored without the hegui version that wrote it. Import restores the
//! rows byte for byte, then checks the activity log's hash chain and every evidence blob;
//! if either fails, nothing of the import is kept.
//!
//! Because the vault key travels with the ciphertext, an export is as confidential as the
//! evidence in clear: it is written readable by its owner only.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::Row;

use crate::engagement::{resolve, show};
use crate::store::{Arg, Store};
use crate::{hex, log, vault, AuditError};

/// The `format` field of an export.
pub const FORMAT: &str = "hegui-engagement-export";
/// The version of the export format this hegui writes and reads.
pub const VERSION: u32 = 1;

#[derive(Clone, Copy)]
enum Col {
    /// Text, possibly NULL.
    Text,
    Int,
    /// Binary (hex in JSON).
    Bytes,
}

use Col::{Bytes, Int, Text};

/// A table: its name, the column naming the engagement, and its columns with their types.
type Table = (&'static str, &'static str, &'static [(&'static str, Col)]);

/// Every table that holds an engagement's rows, in insertion order, with the column that
/// names the engagement and every column with its type (as the migrations create them).
const TABLES: &[Table] = &[
    (
        "engagements",
        "id",
        &[
            ("id", Text),
            ("code", Text),
            ("processor", Text),
            ("kind", Text),
            ("ordered_trigger", Text),
            ("body", Text),
            ("affiliates", Text),
            ("lead_auditor", Text),
            ("team", Text),
            ("period_start", Text),
            ("period_end", Text),
            ("start_date", Text),
            ("deadline", Text),
            ("catalog", Text),
            ("status", Text),
            ("independence", Text),
            ("override_reason", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("log_len", Int),
            ("log_head", Text),
            ("rectification_done", Text),
            ("rectification_report_due", Text),
            ("closed_at", Text),
        ],
    ),
    (
        "profile_snapshots",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("version", Int),
            ("taken_at", Text),
            ("sha256", Text),
            ("profile", Text),
        ],
    ),
    (
        "extensions",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("seq", Int),
            ("until_date", Text),
            ("approval", Text),
            ("recorded_at", Text),
        ],
    ),
    (
        "scope",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("checkpoint", Text),
            ("computed", Text),
            ("reason", Text),
            ("decision", Text),
            ("decision_reason", Text),
            ("decided_by", Text),
        ],
    ),
    (
        "activity",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("seq", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("detail", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    ),
    (
        "working_papers",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("checkpoint", Text),
            ("procedures", Text),
            ("population", Text),
            ("sample", Text),
            ("evidence", Text),
            ("result", Text),
            ("observations", Text),
            ("status", Text),
            ("prepared_by", Text),
            ("prepared_at", Text),
            ("reviewed_by", Text),
            ("reviewed_at", Text),
            ("revision", Int),
        ],
    ),
    (
        "findings",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("code", Text),
            ("checkpoint", Text),
            ("severity", Text),
            ("title", Text),
            ("description", Text),
            ("created_by", Text),
            ("created_at", Text),
        ],
    ),
    (
        "rectifications",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("finding", Text),
            ("seq", Int),
            ("owner", Text),
            ("measure", Text),
            ("due", Text),
            ("status", Text),
            ("verification", Text),
            ("closed_on", Text),
        ],
    ),
    (
        "engagement_keys",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("key_bytes", Bytes),
            ("created_at", Text),
        ],
    ),
    (
        "evidence_blobs",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("sha256", Text),
            ("nonce", Bytes),
            ("ciphertext", Bytes),
        ],
    ),
    (
        "evidence",
        "engagement_id",
        &[
            ("engagement_id", Text),
            ("code", Text),
            ("sha256", Text),
            ("name", Text),
            ("size", Int),
            ("kind", Text),
            ("collector", Text),
            ("collected_at", Text),
            ("effective_date", Text),
            ("source", Text),
            ("description", Text),
            ("checkpoints", Text),
        ],
    ),
];

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
}

fn read_value(row: &sqlx::any::AnyRow, i: usize, col: Col) -> Value {
    match col {
        Text => row
            .try_get::<Option<String>, _>(i)
            .ok()
            .flatten()
            .map_or(Value::Null, Value::String),
        Int => row
            .try_get::<Option<i64>, _>(i)
            .ok()
            .flatten()
            .map_or(Value::Null, Value::from),
        Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)
            .ok()
            .flatten()
            .map_or(Value::Null, |b| Value::String(hex::encode(&b))),
    }
}

/// Builds the export of engagement `key` (its log is verified first).
pub fn export(store: &Store, key: &str, actor: &str, now: &str) -> Result<Export, AuditError> {
    let e = show(store, key)?;
    log::verify(store, &e.id)?;
    let mut tables = Map::new();
    for (table, by, cols) in TABLES {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let sql = format!("SELECT {} FROM {table} WHERE {by} = $1", names.join(", "));
        let rows = store.rows(&sql, &[e.id.clone().into()])?;
        let out: Vec<Value> = rows
            .iter()
            .map(|r| {
                let obj: Map<String, Value> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, (n, c))| (n.to_string(), read_value(r, i, *c)))
                    .collect();
                Value::Object(obj)
            })
            .collect();
        tables.insert(table.to_string(), Value::Array(out));
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
    })
}

fn arg(v: &Value, col: Col, at: &str) -> Result<Arg, AuditError> {
    let bad = || AuditError::Invalid(format!("{at}: unexpected value {v}"));
    Ok(match (col, v) {
        (_, Value::Null) => Arg::Null,
        (Text, Value::String(s)) => Arg::Text(s.clone()),
        (Int, Value::Number(n)) => Arg::Int(n.as_i64().ok_or_else(bad)?),
        (Bytes, Value::String(s)) => Arg::Bytes(hex::decode(s, at)?),
        _ => return Err(bad()),
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

/// Restores an export into `store`. Refuses when the engagement (its id or its code)
/// already exists there; keeps nothing when the restored log or evidence does not verify.
pub fn import(store: &Store, x: &Export, actor: &str) -> Result<Imported, AuditError> {
    check_header(x)?;
    let ours = store.version()?;
    if x.schema_version > ours {
        return Err(AuditError::Invalid(format!(
            "the export comes from a newer store (schema {}, this hegui has {ours}): upgrade hegui first",
            x.schema_version
        )));
    }
    let (id, code) = identity(x)?;
    if resolve(store, &id).is_ok() || resolve(store, &code).is_ok() {
        return Err(AuditError::Invalid(format!(
            "engagement {code} already exists in {}: import into another store, or purge it first",
            store.location
        )));
    }
    let mut tx = store.begin()?;
    let mut rows = 0;
    for (table, by, cols) in TABLES {
        let Some(list) = x.tables.get(*table).and_then(Value::as_array) else {
            continue;
        };
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        );
        for (r, row) in list.iter().enumerate() {
            let at = |c: &str| format!("tables.{table}[{r}].{c}");
            let args = cols
                .iter()
                .map(|(n, c)| arg(row.get(*n).unwrap_or(&Value::Null), *c, &at(n)))
                .collect::<Result<Vec<_>, _>>()?;
            // Every row must belong to the engagement being imported.
            if row.get(*by).and_then(Value::as_str) != Some(id.as_str()) {
                return Err(AuditError::Invalid(format!(
                    "{}: belongs to another engagement",
                    at(by)
                )));
            }
            tx.exec(&sql, &args)
                .map_err(|e| AuditError::Invalid(format!("{}: {e}", at("*"))))?;
            rows += 1;
        }
    }
    tx.commit()?;
    // The restored chain and blobs must verify, or the import is undone.
    let checked = log::verify(store, &id).and_then(|_| vault::verify(store, &id));
    let evidence = match checked {
        Ok(n) => n,
        Err(e) => {
            remove(store, &id)?;
            return Err(AuditError::Invalid(format!(
                "the export does not verify ({e}); nothing was imported"
            )));
        }
    };
    let mut tx = store.begin()?;
    log::append(
        &mut tx,
        &id,
        actor,
        "engagement.imported",
        &log::detail(&[
            ("exported_at", x.exported_at.clone().into()),
            ("rows", rows.into()),
        ]),
    )?;
    tx.commit()?;
    let shipped: Vec<(String, String)> = hegui_core::law::FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    Ok(Imported {
        code,
        rows,
        evidence,
        catalog_matches: shipped == x.catalog.files,
    })
}

/// Deletes every row of engagement `id` (an import that did not verify).
fn remove(store: &Store, id: &str) -> Result<(), AuditError> {
    let mut tx = store.begin()?;
    for (table, by, _) in TABLES.iter().rev() {
        tx.exec(
            &format!("DELETE FROM {table} WHERE {by} = $1"),
            &[id.into()],
        )?;
    }
    tx.commit()
}
