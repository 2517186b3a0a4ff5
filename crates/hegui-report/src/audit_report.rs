//! The audit report (个人信息保护合规审计报告) as an editable DOCX, in Chinese (or English
//! on request): cover; basic
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
use hegui_audit::workpaper::{Conclusion, Paper};
use hegui_audit::{engagement, findings, vault, workpaper, AuditError};
use hegui_core::law::Law;
use hegui_core::text::Text;

use crate::document::{Document, Style};

/// The report's language. Chinese is the report the Measures mean; English is a rendering
/// for readers who need one (the Guideline's checkpoints and the Measures' articles in the
/// English of the law data, which is a translation and says so).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// What the report needs beyond the engagement.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub lang: Lang,
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
    /// The privacy policies analysed into the vault (`hegui policy check`), quoted in
    /// section 五 as the tool-assisted review they are.
    pub policy_reviews: Vec<hegui_audit::vault::policy::Review>,
    /// The scope computed from the latest profile snapshot (for the reasons' wording);
    /// `None` if the snapshot no longer parses.
    pub computed_scope: Option<hegui_core::scope::Scope>,
}

impl Inputs {
    pub fn load(store: &Store, key: &str) -> Result<Self, AuditError> {
        let (_, _, text) = engagement::profile(store, key)?;
        let computed_scope = hegui_core::inventory::load(
            &text,
            "profile snapshot",
            if text.trim_start().starts_with('{') {
                hegui_core::inventory::Syntax::Json
            } else {
                hegui_core::inventory::Syntax::Yaml
            },
        )
        .ok()
        .map(|p| hegui_core::scope::compute(&p));
        Ok(Self {
            computed_scope,
            engagement: engagement::show(store, key)?,
            scope: engagement::scope(store, key)?,
            papers: workpaper::list(store, key)?,
            ledger: findings::ledger(store, key)?,
            evidence: vault::list(store, key)?,
            policy_reviews: vault::policy::reviews(store, key)?,
        })
    }

    /// Why the processor's current profile puts a checkpoint out of scope, in words. It is
    /// recomputed from the engagement's profile snapshot with the shipped fact labels, so
    /// that engagements begun by earlier releases read the same.
    fn why_out_of_scope(&self, checkpoint: &str) -> Text {
        self.computed_scope
            .as_ref()
            .and_then(|s| s.items.iter().find(|i| i.id == checkpoint))
            .map(|i| i.reason.clone())
            .unwrap_or_default()
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

/// The report being written: what it reads and in which language.
struct R<'a> {
    x: &'a Inputs,
    opts: &'a ReportOptions,
    law: &'a Law,
}

impl R<'_> {
    fn en(&self) -> bool {
        self.opts.lang == Lang::En
    }

    /// The text in the report's language.
    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        if self.en() {
            en
        } else {
            zh
        }
    }

    /// A value, or a blank line for the signatories.
    fn blank(&self, v: Option<&str>) -> String {
        v.filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| self.t("＿＿＿＿＿＿＿＿", "________________").into())
    }

    fn conclusion(&self, cp: &str) -> &'static str {
        let c = if !self.x.in_scope(cp) {
            Conclusion::NotApplicable
        } else {
            self.x.paper(cp).map_or(Conclusion::NotTested, |p| p.result)
        };
        if self.en() {
            c.en()
        } else {
            c.zh()
        }
    }

    fn untested(&self, cp: &str) -> bool {
        self.x.in_scope(cp)
            && self
                .x
                .paper(cp)
                .is_none_or(|p| p.result == Conclusion::NotTested)
    }

    fn severity(&self, sev: &str) -> String {
        if self.en() {
            let mut s = sev.to_string();
            if let Some(c) = s.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            s
        } else {
            severity_zh(sev).to_string()
        }
    }

    /// An article of the Measures, quoted: paragraph `para` in Chinese, the whole article in
    /// English (the law data translates articles as a whole).
    fn article(&self, number: u8, para: usize) -> Option<String> {
        let a = self.law.measures.article(number)?;
        Some(if self.en() {
            format!("Measures Art. {number}: \"{}\"", a.text_en)
        } else {
            format!(
                "《个人信息保护合规审计管理办法》{}：“{}”",
                a.numeral,
                a.text_zh.get(para)?
            )
        })
    }
}

