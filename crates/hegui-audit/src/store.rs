//! Storage: an embedded SQLite file by default, PostgreSQL when given a `postgres://` URL.
//! One code path (sqlx's `Any` driver), portable SQL (TEXT and BIGINT columns, `$n`
//! parameters, which SQLite accepts too), and migrations applied in order, each in a
//! transaction, recorded in `hegui_schema`.
//!
//! Every change happens in a transaction together with its activity-log entry: a write
//! that was acknowledged is committed, and a crash leaves the previous state.
//!
//! Many writers at once (several processes on one SQLite file, a server's tasks sharing a
//! pool) queue rather than fail: SQLite runs in WAL mode with a long busy timeout, and a
//! write transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), so it never
//! has to upgrade a read lock (which SQLite refuses at once instead of waiting). On
//! PostgreSQL a write takes a row lock on its engagement first ([`Store::write`]), so code
//! allocation (`EV-007`, `F-003`) and the log append are serial per engagement; a
//! serialization failure or deadlock is retried with a bounded backoff.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use crate::AuditError;

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The migration after which every engagement is given a logged baseline of its state.
const BASELINE_AFTER: usize = 5;

/// How long a writer waits for another's write lock (SQLite's busy timeout).
const BUSY_TIMEOUT_MS: u32 = 60_000;

/// How many times a write that failed for a passing reason (a PostgreSQL serialization
/// failure or deadlock, a SQLite lock that outlived the busy timeout) is tried in all.
const WRITE_ATTEMPTS: u32 = 8;

/// An open store.
pub struct Store {
    pool: AnyPool,
    /// Always there while the store is open (taken only by `drop`).
    rt: Option<tokio::runtime::Runtime>,
    /// SQLite has one writer at a time: this process's writers queue here, promptly and in
    /// turn, rather than in SQLite's busy handler, which polls with growing sleeps.
    writer: std::sync::Mutex<()>,
    /// A SQLite file's direct readers (reads outside a transaction).
    readers: Option<crate::reader::Readers>,
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

pub use crate::rows::{Row, RowExt, Value};

/// Something rows can be read from: the store, or a transaction (which sees its own writes).
pub trait Query {
    fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError>;
}

impl Query for &Store {
    fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError> {
        Store::rows(self, sql, args)
    }
}

impl Query for Tx<'_> {
    fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError> {
        Tx::rows(self, sql, args)
    }
}

/// A transaction: commit it, or drop it to roll back (on any early return with an error,
/// nothing of it is written).
///
/// Every row a transaction writes in an engagement's tables is named with [`Tx::touch`]
/// (or [`Tx::touch_table`]); the next activity-log entry records those rows' digests, so
/// the log binds the state. A transaction that wrote rows it did not log refuses to commit.
pub struct Tx<'s> {
    store: &'s Store,
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
    touched: Vec<crate::state::Touch>,
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
            .rt()
            .block_on(q.execute(&mut **tx))
            .map_err(AuditError::db)?;
        Ok(r.rows_affected())
    }

    pub fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError> {
        let q = bind(sql, args);
        let tx = self
            .tx
            .as_mut()
            .expect("a transaction is used until committed");
        let rows = self
            .store
            .rt()
            .block_on(q.fetch_all(&mut **tx))
            .map_err(AuditError::db)?;
        Ok(rows.into_iter().map(Row::Any).collect())
    }

    /// The backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        self.store.backend
    }

    /// Names a row this transaction created, changed or deleted: `key` is the table's
    /// primary key after the engagement column, as text. The next log entry records it.
    pub fn touch(&mut self, table: &'static str, key: &[&str]) {
        self.touched.push(crate::state::Touch::Row(
            table,
            key.iter().map(|k| k.to_string()).collect(),
        ));
    }

    /// Names a table whose rows of the engagement this transaction may have changed in any
    /// way (several deleted and inserted): the next log entry records all of them.
    pub fn touch_table(&mut self, table: &'static str) {
        self.touched.push(crate::state::Touch::Table(table));
    }

    /// The rows named since the last log entry (the log takes them).
    pub(crate) fn take_touched(&mut self) -> Vec<crate::state::Touch> {
        std::mem::take(&mut self.touched)
    }

    pub fn commit(mut self) -> Result<(), AuditError> {
        if !self.touched.is_empty() {
            // A programming error, but one that would leave the state unbound: refuse.
            return Err(AuditError::Db(format!(
                "internal error: rows written but not logged ({:?}); nothing was committed",
                self.touched
            )));
        }
        let tx = self.tx.take().expect("committed once");
        self.store
            .rt()
            .block_on(tx.commit())
            .map_err(AuditError::db)
    }
}

