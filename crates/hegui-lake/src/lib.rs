//! hegui-lake: the object stores `hegui scan` reads from — `s3://` (AWS S3, MinIO and
//! other S3-compatible stores) and `oss://` (Aliyun OSS) — behind the scanner's
//! [`hegui_scan::source::object::ObjectStore`] trait, so that the scanner itself carries
//! no network stack.
//!
//! - [`location`]: parsing `scheme://bucket/prefix`.
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
    #[error("{0}: {1}")]
    Url(String, String),
    #[error("{0}: {1}")]
    Config(String, String),
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
        let s = connect::store_for(loc, &self.settings)?;
        stores.insert(id, s.clone());
        Ok(s)
    }

    /// The objects at or under `url`, in key order.
    pub fn objects(&self, url: &str) -> Result<Vec<Object>, String> {
        let loc = Location::parse(url).map_err(|e| e.to_string())?;
        let store = self.store(&loc).map_err(|e| e.to_string())?;
        let prefix = (!loc.key.is_empty()).then(|| Key::from(loc.key.as_str()));
        let listed: Vec<object_store::ObjectMeta> = self
            .rt
            .block_on(store.list(prefix.as_ref()).try_collect())
            .map_err(|e| e.to_string())?;
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
                if let Ok(m) = self.rt.block_on(store.head(p)) {
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
        let reader = read::ObjectReader::open(&self.rt, store, Key::from(loc.key.as_str()))?;
        Ok(Box::new(reader))
    }
}
