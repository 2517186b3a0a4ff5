//! The log binds the state: every activity-log entry records a digest of each field of every
//! row its transaction created or changed (and which rows it deleted), so that replaying the
//! log gives what every row of the engagement must hold. [`verify`] compares that with the
//! tables and names the table, row and field that differ — a field changed, a row deleted,
//! or a row inserted behind hegui's back — in the store or in an export.
//!
//! The record of an entry (the `state` column, covered by the entry's hash) is a JSON list of
//! changes:
//! - `{"t": TABLE, "k": [KEY…], "f": {COLUMN: DIGEST, …}}` — the row as written;
//! - `{"t": TABLE, "k": [KEY…]}` — the row was deleted;
//! - `{"t": TABLE, "all": [{"k": […], "f": {…}}, …]}` — every row the engagement has in the
//!   table (writes that replace many rows at once, and the baseline).
//!
//! A digest is the first 128 bits of SHA-256 over a type tag and the value, so the log holds
//! no field values. Stores created before the log bound the state get one logged baseline
//! of every row when they are opened by this version (`store.baseline`); exports from such
//! stores get one when imported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use crate::schema::{table, Col, TableDef, TABLES};
use crate::store::{Arg, Query, RowExt, Tx};
use crate::{hex, AuditError};
use Col::{Bytes, Int, Text};

/// Rows a transaction wrote, named for the next log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touch {
    /// One row by its key (after the engagement column).
    Row(&'static str, Vec<String>),
    /// Every row of the engagement in a table.
    Table(&'static str),
}

/// Column → digest.
pub type Fields = BTreeMap<String, String>;

/// One row as a log entry records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RowState {
    pub k: Vec<String>,
    pub f: Fields,
}

/// One change a log entry records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Change {
    pub t: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<Vec<String>>,
    /// The row's fields; absent with `k`: the row was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f: Option<Fields>,
    /// Every row of the table (replaces what the log knew of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<RowState>>,
}

/// The digest of one value: the first 128 bits of SHA-256 over a type tag and the value.
pub fn digest(v: &Arg) -> String {
    let mut h = Sha256::new();
    match v {
        Arg::Null => h.update(b"N"),
        Arg::Text(s) => {
            h.update(b"T");
            h.update(s.as_bytes());
        }
        Arg::Int(n) => {
            h.update(b"I");
            h.update(n.to_string().as_bytes());
        }
        Arg::Bytes(b) => {
            h.update(b"B");
            h.update(b);
        }
    }
    hex::encode(&h.finalize()[..16])
}

/// A column's value read from a row.
pub(crate) fn read_value(row: &crate::store::Row, i: usize, col: Col) -> Arg {
    use crate::store::RowExt;
    match col {
        Text => row.opt(i).map_or(Arg::Null, Arg::Text),
        Int => row.opt_int(i).map_or(Arg::Null, Arg::Int),
        Bytes => row.opt_bytes(i).map_or(Arg::Null, Arg::Bytes),
    }
}

/// A column's value from an export's JSON (`at` names it in errors).
pub(crate) fn json_value(v: &Value, col: Col, at: &str) -> Result<Arg, AuditError> {
    let bad = || AuditError::Invalid(format!("{at}: unexpected value {v}"));
    Ok(match (col, v) {
        (_, Value::Null) => Arg::Null,
        (Text, Value::String(s)) => Arg::Text(s.clone()),
        (Int, Value::Number(n)) => Arg::Int(n.as_i64().ok_or_else(bad)?),
        (Bytes, Value::String(s)) => Arg::Bytes(hex::decode(s, at)?),
        _ => return Err(bad()),
    })
}

/// A value as an export's JSON holds it.
pub(crate) fn to_json(v: &Arg) -> Value {
    match v {
        Arg::Null => Value::Null,
        Arg::Text(s) => Value::String(s.clone()),
        Arg::Int(n) => Value::from(*n),
        Arg::Bytes(b) => Value::String(hex::encode(b)),
    }
}

fn key_text(v: &Arg) -> String {
    match v {
        Arg::Text(s) => s.clone(),
        Arg::Int(n) => n.to_string(),
        Arg::Bytes(b) => hex::encode(b),
        Arg::Null => String::new(),
    }
}

/// One row: its key and its values in the table's column order.
pub type RawRow = (Vec<String>, Vec<Arg>);

