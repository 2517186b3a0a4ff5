//! Databases: SQLite files (opened read-only), PostgreSQL and MySQL/MariaDB by URL. Each
//! table is a source; every column is read as text (`CAST … AS TEXT` in SQL), binary
//! columns are skipped. Sampling becomes `LIMIT n` (first rows) or, for a random sample
//! on a server, an order by a hash of each row's content and the seed (`LIMIT n` of a
//! seeded shuffle: the same seed draws the same rows however the server stores them); a
//! full scan streams the table.
//!
//! Nothing is written to a scanned database. Passwords never appear in source names.

use sqlx::{any::AnyPoolOptions, AnyPool, Row};

/// The database kind behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    /// From a URL's scheme.
    pub fn of(url: &str) -> Option<Backend> {
        let scheme = url
            .split_once("://")
            .map(|(s, _)| s)
            .or_else(|| url.split_once(':').map(|(s, _)| s))?;
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }

    fn quote(self, ident: &str) -> String {
        match self {
            Backend::Mysql => format!("`{}`", ident.replace('`', "``")),
            _ => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }

    fn as_text(self, col: &str) -> String {
        match self {
            Backend::Postgres => format!("{}::text", self.quote(col)),
            Backend::Mysql => format!("CAST({} AS CHAR)", self.quote(col)),
            Backend::Sqlite => format!("CAST({} AS TEXT)", self.quote(col)),
        }
    }

    /// An expression (not a column name) as text.
    fn as_text_expr(self, expr: &str) -> String {
        match self {
            Backend::Postgres => format!("({expr})::text"),
            Backend::Mysql => format!("CAST({expr} AS CHAR)"),
            Backend::Sqlite => format!("CAST({expr} AS TEXT)"),
        }
    }

    /// An order of the rows of `from` (aliased `ROW_ALIAS`) that looks random but is fixed
    /// by the seed and each row's content: MD5 of the row as text and the seed. Rows with
    /// equal text tie, and are alike to the scan. `None` where SQL has no hash (SQLite,
    /// which is sampled as it is read instead).
    fn seeded_order(self, columns: &[String], seed: u64) -> Option<String> {
        let salt = literal(&format!("hegui-sample:{seed}"));
        match self {
            Backend::Postgres => Some(format!("md5(ROW({ROW_ALIAS}.*)::text || {salt})")),
            Backend::Mysql => {
                // NULL and '' differ (CONCAT_WS would skip a NULL); a unit separator
                // keeps ('a', 'b') and ('ab', '') apart.
                let parts: Vec<String> = columns
                    .iter()
                    .map(|c| format!("IFNULL({}, CHAR(30))", self.as_text(c)))
                    .chain([salt])
                    .collect();
                Some(format!("MD5(CONCAT_WS(CHAR(31), {}))", parts.join(", ")))
            }
            Backend::Sqlite => None,
        }
    }

    /// Column types that hold bytes, not text.
    fn is_binary(self, ty: &str) -> bool {
        let t = ty.to_ascii_lowercase();
        t.contains("blob") || t.contains("bytea") || t.contains("binary")
    }
}

/// The alias of the table in a sampling SELECT (its rows are hashed by it).
const ROW_ALIAS: &str = "hegui_row";

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The URL with any password removed, for names in reports.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let host = host.split('?').next().unwrap_or(host);
    match auth {
        Some(a) => format!("{scheme}://{}@{host}", a.split(':').next().unwrap_or(a)),
        None => format!("{scheme}://{host}"),
    }
}

/// A table to scan and its text columns.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: Option<String>,
    pub name: String,
    pub columns: Vec<String>,
    pub skipped: Vec<String>,
}

impl Table {
    pub fn qualified(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// A connection to one database.
pub struct Db {
    pub backend: Backend,
    pub pool: AnyPool,
    pub rt: tokio::runtime::Runtime,
}

/// Opens a database by URL (a SQLite path is opened read-only).
pub fn connect(url: &str) -> Result<Db, String> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url).ok_or_else(|| format!("{}: not a database URL", redact(url)))?;
    let url = match backend {
        Backend::Mysql => url.replacen("mariadb://", "mysql://", 1),
        Backend::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=ro", if url.contains('?') { "&" } else { "?" })
        }
        _ => url.to_string(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // One direct connection first: a refused or unknown server fails at once with its real
    // error, instead of the pool retrying until its timeout.
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&url).await?.close().await
    })
    .map_err(|e| format!("cannot connect to {}: {e}", redact(&url)))?;
    let pool = rt
        .block_on(
            AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .connect(&url),
        )
        .map_err(|e| format!("cannot connect to {}: {e}", redact(&url)))?;
    Ok(Db { backend, pool, rt })
}

