//! Sixteen writers at once on one engagement, sharing one pool (as the server will write):
//! every write acknowledged, every acknowledged write present, codes unique with no gaps,
//! the engagement verified. On SQLite and PostgreSQL. (Sixteen separate processes are
//! tested through the CLI, `crates/hegui/tests/concurrency.rs`.)

mod common;

use common::{new, ScratchDb};
use hegui_audit::contention::{self, Acked};
use hegui_audit::engagement;
use hegui_audit::store::Store;
use hegui_core::inventory::AuditKind;

const WORKERS: usize = 16;
const WRITES: usize = 10;

fn sixteen_writers(store: &Store) {
    let e = engagement::create(store, &new(AuditKind::Commissioned, "甲所", "张三")).unwrap();
    let cal = hegui_core::calendar::Calendar::with_builtin();
    let acked: Vec<Acked> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (code, cal) = (&e.code, &cal);
                s.spawn(move || contention::worker(store, code, w, WRITES, cal))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap().expect("every write is acknowledged"))
            .collect()
    });
    // Every worker wrote evidence, a paper edit, a finding, an item and a status, twice.
    assert_eq!(acked.len(), WORKERS * WRITES);
    let checked = contention::check(store, &e.code, &acked).unwrap();
    assert_eq!((checked.evidence, checked.findings), (32, 32));
    eprintln!(
        "{}: {} writes by {WORKERS} threads, latency median {:.1} ms, p99 {:.1} ms",
        store.location, checked.writes, checked.median_ms, checked.p99_ms
    );
}

#[test]
fn sqlite_sixteen_threads_sharing_a_pool() {
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-threads", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open_pooled(dir.join("hegui.db").to_str().unwrap(), 8).unwrap();
    sixteen_writers(&store);
}

#[test]
fn postgres_sixteen_threads_sharing_a_pool() {
    let Some(db) = ScratchDb::postgres("threads") else {
        return;
    };
    let store = Store::open_pooled(&db.url, 8).unwrap();
    sixteen_writers(&store);
    drop(store);
}
