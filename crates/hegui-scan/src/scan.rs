//! Running a scan: find the files, read each as records (lines, rows, JSON fields), detect
//! in parallel batches, and merge results in order so findings stream out with their rows.
//!
//! Reading is streaming: memory is bounded by the batches in flight, not by file size. A
//! source that cannot be read (binary, truncated gzip, broken JSON) is reported with its
//! error and the scan goes on.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use globset::{Glob, GlobSet, GlobSetBuilder};
use hegui_core::law::Framework;
use jiff::civil::Date;

use crate::context::field_cues;
use crate::detect::{detect_cells, Cell, Hit, Options};
use crate::kind::Likelihood;
use crate::report::{
    source_report, totals_report, Finding, ScanReport, SourceAcc, SourceMeta, Totals,
};
use crate::rng::Rng;
use crate::source::db::{redact, Backend, Db, Table};
use crate::source::decode::{looks_binary, strip_bom, Encoding};

/// Which rows of a structured source are scanned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// Every row (needed for head-counts).
    Full,
    /// The first N rows.
    FirstRows(u64),
    /// N rows chosen at random (reservoir sampling, seeded).
    RandomRows { rows: u64, seed: u64 },
    /// Each row with this probability (0–100 %), seeded.
    Percent { percent: f64, seed: u64 },
}

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Birth dates after this day are impossible.
    pub today: Date,
    /// Hits below this likelihood are not reported or counted.
    pub min_likelihood: Likelihood,
    /// Sampling of structured sources; text is always read in full.
    pub sample: Sample,
    /// Globs a file under a directory must match (all files when empty).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub framework: Framework,
    /// Put raw values into findings.
    pub show_values: bool,
    /// Text per batch handed to a worker.
    pub batch_bytes: usize,
    /// Database tables to scan (`name` or `schema.name`); all tables of the schema when empty.
    pub tables: Vec<String>,
    /// Database schema (PostgreSQL default `public`; MySQL default the URL's database).
    pub schema: Option<String>,
    /// The kinds to detect (all by default).
    pub kinds: crate::kind::KindSet,
    /// Put HyperLogLog sketches into the report, for merging with other partitions.
    pub sketches: bool,
    /// Bounds on what a hostile source can make the scanner read or hold.
    pub limits: crate::source::limits::Limits,
}

impl ScanOptions {
    pub fn new(today: Date) -> ScanOptions {
        ScanOptions {
            today,
            min_likelihood: Likelihood::Possible,
            sample: Sample::FirstRows(1000),
            include: Vec::new(),
            exclude: Vec::new(),
            framework: Framework::Gb45574,
            show_values: false,
            batch_bytes: 1 << 20,
            tables: Vec::new(),
            schema: None,
            kinds: crate::kind::KindSet::ALL,
            sketches: false,
            limits: crate::source::limits::Limits::default(),
        }
    }
}

/// Where findings and progress go.
pub trait Output {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()>;
    /// An output that only counts findings (a summary) says so: it is then told how many
    /// each cell or line had ([`Output::counted`]) instead of being given each one.
    fn counts_only(&self) -> bool {
        false
    }
    /// `n` more findings, for an output that [counts only](Output::counts_only).
    fn counted(&mut self, _n: u64) {}
    /// Called after each batch: the source and the bytes of it read so far.
    fn progress(&mut self, _source: &str, _bytes: u64) {}
}

/// Errors that stop a scan (problems with one source do not).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}: no such file or directory")]
    NotFound(String),
    #[error("bad glob {0:?}: {1}")]
    Glob(String, String),
    #[error("writing findings: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}: {1}")]
    File(String, std::io::Error),
    /// A single line or cell longer than a batch can hold.
    #[error("a line or cell of {0} bytes: longer than hegui scans (4 GiB)")]
    TooLong(usize),
    /// A detector failed on some input: a bug in hegui. The source it was reading is
    /// reported with this error (and what was found before it); the scan goes on.
    #[error("a detector failed on this input (a bug in hegui; please report it): {0}")]
    Detector(String),
}

/// The files a scan covers, in a stable order.
pub fn discover(paths: &[PathBuf], opts: &ScanOptions) -> Result<Vec<PathBuf>, ScanError> {
    let set = |globs: &[String]| -> Result<Option<GlobSet>, ScanError> {
        if globs.is_empty() {
            return Ok(None);
        }
        let mut b = GlobSetBuilder::new();
        for g in globs {
            b.add(Glob::new(g).map_err(|e| ScanError::Glob(g.clone(), e.to_string()))?);
        }
        b.build()
            .map(Some)
            .map_err(|e| ScanError::Glob(globs.join(" "), e.to_string()))
    };
    let include = set(&opts.include)?;
    let exclude = set(&opts.exclude)?;
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            if !exclude.as_ref().is_some_and(|x| x.is_match(p)) {
                out.push(p.clone());
            }
            continue;
        }
        if !p.is_dir() {
            return Err(ScanError::NotFound(p.display().to_string()));
        }
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(p)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|f| {
                let rel = f.strip_prefix(p).unwrap_or(f);
                include
                    .as_ref()
                    .is_none_or(|s| s.is_match(rel) || s.is_match(f))
                    && !exclude
                        .as_ref()
                        .is_some_and(|s| s.is_match(rel) || s.is_match(f))
            })
            .collect();
        files.sort();
        out.extend(files);
    }
    Ok(out)
}

/// Scans files, directories and database URLs (`postgres://…`, `mysql://…`,
/// `sqlite://…`), streaming findings to `out`.
pub fn scan(
    targets: &[PathBuf],
    opts: &ScanOptions,
    out: &mut dyn Output,
) -> Result<ScanReport, ScanError> {
    let mut totals = Totals::default();
    let (urls, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = targets.iter().partition(|t| {
        t.to_str().and_then(Backend::of).is_some() && t.to_string_lossy().contains(':')
    });
    let files = discover(&paths.into_iter().cloned().collect::<Vec<_>>(), opts)?;
    let sources = totals.with_counting_thread(|totals| {
        let mut sources = Vec::new();
        for f in &files {
            if Format::of(f).0 == Format::Sqlite {
                let url = format!("sqlite://{}", f.display());
                sources.extend(scan_database(
                    &url,
                    &f.display().to_string(),
                    opts,
                    totals,
                    out,
                )?);
            } else {
                sources.push(scan_file(f, opts, totals, out)?);
            }
        }
        for u in &urls {
            let url = u.to_string_lossy();
            sources.extend(scan_database(&url, &redact(&url), opts, totals, out)?);
        }
        Ok::<_, ScanError>(sources)
    })?;
    let complete = sources.iter().all(|s| !s.sampled);
    let (totals_r, estimate) = totals_report(&totals, opts.framework, complete);
    Ok(ScanReport {
        tool: "hegui",
        version: env!("CARGO_PKG_VERSION"),
        framework: opts.framework.name(),
        min_likelihood: opts.min_likelihood.id(),
        sources,
        totals: totals_r,
        estimate,
        sketches: opts.sketches.then(|| crate::report::sketches(&totals)),
    })
}

/// Every table of a database (or the listed ones), one source each. A database that cannot
/// be opened, or a table that cannot be read, is reported and the scan goes on.
fn scan_database(
    url: &str,
    name: &str,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<Vec<crate::report::SourceReport>, ScanError> {
    let failed = |error: String| {
        let meta = SourceMeta {
            source: name.to_string(),
            format: "database",
            encoding: None,
            compression: None,
            sampled: false,
            error: Some(error),
        };
        vec![source_report(meta, &SourceAcc::default(), opts.framework)]
    };
    let db = match crate::source::db::connect(url) {
        Ok(db) => db,
        Err(e) => return Ok(failed(e)),
    };
    let tables = match db.tables(opts.schema.as_deref(), &opts.tables) {
        Ok(t) => t,
        Err(e) => return Ok(failed(e)),
    };
    let mut reports = Vec::new();
    for t in &tables {
        reports.push(scan_table(&db, t, name, opts, totals, out)?);
    }
    Ok(reports)
}

fn scan_table(
    db: &Db,
    t: &Table,
    name: &str,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<crate::report::SourceReport, ScanError> {
    let mut meta = SourceMeta {
        source: format!("{name}#{}", t.qualified()),
        format: match db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
            Backend::Mysql => "mysql",
        },
        encoding: None,
        compression: None,
        sampled: opts.sample != Sample::Full,
        error: None,
    };
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut ctx = Ctx::new(meta.source.clone(), opts, totals, out, read);
    let ids: Vec<u32> = t.columns.iter().map(|c| ctx.field_id(c)).collect();
    // A random sample is drawn by the server in a seeded order (`Db::select`), or, where
    // SQL has no hash (SQLite files, local), from the rows as they are read, as a file's.
    let seeded = |seed| (db.backend != Backend::Sqlite).then_some(seed);
    let (limit, seed, plan) = match opts.sample {
        Sample::Full => (None, None, Sample::Full),
        Sample::FirstRows(n) => (Some(n), None, Sample::Full),
        Sample::RandomRows { rows, seed } => match seeded(seed) {
            Some(seed) => (Some(rows), Some(seed), Sample::Full),
            None => (None, None, opts.sample),
        },
        Sample::Percent { percent, seed } => match seeded(seed) {
            Some(seed) => {
                let count = db.count(t).unwrap_or(0);
                let rows = ((count as f64) * percent / 100.0).ceil() as u64;
                (Some(rows), Some(seed), Sample::Full)
            }
            None => (None, None, opts.sample),
        },
    };
    let sql = db.select(t, limit, seed);
    let result: Result<(), SourceError> = db.rt.block_on(async {
        use futures_util::TryStreamExt;
        use sqlx::Row;
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let mut rows = q.fetch(&db.pool);
        let mut sampler = Sampler::new(plan);
        let mut n = 0u64;
        let mut scan_row = |n: u64, values: Vec<Option<String>>| {
            ctx.acc.records += 1;
            for (v, id) in values.iter().zip(&ids) {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    ctx.push(n, *id, v)?;
                }
            }
            Ok::<(), SourceError>(())
        };
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(|e| SourceError::Read(format!("reading {}: {e}", t.qualified())))?
        {
            n += 1;
            let values = (0..ids.len())
                .map(|i| row.try_get::<Option<String>, _>(i).ok().flatten())
                .collect();
            if let Some((n, values)) = sampler.offer((n, values)).unwrap_or(None) {
                scan_row(n, values)?;
            }
        }
        let mut rest = sampler.finish();
        rest.sort_by_key(|(n, _)| *n);
        for (n, values) in rest {
            scan_row(n, values)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        match e {
            SourceError::Output(e) => return Err(ScanError::Output(e)),
            other => meta.error = Some(other.to_string()),
        }
    }
    if !t.skipped.is_empty() && meta.error.is_none() {
        meta.error = Some(format!(
            "binary columns not scanned: {}",
            t.skipped.join(", ")
        ));
    }
    match ctx.flush() {
        Ok(()) => {}
        Err(ScanError::Output(e)) => return Err(ScanError::Output(e)),
        Err(e) => {
            meta.error.get_or_insert(e.to_string());
        }
    }
    let acc = std::mem::take(&mut ctx.acc);
    Ok(source_report(meta, &acc, opts.framework))
}

/// The format of a file, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Tsv,
    Jsonl,
    Json,
    /// Excel and OpenDocument workbooks: each sheet is a table, its first row the header.
    Workbook,
    /// SQLite database files: each table a source.
    Sqlite,
    /// Parquet files: rows, nested fields as paths (cargo feature `parquet`, on by default).
    Parquet,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Workbook => "xlsx",
            Format::Sqlite => "sqlite",
            Format::Parquet => "parquet",
        }
    }

    /// (format, gzip) from the file name.
    pub fn of(path: &Path) -> (Format, bool) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let (inner, gz) = match name.strip_suffix(".gz") {
            Some(s) => (s.to_string(), true),
            None => (name, false),
        };
        let ext = inner.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let f = match ext {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "jsonl" | "ndjson" => Format::Jsonl,
            "json" => Format::Json,
            "xlsx" | "xlsm" | "xls" | "ods" => Format::Workbook,
            "db" | "sqlite" | "sqlite3" => Format::Sqlite,
            "parquet" | "parq" => Format::Parquet,
            _ => Format::Text,
        };
        (f, gz)
    }
}

