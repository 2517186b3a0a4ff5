//! Helpers shared by the store's test files: engagements to create, a SQLite store per
//! test, a fresh PostgreSQL database per test (absent server: skipped with a message
//! locally, a failure under CI).
#![allow(dead_code)]

use hegui_audit::engagement::NewEngagement;
use hegui_audit::independence::RotationReading;
use hegui_audit::store::Store;
pub use hegui_audit::testing::ScratchDb;
use hegui_core::inventory::AuditKind;
use jiff::civil::date;

pub fn profile() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fintech.yaml"
    ))
    .unwrap()
}

pub fn new(kind: AuditKind, body: &str, lead: &str) -> NewEngagement {
    NewEngagement {
        profile_text: profile(),
        profile_name: "fintech.yaml".into(),
        kind,
        trigger: None,
        body: Some(body.into()),
        affiliates: vec![],
        lead: Some(lead.into()),
        team: vec!["审计员甲".into(), "审计员乙".into()],
        period_start: date(2025, 1, 1),
        period_end: date(2025, 12, 31),
        start: date(2026, 11, 23),
        deadline: None,
        attests_no_subdelegation: true,
        reading: RotationReading::Inclusive,
        override_reason: None,
        actor: "auditor@firm".into(),
    }
}

pub fn sqlite(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap()
}

/// A fresh PostgreSQL database for this run with a store open on it (the guard drops the
/// database), or `None` (with a message) when the server is absent outside CI.
pub fn postgres(tag: &str) -> Option<(Store, ScratchDb)> {
    let db = ScratchDb::postgres(tag)?;
    Some((Store::open(&db.url).unwrap(), db))
}

/// Every engagement in the store verifies (chain, rows, evidence): every write path logged
/// the rows it wrote.
pub fn all_verify(store: &Store) {
    let list = hegui_audit::engagement::list(store).unwrap();
    assert!(!list.is_empty());
    for e in list {
        let v = hegui_audit::verify::engagement(store, &e[0]).unwrap();
        assert!(v.ok(), "{} does not verify: {:#?}", e[0], v.problems);
    }
}
