//! The audit report (个人信息保护合规审计报告) as an editable DOCX, in Chinese: cover; basic
//! information on the processor and the auditing body; audit basis; scope and period;
//! methods and sampling; results per focus area with each checkpoint's conclusion;
//! findings by severity; rectification recommendations; limitations; and the signature
//! block Measures Art. 10 requires (the body's principal, the audit lead, the seal).
//!
//! Everything is read from the engagement; nothing is invented. What the engagement does
//! not record (the principal's name, the report date) comes from [`ReportOptions`] or is
//! left as a blank line for the signatories to fill in.

use hegui_audit::findings::{Finding, Ledger};
use hegui_audit::store::Store;
use hegui_audit::vault::Evidence;
use hegui_audit::workpaper::Paper;
use hegui_audit::{engagement, findings, vault, workpaper, AuditError};
use hegui_core::law::Law;

use crate::docx::{Docx, Style};

/// What the report needs beyond the engagement.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The professional body's principal (主要负责人), for the signature block.
    pub principal: Option<String>,
    /// The report date (YYYY-MM-DD); blank when not given.
    pub date: Option<String>,
}

/// Everything a report reads from one engagement, loaded once.
pub struct Inputs {
    pub engagement: engagement::Engagement,
    pub scope: Vec<engagement::ScopeRow>,
    pub papers: Vec<Paper>,
    pub ledger: Ledger,
    pub evidence: Vec<Evidence>,
}

impl Inputs {
    pub fn load(store: &Store, key: &str) -> Result<Self, AuditError> {
        Ok(Self {
            engagement: engagement::show(store, key)?,
            scope: engagement::scope(store, key)?,
            papers: workpaper::list(store, key)?,
            ledger: findings::ledger(store, key)?,
            evidence: vault::list(store, key)?,
        })
    }

    fn paper(&self, checkpoint: &str) -> Option<&Paper> {
        self.papers.iter().find(|p| p.checkpoint == checkpoint)
    }

    fn in_scope(&self, checkpoint: &str) -> bool {
        self.scope
            .iter()
            .find(|s| s.checkpoint == checkpoint)
            .is_none_or(|s| s.decision != "no")
    }
}

pub(crate) fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "internal" => "内部机构开展",
        "commissioned" => "委托专业机构开展",
        "ordered" => "按照保护部门要求开展（《个人信息保护合规审计管理办法》第五条）",
        _ => "其他",
    }
}

/// Paragraph `para` (0-based) of article `number` of the Measures, from the law data.
pub(crate) fn article_zh(law: &Law, number: u8, para: usize) -> Option<&str> {
    law.measures
        .article(number)
        .and_then(|a| a.text_zh.get(para))
        .map(String::as_str)
}

/// The Art. 5 paragraph for a trigger, quoted from the law data (paragraphs 2–4 are the
/// three circumstances, in the order of [`Trigger`](hegui_audit::engagement::Trigger)).
fn trigger_zh(law: &Law, trigger: &str) -> String {
    let para = match trigger {
        "major_risk" => 1,
        "many_individuals" => 2,
        "incident" => 3,
        _ => return trigger.to_string(),
    };
    article_zh(law, 5, para)
        .map(|t| format!("《个人信息保护合规审计管理办法》第五条{t}"))
        .unwrap_or_else(|| trigger.to_string())
}

pub(crate) fn severity_zh(severity: &str) -> &'static str {
    match severity {
        "high" => "高",
        "medium" => "中",
        "low" => "低",
        _ => "未定",
    }
}

pub(crate) fn status_zh(status: &str) -> &'static str {
    match status {
        "open" => "未开始",
        "in_progress" => "整改中",
        "closed" => "已完成",
        _ => "未定",
    }
}

fn blank(v: Option<&str>) -> String {
    v.filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| "＿＿＿＿＿＿＿＿".into())
}