/// Where units of a batch come from, in unit order: the cells of one record share one
/// origin; a block of text lines has its own. Only the merge reads origins, and only for
/// units with hits.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// The cells of data row `row` (1-based), from unit `first` on.
    Record { first: u32, row: u64 },
    /// Unit `unit`: a block of whole text lines from line `line`, `cells` of them not
    /// empty. A block whose lines are all empty counts as one line, read as a line.
    Lines { unit: u32, line: u64, cells: u32 },
}

impl Origin {
    /// The first unit it covers.
    fn first(&self) -> u32 {
        match *self {
            Origin::Record { first, .. } => first,
            Origin::Lines { unit, .. } => unit,
        }
    }
}

/// Units to detect together and what was found in them. A unit (a cell, or a block of
/// lines) is a [`Cell`] of `text`: its range and its field, 12 bytes, which detection reads
/// as it is (a batch of short CSV cells holds some 60,000). Every buffer is kept when the
/// batch is recycled, so a scan does not allocate per batch.
#[derive(Default)]
struct Batch {
    text: String,
    cells: Vec<Cell>,
    origins: Vec<Origin>,
    /// What detection found: the hits (offsets within their unit) in unit order, the units
    /// with hits with where their hits end, and the units (lines) scanned per field. The
    /// merge only visits units with hits: counting cells per field is the workers' job.
    hits: Vec<Hit>,
    with_hits: Vec<(u32, usize)>,
    counts: Vec<u64>,
}

impl Batch {
    fn text(&self, c: &Cell) -> &str {
        &self.text[c.start as usize..c.end as usize]
    }

    /// Empties it for reuse, keeping its buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.origins.clear();
        self.hits.clear();
        self.with_hits.clear();
        self.counts.clear();
    }
}

/// The longest text a batch holds: units are `u32` offsets into it.
const BATCH_TEXT_MAX: usize = u32::MAX as usize;

/// Counts bytes read from the underlying file (for progress and the report).
struct Counting<R> {
    inner: R,
    n: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n
            .fetch_add(k as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(k)
    }
}

struct Ctx<'a> {
    source: String,
    opts: &'a ScanOptions,
    acc: SourceAcc,
    totals: &'a mut Totals,
    out: &'a mut dyn Output,
    read: Arc<std::sync::atomic::AtomicU64>,
    batch: Batch,
    /// Emptied batches, reused.
    spare: Vec<Batch>,
    /// The batches being detected on the pool while the reader fills the next ones, oldest
    /// first: they are merged in this order.
    in_flight: std::collections::VecDeque<std::sync::mpsc::Receiver<Detected>>,
    /// How many batches may be in flight before the reader waits for the oldest.
    ahead: usize,
    /// Field names by id, and the ids of JSON paths seen so far.
    fields: Vec<Arc<str>>,
    /// The detection options of each field, by id: what its name says (kinds it supports,
    /// order/serial number) and the scan's settings. Shared with the detecting workers;
    /// replaced (not mutated) when a field is added.
    options: Arc<Vec<Options>>,
    field_ids: std::collections::HashMap<Arc<str>, u32>,
    /// A detector failed: nothing more of this source is detected or reported.
    failed: bool,
    /// The output only counts findings: none is built.
    counts_only: bool,
}

/// A batch with what was detected in it (or why detection failed).
type Detected = (Batch, Result<(), String>);

/// How many batches the reader may have in flight before it waits for the oldest: enough
/// to keep every worker busy while it reads. A reader that is the pool's only thread (a
/// one-core scan) detects each batch as soon as it is full, while its text is in cache.
fn batches_ahead() -> usize {
    let threads = rayon::current_num_threads();
    if threads == 1 && rayon::current_thread_index().is_some() {
        0
    } else {
        2 * threads
    }
}

impl<'a> Ctx<'a> {
    /// A source's reading state, before anything is read.
    fn new(
        source: String,
        opts: &'a ScanOptions,
        totals: &'a mut Totals,
        out: &'a mut dyn Output,
        read: Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        let counts_only = out.counts_only();
        Ctx {
            source,
            opts,
            acc: SourceAcc::default(),
            totals,
            out,
            read,
            batch: Batch::default(),
            spare: Vec::new(),
            in_flight: std::collections::VecDeque::new(),
            ahead: batches_ahead(),
            fields: Vec::new(),
            options: Arc::new(Vec::new()),
            field_ids: std::collections::HashMap::new(),
            failed: false,
            counts_only,
        }
    }

