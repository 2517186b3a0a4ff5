//! The direct SQLite reader: reads outside a transaction run on the calling thread through
//! a read-only connection of a small pool, not through sqlx.
//!
//! Why: sqlx hands every SQLite query to the connection's own worker thread and waits for
//! the answer, then copies each row into its `Any` form with its column descriptions. On a
//! server's page views that was half of the time (`perf`: a quarter in context switches,
//! a quarter in allocation and row conversion; see docs/performance.md). Reads see what is
//! committed when they start (SQLite's WAL: readers never wait for the writer), so a read
//! after a write on any thread sees it, as with sqlx's pool. Writes, and reads inside a
//! transaction, stay on sqlx.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::rows::{Row, Value};
use crate::store::Arg;
use crate::AuditError;

/// Idle connections kept for the next reads; more are opened while more threads read at
/// once, and closed after.
const KEEP_IDLE: usize = 8;

/// Prepared statements kept per connection (hegui's queries are a few hundred constants).
const STATEMENTS: usize = 256;

/// Read-only connections to one SQLite file.
pub(crate) struct Readers {
    path: PathBuf,
    busy: Duration,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: PathBuf, busy: Duration) -> Readers {
        Readers {
            path,
            busy,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The rows of a read-only query with `$n` parameters, as sqlx reads them.
    pub(crate) fn rows(&self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError> {
        let conn = match self.idle.lock().map(|mut idle| idle.pop()) {
            Ok(Some(conn)) => conn,
            _ => self.open()?,
        };
        let rows = query(&conn, sql, args).map_err(|e| error(&e));
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEEP_IDLE {
                idle.push(conn);
            }
        }
        rows
    }

    fn open(&self) -> Result<Connection, AuditError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| error(&e))?;
        conn.busy_timeout(self.busy).map_err(|e| error(&e))?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }
}

fn query(conn: &Connection, sql: &str, args: &[Arg]) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(sql)?;
    for i in 1..=stmt.parameter_count() {
        let arg = argument(stmt.parameter_name(i), i, args)?;
        match arg {
            Arg::Text(s) => stmt.raw_bind_parameter(i, s.as_str())?,
            Arg::Int(n) => stmt.raw_bind_parameter(i, n)?,
            Arg::Bytes(b) => stmt.raw_bind_parameter(i, b.as_slice())?,
            Arg::Null => stmt.raw_bind_parameter(i, rusqlite::types::Null)?,
        }
    }
    let columns = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let values = (0..columns)
            .map(|c| r.get_ref(c).map(value))
            .collect::<rusqlite::Result<Vec<Value>>>()?;
        out.push(Row::Values(values));
    }
    Ok(out)
}

/// The argument for parameter `i`: `$n` (or `?n`) names the n-th argument, wherever it
/// stands in the statement (as sqlx binds them); an unnamed one takes its place's.
fn argument<'a>(name: Option<&str>, i: usize, args: &'a [Arg]) -> rusqlite::Result<&'a Arg> {
    let n = name
        .and_then(|n| n.strip_prefix('$').or_else(|| n.strip_prefix('?')))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(i);
    n.checked_sub(1)
        .and_then(|k| args.get(k))
        .ok_or(rusqlite::Error::InvalidParameterCount(n, args.len()))
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn error(e: &rusqlite::Error) -> AuditError {
    let busy = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    if busy {
        AuditError::Busy(e.to_string())
    } else {
        AuditError::Db(e.to_string())
    }
}