fn cover(d: &mut Docx, x: &Inputs, opts: &ReportOptions) {
    let e = &x.engagement;
    d.para(Style::Title, "个人信息保护合规审计报告");
    d.para(Style::Centered, &format!("被审计单位：{}", e.processor));
    d.para(Style::Centered, &format!("审计项目编号：{}", e.code));
    d.para(
        Style::Centered,
        &format!(
            "审计机构：{}",
            e.body.as_deref().unwrap_or("个人信息处理者内部审计机构")
        ),
    );
    d.para(
        Style::Centered,
        &format!("审计期间：{} 至 {}", e.period_start, e.period_end),
    );
    d.para(
        Style::Centered,
        &format!("报告日期：{}", blank(opts.date.as_deref())),
    );
    d.page_break();
}

fn basics(d: &mut Docx, x: &Inputs) {
    let e = &x.engagement;
    d.para(Style::Heading1, "一、基本情况");
    d.field("被审计单位", &e.processor);
    d.field("审计方式", kind_zh(&e.kind));
    if let Some(t) = &e.trigger {
        d.field("保护部门要求审计的情形", &trigger_zh(Law::get(), t));
    }
    d.field(
        "专业机构",
        e.body.as_deref().unwrap_or("不适用（内部审计）"),
    );
    if !e.affiliates.is_empty() {
        d.field("专业机构关联机构", &e.affiliates.join("、"));
    }
    d.field("合规审计负责人", e.lead.as_deref().unwrap_or("未指定"));
    d.field("审计组成员", &e.team.join("、"));
    d.field("审计开始日期", &e.start);
    if let Some(dl) = &e.effective_deadline {
        d.field("审计完成期限", dl);
    }
    // The independence record itself (reading applied, what was checked) is in the
    // engagement and the workbook; the report states the outcome.
    let independence = if e.independence.violations.is_empty() {
        "经核查，专业机构及合规审计负责人未发现违反《个人信息保护合规审计管理办法》独立性和连续审计次数规定的情形。"
    } else {
        "存在独立性例外情形，见下列说明。"
    };
    d.field("独立性", independence);
    if let Some(r) = &e.override_reason {
        d.field("独立性例外说明", r);
    }
}

fn basis(d: &mut Docx, x: &Inputs, law: &Law) {
    d.para(Style::Heading1, "二、审计依据");
    d.text("1.《中华人民共和国个人信息保护法》；");
    d.text(&format!(
        "2.《{}》（{}，自{}起施行）；",
        law.measures.title_zh, law.measures.order, law.measures.effective
    ));
    d.text(&format!(
        "3.《{}》（{}附件）；",
        law.guideline.title_zh, law.measures.title_zh
    ));
    d.text(&format!(
        "检查点目录版本：{}。各检查点的检查内容按指引原文载明。",
        x.engagement.catalog
    ));
}

fn scope(d: &mut Docx, x: &Inputs, law: &Law) {
    let e = &x.engagement;
    d.para(Style::Heading1, "三、审计范围和期间");
    d.text(&format!(
        "审计期间为 {} 至 {}。审计范围为被审计单位在审计期间内的个人信息处理活动。",
        e.period_start, e.period_end
    ));
    let total = law.guideline.checkpoints().count();
    let out: Vec<Vec<String>> =
        x.scope
            .iter()
            .filter(|s| s.decision == "no")
            .map(|s| {
                let reason = s.decision_reason.clone().unwrap_or_else(|| {
                    format!("根据被审计单位画像不适用（适用条件：{}）", s.reason)
                });
                vec![s.checkpoint.clone(), reason]
            })
            .collect();
    d.text(&format!(
        "《合规审计指引》共 {total} 个检查点，纳入本次审计范围的 {} 个，不适用的 {} 个（见下表）。",
        total - out.len(),
        out.len()
    ));
    if !out.is_empty() {
        d.table(&["检查点", "不适用的理由"], &[1400, 7600], &out);
    }
}