impl Drop for Tx<'_> {
    /// Rolls back inside the runtime: sqlx needs it to return the connection to the pool.
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = self.store.rt().block_on(tx.rollback());
        }
    }
}

impl Store {
    /// Opens (creating if needed) a SQLite file by path or `sqlite://` URL, or a
    /// PostgreSQL database by `postgres://` URL, and brings its schema up to date.
    pub fn open(target: &str) -> Result<Store, AuditError> {
        Store::open_pooled(target, 1)
    }

    /// Opens a store with up to `connections` connections, for callers that write from
    /// several threads at once (a server). The store is `Sync`: share it by reference.
    pub fn open_pooled(target: &str, connections: u32) -> Result<Store, AuditError> {
        Store::open_pooled_at(target, connections, crate::migrations::MIGRATIONS.len())
    }

    fn open_pooled_at(target: &str, connections: u32, upto: usize) -> Result<Store, AuditError> {
        sqlx::any::install_default_drivers();
        let mut file = None;
        let (backend, url) =
            if target.starts_with("postgres://") || target.starts_with("postgresql://") {
                (Backend::Postgres, target.to_string())
            } else {
                let path = target.strip_prefix("sqlite://").unwrap_or(target);
                let path = path.split('?').next().unwrap_or(path);
                // A database in memory is one connection's own: it is read through sqlx.
                if !path.is_empty() && path != ":memory:" {
                    file = Some(std::path::PathBuf::from(path));
                }
                (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
            };
        let location = redact(target);
        // A runtime with its own I/O thread: any number of threads may `block_on` it at once.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| AuditError::Db(e.to_string()))?;
        let options = AnyPoolOptions::new()
            .max_connections(connections.max(1))
            // A writer may queue behind others for a while (the busy timeout is a minute).
            .acquire_timeout(Duration::from_secs(120));
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(sqlx::AssertSqlSafe(format!(
                        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"
                    )))
                    .await?;
                    wal(conn).await
                })
            }),
            Backend::Postgres => options,
        };
        let pool = rt
            .block_on(options.connect(&url))
            .map_err(|e| AuditError::Db(format!("cannot open {location}: {e}")))?;
        let mut store = Store {
            pool,
            rt: Some(rt),
            writer: std::sync::Mutex::new(()),
            readers: None,
            backend,
            location,
        };
        store.migrate(upto)?;
        // Opened after the migrations, on the file they brought up to date.
        let busy = Duration::from_millis(u64::from(BUSY_TIMEOUT_MS));
        store.readers = file.map(|f| crate::reader::Readers::new(f, busy));
        Ok(store)
    }

    /// Opens a store migrated only up to an older schema version (`upto` migrations), as
    /// an older hegui would have left it: for the tests of upgrading stores. Not for use.
    #[doc(hidden)]
    pub fn open_legacy(target: &str, upto: usize) -> Result<Store, AuditError> {
        Store::open_pooled_at(target, 1, upto)
    }

    /// Rewrites a SQLite file so that deleted rows leave no readable trace in free pages
    /// (PostgreSQL reclaims space with its own VACUUM; see the README).
    pub fn compact(&self) -> Result<(), AuditError> {
        if self.backend == Backend::Sqlite {
            let q = sqlx::query("VACUUM");
            self.rt()
                .block_on(q.execute(&self.pool))
                .map_err(AuditError::db)?;
            // VACUUM leaves the old pages in the WAL until a checkpoint: truncate it too.
            let q = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)");
            self.rt()
                .block_on(q.execute(&self.pool))
                .map_err(AuditError::db)?;
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it holds the write lock from its start
    /// (`BEGIN IMMEDIATE`), waiting up to the busy timeout for another writer to finish.
    pub fn begin(&self) -> Result<Tx<'_>, AuditError> {
        let tx = match self.backend {
            Backend::Sqlite => self.rt().block_on(self.pool.begin_with("BEGIN IMMEDIATE")),
            Backend::Postgres => self.rt().block_on(self.pool.begin()),
        }
        .map_err(AuditError::db)?;
        Ok(Tx {
            store: self,
            tx: Some(tx),
            touched: Vec::new(),
        })
    }

    /// Runs `f` in a write transaction that is serial with every other write to the same
    /// engagement (`engagement` is its id; `None` for writes that allocate across
    /// engagements, such as creating one), commits it, and tries again from the start
    /// when it failed for a passing reason. `f` must read what it depends on through the
    /// transaction, since it may run more than once.
    pub fn write<T>(
        &self,
        engagement: Option<&str>,
        mut f: impl FnMut(&mut Tx) -> Result<T, AuditError>,
    ) -> Result<T, AuditError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A writer that panicked left no transaction behind: the lock is still good.
            let turn = match self.backend {
                Backend::Sqlite => Some(self.writer.lock().unwrap_or_else(|p| p.into_inner())),
                Backend::Postgres => None,
            };
            let result = self.begin().and_then(|mut tx| {
                lock(&mut tx, engagement)?;
                let out = f(&mut tx)?;
                tx.commit()?;
                Ok(out)
            });
            drop(turn);
            match result {
                Err(AuditError::Busy(_)) if attempt < WRITE_ATTEMPTS => backoff(attempt),
                Err(AuditError::Busy(m)) => {
                    return Err(AuditError::Db(format!(
                        "the store stayed busy after {WRITE_ATTEMPTS} attempts: {m}"
                    )))
                }
                other => return other,
            }
        }
    }

    /// Rows of a read-only query: on a SQLite file read on this thread
    /// ([`crate::reader`]), otherwise through the pool.
    pub fn rows(&self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, AuditError> {
        if let Some(readers) = &self.readers {
            return readers.rows(sql, args);
        }
        let q = bind(sql, args);
        let rows = self
            .rt()
            .block_on(q.fetch_all(&self.pool))
            .map_err(AuditError::db)?;
        Ok(rows.into_iter().map(Row::Any).collect())
    }

    /// The schema version in force.
    pub fn version(&self) -> Result<i64, AuditError> {
        let mut s = self;
        version(&mut s)
    }

    fn migrate(&self, upto: usize) -> Result<(), AuditError> {
        // Several processes may open a new store at once: each migration is applied in a
        // write transaction that re-reads the version under the lock.
        self.write(None, |tx| {
            tx.exec("CREATE TABLE IF NOT EXISTS hegui_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)", &[])?;
            Ok(())
        })?;
        let found = self.version()?;
        if found > crate::migrations::MIGRATIONS.len() as i64 {
            return Err(AuditError::Db(format!(
                "{} has schema version {found}, newer than this hegui knows ({}): upgrade hegui",
                self.location,
                crate::migrations::MIGRATIONS.len()
            )));
        }
        if found >= upto as i64 {
            return Ok(());
        }
        let blob = match self.backend {
            Backend::Sqlite => "BLOB",
            Backend::Postgres => "BYTEA",
        };
        self.write(None, |tx| {
            let current = version(tx)?;
            if current > crate::migrations::MIGRATIONS.len() as i64 {
                return Err(AuditError::Db(format!(
                    "{} has schema version {current}, newer than this hegui knows ({}): upgrade hegui",
                    self.location,
                    crate::migrations::MIGRATIONS.len()
                )));
            }
            for (i, m) in crate::migrations::MIGRATIONS.iter().enumerate().take(upto).skip(current as usize) {
                let m = m.replace("{blob}", blob);
                for stmt in m.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    tx.exec(stmt, &[])?;
                }
                tx.exec(
                    "INSERT INTO hegui_schema (version, applied_at) VALUES ($1, $2)",
                    &[(i as i64 + 1).into(), now().into()],
                )?;
                if i + 1 == BASELINE_AFTER {
                    crate::state::baseline_all(tx, BASELINE_AFTER)?;
                }
            }
            Ok(())
        })
    }
}

