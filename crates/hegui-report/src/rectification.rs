//! The rectification report (整改情况报告, Measures Art. 11): every finding, what was done
//! about it, by whom, by when, the evidence that verifies it, and — for audits ordered by
//! a protection department — the date by which the report is due (15 working days after
//! rectification is complete, counted on the official calendar).

use hegui_core::law::Law;

use crate::audit_report::{article_zh, kind_zh, severity_zh, status_zh, Inputs, ReportOptions};
use crate::document::{Document, Style};

/// Builds the rectification report.
pub fn build(x: &Inputs, opts: &ReportOptions) -> Document {
    let e = &x.engagement;
    let l = &x.ledger;
    let mut d = Document::new(&format!(
        "个人信息保护合规审计整改情况报告 — {}",
        e.processor
    ));
    d.para(Style::Title, "个人信息保护合规审计整改情况报告");
    d.para(Style::Centered, &format!("报送单位：{}", e.processor));
    d.para(Style::Centered, &format!("审计项目编号：{}", e.code));
    if let Some(date) = &opts.date {
        d.para(Style::Centered, &format!("报告日期：{date}"));
    }

    d.para(Style::Heading1, "一、审计基本情况");
    d.field("审计方式", kind_zh(&e.kind));
    d.field("审计机构", e.body.as_deref().unwrap_or("内部审计机构"));
    d.field(
        "审计期间",
        &format!("{} 至 {}", e.period_start, e.period_end),
    );
    d.field("发现问题", &format!("{} 项", l.findings.len()));

    d.para(Style::Heading1, "二、整改情况");
    let total: usize = l.findings.iter().map(|f| f.items.len()).sum();
    d.text(&format!(
        "共制定整改措施 {total} 项，尚未完成 {} 项。",
        l.open_items
    ));
    match &l.rectification_done {
        Some(done) => d.field("整改全部完成日期", done),
        None => d.field("整改全部完成日期", "尚未全部完成"),
    };
    let rows: Vec<Vec<String>> = l
        .findings
        .iter()
        .flat_map(|f| {
            let head = vec![
                f.code.clone(),
                format!("[{}] {}", severity_zh(&f.severity), f.title),
                "（未制定整改措施）".into(),
                String::new(),
                String::new(),
                "未开始".into(),
                String::new(),
            ];
            let items = f.items.iter().map(move |it| {
                vec![
                    format!("{}/{}", f.code, it.seq),
                    format!("[{}] {}", severity_zh(&f.severity), f.title),
                    it.measure.clone(),
                    it.owner.clone(),
                    it.due.clone(),
                    status_zh(&it.status).into(),
                    match (&it.verification, &it.closed_on) {
                        (Some(v), Some(c)) => format!("{v}（{c}）"),
                        (Some(v), None) => v.clone(),
                        (None, Some(c)) => c.clone(),
                        (None, None) => String::new(),
                    },
                ]
            });
            let head = f.items.is_empty().then_some(head);
            head.into_iter().chain(items)
        })
        .collect();
    d.table(
        &[
            "编号",
            "问题",
            "整改措施",
            "责任人",
            "期限",
            "状态",
            "验证证据（完成日期）",
        ],
        &[900, 1900, 2100, 1000, 1100, 800, 1200],
        &rows,
    );

    d.para(Style::Heading1, "三、报送期限");
    if let Some(due) = &l.report_due {
        if let Some(t) = article_zh(Law::get(), 11, 0) {
            d.text(&format!("《个人信息保护合规审计管理办法》第十一条：“{t}”"));
        }
        d.field("整改情况报告报送期限", &format!("{due} 前"));
    } else if let Some(note) = &l.note {
        d.text(note);
    } else {
        d.text("本次审计非按照保护部门要求开展，无法定报送期限。");
    }

    d.para(Style::Heading1, "四、签署");
    d.field("个人信息处理者（盖章）", &e.processor);
    d.field("个人信息保护负责人（签字）", "＿＿＿＿＿＿＿＿");
    d.field("日期", opts.date.as_deref().unwrap_or("＿＿＿＿＿＿＿＿"));
    d
}