fn methods(d: &mut Docx, x: &Inputs) {
    d.para(Style::Heading1, "四、审计方法与抽样");
    d.text("审计组综合运用文件审阅、人员访谈、系统查验、穿行测试、技术检测和抽样检查等方法，对照各检查点实施审计程序，并在工作底稿中记录程序、证据和结论；工作底稿经编制人以外的人员复核。");
    d.text(&format!(
        "本次审计共编制工作底稿 {} 份，收集证据 {} 项；每项证据在入库时计算 SHA-256 摘要并加密保存，报告所依据的证据摘要清单随报告的数字签名一并签署。",
        x.papers.len(),
        x.evidence.len()
    ));
    let rows: Vec<Vec<String>> = x
        .papers
        .iter()
        .filter_map(|p| {
            let s = p.sample.as_ref()?;
            let pop = p
                .population
                .as_ref()
                .map(|x| format!("{}（{}）", x.description, x.size))
                .unwrap_or_default();
            Some(vec![
                p.checkpoint.clone(),
                pop,
                s.size.to_string(),
                format!("{}% / {}% / {}%", s.confidence, s.tolerable, s.expected),
                s.seed.to_string(),
            ])
        })
        .collect();
    if rows.is_empty() {
        d.text("本次审计未采用统计抽样。");
    } else {
        d.text("统计抽样采用属性抽样，样本量按置信度、可容忍偏差率和预期偏差率计算，样本按记录的随机种子选取，可复现。");
        d.table(
            &[
                "检查点",
                "总体",
                "样本量",
                "置信度/可容忍/预期偏差率",
                "随机种子",
            ],
            &[1100, 3000, 1000, 2500, 1400],
            &rows,
        );
    }
}

fn results(d: &mut Docx, x: &Inputs, law: &Law) {
    d.para(Style::Heading1, "五、审计结果");
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for (_, cp) in law.guideline.checkpoints() {
        if x.in_scope(&cp.id) {
            let c = x.paper(&cp.id).map_or("未测试", |p| p.result_zh);
            *counts.entry(c).or_default() += 1;
        }
    }
    let summary: Vec<String> = ["符合", "部分符合", "不符合", "不适用", "未测试"]
        .iter()
        .map(|k| format!("{k} {} 个", counts.get(k).copied().unwrap_or(0)))
        .collect();
    d.text(&format!(
        "纳入范围的检查点结论汇总：{}。",
        summary.join("，")
    ));
    for area in &law.guideline.areas {
        d.para(
            Style::Heading2,
            &format!("（{}）{}", area.numeral, area.title_zh),
        );
        let rows: Vec<Vec<String>> = area
            .checkpoints
            .iter()
            .map(|cp| {
                let p = x.paper(&cp.id);
                let conclusion = if !x.in_scope(&cp.id) {
                    "不适用".to_string()
                } else {
                    p.map_or("未测试", |p| p.result_zh).to_string()
                };
                vec![
                    cp.id.clone(),
                    format!("{}{}", cp.number.as_deref().unwrap_or(""), cp.text_zh),
                    conclusion,
                    p.map(|p| p.observations.clone()).unwrap_or_default(),
                ]
            })
            .collect();
        d.table(
            &["编号", "检查内容", "结论", "审计发现"],
            &[800, 4600, 1000, 2600],
            &rows,
        );
    }
}

fn by_severity<'a>(x: &'a Inputs, sev: &'a str) -> impl Iterator<Item = &'a Finding> {
    x.ledger.findings.iter().filter(move |f| f.severity == sev)
}