    /// The id of a field, registering it when new.
    fn field_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.field_ids.get(name) {
            return id;
        }
        let id = self.fields.len() as u32;
        let name: Arc<str> = Arc::from(name);
        // Copied only while a batch in flight still shares the old list.
        let (field_kinds, field_negative) = field_cues(&name);
        Arc::make_mut(&mut self.options).push(Options {
            today: self.opts.today,
            field_kinds,
            field_negative,
            kinds: self.opts.kinds,
        });
        self.fields.push(name.clone());
        self.field_ids.insert(name.clone(), id);
        self.acc.declare(id as usize, &name);
        id
    }

    /// Queues one cell of data row `row` (1-based).
    fn push(&mut self, row: u64, field: u32, text: &str) -> Result<(), ScanError> {
        self.push_unit(Origin::Record { first: 0, row }, field, text)
    }

    /// Queues the non-empty cells of one record of valid UTF-8 text cut at an ASCII
    /// delimiter, laid out as [`Ctx::push`] lays out each cell: one call per record, not
    /// per cell. Cells past the header get numbered columns.
    fn push_record(
        &mut self,
        row: u64,
        record: &str,
        delim: u8,
        columns: &mut Vec<u32>,
    ) -> Result<(), ScanError> {
        debug_assert!(
            delim.is_ascii(),
            "cells of a text are cut on character boundaries"
        );
        self.room(record.len())?;
        self.origin(Origin::Record {
            first: self.batch.cells.len() as u32,
            row,
        });
        // The record is copied whole and its delimiters become line breaks: each cell is
        // then followed by a line break, as `push` lays cells out, in one copy instead of
        // one per cell. An empty cell leaves an empty line, which holds nothing to detect
        // and is no unit.
        let base = self.batch.text.len();
        self.batch.text.push_str(record);
        self.batch.text.push('\n');
        let mut start = 0;
        for (i, end) in delimiters(record.as_bytes(), delim).enumerate() {
            if end < record.len() {
                // SAFETY: an ASCII byte becomes another ASCII byte: the text stays UTF-8.
                unsafe { self.batch.text.as_mut_vec()[base + end] = b'\n' };
            }
            if end > start {
                let options = self.column(columns, i);
                // In range: `room` keeps the batch's text within `BATCH_TEXT_MAX`.
                self.batch.cells.push(Cell {
                    start: (base + start) as u32,
                    end: (base + end) as u32,
                    options,
                });
            }
            start = end + 1;
        }
        self.full()
    }

    /// The field of column `i` (0-based) of a record: rows longer than the header get
    /// numbered columns.
    #[inline]
    fn column(&mut self, columns: &mut Vec<u32>, i: usize) -> u32 {
        match columns.get(i) {
            Some(&id) => id,
            None => self.numbered_column(columns, i),
        }
    }

    /// Numbers the columns up to `i` of a row longer than the header (rare).
    #[cold]
    fn numbered_column(&mut self, columns: &mut Vec<u32>, i: usize) -> u32 {
        while columns.len() <= i {
            let id = self.field_id(&format!("column {}", columns.len() + 1));
            columns.push(id);
        }
        columns[i]
    }

    /// Makes room in the batch for `len` more bytes of text (and a line break), from the
    /// recycled buffers when there are any. A batch's text stays within
    /// `BATCH_TEXT_MAX`: a batch that cannot take the text is queued first, and a text
    /// that no batch can hold is an error.
    fn room(&mut self, len: usize) -> Result<(), ScanError> {
        if len >= BATCH_TEXT_MAX {
            return Err(ScanError::TooLong(len));
        }
        if self.batch.text.len() + len >= BATCH_TEXT_MAX {
            self.queue()?;
        }
        if self.batch.text.capacity() == 0 {
            // A whole batch's room at once, from the recycled buffers when there are any:
            // growing each batch from empty and freeing it fragments the heap, and the
            // process would grow with the input.
            self.batch = self.spare.pop().unwrap_or_else(|| Batch {
                text: String::with_capacity(self.opts.batch_bytes + (64 << 10)),
                cells: Vec::with_capacity(self.opts.batch_bytes / 32),
                ..Batch::default()
            });
        }
        Ok(())
    }

    /// Records where the next units come from (a record's cells share one origin).
    fn origin(&mut self, o: Origin) {
        let origins = &mut self.batch.origins;
        match (origins.last(), o) {
            (Some(Origin::Record { row: last, .. }), Origin::Record { row, .. })
                if *last == row => {}
            _ => origins.push(o),
        }
    }

    fn push_unit(&mut self, origin: Origin, field: u32, text: &str) -> Result<(), ScanError> {
        self.room(text.len())?;
        // The origin names the unit about to be pushed (the batch may be a new one).
        self.origin(match origin {
            Origin::Record { row, .. } => Origin::Record {
                first: self.batch.cells.len() as u32,
                row,
            },
            Origin::Lines { line, cells, .. } => Origin::Lines {
                unit: self.batch.cells.len() as u32,
                line,
                cells,
            },
        });
        let b = &mut self.batch;
        let start = b.text.len();
        b.text.push_str(text);
        // In range: `room` keeps the batch's text within `BATCH_TEXT_MAX`.
        b.cells.push(Cell {
            start: start as u32,
            end: b.text.len() as u32,
            options: field,
        });
        // Units are detected together, one line each (see `detect_cells`).
        b.text.push('\n');
        self.full()
    }

    /// Starts detecting the batch when it is full.
    fn full(&mut self) -> Result<(), ScanError> {
        let b = &self.batch;
        if b.text.len() + 16 * b.cells.len() >= self.opts.batch_bytes {
            self.queue()?;
        }
        Ok(())
    }

    /// Starts detecting the batch on the pool, merges the batches before it that are done
    /// (in order), and waits for the oldest when too many are in flight: reading,
    /// detecting and merging overlap, and the workers are never without a batch while the
    /// reader is ahead.
    fn queue(&mut self) -> Result<(), ScanError> {
        if self.batch.cells.is_empty() {
            return Ok(());
        }
        let mut batch = std::mem::take(&mut self.batch);
        if self.failed {
            return Ok(());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let options = Arc::clone(&self.options);
        let min_likelihood = self.opts.min_likelihood;
        rayon::spawn(move || {
            // A panic in a detector fails this source, not the whole scan.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                detect_batch(&mut batch, &options, min_likelihood)
            }))
            .map_err(|p| panic_message(&*p));
            // The receiver is gone only when the scan stopped early; nothing to do.
            let _ = tx.send((batch, result));
        });
        self.in_flight.push_back(rx);
        while let Some(done) = self.in_flight.front().and_then(|rx| rx.try_recv().ok()) {
            self.in_flight.pop_front();
            self.merge(done)?;
        }
        while self.in_flight.len() > self.ahead {
            let rx = self.in_flight.pop_front().expect("batches in flight");
            self.merge(wait(&rx))?;
        }
        Ok(())
    }

    /// Queues a block of text lines (`text` holds whole lines, each ending in '\n';
    /// `cells` of them are not empty) as one unit: one detection call for many lines.
    /// Findings are mapped back to their lines when merged.
    fn push_block(&mut self, first_line: u64, cells: u32, text: &str) -> Result<(), ScanError> {
        let field = self.field_id("");
        let origin = Origin::Lines {
            unit: 0,
            line: first_line,
            cells,
        };
        self.push_unit(origin, field, text)
    }

    /// Detects what is still queued and merges everything in flight.
    fn flush(&mut self) -> Result<(), ScanError> {
        self.queue()?;
        while let Some(rx) = self.in_flight.pop_front() {
            self.merge(wait(&rx))?;
        }
        Ok(())
    }

    /// Writes the findings of one line or cell (`base`: where it starts in `text`).
    fn emit(
        &mut self,
        row: Option<u64>,
        line: Option<u64>,
        field: u32,
        base: usize,
        text: &str,
        hs: &[Hit],
    ) -> Result<(), ScanError> {
        if self.counts_only {
            self.out.counted(hs.len() as u64);
            return Ok(());
        }
        for h in hs {
            let f = Finding {
                source: &self.source,
                kind: h.kind.id(),
                row,
                column: row.map(|_| &*self.fields[field as usize]),
                line,
                start: h.start - base,
                end: h.end - base,
                likelihood: h.likelihood.id(),
                masked: h.masked,
                value: self.opts.show_values.then(|| &text[h.start..h.end]),
            };
            self.out.finding(&f)?;
        }
        Ok(())
    }

    /// Merges a block of lines: its hits (in text order) are grouped by the line they are
    /// on, each line counts as one cell, and offsets become offsets within the line.
    fn merge_block(
        &mut self,
        text: &str,
        field: u32,
        first: u64,
        hs: &[Hit],
    ) -> Result<(), ScanError> {
        let bytes = text.as_bytes();
        let mut line = first;
        let mut line_start = 0;
        let mut i = 0;
        while i < hs.len() {
            // Move to the line holding the next hit.
            let at = hs[i].start;
            let gap = &bytes[line_start..at];
            line += memchr::memchr_iter(b'\n', gap).count() as u64;
            if let Some(p) = memchr::memrchr(b'\n', gap) {
                line_start += p + 1;
            }
            let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
            let n = hs[i..].iter().take_while(|h| h.start < line_end).count();
            let on_line = &hs[i..i + n];
            self.acc.hits(field as usize, on_line, self.totals);
            self.emit(None, Some(line), field, line_start, text, on_line)?;
            i += n;
        }
        Ok(())
    }

    /// Folds one detected batch into the source's statistics and writes its findings.
    fn merge_batch(&mut self, batch: &Batch) -> Result<(), ScanError> {
        for (field, &n) in batch.counts.iter().enumerate() {
            if n > 0 {
                self.acc.cells(field, n);
            }
        }
        // Most cells hold nothing: only those with hits are visited, and their origins
        // (both in unit order) found by a cursor.
        let mut from = 0;
        let mut o = 0;
        for &(unit, to) in &batch.with_hits {
            let c = &batch.cells[unit as usize];
            let hs = &batch.hits[from..to];
            from = to;
            while batch.origins.get(o + 1).is_some_and(|n| n.first() <= unit) {
                o += 1;
            }
            match batch.origins[o] {
                Origin::Lines { line, cells, .. } if cells > 0 => {
                    self.merge_block(batch.text(c), c.options, line, hs)?
                }
                Origin::Lines { line, .. } => {
                    self.acc.hits(c.options as usize, hs, self.totals);
                    self.emit(None, Some(line), c.options, 0, batch.text(c), hs)?;
                }
                Origin::Record { row, .. } => {
                    self.acc.hits(c.options as usize, hs, self.totals);
                    self.emit(Some(row), None, c.options, 0, batch.text(c), hs)?;
                }
            }
        }
        Ok(())
    }

    /// Folds a detected batch into the source's statistics and writes its findings.
    fn merge(&mut self, (mut batch, result): Detected) -> Result<(), ScanError> {
        if let Err(e) = result {
            // Findings after the failure are dropped too, so none are out of order.
            self.failed = true;
            self.in_flight.clear();
            return Err(ScanError::Detector(e));
        }
        self.merge_batch(&batch)?;
        self.totals.send_keys();
        // Keep the buffers for the next batches.
        batch.clear();
        self.spare.push(batch);
        let read = self.read.load(std::sync::atomic::Ordering::Relaxed);
        self.out.progress(&self.source, read);
        Ok(())
    }
}