fn cover(d: &mut Document, r: &R) {
    let e = &r.x.engagement;
    d.para(
        Style::Title,
        r.t(
            "个人信息保护合规审计报告",
            "Personal Information Protection Compliance Audit Report",
        ),
    );
    let body = e.body.as_deref().unwrap_or(r.t(
        "个人信息处理者内部审计机构",
        "The processor's internal audit function",
    ));
    let lines = [
        (r.t("被审计单位", "Audited processor"), e.processor.clone()),
        (r.t("审计项目编号", "Engagement"), e.code.clone()),
        (r.t("审计机构", "Auditing body"), body.to_string()),
        (
            r.t("审计期间", "Period audited"),
            format!("{} {} {}", e.period_start, r.t("至", "to"), e.period_end),
        ),
        (
            r.t("报告日期", "Report date"),
            r.blank(r.opts.date.as_deref()),
        ),
    ];
    let sep = r.t("：", ": ");
    for (k, v) in lines {
        d.para(Style::Centered, &format!("{k}{sep}{v}"));
    }
    d.page_break();
}

fn kind_text(r: &R, kind: &str) -> &'static str {
    if !r.en() {
        return kind_zh(kind);
    }
    match kind {
        "internal" => "By the processor's internal body",
        "commissioned" => "Commissioned to a professional body",
        "ordered" => "Ordered by a protection department (Measures Art. 5)",
        _ => "Other",
    }
}

fn basics(d: &mut Document, r: &R) {
    let e = &r.x.engagement;
    let list = |v: &[String]| v.join(r.t("、", ", "));
    d.para(Style::Heading1, r.t("一、基本情况", "1. Basic information"));
    d.field(r.t("被审计单位", "Audited processor"), &e.processor);
    d.field(r.t("审计方式", "Kind of audit"), kind_text(r, &e.kind));
    if let Some(t) = &e.trigger {
        let text = if r.en() {
            format!("Measures Art. 5, {}", t.replace('_', " "))
        } else {
            trigger_zh(r.law, t)
        };
        d.field(
            r.t("保护部门要求审计的情形", "Circumstance of the order"),
            &text,
        );
    }
    let none = r.t("不适用（内部审计）", "Not applicable (internal audit)");
    d.field(
        r.t("专业机构", "Professional body"),
        e.body.as_deref().unwrap_or(none),
    );
    if !e.affiliates.is_empty() {
        d.field(
            r.t("专业机构关联机构", "Affiliates of the body"),
            &list(&e.affiliates),
        );
    }
    let lead = e.lead.as_deref().unwrap_or(r.t("未指定", "Not named"));
    d.field(r.t("合规审计负责人", "Audit lead"), lead);
    d.field(r.t("审计组成员", "Audit team"), &list(&e.team));
    d.field(r.t("审计开始日期", "Start date"), &e.start);
    if let Some(dl) = &e.effective_deadline {
        d.field(r.t("审计完成期限", "Deadline"), dl);
    }
    // The independence record itself (reading applied, what was checked) is in the
    // engagement and the workbook; the report states the outcome.
    let independence = if e.independence.violations.is_empty() {
        r.t(
            "经核查，专业机构及合规审计负责人未发现违反《个人信息保护合规审计管理办法》独立性和连续审计次数规定的情形。",
            "Checked: neither the professional body nor the audit lead is in breach of the Measures' rules on independence and consecutive audits.",
        )
    } else {
        r.t(
            "存在独立性例外情形，见下列说明。",
            "An independence exception applies; see the note below.",
        )
    };
    d.field(r.t("独立性", "Independence"), independence);
    if let Some(reason) = &e.override_reason {
        d.field(r.t("独立性例外说明", "Independence exception"), reason);
    }
}

