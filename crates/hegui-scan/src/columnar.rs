//! Columns in, the CSV path's findings out: [`ColumnScan`] takes string columns as plain
//! slices — Arrow's layout (offsets, data, validity bitmap, an offset into them), with no
//! Arrow dependency — and does per cell exactly what the CSV path does: the same cells
//! (nulls and empty strings are no cells), the same field cues from the column's name, the
//! same detection, likelihood filter, keys and statistics. So a Parquet reader, a Spark
//! task or any other columnar engine gets the report `hegui scan` would give for the same
//! rows (`tests/columnar.rs` holds it to that, cell for cell).
//!
//! A column may come in any number of chunks, in order: detection does not depend on
//! where batches start, and the distinct sets and sketches merge in any order.

use std::sync::Arc;

use crate::kind::Kind;
use crate::options::{Output, ScanError, ScanOptions};
use crate::pipeline::Ctx;
use crate::report::{source_report, ScanReport, SourceAcc, SourceMeta, SourceReport, Totals};

/// A key kept for a task's engine: field, kind, key.
pub(crate) type KeptKey = (u32, Kind, u64);

/// One source of string columns being scanned.
pub struct ColumnScan<'a> {
    ctx: Ctx<'a>,
    format: &'static str,
    /// The next row (1-based) of each column: its cells so far, nulls included.
    rows: Vec<u64>,
    bytes: u64,
}

/// Arrow's validity bitmap: bit `i` (least significant first) set when value `i` is there.
fn valid(bitmap: Option<&[u8]>, i: usize) -> bool {
    bitmap.is_none_or(|b| b.get(i >> 3).is_some_and(|byte| byte >> (i & 7) & 1 == 1))
}

impl<'a> ColumnScan<'a> {
    /// A source named `source` (a table, a file) in `format` (as reports name formats:
    /// `parquet`, `spark`, …), counting into `totals` and writing findings to `out`.
    pub(crate) fn new(
        source: &str,
        format: &'static str,
        opts: &'a ScanOptions,
        totals: &'a mut Totals,
        out: &'a mut dyn Output,
    ) -> Self {
        let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
        ColumnScan {
            ctx: Ctx::new(source.to_string(), opts, totals, out, read),
            format,
            rows: Vec::new(),
            bytes: 0,
        }
    }

    /// The id of column `name` (its cues come from the name, as a CSV header's do);
    /// declared in the order the report lists columns.
    pub fn column(&mut self, name: &str) -> u32 {
        let id = self.ctx.field_id(name);
        if self.rows.len() <= id as usize {
            self.rows.resize(id as usize + 1, 1);
        }
        id
    }

    /// The next `len` values of column `col` from an Arrow `Utf8` array: value `i` is
    /// `data[offsets[i]..offsets[i + 1]]` for `i` in `first..first + len`, present when its
    /// validity bit is set (no bitmap: all present).
    pub fn utf8(
        &mut self,
        col: u32,
        offsets: &[i32],
        data: &[u8],
        validity: Option<&[u8]>,
        first: usize,
        len: usize,
    ) -> Result<(), ScanError> {
        self.values(col, data, validity, (first, len), |i| {
            (offsets[i] as usize, offsets[i + 1] as usize)
        })
    }

    /// The same from an Arrow `LargeUtf8` array (64-bit offsets).
    pub fn large_utf8(
        &mut self,
        col: u32,
        offsets: &[i64],
        data: &[u8],
        validity: Option<&[u8]>,
        first: usize,
        len: usize,
    ) -> Result<(), ScanError> {
        self.values(col, data, validity, (first, len), |i| {
            (offsets[i] as usize, offsets[i + 1] as usize)
        })
    }

