//! Running a scan: find the files, read each as records (lines, rows, JSON fields), detect
//! in parallel batches, and merge results in order so findings stream out with their rows.
//!
//! Reading is streaming: memory is bounded by the batches in flight, not by file size. A
//! source that cannot be read (binary, truncated gzip, broken JSON) is reported with its
//! error and the scan goes on.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

pub use crate::options::{Output, Sample, ScanError, ScanOptions};
use crate::report::{ScanReport, Totals};
#[cfg(feature = "databases")]
use crate::source::database::scan_database;
#[cfg(feature = "databases")]
use crate::source::db::{redact, Backend};
use crate::source::file::{scan_file, Format, Input};
use crate::source::object::is_object_url;

/// A glob set, or none when there are no globs.
fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, ScanError> {
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
}

/// The files a scan covers, in a stable order.
pub fn discover(paths: &[PathBuf], opts: &ScanOptions) -> Result<Vec<PathBuf>, ScanError> {
    let include = glob_set(&opts.include)?;
    let exclude = glob_set(&opts.exclude)?;
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            if !exclude.as_ref().is_some_and(|x| x.is_match(p)) {
                out.push(p.clone());
            }
            continue;
        }
        if !p.is_dir() {
            if p.to_string_lossy().contains("://") {
                return Err(ScanError::Unsupported(format!(
                    "{}: not a file, and not a URL hegui scans (postgres://, mysql://, \
                     sqlite://, s3://, oss://, hdfs://)",
                    p.display()
                )));
            }
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

/// The sources of shard `i` of `n` (1-based), in their order: every machine that lists
/// the same store gets the same split. Sources are dealt largest first to the shard with
/// the fewest bytes so far (ties: the lower shard, then the name), so the shards' bytes
/// are near equal, and every source is in exactly one shard. `items` are (source, name,
/// size in bytes).
pub fn shard<T>(items: Vec<(T, String, u64)>, i: u32, n: u32) -> Result<Vec<T>, ScanError> {
    if n == 0 || i == 0 || i > n {
        return Err(ScanError::Shard(format!(
            "--shard {i}/{n}: expected I/N with 1 ≤ I ≤ N"
        )));
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| (items[b].2.cmp(&items[a].2)).then_with(|| items[a].1.cmp(&items[b].1)));
    let mut load = vec![0u64; n as usize];
    let mut mine = vec![false; items.len()];
    for k in order {
        let (to, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(s, &bytes)| (bytes, s))
            .expect("at least one shard");
        load[to] += items[k].2;
        mine[k] = to + 1 == i as usize;
    }
    Ok(items
        .into_iter()
        .zip(mine)
        .filter_map(|((t, _, _), m)| m.then_some(t))
        .collect())
}

/// The objects at or under each object store URL, filtered by the include and exclude
/// globs as a directory's files are.
fn list_objects(
    urls: &[&PathBuf],
    opts: &ScanOptions,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
) -> Result<Vec<Input>, ScanError> {
    let mut out = Vec::new();
    for u in urls {
        let url = u.to_string_lossy();
        let store = opts
            .objects
            .as_deref()
            .filter(|s| s.handles(&url))
            .ok_or_else(|| {
                ScanError::Unsupported(format!(
                    "{url}: this hegui has no object store for this scheme (built without \
                     cargo feature `objects`, or not s3://, oss:// or hdfs://)"
                ))
            })?;
        let objects = store
            .list(&url)
            .map_err(|e| ScanError::Objects(format!("{url}: {e}")))?;
        out.extend(
            objects
                .into_iter()
                .filter(|o| {
                    let rel = Path::new(&o.relative);
                    include.is_none_or(|s| s.is_match(rel))
                        && !exclude.is_some_and(|s| s.is_match(rel))
                })
                .map(Input::Object),
        );
    }
    Ok(out)
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

/// Scans files, directories, object store URLs (`s3://…`, `oss://…`, `hdfs://…`, with a
/// store in [`ScanOptions::objects`]) and database URLs (`postgres://…`, `mysql://…`,
/// `sqlite://…`), streaming findings to `out`.
pub fn scan(
    targets: &[PathBuf],
    opts: &ScanOptions,
    out: &mut dyn Output,
) -> Result<ScanReport, ScanError> {
    let mut totals = Totals::default();
    let is_db = |t: &PathBuf| {
        t.to_str().and_then(Backend::of).is_some() && t.to_string_lossy().contains(':')
    };
    let is_object = |t: &PathBuf| is_object_url(&t.to_string_lossy());
    let urls: Vec<&PathBuf> = targets.iter().filter(|t| is_db(t)).collect();
    let object_urls: Vec<&PathBuf> = targets.iter().filter(|t| is_object(t)).collect();
    let paths: Vec<PathBuf> = targets
        .iter()
        .filter(|t| !is_db(t) && !is_object(t))
        .cloned()
        .collect();
    // Databases — URLs and SQLite files found — need the `databases` feature.
    #[cfg(not(feature = "databases"))]
    if let Some(u) = urls.first() {
        return Err(no_databases(&u.to_string_lossy()));
    }
    let mut inputs: Vec<Input> = discover(&paths, opts)?
        .into_iter()
        .map(Input::File)
        .collect();
    inputs.extend(list_objects(
        &object_urls,
        opts,
        glob_set(&opts.include)?.as_ref(),
        glob_set(&opts.exclude)?.as_ref(),
    )?);
    if let Some((i, n)) = opts.shard {
        if !urls.is_empty() {
            return Err(ScanError::Shard(
                "--shard splits files, directories and object stores; scan databases in a \
                 job of their own"
                    .into(),
            ));
        }
        let sized = inputs
            .into_iter()
            .map(|s| Ok((s.name(), s.size()?, s)).map(|(name, size, s)| (s, name, size)))
            .collect::<Result<Vec<_>, ScanError>>()?;
        inputs = shard(sized, i, n)?;
    }
    let sources = totals.with_counting_thread(|totals| {
        let mut sources = Vec::new();
        for input in &inputs {
            if input.format().0 == Format::Sqlite {
                sources.extend(scan_sqlite_file(input, opts, totals, out)?);
            } else {
                sources.push(scan_file(input, opts, totals, out)?);
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

/// A SQLite database file (or object, copied to a private file first): each table a source.
#[cfg(feature = "databases")]
fn scan_sqlite_file(
    input: &Input,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<Vec<crate::report::SourceReport>, ScanError> {
    let read = std::sync::atomic::AtomicU64::new(0);
    let local = input
        .local(opts.objects.as_deref(), &read)
        .map_err(|e| ScanError::File(input.name(), e))?;
    let url = format!("sqlite://{}", local.path().display());
    scan_database(&url, &input.name(), opts, totals, out)
}

#[cfg(not(feature = "databases"))]
fn scan_sqlite_file(
    input: &Input,
    _: &ScanOptions,
    _: &mut Totals,
    _: &mut dyn Output,
) -> Result<Vec<crate::report::SourceReport>, ScanError> {
    Err(no_databases(&input.name()))
}

#[cfg(test)]
mod tests;