/// What a panic said (its message, when it is text).
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Waits for a batch being detected. A reader that is itself a worker of the pool
/// (a scan run inside `ThreadPool::install`, as the benchmark does) works on the pool's
/// jobs while it waits, so a one-thread pool cannot deadlock.
fn wait(rx: &std::sync::mpsc::Receiver<Detected>) -> Detected {
    loop {
        match rx.try_recv() {
            Ok(d) => return d,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                panic!("a detection worker panicked")
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => {}
                // A worker with nothing to help with now: wait a little, then look again
                // (the detecting job may split off work this thread can take).
                Some(rayon::Yield::Idle) => {
                    if let Ok(d) = rx.recv_timeout(std::time::Duration::from_millis(1)) {
                        return d;
                    }
                }
                // Not a pool worker: block until the pool is done.
                None => return rx.recv().expect("a detection worker panicked"),
            },
        }
    }
}

/// Detects in one batch, writing what it finds into the batch. The units are detected
/// together (each is a line of the batch's text), with offsets made relative to each unit.
fn detect_batch(batch: &mut Batch, options: &[Options], min_likelihood: Likelihood) {
    #[cfg(test)]
    if batch.text.contains(tests::PANIC_CELL) {
        panic!("injected for a test");
    }
    // Each worker keeps its buffers from batch to batch: grown once, not per batch.
    thread_local! {
        static SCRATCH: std::cell::RefCell<crate::detect::Scratch> = Default::default();
    }
    let Batch {
        text,
        cells,
        origins,
        hits,
        with_hits,
        counts,
    } = batch;
    SCRATCH.with_borrow_mut(|scratch| detect_cells(text.as_bytes(), cells, options, scratch, hits));
    hits.retain(|h| h.masked || h.likelihood >= min_likelihood);
    // A block counts its lines that are not empty; a line or cell counts once.
    counts.resize(options.len(), 0);
    for c in cells.iter() {
        counts[c.options as usize] += 1;
    }
    for o in origins.iter() {
        if let Origin::Lines { unit, cells: n, .. } = *o {
            counts[cells[unit as usize].options as usize] += u64::from(n.saturating_sub(1));
        }
    }
    let mut i = 0;
    let mut unit = 0;
    while i < hits.len() {
        // Hits are in text order, and so are the units: find the unit of the next hit.
        while cells[unit].end as usize <= hits[i].start {
            unit += 1;
        }
        let c = &cells[unit];
        let (start, end) = (c.start as usize, c.end as usize);
        while i < hits.len() && hits[i].start < end {
            hits[i].start -= start;
            hits[i].end -= start;
            i += 1;
        }
        with_hits.push((unit as u32, i));
        unit += 1;
    }
}

fn scan_file(
    path: &Path,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<crate::report::SourceReport, ScanError> {
    let (format, gz) = Format::of(path);
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut meta = SourceMeta {
        source: path.display().to_string(),
        format: format.name(),
        encoding: None,
        compression: gz.then_some("gzip"),
        sampled: false,
        error: None,
    };
    let mut ctx = Ctx::new(meta.source.clone(), opts, totals, out, read.clone());
    let result = (|| -> Result<(), SourceError> {
        if format == Format::Workbook {
            meta.sampled = opts.sample != Sample::Full;
            meta.encoding = None;
            crate::source::limits::check_zip(path, &opts.limits).map_err(SourceError::Read)?;
            return guarded("workbook", || workbook(path, &mut ctx));
        }
        if format == Format::Parquet {
            meta.sampled = opts.sample != Sample::Full;
            return guarded("Parquet", || parquet_rows(path, &mut ctx));
        }
        let file = File::open(path).map_err(|e| SourceError::Read(e.to_string()))?;
        let counting = Counting {
            inner: file,
            n: read.clone(),
        };
        use crate::source::limits::{CsvGuard, LineGuard, RatioGuard, SizeGuard};
        let l = &opts.limits;
        let raw: Box<dyn Read> = if gz {
            Box::new(RatioGuard::new(
                MultiGzDecoder::new(counting),
                read.clone(),
                l,
            ))
        } else {
            Box::new(counting)
        };
        // A whole JSON document is held to be walked: bounded by size. Every other text
        // format is read a record at a time: bounded by the record.
        let raw: Box<dyn Read> = match format {
            Format::Json => Box::new(SizeGuard::new(
                raw,
                l.json_doc,
                "a JSON document (not JSON Lines)",
            )),
            Format::Csv | Format::Tsv => Box::new(CsvGuard::new(raw, l.max_line)),
            _ => Box::new(LineGuard::new(raw, l.max_line)),
        };
        let mut reader = BufReader::with_capacity(1 << 16, raw);
        let sample = reader.fill_buf().map_err(read_err)?.to_vec();
        let enc = Encoding::sniff(&sample[..sample.len().min(1 << 16)]);
        if looks_binary(&sample[..sample.len().min(8192)]) {
            return Err(SourceError::Binary);
        }
        meta.encoding = Some(enc.name());
        match format {
            Format::Workbook => workbook(path, &mut ctx),
            Format::Parquet => parquet_rows(path, &mut ctx),
            // Databases are opened by `scan_database`, never as a text stream.
            Format::Sqlite => Err(SourceError::Parse(
                "a database file, scanned per table".into(),
            )),
            Format::Text => text(&mut reader, enc, &mut ctx),
            Format::Csv | Format::Tsv => {
                meta.sampled = opts.sample != Sample::Full;
                csv_rows(
                    reader,
                    enc,
                    if format == Format::Csv { b',' } else { b'\t' },
                    &mut ctx,
                )
            }
            Format::Jsonl => {
                meta.sampled = opts.sample != Sample::Full;
                jsonl(&mut reader, enc, &mut ctx)
            }
            Format::Json => {
                meta.sampled = opts.sample != Sample::Full;
                json(reader, &mut ctx)
            }
        }
    })();
    match result {
        Ok(()) => {}
        Err(SourceError::Output(e)) => return Err(ScanError::Output(e)),
        Err(e) => meta.error = Some(e.to_string()),
    }
    // Whatever was read before an error is still reported.
    match ctx.flush() {
        Ok(()) => {}
        Err(ScanError::Output(e)) => return Err(ScanError::Output(e)),
        Err(e) => {
            meta.error.get_or_insert(e.to_string());
        }
    }
    ctx.acc.bytes = read.load(std::sync::atomic::Ordering::Relaxed).max(
        if matches!(format, Format::Workbook | Format::Parquet) {
            std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
        } else {
            0
        },
    );
    let acc = std::mem::take(&mut ctx.acc);
    Ok(source_report(meta, &acc, opts.framework))
}

/// Runs a reader whose parsing is a library's (calamine, parquet): a panic in it on a
/// damaged or hostile file is that source's error, not the end of the scan.
fn guarded(what: &str, read: impl FnOnce() -> Result<(), SourceError>) -> Result<(), SourceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(SourceError::Read(format!(
            "the {what} reader failed on this file: damaged or not a {what} file"
        )))
    })
}

/// Why one source could not be read to its end.
#[derive(Debug, thiserror::Error)]
enum SourceError {
    #[error("cannot read: {0}")]
    Read(String),
    #[error("binary file (NUL bytes), not scanned as text")]
    Binary,
    #[error("{0}")]
    Parse(String),
    #[error(transparent)]
    Output(std::io::Error),
}

