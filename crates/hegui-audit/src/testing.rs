//! For tests (this crate's and the CLI's): a scratch PostgreSQL database per test, dropped
//! when its guard goes. Not part of hegui's API.

use sqlx::Connection;

/// A scratch database; dropped (connections forced closed) with the guard.
pub struct ScratchDb {
    /// The database's URL.
    pub url: String,
    base: String,
    name: String,
}

impl ScratchDb {
    /// A fresh database on the server of `$HEGUI_TEST_POSTGRES_URL` (default
    /// `postgres://postgres@127.0.0.1:5432/test`), or `None` with a message when the
    /// server is absent — a failure under CI (`$CI` set), where it must be there.
    pub fn postgres(tag: &str) -> Option<ScratchDb> {
        let base = std::env::var("HEGUI_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!("hegui_test_{}_{tag}", std::process::id());
        let made = run(
            &base,
            &[
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ],
        );
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
            Some((server, _)) => format!("{server}/{name}"),
            None => base.clone(),
        };
        Some(ScratchDb { url, base, name })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let _ = run(
            &self.base,
            &[format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )],
        );
    }
}

fn run(url: &str, statements: &[String]) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(sqlx::Error::Io)?;
    rt.block_on(async {
        let mut c = sqlx::AnyConnection::connect(url).await?;
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                .execute(&mut c)
                .await?;
        }
        c.close().await
    })
}

/// A commissioned engagement on the fintech example profile (for tests of the crates above
/// this one: the web application's).
pub fn engagement(lead: &str) -> crate::engagement::NewEngagement {
    crate::engagement::NewEngagement {
        profile_text: include_str!("../../../examples/fintech.yaml").into(),
        profile_name: "fintech.yaml".into(),
        kind: hegui_core::inventory::AuditKind::Commissioned,
        trigger: None,
        body: Some("甲会计师事务所".into()),
        affiliates: vec![],
        lead: Some(lead.into()),
        team: vec![],
        period_start: jiff::civil::date(2025, 1, 1),
        period_end: jiff::civil::date(2025, 12, 31),
        start: jiff::civil::date(2026, 11, 23),
        deadline: None,
        attests_no_subdelegation: true,
        reading: crate::independence::RotationReading::Inclusive,
        override_reason: None,
        actor: "lead".into(),
    }
}
