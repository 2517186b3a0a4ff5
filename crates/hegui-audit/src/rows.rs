//! Rows read from the store, whichever way they were read: through sqlx (PostgreSQL, and
//! SQLite inside a transaction) or by the direct SQLite reader ([`crate::reader`]). Both
//! read the same: a column is text, an integer or bytes only when the value is stored as
//! that (a mismatch reads as empty or absent, as sqlx's `Any` driver reads it).

use sqlx::any::AnyRow;
use sqlx::Row as _;

/// One row of a query's answer.
pub enum Row {
    /// Read through sqlx.
    Any(AnyRow),
    /// Read by the direct SQLite reader: each column's value as SQLite stored it.
    Values(Vec<Value>),
}

/// A value as SQLite stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Column helpers for rows.
pub trait RowExt {
    /// Bytes of a blob column (empty when null or not a blob).
    fn bytes(&self, i: usize) -> Vec<u8>;
    /// Text of a text column (empty when null or not text).
    fn text(&self, i: usize) -> String;
    /// Text, or `None` when null (or not text).
    fn opt(&self, i: usize) -> Option<String>;
    /// An integer column (0 when null or not an integer).
    fn int(&self, i: usize) -> i64;
    /// An integer, or `None` when null (or not an integer).
    fn opt_int(&self, i: usize) -> Option<i64>;
    /// Bytes, or `None` when null (or not a blob).
    fn opt_bytes(&self, i: usize) -> Option<Vec<u8>>;
}

impl Row {
    fn value(&self, i: usize) -> Option<&Value> {
        match self {
            Row::Values(v) => v.get(i),
            Row::Any(_) => None,
        }
    }
}

impl RowExt for Row {
    fn bytes(&self, i: usize) -> Vec<u8> {
        self.opt_bytes(i).unwrap_or_default()
    }

    fn text(&self, i: usize) -> String {
        self.opt(i).unwrap_or_default()
    }

    fn opt(&self, i: usize) -> Option<String> {
        match self {
            Row::Any(r) => r.try_get::<Option<String>, _>(i).ok().flatten(),
            _ => match self.value(i) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            },
        }
    }

    fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or_default()
    }

    fn opt_int(&self, i: usize) -> Option<i64> {
        match self {
            Row::Any(r) => r.try_get::<Option<i64>, _>(i).ok().flatten(),
            _ => match self.value(i) {
                Some(&Value::Int(n)) => Some(n),
                _ => None,
            },
        }
    }

    fn opt_bytes(&self, i: usize) -> Option<Vec<u8>> {
        match self {
            Row::Any(r) => r.try_get::<Option<Vec<u8>>, _>(i).ok().flatten(),
            _ => match self.value(i) {
                Some(Value::Blob(b)) => Some(b.clone()),
                _ => None,
            },
        }
    }
}