fn read_err(e: std::io::Error) -> SourceError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        SourceError::Read("the file is truncated (unexpected end of compressed data)".into())
    } else {
        SourceError::Read(e.to_string())
    }
}

impl From<ScanError> for SourceError {
    fn from(e: ScanError) -> SourceError {
        match e {
            ScanError::Output(e) => SourceError::Output(e),
            other => SourceError::Parse(other.to_string()),
        }
    }
}

/// Reads lines (without the line ending) as raw bytes. Complete lines are handed over
/// straight from the reader's buffer; only a line that straddles two buffer fills is
/// copied.
fn lines<R: BufRead>(
    r: &mut R,
    mut each: impl FnMut(u64, &[u8]) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    let mut carry: Vec<u8> = Vec::new();
    let mut n = 0u64;
    let mut one = |n: &mut u64, mut line: &[u8]| {
        *n += 1;
        if *n == 1 {
            line = strip_bom(line);
        }
        while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            line = &line[..line.len() - 1];
        }
        each(*n, line)
    };
    loop {
        let buf = r.fill_buf().map_err(read_err)?;
        if buf.is_empty() {
            // The last line, when the file does not end with a newline.
            if !carry.is_empty() {
                one(&mut n, &carry)?;
            }
            return Ok(());
        }
        let len = buf.len();
        let mut from = 0;
        if !carry.is_empty() {
            // Finish the line begun in the previous fill.
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    carry.extend_from_slice(&buf[..=i]);
                    from = i + 1;
                    let go_on = one(&mut n, &carry)?;
                    carry.clear();
                    if !go_on {
                        return Ok(());
                    }
                }
                None => {
                    carry.extend_from_slice(buf);
                    r.consume(len);
                    continue;
                }
            }
        }
        let base = from;
        for i in memchr::memchr_iter(b'\n', &buf[base..]) {
            let end = base + i + 1;
            if !one(&mut n, &buf[from..end])? {
                return Ok(());
            }
            from = end;
        }
        carry.extend_from_slice(&buf[from..]);
        r.consume(len);
    }
}

fn text<R: BufRead>(r: &mut R, enc: Encoding, ctx: &mut Ctx) -> Result<(), SourceError> {
    // Lines go to the detectors in blocks: one call per block instead of one per line (a
    // log line is ~100 bytes). Blocks are cut at line ends, so no detector sees half a
    // line, and context windows stop at line breaks, so results equal a line-by-line scan.
    let block_bytes = (ctx.opts.batch_bytes / 8).clamp(256, 64 << 10);
    let mut lines = TextLines {
        enc,
        block_bytes,
        next_line: 1,
        block: Vec::with_capacity(block_bytes + 4096),
    };
    // A line begun in one fill of the read buffer and finished in a later one.
    let mut carry: Vec<u8> = Vec::new();
    let mut at_start = true;
    loop {
        let buf = r.fill_buf().map_err(read_err)?;
        let len = buf.len();
        if len == 0 {
            // The last line, when the file does not end with a newline.
            lines.slow(&carry, ctx)?;
            return Ok(());
        }
        let mut from = 0;
        if at_start {
            at_start = false;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                from = 3;
            }
        }
        if !carry.is_empty() || memchr::memchr(b'\n', &buf[from..]).is_none() {
            // Finish the carried line (or carry on with it).
            match memchr::memchr(b'\n', &buf[from..]) {
                Some(i) => {
                    carry.extend_from_slice(&buf[from..from + i + 1]);
                    from += i + 1;
                    lines.slow(&carry, ctx)?;
                    carry.clear();
                }
                None => {
                    carry.extend_from_slice(&buf[from..]);
                    r.consume(len);
                    continue;
                }
            }
        }
        // Whole lines straight from the read buffer; the unfinished one is carried.
        let end = memchr::memrchr(b'\n', &buf[from..]).map_or(from, |i| from + i + 1);
        lines.whole(&buf[from..end], ctx)?;
        carry.extend_from_slice(&buf[end..]);
        r.consume(len);
    }
}

/// The empty lines of whole lines: a line end at the start or right after another. Found
/// from the rare `\n\n` rather than by looking at every line end.
fn empty_lines(block: &[u8]) -> u32 {
    let mut empty = u32::from(block.first() == Some(&b'\n'));
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&block[from..], b"\n\n") {
        // A run of k line ends holds k - 1 empty lines.
        let run_start = from + i;
        let k = block[run_start..]
            .iter()
            .take_while(|&&b| b == b'\n')
            .count();
        empty += (k - 1) as u32;
        from = run_start + k;
    }
    empty
}

/// Hands whole lines of a text file to the detectors in blocks, numbering them.
struct TextLines {
    enc: Encoding,
    block_bytes: usize,
    /// The number of the next line.
    next_line: u64,
    /// A block being built line by line (the slow path).
    block: Vec<u8>,
}

impl TextLines {
    /// Whole lines (each ending in `\n`). UTF-8 without carriage returns — nearly every log
    /// — goes to the detectors as it is, in blocks of about `block_bytes`; anything else
    /// line by line.
    fn whole(&mut self, mut text: &[u8], ctx: &mut Ctx) -> Result<(), SourceError> {
        while !text.is_empty() {
            let cut = if text.len() <= self.block_bytes {
                text.len()
            } else {
                // The last line end within the block's size, or else the first after it.
                memchr::memrchr(b'\n', &text[..self.block_bytes])
                    .or_else(|| {
                        memchr::memchr(b'\n', &text[self.block_bytes..])
                            .map(|i| i + self.block_bytes)
                    })
                    .map_or(text.len(), |i| i + 1)
            };
            let (block, rest) = text.split_at(cut);
            text = rest;
            let plain = self.enc != Encoding::Gb18030 && memchr::memchr(b'\r', block).is_none();
            match plain.then(|| crate::source::decode::utf8(block)).flatten() {
                Some(s) => {
                    let n = memchr::memchr_iter(b'\n', block).count() as u32;
                    let empty = empty_lines(block);
                    ctx.acc.records += u64::from(n);
                    ctx.push_block(self.next_line, n - empty, s)?;
                    self.next_line += u64::from(n);
                }
                _ => self.slow(block, ctx)?,
            }
        }
        Ok(())
    }

    /// Lines one by one: trailing `\r` stripped, decoded from the file's encoding, invalid
    /// bytes counted per line. The last line may lack its `\n`.
    fn slow(&mut self, text: &[u8], ctx: &mut Ctx) -> Result<(), SourceError> {
        let (mut first, mut cells) = (self.next_line, 0u32);
        for mut line in text.split_inclusive(|&b| b == b'\n') {
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line = &line[..line.len() - 1];
            }
            ctx.acc.records += 1;
            if self.block.is_empty() {
                first = self.next_line;
            }
            self.next_line += 1;
            self.block.extend_from_slice(line);
            self.block.push(b'\n');
            cells += u32::from(!line.is_empty());
            if self.block.len() >= self.block_bytes {
                self.flush(first, cells, ctx)?;
                cells = 0;
            }
        }
        if !self.block.is_empty() {
            self.flush(first, cells, ctx)?;
        }
        Ok(())
    }

    fn flush(&mut self, first: u64, cells: u32, ctx: &mut Ctx) -> Result<(), SourceError> {
        let (s, bad) = self.enc.decode(&self.block);
        if bad {
            // Counted per line, as for every other source (rare: only on invalid bytes).
            let lines = self.block.split(|&b| b == b'\n');
            ctx.acc.replaced += lines.filter(|l| self.enc.decode(l).1).count() as u64;
        }
        ctx.push_block(first, cells, &s)?;
        self.block.clear();
        Ok(())
    }
}

/// Feeds numbered rows (1-based) through the sampling plan: rows to scan now go to `each`
/// at once; a random sample is held and handed over in row order at the end.
fn sampled<T>(
    plan: Sample,
    rows: impl IntoIterator<Item = Result<T, SourceError>>,
    mut each: impl FnMut(u64, T) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let mut sampler: Sampler<(u64, T)> = Sampler::new(plan);
    for (i, row) in rows.into_iter().enumerate() {
        match sampler.offer((i as u64 + 1, row?)) {
            Ok(Some((n, r))) => each(n, r)?,
            Ok(None) => {}
            Err(()) => break,
        }
    }
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (n, r) in rest {
        each(n, r)?;
    }
    Ok(())
}

/// Applies the sampling plan to a stream of rows: `keep(row)` says whether to scan it now;
/// random rows are held in a reservoir and handed back by `finish`.
struct Sampler<T> {
    plan: Sample,
    rng: Rng,
    seen: u64,
    reservoir: Vec<T>,
}

