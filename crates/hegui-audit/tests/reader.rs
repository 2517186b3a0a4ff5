//! The direct SQLite reader (reads outside a transaction) against sqlx (reads inside one):
//! the same values, read alike, parameters bound by their number, and committed writes
//! seen at once from another thread.

mod common;

use common::sqlite;
use hegui_audit::store::{Arg, Row, RowExt, Store};

/// One value of every storage class, and the parameters out of order (`$2` before `$1`).
const SQL: &str = "SELECT $2, $1, 42, 1.5, NULL, x'00ff', '文本', $3";

fn args() -> Vec<Arg> {
    vec![
        Arg::Text("first".into()),
        Arg::Int(-7),
        Arg::Bytes(vec![1, 2, 3]),
    ]
}

/// What every helper reads of every column.
type Readings = Vec<(
    String,
    Option<String>,
    i64,
    Option<i64>,
    Vec<u8>,
    Option<Vec<u8>>,
)>;

fn read(row: &Row, columns: usize) -> Readings {
    (0..columns)
        .map(|i| {
            (
                row.text(i),
                row.opt(i),
                row.int(i),
                row.opt_int(i),
                row.bytes(i),
                row.opt_bytes(i),
            )
        })
        .collect()
}

fn through_sqlx(store: &Store) -> Readings {
    let mut tx = store.begin().unwrap();
    let rows = tx.rows(SQL, &args()).unwrap();
    read(&rows[0], 8)
}

#[test]
fn both_paths_read_every_value_alike() {
    let store = sqlite("reader-alike");
    let direct = store.rows(SQL, &args()).unwrap();
    assert!(matches!(direct[0], Row::Values(_)), "the direct reader ran");
    let direct = read(&direct[0], 8);
    assert_eq!(direct, through_sqlx(&store));
    // The parameters went where their numbers say.
    assert_eq!(direct[0].3, Some(-7));
    assert_eq!(direct[1].1.as_deref(), Some("first"));
    assert_eq!(direct[7].5.as_deref(), Some(&[1u8, 2, 3][..]));
    // A value reads only as what it is: an integer is no text, a null nothing.
    assert_eq!(direct[2], (String::new(), None, 42, Some(42), vec![], None));
    assert_eq!(direct[4], (String::new(), None, 0, None, vec![], None));
}

#[test]
fn a_committed_write_is_read_at_once_from_another_thread() {
    let store = sqlite("reader-sees-writes");
    let count = |s: &Store| s.rows("SELECT COUNT(*) FROM users", &[]).unwrap()[0].int(0);
    let before = count(&store);
    std::thread::scope(|scope| {
        for i in 0..4 {
            let store = &store;
            scope.spawn(move || {
                hegui_audit::accounts::add(
                    store,
                    &format!("reader{i}"),
                    "Reader",
                    "a long enough passphrase 7",
                    false,
                )
                .unwrap();
                // This thread's own write, read back through the direct reader.
                let name = format!("reader{i}");
                let rows = store
                    .rows(
                        "SELECT name FROM users WHERE name = $1",
                        &[name.clone().into()],
                    )
                    .unwrap();
                assert_eq!(rows.len(), 1);
                assert_eq!(rows[0].text(0), name);
            });
        }
    });
    assert_eq!(count(&store), before + 4);
}

#[test]
fn a_query_the_reader_cannot_run_is_an_error_not_a_panic() {
    let store = sqlite("reader-errors");
    let e = store.rows("SELECT nothing FROM no_such_table", &[]);
    assert!(e.is_err());
    // Fewer arguments than the statement numbers.
    let e = store.rows("SELECT $1, $2", &[Arg::Int(1)]);
    assert!(e.is_err());
}
