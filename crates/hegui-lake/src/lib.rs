//! hegui-lake: the object stores `hegui scan` reads from — `s3://` (AWS S3, MinIO and
//! other S3-compatible stores), `oss://` (Aliyun OSS) and `hdfs://` / `viewfs://`
//! (Hadoop, cargo feature `hdfs`, on by default) — behind the scanner's
//! [`hegui_scan::source::object::ObjectStore`] trait, so that the scanner itself carries
//! no network stack.
//!
//! - [`location`]: parsing `scheme://bucket/prefix` (for HDFS, `hdfs://namenode:port/path`).
//! - [`connect`]: endpoint, region, request style and credentials ([`Settings`] from the
//!   command line, secrets from the environment only).
//! - `read`: an object's body as a blocking reader that fetches ahead.
//!
//! Requests run on a small tokio runtime owned by the [`Lake`]; the scanner calls in from
//! its own threads and blocks.

pub mod connect;
pub mod location;
mod read;

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use hegui_scan::source::object::{Object, ObjectStore as Scanned};
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt};

pub use connect::Settings;
pub use location::{Location, Scheme};

/// What can go wrong before any object is read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A URL that does not name a bucket and key (the scanner names the URL).
    #[error("{0}")]
    Url(String),
    /// A store that cannot be set up: no endpoint, no keys, no Hadoop configuration.
    #[error("{0}")]
    Config(String),
    #[error("starting the network runtime: {0}")]
    Runtime(std::io::Error),
}

/// The object stores of one scan: a connection per bucket, made on first use.
pub struct Lake {
    settings: Settings,
    rt: tokio::runtime::Runtime,
    stores: Mutex<HashMap<(Scheme, String), Arc<dyn ObjectStore>>>,
}

impl std::fmt::Debug for Lake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lake")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Lake {
    pub fn new(settings: Settings) -> Result<Lake, Error> {
        // TLS with ring, as the web server (rustls deprecated ring's provider for lack of
        // post-quantum key exchange; aws-lc-rs would add a C and assembly build). A second
        // install (another crate got there first) is harmless.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hegui-lake")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Lake {
            settings,
            rt,
            stores: Mutex::new(HashMap::new()),
        })
    }

    fn store(&self, loc: &Location) -> Result<Arc<dyn ObjectStore>, Error> {
        let mut stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        let id = (loc.scheme, loc.bucket.clone());
        if let Some(s) = stores.get(&id) {
            return Ok(s.clone());
        }
        let s = connect::store_for(loc, &self.settings, self.rt.handle())?;
        stores.insert(id, s.clone());
        Ok(s)
    }

    /// The objects at or under `url`, in key order.
    pub fn objects(&self, url: &str) -> Result<Vec<Object>, String> {
        let loc = Location::parse(url).map_err(|e| e.to_string())?;
        let store = self.store(&loc).map_err(|e| e.to_string())?;
        let prefix = (!loc.key.is_empty()).then(|| Key::from(loc.key.as_str()));
        let listed = self.rt.block_on(self.list_all(&*store, prefix.as_ref()))?;
        let mut found: Vec<Object> = listed
            .into_iter()
            .map(|m| {
                let key = m.location.to_string();
                let relative = key
                    .strip_prefix(&loc.key)
                    .unwrap_or(&key)
                    .trim_start_matches('/')
                    .to_string();
                Object {
                    url: loc.url_of(&key),
                    relative,
                    size: m.size,
                }
            })
            .collect();
        // Nothing under it as a prefix: perhaps the URL names one object.
        if found.is_empty() {
            if let Some(p) = &prefix {
                let idle = self.settings.idle_timeout;
                if let Ok(Ok(m)) = self
                    .rt
                    .block_on(async { tokio::time::timeout(idle, store.head(p)).await })
                {
                    let name = loc.key.rsplit('/').next().unwrap_or(&loc.key);
                    found.push(Object {
                        url: loc.url_of(&loc.key),
                        relative: name.to_string(),
                        size: m.size,
                    });
                }
            }
        }
        if found.is_empty() {
            return Err("no object at or under this URL".into());
        }
        found.sort_by(|a, b| a.url.cmp(&b.url));
        Ok(found)
    }
}

impl Lake {
    /// Every object under `prefix`, failing when the store goes quiet for the idle timeout
    /// (a listing of millions of keys may take long, but never without progress).
    async fn list_all(
        &self,
        store: &dyn ObjectStore,
        prefix: Option<&Key>,
    ) -> Result<Vec<object_store::ObjectMeta>, String> {
        let idle = self.settings.idle_timeout;
        let mut listing = store.list(prefix);
        let mut out = Vec::new();
        loop {
            match tokio::time::timeout(idle, listing.try_next()).await {
                Ok(Ok(Some(m))) => out.push(m),
                Ok(Ok(None)) => return Ok(out),
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err(no_answer(idle)),
            }
        }
    }
}

fn no_answer(idle: std::time::Duration) -> String {
    format!(
        "no answer from the store in {} s (is it reachable? --io-timeout sets the wait)",
        idle.as_secs()
    )
}

impl Scanned for Lake {
    fn handles(&self, target: &str) -> bool {
        target
            .split_once("://")
            .is_some_and(|(s, _)| location::Scheme::of(s).is_some())
    }

    fn list(&self, url: &str) -> Result<Vec<Object>, String> {
        self.objects(url)
    }

    fn open(&self, object: &Object) -> std::io::Result<Box<dyn Read + Send>> {
        let loc = Location::parse(&object.url).map_err(std::io::Error::other)?;
        let store = self.store(&loc).map_err(std::io::Error::other)?;
        let idle = self.settings.idle_timeout;
        let key = Key::from(loc.key.as_str());
        let reader =
            read::ObjectReader::open(&self.rt, store, key, idle).map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut => std::io::Error::other(no_answer(idle)),
                _ => e,
            })?;
        Ok(Box::new(reader))
    }
}
