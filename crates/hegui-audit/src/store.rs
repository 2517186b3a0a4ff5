//! Storage: an embedded SQLite file by default, PostgreSQL when given a `postgres://` URL.
//! One code path (sqlx's `Any` driver), portable SQL (TEXT and BIGINT columns, `$n`
//! parameters, which SQLite accepts too), and migrations applied in order, each in a
//! transaction, recorded in `hegui_schema`.
//!
//! Every change happens in a transaction together with its activity-log entry: a write
//! that was acknowledged is committed, and a crash leaves the previous state.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use crate::AuditError;

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Schema migrations, in order. Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: engagements, profile snapshots, extensions, scope, activity log.
    "CREATE TABLE engagements (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        processor TEXT NOT NULL,
        kind TEXT NOT NULL,
        ordered_trigger TEXT,
        body TEXT,
        affiliates TEXT NOT NULL,
        lead_auditor TEXT,
        team TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        start_date TEXT NOT NULL,
        deadline TEXT,
        catalog TEXT NOT NULL,
        status TEXT NOT NULL,
        independence TEXT NOT NULL,
        override_reason TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        log_len BIGINT NOT NULL,
        log_head TEXT NOT NULL
    );
    CREATE TABLE profile_snapshots (
        engagement_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        taken_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        profile TEXT NOT NULL,
        PRIMARY KEY (engagement_id, version)
    );
    CREATE TABLE extensions (
        engagement_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        until_date TEXT NOT NULL,
        approval TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (engagement_id, seq)
    );
    CREATE TABLE scope (
        engagement_id TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        computed TEXT NOT NULL,
        reason TEXT NOT NULL,
        decision TEXT NOT NULL,
        decision_reason TEXT,
        decided_by TEXT,
        PRIMARY KEY (engagement_id, checkpoint)
    );
    CREATE TABLE activity (
        engagement_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (engagement_id, seq)
    )",
    // 2: working papers, findings, the rectification ledger.
    "CREATE TABLE working_papers (
        engagement_id TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        procedures TEXT NOT NULL,
        population TEXT,
        sample TEXT,
        evidence TEXT NOT NULL,
        result TEXT NOT NULL,
        observations TEXT NOT NULL,
        status TEXT NOT NULL,
        prepared_by TEXT,
        prepared_at TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT,
        revision BIGINT NOT NULL,
        PRIMARY KEY (engagement_id, checkpoint)
    );
    CREATE TABLE findings (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (engagement_id, code)
    );
    CREATE TABLE rectifications (
        engagement_id TEXT NOT NULL,
        finding TEXT NOT NULL,
        seq BIGINT NOT NULL,
        owner TEXT NOT NULL,
        measure TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL,
        verification TEXT,
        closed_on TEXT,
        PRIMARY KEY (engagement_id, finding, seq)
    );
    ALTER TABLE engagements ADD COLUMN rectification_done TEXT;
    ALTER TABLE engagements ADD COLUMN rectification_report_due TEXT",
    // 3: the evidence vault: per-engagement keys, encrypted content-addressed blobs, and
    // evidence records. {blob} is BLOB (SQLite) or BYTEA (PostgreSQL).
    "CREATE TABLE engagement_keys (
        engagement_id TEXT PRIMARY KEY,
        key_bytes {blob} NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE evidence_blobs (
        engagement_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        nonce {blob} NOT NULL,
        ciphertext {blob} NOT NULL,
        PRIMARY KEY (engagement_id, sha256)
    );
    CREATE TABLE evidence (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        kind TEXT NOT NULL,
        collector TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        effective_date TEXT,
        source TEXT NOT NULL,
        description TEXT NOT NULL,
        checkpoints TEXT NOT NULL,
        PRIMARY KEY (engagement_id, code)
    )",
    // 4: closing and deletion records (what remains of a purged engagement).
    "ALTER TABLE engagements ADD COLUMN closed_at TEXT;
    CREATE TABLE deletion_records (
        code TEXT PRIMARY KEY,
        purged_at TEXT NOT NULL,
        record TEXT NOT NULL,
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL
    )",
];

/// An open store.
pub struct Store {
    pool: AnyPool,
    rt: tokio::runtime::Runtime,
    pub backend: Backend,
    /// The location, without a password, for messages.
    pub location: String,
}

/// A query parameter.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Int(n)
    }
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Arg {
        s.map(Arg::Text).unwrap_or(Arg::Null)
    }
}

fn bind<'q>(sql: &str, args: &[Arg]) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    // The SQL is ours (constants with `$n` parameters); values are always bound.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(n) => q.bind(*n),
            Arg::Bytes(b) => q.bind(b.clone()),
            Arg::Null => q.bind(None::<String>),
        };
    }
    q
}

/// Column helpers for rows.
pub trait RowExt {
    fn bytes(&self, i: usize) -> Vec<u8>;
    fn text(&self, i: usize) -> String;
    fn opt(&self, i: usize) -> Option<String>;
    fn int(&self, i: usize) -> i64;
}