    fn values(
        &mut self,
        col: u32,
        data: &[u8],
        validity: Option<&[u8]>,
        (first, len): (usize, usize),
        range: impl Fn(usize) -> (usize, usize),
    ) -> Result<(), ScanError> {
        let c = col as usize;
        assert!(
            c < self.rows.len(),
            "column {col} was not declared with `column`"
        );
        for i in first..first + len {
            let row = self.rows[c];
            self.rows[c] += 1;
            if !valid(validity, i) {
                continue;
            }
            let (start, end) = range(i);
            let Some(bytes) = data.get(start..end) else {
                return Err(ScanError::Columns(format!(
                    "column {col}, value {i}: offsets {start}..{end} outside the data"
                )));
            };
            if bytes.is_empty() {
                continue;
            }
            self.bytes += bytes.len() as u64;
            // Arrow's strings are UTF-8; anything else is replaced, and counted as the
            // text readers count it.
            match std::str::from_utf8(bytes) {
                Ok(text) => self.ctx.push_column_value(row, col, text)?,
                Err(_) => {
                    self.ctx.acc.replaced += 1;
                    let text = String::from_utf8_lossy(bytes);
                    self.ctx.push_column_value(row, col, &text)?
                }
            }
        }
        Ok(())
    }

    /// Keeps the key of every unmasked hit for [`ColumnScan::into_parts`] (a task whose
    /// engine counts distinct values itself).
    pub(crate) fn keep_keys(&mut self) {
        self.ctx.keys = Some(Vec::new());
    }

    /// Every cell given is detected and counted: the source's statistics (with its rows
    /// and bytes) and the keys kept (`(field, kind, key)`, fields as in the statistics).
    pub(crate) fn into_parts(mut self) -> Result<(SourceAcc, Vec<KeptKey>), ScanError> {
        self.ctx.flush()?;
        let mut acc = std::mem::take(&mut self.ctx.acc);
        acc.records = self.rows.iter().map(|r| r - 1).max().unwrap_or(0);
        acc.bytes = self.bytes;
        Ok((acc, self.ctx.keys.take().unwrap_or_default()))
    }

    /// Every cell given is detected and counted: the source's report.
    pub(crate) fn finish(mut self) -> Result<SourceReport, ScanError> {
        self.ctx.flush()?;
        self.ctx.acc.records = self.rows.iter().map(|r| r - 1).max().unwrap_or(0);
        self.ctx.acc.bytes = self.bytes;
        let meta = SourceMeta {
            source: self.ctx.source.clone(),
            format: self.format,
            encoding: Some("utf-8"),
            compression: None,
            sampled: false,
            error: None,
        };
        let acc = std::mem::take(&mut self.ctx.acc);
        Ok(source_report(meta, &acc, self.ctx.opts.framework))
    }
}

/// Scans sources of columns as `scan` scans files: `feed` is given a [`ColumnScan`] maker
/// per source, and the report counts distinct people across all of them.
pub fn scan_columns(
    opts: &ScanOptions,
    out: &mut dyn Output,
    feed: impl FnOnce(&mut Sources<'_>) -> Result<(), ScanError>,
) -> Result<ScanReport, ScanError> {
    let mut totals = Totals::default();
    let sources = totals.with_counting_thread(|totals| {
        let mut s = Sources {
            opts,
            totals,
            out,
            done: Vec::new(),
        };
        feed(&mut s)?;
        Ok::<_, ScanError>(s.done)
    })?;
    Ok(crate::report::scan_report(
        (opts.framework, opts.min_likelihood, opts.sketches),
        sources,
        &totals,
    ))
}

/// The sources of a [`scan_columns`]: scan each with [`Sources::source`].
pub struct Sources<'a> {
    opts: &'a ScanOptions,
    totals: &'a mut Totals,
    out: &'a mut dyn Output,
    done: Vec<SourceReport>,
}

impl Sources<'_> {
    /// Scans one source: `f` feeds its columns.
    pub fn source(
        &mut self,
        name: &str,
        format: &'static str,
        f: impl FnOnce(&mut ColumnScan<'_>) -> Result<(), ScanError>,
    ) -> Result<(), ScanError> {
        let mut s = ColumnScan::new(name, format, self.opts, self.totals, self.out);
        f(&mut s)?;
        self.done.push(s.finish()?);
        Ok(())
    }
}
