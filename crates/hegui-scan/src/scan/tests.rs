//! Tests of reading and of the pipeline, through private parts.

use std::io::BufReader;
use std::sync::Arc;

use super::{scan, Output, Sample, ScanOptions};
use crate::pipeline::{Ctx, BATCH_TEXT_MAX, PANIC_CELL};
use crate::report::{source_report, Finding, SourceMeta, Totals};
use crate::source::decode::Encoding;
use crate::source::delimited::{cells, csv_parsed, csv_reader, csv_unquoted};
use crate::source::text::{empty_lines, lines};

#[derive(Default)]
struct Rows(Vec<(String, u64)>);

impl Output for Rows {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push((f.source.to_string(), f.row.unwrap_or(0)));
        Ok(())
    }
}

#[derive(Default)]
struct Cells(Vec<String>);

impl Output for Cells {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        let c = f.column.unwrap_or("");
        let v = format!("{} {:?} {c} {}..{}", f.kind, f.row, f.start, f.end);
        self.0.push(v);
        Ok(())
    }
}

/// Findings and the report of CSV bytes read by the unquoted fast path or the parser.
fn read_csv(bytes: &[u8], fast: bool, sample: Sample, cap: usize) -> (Vec<String>, String) {
    let mut opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    opts.sample = sample;
    opts.batch_bytes = 2048;
    let mut totals = Totals::default();
    let mut out = Cells::default();
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut ctx = Ctx::new("t.csv".into(), &opts, &mut totals, &mut out, read);
    let r = BufReader::with_capacity(cap, bytes);
    let result = if fast {
        csv_unquoted(r, Encoding::Utf8, b',', &mut ctx)
    } else {
        let rdr = csv_reader(r, b',', true);
        csv_parsed(rdr, None, (0, 0), Encoding::Utf8, &mut ctx)
    };
    result.map_err(|e| e.to_string()).unwrap();
    ctx.flush().unwrap();
    let acc = std::mem::take(&mut ctx.acc);
    let meta = SourceMeta {
        source: "t.csv".into(),
        format: "csv",
        encoding: None,
        compression: None,
        sampled: false,
        error: None,
    };
    let report = source_report(meta, &acc, opts.framework);
    drop(ctx);
    (out.0, serde_json::to_string(&report).unwrap())
}

#[test]
fn cells_are_the_non_empty_pieces_between_delimiters() {
    let mut rng = crate::rng::Rng::new(5);
    for _ in 0..5_000 {
        let len = rng.below(200) as usize;
        let line: Vec<u8> = (0..len).map(|_| b",,ab\t"[rng.below(5) as usize]).collect();
        for delim in [b',', b'\t'] {
            let want: Vec<(usize, std::ops::Range<usize>)> = {
                let mut start = 0;
                line.split(|&b| b == delim)
                    .enumerate()
                    .map(|(i, c)| {
                        let r = start..start + c.len();
                        start += c.len() + 1;
                        (i, r)
                    })
                    .filter(|(_, r)| !r.is_empty())
                    .collect()
            };
            assert_eq!(cells(&line, delim).collect::<Vec<_>>(), want, "{line:?}");
        }
    }
}

#[test]
fn unquoted_csv_is_read_as_the_parser_reads_it() {
    let body = "张伟,13812345678,北京市海淀区中山路156号12栋1单元2304室";
    let mut cases: Vec<String> = vec![
        format!("姓名,手机,地址\n{body}\n"),
        format!("\u{feff}\n\n姓名,手机,地址,\n\n{body}\n\r\n{body},x,13912345678"),
        format!("姓名,手机,地址\r\n{body}\r\n{body}\r\n"),
        format!("姓名,手机,地址\n{body}\r{body}\n{body}\n"),
        format!("姓名,手机,地址\n{body}\n\"{body}\",\"a\nb\"\n{body}\n"),
        format!("姓名,,\n{body}\n,,\n{body},,,13612345678\n"),
        "姓名\n".to_string(),
        String::new(),
    ];
    let many = format!("姓名,手机,地址\n{}", format!("{body}\n").repeat(300));
    cases.push(many.clone());
    cases.push(format!(
        "{many}\"quoted {body}\",1\n{}",
        format!("{body}\n").repeat(50)
    ));
    for text in &cases {
        // Buffers smaller than a line, about a line, and larger than the text.
        for cap in [16, 60, 1 << 16] {
            for sample in [Sample::Full, Sample::FirstRows(2)] {
                let fast = read_csv(text.as_bytes(), true, sample, cap);
                let parsed = read_csv(text.as_bytes(), false, sample, cap);
                assert_eq!(fast, parsed, "{text:?} cap {cap} {sample:?}");
            }
        }
    }
}

