//! Parquet (cargo feature `parquet`): the file is read as Arrow record batches, and each
//! leaf column of a batch goes to the scanner a column at a time, as
//! [`crate::columnar::ColumnScan`] feeds columns: strings straight from Arrow's buffers,
//! numbers, dates and times written as text ([`render`]). Nested fields are paths
//! (`address.city`, `phones[]`, `contacts[].mobile`); a list's values keep the row they
//! belong to; maps are not scanned.
//!
//! Findings come column by column within each batch of rows (the CSV path's come row by
//! row); the report does not depend on the order.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, OffsetSizeTrait};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::options::Sample;
use crate::pipeline::Ctx;
use crate::source::error::SourceError;
use crate::source::sampling::Sampler;

use super::render;

/// Rows per Arrow batch. Small batches keep a decoded batch in cache while its columns go
/// to the scanner: on the benchmark's orders.parquet, one thread, 2,048 rows took 0.149 s,
/// 1,024 0.147 s, 4,096 0.151 s, 8,192 0.163 s and 65,536 0.224 s (`perf stat -r 15`).
const BATCH_ROWS: usize = 2048;

/// The values to scan of one column in a batch: `(row, index)`, the row numbered from 1
/// in the file and the index into the column's array. Nested columns get their own:
/// a list's values are indices into its child array, each with its parent's row.
type Picks = Vec<(u64, usize)>;

/// Parquet rows: each leaf value with its path (`address.city`, `phones[]`).
pub(crate) fn parquet_rows(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
    let file = File::open(path).map_err(|e| SourceError::Read(e.to_string()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| SourceError::Read(format!("not a readable Parquet file: {e}")))?;
    crate::source::limits::check_parquet(builder.metadata(), &ctx.opts.limits)
        .map_err(SourceError::Read)?;
    let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let mut plan = RowPlan::new(ctx.opts.sample, rows)?;
    let mut builder = builder.with_batch_size(BATCH_ROWS);
    if let Sample::FirstRows(n) = ctx.opts.sample {
        builder = builder.with_limit(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let reader = builder
        .build()
        .map_err(|e| SourceError::Read(format!("not a readable Parquet file: {e}")))?;
    let mut first = 1u64;
    for batch in reader {
        let batch = batch.map_err(|e| SourceError::Read(format!("rows from {first}: {e}")))?;
        let picks = plan.picks(first, batch.num_rows());
        first += batch.num_rows() as u64;
        if picks.is_empty() {
            continue;
        }
        ctx.acc.records += picks.len() as u64;
        let schema = batch.schema();
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            walk(ctx, column.as_ref(), field.name(), &picks)?;
        }
    }
    Ok(())
}

/// Feeds the picked values of `a` (a column, or a part of one at `path`) to the scanner.
fn walk(
    ctx: &mut Ctx,
    a: &dyn Array,
    path: &str,
    picks: &[(u64, usize)],
) -> Result<(), SourceError> {
    match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            strings(ctx, path, picks, a, |i| s.value(i))
        }
        DataType::LargeUtf8 => {
            let s = a.as_string::<i64>();
            strings(ctx, path, picks, a, |i| s.value(i))
        }
        DataType::Utf8View => {
            let s = a.as_string_view();
            strings(ctx, path, picks, a, |i| s.value(i))
        }
        // Binary values are scanned when they are text.
        DataType::Binary => {
            let b = a.as_binary::<i32>();
            bytes(ctx, path, picks, a, |i| b.value(i))
        }
        DataType::LargeBinary => {
            let b = a.as_binary::<i64>();
            bytes(ctx, path, picks, a, |i| b.value(i))
        }
        DataType::BinaryView => {
            let b = a.as_binary_view();
            bytes(ctx, path, picks, a, |i| b.value(i))
        }
        DataType::FixedSizeBinary(_) => {
            let b = a.as_fixed_size_binary();
            bytes(ctx, path, picks, a, |i| b.value(i))
        }
        DataType::Struct(_) => {
            let s = a.as_struct();
            let present: Picks = picks
                .iter()
                .copied()
                .filter(|&(_, i)| s.is_valid(i))
                .collect();
            for (name, child) in s.column_names().into_iter().zip(s.columns()) {
                walk(ctx, child.as_ref(), &format!("{path}.{name}"), &present)?;
            }
            Ok(())
        }
        DataType::List(_) => list(ctx, path, picks, a.as_list::<i32>()),
        DataType::LargeList(_) => list(ctx, path, picks, a.as_list::<i64>()),
        DataType::FixedSizeList(_, n) => {
            let l = a.as_fixed_size_list();
            let n = usize::try_from(*n).unwrap_or(0);
            let values: Picks = picks
                .iter()
                .filter(|&&(_, i)| l.is_valid(i))
                .flat_map(|&(row, i)| {
                    let start = l.value_offset_at(i);
                    (start..start + n).map(move |j| (row, j))
                })
                .collect();
            walk(ctx, l.values().as_ref(), &format!("{path}[]"), &values)
        }
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            let keys = d.normalized_keys();
            let values: Picks = picks
                .iter()
                .filter(|&&(_, i)| d.keys().is_valid(i))
                .filter_map(|&(row, i)| keys.get(i).map(|&k| (row, k)))
                .collect();
            walk(ctx, d.values().as_ref(), path, &values)
        }
        _ => match render::renderer(a) {
            Some(render) => rendered(ctx, path, picks, a, render),
            // Booleans, nulls, maps, intervals, durations, unions: nothing to scan.
            None => Ok(()),
        },
    }
}

