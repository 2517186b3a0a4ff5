//! The record-API reader the Arrow one replaced (row by row through `parquet::record`):
//! kept for the tests only, as the oracle the new reader's findings and reports are held
//! to. One deliberate difference from the reader as it shipped: an empty string is no
//! cell here either (as in CSV, JSON and `ColumnScan`), where it used to count as one.

use std::fs::File;
use std::path::Path;

use crate::pipeline::Ctx;
use crate::source::error::SourceError;
use crate::source::sampling::sampled;

/// Parquet rows: each leaf value with its path (`address.city`, `phones[]`).
pub(crate) fn parquet_rows(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = File::open(path).map_err(|e| SourceError::Read(e.to_string()))?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| SourceError::Read(format!("not a readable Parquet file: {e}")))?;
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| SourceError::Read(e.to_string()))?;
    let plan = ctx.opts.sample;
    let rows = rows
        .enumerate()
        .map(|(i, r)| r.map_err(|e| SourceError::Read(format!("row {}: {e}", i + 1))));
    sampled(plan, rows, |n, r| record(n, &r, ctx))
}

fn record(n: u64, row: &parquet::record::Row, ctx: &mut Ctx) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    let mut leaves = Vec::new();
    leaves_of(row, "", &mut leaves);
    for (p, text) in leaves {
        if text.is_empty() {
            continue;
        }
        let field = ctx.field_id(&p);
        ctx.push(n, field, &text)?;
    }
    Ok(())
}

fn leaves_of(row: &parquet::record::Row, prefix: &str, out: &mut Vec<(String, String)>) {
    for (name, field) in row.get_column_iter() {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        leaf(field, &path, out);
    }
}

fn leaf(f: &parquet::record::Field, path: &str, out: &mut Vec<(String, String)>) {
    use parquet::record::Field;
    match f {
        Field::Null => {}
        Field::Str(s) => out.push((path.to_string(), s.clone())),
        Field::Bytes(b) => {
            if let Ok(s) = std::str::from_utf8(b.data()) {
                out.push((path.to_string(), s.to_string()));
            }
        }
        Field::Group(g) => leaves_of(g, path, out),
        Field::ListInternal(list) => {
            let p = format!("{path}[]");
            for x in list.elements() {
                leaf(x, &p, out);
            }
        }
        Field::MapInternal(_) | Field::Bool(_) => {}
        other => {
            let s = other.to_string();
            if !s.is_empty() {
                out.push((path.to_string(), s.trim_matches('"').to_string()));
            }
        }
    }
}