fn basis(d: &mut Document, r: &R) {
    let (m, g) = (&r.law.measures, &r.law.guideline);
    d.para(
        Style::Heading1,
        r.t("二、审计依据", "2. Basis of the audit"),
    );
    if r.en() {
        d.text("1. The Personal Information Protection Law of the People's Republic of China;");
        d.text(&format!(
            "2. The {} ({}, in force from {});",
            m.title_en, m.order, m.effective
        ));
        d.text(&format!("3. The {} (annex to the Measures);", g.title_en));
        d.text(&format!(
            "Catalog version: {}. Checkpoints are given in an English translation; the Chinese text of the Guideline governs.",
            r.x.engagement.catalog
        ));
    } else {
        d.text("1.《中华人民共和国个人信息保护法》；");
        d.text(&format!(
            "2.《{}》（{}，自{}起施行）；",
            m.title_zh, m.order, m.effective
        ));
        d.text(&format!("3.《{}》（{}附件）；", g.title_zh, m.title_zh));
        d.text(&format!(
            "检查点目录版本：{}。各检查点的检查内容按指引原文载明。",
            r.x.engagement.catalog
        ));
    }
}

fn scope(d: &mut Document, r: &R) {
    let e = &r.x.engagement;
    d.para(
        Style::Heading1,
        r.t("三、审计范围和期间", "3. Scope and period"),
    );
    let out: Vec<Vec<String>> =
        r.x.scope
            .iter()
            .filter(|s| s.decision == "no")
            .map(|s| {
                let reason = s.decision_reason.clone().unwrap_or_else(|| {
                    let why = r.x.why_out_of_scope(&s.checkpoint);
                    if r.en() {
                        format!("Not applicable to the processor's profile: {}", why.en)
                    } else {
                        format!("根据被审计单位画像不适用：{}", why.zh)
                    }
                });
                vec![s.checkpoint.clone(), reason]
            })
            .collect();
    let total = r.law.guideline.checkpoints().count();
    let (inside, outside) = (total - out.len(), out.len());
    d.text(&if r.en() {
        format!(
            "The audit covers the processor's personal information processing from {} to {}. Of the Guideline's {total} checkpoints, {inside} are in scope and {outside} do not apply (see the table).",
            e.period_start, e.period_end
        )
    } else {
        format!(
            "审计期间为 {} 至 {}。审计范围为被审计单位在审计期间内的个人信息处理活动。《合规审计指引》共 {total} 个检查点，纳入本次审计范围的 {inside} 个，不适用的 {outside} 个（见下表）。",
            e.period_start, e.period_end
        )
    });
    if !out.is_empty() {
        let head = [
            r.t("检查点", "Checkpoint"),
            r.t("不适用的理由", "Why it does not apply"),
        ];
        d.table(&head, &[1400, 7600], &out);
    }
}

fn sample_rows(r: &R) -> Vec<Vec<String>> {
    r.x.papers
        .iter()
        .filter_map(|p| {
            let s = p.sample.as_ref()?;
            let pop = p
                .population
                .as_ref()
                .map(|x| format!("{} ({})", x.description, x.size))
                .unwrap_or_default();
            Some(vec![
                p.checkpoint.clone(),
                pop,
                s.size.to_string(),
                format!("{}% / {}% / {}%", s.confidence, s.tolerable, s.expected),
                s.seed.to_string(),
            ])
        })
        .collect()
}

