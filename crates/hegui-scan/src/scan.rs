//! Running a scan: find the files, read each as records (lines, rows, JSON fields), detect
//! in parallel batches, and merge results in order so findings stream out with their rows.
//!
//! Reading is streaming: memory is bounded by the batches in flight, not by file size. A
//! source that cannot be read (binary, truncated gzip, broken JSON) is reported with its
//! error and the scan goes on.

use std::path::PathBuf;

use globset::{Glob, GlobSet, GlobSetBuilder};

pub use crate::options::{Output, Sample, ScanError, ScanOptions};
use crate::report::{ScanReport, Totals};
#[cfg(feature = "databases")]
use crate::source::database::scan_database;
#[cfg(feature = "databases")]
use crate::source::db::{redact, Backend};
use crate::source::file::{scan_file, Format};

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

/// The files of shard `i` of `n` (1-based), in their order: every machine that lists the
/// same store gets the same split. Files are dealt largest first to the shard with the
/// fewest bytes so far (ties: the lower shard, then the path), so the shards' bytes are
/// near equal, and every file is in exactly one shard.
pub fn shard(files: Vec<PathBuf>, i: u32, n: u32) -> Result<Vec<PathBuf>, ScanError> {
    if n == 0 || i == 0 || i > n {
        return Err(ScanError::Shard(format!(
            "--shard {i}/{n}: expected I/N with 1 ≤ I ≤ N"
        )));
    }
    let mut sized: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let len = std::fs::metadata(f)
                .map_err(|e| ScanError::File(f.display().to_string(), e))?
                .len();
            Ok((len, k))
        })
        .collect::<Result<_, ScanError>>()?;
    sized.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| files[a.1].cmp(&files[b.1])));
    let mut load = vec![0u64; n as usize];
    let mut mine = vec![false; files.len()];
    for (len, k) in sized {
        let (to, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(s, &bytes)| (bytes, s))
            .expect("at least one shard");
        load[to] += len;
        mine[k] = to + 1 == i as usize;
    }
    Ok(files
        .into_iter()
        .zip(mine)
        .filter_map(|(f, m)| m.then_some(f))
        .collect())
}

/// Without the `databases` feature: the schemes database URLs have, so that one is
/// refused by name rather than looked for as a file.
#[cfg(not(feature = "databases"))]
struct Backend;

#[cfg(not(feature = "databases"))]
impl Backend {
    fn of(url: &str) -> Option<()> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        ["sqlite", "postgres", "postgresql", "mysql", "mariadb"]
            .contains(&scheme.as_str())
            .then_some(())
    }
}

#[cfg(not(feature = "databases"))]
fn no_databases(what: &str) -> ScanError {
    ScanError::Unsupported(format!(
        "{what}: this hegui was built without database support (cargo feature `databases`)"
    ))
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
    // Databases — URLs and SQLite files found — need the `databases` feature.
    #[cfg(not(feature = "databases"))]
    if let Some(u) = urls.first() {
        return Err(no_databases(&u.to_string_lossy()));
    }
    let mut files = discover(&paths.into_iter().cloned().collect::<Vec<_>>(), opts)?;
    if let Some((i, n)) = opts.shard {
        if !urls.is_empty() {
            return Err(ScanError::Shard(
                "--shard splits files and directories; scan databases in a job of their own".into(),
            ));
        }
        files = shard(files, i, n)?;
    }
    let sources = totals.with_counting_thread(|totals| {
        let mut sources = Vec::new();
        for f in &files {
            if Format::of(f).0 == Format::Sqlite {
                #[cfg(not(feature = "databases"))]
                return Err(no_databases(&f.display().to_string()));
                #[cfg(feature = "databases")]
                {
                    let url = format!("sqlite://{}", f.display());
                    let name = f.display().to_string();
                    sources.extend(scan_database(&url, &name, opts, totals, out)?);
                }
            } else {
                sources.push(scan_file(f, opts, totals, out)?);
            }
        }
        #[cfg(feature = "databases")]
        for u in &urls {
            let url = u.to_string_lossy();
            sources.extend(scan_database(&url, &redact(&url), opts, totals, out)?);
        }
        Ok::<_, ScanError>(sources)
    })?;
    let mut report = crate::report::scan_report(
        (opts.framework, opts.min_likelihood, opts.sketches),
        sources,
        &totals,
    );
    report.shard = opts.shard.map(|(i, n)| format!("{i}/{n}"));
    Ok(report)
}

#[cfg(test)]
mod tests;