impl Store {
    fn rt(&self) -> &tokio::runtime::Runtime {
        self.rt.as_ref().expect("an open store has its runtime")
    }
}

impl Drop for Store {
    /// Closes the connections cleanly: SQLite then folds its write-ahead log into the file
    /// and removes it, so a closed store is one file again.
    fn drop(&mut self) {
        // Dropped on an async runtime's thread (a web server's state going away), blocking
        // is not allowed: close from a thread of our own instead.
        if tokio::runtime::Handle::try_current().is_ok() {
            // The runtime itself cannot be dropped here either: it goes with the thread.
            let (rt, pool) = (self.rt.take(), self.pool.clone());
            let _ = std::thread::spawn(move || {
                if let Some(rt) = rt {
                    rt.block_on(pool.close());
                }
            })
            .join();
            return;
        }
        self.rt().block_on(self.pool.close());
    }
}

fn version(q: &mut impl Query) -> Result<i64, AuditError> {
    let rows = q.rows("SELECT MAX(version) FROM hegui_schema", &[])?;
    Ok(rows.first().and_then(|r| r.opt_int(0)).unwrap_or(0))
}

/// Makes a write serial with the others it must not interleave with. SQLite's
/// `BEGIN IMMEDIATE` already serialises every write; PostgreSQL locks the engagement's row
/// (or, for writes across engagements, a transaction-wide advisory lock).
fn lock(tx: &mut Tx, engagement: Option<&str>) -> Result<(), AuditError> {
    if tx.backend() != Backend::Postgres {
        return Ok(());
    }
    match engagement {
        Some(id) => {
            tx.rows(
                "SELECT id FROM engagements WHERE id = $1 FOR UPDATE",
                &[id.into()],
            )?;
        }
        None => {
            // Any number unique to hegui: the key of "writes across engagements".
            tx.exec("SELECT pg_advisory_xact_lock(4861402934)", &[])?;
        }
    }
    Ok(())
}

