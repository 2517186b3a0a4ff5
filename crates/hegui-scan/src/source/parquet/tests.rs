//! The Arrow reader against the record-API reader it replaced (`reference`): the same
//! findings (kind, row, column, offsets, value) and the same report, on flat files with
//! every scalar type, nested files (structs, lists, lists of structs, maps, dictionaries,
//! fixed-size lists), null-heavy files, files of several row groups and batches, the
//! generated orders as Parquet, and under each sampling plan.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use arrow_array::builder::{
    FixedSizeListBuilder, ListBuilder, MapBuilder, StringBuilder, StringDictionaryBuilder,
    StructBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
    Int64Array, LargeStringArray, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

use crate::options::{Output, Sample, ScanOptions};
use crate::pipeline::Ctx;
use crate::report::{scan_report, source_report, Finding, SourceMeta, Totals};
use crate::source::error::SourceError;

type Reader = fn(&Path, &mut Ctx) -> Result<(), SourceError>;

/// kind, row, column, start, end, value
type Found = (
    String,
    Option<u64>,
    Option<String>,
    usize,
    usize,
    Option<String>,
);

#[derive(Default)]
struct Collect(Vec<Found>);

impl Output for Collect {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        self.0.push((
            f.kind.to_string(),
            f.row,
            f.column.map(String::from),
            f.start,
            f.end,
            f.value.map(String::from),
        ));
        Ok(())
    }
}

fn opts(sample: Sample) -> ScanOptions {
    let mut o = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    o.sample = sample;
    o.sketches = true;
    o.show_values = true;
    o
}

/// Scans one file with `reader`: its findings (sorted) and its report as JSON, with the
/// fields in name order (the readers meet columns in different orders).
fn run(path: &Path, o: &ScanOptions, reader: Reader) -> (Vec<Found>, serde_json::Value) {
    let mut out = Collect::default();
    let mut totals = Totals::default();
    let sources = totals.with_counting_thread(|totals| {
        let read = Arc::new(AtomicU64::new(0));
        let mut ctx = Ctx::new("f".into(), o, totals, &mut out, read);
        let result = reader(path, &mut ctx);
        ctx.flush().unwrap();
        let meta = SourceMeta {
            source: "f".into(),
            format: "parquet",
            encoding: None,
            compression: None,
            sampled: false,
            error: result.err().map(|e| e.to_string()),
        };
        vec![source_report(meta, &ctx.acc, o.framework)]
    });
    let report = scan_report(
        (o.framework, o.min_likelihood, o.sketches),
        sources,
        &totals,
    );
    let mut json = serde_json::to_value(&report).unwrap();
    if let Some(fields) = json["sources"][0]["fields"].as_array_mut() {
        fields.sort_by_key(|f| f["name"].as_str().unwrap_or("").to_string());
    }
    out.0.sort();
    (out.0, json)
}