impl<T> Sampler<T> {
    fn new(plan: Sample) -> Self {
        let seed = match plan {
            Sample::RandomRows { seed, .. } | Sample::Percent { seed, .. } => seed,
            _ => 0,
        };
        Sampler {
            plan,
            rng: Rng::new(seed),
            seen: 0,
            reservoir: Vec::new(),
        }
    }

    /// `Some(row)` to scan now, `None` to skip or hold; `Err(())` once no more rows are needed.
    fn offer(&mut self, row: T) -> Result<Option<T>, ()> {
        self.seen += 1;
        match self.plan {
            Sample::Full => Ok(Some(row)),
            Sample::FirstRows(n) => {
                if self.seen > n {
                    Err(())
                } else {
                    Ok(Some(row))
                }
            }
            Sample::Percent { percent, .. } => {
                Ok((self.rng.unit() * 100.0 < percent).then_some(row))
            }
            Sample::RandomRows { rows, .. } => {
                if (self.reservoir.len() as u64) < rows {
                    self.reservoir.push(row);
                } else {
                    let j = self.rng.next_u64() % self.seen;
                    if j < rows {
                        self.reservoir[j as usize] = row;
                    }
                }
                Ok(None)
            }
        }
    }

    fn finish(self) -> Vec<T> {
        self.reservoir
    }
}

fn csv_rows<R: Read>(
    mut r: BufReader<R>,
    enc: Encoding,
    delim: u8,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let random = matches!(
        ctx.opts.sample,
        Sample::RandomRows { .. } | Sample::Percent { .. }
    );
    // Files without quotes (most exports) are split on delimiters and line ends directly;
    // the first quote hands the rest to the CSV parser.
    let sample = r.fill_buf().map_err(read_err)?;
    if !random && memchr::memchr(b'"', sample).is_none() {
        return csv_unquoted(r, enc, delim, ctx);
    }
    csv_parsed(csv_reader(r, delim, true), None, (0, 0), enc, ctx)
}

/// Reads with the CSV parser: the header first when `columns` are not known yet, then
/// the records, numbered on from `before` (data rows and lines already read).
fn csv_parsed<R: Read>(
    mut rdr: csv::Reader<R>,
    columns: Option<Vec<u32>>,
    before: (u64, u64),
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let mut columns = match columns {
        Some(c) => c,
        None => {
            let header = rdr
                .byte_headers()
                .map_err(|e| SourceError::Parse(format!("header: {e}")))?
                .clone();
            csv_columns(&header, enc, ctx)
        }
    };
    csv_records(&mut rdr, before, &mut columns, enc, ctx)
}

/// A CSV parser over a buffered file; its buffer is as large as the file's, so reads
/// bypass the file's buffer (one copy).
fn csv_reader<R: Read>(r: BufReader<R>, delim: u8, headers: bool) -> csv::Reader<BufReader<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(headers)
        .buffer_capacity(r.capacity())
        .from_reader(r)
}

/// The field ids of a header's columns (empty names become `column N`).
fn csv_columns(header: &csv::ByteRecord, enc: Encoding, ctx: &mut Ctx) -> Vec<u32> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { strip_bom(h) } else { h };
            let (s, _) = enc.decode(h);
            let s = s.trim();
            let name = if s.is_empty() {
                format!("column {}", i + 1)
            } else {
                s.to_string()
            };
            ctx.field_id(&name)
        })
        .collect()
}

/// The data records of a CSV parser, numbered on from `before`.
fn csv_records<R: Read>(
    rdr: &mut csv::Reader<R>,
    (rows_before, lines_before): (u64, u64),
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let random = matches!(
        ctx.opts.sample,
        Sample::RandomRows { .. } | Sample::Percent { .. }
    );
    let mut sampler: Sampler<(u64, csv::ByteRecord)> = Sampler::new(ctx.opts.sample);
    let mut rec = csv::ByteRecord::new();
    let mut row = rows_before;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!(" (data row {}, line {})", row + 1, lines_before + p.line()))
                    .unwrap_or_default();
                return Err(match e.kind() {
                    csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                        SourceError::Read(format!("the file is truncated{at}"))
                    }
                    _ => SourceError::Parse(format!("CSV{at}: {e}")),
                });
            }
        }
        row += 1;
        if !random {
            // First rows or everything: no copy of the record.
            if matches!(ctx.opts.sample, Sample::FirstRows(n) if row > n) {
                break;
            }
            csv_record(row, &rec, columns, enc, ctx)?;
            continue;
        }
        if let Ok(Some((n, r))) = sampler.offer((row, rec.clone())) {
            csv_record(n, &r, columns, enc, ctx)?;
        }
    }
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (n, r) in rest {
        csv_record(n, &r, columns, enc, ctx)?;
    }
    Ok(())
}

/// CSV without quotes, straight from the read buffer: records end at `\n` (or `\r\n`),
/// fields at the delimiter, blank lines are skipped: what the CSV parser does with such
/// text. A buffer with a quote or a lone `\r` hands the rest of the file to the parser.
fn csv_unquoted<R: Read>(
    mut r: BufReader<R>,
    enc: Encoding,
    delim: u8,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let mut state = UnquotedLines {
        columns: None,
        row: 0,
        line: 0,
        delim,
        enc,
    };
    let mut first_fill = true;
    // A line begun in one fill of the buffer and finished in a later one.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(SourceError::Read(format!(
                    "the file is truncated (data row {}, line {})",
                    state.row + 1,
                    state.line + 1
                )))
            }
            Err(e) => return Err(read_err(e)),
        };
        let len = buf.len();
        let at_end = len == 0;
        // Finish the carried line (or carry on with it).
        let mut from = 0;
        if std::mem::take(&mut first_fill) && buf.starts_with(b"\xEF\xBB\xBF") {
            // A BOM before anything else is not text (the parser drops it too).
            from = 3;
        }
        if !carry.is_empty() && !at_end {
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    carry.extend_from_slice(&buf[..=i]);
                    from = i + 1;
                }
                None => {
                    carry.extend_from_slice(buf);
                    r.consume(len);
                    continue;
                }
            }
        }
        // Then the whole lines of this fill; the unfinished one is carried.
        let end = memchr::memrchr(b'\n', &buf[from..]).map_or(from, |i| from + i + 1);
        let lone_cr = |t: &[u8]| {
            memchr::memchr_iter(b'\r', t).any(|i| t.get(i + 1).is_some_and(|&b| b != b'\n'))
        };
        let plain = |t: &[u8]| memchr::memchr(b'"', t).is_none() && !lone_cr(t);
        if !plain(&carry) || !plain(&buf[from..end]) {
            // Hand what is left (the carried line, this fill, the rest) to the parser.
            let mut rest = std::mem::take(&mut carry);
            rest.extend_from_slice(&buf[from..]);
            r.consume(len);
            let cap = r.capacity();
            let src = BufReader::with_capacity(cap, std::io::Cursor::new(rest).chain(r));
            let rdr = csv_reader(src, delim, state.columns.is_none());
            return csv_parsed(rdr, state.columns, (state.row, state.line), enc, ctx);
        }
        let carried = std::mem::take(&mut carry);
        if !carried.is_empty() && state.lines(&carried, ctx)? == Flow::Stop {
            return Ok(());
        }
        if state.lines(&buf[from..end], ctx)? == Flow::Stop {
            return Ok(());
        }
        if at_end {
            return Ok(());
        }
        carry.extend_from_slice(&buf[end..]);
        r.consume(len);
    }
}

/// Whether reading goes on after some lines (it stops after the first rows asked for).
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// The reading state of [`csv_unquoted`]: the header's columns once read, the last data
/// row and line numbers.
struct UnquotedLines {
    columns: Option<Vec<u32>>,
    row: u64,
    line: u64,
    delim: u8,
    enc: Encoding,
}

impl UnquotedLines {
    /// Reads whole lines (each ending in `\n`, the last one perhaps not). Lines are found
    /// with memchr, and UTF-8 is checked once for all of them: a line of valid UTF-8 text
    /// cut at line breaks is valid by itself.
    fn lines(&mut self, text: &[u8], ctx: &mut Ctx) -> Result<Flow, SourceError> {
        let valid = utf8_text(self.enc, text);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text).map(|i| i + 1);
        let last = (!text.is_empty() && text.last() != Some(&b'\n')).then_some(text.len());
        for end in ends.chain(last) {
            let (s, e) = (start, end);
            start = end;
            self.line += 1;
            let mut l = &text[s..e];
            l = l.strip_suffix(b"\n").unwrap_or(l);
            l = l.strip_suffix(b"\r").unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            let Some(cols) = self.columns.as_mut() else {
                let cells = l.split(|&b| b == self.delim).collect::<Vec<_>>();
                self.columns = Some(csv_columns(&csv::ByteRecord::from(cells), self.enc, ctx));
                continue;
            };
            self.row += 1;
            if matches!(ctx.opts.sample, Sample::FirstRows(n) if self.row > n) {
                return Ok(Flow::Stop);
            }
            let whole = match valid {
                Some(v) => v.get(s..s + l.len()),
                None => utf8_text(self.enc, l),
            };
            csv_line(self.row, l, whole, self.delim, cols, self.enc, ctx)?;
        }
        Ok(Flow::Go)
    }
}

