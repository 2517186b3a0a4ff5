//! Running a scan: find the files, read each as records (lines, rows, JSON fields), detect
//! in parallel batches, and merge results in order so findings stream out with their rows.
//!
//! Reading is streaming: memory is bounded by the batches in flight, not by file size. A
//! source that cannot be read (binary, truncated gzip, broken JSON) is reported with its
//! error and the scan goes on.

use std::path::PathBuf;

use globset::{Glob, GlobSet, GlobSetBuilder};
use hegui_core::law::Framework;
use jiff::civil::Date;

use crate::kind::Likelihood;
use crate::report::{totals_report, Finding, ScanReport, Totals};
use crate::source::database::scan_database;
use crate::source::db::{redact, Backend};
use crate::source::file::{scan_file, Format};

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

pub(crate) mod pipeline;
#[cfg(test)]
mod tests;