/// The engagement's rows of `t` (only the one with `key` when given), with their values.
pub fn read(
    q: &mut impl Query,
    t: &TableDef,
    engagement: &str,
    key: Option<&[String]>,
) -> Result<Vec<RawRow>, AuditError> {
    let names: Vec<&str> = t.cols.iter().map(|(n, _)| *n).collect();
    let mut sql = format!(
        "SELECT {} FROM {} WHERE {} = $1",
        names.join(", "),
        t.name,
        t.by
    );
    let mut args: Vec<Arg> = vec![engagement.into()];
    if let Some(key) = key {
        for (i, (col, value)) in t.key.iter().zip(key).enumerate() {
            sql.push_str(&format!(" AND {col} = ${}", i + 2));
            args.push(match t.col(col) {
                Some(Int) => Arg::Int(value.parse().map_err(|_| {
                    AuditError::Db(format!("{}: key {col} = {value:?} is not a number", t.name))
                })?),
                _ => Arg::Text(value.clone()),
            });
        }
    }
    let rows = q.rows(&sql, &args)?;
    Ok(rows
        .iter()
        .map(|r| {
            let values: Vec<Arg> = t
                .cols
                .iter()
                .enumerate()
                .map(|(i, (_, c))| read_value(r, i, *c))
                .collect();
            (row_key(t, &values), values)
        })
        .collect())
}

/// A row's key from its values.
fn row_key(t: &TableDef, values: &[Arg]) -> Vec<String> {
    t.key
        .iter()
        .map(|k| {
            t.cols
                .iter()
                .position(|(n, _)| n == k)
                .map(|i| key_text(&values[i]))
                .unwrap_or_default()
        })
        .collect()
}

/// The digests of a row's logged fields.
fn fields(t: &TableDef, values: &[Arg]) -> Fields {
    t.cols
        .iter()
        .zip(values)
        .filter(|((n, _), _)| !t.unlogged.contains(n))
        .map(|((n, _), v)| (n.to_string(), digest(v)))
        .collect()
}

/// What a log entry records of `touched` (and always of the engagement's own row), read
/// inside the transaction that wrote them: the `state` JSON.
pub(crate) fn record(
    tx: &mut Tx,
    engagement: &str,
    touched: &[Touch],
) -> Result<String, AuditError> {
    let mut all = vec![Touch::Row("engagements", Vec::new())];
    for t in touched {
        if !all.contains(t) {
            all.push(t.clone());
        }
    }
    let mut changes = Vec::new();
    for touch in &all {
        let (name, key) = match touch {
            Touch::Row(name, key) => (*name, Some(key.as_slice())),
            Touch::Table(name) => (*name, None),
        };
        let t = table(name).filter(|t| t.logged).ok_or_else(|| {
            AuditError::Db(format!("internal error: {name} is not a logged table"))
        })?;
        let rows = read(tx, t, engagement, key)?;
        changes.push(match key {
            Some(k) => Change {
                t: name.into(),
                k: Some(k.to_vec()),
                f: rows.first().map(|(_, v)| fields(t, v)),
                all: None,
            },
            None => Change {
                t: name.into(),
                k: None,
                f: None,
                all: Some(
                    rows.iter()
                        .map(|(k, v)| RowState {
                            k: k.clone(),
                            f: fields(t, v),
                        })
                        .collect(),
                ),
            },
        });
    }
    Ok(serde_json::to_string(&changes).expect("serialisable"))
}

/// Every logged table, as touches (a baseline, or an import of an export that predates
/// the state).
pub(crate) fn touch_everything(tx: &mut Tx) {
    for t in TABLES
        .iter()
        .filter(|t| t.logged && t.name != "engagements")
    {
        tx.touch_table(t.name);
    }
}

/// Gives every engagement in the store a logged baseline of its rows (the migration to a
/// log that binds the state).
pub(crate) fn baseline_all(tx: &mut Tx, version: usize) -> Result<(), AuditError> {
    let ids: Vec<String> = tx
        .rows("SELECT id FROM engagements ORDER BY code", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect();
    for id in ids {
        for t in TABLES.iter().filter(|t| {
            t.logged && t.name != "engagements" && crate::schema::exists_at(t.name, version)
        }) {
            tx.touch_table(t.name);
        }
        crate::log::append(
            tx,
            &id,
            "hegui",
            "store.baseline",
            &crate::log::detail(&[(
                "reason",
                "the activity log binds the state from here on (the rows as they were)".into(),
            )]),
        )?;
    }
    Ok(())
}

/// Where the log says a row stands, and which entry said it last.
#[derive(Debug, Clone)]
struct Expected {
    fields: Option<Fields>,
    seq: i64,
    action: String,
}

type RowId = (String, Vec<String>);

/// One log entry, as the replay reads it.
pub struct LoggedEntry<'a> {
    pub seq: i64,
    pub action: &'a str,
    pub state: Option<&'a str>,
}

