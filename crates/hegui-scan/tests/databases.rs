//! Database sources against real servers: SQLite always; PostgreSQL (127.0.0.1:5432) and
//! MySQL/MariaDB (127.0.0.1:3306) when reachable. Override with HEGUI_TEST_POSTGRES_URL and
//! HEGUI_TEST_MYSQL_URL. Locally an absent server skips its test with a message on stderr;
//! under CI (CI set) an absent server fails the test, since .ci/run starts both.

use std::path::PathBuf;

use hegui_scan::{scan, Finding, Output, Sample, ScanOptions};
use sqlx::Connection;

#[derive(Default)]
struct Collect(Vec<(String, String, Option<u64>, Option<String>)>);

impl Output for Collect {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push((
            f.source.to_string(),
            f.kind.to_string(),
            f.row,
            f.column.map(String::from),
        ));
        Ok(())
    }
}

fn id() -> String {
    let body = "44030119851231456";
    format!(
        "{body}{}",
        hegui_scan::validate::id_card::check_char(body.as_bytes()) as char
    )
}

fn opts(table: &str) -> ScanOptions {
    let mut o = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    o.sample = Sample::Full;
    o.tables = vec![table.to_string()];
    o
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs statements; `None` when the server is not reachable.
fn setup(url: &str, statements: &[String]) -> Option<()> {
    sqlx::any::install_default_drivers();
    rt().block_on(async {
        let mut conn = match sqlx::AnyConnection::connect(url).await {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("database not reachable at {url}: {e}");
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{msg} (CI must have it: .ci/run starts it)"
                );
                eprintln!("SKIPPED: {msg}");
                return None;
            }
        };
        for s in statements {
            sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        Some(())
    })
}

fn check(found: &Collect, table: &str) {
    let kinds: Vec<(&str, Option<&str>)> = found
        .0
        .iter()
        .map(|f| (f.1.as_str(), f.3.as_deref()))
        .collect();
    assert!(
        kinds.contains(&("cn_resident_id", Some("id_no"))),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("cn_mobile", Some("mobile"))), "{kinds:?}");
    assert!(kinds.contains(&("person_name", Some("姓名"))), "{kinds:?}");
    assert!(
        !kinds.iter().any(|k| k.1 == Some("order_no")),
        "order numbers are not PI: {kinds:?}"
    );
    assert!(
        found.0.iter().all(|f| f.0.ends_with(table)),
        "{:?}",
        found.0
    );
    assert!(
        found.0.iter().all(|f| !f.0.contains("secret")),
        "passwords never appear in source names"
    );
}

fn rows_sql(table: &str, q: char) -> Vec<String> {
    let body = "11010119900307123";
    let other = format!(
        "{body}{}",
        hegui_scan::validate::id_card::check_char(body.as_bytes()) as char
    );
    vec![
        format!("DROP TABLE IF EXISTS {table}"),
        format!("CREATE TABLE {table} (n INTEGER, {q}姓名{q} VARCHAR(20), id_no VARCHAR(20), mobile VARCHAR(20), order_no VARCHAR(20), amount DECIMAL(10,2))"),
        format!("INSERT INTO {table} VALUES (1, '张伟', '{}', '13812345678', '{other}', 12.50)", id()),
        format!("INSERT INTO {table} VALUES (2, '李娜', '{other}', '13912345678', '{}', NULL)", id()),
    ]
}

/// A new SQLite file `name` in a directory of its own (returned too), made by `statements`.
fn sqlite_file(name: &str, statements: &[String]) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("hegui-db-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.sqlite"));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    setup(&url, statements).expect("SQLite is always available");
    (dir, path)
}

#[test]
fn sqlite_file_read_only() {
    let (dir, path) = sqlite_file("crm", &rows_sql("people", '"'));
    let before = std::fs::read(&path).unwrap();
    let mut c = Collect::default();
    let report = scan(&[PathBuf::from(&path)], &opts("people"), &mut c).unwrap();
    check(&c, "#people");
    assert_eq!(report.sources[0].records, 2);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the scanned database is not modified"
    );
    // Found by its name in a directory scan too.
    let mut c = Collect::default();
    scan(std::slice::from_ref(&dir), &opts("people"), &mut c).unwrap();
    assert!(!c.0.is_empty());
}