/// Both readers on `path`, under every sampling plan: equal, and something found.
fn same_as_before(path: &Path) {
    let plans = [
        Sample::Full,
        Sample::FirstRows(700),
        Sample::Percent {
            percent: 7.0,
            seed: 3,
        },
        Sample::RandomRows { rows: 333, seed: 9 },
    ];
    for plan in plans {
        let o = opts(plan);
        let (new, new_report) = run(path, &o, super::parquet_rows);
        let (old, old_report) = run(path, &o, super::reference::parquet_rows);
        assert!(
            new_report["sources"][0]["error"].is_null(),
            "{plan:?}: {}",
            new_report["sources"][0]["error"]
        );
        assert!(
            !new.is_empty(),
            "{plan:?}: nothing found in {}",
            path.display()
        );
        if new != old {
            let only_new: Vec<_> = new.iter().filter(|f| !old.contains(f)).take(5).collect();
            let only_old: Vec<_> = old.iter().filter(|f| !new.contains(f)).take(5).collect();
            panic!(
                "{plan:?} {}: {} findings now, {} before; only now {only_new:?}, only before {only_old:?}",
                path.display(),
                new.len(),
                old.len()
            );
        }
        assert_eq!(new_report, old_report, "{plan:?} {}", path.display());
    }
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hegui-parquet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(path: &Path, batch: &RecordBatch, row_group: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    // Written in slices, so the file has several row groups and data pages.
    let mut at = 0;
    while at < batch.num_rows() {
        let n = 1000.min(batch.num_rows() - at);
        w.write(&batch.slice(at, n)).unwrap();
        at += n;
    }
    w.close().unwrap();
}

fn id(i: usize) -> String {
    let body = format!(
        "110101{}{:02}{:02}{:03}",
        1950 + i % 50,
        1 + i % 12,
        1 + i % 28,
        i % 1000
    );
    let check = crate::validate::id_card::check_char(body.as_bytes()) as char;
    format!("{body}{check}")
}

const NAMES: [&str; 6] = ["张伟", "李娜", "王芳", "欧阳明", "陈静", "刘洋"];

#[test]
fn every_scalar_type_in_many_row_groups_and_batches() {
    let n = 20_000;
    let gap = |i: usize, every: usize| i % every == every - 1;
    let name: StringArray = (0..n)
        .map(|i| (!gap(i, 7)).then(|| if gap(i, 11) { "" } else { NAMES[i % 6] }))
        .collect();
    let id_card: LargeStringArray = (0..n).map(|i| (!gap(i, 5)).then(|| id(i))).collect();
    let mobile: Int64Array = (0..n)
        .map(|i| (!gap(i, 3)).then_some(13_800_000_000 + i as i64 * 7919))
        .collect();
    let phone_double: Float64Array = (0..n)
        .map(|i| (!gap(i, 4)).then_some(13_900_000_000.0 + i as f64))
        .collect();
    let amount = Float64Array::from_iter((0..n).map(|i| Some(i as f64 * 0.25 - 3.0)));
    let birth: Date32Array = (0..n)
        .map(|i| (!gap(i, 6)).then_some(i as i32 % 20_000))
        .collect();
    let balance = Decimal128Array::from_iter((0..n).map(|i| Some(i as i128 * 101)))
        .with_precision_and_scale(12, 2)
        .unwrap();
    let created = TimestampMillisecondArray::from_iter(
        (0..n).map(|i| Some(1_700_000_000_000 + i as i64 * 61_001)),
    );
    let quantity = Int32Array::from_iter((0..n).map(|i| Some(i as i32 - 50)));
    let active = BooleanArray::from_iter((0..n).map(|i| Some(i % 2 == 0)));
    let note = BinaryArray::from_iter((0..n).map(|i| {
        (!gap(i, 9)).then(|| {
            if i % 2 == 0 {
                format!("客户{}电话13{:09}", NAMES[i % 6], i).into_bytes()
            } else {
                vec![0xff, 0xfe, b'1', b'3', b'8']
            }
        })
    }));
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("name", Arc::new(name)),
        ("id_card", Arc::new(id_card)),
        ("mobile", Arc::new(mobile)),
        ("phone_double", Arc::new(phone_double)),
        ("amount", Arc::new(amount)),
        ("birth_date", Arc::new(birth)),
        ("balance", Arc::new(balance)),
        ("created", Arc::new(created)),
        ("quantity", Arc::new(quantity)),
        ("active", Arc::new(active)),
        ("note", Arc::new(note)),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let d = dir("scalars");
    let path = d.join("people.parquet");
    write(&path, &batch, 6000);
    same_as_before(&path);
}

#[test]
fn nested_fields_keep_their_rows() {
    let n = 3_000;
    // address: struct { city, detail }, null every 10th row.
    let mut address = StructBuilder::from_fields(
        vec![
            Field::new("city", DataType::Utf8, true),
            Field::new("detail", DataType::Utf8, true),
        ],
        n,
    );
    // phones: list<string>, null every 8th row, empty every 5th, a null value inside.
    let mut phones = ListBuilder::new(StringBuilder::new());
    // contacts: list<struct { kind, mobile }>.
    let contact_fields = vec![
        Field::new("kind", DataType::Utf8, true),
        Field::new("mobile", DataType::Utf8, true),
    ];
    let mut contacts = ListBuilder::new(StructBuilder::from_fields(contact_fields, 0));
    let mut attrs = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    let mut tags = StringDictionaryBuilder::<Int32Type>::new();
    let mut pair = FixedSizeListBuilder::new(StringBuilder::new(), 2);
    for i in 0..n {
        let s = address.field_builder::<StringBuilder>(0).unwrap();
        s.append_value(["北京市", "上海市", "广州市"][i % 3]);
        let s = address.field_builder::<StringBuilder>(1).unwrap();
        s.append_value(format!("朝阳区建国路{}号院{}号楼", i % 97 + 1, i % 9 + 1));
        address.append(i % 10 != 9);

        if i % 8 == 7 {
            phones.append(false);
        } else {
            for k in 0..(i % 5) {
                if k == 2 {
                    phones.values().append_null();
                } else {
                    phones.values().append_value(format!("13{:09}", i * 10 + k));
                }
            }
            phones.append(true);
        }

        let c = contacts.values();
        for k in 0..(i % 3) {
            c.field_builder::<StringBuilder>(0)
                .unwrap()
                .append_value(["本人", "紧急联系人"][k % 2]);
            c.field_builder::<StringBuilder>(1)
                .unwrap()
                .append_value(format!("15{:09}", i * 3 + k));
            c.append(true);
        }
        contacts.append(i % 13 != 12);

        attrs.keys().append_value("mobile");
        attrs.values().append_value(format!("18{:09}", i));
        attrs.append(true).unwrap();

        if i % 4 == 3 {
            tags.append_null();
        } else {
            tags.append_value(["VIP客户张伟", "普通", "身份证110101199003071234"][i % 3]);
        }

        pair.values().append_value(NAMES[i % 6]);
        pair.values().append_value(id(i));
        pair.append(i % 6 != 5);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("address", Arc::new(address.finish())),
        ("phones", Arc::new(phones.finish())),
        ("contacts", Arc::new(contacts.finish())),
        ("attrs", Arc::new(attrs.finish())),
        ("tags", Arc::new(tags.finish())),
        ("pair", Arc::new(pair.finish())),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let d = dir("nested");
    let path = d.join("nested.parquet");
    write(&path, &batch, 1_100);
    same_as_before(&path);
}

#[test]
fn null_heavy_columns() {
    let n = 12_000;
    // 1 value in 97; a column with none; a column whose only value is in the last row.
    let sparse: StringArray = (0..n).map(|i| (i % 97 == 3).then(|| id(i))).collect();
    let none: StringArray = (0..n).map(|_| None::<String>).collect();
    let last: StringArray = (0..n)
        .map(|i| (i == n - 1).then_some("13812345678"))
        .collect();
    let mobile: Int64Array = (0..n)
        .map(|i| (i % 31 == 0).then_some(13_700_000_000 + i as i64))
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id_card", Arc::new(sparse)),
        ("empty", Arc::new(none)),
        ("last", Arc::new(last)),
        ("mobile", Arc::new(mobile)),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let d = dir("nulls");
    let path = d.join("sparse.parquet");
    write(&path, &batch, 5_000);
    same_as_before(&path);
}

/// The generated orders (3,000 people) written as Parquet, as `hegui bench scan` writes them.
fn generated_orders(name: &str) -> PathBuf {
    let d = dir(name);
    crate::synth::generate(
        &d,
        &crate::synth::GenOptions {
            seed: 5,
            people: 3000,
            log_lines: 0,
            gbk_rows: 0,
            log_noise: 0.0,
            db_rows: 0,
        },
    )
    .unwrap();
    let path = d.join("orders.parquet");
    crate::synth::csv_to_parquet(&d.join("orders.csv"), &path).unwrap();
    path
}

#[test]
fn generated_orders_as_parquet() {
    let path = generated_orders("orders");
    same_as_before(&path);
}

#[test]
fn a_damaged_file_is_an_error_with_what_was_read_before_it() {
    let d = dir("damaged");
    let path = d.join("cut.parquet");
    let ids: StringArray = (0..5000).map(|i| Some(id(i))).collect();
    let batch = RecordBatch::try_from_iter([("id_card", Arc::new(ids) as ArrayRef)]).unwrap();
    write(&path, &batch, 5000);
    let bytes = std::fs::read(&path).unwrap();
    // Cut off the footer: not a Parquet file any more.
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (found, report) = run(&path, &opts(Sample::Full), super::parquet_rows);
    assert!(found.is_empty());
    let error = report["sources"][0]["error"].as_str().unwrap();
    assert!(error.contains("not a readable Parquet file"), "{error}");
}

/// Which top-level columns of `path` the reader takes as Arrow dictionaries.
fn read_as_dictionaries(path: &Path) -> Vec<String> {
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
    let file = std::fs::File::open(path).unwrap();
    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).unwrap();
    let meta = super::arrow::with_dictionaries(meta);
    let fields = meta.schema().fields();
    fields
        .iter()
        .filter(|f| matches!(f.data_type(), DataType::Dictionary(..)))
        .map(|f| f.name().clone())
        .collect()
}

#[test]
fn dictionary_encoded_columns_are_read_once_per_value_with_the_same_findings() {
    let n = 9_000;
    // status: few values, names and identifiers among them, nulls and empty strings; every
    // page dictionary-encoded. customer: a new value in every row, so its dictionary
    // outgrows the writer's small limit and later pages are plain. phone: written without
    // a dictionary.
    let values = [
        "已发货",
        "张伟",
        "",
        "身份证110101199003071234",
        "VIP客户李娜",
    ];
    let status: StringArray = (0..n)
        .map(|i| (i % 13 != 4).then_some(values[i % values.len()]))
        .collect();
    let customer: StringArray = (0..n)
        .map(|i| Some(format!("{}{}", NAMES[i % 6], id(i))))
        .collect();
    let phone: StringArray = (0..n).map(|i| Some(format!("13{:09}", i * 7))).collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("status", Arc::new(status)),
        ("customer", Arc::new(customer)),
        ("phone", Arc::new(phone)),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let d = dir("dictionaries");
    let path = d.join("orders.parquet");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(4_000))
        .set_dictionary_page_size_limit(4_096)
        .set_column_dictionary_enabled("phone".into(), false)
        .build();
    let file = std::fs::File::create(&path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    let mut at = 0;
    while at < n {
        let k = 700.min(n - at);
        w.write(&batch.slice(at, k)).unwrap();
        at += k;
    }
    w.close().unwrap();
    assert_eq!(read_as_dictionaries(&path), ["status"]);
    same_as_before(&path);
    // A status value held by many rows is still a finding in each of them.
    let (found, report) = run(&path, &opts(Sample::Full), super::parquet_rows);
    let zhang = found
        .iter()
        .filter(|f| f.2.as_deref() == Some("status") && f.5.as_deref() == Some("张伟"))
        .count();
    let expected = (0..n).filter(|i| i % 13 != 4 && i % 5 == 1).count();
    assert_eq!(zhang, expected);
    let status = report["sources"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .unwrap();
    let cells = (0..n).filter(|i| i % 13 != 4 && i % 5 != 2).count();
    assert_eq!(status["cells"], cells as u64, "{status}");
}

#[test]
fn the_orders_file_reads_its_few_valued_columns_as_dictionaries() {
    let path = generated_orders("orders-dict");
    let dictionaries = read_as_dictionaries(&path);
    assert!(dictionaries.iter().any(|c| c == "状态"), "{dictionaries:?}");
}