/// What the log says every row must hold.
fn replay<'a>(
    entries: impl IntoIterator<Item = LoggedEntry<'a>>,
) -> Result<BTreeMap<RowId, Expected>, Problem> {
    let mut out: BTreeMap<RowId, Expected> = BTreeMap::new();
    for e in entries {
        let Some(state) = e.state else { continue };
        let changes: Vec<Change> = serde_json::from_str(state).map_err(|err| Problem {
            table: "activity".into(),
            row: e.seq.to_string(),
            field: Some("state".into()),
            what: format!("the entry's state record is unreadable ({err})"),
        })?;
        let at = |f: Option<Fields>| Expected {
            fields: f,
            seq: e.seq,
            action: e.action.to_string(),
        };
        for c in changes {
            match (c.k, c.all) {
                (Some(k), _) => {
                    out.insert((c.t, k), at(c.f));
                }
                (None, Some(rows)) => {
                    for (id, exp) in out.iter_mut() {
                        if id.0 == c.t && exp.fields.is_some() {
                            *exp = at(None);
                        }
                    }
                    for r in rows {
                        out.insert((c.t.clone(), r.k), at(Some(r.f)));
                    }
                }
                (None, None) => {}
            }
        }
    }
    Ok(out)
}

/// One difference between the log and the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub table: String,
    /// The row's key (`/` between parts), or `-` for the engagement's own row.
    pub row: String,
    pub field: Option<String>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "table {}, row {}", self.table, self.row)?;
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.what)
    }
}

fn row_name(k: &[String]) -> String {
    if k.is_empty() {
        "-".into()
    } else {
        k.join("/")
    }
}

/// The actual rows: row → logged field digests.
pub(crate) type Actual = BTreeMap<RowId, Fields>;

/// The engagement's rows in the store.
pub(crate) fn actual_in_store(q: &mut impl Query, engagement: &str) -> Result<Actual, AuditError> {
    let mut out = Actual::new();
    for t in TABLES.iter().filter(|t| t.logged) {
        for (k, v) in read(q, t, engagement, None)? {
            out.insert((t.name.to_string(), k), fields(t, &v));
        }
    }
    Ok(out)
}