fn methods(d: &mut Document, r: &R) {
    d.para(
        Style::Heading1,
        r.t("四、审计方法与抽样", "4. Methods and sampling"),
    );
    d.text(r.t(
        "审计组综合运用文件审阅、人员访谈、系统查验、穿行测试、技术检测和抽样检查等方法，对照各检查点实施审计程序，并在工作底稿中记录程序、证据和结论；工作底稿经编制人以外的人员复核。",
        "The audit team used document review, interviews, system inspection, walkthroughs, technical testing and sampling against each checkpoint, recording procedures, evidence and conclusions in working papers, each reviewed by someone other than its preparer.",
    ));
    let (papers, evidence) = (r.x.papers.len(), r.x.evidence.len());
    d.text(&if r.en() {
        format!("{papers} working papers were prepared and {evidence} items of evidence collected. Each item's SHA-256 digest was taken on receipt and the item stored encrypted; the list of digests the report relies on is signed with the report.")
    } else {
        format!("本次审计共编制工作底稿 {papers} 份，收集证据 {evidence} 项；每项证据在入库时计算 SHA-256 摘要并加密保存，报告所依据的证据摘要清单随报告的数字签名一并签署。")
    });
    let rows = sample_rows(r);
    if rows.is_empty() {
        d.text(r.t(
            "本次审计未采用统计抽样。",
            "No statistical sampling was used.",
        ));
        return;
    }
    d.text(r.t(
        "统计抽样采用属性抽样，样本量按置信度、可容忍偏差率和预期偏差率计算，样本按记录的随机种子选取，可复现。",
        "Statistical samples are attribute samples sized from the confidence level and the tolerable and expected deviation rates; items were selected from the recorded seed and can be reselected by anyone.",
    ));
    let head = [
        r.t("检查点", "Checkpoint"),
        r.t("总体", "Population"),
        r.t("样本量", "Sample size"),
        r.t(
            "置信度/可容忍/预期偏差率",
            "Confidence / tolerable / expected",
        ),
        r.t("随机种子", "Seed"),
    ];
    d.table(&head, &[1100, 3000, 1000, 2500, 1400], &rows);
}

fn results(d: &mut Document, r: &R) {
    d.para(Style::Heading1, r.t("五、审计结果", "5. Results"));
    let all = [
        Conclusion::Compliant,
        Conclusion::PartiallyCompliant,
        Conclusion::NonCompliant,
        Conclusion::NotApplicable,
        Conclusion::NotTested,
    ];
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for (_, cp) in r.law.guideline.checkpoints() {
        if r.x.in_scope(&cp.id) {
            *counts.entry(r.conclusion(&cp.id)).or_default() += 1;
        }
    }
    let summary: Vec<String> = all
        .iter()
        .map(|c| if r.en() { c.en() } else { c.zh() })
        .map(|k| {
            let n = counts.get(k).copied().unwrap_or(0);
            if r.en() {
                format!("{k}: {n}")
            } else {
                format!("{k} {n} 个")
            }
        })
        .collect();
    d.text(&if r.en() {
        format!(
            "Conclusions on the checkpoints in scope: {}.",
            summary.join("; ")
        )
    } else {
        format!("纳入范围的检查点结论汇总：{}。", summary.join("，"))
    });
    let head = [
        r.t("编号", "No."),
        r.t("检查内容", "Checkpoint"),
        r.t("结论", "Conclusion"),
        r.t("审计发现", "Observations"),
    ];
    for area in &r.law.guideline.areas {
        let title = if r.en() {
            format!("5.{} {}", area.item, area.title_en)
        } else {
            format!("（{}）{}", area.numeral, area.title_zh)
        };
        d.para(Style::Heading2, &title);
        let rows: Vec<Vec<String>> = area
            .checkpoints
            .iter()
            .map(|cp| {
                let text = if r.en() {
                    cp.text_en.clone()
                } else {
                    format!("{}{}", cp.number.as_deref().unwrap_or(""), cp.text_zh)
                };
                let obs = r.x.paper(&cp.id).map(|p| p.observations.clone());
                vec![
                    cp.id.clone(),
                    text,
                    r.conclusion(&cp.id).into(),
                    obs.unwrap_or_default(),
                ]
            })
            .collect();
        // English conclusions ("Non-compliant") need a wider column than 不符合.
        let widths = if r.en() {
            [800, 4100, 1500, 2600]
        } else {
            [800, 4600, 1000, 2600]
        };
        d.table(&head, &widths, &rows);
    }
    policy_reviews(d, r);
}