fn findings_section(d: &mut Docx, x: &Inputs) {
    d.para(Style::Heading1, "六、发现的问题");
    if x.ledger.findings.is_empty() {
        d.text("本次审计未发现问题。");
        return;
    }
    for sev in ["high", "medium", "low"] {
        let rows: Vec<Vec<String>> = by_severity(x, sev)
            .map(|f| {
                vec![
                    f.code.clone(),
                    f.checkpoint.clone(),
                    f.title.clone(),
                    f.description.clone(),
                ]
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        d.para(
            Style::Heading2,
            &format!("{}风险问题（{} 项）", severity_zh(sev), rows.len()),
        );
        d.table(
            &["问题编号", "检查点", "问题", "具体情况"],
            &[1100, 900, 2600, 4400],
            &rows,
        );
    }
}

fn recommendations(d: &mut Docx, x: &Inputs) {
    d.para(Style::Heading1, "七、整改建议");
    if x.ledger.findings.is_empty() {
        d.text("无。");
        return;
    }
    let mut rows = Vec::new();
    for f in &x.ledger.findings {
        if f.items.is_empty() {
            rows.push(vec![
                f.code.clone(),
                format!("针对“{}”制定整改措施，明确责任人和完成期限。", f.title),
                String::new(),
                String::new(),
            ]);
        }
        for it in &f.items {
            rows.push(vec![
                format!("{}/{}", f.code, it.seq),
                it.measure.clone(),
                it.owner.clone(),
                it.due.clone(),
            ]);
        }
    }
    d.table(
        &["问题编号", "整改建议", "责任部门", "建议期限"],
        &[1200, 4800, 1500, 1500],
        &rows,
    );
    if x.engagement.kind == "ordered" {
        if let Some(t) = article_zh(Law::get(), 11, 0) {
            d.text(&format!("《个人信息保护合规审计管理办法》第十一条：“{t}”"));
        }
    }
}

fn limitations(d: &mut Docx, x: &Inputs, law: &Law) {
    d.para(Style::Heading1, "八、审计局限性");
    d.text("1. 审计结论基于审计期间内被审计单位提供的资料、访谈和审计组实施的检查，对审计期间以外的处理活动不发表意见。");
    d.text(
        "2. 抽样检查存在抽样风险，样本的结论推及总体时可能存在偏差；样本量和选取方法见第四部分。",
    );
    d.text("3. 自动化扫描识别的个人信息为基于规则和校验的检测结果，可能存在漏检或误检。");
    let untested = law
        .guideline
        .checkpoints()
        .filter(|(_, cp)| {
            x.in_scope(&cp.id) && x.paper(&cp.id).is_none_or(|p| p.result_zh == "未测试")
        })
        .count();
    if untested > 0 {
        d.text(&format!(
            "4. 纳入范围的检查点中有 {untested} 个未完成测试，本报告对其不发表结论。"
        ));
    }
}

fn signatures(d: &mut Docx, x: &Inputs, opts: &ReportOptions, law: &Law) {
    d.para(Style::Heading1, "九、签署");
    if let Some(a) = law.measures.articles.iter().find(|a| a.number == 10) {
        if let Some(t) = a.text_zh.get(1) {
            d.text(&format!(
                "根据《个人信息保护合规审计管理办法》{}：“{t}”",
                a.numeral
            ));
        }
    }
    d.field(
        "专业机构主要负责人（签字）",
        &blank(opts.principal.as_deref()),
    );
    d.field(
        "合规审计负责人（签字）",
        &blank(x.engagement.lead.as_deref()),
    );
    d.field("专业机构（公章）", &blank(x.engagement.body.as_deref()));
    d.field("日期", &blank(opts.date.as_deref()));
    d.text("本报告的电子文件可由签署人以 hegui report sign 进行数字签名，并以 hegui report verify 验证。");
}

/// Builds the audit report.
pub fn build(x: &Inputs, opts: &ReportOptions) -> Docx {
    let law = Law::get();
    let mut d = Docx::new();
    cover(&mut d, x, opts);
    basics(&mut d, x);
    basis(&mut d, x, law);
    scope(&mut d, x, law);
    methods(&mut d, x);
    results(&mut d, x, law);
    findings_section(&mut d, x);
    recommendations(&mut d, x);
    limitations(&mut d, x, law);
    signatures(&mut d, x, opts, law);
    d
}