/// Switches a SQLite file to write-ahead logging (readers never block the writer), trying
/// again while another connection holds the lock the switch needs.
async fn wal(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    let mut tries = 0;
    loop {
        match conn.execute("PRAGMA journal_mode = WAL").await {
            Ok(_) => return Ok(()),
            Err(e) if tries < 200 && is_busy(&e) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether an error is a passing one that a retry of the whole transaction may clear.
pub(crate) fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            // PostgreSQL: serialization_failure, deadlock_detected; SQLite: BUSY, LOCKED
            // and their extended codes (BUSY_SNAPSHOT 517, LOCKED_SHAREDCACHE 262 …).
            matches!(code.as_ref(), "40001" | "40P01")
                || code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }
        _ => false,
    }
}

/// Waits before another attempt: exponential with jitter, 20 ms … about 2.5 s.
fn backoff(attempt: u32) {
    let base = 10u64 << attempt.min(7);
    let jitter = u64::from(random_u16()) % base;
    std::thread::sleep(Duration::from_millis(base + jitter));
}

fn random_u16() -> u16 {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    u16::from_le_bytes(b)
}

/// Now, as RFC 3339 UTC text.
/// Today in China Standard Time (UTC+8), the zone of every PRC deadline.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::Offset::constant(8).to_time_zone())
        .date()
}

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
