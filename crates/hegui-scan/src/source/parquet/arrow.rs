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
use arrow_schema::{Field, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Encoding;
use parquet::file::metadata::ColumnChunkMetaData;

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
    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
        .map_err(|e| SourceError::Read(format!("not a readable Parquet file: {e}")))?;
    crate::source::limits::check_parquet(meta.metadata(), &ctx.opts.limits)
        .map_err(SourceError::Read)?;
    let meta = with_dictionaries(meta);
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta);
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

/// The reader's plan with the top-level text columns that are dictionary-encoded in every
/// row group read as Arrow dictionaries, so that [`repeated`] detects each of their values
/// once per batch instead of once per row. A column with any plain page (a writer falls
/// back to plain when a dictionary grows too big) is read as before: turning it into a
/// dictionary would cost more than it saves. When the reader refuses the plan, the file is
/// read as it was.
pub(super) fn with_dictionaries(meta: ArrowReaderMetadata) -> ArrowReaderMetadata {
    let md = meta.metadata();
    let descr = md.file_metadata().schema_descr();
    let fields = meta.schema().fields();
    let mut as_dictionary = vec![false; fields.len()];
    for (leaf, column) in descr.columns().iter().enumerate() {
        let top_level = column.path().parts().len() == 1;
        if top_level
            && !md.row_groups().is_empty()
            && md
                .row_groups()
                .iter()
                .all(|g| all_dictionary_encoded(g.column(leaf)))
        {
            if let Some(d) = as_dictionary.get_mut(descr.get_column_root_idx(leaf)) {
                *d = true;
            }
        }
    }
    if !as_dictionary.contains(&true) {
        return meta;
    }
    let fields: Vec<Field> = fields
        .iter()
        .zip(as_dictionary)
        .map(|(f, d)| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Binary | DataType::LargeBinary
                if d =>
            {
                let t = DataType::Dictionary(
                    Box::new(DataType::Int32),
                    Box::new(f.data_type().clone()),
                );
                f.as_ref().clone().with_data_type(t)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Schema::new_with_metadata(fields, meta.schema().metadata().clone());
    let options = ArrowReaderOptions::new().with_schema(std::sync::Arc::new(schema));
    ArrowReaderMetadata::try_new(std::sync::Arc::clone(md), options).unwrap_or(meta)
}

/// Whether every data page of a column chunk is dictionary-encoded (from the page
/// encoding statistics, which the metadata reader keeps as a mask; without them: no).
fn all_dictionary_encoded(c: &ColumnChunkMetaData) -> bool {
    c.dictionary_page_offset().is_some()
        && c.page_encoding_stats_mask().is_some_and(|m| {
            m.is_only(Encoding::PLAIN_DICTIONARY) || m.is_only(Encoding::RLE_DICTIONARY)
        })
}

/// Feeds the picked values of `a` (a column, or a part of one at `path`) to the scanner.
fn walk(
    ctx: &mut Ctx,
    a: &dyn Array,
    path: &str,
    picks: &[(u64, usize)],
) -> Result<(), SourceError> {
    if let Some(t) = Texts::of(a) {
        return strings(ctx, path, picks, a, |i| t.value(i));
    }
    match a.data_type() {
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
            if d.values().is_empty() {
                // No values: every key is null (and `normalized_keys` would panic).
                return Ok(());
            }
            let keys = d.normalized_keys();
            let values: Picks = picks
                .iter()
                .filter(|&&(_, i)| d.keys().is_valid(i))
                .filter_map(|&(row, i)| keys.get(i).map(|&k| (row, k)))
                .collect();
            match Texts::of(d.values().as_ref()) {
                Some(t) => repeated(ctx, path, values, d.values().as_ref(), &t),
                None => walk(ctx, d.values().as_ref(), path, &values),
            }
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

/// The values of a dictionary-encoded text column (`picks`: row and dictionary index):
/// each distinct value of the batch is detected once for all the rows holding it. On a
/// column of few values (a status, a city, a product) that is most of the detection saved.
fn repeated(
    ctx: &mut Ctx,
    path: &str,
    mut picks: Picks,
    values: &dyn Array,
    texts: &Texts<'_>,
) -> Result<(), SourceError> {
    by_value(&mut picks, values.len());
    let nulls = values.nulls();
    let mut field = None;
    let mut rows = Vec::new();
    for group in picks.chunk_by(|a, b| a.1 == b.1) {
        let k = group[0].1;
        if nulls.is_some_and(|n| n.is_null(k)) {
            continue;
        }
        let text = texts.value(k);
        if text.is_empty() {
            continue;
        }
        rows.clear();
        rows.extend(group.iter().map(|&(row, _)| row));
        let id = *field.get_or_insert_with(|| ctx.field_id(path));
        ctx.push_repeated(&rows, id, text)?;
    }
    Ok(())
}

/// Orders `picks` by dictionary index, each index's rows in row order: a counting sort
/// when the dictionary is not much larger than the batch (the common case, and linear),
/// a comparison sort otherwise.
fn by_value(picks: &mut Picks, dictionary_len: usize) {
    if dictionary_len > 4 * picks.len() {
        picks.sort_unstable_by_key(|&(row, k)| (k, row));
        return;
    }
    let mut starts = vec![0usize; dictionary_len + 1];
    for &(_, k) in picks.iter() {
        starts[k + 1] += 1;
    }
    for k in 0..dictionary_len {
        starts[k + 1] += starts[k];
    }
    let mut sorted = vec![(0, 0); picks.len()];
    for &(row, k) in picks.iter() {
        sorted[starts[k]] = (row, k);
        starts[k] += 1;
    }
    *picks = sorted;
}

/// An array whose values are read as text: strings, and binary values that are UTF-8
/// (others read as empty, so skipped, as before).
enum Texts<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    Binary(&'a arrow_array::BinaryArray),
    LargeBinary(&'a arrow_array::LargeBinaryArray),
    BinaryView(&'a arrow_array::BinaryViewArray),
    FixedSizeBinary(&'a arrow_array::FixedSizeBinaryArray),
}

impl<'a> Texts<'a> {
    fn of(a: &'a dyn Array) -> Option<Self> {
        Some(match a.data_type() {
            DataType::Utf8 => Texts::Utf8(a.as_string()),
            DataType::LargeUtf8 => Texts::LargeUtf8(a.as_string()),
            DataType::Utf8View => Texts::Utf8View(a.as_string_view()),
            DataType::Binary => Texts::Binary(a.as_binary()),
            DataType::LargeBinary => Texts::LargeBinary(a.as_binary()),
            DataType::BinaryView => Texts::BinaryView(a.as_binary_view()),
            DataType::FixedSizeBinary(_) => Texts::FixedSizeBinary(a.as_fixed_size_binary()),
            _ => return None,
        })
    }

    /// Value `i` (not null) as text.
    #[inline(always)]
    fn value(&self, i: usize) -> &'a str {
        let utf8 = |b: &'a [u8]| std::str::from_utf8(b).unwrap_or("");
        match self {
            Texts::Utf8(s) => s.value(i),
            Texts::LargeUtf8(s) => s.value(i),
            Texts::Utf8View(s) => s.value(i),
            Texts::Binary(b) => utf8(b.value(i)),
            Texts::LargeBinary(b) => utf8(b.value(i)),
            Texts::BinaryView(b) => utf8(b.value(i)),
            Texts::FixedSizeBinary(b) => utf8(b.value(i)),
        }
    }
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