/// The analysed privacy policies' flagged elements, said to be a tool's reading that the
/// conclusions above (the auditors') take precedence over.
fn policy_reviews(d: &mut Document, r: &R) {
    if r.x.policy_reviews.is_empty() {
        return;
    }
    d.para(
        Style::Heading2,
        r.t(
            "（附）个人信息处理规则审阅",
            "5.A Review of the processing rules",
        ),
    );
    let head = [
        r.t("要素", "Element"),
        r.t("状态", "Status"),
        r.t("说明与原文", "Reason and passage"),
    ];
    for rev in &r.x.policy_reviews {
        let flagged: Vec<_> = rev.flagged().collect();
        d.text(&if r.en() {
            format!(
                "{} ({}) was read against the 38 elements of the processing-rules rubric by \
                 hegui policy check ({}); {} element(s) absent or deficient, {} difference(s) \
                 from the processor's profile. The auditors' conclusions above prevail.",
                rev.name,
                rev.policy,
                rev.analysis,
                flagged.len(),
                rev.mismatches.len()
            )
        } else {
            format!(
                "《{}》（{}）经 hegui policy check 按处理规则要素逐项审阅（{}）：{} 项缺失或有缺陷，\
                 与处理者档案不一致 {} 处。结论以上表审计人员的判断为准。",
                rev.name,
                rev.policy,
                rev.analysis,
                flagged.len(),
                rev.mismatches.len()
            )
        });
        if flagged.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = flagged
            .iter()
            .map(|e| {
                let reason = if r.en() { &e.reason_en } else { &e.reason };
                let quote = e.evidence.first().map(|p| {
                    let q: String = p.quote.chars().take(80).collect();
                    format!("“{q}”")
                });
                vec![
                    format!("{} {}", e.id, if r.en() { &e.en } else { &e.zh }),
                    policy_status(r, &e.status).into(),
                    [reason.clone(), quote]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            })
            .collect();
        d.table(&head, &[2600, 1000, 5400], &rows);
    }
}

fn policy_status(r: &R, status: &str) -> &'static str {
    match status {
        "absent" => r.t("缺失", "absent"),
        "deficient" => r.t("有缺陷", "deficient"),
        "present" => r.t("具备", "present"),
        _ => r.t("不适用", "not applicable"),
    }
}

fn by_severity<'a>(x: &'a Inputs, sev: &'a str) -> impl Iterator<Item = &'a Finding> {
    x.ledger.findings.iter().filter(move |f| f.severity == sev)
}

fn findings_section(d: &mut Document, r: &R) {
    d.para(Style::Heading1, r.t("六、发现的问题", "6. Findings"));
    if r.x.ledger.findings.is_empty() {
        d.text(r.t("本次审计未发现问题。", "The audit found no problems."));
        return;
    }
    let head = [
        r.t("问题编号", "Finding"),
        r.t("检查点", "Checkpoint"),
        r.t("问题", "Problem"),
        r.t("具体情况", "Details"),
    ];
    for sev in ["high", "medium", "low"] {
        let rows: Vec<Vec<String>> = by_severity(r.x, sev)
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
        let title = if r.en() {
            format!("{} severity ({})", r.severity(sev), rows.len())
        } else {
            format!("{}风险问题（{} 项）", r.severity(sev), rows.len())
        };
        d.para(Style::Heading2, &title);
        d.table(&head, &[1100, 900, 2600, 4400], &rows);
    }
}

fn recommendations(d: &mut Document, r: &R) {
    d.para(Style::Heading1, r.t("七、整改建议", "7. Recommendations"));
    if r.x.ledger.findings.is_empty() {
        d.text(r.t("无。", "None."));
        return;
    }
    let mut rows = Vec::new();
    for f in &r.x.ledger.findings {
        if f.items.is_empty() {
            let advice = if r.en() {
                format!(
                    "Set rectification measures for \"{}\", with an owner and a deadline.",
                    f.title
                )
            } else {
                format!("针对“{}”制定整改措施，明确责任人和完成期限。", f.title)
            };
            rows.push(vec![f.code.clone(), advice, String::new(), String::new()]);
        }
        for it in &f.items {
            let code = format!("{}/{}", f.code, it.seq);
            rows.push(vec![
                code,
                it.measure.clone(),
                it.owner.clone(),
                it.due.clone(),
            ]);
        }
    }
    let head = [
        r.t("问题编号", "Finding"),
        r.t("整改建议", "Recommended measure"),
        r.t("责任部门", "Owner"),
        r.t("建议期限", "Due"),
    ];
    d.table(&head, &[1200, 4800, 1500, 1500], &rows);
    if r.x.engagement.kind == "ordered" {
        if let Some(quote) = r.article(11, 0) {
            d.text(&quote);
        }
    }
}