/// The bytes as text, when the source is UTF-8 and they are valid.
fn utf8_text(enc: Encoding, bytes: &[u8]) -> Option<&str> {
    match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => crate::source::decode::utf8(bytes),
        Encoding::Gb18030 => None,
    }
}

/// One unquoted record (`whole`: the record as text, when it is valid UTF-8).
fn csv_line(
    n: u64,
    line: &[u8],
    whole: Option<&str>,
    delim: u8,
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    if let Some(record) = whole {
        return Ok(ctx.push_record(n, record, delim, columns)?);
    }
    // Not UTF-8 (GBK, or bytes that are not text): each cell is decoded by itself.
    for (i, cell) in cells(line, delim) {
        let field = ctx.column(columns, i);
        let (s, bad) = enc.decode(&line[cell]);
        ctx.acc.replaced += bad as u64;
        ctx.push(n, field, &s)?;
    }
    Ok(())
}

/// The non-empty cells of an unquoted record, with their column (0-based): byte ranges
/// between delimiters. Delimiters are found 64 bytes at a time as a bit mask (a call per
/// cell to find the next one cost more than the cell's own work).
fn cells(line: &[u8], delim: u8) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    let mut start = 0;
    delimiters(line, delim)
        .enumerate()
        .map(move |(i, end)| {
            let cell = start..end;
            start = end + 1;
            (i, cell)
        })
        .filter(|(_, cell)| !cell.is_empty())
}

/// The places of the delimiters in a line, then the line's end.
fn delimiters(line: &[u8], delim: u8) -> Delimiters<'_> {
    Delimiters {
        line,
        delim,
        base: 0,
        mask: delimiter_mask(line, delim),
        done: false,
    }
}

/// The places of a delimiter in a line, then the line's end.
struct Delimiters<'a> {
    line: &'a [u8],
    delim: u8,
    /// The current block's start, and its delimiters not yet returned (bit j: `base + j`).
    base: usize,
    mask: u64,
    done: bool,
}

impl Iterator for Delimiters<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            if self.mask != 0 {
                let p = self.base + self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                return Some(p);
            }
            let next = self.base + 64;
            if next >= self.line.len() {
                if self.done {
                    return None;
                }
                self.done = true;
                return Some(self.line.len());
            }
            self.base = next;
            self.mask = delimiter_mask(&self.line[next..], self.delim);
        }
    }
}

/// The delimiters among the first 64 bytes (bit j for byte j).
fn delimiter_mask(bytes: &[u8], delim: u8) -> u64 {
    let mut padded = [!delim; 64];
    let block = match bytes.first_chunk::<64>() {
        Some(block) => block,
        None => {
            // The last bytes, padded with a byte that is no delimiter.
            padded[..bytes.len()].copy_from_slice(bytes);
            &padded
        }
    };
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { sse2_delimiter_mask(block, delim) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block
            .iter()
            .enumerate()
            .fold(0, |m, (j, &b)| m | u64::from(b == delim) << j)
    }
}

/// [`delimiter_mask`] of a whole block: four 16-byte compares.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn sse2_delimiter_mask(block: &[u8; 64], delim: u8) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let d = _mm_set1_epi8(delim as i8);
    let mut m = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
        let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
        m |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, d)) as u16) << (16 * k);
    }
    m
}

fn csv_record(
    n: u64,
    rec: &csv::ByteRecord,
    columns: &mut Vec<u32>,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    // UTF-8 is checked once per record: a field of valid UTF-8 that starts and ends on
    // character boundaries is valid by itself.
    let whole = utf8_text(enc, rec.as_slice());
    for (i, cell) in rec.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let field = ctx.column(columns, i);
        if let Some(s) = whole.and_then(|w| w.get(rec.range(i)?)) {
            ctx.push(n, field, s)?;
            continue;
        }
        let (s, bad) = enc.decode(cell);
        ctx.acc.replaced += bad as u64;
        ctx.push(n, field, &s)?;
    }
    Ok(())
}

/// Leaves of a JSON value with their paths (`user.phones[].number`).
fn leaves(v: &serde_json::Value, path: &mut String, each: &mut dyn FnMut(&str, String)) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                leaves(x, path, each);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(a) => {
            let len = path.len();
            path.push_str("[]");
            for x in a {
                leaves(x, path, each);
            }
            path.truncate(len);
        }
        serde_json::Value::String(s) => each(path, s.clone()),
        serde_json::Value::Number(n) => each(path, n.to_string()),
        _ => {}
    }
}

fn json_record(n: u64, v: &serde_json::Value, ctx: &mut Ctx) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    let mut units = Vec::new();
    leaves(v, &mut String::new(), &mut |p, s| {
        if !s.is_empty() {
            units.push((
                if p.is_empty() {
                    "$".to_string()
                } else {
                    p.to_string()
                },
                s,
            ));
        }
    });
    for (p, s) in units {
        let field = ctx.field_id(&p);
        ctx.push(n, field, &s)?;
    }
    Ok(())
}

fn jsonl<R: BufRead>(r: &mut R, enc: Encoding, ctx: &mut Ctx) -> Result<(), SourceError> {
    let mut sampler: Sampler<(u64, serde_json::Value)> = Sampler::new(ctx.opts.sample);
    let mut first_error: Option<String> = None;
    let mut errors = 0u64;
    let mut row = 0u64;
    lines(r, |n, line| {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(true);
        }
        row += 1;
        let (s, _) = enc.decode(line);
        let v: serde_json::Value = match serde_json::from_str(&s) {
            Ok(v) => v,
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("line {n}: {e}"));
                return Ok(true);
            }
        };
        match sampler.offer((row, v)) {
            Ok(Some((k, v))) => json_record(k, &v, ctx)?,
            Ok(None) => {}
            Err(()) => return Ok(false),
        }
        Ok(true)
    })?;
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (k, v) in rest {
        json_record(k, &v, ctx)?;
    }
    match first_error {
        Some(e) => Err(SourceError::Parse(format!(
            "{errors} line(s) are not valid JSON, first at {e}; the other lines were scanned"
        ))),
        None => Ok(()),
    }
}

fn json<R: Read>(r: BufReader<R>, ctx: &mut Ctx) -> Result<(), SourceError> {
    let v: serde_json::Value = serde_json::from_reader(r).map_err(|e| {
        if e.is_eof() {
            SourceError::Parse(format!("the JSON ends early (truncated?): {e}"))
        } else {
            SourceError::Parse(format!("not valid JSON: {e}"))
        }
    })?;
    match v {
        serde_json::Value::Array(items) => {
            let plan = ctx.opts.sample;
            sampled(plan, items.into_iter().map(Ok), |n, x| {
                json_record(n, &x, ctx)
            })
        }
        other => json_record(1, &other, ctx),
    }
}

/// A workbook cell as text: whole numbers without a fraction (phone numbers are often
/// stored as numbers), dates as ISO text.
fn cell_text(d: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(f.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(excel_date(dt.as_f64())),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time if any.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    let base = jiff::civil::date(1899, 12, 30);
    let Ok(d) = base.checked_add(jiff::Span::new().days(days)) else {
        return serial.to_string();
    };
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs == 0 {
        d.to_string()
    } else {
        format!(
            "{d}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Every sheet of a workbook, as tables named `Sheet!column`.
fn workbook(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| SourceError::Read(format!("not a readable workbook: {e}")))?;
    let sheets = wb.sheet_names().to_vec();
    let mut errors = Vec::new();
    for sheet in sheets {
        let range = match wb.worksheet_range(&sheet) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("sheet {sheet:?}: {e}"));
                continue;
            }
        };
        let mut rows = range.rows();
        let Some(header) = rows.next() else { continue };
        let mut columns: Vec<u32> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let name = cell_text(h)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("column {}", i + 1));
                ctx.field_id(&format!("{sheet}!{name}"))
            })
            .collect();
        let plan = ctx.opts.sample;
        sampled(plan, rows.map(|r| Ok(r.to_vec())), |n, cells| {
            sheet_row(&sheet, n, &cells, &mut columns, ctx)
        })?;
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(SourceError::Parse(errors.join("; "))),
    }
}

fn sheet_row(
    sheet: &str,
    n: u64,
    cells: &[calamine::Data],
    columns: &mut Vec<u32>,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    for (i, c) in cells.iter().enumerate() {
        let Some(text) = cell_text(c) else { continue };
        while columns.len() <= i {
            let id = ctx.field_id(&format!("{sheet}!column {}", columns.len() + 1));
            columns.push(id);
        }
        ctx.push(n, columns[i], &text)?;
    }
    Ok(())
}

