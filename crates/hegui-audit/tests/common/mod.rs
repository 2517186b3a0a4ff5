//! Helpers shared by the store's test files: engagements to create, a SQLite store per
//! test, a fresh PostgreSQL database per test (absent server: skipped with a message
//! locally, a failure under CI).
#![allow(dead_code)]

use hegui_audit::engagement::NewEngagement;
use hegui_audit::independence::RotationReading;
use hegui_audit::store::Store;
use hegui_core::inventory::AuditKind;
use jiff::civil::date;
use sqlx::Connection;

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

/// A fresh PostgreSQL database for this run, or `None` (with a message) when the server
/// is absent outside CI.
pub fn postgres(tag: &str) -> Option<(Store, String, String)> {
    let (url, base, db) = postgres_url(tag)?;
    Some((Store::open(&url).unwrap(), base, db))
}

/// A fresh PostgreSQL database for this run: (its URL, the server's base URL, its name).
pub fn postgres_url(tag: &str) -> Option<(String, String, String)> {
    let base = std::env::var("HEGUI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let db = format!("hegui_test_{}_{tag}", std::process::id());
    sqlx::any::install_default_drivers();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let made = rt.block_on(async {
        let mut c = sqlx::AnyConnection::connect(&base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
            .execute(&mut c)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut c)
            .await?;
        c.close().await
    });
    if let Err(e) = made {
        let msg = format!("PostgreSQL not reachable at {base}: {e}");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} (.ci/run starts it)"
        );
        eprintln!("SKIPPED: {msg}");
        return None;
    }
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{db}"),
        None => base.clone(),
    };
    Some((url, base, db))
}

pub fn drop_db(base: &str, db: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _ = rt.block_on(async {
        let mut c = sqlx::AnyConnection::connect(base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
        )))
        .execute(&mut c)
        .await
    });
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
