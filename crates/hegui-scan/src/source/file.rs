//! One file as a source: its format (by name and content), its origin, and the reader it
//! is handed to; what fails while reading is the source's error, never the scan's.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::options::{Output, Sample, ScanError, ScanOptions};
use crate::pipeline::{Counting, Ctx};
use crate::report::{source_report, SourceMeta, Totals};
use crate::source::decode::{looks_binary, Encoding};
use crate::source::delimited::csv_rows;
use crate::source::error::guarded;
use crate::source::error::read_err;
use crate::source::error::SourceError;
use crate::source::json::{json, jsonl};
use crate::source::object::{spool, Object, ObjectStore, Spooled};
use crate::source::parquet::parquet_rows;
use crate::source::text::text;
use crate::source::workbook::workbook;

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
    pub(crate) fn name(self) -> &'static str {
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

/// One source to read: a local file, or an object in a store read like a file of its name.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    File(PathBuf),
    Object(Object),
}

impl Input {
    /// The name the source is reported under: the path, or the object's URL.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Object(o) => o.url.clone(),
        }
    }

    /// (format, gzip), from the file or object name.
    pub(crate) fn format(&self) -> (Format, bool) {
        match self {
            Input::File(p) => Format::of(p),
            Input::Object(o) => Format::of(Path::new(&o.url)),
        }
    }

    /// Its size in bytes (a file's from its metadata, an object's as listed).
    pub(crate) fn size(&self) -> Result<u64, ScanError> {
        match self {
            Input::File(p) => std::fs::metadata(p)
                .map(|m| m.len())
                .map_err(|e| ScanError::File(p.display().to_string(), e)),
            Input::Object(o) => Ok(o.size),
        }
    }

    /// Its bytes, streamed.
    fn open(&self, store: Option<&dyn ObjectStore>) -> std::io::Result<Box<dyn Read + Send>> {
        match self {
            Input::File(p) => Ok(Box::new(File::open(p)?)),
            Input::Object(o) => store_of(store)?.open(o),
        }
    }

    /// A local path to read it at: the file itself, or the object copied to a private
    /// temporary file (for readers that seek: Parquet, workbooks, SQLite).
    pub(crate) fn local(
        &self,
        store: Option<&dyn ObjectStore>,
        read: &std::sync::atomic::AtomicU64,
    ) -> std::io::Result<Local<'_>> {
        match self {
            Input::File(p) => Ok(Local::File(p)),
            Input::Object(o) => Ok(Local::Spooled(spool(store_of(store)?, o, read)?)),
        }
    }
}

fn store_of(store: Option<&dyn ObjectStore>) -> std::io::Result<&dyn ObjectStore> {
    store.ok_or_else(|| std::io::Error::other("no object store configured"))
}

/// A source's bytes at a local path, for as long as this lives.
pub(crate) enum Local<'a> {
    File(&'a Path),
    Spooled(Spooled),
}

impl Local<'_> {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Local::File(p) => p,
            Local::Spooled(s) => s.path(),
        }
    }
}

pub(crate) fn scan_file(
    input: &Input,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<crate::report::SourceReport, ScanError> {
    let (format, gz) = input.format();
    let store = opts.objects.as_deref();
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut meta = SourceMeta {
        source: input.name(),
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
            let local = input.local(store, &read).map_err(read_err)?;
            crate::source::limits::check_zip(local.path(), &opts.limits)
                .map_err(SourceError::Read)?;
            return guarded("workbook", || workbook(local.path(), &mut ctx));
        }
        if format == Format::Parquet {
            meta.sampled = opts.sample != Sample::Full;
            let local = input.local(store, &read).map_err(read_err)?;
            return guarded("Parquet", || parquet_rows(local.path(), &mut ctx));
        }
        let file = input.open(store).map_err(read_err)?;
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
            // Read above from a local path.
            Format::Workbook | Format::Parquet => Ok(()),
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
    // A spooled object counted its bytes as copied; a local workbook or Parquet file is
    // read by a library and counted by its size.
    ctx.acc.bytes = read.load(std::sync::atomic::Ordering::Relaxed).max(
        if matches!(format, Format::Workbook | Format::Parquet) {
            input.size().unwrap_or(0)
        } else {
            0
        },
    );
    let acc = std::mem::take(&mut ctx.acc);
    Ok(source_report(meta, &acc, opts.framework))
}