/// The values of a list column: each value of each picked (non-null) list, with its row.
fn list<O: OffsetSizeTrait>(
    ctx: &mut Ctx,
    path: &str,
    picks: &[(u64, usize)],
    l: &arrow_array::GenericListArray<O>,
) -> Result<(), SourceError> {
    let offsets = l.value_offsets();
    let values: Picks = picks
        .iter()
        .filter(|&&(_, i)| l.is_valid(i))
        .flat_map(|&(row, i)| {
            (offsets[i].as_usize()..offsets[i + 1].as_usize()).map(move |j| (row, j))
        })
        .collect();
    walk(ctx, l.values().as_ref(), &format!("{path}[]"), &values)
}

/// The text values of a column. The field is declared at its first value, so a column
/// with none is not listed (as before, and as JSON paths are).
fn strings<'a>(
    ctx: &mut Ctx,
    path: &str,
    picks: &[(u64, usize)],
    a: &dyn Array,
    value: impl Fn(usize) -> &'a str,
) -> Result<(), SourceError> {
    let nulls = a.nulls();
    let mut field = None;
    for &(row, i) in picks {
        if nulls.is_some_and(|n| n.is_null(i)) {
            continue;
        }
        let text = value(i);
        if text.is_empty() {
            continue;
        }
        let id = *field.get_or_insert_with(|| ctx.field_id(path));
        ctx.push_column_value(row, id, text)?;
    }
    Ok(())
}

/// Binary values that are UTF-8 text; others are skipped, as before.
fn bytes<'a>(
    ctx: &mut Ctx,
    path: &str,
    picks: &[(u64, usize)],
    a: &dyn Array,
    value: impl Fn(usize) -> &'a [u8],
) -> Result<(), SourceError> {
    strings(ctx, path, picks, a, |i| {
        std::str::from_utf8(value(i)).unwrap_or("")
    })
}

/// Numbers, dates and times, written as text one value at a time.
fn rendered(
    ctx: &mut Ctx,
    path: &str,
    picks: &[(u64, usize)],
    a: &dyn Array,
    render: render::Render<'_>,
) -> Result<(), SourceError> {
    let nulls = a.nulls();
    let mut field = None;
    let mut text = String::new();
    for &(row, i) in picks {
        if nulls.is_some_and(|n| n.is_null(i)) {
            continue;
        }
        text.clear();
        render(i, &mut text);
        if text.is_empty() {
            continue;
        }
        let id = *field.get_or_insert_with(|| ctx.field_id(path));
        ctx.push_column_value(row, id, &text)?;
    }
    Ok(())
}

/// Which rows of the file are scanned, batch by batch, under the sampling plan: the
/// same rows the row-by-row reader chose (the same sampler, offered the same rows).
enum RowPlan {
    /// Every row (a first-rows plan is a limit on the reader).
    All,
    /// A percentage: decided row by row as the rows come.
    Each(Sampler<u64>),
    /// A fixed number of random rows: chosen from the row count in the metadata before
    /// reading (only their numbers are held), in row order.
    Chosen { rows: Vec<u64>, next: usize },
}

/// The most rows a file may claim for a fixed-size random sample: the rows are drawn
/// from the claimed count before reading, one random number each (some seconds for this
/// many); a forged count must not hold the scan for hours.
const MOST_ROWS_TO_DRAW_FROM: u64 = 1 << 32;

impl RowPlan {
    fn new(plan: Sample, rows: u64) -> Result<Self, SourceError> {
        Ok(match plan {
            Sample::Full | Sample::FirstRows(_) => RowPlan::All,
            Sample::Percent { .. } => RowPlan::Each(Sampler::new(plan)),
            Sample::RandomRows { .. } => {
                if rows > MOST_ROWS_TO_DRAW_FROM {
                    return Err(SourceError::Read(format!(
                        "the file claims {rows} rows: more than the {MOST_ROWS_TO_DRAW_FROM} \
                         hegui draws a random sample from (scan it with --sample-percent)"
                    )));
                }
                let mut s = Sampler::new(plan);
                for row in 1..=rows {
                    // A random plan holds rows and never stops early.
                    let _ = s.offer(row);
                }
                let mut rows = s.finish();
                rows.sort_unstable();
                RowPlan::Chosen { rows, next: 0 }
            }
        })
    }

    /// The rows to scan of a batch of `n` rows starting at row `first`, as picks.
    fn picks(&mut self, first: u64, n: usize) -> Picks {
        match self {
            RowPlan::All => (0..n).map(|i| (first + i as u64, i)).collect(),
            RowPlan::Each(s) => (0..n)
                .filter_map(|i| s.offer(first + i as u64).ok().flatten().map(|row| (row, i)))
                .collect(),
            RowPlan::Chosen { rows, next } => {
                let end = first + n as u64;
                let mut picks = Vec::new();
                while let Some(&row) = rows.get(*next).filter(|&&r| r < end) {
                    if row >= first {
                        picks.push((row, (row - first) as usize));
                    }
                    *next += 1;
                }
                picks
            }
        }
    }
}
