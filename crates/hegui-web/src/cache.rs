//! What pages read of an engagement, kept while the engagement does not change. Every
//! change of an engagement — from this server, another one, or the command line — appends
//! to its activity log and moves the log's head, and every request reads that head with
//! its member check ([`crate::access::authorize`]): data read under one head is reused
//! while the head stays, and read again once it moves. So a page costs its session and
//! member queries, not a dozen more. Verification is never served from here: it reads the
//! store itself.
//!
//! One cache serves the process: it is keyed by engagement id (128 random bits) and log
//! head, and the head commits to the engagement's whole state (the log binds the rows), so
//! two stores holding the same id under the same head hold the same data.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hegui_audit::store::Store;
use hegui_audit::{engagement, findings, vault, workpaper, AuditError};

use crate::access::Target;

/// Engagements whose data is kept at most (the least recently read go first).
const MAX_ENGAGEMENTS: usize = 256;

type Slot = Arc<dyn Any + Send + Sync>;

/// One engagement's data under one log head.
#[derive(Default)]
struct Entry {
    head: String,
    /// A counter of reads, for dropping the least recently used engagement.
    used: u64,
    parts: HashMap<&'static str, Slot>,
}

/// The cache.
#[derive(Default)]
struct ReadCache {
    inner: Mutex<(u64, HashMap<String, Entry>)>,
}

/// The process's cache.
fn cache() -> &'static ReadCache {
    static CACHE: std::sync::OnceLock<ReadCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(ReadCache::default)
}

impl ReadCache {
    /// The part `what` of the engagement `t` as `load` reads it, read once per log head.
    fn get<T: Any + Send + Sync>(
        &self,
        t: &Target,
        what: &'static str,
        load: impl FnOnce() -> Result<T, AuditError>,
    ) -> Result<Arc<T>, AuditError> {
        if let Some(hit) = self.lookup(t, what) {
            if let Ok(v) = hit.downcast::<T>() {
                return Ok(v);
            }
        }
        // Read outside the lock: a slow read does not hold up other engagements' pages.
        let v = Arc::new(load()?);
        self.keep(t, what, v.clone());
        Ok(v)
    }

    fn lookup(&self, t: &Target, what: &str) -> Option<Slot> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let tick = g.0;
        let e = g.1.get_mut(&t.id)?;
        if e.head != t.head {
            return None;
        }
        e.used = tick;
        e.parts.get(what).cloned()
    }

    fn keep(&self, t: &Target, what: &'static str, v: Slot) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let tick = g.0;
        if !g.1.contains_key(&t.id) && g.1.len() >= MAX_ENGAGEMENTS {
            if let Some(oldest) =
                g.1.iter()
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| k.clone())
            {
                g.1.remove(&oldest);
            }
        }
        let e = g.1.entry(t.id.clone()).or_default();
        if e.head != t.head {
            // Read under another head: what was kept is stale (or this read is, and the
            // next request sets it right).
            *e = Entry {
                head: t.head.clone(),
                ..Entry::default()
            };
        }
        e.used = tick;
        e.parts.insert(what, v);
    }
}

/// The engagement.
pub fn engagement(store: &Store, t: &Target) -> Result<Arc<engagement::Engagement>, AuditError> {
    cache().get(t, "engagement", || engagement::show(store, &t.id))
}

/// The scope, in Guideline order.
pub fn scope(store: &Store, t: &Target) -> Result<Arc<Vec<engagement::ScopeRow>>, AuditError> {
    cache().get(t, "scope", || engagement::scope(store, &t.id))
}

/// Every written working paper.
pub fn papers(store: &Store, t: &Target) -> Result<Arc<Vec<workpaper::Paper>>, AuditError> {
    cache().get(t, "papers", || workpaper::list(store, &t.id))
}

/// The findings and the ledger.
pub fn ledger(store: &Store, t: &Target) -> Result<Arc<findings::Ledger>, AuditError> {
    cache().get(t, "ledger", || findings::ledger(store, &t.id))
}

/// The evidence list (metadata).
pub fn evidence(store: &Store, t: &Target) -> Result<Arc<Vec<vault::Evidence>>, AuditError> {
    cache().get(t, "evidence", || vault::list(store, &t.id))
}

/// The processor's current profile, parsed (`None` when it does not parse: the profile
/// page shows why).
pub fn profile(
    store: &Store,
    t: &Target,
) -> Result<Arc<Option<hegui_core::inventory::Profile>>, AuditError> {
    cache().get(t, "profile", || {
        let (_, _, text) = engagement::profile(store, &t.id)?;
        let syntax = if text.trim_start().starts_with('{') {
            hegui_core::inventory::Syntax::Json
        } else {
            hegui_core::inventory::Syntax::Yaml
        };
        Ok(hegui_core::inventory::load(&text, "profile", syntax).ok())
    })
}

/// Checkpoint → the member its paper is assigned to.
pub fn assignments(
    store: &Store,
    t: &Target,
) -> Result<Arc<std::collections::HashMap<String, String>>, AuditError> {
    cache().get(t, "assignments", || {
        hegui_audit::assignments::of(store, &t.id)
    })
}