#[test]
fn a_failing_detector_fails_its_source_and_the_scan_goes_on() {
    let d = std::env::temp_dir().join(format!("hegui-panic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let mut bad = String::from("手机\n");
    for i in 0..5000 {
        bad.push_str(if i == 4000 { PANIC_CELL } else { "13812345678" });
        bad.push('\n');
    }
    std::fs::write(d.join("a.csv"), bad).unwrap();
    std::fs::write(d.join("b.csv"), "手机\n13912345678\n").unwrap();
    let mut opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    opts.sample = Sample::Full;
    opts.batch_bytes = 4096;
    let mut out = Rows::default();
    let report = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| scan(std::slice::from_ref(&d), &opts, &mut out))
        .expect("the scan goes on");
    let a = &report.sources[0];
    let err = a.error.as_deref().expect("a.csv reports the failure");
    assert!(err.contains("a detector failed"), "{err}");
    assert!(report.sources[1].error.is_none());
    // What came before the failure is reported, in order; nothing after it.
    let rows: Vec<u64> = out
        .0
        .iter()
        .filter(|(s, _)| s.ends_with("a.csv"))
        .map(|r| r.1)
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]));
    assert!(rows.last().is_some_and(|&r| r < 4001), "{:?}", rows.last());
    assert!(out.0.iter().any(|(s, _)| s.ends_with("b.csv")));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_text_longer_than_a_batch_can_hold_is_refused_not_cut() {
    let opts = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    let mut totals = Totals::default();
    let mut out = Rows::default();
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut ctx = Ctx::new("t".into(), &opts, &mut totals, &mut out, read);
    // Units are 32-bit offsets: a text of 4 GiB would wrap them. Refused before any
    // byte is copied (so the test needs no such text).
    let err = ctx.room(BATCH_TEXT_MAX).unwrap_err();
    assert!(err.to_string().contains("longer than hegui scans"), "{err}");
    assert!(ctx.room(BATCH_TEXT_MAX - 1).is_ok());
    assert!(ctx.batch.text.is_empty());
}

/// Every line, as `lines` hands them over through a reader buffer of `cap` bytes.
fn read_all(text: &[u8], cap: usize) -> Vec<(u64, Vec<u8>)> {
    let mut r = BufReader::with_capacity(cap, text);
    let mut got = Vec::new();
    lines(&mut r, |n, l| {
        got.push((n, l.to_vec()));
        Ok(true)
    })
    .unwrap();
    got
}

#[test]
fn empty_lines_are_line_ends_at_the_start_or_after_another() {
    for (text, want) in [
        ("a\nb\n", 0),
        ("\n", 1),
        ("\n\na\n", 2),
        ("a\n\n\n\nb\n\n", 4),
        ("", 0),
    ] {
        let naive = text.split_inclusive('\n').filter(|l| *l == "\n").count() as u32;
        assert_eq!(
            (empty_lines(text.as_bytes()), naive),
            (want, want),
            "{text:?}"
        );
    }
}

#[test]
fn lines_straddling_buffer_fills_come_out_whole() {
    let text = "\u{feff}第一行\r\nsecond line, longer than the buffer\n\nlast without newline";
    let want: Vec<(u64, Vec<u8>)> = [
        "第一行",
        "second line, longer than the buffer",
        "",
        "last without newline",
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| (i as u64 + 1, l.as_bytes().to_vec()))
    .collect();
    // Buffers smaller than a line, at every split point, and larger than the text.
    for cap in 1..=text.len() + 1 {
        assert_eq!(
            read_all(text.as_bytes(), cap),
            want,
            "buffer of {cap} bytes"
        );
    }
    assert_eq!(read_all(b"a\n", 4), vec![(1, b"a".to_vec())]);
    assert!(read_all(b"", 4).is_empty());
}
