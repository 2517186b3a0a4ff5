//! Tasks counted by an engine give the report `scan()` gives: a table's rows split into
//! partitions (1, 2 and 7) and batches, each partition scanned by its own `Task`, the keys
//! counted as Spark counts them (distinct per kind and per column, `max(rank)` per kind
//! and register), and `lake_report` built from the parts: the same totals, people
//! estimate, column statistics and sketches as `hegui scan --full --sketches` of the same
//! rows as CSV.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use hegui_scan::task::{lake_report, ColumnCount, LakeCounts, Task, TaskParts};
use hegui_scan::{scan, Finding, Output, ScanOptions, ScanReport};

struct Nothing;

impl Output for Nothing {
    fn finding(&mut self, _: &Finding<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

fn opts() -> ScanOptions {
    common::full_scan()
}

fn dir(name: &str) -> PathBuf {
    common::scratch("task", name)
}

/// A CSV's header and rows (an empty cell is `None`).
fn rows_of(csv: &Path) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let mut r = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (0..header.len())
                .map(|i| rec.get(i).filter(|v| !v.is_empty()).map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// One column of some rows in Arrow's layout (nulls for empty cells).
fn column(rows: &[Vec<Option<String>>], c: usize) -> (Vec<i32>, Vec<u8>, Vec<u8>) {
    let mut offsets = vec![0i32];
    let mut data = Vec::new();
    let mut validity = vec![0u8; rows.len().div_ceil(8)];
    for (i, row) in rows.iter().enumerate() {
        if let Some(v) = &row[c] {
            data.extend_from_slice(v.as_bytes());
            validity[i >> 3] |= 1 << (i & 7);
        }
        offsets.push(data.len() as i32);
    }
    (offsets, data, validity)
}

/// What Spark's aggregates compute from every task's keys.
#[derive(Default)]
struct Engine {
    kinds: HashMap<String, BTreeSet<u64>>,
    columns: HashMap<(String, String), BTreeSet<u64>>,
    registers: HashMap<String, BTreeMap<u32, u8>>,
}

impl Engine {
    fn counts(&self, source: &str) -> LakeCounts {
        LakeCounts {
            kinds: self
                .kinds
                .iter()
                .map(|(k, s)| (k.clone(), s.len() as u64))
                .collect(),
            columns: self
                .columns
                .iter()
                .map(|((column, kind), s)| ColumnCount {
                    source: source.into(),
                    column: column.clone(),
                    kind: kind.clone(),
                    distinct: s.len() as u64,
                })
                .collect(),
            registers: self
                .registers
                .iter()
                .map(|(k, r)| (k.clone(), r.iter().map(|(&a, &b)| (a, b)).collect()))
                .collect(),
        }
    }
}

/// Scans `rows` in `partitions` tasks of batches of `batch` rows; the report.
fn by_tasks(
    header: &[String],
    rows: &[Vec<Option<String>>],
    partitions: usize,
    batch: usize,
) -> ScanReport {
    let o = opts();
    let mut engine = Engine::default();
    let mut parts: Vec<TaskParts> = Vec::new();
    let per = rows.len().div_ceil(partitions);
    for part in rows.chunks(per.max(1)) {
        let mut task = Task::new("people", &o).unwrap();
        for b in part.chunks(batch) {
            task.batch(|s| {
                for (c, name) in header.iter().enumerate() {
                    let id = s.column(name);
                    let (offsets, data, validity) = column(b, c);
                    s.utf8(id, &offsets, &data, Some(&validity), 0, b.len())?;
                }
                Ok(())
            })
            .unwrap();
            let names: Vec<String> = task.columns().map(String::from).collect();
            for k in task.drain_keys() {
                let kind = k.kind.id().to_string();
                engine.kinds.entry(kind.clone()).or_default().insert(k.key);
                let col = names[k.column as usize].clone();
                engine
                    .columns
                    .entry((col, kind.clone()))
                    .or_default()
                    .insert(k.key);
                let r = engine.registers.entry(kind).or_default();
                let rank = r.entry(k.register).or_default();
                *rank = (*rank).max(k.rank);
            }
        }
        // Parts travel as JSON from the executors to the driver.
        let json = serde_json::to_string(&task.finish()).unwrap();
        parts.push(serde_json::from_str(&json).unwrap());
    }
    // The engine returns parts in any order.
    parts.reverse();
    lake_report(&o, &parts, &engine.counts("people")).unwrap()
}

/// The parts of a report that must agree: totals, estimate, sketches, and per column its
/// cells and kinds (by name).
fn essentials(r: &ScanReport) -> serde_json::Value {
    let v = serde_json::to_value(r).unwrap();
    let mut fields: Vec<serde_json::Value> = v["sources"][0]["fields"].as_array().unwrap().clone();
    fields.sort_by_key(|f| f["name"].as_str().unwrap().to_string());
    serde_json::json!({
        "totals": v["totals"], "estimate": v["estimate"], "sketches": v["sketches"],
        "records": v["sources"][0]["records"], "fields": fields,
    })
}

#[test]
fn tasks_counted_by_an_engine_give_the_scan_report() {
    let d = dir("people");
    let o = hegui_scan::synth::GenOptions {
        people: 3000,
        log_lines: 10,
        gbk_rows: 0,
        db_rows: 0,
        ..Default::default()
    };
    hegui_scan::synth::generate(&d, &o).unwrap();
    let csv = d.join("customers.csv");
    let expected = scan(std::slice::from_ref(&csv), &opts(), &mut Nothing).unwrap();
    let (header, rows) = rows_of(&csv);
    let want = essentials(&expected);
    assert!(
        want["sketches"].as_object().is_some_and(|s| s.len() >= 3),
        "{}",
        want["sketches"]
    );
    for (partitions, batch) in [(1, 10_000), (2, 1000), (7, 333)] {
        let got = by_tasks(&header, &rows, partitions, batch);
        assert_eq!(
            essentials(&got),
            want,
            "{partitions} partitions, batches of {batch}"
        );
        assert_eq!(got.sources[0].format, "spark");
    }
}

#[test]
fn a_report_with_a_register_no_key_gives_is_refused() {
    let counts = LakeCounts {
        kinds: [("cn_mobile".to_string(), 1)].into(),
        registers: [("cn_mobile".to_string(), vec![(3, 99)])].into(),
        ..Default::default()
    };
    let e = lake_report(&opts(), &[], &counts).unwrap_err();
    assert!(e.contains("rank 99"), "{e}");
    let counts = LakeCounts {
        kinds: [("no_such_kind".to_string(), 1)].into(),
        ..Default::default()
    };
    let e = lake_report(&opts(), &[], &counts).unwrap_err();
    assert!(e.contains("no_such_kind"), "{e}");
}

#[test]
fn a_value_repeated_in_a_partition_is_handed_out_once() {
    let mut task = Task::new("orders", &opts()).unwrap();
    let phones = "13812345678".repeat(3);
    let offsets: Vec<i32> = vec![0, 11, 22, 33];
    for _ in 0..2 {
        task.batch(|s| {
            let c = s.column("手机号");
            s.utf8(c, &offsets, phones.as_bytes(), None, 0, 3)
        })
        .unwrap();
    }
    let keys = task.drain_keys();
    assert_eq!(keys.len(), 1, "six cells, one value: {keys:?}");
    let parts = task.finish();
    assert_eq!(parts.records, 6);
    assert_eq!(parts.kinds[0].matches, 6, "every match is still counted");
}
