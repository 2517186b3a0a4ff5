//! End to end through the `hegui` binary.

use std::process::{Command, Output};

fn hegui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env_remove("HEGUI_CALENDAR_DIR")
        .output()
        .expect("run hegui")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn calendar_add_across_national_day() {
    let o = hegui(&["calendar", "add", "2025-09-26", "15"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2025-10-23");
}

#[test]
fn calendar_show_json_lists_every_date() {
    let o = hegui(&["calendar", "show", "2025", "--format", "json"]);
    let days: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(days.len(), 365);
    let oct6 = days.iter().find(|d| d["date"] == "2025-10-06").unwrap();
    assert_eq!(oct6["working_day"], false);
    assert_eq!(oct6["holiday"], "国庆节、中秋节");
    let sep28 = days.iter().find(|d| d["date"] == "2025-09-28").unwrap();
    assert_eq!(sep28["working_day"], true);
}

#[test]
fn unknown_year_fails_closed_and_a_user_file_fixes_it() {
    let o = hegui(&["calendar", "add", "2026-12-25", "10"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no working-day calendar for 2027"),
        "{}",
        stderr(&o)
    );
    let dir = tempdir();
    let file = format!("{dir}/2027.toml");
    std::fs::write(
        &file,
        "year = 2027\nnotice = \"test\"\npublished = \"2026-11-01\"\n[[holidays]]\nname_zh = \"元旦\"\n\
         name_en = \"New Year\"\nstart = \"2027-01-01\"\nend = \"2027-01-03\"\n",
    )
    .unwrap();
    let o = hegui(&["--calendar", &file, "calendar", "add", "2026-12-31", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2027-01-04");
}

/// A fresh directory per call.
fn tempdir() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("hegui-cli-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.display().to_string()
}

#[test]
fn check_reports_every_problem_with_positions() {
    let dir = tempdir();
    let f = format!("{dir}/bad.yaml");
    std::fs::write(
        &f,
        "hegui_profile: 1\norganisation:\n  name: x\n  cio: true\nheadcounts:\n  as_of: 2026-02-30\n  people: many\n",
    )
    .unwrap();
    let o = hegui(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("bad.yaml:4:3: organisation.cio: unknown field `cio` (did you mean `ciio`?)"),
        "{err}"
    );
    assert!(err.contains("bad.yaml:6:10: headcounts.as_of"), "{err}");
    assert!(err.contains("bad.yaml:7:11: headcounts.people"), "{err}");
    assert!(err.contains("3 problem(s)"), "{err}");
}

#[test]
fn check_refuses_a_gbk_file_with_a_hint() {
    let dir = tempdir();
    let f = format!("{dir}/gbk.yaml");
    // "name: 测试" with 测试 in GBK (B2 E2 CA D4).
    std::fs::write(
        &f,
        b"hegui_profile: 1\norganisation:\n  name: \xB2\xE2\xCA\xD4\n",
    )
    .unwrap();
    let o = hegui(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("gbk.yaml:3: not valid UTF-8") && err.contains("GBK"),
        "{err}"
    );
}

#[test]
fn examples_check_and_compute() {
    for ex in [
        "examples/small-merchant.yaml",
        "examples/fintech.yaml",
        "examples/large-platform.yaml",
    ] {
        let o = hegui(&["check", ex]);
        assert!(o.status.success(), "{ex}: {}", stderr(&o));
    }
    let o = hegui(&[
        "obligations",
        "examples/fintech.yaml",
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let obs = v["obligations"].as_array().unwrap();
    let xb = obs
        .iter()
        .find(|o| o["id"] == "cross_border.mechanism")
        .unwrap();
    assert_eq!(xb["finding"], "met", "{xb}");
    assert!(xb["title_en"]
        .as_str()
        .unwrap()
        .starts_with("Standard contract"));
    let o = hegui(&["scope", "examples/large-platform.yaml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 111);
}

#[test]
fn catalog_show_list_and_schema() {
    let o = hegui(&["catalog", "show", "G13.4"]);
    assert!(stdout(&o).contains("（四）是否在事前进行个人信息保护影响评估；"));
    let o = hegui(&["catalog", "list", "--format", "csv"]);
    let rows = stdout(&o).lines().count();
    assert!(rows > 111, "{rows}");
    let o = hegui(&["schema", "profile"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["title"], "hegui processor profile");
    let o = hegui(&["catalog", "show", "G13.9"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn catalog_exports_a_workbook_that_parses_back() {
    use calamine::{open_workbook, Reader, Xlsx};
    let dir = tempdir();
    let f = format!("{dir}/guideline.xlsx");
    let o = hegui(&["catalog", "export", "--format", "xlsx", "-o", &f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut wb: Xlsx<_> = open_workbook(&f).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 4);
    let range = wb.worksheet_range(&names[0]).unwrap();
    assert_eq!(range.height(), 112);
    let g134 = range.rows().find(|r| r[0] == "G13.4").unwrap();
    assert_eq!(
        g134[2].to_string(),
        "（四）是否在事前进行个人信息保护影响评估；"
    );
}

#[test]
fn a_pdf_without_a_cjk_font_fails_before_touching_the_store() {
    let dir = tempdir();
    let fonts = format!("{dir}/no-fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let (db, pdf) = (format!("{dir}/never.db"), format!("{dir}/report.pdf"));
    let o = hegui(&[
        "report",
        "audit",
        "ENG-2026-001",
        "--db",
        &db,
        "-o",
        &pdf,
        "--font-dir",
        &fonts,
        "--no-system-fonts",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    if err.contains("built without PDF support") {
        return; // a --no-default-features build: that refusal is the behaviour under test
    }
    assert!(
        err.contains("no font with Chinese glyphs")
            && err.contains("apt-get install fonts-noto-cjk"),
        "{err}"
    );
    assert!(err.contains(&fonts), "names where it searched: {err}");
    assert!(!std::path::Path::new(&db).exists(), "no store is created");
    assert!(!std::path::Path::new(&pdf).exists(), "no report is written");
}
