//! The working-paper workbook of an engagement (XLSX, for Excel and WPS): an overview
//! sheet, one sheet per focus area (each checkpoint's scope, conclusion, procedures,
//! sample, evidence, observations and sign-offs), the rectification ledger (整改台账) and
//! the evidence index. It only reads the engagement.

use std::path::Path;

use hegui_audit::store::Store;
use hegui_audit::{engagement, findings, vault, workpaper, AuditError};
use hegui_core::law::Law;
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::sheet::{header, row};

/// Errors writing a workbook.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("{path}: {err}")]
    Io { path: String, err: std::io::Error },
}

/// A sheet name Excel accepts (≤ 31 characters, none of `[]:*?/\`).
fn sheet_name(s: &str) -> String {
    s.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

fn scope_label(s: &str) -> &'static str {
    match s {
        "yes" => "适用",
        "no" => "不适用",
        _ => "待定",
    }
}

/// Builds the workbook in memory.
pub fn build(store: &Store, key: &str) -> Result<Workbook, WorkbookError> {
    let e = engagement::show(store, key)?;
    let scope = engagement::scope(store, key)?;
    let papers = workpaper::list(store, key)?;
    let ledger = findings::ledger(store, key)?;
    let evidence = vault::list(store, key)?;
    let law = Law::get();
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet();
    ws.set_name("概况 Overview")?;
    header(ws, &[("项目 Item", 24.0), ("内容 Value", 70.0)])?;
    let overview = [
        ("审计项目编号 Engagement", e.code.clone()),
        ("被审计单位 Processor", e.processor.clone()),
        ("审计类型 Kind", e.kind.clone()),
        ("专业机构 Body", e.body.clone().unwrap_or_default()),
        ("合规审计负责人 Lead", e.lead.clone().unwrap_or_default()),
        ("审计组 Team", e.team.join("、")),
        (
            "审计期间 Period",
            format!("{} 至 {}", e.period_start, e.period_end),
        ),
        ("开始日期 Start", e.start.clone()),
        (
            "期限 Deadline",
            e.effective_deadline.clone().unwrap_or_default(),
        ),
        ("检查点目录 Catalog", e.catalog.clone()),
        (
            "独立性 Independence",
            e.independence.reading_applied.clone(),
        ),
        ("状态 Status", e.status.clone()),
    ];
    for (i, (k, v)) in overview.iter().enumerate() {
        row(ws, i as u32 + 1, &[k.to_string(), v.clone()])?;
    }

    for area in &law.guideline.areas {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("{} {}", area.numeral, area.title_zh)))?;
        header(
            ws,
            &[
                ("编号", 8.0),
                ("检查内容（原文）", 48.0),
                ("范围", 8.0),
                ("结论", 10.0),
                ("审计程序", 36.0),
                ("总体与样本", 28.0),
                ("证据", 14.0),
                ("观察事项", 36.0),
                ("编制人", 12.0),
                ("复核人", 12.0),
            ],
        )?;
        for (i, cp) in area.checkpoints.iter().enumerate() {
            let s = scope.iter().find(|s| s.checkpoint == cp.id);
            let p = papers.iter().find(|p| p.checkpoint == cp.id);
            let mut scope_text = s
                .map(|s| scope_label(&s.decision).to_string())
                .unwrap_or_default();
            if let Some(reason) = s.and_then(|s| s.decision_reason.as_deref()) {
                scope_text = format!("{scope_text}（{reason}）");
            }
            let sample = p
                .and_then(|p| p.sample.as_ref().map(|s| (p, s)))
                .map(|(p, s)| {
                    let pop = p.population.as_ref().map(|x| format!("{}（{}）", x.description, x.size)).unwrap_or_default();
                    format!("{pop}\n样本 {} 个（置信度 {}%，可容忍偏差率 {}%，预期偏差率 {}%，种子 {}）", s.size, s.confidence, s.tolerable, s.expected, s.seed)
                })
                .unwrap_or_default();
            row(
                ws,
                i as u32 + 1,
                &[
                    cp.id.clone(),
                    format!("{}{}", cp.number.as_deref().unwrap_or(""), cp.text_zh),
                    scope_text,
                    p.map(|p| p.result_zh.to_string())
                        .unwrap_or_else(|| "未测试".into()),
                    p.map(|p| p.procedures.join("\n")).unwrap_or_default(),
                    sample,
                    p.map(|p| p.evidence.join(", ")).unwrap_or_default(),
                    p.map(|p| p.observations.clone()).unwrap_or_default(),
                    p.and_then(|p| p.prepared_by.clone()).unwrap_or_default(),
                    p.and_then(|p| p.reviewed_by.clone()).unwrap_or_default(),
                ],
            )?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("整改台账 Ledger")?;
    header(
        ws,
        &[
            ("问题编号", 10.0),
            ("检查点", 8.0),
            ("严重程度", 10.0),
            ("问题", 30.0),
            ("整改措施", 30.0),
            ("责任人", 12.0),
            ("整改期限", 12.0),
            ("状态", 10.0),
            ("验证证据", 12.0),
            ("完成日期", 12.0),
        ],
    )?;
    let mut r = 1;
    for f in &ledger.findings {
        if f.items.is_empty() {
            row(
                ws,
                r,
                &[
                    f.code.clone(),
                    f.checkpoint.clone(),
                    f.severity.clone(),
                    f.title.clone(),
                ],
            )?;
            r += 1;
        }
        for it in &f.items {
            row(
                ws,
                r,
                &[
                    format!("{}/{}", f.code, it.seq),
                    f.checkpoint.clone(),
                    f.severity.clone(),
                    f.title.clone(),
                    it.measure.clone(),
                    it.owner.clone(),
                    it.due.clone(),
                    it.status.clone(),
                    it.verification.clone().unwrap_or_default(),
                    it.closed_on.clone().unwrap_or_default(),
                ],
            )?;
            r += 1;
        }
    }
    if let Some(due) = &ledger.report_due {
        row(
            ws,
            r + 1,
            &[
                "整改报告期限".into(),
                String::new(),
                String::new(),
                format!(
                    "{due} 前。《个人信息保护合规审计管理办法》第十一条：{}",
                    crate::audit_report::article_zh(law, 11, 0).unwrap_or_default()
                ),
            ],
        )?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("证据索引 Evidence")?;
    header(
        ws,
        &[
            ("编号", 8.0),
            ("名称", 24.0),
            ("类型", 10.0),
            ("SHA-256", 66.0),
            ("字节", 10.0),
            ("收集人", 14.0),
            ("收集时间", 22.0),
            ("有效日期", 12.0),
            ("来源", 20.0),
            ("说明", 24.0),
            ("关联检查点", 16.0),
        ],
    )?;
    for (i, ev) in evidence.iter().enumerate() {
        row(
            ws,
            i as u32 + 1,
            &[
                ev.code.clone(),
                ev.name.clone(),
                ev.kind.clone(),
                ev.sha256.clone(),
                ev.size.to_string(),
                ev.collector.clone(),
                ev.collected_at.clone(),
                ev.effective_date.clone().unwrap_or_default(),
                ev.source.clone(),
                ev.description.clone(),
                ev.checkpoints.join(", "),
            ],
        )?;
    }
    Ok(wb)
}

/// Writes the workbook to `path`, through a temporary file renamed into place so that an
/// interrupted run never leaves a half-written workbook under the final name.
/// With `warning` (an engagement that failed verification, rendered anyway), every sheet
/// says so: a red tab, and the warning in the header of every printed page.
pub fn write(
    store: &Store,
    key: &str,
    path: &Path,
    warning: Option<&str>,
) -> Result<(), WorkbookError> {
    let bytes = to_bytes(store, key, warning)?;
    let tmp = path.with_extension("xlsx.partial");
    let io = |p: &Path, err| WorkbookError::Io {
        path: p.display().to_string(),
        err,
    };
    std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(path, e)
    })?;
    Ok(())
}

/// The workbook as the bytes of an XLSX file (marked with `warning` as for [`write`]).
pub fn to_bytes(store: &Store, key: &str, warning: Option<&str>) -> Result<Vec<u8>, WorkbookError> {
    let mut wb = build(store, key)?;
    if let Some(w) = warning {
        mark_unverified(&mut wb, w)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Marks every sheet of `wb` with `warning`.
fn mark_unverified(wb: &mut Workbook, warning: &str) -> Result<(), WorkbookError> {
    // Excel's header codes: centred (&C), bold, red; '&' in the text is doubled.
    let header = format!(
        "&C&\"-,Bold\"&KC00000{}",
        warning.replace('&', "&&").replace('\n', " ")
    );
    for ws in wb.worksheets_mut() {
        ws.set_header(&header);
        ws.set_tab_color(rust_xlsxwriter::Color::RGB(0xC00000));
    }
    Ok(())
}