/// The rows of an export (tables of JSON objects), converted as an import would.
pub(crate) fn actual_in_export(tables: &Map<String, Value>) -> Result<Actual, AuditError> {
    let mut out = Actual::new();
    for t in TABLES.iter().filter(|t| t.logged) {
        let Some(list) = tables.get(t.name).and_then(Value::as_array) else {
            continue;
        };
        for (r, row) in list.iter().enumerate() {
            let values = t
                .cols
                .iter()
                .map(|(n, c)| {
                    json_value(
                        row.get(*n).unwrap_or(&Value::Null),
                        *c,
                        &format!("tables.{}[{r}].{n}", t.name),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.insert(
                (t.name.to_string(), row_key(t, &values)),
                fields(t, &values),
            );
        }
    }
    Ok(out)
}

/// Compares what the log says with the rows: every difference, in table order.
pub(crate) fn compare<'a>(
    entries: impl IntoIterator<Item = LoggedEntry<'a>>,
    actual: &Actual,
) -> Vec<Problem> {
    let expected = match replay(entries) {
        Ok(e) => e,
        Err(p) => return vec![p],
    };
    let mut problems = Vec::new();
    let by = |e: &Expected| format!("entry {} ({})", e.seq, e.action);
    for ((t, k), exp) in &expected {
        let row = row_name(k);
        match (&exp.fields, actual.get(&(t.clone(), k.clone()))) {
            (Some(want), Some(have)) => {
                for (col, d) in want {
                    if have.get(col) != Some(d) {
                        problems.push(Problem {
                            table: t.clone(),
                            row: row.clone(),
                            field: Some(col.clone()),
                            what: format!(
                                "differs from what the log recorded (last written by {}): changed outside hegui",
                                by(exp)
                            ),
                        });
                    }
                }
                for col in have.keys().filter(|c| !want.contains_key(*c)) {
                    problems.push(Problem {
                        table: t.clone(),
                        row: row.clone(),
                        field: Some(col.clone()),
                        what: "is a field the log never recorded".into(),
                    });
                }
            }
            (Some(_), None) => problems.push(Problem {
                table: t.clone(),
                row,
                field: None,
                what: format!(
                    "is missing; the log has it (last written by {}): deleted outside hegui",
                    by(exp)
                ),
            }),
            (None, Some(_)) => problems.push(Problem {
                table: t.clone(),
                row,
                field: None,
                what: format!(
                    "exists but the log deleted it ({}): restored or inserted outside hegui",
                    by(exp)
                ),
            }),
            (None, None) => {}
        }
    }
    for (t, k) in actual.keys() {
        if !expected.contains_key(&(t.clone(), k.clone())) {
            problems.push(Problem {
                table: t.clone(),
                row: row_name(k),
                field: None,
                what: "is not in the activity log: inserted outside hegui".into(),
            });
        }
    }
    let order = |t: &str| {
        TABLES
            .iter()
            .position(|d| d.name == t)
            .unwrap_or(usize::MAX)
    };
    problems.sort_by_key(|p| order(&p.table));
    problems
}

/// The entries of an engagement's log as stored (seq, action, state).
pub(crate) fn logged_entries(
    q: &mut impl Query,
    engagement: &str,
) -> Result<Vec<(i64, String, Option<String>)>, AuditError> {
    Ok(q.rows(
        "SELECT seq, action, state FROM activity WHERE engagement_id = $1 ORDER BY seq",
        &[engagement.into()],
    )?
    .iter()
    .map(|r| (r.int(0), r.text(1), r.opt(2)))
    .collect())
}

/// Compares the engagement's rows in the store with its log: every difference, and how
/// many rows the engagement has.
pub fn check_store(
    q: &mut impl Query,
    engagement: &str,
) -> Result<(Vec<Problem>, usize), AuditError> {
    let entries = logged_entries(q, engagement)?;
    let actual = actual_in_store(q, engagement)?;
    let problems = compare(
        entries.iter().map(|(seq, action, state)| LoggedEntry {
            seq: *seq,
            action,
            state: state.as_deref(),
        }),
        &actual,
    );
    Ok((problems, actual.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_types_and_values_apart() {
        let all = [
            digest(&Arg::Null),
            digest(&Arg::Text(String::new())),
            digest(&Arg::Text("1".into())),
            digest(&Arg::Int(1)),
            digest(&Arg::Bytes(b"1".to_vec())),
        ];
        for (i, a) in all.iter().enumerate() {
            assert_eq!(a.len(), 32);
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    fn entry<'a>(seq: i64, state: &'a str) -> LoggedEntry<'a> {
        LoggedEntry {
            seq,
            action: "x",
            state: Some(state),
        }
    }

    #[test]
    fn replay_follows_rows_tables_and_deletions() {
        let f = |d: &str| Fields::from([("a".to_string(), d.to_string())]);
        let s1 = r#"[{"t":"scope","all":[{"k":["G1"],"f":{"a":"1"}},{"k":["G2"],"f":{"a":"2"}}]}]"#;
        let s2 = r#"[{"t":"scope","k":["G1"],"f":{"a":"9"}},{"t":"findings","k":["F-001"],"f":{"a":"3"}}]"#;
        let s3 =
            r#"[{"t":"findings","k":["F-001"]},{"t":"scope","all":[{"k":["G1"],"f":{"a":"9"}}]}]"#;
        let mut actual = Actual::new();
        actual.insert(("scope".into(), vec!["G1".into()]), f("9"));
        let entries = || vec![entry(1, s1), entry(2, s2), entry(3, s3)];
        assert!(compare(entries(), &actual).is_empty());
        // A field changed, a deleted row back, an unknown row.
        actual.insert(("scope".into(), vec!["G1".into()]), f("8"));
        actual.insert(("findings".into(), vec!["F-001".into()]), f("3"));
        actual.insert(("findings".into(), vec!["F-002".into()]), f("3"));
        let p = compare(entries(), &actual);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p
            .iter()
            .any(|p| p.row == "G1" && p.field.as_deref() == Some("a")));
        assert!(p
            .iter()
            .any(|p| p.row == "F-001" && p.what.contains("deleted it")));
        assert!(p
            .iter()
            .any(|p| p.row == "F-002" && p.what.contains("not in the activity log")));
        // A missing row.
        let p = compare(entries(), &Actual::new());
        assert_eq!(p.len(), 1);
        assert!(p[0].what.contains("is missing"));
    }

    #[test]
    fn an_unreadable_state_record_is_a_problem_not_a_panic() {
        let p = compare(vec![entry(4, "{not json")], &Actual::new());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].row, "4");
    }
}
