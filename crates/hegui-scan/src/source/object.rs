//! Objects in a store reached over the network (S3, Aliyun OSS, HDFS): what the scanner
//! needs of such a store — list what lies under a URL, stream an object's bytes — as a
//! trait, so that this crate carries no network stack. `hegui-lake` implements
//! [`ObjectStore`]; the CLI hands one in [`ScanOptions::objects`](crate::ScanOptions).
//!
//! An object is read like a file of the same name: its format comes from its key, text
//! formats stream through the same guards as a file, and formats that need to seek
//! (Parquet, workbooks, SQLite) are first copied to a private temporary file
//! ([`Spooled`]), removed when the object has been scanned.

use std::fmt::Debug;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// One object found under a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// The object's full URL (`s3://bucket/dir/file.csv`): its name in reports.
    pub url: String,
    /// Its key below the URL that was listed (`file.csv`), which `--include` and
    /// `--exclude` globs are matched against, as a file's path below a directory.
    pub relative: String,
    /// Its size in bytes, as listed.
    pub size: u64,
}

/// A store of objects: S3-compatible, OSS, HDFS.
pub trait ObjectStore: Send + Sync + Debug {
    /// Whether `target` is a URL of this store (by its scheme).
    fn handles(&self, target: &str) -> bool;
    /// The objects at `url` (one object) or under it (a prefix), in name order. An error —
    /// no such bucket, access denied, nothing there — stops the scan before it starts.
    fn list(&self, url: &str) -> Result<Vec<Object>, String>;
    /// The object's bytes, streamed. An error while reading fails that object only.
    fn open(&self, object: &Object) -> std::io::Result<Box<dyn Read + Send>>;
}

/// The URL schemes that name objects in a store, for a clear error when this build or
/// this run has no store for them.
pub const SCHEMES: [&str; 5] = ["s3", "s3a", "oss", "hdfs", "viewfs"];

/// Whether `target` looks like an object store URL (`s3://…`, `oss://…`, `hdfs://…`).
pub fn is_object_url(target: &str) -> bool {
    target
        .split_once("://")
        .is_some_and(|(s, _)| SCHEMES.contains(&s.to_ascii_lowercase().as_str()))
}

/// An object copied to a temporary file readable by this user only; the file is removed
/// when this is dropped.
pub(crate) struct Spooled {
    path: PathBuf,
}

impl Spooled {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copies `object` to a new private file in the temporary directory, keeping its file
/// name's extension (readers look at it), counting the bytes into `read`.
pub(crate) fn spool(
    store: &dyn ObjectStore,
    object: &Object,
    read: &AtomicU64,
) -> std::io::Result<Spooled> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let ext: String = object
        .url
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.chars().filter(char::is_ascii_alphanumeric).collect())
        .unwrap_or_default();
    let path = std::env::temp_dir().join(format!(
        "hegui-object-{}-{}.{ext}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(&path)?;
    // From here the file exists: the guard removes it on every path out.
    let spooled = Spooled { path };
    let n = std::io::copy(&mut store.open(object)?, &mut file)?;
    read.fetch_add(n, Ordering::Relaxed);
    file.sync_data().ok();
    Ok(spooled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_urls_by_scheme() {
        for u in [
            "s3://b/k",
            "S3A://b/",
            "oss://b/p/q.csv",
            "hdfs://nn:8020/x",
        ] {
            assert!(is_object_url(u), "{u}");
        }
        for u in ["postgres://h/db", "data/x.csv", "s3:/b", "file:///tmp/x"] {
            assert!(!is_object_url(u), "{u}");
        }
    }
}
