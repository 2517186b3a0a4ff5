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

/// Past this many log entries between two reads, everything is read again rather than the
/// entries' records.
const MAX_CATCH_UP: i64 = 200;

/// Each part and the tables it is read from: when the log moves on, a part stays unless
/// one of its tables changed in the entries since.
const DEPENDS: &[(&str, &[&str])] = &[
    (
        "engagement",
        &["engagements", "extensions", "profile_snapshots"],
    ),
    ("scope", &["scope"]),
    ("papers", &["working_papers"]),
    ("ledger", &["findings", "rectifications", "engagements"]),
    ("evidence", &["evidence"]),
    ("profile", &["profile_snapshots"]),
    ("assignments", &["assignments"]),
    ("requests", &["requests"]),
    // The analyses are evidence items; their content is stored by hash, never changed.
    ("policy_reviews", &["evidence"]),
    ("comments", &["comments"]),
    ("review_notes", &["review_notes"]),
];

type Slot = Arc<dyn Any + Send + Sync>;

/// One engagement's data under one log head.
#[derive(Default)]
struct Entry {
    head: String,
    len: i64,
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
    /// The part `what` of the engagement `t` as `load` reads it, read again only when a
    /// table it comes from changed.
    fn get<T: Any + Send + Sync>(
        &self,
        store: &Store,
        t: &Target,
        what: &'static str,
        load: impl FnOnce() -> Result<T, AuditError>,
    ) -> Result<Arc<T>, AuditError> {
        if let Some(hit) = self.lookup(store, t, what)? {
            if let Ok(v) = hit.downcast::<T>() {
                return Ok(v);
            }
        }
        // Read outside the lock: a slow read does not hold up other engagements' pages.
        let v = Arc::new(load()?);
        self.keep(t, what, v.clone());
        Ok(v)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, HashMap<String, Entry>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lookup(&self, store: &Store, t: &Target, what: &str) -> Result<Option<Slot>, AuditError> {
        let behind = {
            let mut g = self.lock();
            g.0 += 1;
            let tick = g.0;
            let Some(e) = g.1.get_mut(&t.id) else {
                return Ok(None);
            };
            if e.head == t.head {
                e.used = tick;
                return Ok(e.parts.get(what).cloned());
            }
            if t.len <= e.len {
                // A request that read the head before a newer one did: read afresh.
                return Ok(None);
            }
            (e.head.clone(), e.len)
        };
        // The log moved on: which tables its new entries changed (outside the lock).
        let changed =
            hegui_audit::log::tables_changed(store, &t.id, behind.1, t.len, MAX_CATCH_UP)?;
        let mut g = self.lock();
        let Some(e) = g.1.get_mut(&t.id) else {
            return Ok(None);
        };
        if (e.head.as_str(), e.len) == (behind.0.as_str(), behind.1) {
            match changed {
                Some(tables) => e.parts.retain(|part, _| {
                    let deps = DEPENDS
                        .iter()
                        .find(|(p, _)| p == part)
                        .map_or(&[][..], |d| d.1);
                    !deps.iter().any(|d| tables.contains(*d))
                }),
                None => e.parts.clear(),
            }
            e.head = t.head.clone();
            e.len = t.len;
        }
        Ok(if e.head == t.head {
            e.parts.get(what).cloned()
        } else {
            None
        })
    }

    fn keep(&self, t: &Target, what: &'static str, v: Slot) {
        let mut g = self.lock();
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
            if t.len < e.len {
                // Read under an older head: newer data is kept already.
                return;
            }
            *e = Entry {
                head: t.head.clone(),
                len: t.len,
                ..Entry::default()
            };
        }
        e.used = tick;
        e.parts.insert(what, v);
    }
}

/// The engagement.
pub fn engagement(store: &Store, t: &Target) -> Result<Arc<engagement::Engagement>, AuditError> {
    cache().get(store, t, "engagement", || engagement::show(store, &t.id))
}

/// The scope, in Guideline order.
pub fn scope(store: &Store, t: &Target) -> Result<Arc<Vec<engagement::ScopeRow>>, AuditError> {
    cache().get(store, t, "scope", || engagement::scope(store, &t.id))
}

/// Every written working paper.
pub fn papers(store: &Store, t: &Target) -> Result<Arc<Vec<workpaper::Paper>>, AuditError> {
    cache().get(store, t, "papers", || workpaper::list(store, &t.id))
}

/// The findings and the ledger.
pub fn ledger(store: &Store, t: &Target) -> Result<Arc<findings::Ledger>, AuditError> {
    cache().get(store, t, "ledger", || findings::ledger(store, &t.id))
}

/// The evidence list (metadata).
pub fn evidence(store: &Store, t: &Target) -> Result<Arc<Vec<vault::Evidence>>, AuditError> {
    cache().get(store, t, "evidence", || vault::list(store, &t.id))
}

/// The processor's current profile, parsed (`None` when it does not parse: the profile
/// page shows why).
pub fn profile(
    store: &Store,
    t: &Target,
) -> Result<Arc<Option<hegui_core::inventory::Profile>>, AuditError> {
    cache().get(store, t, "profile", || {
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
    cache().get(store, t, "assignments", || {
        hegui_audit::assignments::of(store, &t.id)
    })
}

/// Every request of the engagement (callers keep what the member may see:
/// `Request::visible_to`).
pub fn requests(
    store: &Store,
    t: &Target,
) -> Result<Arc<Vec<hegui_audit::requests::Request>>, AuditError> {
    cache().get(store, t, "requests", || {
        hegui_audit::requests::all(store, &t.id)
    })
}

/// The engagement's analysed privacy policies (decrypted once per change of its evidence,
/// not on every checkpoint page).
pub fn policy_reviews(
    store: &Store,
    t: &Target,
) -> Result<Arc<Vec<vault::policy::Review>>, AuditError> {
    cache().get(store, t, "policy_reviews", || {
        vault::policy::reviews(store, &t.id)
    })
}

/// Every comment of the engagement (callers pick what the member reads:
/// `comments::visible_on`).
pub fn comments(
    store: &Store,
    t: &Target,
) -> Result<Arc<Vec<hegui_audit::comments::Comment>>, AuditError> {
    cache().get(store, t, "comments", || {
        hegui_audit::comments::all(store, &t.id)
    })
}

/// Every review note of the engagement (the audit team's: callers never show them to a
/// client or a viewer).
pub fn review_notes(
    store: &Store,
    t: &Target,
) -> Result<Arc<Vec<hegui_audit::review_notes::ReviewNote>>, AuditError> {
    cache().get(store, t, "review_notes", || {
        hegui_audit::review_notes::list(store, &t.id, None)
    })
}