impl RowExt for AnyRow {
    fn bytes(&self, i: usize) -> Vec<u8> {
        self.try_get::<Vec<u8>, _>(i).unwrap_or_default()
    }
    fn text(&self, i: usize) -> String {
        self.try_get::<String, _>(i).unwrap_or_default()
    }
    fn opt(&self, i: usize) -> Option<String> {
        self.try_get::<Option<String>, _>(i).ok().flatten()
    }
    fn int(&self, i: usize) -> i64 {
        self.try_get::<i64, _>(i).unwrap_or_default()
    }
}

/// A transaction: commit it, or drop it to roll back (on any early return with an error,
/// nothing of it is written).
pub struct Tx<'s> {
    store: &'s Store,
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
}

impl Tx<'_> {
    pub fn exec(&mut self, sql: &str, args: &[Arg]) -> Result<u64, AuditError> {
        let q = bind(sql, args);
        let tx = self
            .tx
            .as_mut()
            .expect("a transaction is used until committed");
        let r = self
            .store
            .rt
            .block_on(q.execute(&mut **tx))
            .map_err(AuditError::db)?;
        Ok(r.rows_affected())
    }

    pub fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<AnyRow>, AuditError> {
        let q = bind(sql, args);
        let tx = self
            .tx
            .as_mut()
            .expect("a transaction is used until committed");
        self.store
            .rt
            .block_on(q.fetch_all(&mut **tx))
            .map_err(AuditError::db)
    }

    pub fn commit(mut self) -> Result<(), AuditError> {
        let tx = self.tx.take().expect("committed once");
        self.store.rt.block_on(tx.commit()).map_err(AuditError::db)
    }
}

impl Drop for Tx<'_> {
    /// Rolls back inside the runtime: sqlx needs it to return the connection to the pool.
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = self.store.rt.block_on(tx.rollback());
        }
    }
}

impl Store {
    /// Opens (creating if needed) a SQLite file by path or `sqlite://` URL, or a
    /// PostgreSQL database by `postgres://` URL, and brings its schema up to date.
    pub fn open(target: &str) -> Result<Store, AuditError> {
        sqlx::any::install_default_drivers();
        let (backend, url) =
            if target.starts_with("postgres://") || target.starts_with("postgresql://") {
                (Backend::Postgres, target.to_string())
            } else {
                let path = target.strip_prefix("sqlite://").unwrap_or(target);
                let path = path.split('?').next().unwrap_or(path);
                (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
            };
        let location = redact(target);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AuditError::Db(e.to_string()))?;
        let pool = rt
            .block_on(AnyPoolOptions::new().max_connections(1).connect(&url))
            .map_err(|e| AuditError::Db(format!("cannot open {location}: {e}")))?;
        let store = Store {
            pool,
            rt,
            backend,
            location,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Rewrites a SQLite file so that deleted rows leave no readable trace in free pages
    /// (PostgreSQL reclaims space with its own VACUUM; see the README).
    pub fn compact(&self) -> Result<(), AuditError> {
        if self.backend == Backend::Sqlite {
            let q = sqlx::query("VACUUM");
            self.rt
                .block_on(q.execute(&self.pool))
                .map_err(AuditError::db)?;
        }
        Ok(())
    }

    pub fn begin(&self) -> Result<Tx<'_>, AuditError> {
        let tx = self
            .rt
            .block_on(self.pool.begin())
            .map_err(AuditError::db)?;
        Ok(Tx {
            store: self,
            tx: Some(tx),
        })
    }

    /// Rows of a read-only query.
    pub fn rows(&self, sql: &str, args: &[Arg]) -> Result<Vec<AnyRow>, AuditError> {
        let q = bind(sql, args);
        self.rt
            .block_on(q.fetch_all(&self.pool))
            .map_err(AuditError::db)
    }

    /// The schema version in force.
    pub fn version(&self) -> Result<i64, AuditError> {
        let rows = self.rows("SELECT MAX(version) FROM hegui_schema", &[])?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
            .unwrap_or(0))
    }

    fn migrate(&self) -> Result<(), AuditError> {
        let mut tx = self.begin()?;
        tx.exec("CREATE TABLE IF NOT EXISTS hegui_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)", &[])?;
        tx.commit()?;
        let current = self.version()?;
        if current > MIGRATIONS.len() as i64 {
            return Err(AuditError::Db(format!(
                "{} has schema version {current}, newer than this hegui knows ({}): upgrade hegui",
                self.location,
                MIGRATIONS.len()
            )));
        }
        let blob = match self.backend {
            Backend::Sqlite => "BLOB",
            Backend::Postgres => "BYTEA",
        };
        for (i, m) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let m = m.replace("{blob}", blob);
            let mut tx = self.begin()?;
            for stmt in m.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                tx.exec(stmt, &[])?;
            }
            tx.exec(
                "INSERT INTO hegui_schema (version, applied_at) VALUES ($1, $2)",
                &[(i as i64 + 1).into(), now().into()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }
}

/// Now, as RFC 3339 UTC text.
pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// A random identifier (16 hex digits).
pub fn new_id() -> Result<String, AuditError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A URL without its password.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((auth, host)) => format!(
                "{scheme}://{}@{host}",
                auth.split(':').next().unwrap_or(auth)
            ),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
