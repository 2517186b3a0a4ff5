//! The PDF renderer: Chinese text comes out as text (read back with pdftotext), long tables
//! break across pages with their header repeated, and missing fonts or glyphs are clear
//! errors. Needs a CJK font and pdftotext (`.ci/run` installs fonts-noto-cjk and
//! poppler-utils); without them the tests say so and skip locally, and fail under CI.
#![cfg(feature = "pdf")]

use std::path::PathBuf;
use std::process::Command;

use hegui_report::document::{Document, Style};
use hegui_report::pdf::{self, FontOptions, Fonts, PdfError};

/// The system's fonts, or `None` (skipped locally, a failure under CI) without a CJK font.
fn system_fonts() -> Option<Fonts> {
    match Fonts::discover(&FontOptions::default()) {
        Ok(f) => Some(f),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{e} (.ci/run installs fonts-noto-cjk)"
            );
            eprintln!("SKIPPED: {e}");
            None
        }
    }
}

/// The PDF's text through pdftotext, or `None` (skipped locally) without poppler-utils.
fn pdf_text(bytes: &[u8], tag: &str) -> Option<String> {
    let path = std::env::temp_dir().join(format!("hegui-pdf-{tag}-{}.pdf", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8(o.stdout).unwrap()),
        other => {
            let msg = format!("pdftotext did not run: {other:?}");
            assert!(
                std::env::var_os("CI").is_none(),
                "{msg} (.ci/run installs poppler-utils)"
            );
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

fn sample(rows: usize) -> Document {
    let mut d = Document::new("个人信息保护合规审计报告 — 测试");
    d.para(Style::Title, "个人信息保护合规审计报告")
        .para(Style::Centered, "被审计单位：某某科技有限公司")
        .page_break()
        .para(Style::Heading1, "一、审计依据")
        .text("《个人信息保护合规审计管理办法》第五条；符号 #*_$ 原样显示。")
        .field("审计期间", "2025-01-01 至 2025-12-31");
    let body: Vec<Vec<String>> = (1..=rows)
        .map(|i| {
            vec![
                format!("G{i}.1"),
                "个人信息处理活动".repeat(3),
                "不符合".into(),
            ]
        })
        .collect();
    d.para(Style::Heading2, "（一）检查结果").table(
        &["编号", "检查事项", "结论"],
        &[1200, 6000, 1500],
        &body,
    );
    d
}

#[test]
fn chinese_text_headings_and_a_long_table_come_out_as_text() {
    let Some(fonts) = system_fonts() else { return };
    let bytes = pdf::render(&sample(120), &fonts).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(text) = pdf_text(&bytes, "long") else {
        return;
    };
    for want in [
        "个人信息保护合规审计报告",
        "一、审计依据",
        "审计期间：2025-01-01 至 2025-12-31",
        "符号 #*_$ 原样显示",
        "G120.1",
        "不符合",
    ] {
        assert!(text.contains(want), "{want:?} missing from the PDF text");
    }
    // 120 rows do not fit on one page: the table breaks, and its header row repeats on
    // each page it spans (page breaks are form feeds in pdftotext's output).
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| p.contains("G")).collect();
    assert!(pages.len() >= 3, "expected the table on several pages");
    let with_header = pages.iter().filter(|p| p.contains("检查事项")).count();
    assert!(
        with_header >= 3,
        "the header row repeats on every page of the table"
    );
    // typst sets CJK and digits without spaces between them ("第1页共4页").
    let squeezed: String = text.split_whitespace().collect();
    assert!(squeezed.contains("第1页共"), "page numbers in the footer");
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let Some(fonts) = system_fonts() else { return };
    let a = pdf::render(&sample(3), &fonts).unwrap();
    let b = pdf::render(&sample(3), &fonts).unwrap();
    assert!(
        a == b,
        "a PDF is reproducible, so its signature can be checked against a rebuild"
    );
}

#[test]
fn a_character_no_font_has_is_refused_with_its_code_point_and_section() {
    let Some(fonts) = system_fonts() else { return };
    let mut d = sample(1);
    d.para(Style::Heading1, "六、发现的问题")
        .text("观察：\u{10FFFD}");
    match pdf::render(&d, &fonts) {
        Err(PdfError::MissingGlyphs { chars, section }) => {
            assert_eq!(chars, "U+10FFFD");
            assert_eq!(section, "六、发现的问题");
        }
        other => panic!(
            "expected a missing-glyph error, got {:?}",
            other.map(|b| b.len())
        ),
    }
}

#[test]
fn no_cjk_font_is_a_clear_error_that_says_how_to_install_one() {
    let empty: PathBuf = std::env::temp_dir().join(format!("hegui-nofonts-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = Fonts::discover(&FontOptions {
        dirs: vec![empty.clone()],
        family: None,
        no_system: true,
    })
    .err()
    .expect("no fonts, no PDF");
    let msg = err.to_string();
    assert!(matches!(err, PdfError::NoCjkFont { .. }));
    assert!(msg.contains("fonts-noto-cjk"), "{msg}");
    assert!(msg.contains(&empty.display().to_string()), "{msg}");
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn an_unknown_font_family_is_named_in_the_error() {
    let Some(_) = system_fonts() else { return };
    let err = Fonts::discover(&FontOptions {
        family: Some("No Such Family 无此字体".into()),
        ..FontOptions::default()
    })
    .err()
    .expect("an unknown family is refused");
    assert!(err.to_string().contains("No Such Family 无此字体"));
}
