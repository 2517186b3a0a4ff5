//! Measuring the scanner on the synthetic corpus: precision and recall per kind against
//! the ground truth, and throughput on one core and on all cores.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::report::Finding;
use crate::scan::{scan, Output, Sample, ScanError, ScanOptions};
use crate::synth::Truth;

/// A span as both sides see it.
type Key = (
    String,
    Option<u64>,
    Option<String>,
    Option<u64>,
    usize,
    usize,
    String,
    bool,
);

/// Precision and recall of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindScore {
    pub kind: String,
    pub truth: u64,
    pub found: u64,
    pub true_positives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A finding's file name, without its directory (both sides name files so).
pub(crate) fn file_name(source: &str) -> String {
    Path::new(source)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string()
}

struct Collect(Vec<Key>);

impl Output for Collect {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push((
            file_name(f.source),
            f.row,
            f.column.map(str::to_string),
            f.line,
            f.start,
            f.end,
            f.kind.to_string(),
            f.masked,
        ));
        Ok(())
    }
}

/// Scans the corpus in `dir` (everything but truth.jsonl) and scores it against the truth.
/// Masked values are scored as their own kinds (`cn_mobile (masked)`).
pub fn score(dir: &Path, opts: &ScanOptions) -> Result<Vec<KindScore>, ScanError> {
    let mut o = opts.clone();
    o.sample = Sample::Full;
    o.exclude.push("truth.jsonl".into());
    let mut found = Collect(Vec::new());
    scan(&[dir.to_path_buf()], &o, &mut found)?;
    let truth_path = dir.join("truth.jsonl");
    let truth_text = std::fs::read_to_string(&truth_path)
        .map_err(|e| ScanError::File(truth_path.display().to_string(), e))?;
    let truth: HashSet<Key> = truth_text
        .lines()
        .filter_map(|l| serde_json::from_str::<Truth>(l).ok())
        .map(|t| {
            (
                t.file, t.row, t.column, t.line, t.start, t.end, t.kind, t.masked,
            )
        })
        .collect();
    let found: HashSet<Key> = found.0.into_iter().collect();
    let label = |k: &Key| {
        if k.7 {
            format!("{} (masked)", k.6)
        } else {
            k.6.clone()
        }
    };
    let mut by: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for k in &truth {
        by.entry(label(k)).or_default().0 += 1;
    }
    for k in &found {
        let e = by.entry(label(k)).or_default();
        e.1 += 1;
        if truth.contains(k) {
            e.2 += 1;
        }
    }
    Ok(by
        .into_iter()
        .map(|(kind, (t, f, tp))| {
            let precision = if f == 0 { 0.0 } else { tp as f64 / f as f64 };
            let recall = if t == 0 { 0.0 } else { tp as f64 / t as f64 };
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            KindScore {
                kind,
                truth: t,
                found: f,
                true_positives: tp,
                precision,
                recall,
                f1,
            }
        })
        .collect())
}

/// Throughput of one scan.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub file: String,
    pub threads: usize,
    pub bytes: u64,
    pub seconds: f64,
    pub mb_per_s: f64,
    pub findings: u64,
}

struct Count(u64);

impl Output for Count {
    fn finding(&mut self, _: &Finding<'_>) -> std::io::Result<()> {
        self.0 += 1;
        Ok(())
    }
    fn counts_only(&self) -> bool {
        true
    }
    fn counted(&mut self, n: u64) {
        self.0 += n;
    }
}

/// Scans one file with `threads` workers and times it (best of `runs`).
pub fn throughput(
    file: &PathBuf,
    threads: usize,
    runs: usize,
    opts: &ScanOptions,
) -> Result<Throughput, ScanError> {
    timed(
        (file, file.display().to_string()),
        threads,
        runs,
        opts,
        |o, c| scan(std::slice::from_ref(file), o, c).map(drop),
    )
}

