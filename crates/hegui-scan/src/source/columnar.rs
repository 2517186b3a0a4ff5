//! Parquet (cargo feature `parquet`): each row's leaf fields, nested ones as paths.

use std::fs::File;
use std::path::Path;

use crate::pipeline::Ctx;
use crate::source::error::SourceError;
use crate::source::sampling::sampled;

/// Parquet rows: each leaf value with its path (`address.city`, `phones[]`).
#[cfg(feature = "parquet")]
pub(crate) fn parquet_rows(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = File::open(path).map_err(|e| SourceError::Read(e.to_string()))?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| SourceError::Read(format!("not a readable Parquet file: {e}")))?;
    crate::source::limits::check_parquet(reader.metadata(), &ctx.opts.limits)
        .map_err(SourceError::Read)?;
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| SourceError::Read(e.to_string()))?;
    let plan = ctx.opts.sample;
    let rows = rows
        .enumerate()
        .map(|(i, r)| r.map_err(|e| SourceError::Read(format!("row {}: {e}", i + 1))));
    sampled(plan, rows, |n, r| parquet_record(n, &r, ctx))
}

#[cfg(not(feature = "parquet"))]
pub(crate) fn parquet_rows(_: &Path, _: &mut Ctx) -> Result<(), SourceError> {
    Err(SourceError::Read(
        "this hegui was built without Parquet support (cargo feature `parquet`)".into(),
    ))
}

#[cfg(feature = "parquet")]
pub(crate) fn parquet_record(
    n: u64,
    row: &parquet::record::Row,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    let mut leaves = Vec::new();
    parquet_leaves(row, "", &mut leaves);
    for (p, text) in leaves {
        let field = ctx.field_id(&p);
        ctx.push(n, field, &text)?;
    }
    Ok(())
}

#[cfg(feature = "parquet")]
pub(crate) fn parquet_leaves(
    row: &parquet::record::Row,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) {
    for (name, field) in row.get_column_iter() {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        parquet_field(field, &path, out);
    }
}

#[cfg(feature = "parquet")]
pub(crate) fn parquet_field(
    f: &parquet::record::Field,
    path: &str,
    out: &mut Vec<(String, String)>,
) {
    use parquet::record::Field;
    match f {
        Field::Null => {}
        Field::Str(s) => out.push((path.to_string(), s.clone())),
        Field::Bytes(b) => {
            // Binary columns are scanned only when they hold text.
            if let Ok(s) = std::str::from_utf8(b.data()) {
                out.push((path.to_string(), s.to_string()));
            }
        }
        Field::Group(g) => parquet_leaves(g, path, out),
        Field::ListInternal(list) => {
            let p = format!("{path}[]");
            for i in 0..list.len() {
                if let Some(x) = list.elements().get(i) {
                    parquet_field(x, &p, out);
                }
            }
        }
        Field::MapInternal(_) | Field::Bool(_) => {}
        other => {
            // Numbers, dates and timestamps: their text (phone numbers stored as INT64).
            let s = other.to_string();
            if !s.is_empty() {
                out.push((path.to_string(), s.trim_matches('"').to_string()));
            }
        }
    }
}
