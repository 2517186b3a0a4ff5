//! Sources the scanner reads, through the library API.

use std::path::PathBuf;

use hegui_scan::{scan, Finding, Output, Sample, ScanOptions};

#[derive(Default)]
struct Collect(Vec<(String, Option<u64>, Option<String>, String)>);

impl Output for Collect {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push((
            f.kind.to_string(),
            f.row,
            f.column.map(String::from),
            f.source.to_string(),
        ));
        Ok(())
    }
}

fn opts() -> ScanOptions {
    let mut o = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    o.sample = Sample::Full;
    o
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hegui-sources-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn id(body: &str) -> String {
    format!(
        "{body}{}",
        hegui_scan::validate::id_card::check_char(body.as_bytes()) as char
    )
}

#[test]
fn xlsx_sheets_are_tables() {
    let d = dir("xlsx");
    let path = d.join("客户.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("客户").unwrap();
    for (c, h) in ["姓名", "身份证号", "手机", "出生日期"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "张伟").unwrap();
    ws.write_string(1, 1, id("11010119900307123")).unwrap();
    // Phone numbers are often stored as numbers.
    ws.write_number(1, 2, 13812345678.0).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_datetime_with_format(
        1,
        3,
        rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 3, 7).unwrap(),
        &fmt,
    )
    .unwrap();
    wb.save(&path).unwrap();
    let mut c = Collect::default();
    let report = scan(&[path], &opts(), &mut c).unwrap();
    let kinds: Vec<(&str, Option<&str>)> =
        c.0.iter().map(|f| (f.0.as_str(), f.2.as_deref())).collect();
    assert!(
        kinds.contains(&("person_name", Some("客户!姓名"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("cn_resident_id", Some("客户!身份证号"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("cn_mobile", Some("客户!手机"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("birth_date", Some("客户!出生日期"))),
        "{kinds:?}"
    );
    assert_eq!(report.sources[0].format, "xlsx");
    assert!(c.0.iter().all(|f| f.1 == Some(1)));
}

#[test]
fn a_broken_workbook_is_reported() {
    let d = dir("badxlsx");
    std::fs::write(d.join("bad.xlsx"), b"PK\x03\x04 not really a zip").unwrap();
    std::fs::write(d.join("ok.txt"), "手机 13812345678\n").unwrap();
    let mut c = Collect::default();
    let report = scan(&[d], &opts(), &mut c).unwrap();
    let bad = report
        .sources
        .iter()
        .find(|s| s.source.ends_with("bad.xlsx"))
        .unwrap();
    assert!(bad.error.as_deref().unwrap().contains("workbook"));
    assert_eq!(c.0.len(), 1, "the text file is still scanned");
}

#[test]
fn tsv_and_json_documents() {
    let d = dir("tsv");
    let phone = "13912345678";
    std::fs::write(d.join("a.tsv"), format!("name\tmobile\n李娜\t{phone}\n")).unwrap();
    std::fs::write(d.join("b.json"), format!("[{{\"contact\": {{\"phone\": \"{phone}\"}}}}, {{\"contact\": {{\"phone\": \"{phone}\"}}}}]")).unwrap();
    let mut c = Collect::default();
    let report = scan(&[d], &opts(), &mut c).unwrap();
    let json =
        c.0.iter()
            .filter(|f| f.3.ends_with("b.json"))
            .collect::<Vec<_>>();
    assert_eq!(json.len(), 2);
    assert_eq!(json[1].1, Some(2), "array elements are rows");
    assert_eq!(json[0].2.as_deref(), Some("contact.phone"));
    assert!(c
        .0
        .iter()
        .any(|f| f.3.ends_with("a.tsv") && f.0 == "person_name"));
    // Both files hold the same phone: one distinct value across sources.
    let mobile = report
        .totals
        .iter()
        .find(|t| t.kind == "cn_mobile")
        .unwrap();
    assert_eq!((mobile.matches, mobile.distinct), (3, 1));
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_rows_and_nested_fields() {
    use parquet::data_type::ByteArray;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    let d = dir("parquet");
    let path = d.join("people.parquet");
    let schema = Arc::new(
        parse_message_type(
            "message people {
                REQUIRED BINARY name (UTF8);
                REQUIRED BINARY id_card (UTF8);
                REQUIRED INT64 mobile;
                REQUIRED INT32 birthday (DATE);
                REQUIRED GROUP contact { REQUIRED BINARY email (UTF8); }
            }",
        )
        .unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let mut w =
        SerializedFileWriter::new(std::fs::File::create(&path).unwrap(), schema, props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    let ids = id("11010119900307123");
    let strings: [Vec<ByteArray>; 3] = [
        vec![ByteArray::from("张伟"), ByteArray::from("李娜")],
        vec![ByteArray::from(ids.as_str()), ByteArray::from(ids.as_str())],
        vec![
            ByteArray::from("zhang@example.com"),
            ByteArray::from("li@example.com"),
        ],
    ];
    let mut s = 0;
    while let Some(mut col) = rg.next_column().unwrap() {
        match col.untyped() {
            parquet::column::writer::ColumnWriter::ByteArrayColumnWriter(c) => {
                c.write_batch(&strings[s], None, None).unwrap();
                s += 1;
            }
            parquet::column::writer::ColumnWriter::Int64ColumnWriter(c) => {
                c.write_batch(&[13812345678, 13912345678], None, None)
                    .unwrap();
            }
            parquet::column::writer::ColumnWriter::Int32ColumnWriter(c) => {
                // Days since 1970-01-01: 1990-03-07 is day 7370.
                c.write_batch(&[7370, 7370], None, None).unwrap();
            }
            _ => unreachable!("no other column types in this schema"),
        }
        col.close().unwrap();
    }
    rg.close().unwrap();
    w.close().unwrap();

    let mut c = Collect::default();
    let report = scan(&[path], &opts(), &mut c).unwrap();
    assert!(
        report.sources[0].error.is_none(),
        "{:?}",
        report.sources[0].error
    );
    let kinds: Vec<(&str, Option<&str>)> =
        c.0.iter().map(|f| (f.0.as_str(), f.2.as_deref())).collect();
    assert!(kinds.contains(&("person_name", Some("name"))), "{kinds:?}");
    assert!(
        kinds.contains(&("cn_resident_id", Some("id_card"))),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("cn_mobile", Some("mobile"))), "{kinds:?}");
    assert!(
        kinds.contains(&("email", Some("contact.email"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("birth_date", Some("birthday"))),
        "{kinds:?}"
    );
    assert_eq!(report.sources[0].records, 2);
}

/// Findings with their positions, in the order they came out.
#[derive(Default)]
struct Ordered(Vec<String>);

impl Output for Ordered {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push(format!(
            "{} {} {:?} {:?} {:?} {}..{}",
            f.source, f.kind, f.row, f.column, f.line, f.start, f.end
        ));
        Ok(())
    }
}

#[test]
fn findings_and_counts_do_not_depend_on_threads_or_batch_size() {
    let d = dir("pipeline");
    hegui_scan::synth::generate(
        &d,
        &hegui_scan::synth::GenOptions {
            seed: 3,
            people: 400,
            log_lines: 3000,
            gbk_rows: 50,
            log_noise: 0.5,
            db_rows: 0,
        },
    )
    .unwrap();
    std::fs::remove_file(d.join("truth.jsonl")).unwrap();
    let run = |threads: usize, batch_bytes: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut o = opts();
        o.batch_bytes = batch_bytes;
        let mut out = Ordered::default();
        let report = pool
            .install(|| scan(std::slice::from_ref(&d), &o, &mut out))
            .unwrap();
        (out.0, serde_json::to_value(&report).unwrap())
    };
    // One thread and one big batch: nothing overlaps. Then many small sets in flight on
    // one and on four threads (a one-thread pool must not deadlock on its own reader).
    let (base, base_report) = run(1, 1 << 20);
    assert!(base.len() > 1000, "{} findings", base.len());
    for (threads, batch) in [(1, 2048), (4, 2048), (4, 64 << 10)] {
        let (found, report) = run(threads, batch);
        assert!(
            found == base,
            "findings differ with {threads} threads, {batch} B batches"
        );
        assert_eq!(report, base_report, "{threads} threads, {batch} B batches");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn text_lines_keep_their_numbers_and_offsets_across_blocks() {
    let d = dir("blocks");
    let id = id("11010119900307123");
    // Line 2 holds a keyword only; line 3 an id at byte 3; line 4 is empty; line 6 an id at
    // byte 0. Text is scanned in blocks of lines: with 2 KB batches the blocks are 256
    // bytes, so the filler lines put the ids in different blocks.
    let filler = "x".repeat(300);
    let text = format!("{filler}\n身份证\nab {id} cd\n\n{filler}\n{id}\n");
    std::fs::write(d.join("a.log"), &text).unwrap();
    for batch in [2048, 1 << 20] {
        let mut o = opts();
        o.batch_bytes = batch;
        let mut out = Ordered::default();
        let report = scan(std::slice::from_ref(&d), &o, &mut out).unwrap();
        assert_eq!(
            out.0,
            vec![
                format!(
                    "{} cn_resident_id None None Some(3) 3..21",
                    d.join("a.log").display()
                ),
                format!(
                    "{} cn_resident_id None None Some(6) 0..18",
                    d.join("a.log").display()
                ),
            ],
            "batch {batch}"
        );
        let r = serde_json::to_value(&report).unwrap();
        let field = &r["sources"][0]["fields"][0];
        assert_eq!(field["cells"], 5, "non-empty lines: {field}");
        assert_eq!(r["sources"][0]["records"], 6, "{}", r["sources"][0]);
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// Hostile sources are per-source errors naming the limit, and the scan goes on: a gzip
/// bomb, a line and a CSV cell past the longest record, a JSON document past its size, a
/// workbook whose part decompresses too far. (Small limits, so the bombs are small.)
#[test]
fn hostile_sources_are_per_source_errors_and_the_scan_goes_on() {
    use std::io::Write;
    let d = dir("hostile");
    let mut o = opts();
    o.limits = hegui_scan::source::limits::Limits {
        max_line: 1 << 20,
        gzip_floor: 4 << 20,
        json_doc: 1 << 20,
        workbook_floor: 2 << 20,
        ..Default::default()
    };
    // 16 gzip members of 1 MiB of short CSV records each.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&b"a,b\n".repeat(1 << 18)).unwrap();
    std::fs::write(d.join("a-bomb.csv.gz"), enc.finish().unwrap().repeat(16)).unwrap();
    std::fs::write(d.join("b-long.txt"), "x".repeat(2 << 20)).unwrap();
    let cell = format!("name,note\n张伟,\"{}\"\n", "line\n".repeat(300_000));
    std::fs::write(d.join("c-cell.csv"), cell).unwrap();
    let doc = format!("[{}]", vec!["{\"a\": \"b\"}"; 120_000].join(","));
    std::fs::write(d.join("d-big.json"), doc).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(d.join("e-bomb.xlsx")).unwrap());
    zip.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    for _ in 0..8 {
        zip.write_all(&vec![b' '; 1 << 20]).unwrap();
    }
    zip.finish().unwrap();
    std::fs::write(
        d.join("f-good.csv"),
        format!("姓名,身份证号\n张伟,{}\n", id("11010119900307123")),
    )
    .unwrap();
    let mut c = Collect::default();
    let report = scan(std::slice::from_ref(&d), &o, &mut c).unwrap();
    let err = |name: &str| {
        report
            .sources
            .iter()
            .find(|s| s.source.ends_with(name))
            .and_then(|s| s.error.clone())
            .unwrap_or_default()
    };
    assert!(
        err("a-bomb.csv.gz").contains("gzip bomb"),
        "{:?}",
        report.sources
    );
    assert!(err("b-long.txt").contains("a line longer than 1 MiB"));
    assert!(err("c-cell.csv").contains("a CSV record longer than 1 MiB"));
    assert!(
        err("d-big.json").contains("larger than 1 MiB"),
        "{}",
        err("d-big.json")
    );
    assert!(
        err("e-bomb.xlsx").contains("zip bomb"),
        "{}",
        err("e-bomb.xlsx")
    );
    assert_eq!(err("f-good.csv"), "");
    assert!(c
        .0
        .iter()
        .any(|f| f.0 == "cn_resident_id" && f.3.ends_with("f-good.csv")));
}
