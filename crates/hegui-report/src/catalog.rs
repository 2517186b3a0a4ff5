//! The catalog workbook: one sheet of checkpoints (Chinese text, English, basis,
//! applicability, evidence, procedures), one of focus areas, one of the Measures' articles
//! and one of the PI taxonomy. Header rows are frozen and filterable, text wraps.

use std::path::Path;

use hegui_core::law::{Framework, Law, Sensitivity};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::sheet;

/// Writes the workbook to `path`.
pub fn write_workbook(law: &Law, path: &Path) -> Result<(), XlsxError> {
    let mut wb = build(law)?;
    wb.save(path)
}

/// Builds the workbook in memory.
pub fn build(law: &Law) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    checkpoints(wb.add_worksheet(), law)?;
    areas(wb.add_worksheet(), law)?;
    measures(wb.add_worksheet(), law)?;
    taxonomy(wb.add_worksheet(), law)?;
    Ok(wb)
}

/// Names the sheet, writes its header row and puts a filter over `rows` rows.
fn header(
    ws: &mut Worksheet,
    name: &str,
    cols: &[(&str, f64)],
    rows: u32,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    sheet::header(ws, cols)?;
    ws.autofilter(0, 0, rows, cols.len() as u16 - 1)?;
    Ok(())
}

fn checkpoints(ws: &mut Worksheet, law: &Law) -> Result<(), XlsxError> {
    let cols = [
        ("编号 ID", 8.0),
        ("审计重点 Focus area", 18.0),
        ("检查点（原文） Checkpoint (official text)", 50.0),
        ("Checkpoint (English)", 50.0),
        ("依据 Basis", 18.0),
        ("适用条件", 30.0),
        ("Applies when", 30.0),
        ("典型证据", 40.0),
        ("建议程序", 40.0),
        ("Typical evidence", 40.0),
        ("Suggested procedures", 40.0),
    ];
    let n = law.guideline.checkpoints().count() as u32;
    header(ws, "检查点 Checkpoints", &cols, n)?;
    for (i, (area, c)) in law.guideline.checkpoints().enumerate() {
        let cites: Vec<String> = c.cites.iter().map(|x| x.display_en()).collect();
        let applies = hegui_core::facts::describe(&c.condition(area));
        sheet::row(
            ws,
            i as u32 + 1,
            &[
                c.id.clone(),
                format!("{}、{} {}", area.numeral, area.title_zh, area.title_en),
                format!("{}{}", c.number.as_deref().unwrap_or(""), c.text_zh),
                c.text_en.clone(),
                cites.join("\n"),
                applies.zh,
                applies.en,
                c.evidence_zh.join("\n"),
                c.procedures_zh.join("\n"),
                c.evidence_en.join("\n"),
                c.procedures_en.join("\n"),
            ],
        )?;
    }
    Ok(())
}

fn areas(ws: &mut Worksheet, law: &Law) -> Result<(), XlsxError> {
    let cols = [
        ("项 Item", 6.0),
        ("标题", 20.0),
        ("Title", 30.0),
        ("导语（原文）", 50.0),
        ("Lead-in", 50.0),
        ("检查点数 Checkpoints", 10.0),
    ];
    header(
        ws,
        "审计重点 Focus areas",
        &cols,
        law.guideline.areas.len() as u32,
    )?;
    for (i, a) in law.guideline.areas.iter().enumerate() {
        sheet::row(
            ws,
            i as u32 + 1,
            &[
                a.numeral.clone(),
                a.title_zh.clone(),
                a.title_en.clone(),
                a.intro_zh.clone().unwrap_or_default(),
                a.intro_en.clone().unwrap_or_default(),
                a.checkpoints.len().to_string(),
            ],
        )?;
    }
    Ok(())
}

fn measures(ws: &mut Worksheet, law: &Law) -> Result<(), XlsxError> {
    let cols = [
        ("条 Article", 10.0),
        ("Title", 28.0),
        ("约束对象 Binds", 18.0),
        ("条文（原文）", 60.0),
        ("English", 60.0),
    ];
    header(
        ws,
        "办法 Measures",
        &cols,
        law.measures.articles.len() as u32,
    )?;
    for (i, a) in law.measures.articles.iter().enumerate() {
        let binds: Vec<String> = a.binds.iter().map(|b| format!("{b:?}")).collect();
        sheet::row(
            ws,
            i as u32 + 1,
            &[
                a.numeral.clone(),
                a.title_en.clone(),
                binds.join(", "),
                a.text_zh.join("\n"),
                a.text_en.clone(),
            ],
        )?;
    }
    Ok(())
}

fn taxonomy(ws: &mut Worksheet, law: &Law) -> Result<(), XlsxError> {
    let cols = [
        ("ID", 28.0),
        ("名称", 30.0),
        ("Name", 30.0),
        ("PIPL 28", 16.0),
        ("GB/T 45574-2025", 14.0),
        ("GB/T 35273-2020 附录B", 14.0),
        ("Note", 40.0),
    ];
    let items: Vec<_> = law.taxonomy.items().collect();
    header(ws, "个人信息分类 Taxonomy", &cols, items.len() as u32)?;
    let label = |s| match s {
        Sensitivity::Sensitive => "敏感 sensitive",
        Sensitivity::Conditional => "视情形 conditional",
        Sensitivity::NotListed => "",
    };
    for (i, it) in items.iter().enumerate() {
        sheet::row(
            ws,
            i as u32 + 1,
            &[
                it.id.clone(),
                it.name_zh.clone(),
                it.name_en.clone(),
                it.pipl28.clone().unwrap_or_default(),
                label(it.sensitivity(Framework::Gb45574)).into(),
                label(it.sensitivity(Framework::Gb35273)).into(),
                it.note.clone().unwrap_or_default(),
            ],
        )?;
    }
    Ok(())
}