fn limitations(d: &mut Document, r: &R) {
    d.para(Style::Heading1, r.t("八、审计局限性", "8. Limitations"));
    d.text(r.t(
        "1. 审计结论基于审计期间内被审计单位提供的资料、访谈和审计组实施的检查，对审计期间以外的处理活动不发表意见。",
        "1. The conclusions rest on the material the processor provided, interviews and the audit team's own checks for the period audited; no opinion is given on processing outside that period.",
    ));
    d.text(r.t(
        "2. 抽样检查存在抽样风险，样本的结论推及总体时可能存在偏差；样本量和选取方法见第四部分。",
        "2. Sampling carries sampling risk: a conclusion drawn from a sample may not hold for the whole population; sizes and selection are in section 4.",
    ));
    d.text(r.t(
        "3. 自动化扫描识别的个人信息为基于规则和校验的检测结果，可能存在漏检或误检。",
        "3. Personal information found by automated scanning comes from rules and validators and may include misses and false alarms.",
    ));
    let untested = r
        .law
        .guideline
        .checkpoints()
        .filter(|(_, cp)| r.untested(&cp.id))
        .count();
    if untested > 0 {
        d.text(&if r.en() {
            format!("4. {untested} checkpoints in scope were not tested; this report gives no conclusion on them.")
        } else {
            format!("4. 纳入范围的检查点中有 {untested} 个未完成测试，本报告对其不发表结论。")
        });
    }
}

fn signatures(d: &mut Document, r: &R) {
    let e = &r.x.engagement;
    d.para(Style::Heading1, r.t("九、签署", "9. Signatures"));
    if let Some(quote) = r.article(10, 1) {
        d.text(&format!("{}{quote}", r.t("根据", "Under ")));
    }
    let principal = r.blank(r.opts.principal.as_deref());
    d.field(
        r.t(
            "专业机构主要负责人（签字）",
            "Principal of the professional body (signature)",
        ),
        &principal,
    );
    d.field(
        r.t("合规审计负责人（签字）", "Audit lead (signature)"),
        &r.blank(e.lead.as_deref()),
    );
    d.field(
        r.t("专业机构（公章）", "Official seal of the professional body"),
        &r.blank(e.body.as_deref()),
    );
    d.field(r.t("日期", "Date"), &r.blank(r.opts.date.as_deref()));
    d.text(r.t(
        "本报告的电子文件可由签署人以 hegui report sign 进行数字签名，并以 hegui report verify 验证。",
        "Signatories can sign this report's file digitally with hegui report sign; anyone can check it with hegui report verify.",
    ));
}

/// Builds the audit report.
pub fn build(x: &Inputs, opts: &ReportOptions) -> Document {
    let r = R {
        x,
        opts,
        law: Law::get(),
    };
    let title = format!(
        "{} — {}",
        r.t(
            "个人信息保护合规审计报告",
            "Personal Information Protection Compliance Audit Report"
        ),
        x.engagement.processor
    );
    let mut d = if r.en() {
        Document::latin(&title)
    } else {
        Document::new(&title)
    };
    cover(&mut d, &r);
    basics(&mut d, &r);
    basis(&mut d, &r);
    scope(&mut d, &r);
    methods(&mut d, &r);
    results(&mut d, &r);
    findings_section(&mut d, &r);
    recommendations(&mut d, &r);
    limitations(&mut d, &r);
    signatures(&mut d, &r);
    d
}
