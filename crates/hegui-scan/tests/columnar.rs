//! `ColumnScan` over Arrow-layout slices gives what `scan()` gives for the same rows as
//! CSV: the same findings (kind, row, column), the same column statistics, exact totals
//! and sketches — with nulls and empty strings (no cells either way), a newline and quotes
//! in a cell, 32- and 64-bit offsets, a non-zero first value, and every column split into
//! 1, 2 and 7 chunks.

mod common;

use std::path::{Path, PathBuf};

use hegui_scan::columnar::scan_columns;
use hegui_scan::{scan, Finding, Output, ScanOptions, ScanReport};

#[derive(Default)]
struct Collect(Vec<(String, Option<u64>, Option<String>)>);

impl Output for Collect {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0
            .push((f.kind.to_string(), f.row, f.column.map(String::from)));
        Ok(())
    }
}

fn opts() -> ScanOptions {
    common::full_scan()
}

fn dir(name: &str) -> PathBuf {
    common::scratch("columnar", name)
}

/// A CSV's header and its columns (an empty cell is `None`).
fn columns_of(csv: &Path) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let mut r = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut cols = vec![Vec::new(); header.len()];
    for rec in r.records() {
        let rec = rec.unwrap();
        for (i, col) in cols.iter_mut().enumerate() {
            col.push(rec.get(i).filter(|v| !v.is_empty()).map(String::from));
        }
    }
    (header, cols)
}

/// One column in Arrow's layout: offsets, data, validity bitmap (bit set: present). Every
/// third missing value is a null and the others an empty string, so both are exercised.
fn arrow(values: &[Option<String>]) -> (Vec<i64>, Vec<u8>, Vec<u8>) {
    let mut offsets = vec![0i64];
    let mut data = Vec::new();
    let mut validity = vec![0u8; values.len().div_ceil(8)];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(s) => {
                data.extend_from_slice(s.as_bytes());
                validity[i >> 3] |= 1 << (i & 7);
            }
            // An empty string: present, no bytes.
            None if i % 3 != 0 => validity[i >> 3] |= 1 << (i & 7),
            // A null.
            None => {}
        }
        offsets.push(data.len() as i64);
    }
    (offsets, data, validity)
}

/// The parts of a report that must agree whatever the source's format.
fn essentials(r: &ScanReport) -> serde_json::Value {
    let v = serde_json::to_value(r).unwrap();
    let sources: Vec<_> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!({"records": s["records"], "fields": s["fields"]}))
        .collect();
    serde_json::json!({"totals": v["totals"], "estimate": v["estimate"], "sketches": v["sketches"], "sources": sources})
}

fn sorted(
    mut f: Vec<(String, Option<u64>, Option<String>)>,
) -> Vec<(String, Option<u64>, Option<String>)> {
    f.sort();
    f
}

/// Scans `csv` both ways, the columns in `chunks` chunks, with 64-bit offsets or 32-bit.
fn both_ways(csv: &Path, chunks: usize, large: bool) {
    let mut by_csv = Collect::default();
    let expected = scan(&[csv.to_path_buf()], &opts(), &mut by_csv).unwrap();
    let (header, cols) = columns_of(csv);
    let mut by_columns = Collect::default();
    let got = scan_columns(&opts(), &mut by_columns, |sources| {
        sources.source("customers", "arrow", |s| {
            let ids: Vec<u32> = header.iter().map(|h| s.column(h)).collect();
            for (id, values) in ids.iter().zip(&cols) {
                let (offsets, data, validity) = arrow(values);
                let n = values.len();
                let step = n.div_ceil(chunks).max(1);
                let mut first = 0;
                while first < n {
                    let len = step.min(n - first);
                    if large {
                        s.large_utf8(*id, &offsets, &data, Some(&validity), first, len)?;
                    } else {
                        let small: Vec<i32> = offsets.iter().map(|&o| o as i32).collect();
                        s.utf8(*id, &small, &data, Some(&validity), first, len)?;
                    }
                    first += len;
                }
            }
            Ok(())
        })
    })
    .unwrap();
    assert!(!by_csv.0.is_empty(), "the data holds personal information");
    assert_eq!(
        sorted(by_columns.0),
        sorted(by_csv.0),
        "findings, {chunks} chunk(s)"
    );
    assert_eq!(
        essentials(&got),
        essentials(&expected),
        "report, {chunks} chunk(s)"
    );
}

#[test]
fn columns_give_what_the_csv_path_gives() {
    let d = dir("synth");
    let o = hegui_scan::synth::GenOptions {
        people: 2000,
        log_lines: 10,
        gbk_rows: 0,
        db_rows: 0,
        ..Default::default()
    };
    hegui_scan::synth::generate(&d, &o).unwrap();
    let csv = d.join("customers.csv");
    for chunks in [1, 2, 7] {
        both_ways(&csv, chunks, chunks == 2);
    }
}

#[test]
fn edge_cells_give_what_the_csv_path_gives() {
    let d = dir("edges");
    let csv = d.join("edge.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record(["姓名", "手机号", "备注", "email"]).unwrap();
    let rows = [
        ["张伟", "13812345678", "", "zhang.wei@example.com"],
        ["", "", "联系人：李娜\n电话 13912345678", ""],
        [
            "王芳",
            "138****5678",
            "说 \"请回电\" 15012345678",
            "wang@example.cn",
        ],
        ["", "", "", ""],
        ["赵磊", "13712345678", "无", ""],
    ];
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    for chunks in [1, 2, 7] {
        both_ways(&csv, chunks, chunks == 7);
    }
}

#[test]
fn offsets_outside_the_data_are_an_error_not_a_panic() {
    let mut out = Collect::default();
    let e = scan_columns(&opts(), &mut out, |sources| {
        sources.source("t", "arrow", |s| {
            let c = s.column("phone");
            s.utf8(c, &[0, 11, 99], b"13812345678", None, 0, 2)
        })
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("outside the data"), "{e}");
}