impl Db {
    fn strings(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        // Built from escaped identifiers and literals only (see `quote` and `literal`).
        let q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
        let rows = self
            .rt
            .block_on(q.fetch_all(&self.pool))
            .map_err(|e| e.to_string())?;
        Ok(rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<Option<String>, _>(i).ok().flatten())
                    .collect()
            })
            .collect())
    }

    /// The tables of a schema (default: `public`, the URL's database, or `main`), or the
    /// listed ones (`name` or `schema.name`).
    pub fn tables(&self, schema: Option<&str>, only: &[String]) -> Result<Vec<Table>, String> {
        let list_sql = match self.backend {
            Backend::Sqlite => "SELECT name, NULL FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name".to_string(),
            Backend::Postgres => format!(
                "SELECT table_name::text, table_schema::text FROM information_schema.tables WHERE table_schema = {} AND table_type = 'BASE TABLE' ORDER BY table_name",
                literal(schema.unwrap_or("public"))
            ),
            Backend::Mysql => format!(
                "SELECT CAST(table_name AS CHAR), CAST(table_schema AS CHAR) FROM information_schema.tables WHERE table_schema = {} AND table_type = 'BASE TABLE' ORDER BY table_name",
                schema.map(literal).unwrap_or_else(|| "DATABASE()".into())
            ),
        };
        let mut names: Vec<(Option<String>, String)> = self
            .strings(&list_sql)?
            .into_iter()
            .filter_map(|r| r[0].clone().map(|n| (r.get(1).cloned().flatten(), n)))
            .collect();
        if !only.is_empty() {
            let wanted = |s: &Option<String>, n: &str| {
                only.iter()
                    .any(|o| o == n || s.as_deref().is_some_and(|s| *o == format!("{s}.{n}")))
            };
            let missing: Vec<&String> = only
                .iter()
                .filter(|o| {
                    !names
                        .iter()
                        .any(|(s, n)| wanted(s, n) && (*o == n || o.ends_with(&format!(".{n}"))))
                })
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "no such table: {}",
                    missing
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            names.retain(|(s, n)| wanted(s, n));
        }
        names.into_iter().map(|(s, n)| self.columns(s, n)).collect()
    }

    fn columns(&self, schema: Option<String>, name: String) -> Result<Table, String> {
        let sql = match self.backend {
            Backend::Sqlite => format!("SELECT name, type FROM pragma_table_info({})", literal(&name)),
            Backend::Postgres => format!(
                "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = {} AND table_name = {} ORDER BY ordinal_position",
                literal(schema.as_deref().unwrap_or("public")),
                literal(&name)
            ),
            Backend::Mysql => format!(
                "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) FROM information_schema.columns WHERE table_schema = {} AND table_name = {} ORDER BY ordinal_position",
                schema.as_deref().map(literal).unwrap_or_else(|| "DATABASE()".into()),
                literal(&name)
            ),
        };
        let mut columns = Vec::new();
        let mut skipped = Vec::new();
        for r in self.strings(&sql)? {
            let Some(c) = r[0].clone() else { continue };
            let ty = r.get(1).cloned().flatten().unwrap_or_default();
            if self.backend.is_binary(&ty) {
                skipped.push(c);
            } else {
                columns.push(c);
            }
        }
        Ok(Table {
            schema,
            name,
            columns,
            skipped,
        })
    }

    /// The number of rows of a table.
    pub fn count(&self, t: &Table) -> Result<u64, String> {
        let from = match &t.schema {
            Some(s) if self.backend != Backend::Sqlite => {
                format!("{}.{}", self.backend.quote(s), self.backend.quote(&t.name))
            }
            _ => self.backend.quote(&t.name),
        };
        let sql = format!(
            "SELECT {} FROM {from}",
            self.backend.as_text_expr("COUNT(*)")
        );
        let rows = self.strings(&sql)?;
        Ok(rows
            .first()
            .and_then(|r| r[0].as_deref())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// The SELECT that reads a table: its first `limit` rows, or with `seed`, `limit`
    /// rows in the seeded order of [`Backend::seeded_order`] (servers only).
    pub fn select(&self, t: &Table, limit: Option<u64>, seed: Option<u64>) -> String {
        let cols: Vec<String> = t.columns.iter().map(|c| self.backend.as_text(c)).collect();
        let from = match &t.schema {
            Some(s) if self.backend != Backend::Sqlite => {
                format!("{}.{}", self.backend.quote(s), self.backend.quote(&t.name))
            }
            _ => self.backend.quote(&t.name),
        };
        let mut sql = format!(
            "SELECT {} FROM {from} AS {ROW_ALIAS}",
            if cols.is_empty() {
                "NULL".into()
            } else {
                cols.join(", ")
            }
        );
        if let Some(order) = seed.and_then(|s| self.backend.seeded_order(&t.columns, s)) {
            sql.push_str(&format!(" ORDER BY {order}"));
        }
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_redaction() {
        assert_eq!(Backend::of("postgres://u:p@h/db"), Some(Backend::Postgres));
        assert_eq!(
            Backend::of("mariadb://root@127.0.0.1/test"),
            Some(Backend::Mysql)
        );
        assert_eq!(Backend::of("sqlite:///tmp/x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of("/tmp/x.db"), None);
        assert_eq!(
            redact("postgres://user:s3cret@db:5432/test?sslmode=disable"),
            "postgres://user@db:5432/test"
        );
        assert_eq!(
            redact("mysql://root@127.0.0.1:3306/test"),
            "mysql://root@127.0.0.1:3306/test"
        );
    }

    #[test]
    fn a_server_sample_is_ordered_by_a_hash_of_each_row_and_the_seed() {
        let t = Table {
            schema: Some("crm".into()),
            name: "people".into(),
            columns: vec!["name".into(), "mobile".into()],
            skipped: vec![],
        };
        assert_eq!(
            Backend::Postgres.seeded_order(&t.columns, 7).unwrap(),
            "md5(ROW(hegui_row.*)::text || 'hegui-sample:7')"
        );
        assert_eq!(
            Backend::Mysql.seeded_order(&t.columns, 7).unwrap(),
            "MD5(CONCAT_WS(CHAR(31), IFNULL(CAST(`name` AS CHAR), CHAR(30)), \
             IFNULL(CAST(`mobile` AS CHAR), CHAR(30)), 'hegui-sample:7'))"
        );
        // SQLite has no hash in SQL: its rows are sampled as they are read.
        assert_eq!(Backend::Sqlite.seeded_order(&t.columns, 7), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(Backend::Postgres.as_text("we\"ird"), "\"we\"\"ird\"::text");
        assert_eq!(Backend::Mysql.as_text("a`b"), "CAST(`a``b` AS CHAR)");
        assert_eq!(literal("o'k"), "'o''k'");
    }
}