#[test]
fn postgresql_table() {
    let url = std::env::var("HEGUI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let table = "hegui_scan_test_people";
    if setup(&url, &rows_sql(table, '"')).is_none() {
        return;
    }
    let mut c = Collect::default();
    let report = scan(&[PathBuf::from(&url)], &opts(table), &mut c).unwrap();
    check(&c, &format!("#public.{table}"));
    assert_eq!(report.sources[0].format, "postgresql");
    // A missing table is reported, not fatal.
    let mut c = Collect::default();
    let report = scan(&[PathBuf::from(&url)], &opts("no_such_table_here"), &mut c).unwrap();
    assert!(report.sources[0]
        .error
        .as_deref()
        .unwrap()
        .contains("no such table"));
    setup(&url, &[format!("DROP TABLE {table}")]);
}

#[test]
fn mysql_table() {
    let url = std::env::var("HEGUI_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
    let table = "hegui_scan_test_people";
    if setup(&url, &rows_sql(table, '`')).is_none() {
        return;
    }
    let mut c = Collect::default();
    let report = scan(&[PathBuf::from(&url)], &opts(table), &mut c).unwrap();
    check(&c, &format!("#test.{table}"));
    assert_eq!(report.sources[0].format, "mysql");
    setup(&url, &[format!("DROP TABLE {table}")]);
}

#[test]
fn unreachable_server_is_a_source_error() {
    let mut c = Collect::default();
    let report = scan(
        &[PathBuf::from("postgres://nobody:secret@127.0.0.1:9/none")],
        &opts("t"),
        &mut c,
    )
    .unwrap();
    let e = report.sources[0].error.as_deref().unwrap();
    assert!(e.contains("cannot connect"), "{e}");
    assert!(
        !e.contains("secret") && !report.sources[0].source.contains("secret"),
        "{e}"
    );
}

/// The mobiles a random sample of a table finds (values shown), in order.
fn sampled_mobiles(target: &str, table: &str, sample: Sample) -> Vec<String> {
    #[derive(Default)]
    struct Values(Vec<String>);
    impl Output for Values {
        fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
            if f.kind == "cn_mobile" {
                self.0
                    .push(format!("{}:{}", f.row.unwrap_or(0), f.value.unwrap_or("")));
            }
            Ok(())
        }
    }
    let mut o = opts(table);
    o.sample = sample;
    o.show_values = true;
    let mut v = Values::default();
    scan(&[PathBuf::from(target)], &o, &mut v).unwrap();
    v.0
}

fn many_rows_sql(table: &str) -> Vec<String> {
    let values: Vec<String> = (0..60).map(|i| format!("({i}, '1381234{i:04}')")).collect();
    vec![
        format!("DROP TABLE IF EXISTS {table}"),
        format!("CREATE TABLE {table} (n INTEGER, mobile VARCHAR(20))"),
        format!("INSERT INTO {table} VALUES {}", values.join(", ")),
    ]
}

/// A random sample is the same for the same seed (an auditor's sample can be drawn
/// again), differs for another seed, and has the size asked for.
fn random_samples_repeat_with_their_seed(target: &str, table: &str) {
    let rows = |seed| Sample::RandomRows { rows: 10, seed };
    let first = sampled_mobiles(target, table, rows(1));
    assert_eq!(first.len(), 10, "{first:?}");
    assert_eq!(sampled_mobiles(target, table, rows(1)), first);
    assert_ne!(sampled_mobiles(target, table, rows(2)), first);
    let percent = |seed| Sample::Percent {
        percent: 25.0,
        seed,
    };
    let p = sampled_mobiles(target, table, percent(5));
    assert!(!p.is_empty() && p.len() < 60, "{p:?}");
    assert_eq!(sampled_mobiles(target, table, percent(5)), p);
}

#[test]
fn random_samples_of_tables_repeat_with_their_seed() {
    // SQLite (always there): sampled as it is read, as files are.
    let (_, path) = sqlite_file("many", &many_rows_sql("many"));
    random_samples_repeat_with_their_seed(&path.display().to_string(), "many");
    // Servers: drawn by the server in an order fixed by the seed and each row.
    let table = "hegui_scan_test_sample";
    let pg = std::env::var("HEGUI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if setup(&pg, &many_rows_sql(table)).is_some() {
        random_samples_repeat_with_their_seed(&pg, table);
        setup(&pg, &[format!("DROP TABLE {table}")]);
    }
    let my = std::env::var("HEGUI_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into());
    if setup(&my, &many_rows_sql(table)).is_some() {
        random_samples_repeat_with_their_seed(&my, table);
        setup(&my, &[format!("DROP TABLE {table}")]);
    }
}