/// Parquet rows: each leaf value with its path (`address.city`, `phones[]`).
#[cfg(feature = "parquet")]
fn parquet_rows(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
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
fn parquet_rows(_: &Path, _: &mut Ctx) -> Result<(), SourceError> {
    Err(SourceError::Read(
        "this hegui was built without Parquet support (cargo feature `parquet`)".into(),
    ))
}

#[cfg(feature = "parquet")]
fn parquet_record(n: u64, row: &parquet::record::Row, ctx: &mut Ctx) -> Result<(), SourceError> {
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
fn parquet_leaves(row: &parquet::record::Row, prefix: &str, out: &mut Vec<(String, String)>) {
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
fn parquet_field(f: &parquet::record::Field, path: &str, out: &mut Vec<(String, String)>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell that makes detection panic (in test builds only), to test that a detector
    /// failure fails its source and not the scan.
    pub(super) const PANIC_CELL: &str = "panic-for-a-test-8d1f";

    #[derive(Default)]
    struct Rows(Vec<(String, u64)>);

    impl Output for Rows {
        fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
            self.0.push((f.source.to_string(), f.row.unwrap_or(0)));
            Ok(())
        }
    }

    #[derive(Default)]
    struct Cells(Vec<String>);

    impl Output for Cells {
        fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
            let c = f.column.unwrap_or("");
            let v = format!("{} {:?} {c} {}..{}", f.kind, f.row, f.start, f.end);
            self.0.push(v);
            Ok(())
        }
    }

    /// Findings and the report of CSV bytes read by the unquoted fast path or the parser.
    fn read_csv(bytes: &[u8], fast: bool, sample: Sample, cap: usize) -> (Vec<String>, String) {
        let mut opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
        opts.sample = sample;
        opts.batch_bytes = 2048;
        let mut totals = Totals::default();
        let mut out = Cells::default();
        let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut ctx = Ctx::new("t.csv".into(), &opts, &mut totals, &mut out, read);
        let r = BufReader::with_capacity(cap, bytes);
        let result = if fast {
            csv_unquoted(r, Encoding::Utf8, b',', &mut ctx)
        } else {
            let rdr = csv_reader(r, b',', true);
            csv_parsed(rdr, None, (0, 0), Encoding::Utf8, &mut ctx)
        };
        result.map_err(|e| e.to_string()).unwrap();
        ctx.flush().unwrap();
        let acc = std::mem::take(&mut ctx.acc);
        let meta = SourceMeta {
            source: "t.csv".into(),
            format: "csv",
            encoding: None,
            compression: None,
            sampled: false,
            error: None,
        };
        let report = source_report(meta, &acc, opts.framework);
        drop(ctx);
        (out.0, serde_json::to_string(&report).unwrap())
    }

    #[test]
    fn cells_are_the_non_empty_pieces_between_delimiters() {
        let mut rng = crate::rng::Rng::new(5);
        for _ in 0..5_000 {
            let len = rng.below(200) as usize;
            let line: Vec<u8> = (0..len).map(|_| b",,ab\t"[rng.below(5) as usize]).collect();
            for delim in [b',', b'\t'] {
                let want: Vec<(usize, std::ops::Range<usize>)> = {
                    let mut start = 0;
                    line.split(|&b| b == delim)
                        .enumerate()
                        .map(|(i, c)| {
                            let r = start..start + c.len();
                            start += c.len() + 1;
                            (i, r)
                        })
                        .filter(|(_, r)| !r.is_empty())
                        .collect()
                };
                assert_eq!(cells(&line, delim).collect::<Vec<_>>(), want, "{line:?}");
            }
        }
    }

    #[test]
    fn unquoted_csv_is_read_as_the_parser_reads_it() {
        let body = "张伟,13812345678,北京市海淀区中山路156号12栋1单元2304室";
        let mut cases: Vec<String> = vec![
            format!("姓名,手机,地址\n{body}\n"),
            format!("\u{feff}\n\n姓名,手机,地址,\n\n{body}\n\r\n{body},x,13912345678"),
            format!("姓名,手机,地址\r\n{body}\r\n{body}\r\n"),
            format!("姓名,手机,地址\n{body}\r{body}\n{body}\n"),
            format!("姓名,手机,地址\n{body}\n\"{body}\",\"a\nb\"\n{body}\n"),
            format!("姓名,,\n{body}\n,,\n{body},,,13612345678\n"),
            "姓名\n".to_string(),
            String::new(),
        ];
        let many = format!("姓名,手机,地址\n{}", format!("{body}\n").repeat(300));
        cases.push(many.clone());
        cases.push(format!(
            "{many}\"quoted {body}\",1\n{}",
            format!("{body}\n").repeat(50)
        ));
        for text in &cases {
            // Buffers smaller than a line, about a line, and larger than the text.
            for cap in [16, 60, 1 << 16] {
                for sample in [Sample::Full, Sample::FirstRows(2)] {
                    let fast = read_csv(text.as_bytes(), true, sample, cap);
                    let parsed = read_csv(text.as_bytes(), false, sample, cap);
                    assert_eq!(fast, parsed, "{text:?} cap {cap} {sample:?}");
                }
            }
        }
    }

    #[test]
    fn a_failing_detector_fails_its_source_and_the_scan_goes_on() {
        let d = std::env::temp_dir().join(format!("hegui-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let mut bad = String::from("手机\n");
        for i in 0..5000 {
            bad.push_str(if i == 4000 { PANIC_CELL } else { "13812345678" });
            bad.push('\n');
        }
        std::fs::write(d.join("a.csv"), bad).unwrap();
        std::fs::write(d.join("b.csv"), "手机\n13912345678\n").unwrap();
        let mut opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
        opts.sample = Sample::Full;
        opts.batch_bytes = 4096;
        let mut out = Rows::default();
        let report = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| scan(std::slice::from_ref(&d), &opts, &mut out))
            .expect("the scan goes on");
        let a = &report.sources[0];
        let err = a.error.as_deref().expect("a.csv reports the failure");
        assert!(err.contains("a detector failed"), "{err}");
        assert!(report.sources[1].error.is_none());
        // What came before the failure is reported, in order; nothing after it.
        let rows: Vec<u64> = out
            .0
            .iter()
            .filter(|(s, _)| s.ends_with("a.csv"))
            .map(|r| r.1)
            .collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert!(rows.last().is_some_and(|&r| r < 4001), "{:?}", rows.last());
        assert!(out.0.iter().any(|(s, _)| s.ends_with("b.csv")));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_text_longer_than_a_batch_can_hold_is_refused_not_cut() {
        let opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
        let mut totals = Totals::default();
        let mut out = Rows::default();
        let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut ctx = Ctx::new("t".into(), &opts, &mut totals, &mut out, read);
        // Units are 32-bit offsets: a text of 4 GiB would wrap them. Refused before any
        // byte is copied (so the test needs no such text).
        let err = ctx.room(BATCH_TEXT_MAX).unwrap_err();
        assert!(err.to_string().contains("longer than hegui scans"), "{err}");
        assert!(ctx.room(BATCH_TEXT_MAX - 1).is_ok());
        assert!(ctx.batch.text.is_empty());
    }

    /// Every line, as `lines` hands them over through a reader buffer of `cap` bytes.
    fn read_all(text: &[u8], cap: usize) -> Vec<(u64, Vec<u8>)> {
        let mut r = BufReader::with_capacity(cap, text);
        let mut got = Vec::new();
        lines(&mut r, |n, l| {
            got.push((n, l.to_vec()));
            Ok(true)
        })
        .unwrap();
        got
    }

    #[test]
    fn empty_lines_are_line_ends_at_the_start_or_after_another() {
        for (text, want) in [
            ("a\nb\n", 0),
            ("\n", 1),
            ("\n\na\n", 2),
            ("a\n\n\n\nb\n\n", 4),
            ("", 0),
        ] {
            let naive = text.split_inclusive('\n').filter(|l| *l == "\n").count() as u32;
            assert_eq!(
                (empty_lines(text.as_bytes()), naive),
                (want, want),
                "{text:?}"
            );
        }
    }

    #[test]
    fn lines_straddling_buffer_fills_come_out_whole() {
        let text = "\u{feff}第一行\r\nsecond line, longer than the buffer\n\nlast without newline";
        let want: Vec<(u64, Vec<u8>)> = [
            "第一行",
            "second line, longer than the buffer",
            "",
            "last without newline",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.as_bytes().to_vec()))
        .collect();
        // Buffers smaller than a line, at every split point, and larger than the text.
        for cap in 1..=text.len() + 1 {
            assert_eq!(
                read_all(text.as_bytes(), cap),
                want,
                "buffer of {cap} bytes"
            );
        }
        assert_eq!(read_all(b"a\n", 4), vec![(1, b"a".to_vec())]);
        assert!(read_all(b"", 4).is_empty());
    }
}