/// Scans `parquet`, the rows of CSV `csv` as a Parquet file, with `threads` workers and
/// times it (best of `runs`). MB/s are of the CSV's bytes (the text the Parquet file
/// holds), so the figure compares with [`throughput`] on the CSV per byte of text.
#[cfg(feature = "parquet")]
pub fn parquet_throughput(
    csv: &PathBuf,
    parquet: &PathBuf,
    threads: usize,
    runs: usize,
    opts: &ScanOptions,
) -> Result<Throughput, ScanError> {
    let label = format!("{} (per byte of {})", parquet.display(), csv.display());
    timed((csv, label), threads, runs, opts, |o, c| {
        scan(std::slice::from_ref(parquet), o, c).map(drop)
    })
}

/// Runs `run` (a full scan into a counting output) `runs` times on a pool of `threads`
/// workers and keeps the best time; MB/s are of `file`'s bytes.
fn timed(
    (file, label): (&PathBuf, String),
    threads: usize,
    runs: usize,
    opts: &ScanOptions,
    run: impl Fn(&ScanOptions, &mut Count) -> Result<(), ScanError> + Sync,
) -> Result<Throughput, ScanError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let mut o = opts.clone();
    o.sample = Sample::Full;
    let bytes = std::fs::metadata(file)
        .map_err(|e| ScanError::File(file.display().to_string(), e))?
        .len();
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..runs.max(1) {
        let mut c = Count(0);
        let t = Instant::now();
        pool.install(|| run(&o, &mut c))?;
        best = best.min(t.elapsed().as_secs_f64());
        findings = c.0;
    }
    Ok(Throughput {
        file: label,
        threads,
        bytes,
        seconds: best,
        mb_per_s: bytes as f64 / 1e6 / best,
        findings,
    })
}

/// Scans the rows of CSV `file` as columns (`columnar::scan_columns`, Arrow's layout, the
/// whole column in one chunk) with `threads` workers and times it (best of `runs`); the
/// columns are built before the clock starts. MB/s are of the CSV file's bytes, so the
/// figure compares with [`throughput`] on the same file.
pub fn column_throughput(
    file: &PathBuf,
    threads: usize,
    runs: usize,
    opts: &ScanOptions,
) -> Result<Throughput, ScanError> {
    let fail =
        |e: csv::Error| ScanError::File(file.display().to_string(), std::io::Error::other(e));
    let mut r = csv::Reader::from_path(file).map_err(fail)?;
    let header: Vec<String> = r
        .headers()
        .map_err(fail)?
        .iter()
        .map(String::from)
        .collect();
    // Offsets and data per column, every value present (empty ones are empty strings).
    let mut cols: Vec<(Vec<i64>, Vec<u8>)> = vec![(vec![0], Vec::new()); header.len()];
    for rec in r.records() {
        let rec = rec.map_err(fail)?;
        for (i, (offsets, data)) in cols.iter_mut().enumerate() {
            data.extend_from_slice(rec.get(i).unwrap_or("").as_bytes());
            offsets.push(data.len() as i64);
        }
    }
    let label = format!("{} (as columns)", file.display());
    timed((file, label), threads, runs, opts, |o, c| {
        crate::columnar::scan_columns(o, c, |sources| {
            sources.source("columns", "arrow", |s| {
                for (name, (offsets, data)) in header.iter().zip(&cols) {
                    let id = s.column(name);
                    s.large_utf8(id, offsets, data, None, 0, offsets.len() - 1)?;
                }
                Ok(())
            })
        })
        .map(drop)
    })
}

/// Memory of exact distinct counting: resident-set growth while `n` distinct identifier
/// keys are counted (Linux /proc; `None` elsewhere).
pub fn counting_memory(n: u64) -> Option<(u64, u64)> {
    let rss = || -> Option<u64> {
        let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        Some(pages * 4096)
    };
    let before = rss()?;
    let mut e = crate::count::Exact::default();
    for i in 0..n {
        e.insert(crate::detect::key_of(
            crate::kind::Kind::CnResidentId,
            &i.to_le_bytes(),
        ));
    }
    let after = rss()?;
    Some((e.len(), after.saturating_sub(before)))
}
